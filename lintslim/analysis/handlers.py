"""Does a Lambda handler string name code that exists?  Python via libcst, Node.js via a text check.

Pure functions over a view of the function directory (`FunctionFiles`): relative paths, a reader
and an existence test.  Nothing is imported or run; libcst is imported only when a Python module
is actually parsed, so `lintslim check` start-up does not pay for it.

How the runtimes resolve a handler (facts, with their source):
- Python (`awslambdaric/bootstrap.py` `_get_handler`, aws/aws-lambda-python-runtime-interface-client):
  `handler.rsplit(".", 1)` gives module and function; the module is imported with
  `importlib.import_module(modname.replace("/", "."))`, so `app/handler.lambda_handler` is the same
  as `app.handler.lambda_handler`; a first module segment in `sys.builtin_module_names` is refused
  ("Cannot use built-in module … as a handler module"); the function is then called as
  `handler(event, context)`, positionally.
- Node.js (`UserFunction` in aws/aws-lambda-nodejs-runtime-interface-client): the directory part
  of the handler is the module root, the basename splits at its first dot into module and
  export path (`index.handlers.main` is the property `main` of the export `handlers`); `..` is
  refused; the module is the file as named, then `.js`, `.mjs`, `.cjs`, then a package found by
  Node's resolution from the function directory.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # typing only: libcst is imported where a module is parsed
    import libcst as cst

MAX_SOURCE_CHARS = 1024 * 1024  # bigger modules are generated or vendored: not worth parsing

# Modules compiled into CPython on Linux (a subset of `sys.builtin_module_names`, checked on 3.11): a
# handler module named like one of them is refused by the runtime, whatever the function directory holds.
PYTHON_BUILTIN_MODULES = frozenset(
    {"atexit", "builtins", "errno", "faulthandler", "gc", "itertools", "marshal", "posix", "pwd", "sys", "time"}
)

# Modules awslambdaric's `bootstrap.py` imports at its top, before the handler's: `import_module` returns
# the loaded one, so a function file with the same name (`json.py`) is never read.
PYTHON_RUNTIME_PRELOADED = frozenset({"importlib", "json", "logging", "os", "sys", "time", "traceback"})

_PY_EXTENSION_MODULE = re.compile(r"\.(?:cpython-[^/]*\.so|abi3\.so|so|pyc)$")
_NODE_EXTENSIONS = ("", ".js", ".mjs", ".cjs")
_NODE_SOURCE_EXTENSIONS = (".ts", ".mts", ".cts")


class Resolved(Enum):
    """What a handler string resolves to."""

    FUNCTION_OK = "function-ok"  # Python: a module-level def taking (event, context); Node: the name is exported
    BAD_SIGNATURE = "bad-signature"  # a module-level def that cannot take two positional arguments
    UNCHECKABLE = "uncheckable"  # bound in a way a static look cannot follow: not a finding
    MISSING_NAME = "missing-name"  # the module is there, the name is not
    MISSING_MODULE = "missing-module"  # no such module in the function directory
    UNPARSABLE = "unparsable"  # the module has a syntax error: the runtime fails importing it
    MALFORMED = "malformed"  # the string cannot work (no dot, empty part, `..`, a built-in or preloaded module)


@dataclass(frozen=True)
class FunctionFiles:
    """The function directory as the image will hold it; every path is relative to that directory.

    `paths` lists the files known to be there (for suggestions and compiled modules); `read` gives a
    file's text (None when unknown or unreadable); `exists` answers for files and directories.
    """

    paths: Collection[str]
    read: Callable[[str], str | None]
    exists: Callable[[str], bool]


@dataclass(frozen=True)
class Resolution:
    """A handler's classification, with what a message needs to explain it."""

    status: Resolved
    handler: str
    name: str  # the function (Python) or export path (Node) the handler names
    module_path: str | None = None  # the file that was looked at (relative to the function directory)
    line: int | None = None  # 1-based line of the definition, when one was found
    reason: str = ""  # why, in a phrase a message can use
    suggestions: tuple[str, ...] = ()  # close names (MISSING_NAME) or module files (MISSING_MODULE)
    is_async: bool = False  # an `async def` handler (the Python runtime calls it without awaiting)
    decorated: bool = False  # Python: the def has decorators, which may wrap it into something else
    compiled_from: str | None = None  # Node: the TypeScript source found where the module was expected


# ---------------------------------------------------------------------------------------------- Python


@dataclass(frozen=True)
class PythonHandler:
    module: tuple[str, ...]  # dotted module path, `/` already turned into `.`
    function: str


def parse_python_handler(handler: str) -> PythonHandler | str:
    """The module and function a Python handler names, or why the string cannot work."""
    if "." not in handler:
        return "a Python handler is `module.function`; there is no dot"
    modname, function = handler.rsplit(".", 1)
    parts = tuple(modname.replace("/", ".").split("."))
    if not function or any(not part for part in parts):
        return "a Python handler is `module.function` with no empty part (no leading `/` or `./`)"
    if parts[0] in PYTHON_BUILTIN_MODULES:
        return f"`{parts[0]}` is a built-in module; the runtime refuses it as a handler module"
    if parts[0] in PYTHON_RUNTIME_PRELOADED:
        return (
            f"the runtime has imported the standard `{parts[0]}` module already; a function module so named never loads"
        )
    return PythonHandler(parts, function)


def resolve_python_handler(handler: str, files: FunctionFiles) -> Resolution:
    """Classify a Python handler against the function directory."""
    parsed = parse_python_handler(handler)
    if isinstance(parsed, str):
        return Resolution(Resolved.MALFORMED, handler, handler.rsplit(".", 1)[-1], reason=parsed)
    module_path = _python_module_file(parsed.module, files)
    if module_path is None:
        return _missing_python_module(handler, parsed, files)
    if not module_path.endswith(".py"):
        return Resolution(Resolved.UNCHECKABLE, handler, parsed.function, module_path, reason="the module is compiled")
    text = files.read(module_path)
    if text is None or len(text) > MAX_SOURCE_CHARS:
        return Resolution(
            Resolved.UNCHECKABLE, handler, parsed.function, module_path, reason="the module could not be read"
        )
    return _classify_python_name(handler, parsed.function, module_path, text)


def _python_module_file(module: tuple[str, ...], files: FunctionFiles) -> str | None:
    """The file `import_module` would load, in the order Python's path finder tries them."""
    base = "/".join(module)
    if files.exists(f"{base}/__init__.py"):
        return f"{base}/__init__.py"
    if files.exists(f"{base}.py"):
        return f"{base}.py"
    directory, stem = posixpath.split(base)
    for path in files.paths:
        head, tail = posixpath.split(path)
        if head == directory and tail.startswith(stem + ".") and _PY_EXTENSION_MODULE.search(tail[len(stem) :]):
            return path
    return None


def _missing_python_module(handler: str, parsed: PythonHandler, files: FunctionFiles) -> Resolution:
    wanted = ".".join(parsed.module)
    modules = sorted(_python_modules(files.paths))
    same_stem = [module for module in modules if module.rsplit(".", 1)[-1] == parsed.module[-1]]
    close = difflib.get_close_matches(wanted, modules, n=3)
    suggestions = tuple(dict.fromkeys([*same_stem, *close]))[:3]
    reason = f"no `{'/'.join(parsed.module)}.py` in the function directory"
    prefix = _defined_module_prefix(parsed.module, files)
    package = "/".join(parsed.module)
    if files.exists(package):  # a namespace package: it has no functions of its own
        inside = [module for module in modules if module.startswith(wanted + ".")]
        suggestions = tuple(dict.fromkeys([*inside, *suggestions]))[:3]
        reason += f"; `{package}/` is a directory: the handler must name a module in it"
    elif prefix is not None:
        reason += f"; `{prefix}` exists, but a Python handler names a module-level function (`module.function`)"
    return Resolution(Resolved.MISSING_MODULE, handler, parsed.function, reason=reason, suggestions=suggestions)


def _python_modules(paths: Collection[str]) -> Iterator[str]:
    """Dotted names of the Python modules and packages among the paths."""
    for path in paths:
        if not path.endswith(".py"):
            continue
        stem = path[: -len("/__init__.py")] if path.endswith("/__init__.py") else path[: -len(".py")]
        if stem and stem != "__init__":
            yield stem.replace("/", ".")


def _defined_module_prefix(module: tuple[str, ...], files: FunctionFiles) -> str | None:
    """A shorter module the handler's dotted path starts with (`app.Class.method` → `app.py`)."""
    for end in range(len(module) - 1, 0, -1):
        path = "/".join(module[:end]) + ".py"
        if files.exists(path):
            return path
    return None


# Text that lets a module bind names a static look cannot see.
_DYNAMIC_BINDING = re.compile(
    r"(?<![\w.])(?:globals|vars|exec)\s*\(|sys\.modules\s*\[\s*__name__\s*\]|^(?:async\s+)?def\s+__getattr__\s*\(", re.M
)


@dataclass
class _Bindings:
    """How the module scope binds one name."""

    name: str
    last: cst.CSTNode | None = None  # the last top-level statement binding it unconditionally
    conditional: bool = False  # bound inside a module-level `if`/`try`/`for`/`with`/…
    functions: list[str] = field(default_factory=list)  # top-level def names, for suggestions


def _classify_python_name(handler: str, name: str, module_path: str, text: str) -> Resolution:
    import libcst as cst

    source = text.removeprefix("\ufeff")
    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return _unparsable(handler, name, module_path, source)
    bindings = _Bindings(name)
    _scan_statements(tree.body, bindings, nested=False)
    result = _classify_last_binding(tree, bindings, Resolution(Resolved.FUNCTION_OK, handler, name, module_path))
    if result.status in {Resolved.MISSING_NAME, Resolved.BAD_SIGNATURE}:  # a finding only if nothing else binds it
        if bindings.conditional:
            return replace(result, status=Resolved.UNCHECKABLE, reason="the name is also bound conditionally")
        if _rebinds_dynamically(source, name):
            return replace(result, status=Resolved.UNCHECKABLE, reason="the module binds names dynamically")
    return result


def _classify_last_binding(tree: cst.Module, bindings: _Bindings, found: Resolution) -> Resolution:
    import libcst as cst

    last = bindings.last
    if last is None:
        return replace(
            found,
            status=Resolved.MISSING_NAME,
            reason=f"`{found.module_path}` defines no `{found.name}` at module level",
            suggestions=tuple(difflib.get_close_matches(found.name, bindings.functions, n=3)),
        )
    line = _line_of(tree, last)
    if not isinstance(last, cst.FunctionDef):
        return replace(found, status=Resolved.UNCHECKABLE, line=line, reason="the name is not bound by a `def`")
    found = replace(found, line=line, is_async=last.asynchronous is not None, decorated=bool(last.decorators))
    if _accepts_two_positionals(last.params):
        return found
    if last.decorators:
        return replace(found, status=Resolved.UNCHECKABLE, reason="a decorator may change the signature")
    return replace(
        found,
        status=Resolved.BAD_SIGNATURE,
        reason="the runtime calls it as `handler(event, context)`; it takes fewer positional arguments",
    )


def _rebinds_dynamically(source: str, name: str) -> bool:
    """`globals()`, `exec`, module `__getattr__`, a star import, `name :=`, or a `global` statement naming it."""
    if _DYNAMIC_BINDING.search(source) or re.search(r"^\s*from\s+\S+\s+import\s+\*", source, re.M):
        return True
    if re.search(rf"(?<![\w.]){re.escape(name)}\s*:=", source):  # a walrus inside some expression
        return True
    return any(name in _global_names(statement.group(1)) for statement in _GLOBAL_STATEMENT.finditer(source))


_GLOBAL_STATEMENT = re.compile(r"^[ \t]*global[ \t]+(\S[^\n]*)", re.M)


def _global_names(rest: str) -> list[str]:
    """The names of a `global a, b` statement (up to a `;` or a comment)."""
    return [part.strip() for part in re.split(r"[;#]", rest, maxsplit=1)[0].split(",")]


def _scan_statements(statements: Sequence[cst.CSTNode], bindings: _Bindings, *, nested: bool) -> None:
    """Record the module-scope bindings of the name; function and class bodies are other scopes."""
    import libcst as cst

    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            binds = any(_small_statement_binds(small, bindings.name) for small in statement.body)
        elif isinstance(statement, cst.FunctionDef | cst.ClassDef):
            binds = statement.name.value == bindings.name
            if isinstance(statement, cst.FunctionDef) and not nested:
                bindings.functions.append(statement.name.value)
        else:
            binds = _compound_header_binds(statement, bindings.name)
            _scan_statements(list(_statements_within(statement)), bindings, nested=True)
        if binds and nested:
            bindings.conditional = True
        elif binds:
            bindings.last = statement


def _statements_within(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The statements directly inside a compound statement's blocks (`if`/`else`, `try`/`except`/…)."""
    import libcst as cst

    for child in node.children:
        if isinstance(child, cst.SimpleStatementLine | cst.BaseCompoundStatement):
            yield child
        elif isinstance(child, cst.SimpleStatementSuite):  # `if x: a = 1; b = 2`
            yield cst.SimpleStatementLine(body=child.body)
        else:
            yield from _statements_within(child)


def _compound_header_binds(statement: cst.CSTNode, name: str) -> bool:
    """`for name in …` and `with … as name` bind in the module scope."""
    import libcst as cst

    if isinstance(statement, cst.For):
        return name in _target_names(statement.target)
    if isinstance(statement, cst.With):
        return any(item.asname is not None and name in _target_names(item.asname.name) for item in statement.items)
    return False


def _small_statement_binds(small: cst.CSTNode, name: str) -> bool:
    import libcst as cst

    if isinstance(small, cst.Assign):
        return any(name in _target_names(target.target) for target in small.targets)
    if isinstance(small, cst.AnnAssign | cst.AugAssign):
        return name in _target_names(small.target)
    if isinstance(small, cst.Del):
        return name in _target_names(small.target)
    if isinstance(small, cst.Import):
        return any(_alias_binding(alias, first_part=True) == name for alias in small.names)
    if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
        return any(_alias_binding(alias, first_part=False) == name for alias in small.names)
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.NamedExpr):
        return name in _target_names(small.value.target)
    return False


def _alias_binding(alias: cst.ImportAlias, *, first_part: bool) -> str:
    """The name an import alias binds: `import a.b` binds `a`, `import a.b as c` binds `c`."""
    import libcst as cst

    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    dotted = cst.Module([]).code_for_node(alias.name)
    return dotted.split(".")[0] if first_part else dotted


def _target_names(target: cst.CSTNode) -> set[str]:
    """Names a binding target binds (`a, (b, *c) = …` binds a, b, c; `x.y = …` and `x[0] = …` bind none)."""
    import libcst as cst

    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, cst.Tuple | cst.List):
        names: set[str] = set()
        for element in target.elements:
            names |= _target_names(element.value)
        return names
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return set()


def _accepts_two_positionals(params: cst.Parameters) -> bool:
    import libcst as cst

    if isinstance(params.star_arg, cst.Param):  # `*args` takes anything; a bare `*` does not
        return True
    return len(params.posonly_params) + len(params.params) >= 2


def _line_of(tree: cst.Module, statement: cst.CSTNode) -> int | None:
    """The line of a top-level statement's keyword (`def`, not its decorators), counted without a metadata pass."""
    import libcst as cst

    line = 1 + len(tree.header)
    for candidate in tree.body:
        code = tree.code_for_node(candidate)
        if candidate is statement:
            bare = candidate.with_changes(leading_lines=())
            if isinstance(bare, cst.FunctionDef | cst.ClassDef):
                bare = bare.with_changes(decorators=(), lines_after_decorators=())
            return line + code[: len(code) - len(tree.code_for_node(bare))].count("\n")
        line += code.count("\n")
    return None


def _unparsable(handler: str, name: str, module_path: str, source: str) -> Resolution:
    """A syntax error for libcst; when the running Python's own parser accepts the text, the fault is ours."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except SyntaxError as error:  # its line is the one the runtime's traceback names
        line = error.lineno
    except ValueError:  # e.g. a NUL byte
        line = None
    else:
        return Resolution(Resolved.UNCHECKABLE, handler, name, module_path, reason="the parser cannot read the module")
    hint = " (Python 2 code? Lambda runs Python 3)" if _PYTHON2_STATEMENT.search(source) else ""
    return Resolution(
        Resolved.UNPARSABLE, handler, name, module_path, line=line, reason=f"`{module_path}` has a syntax error{hint}"
    )


_PYTHON2_STATEMENT = re.compile(r"^\s*(?:print\s+[\"'\w]|exec\s+[\"'\w])|^\s*except\s+[\w.]+\s*,\s*\w+\s*:", re.M)


# ----------------------------------------------------------------------------------------------- Node.js


@dataclass(frozen=True)
class NodeHandler:
    module: str  # the module path without extension, relative to the function directory (`src/index`)
    export: tuple[str, ...]  # the export path (`handlers.main` is ("handlers", "main"))


def parse_node_handler(handler: str) -> NodeHandler | str:
    """The module and export a Node.js handler names, or why the string cannot work."""
    if ".." in handler:
        return "`..` is not allowed in a Node.js handler"
    root, base = posixpath.split(handler)
    if "." not in base:
        return "a Node.js handler is `file.export`; there is no dot in its last path part"
    module, export = base.split(".", 1)
    parts = tuple(export.split("."))
    if not module or any(not part for part in parts) or root.startswith("/"):
        return "a Node.js handler is `file.export`, relative to the function directory, with no empty part"
    return NodeHandler(posixpath.normpath(posixpath.join(root, module)), parts)


def resolve_node_handler(handler: str, files: FunctionFiles) -> Resolution:
    """Classify a Node.js handler against the function directory (a text check of the module's exports)."""
    parsed = parse_node_handler(handler)
    if isinstance(parsed, str):
        return Resolution(Resolved.MALFORMED, handler, handler.rsplit(".", 1)[-1], reason=parsed)
    name = ".".join(parsed.export)
    module_path = next(
        (parsed.module + ext for ext in _NODE_EXTENSIONS if _is_file(parsed.module + ext, files)),
        None,
    )
    if module_path is None:
        return _missing_node_module(handler, parsed, files)
    text = files.read(module_path)
    if text is None or len(text) > MAX_SOURCE_CHARS:
        return Resolution(Resolved.UNCHECKABLE, handler, name, module_path, reason="the module could not be read")
    exports = node_exports(text)
    first = parsed.export[0]
    found = Resolution(Resolved.FUNCTION_OK, handler, name, module_path)
    if first in exports.names:
        nested = len(parsed.export) > 1
        return replace(found, status=Resolved.UNCHECKABLE, reason="a nested export path") if nested else found
    if exports.opaque:
        return replace(found, status=Resolved.UNCHECKABLE, reason="the module's exports are built at run time")
    return replace(
        found,
        status=Resolved.MISSING_NAME,
        reason=f"`{module_path}` does not export `{first}`",
        suggestions=tuple(difflib.get_close_matches(first, sorted(exports.names), n=3)),
    )


def _is_file(path: str, files: FunctionFiles) -> bool:
    return path in files.paths or (files.exists(path) and not any(p.startswith(path + "/") for p in files.paths))


def _missing_node_module(handler: str, parsed: NodeHandler, files: FunctionFiles) -> Resolution:
    name = ".".join(parsed.export)
    if files.exists(f"node_modules/{parsed.module}"):  # Node's own resolution finds packages too
        return Resolution(Resolved.UNCHECKABLE, handler, name, reason="the module is a package in node_modules")
    compiled_from = next(
        (parsed.module + ext for ext in _NODE_SOURCE_EXTENSIONS if files.exists(parsed.module + ext)), None
    )
    modules = sorted(
        {
            path.rsplit(".", 1)[0]
            for path in files.paths
            if path.endswith((".js", ".mjs", ".cjs")) and not path.startswith("node_modules/")
        }
    )
    same_stem = [m for m in modules if posixpath.basename(m) == posixpath.basename(parsed.module)]
    close = difflib.get_close_matches(parsed.module, modules, n=3)
    return Resolution(
        Resolved.MISSING_MODULE,
        handler,
        name,
        reason=f"no `{parsed.module}.js` (nor `.mjs`, `.cjs`) in the function directory",
        suggestions=tuple(dict.fromkeys([*same_stem, *close]))[:3],
        compiled_from=compiled_from,
    )


@dataclass(frozen=True)
class NodeExports:
    names: frozenset[str]  # names the module visibly exports
    opaque: bool  # exports also come from somewhere a text check cannot follow


_IDENT = r"[A-Za-z_$][\w$]*"
_CJS_PROPERTY = re.compile(
    rf"(?<![\w$.])(?:module\s*\.\s*)?exports\s*(?:\.\s*({_IDENT})|\[\s*[\"'`]({_IDENT})[\"'`]\s*\])\s*=(?!=)"
)
_CJS_DEFINE = re.compile(rf"Object\s*\.\s*defineProperty\s*\(\s*(?:module\s*\.\s*)?exports\s*,\s*[\"'`]({_IDENT})")
_CJS_WHOLE = re.compile(r"(?<![\w$.])module\s*\.\s*exports\s*=(?!=)\s*")
_ESM_DECLARATION = re.compile(
    rf"(?<![\w$.])export\s+(?:declare\s+)?(?:(?:const|let|var|class)\s+|(?:async\s+)?function(?:\s*\*)?\s*)({_IDENT})"
)
_ESM_DESTRUCTURE = re.compile(r"(?<![\w$.])export\s+(?:const|let|var)\s*\{([^}]*)\}")
_ESM_LIST = re.compile(r"(?<![\w$.])export\s*(type\s*)?\{([^}]*)\}")
_ESM_DEFAULT = re.compile(r"(?<![\w$.])export\s+default\b")
_OPAQUE = re.compile(
    r"(?<![\w$.])export\s*\*|Object\s*\.\s*assign\s*\(\s*(?:module\s*\.\s*)?exports\b"
    r"|(?<![\w$.])(?:module\s*\.\s*)?exports\s*\[\s*[^\"'`\s]"
)


def node_exports(text: str) -> NodeExports:
    """The names a JavaScript module exports, read from its text (CommonJS and ES modules).

    Comments and strings are set aside first; when that goes astray (a regular expression with a
    quote in it, as in minified code), the raw text counts too, so a missed export is not reported.
    """
    text = text.removeprefix("\ufeff")
    code, confused = _strip_js_comments(text)
    exports = _exports_in(code)
    if not confused:
        return exports
    raw = _exports_in(text)
    return NodeExports(exports.names | raw.names, exports.opaque or raw.opaque)


def _exports_in(code: str) -> NodeExports:
    names = {a or b for a, b in _CJS_PROPERTY.findall(code)}
    names.update(_CJS_DEFINE.findall(code))
    names.update(_ESM_DECLARATION.findall(code))
    for group in _ESM_DESTRUCTURE.findall(code):
        names.update(_destructured_names(group))
    for is_type, group in _ESM_LIST.findall(code):
        if not is_type:
            names.update(_listed_export_names(group))
    if _ESM_DEFAULT.search(code):
        names.add("default")
    opaque = _OPAQUE.search(code) is not None
    for match in _CJS_WHOLE.finditer(code):
        literal = _object_literal_at(code, match.end())
        if literal is None:  # `module.exports = require(…)`, `= app`, `= __toCommonJS(…)`
            opaque = True
        else:
            keys, spread = _object_literal_keys(literal)
            names.update(keys)
            opaque = opaque or spread
    return NodeExports(frozenset(names), opaque)


def _destructured_names(group: str) -> set[str]:
    """`export const { a, b: c, ...d } = x` exports a, c and d."""
    names = set()
    for item in group.split(","):
        target = item.split(":")[-1].split("=")[0].strip().lstrip(".")
        if re.fullmatch(_IDENT, target):
            names.add(target)
    return names


def _listed_export_names(group: str) -> set[str]:
    """`export { a, b as c, d as default }` exports a, c and default."""
    names = set()
    for item in group.split(","):
        words = item.split()
        if words and words[0] == "type":
            continue
        exported = words[-1].strip("\"'") if words else ""
        if re.fullmatch(_IDENT, exported):
            names.add(exported)
    return names


def _object_literal_at(code: str, start: int) -> str | None:
    """The `{…}` object literal starting at `start` (braces balanced), or None when something else starts there."""
    if not code.startswith("{", start):
        return None
    depth = 0
    for index in range(start, len(code)):
        char = code[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return code[start + 1 : index]
    return None


def _object_literal_keys(body: str) -> tuple[set[str], bool]:
    """Top-level keys of an object literal's body, and whether it spreads another object in."""
    keys: set[str] = set()
    spread = False
    for item in (raw.strip() for raw in _top_level_items(body)):
        if item.startswith("..."):
            spread = True
            continue
        match = re.match(rf"(?:async\s+)?(?:\*\s*)?[\"'`]?({_IDENT})[\"'`]?\s*(?:[:(,]|$)", item)
        if match:
            keys.add(match.group(1))
    return keys, spread


def _top_level_items(body: str) -> Iterator[str]:
    """Split an object literal's body at its top-level commas."""
    depth = 0
    start = 0
    for index, char in enumerate(body):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            yield body[start:index]
            start = index + 1
    yield body[start:]


def _strip_js_comments(text: str) -> tuple[str, bool]:
    """The text with comments dropped and strings kept only when they read as a name (`"handler"`).

    A URL or a message in a string (`'see exports.handler = …'`) must not read as code.  The flag
    says a string or comment did not close where it should: the split is not to be trusted.
    """
    out: list[str] = []
    index = 0
    length = len(text)
    confused = False
    while index < length:
        char = text[index]
        if char in "\"'`":
            end, closed = _string_end(text, index)
            literal = text[index:end]
            out.append(literal if re.fullmatch(rf"(.){_IDENT}\1", literal) else char + char)
            confused = confused or not closed
            index = end
        elif text.startswith("//", index):
            newline = text.find("\n", index)
            index = length if newline < 0 else newline
        elif text.startswith("/*", index):
            close = text.find("*/", index + 2)
            confused = confused or close < 0
            index = length if close < 0 else close + 2
            out.append(" ")
        else:
            out.append(char)
            index += 1
    return "".join(out), confused


def _string_end(text: str, start: int) -> tuple[int, bool]:
    """The index after the string literal opening at `start`, and whether its closing quote was found.

    Only a template literal may span lines.
    """
    quote = text[start]
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == quote:
            return index + 1, True
        if char == "\n" and quote != "`":
            return index + 1, False
        index += 1
    return len(text), False

"""Lambda handler resolution (`lintslim.analysis.handlers`) on small function directories."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from lintslim.analysis.handlers import (
    FunctionFiles,
    NodeHandler,
    PythonHandler,
    Resolution,
    Resolved,
    node_exports,
    parse_node_handler,
    parse_python_handler,
    resolve_node_handler,
    resolve_python_handler,
)


def directory(files: Mapping[str, str | bytes]) -> FunctionFiles:
    """A function directory; bytes are decoded the way `lintslim.files.read_context_file` decodes them."""
    texts = {
        path: (body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body)
        for path, body in files.items()
    }

    def exists(path: str) -> bool:
        return path in texts or any(known.startswith(path.rstrip("/") + "/") for known in texts)

    return FunctionFiles(paths=tuple(texts), read=texts.get, exists=exists)


def python(handler: str, files: Mapping[str, str | bytes]) -> Resolution:
    return resolve_python_handler(handler, directory(files))


def node(handler: str, files: Mapping[str, str | bytes]) -> Resolution:
    return resolve_node_handler(handler, directory(files))


# ------------------------------------------------------------------------------------ Python handler strings


def test_python_handler_parts() -> None:
    assert parse_python_handler("app.handler") == PythonHandler(("app",), "handler")
    assert parse_python_handler("pkg.sub.mod.fn") == PythonHandler(("pkg", "sub", "mod"), "fn")
    # awslambdaric imports `modname.replace("/", ".")`: a slash is a package separator
    assert parse_python_handler("src/app.handler") == PythonHandler(("src", "app"), "handler")


@pytest.mark.parametrize(
    ("handler", "reason"),
    [
        ("handler", "there is no dot"),
        ("app.", "no empty part"),
        ("/var/task/app.handler", "no empty part"),
        ("./app.handler", "no empty part"),
        ("app..handler", "no empty part"),
        ("time.handler", "`time` is a built-in module"),
        ("json.handler", "imported the standard `json` module already"),
    ],
)
def test_python_handler_strings_that_cannot_work(handler: str, reason: str) -> None:
    ok = "def handler(e, c): pass\n"
    result = python(handler, {"app.py": ok, "time.py": ok, "json.py": ok})
    assert result.status is Resolved.MALFORMED
    assert reason in result.reason


# ----------------------------------------------------------------------------------------- Python modules


def test_plain_function_resolves_with_its_line() -> None:
    code = "import json\n\n\ndef lambda_handler(event, context):\n    return json.dumps(event)\n"
    result = python("lambda_function.lambda_handler", {"lambda_function.py": code})
    assert result.status is Resolved.FUNCTION_OK
    assert result.module_path == "lambda_function.py"
    assert result.line == 4
    assert not result.is_async


def test_decorated_function_line_is_the_def_line() -> None:
    code = (
        "# comment\n"
        "from aws_lambda_powertools import Logger\n"
        "logger = Logger()\n"
        "\n"
        "@logger.inject_lambda_context(\n"
        "    log_event=True,\n"
        ")\n"
        "@tracer.capture_lambda_handler\n"
        "def handler(event, context):\n"
        "    return {}\n"
    )
    result = python("app.handler", {"app.py": code})
    assert (result.status, result.line) == (Resolved.FUNCTION_OK, 9)


def test_async_def_resolves_and_says_it_is_async() -> None:
    result = python("app.handler", {"app.py": "async def handler(event, context):\n    return 1\n"})
    assert result.status is Resolved.FUNCTION_OK
    assert result.is_async


@pytest.mark.parametrize(
    "signature",
    [
        "(event, context)",
        "(event, context=None)",
        "(event, /, context)",
        "(*args)",
        "(event, *rest, **kw)",
        "(a, b, c)",
    ],
)
def test_signatures_that_take_event_and_context(signature: str) -> None:
    assert python("app.handler", {"app.py": f"def handler{signature}:\n    pass\n"}).status is Resolved.FUNCTION_OK


@pytest.mark.parametrize("signature", ["(event)", "()", "(event, *, context)", "(event, **kwargs)", "(event=None)"])
def test_signatures_the_runtime_cannot_call(signature: str) -> None:
    result = python("app.handler", {"app.py": f"def handler{signature}:\n    pass\n"})
    assert result.status is Resolved.BAD_SIGNATURE
    assert result.line == 1
    assert "handler(event, context)" in result.reason


def test_async_and_decorated_defs_are_recorded() -> None:
    plain = python("app.handler", {"app.py": "async def handler(event, context):\n    pass\n"})
    wrapped = python("app.handler", {"app.py": "@wrap\nasync def handler(event, context):\n    pass\n"})
    assert (plain.status, plain.is_async, plain.decorated) == (Resolved.FUNCTION_OK, True, False)
    assert (wrapped.status, wrapped.is_async, wrapped.decorated, wrapped.line) == (Resolved.FUNCTION_OK, True, True, 2)


def test_decorated_bad_signature_is_not_a_finding() -> None:
    code = "@event_source(data_class=S3Event)\ndef handler(event):\n    pass\n"
    result = python("app.handler", {"app.py": code})
    assert result.status is Resolved.UNCHECKABLE
    assert "decorator" in result.reason


@pytest.mark.parametrize(
    "code",
    [
        "handler = make_handler()\n",
        "from .impl import handler\n",
        "from impl import real as handler\n",
        "import handler\n",
        "class handler:\n    pass\n",
        "handler: Callable = Mangum(app)\n",
        "def handler(event, context):\n    pass\nhandler = wrap(handler)\n",
        "def handler(event):\n    pass\nhandler = wrap(handler)\n",
        "if DEBUG:\n    def handler(event, context):\n        pass\nelse:\n    handler = other\n",
        "try:\n    from fast import handler\nexcept ImportError:\n    from slow import handler\n",
        "for handler in [f]:\n    pass\n",
        "globals()['handler'] = make()\n",
        "from impl import *\n",
        "def __getattr__(name):\n    return make(name)\n",
        "def setup():\n    global handler\n    handler = make()\nsetup()\n",
        "def setup():\n    global state, handler  # set at start\n    handler = make()\nsetup()\n",
        "def setup():\n\tglobal handler; handler = make()\nsetup()\n",
        "print(handler := make())\n",
    ],
)
def test_bindings_a_static_look_cannot_follow(code: str) -> None:
    assert python("app.handler", {"app.py": code}).status is Resolved.UNCHECKABLE


@pytest.mark.parametrize(
    "code",
    [
        "def handler(event, context):\n    pass\nif DEBUG:\n    handler = traced(handler)\n",
        "def handler(event, context):\n    return globals()\n",
        "from helpers import *\n\ndef handler(event, context):\n    pass\n",
    ],
)
def test_a_proper_def_is_enough_whatever_else_the_module_does(code: str) -> None:
    assert python("app.handler", {"app.py": code}).status is Resolved.FUNCTION_OK


def test_method_calls_named_like_builtins_are_not_dynamic() -> None:
    code = "def handler(event):\n    return db.exec(event)\n"
    assert python("app.handler", {"app.py": code}).status is Resolved.BAD_SIGNATURE


def test_last_binding_wins() -> None:
    code = "handler = None\n\ndef handler(event, context):\n    pass\n"
    result = python("app.handler", {"app.py": code})
    assert (result.status, result.line) == (Resolved.FUNCTION_OK, 3)


def test_names_bound_inside_functions_and_classes_do_not_count() -> None:
    code = (
        "def process(event, context):\n    handler = 1\n    return handler\n\n"
        "class Service:\n    def handler(self, event, context):\n        pass\n"
    )
    result = python("app.handler", {"app.py": code})
    assert result.status is Resolved.MISSING_NAME
    assert result.suggestions == ()


def test_typo_suggests_the_closest_function() -> None:
    code = "def lambda_handler(event, context):\n    pass\n\ndef helper(x):\n    pass\n"
    result = python("app.lambda_handlr", {"app.py": code})
    assert result.status is Resolved.MISSING_NAME
    assert result.suggestions == ("lambda_handler",)
    assert "`app.py` defines no `lambda_handlr`" in result.reason


def test_package_init_is_the_module() -> None:
    files = {"svc/__init__.py": "def handler(event, context):\n    pass\n", "svc/handler.py": "x = 1\n"}
    assert python("svc.handler", files).status is Resolved.FUNCTION_OK
    assert python("svc.handler", files).module_path == "svc/__init__.py"


def test_package_submodule_with_and_without_init() -> None:
    code = "def main(event, context):\n    pass\n"
    with_init = python("pkg.api.main", {"pkg/__init__.py": "", "pkg/api.py": code})
    namespace = python("pkg/api.main", {"pkg/api.py": code})
    assert with_init.status is namespace.status is Resolved.FUNCTION_OK
    assert namespace.module_path == "pkg/api.py"


def test_package_takes_precedence_over_a_module_file() -> None:
    files = {"app/__init__.py": "", "app.py": "def handler(event, context):\n    pass\n"}
    assert python("app.handler", files).status is Resolved.MISSING_NAME


def test_missing_module_suggests_files() -> None:
    files = {"src/app.py": "def handler(e, c): pass\n", "lambda_function.py": "", "src/__init__.py": ""}
    result = python("app.handler", files)
    assert result.status is Resolved.MISSING_MODULE
    assert result.suggestions[0] == "src.app"
    assert "no `app.py`" in result.reason
    assert python("lambda_functon.handler", files).suggestions == ("lambda_function",)


def test_directory_named_as_the_module() -> None:
    files = {"app/handler.py": "def lambda_handler(event, context):\n    pass\n", "app/util.py": ""}
    result = python("app.lambda_handler", files)
    assert result.status is Resolved.MISSING_MODULE
    assert result.suggestions == ("app.handler", "app.util")
    assert "`app/` is a directory: the handler must name a module in it" in result.reason


def test_class_attribute_handler_is_a_missing_module_that_says_why() -> None:
    files = {"app.py": "class Handler:\n    def handle(self, event, context):\n        pass\n"}
    result = python("app.Handler.handle", files)
    assert result.status is Resolved.MISSING_MODULE
    assert "`app.py` exists, but a Python handler names a module-level function" in result.reason


def test_compiled_module_is_uncheckable() -> None:
    files = {"fast.cpython-312-x86_64-linux-gnu.so": "", "other.py": ""}
    result = python("fast.handler", files)
    assert (result.status, result.module_path) == (Resolved.UNCHECKABLE, "fast.cpython-312-x86_64-linux-gnu.so")


def test_syntax_error_is_unparsable_not_a_crash() -> None:
    result = python("app.handler", {"app.py": "def handler(event, context)\n    pass\n"})
    assert result.status is Resolved.UNPARSABLE
    assert result.reason == "`app.py` has a syntax error"
    assert result.line == 1


def test_python2_module_is_unparsable_with_a_hint() -> None:
    code = "def handler(event, context):\n    print 'hello'\n    return event\n"
    result = python("app.handler", {"app.py": code})
    assert result.status is Resolved.UNPARSABLE
    assert "Python 2" in result.reason


def test_crlf_and_bom() -> None:
    code = (
        "\ufeff# -*- coding: utf-8 -*-\r\nimport os\r\n\r\ndef handler(event, context):\r\n    return os.getcwd()\r\n"
    )
    result = python("app.handler", {"app.py": code})
    assert (result.status, result.line) == (Resolved.FUNCTION_OK, 4)


def test_non_utf8_module_decoded_with_replacements_still_resolves() -> None:
    code = "# -*- coding: latin-1 -*-\nGREETING = 'caf\xe9'\n\ndef handler(event, context):\n    return GREETING\n"
    result = python("app.handler", {"app.py": code.encode("latin-1")})
    assert (result.status, result.line) == (Resolved.FUNCTION_OK, 4)


def test_oversized_or_unreadable_module_is_uncheckable() -> None:
    big = "def handler(event, context):\n    pass\n" + "#" * (1024 * 1024)
    assert python("app.handler", {"app.py": big}).status is Resolved.UNCHECKABLE
    unreadable = FunctionFiles(paths=("app.py",), read=lambda path: None, exists=lambda path: path == "app.py")
    assert resolve_python_handler("app.handler", unreadable).status is Resolved.UNCHECKABLE


def test_recent_syntax_parses() -> None:
    code = (
        "match command:\n    case 'x':\n        pass\n"
        "async def handler(event, context, /):\n    async with lock:\n        return [x async for x in s]\n"
    )
    assert python("app.handler", {"app.py": code}).status is Resolved.FUNCTION_OK


# --------------------------------------------------------------------------------------------- Node.js


def test_node_handler_parts() -> None:
    assert parse_node_handler("index.handler") == NodeHandler("index", ("handler",))
    assert parse_node_handler("src/app.handlers.main") == NodeHandler("src/app", ("handlers", "main"))
    assert parse_node_handler("./dist/index.handler") == NodeHandler("dist/index", ("handler",))
    assert isinstance(parse_node_handler("index"), str)
    assert isinstance(parse_node_handler("../index.handler"), str)
    assert isinstance(parse_node_handler("/var/task/index.handler"), str)


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("index.js", "exports.handler = async (event) => ({ statusCode: 200 });\n"),
        ("index.js", "module.exports.handler = function (event, context) {};\n"),
        ("index.js", "module.exports['handler'] = main;\n"),
        ("index.js", "module.exports = {\n  handler,\n  other: 1,\n};\n"),
        ("index.js", "module.exports = { handler: async (e) => e, ping() {} };\n"),
        ("index.js", "module.exports = { async handler(event) { return event; } };\n"),
        ("index.js", 'Object.defineProperty(exports, "handler", { enumerable: true, get: () => h });\n'),
        ("index.mjs", "export const handler = async (event) => event;\n"),
        ("index.mjs", "export async function handler(event) {\n  return event;\n}\n"),
        ("index.mjs", "const main = async () => 1;\nexport { main as handler };\n"),
        ("index.mjs", "export { handler } from './impl.mjs';\n"),
        ("index.cjs", "exports.handler = require('./impl').handler;\n"),
        ("index", "exports.handler = () => 1;\n"),
    ],
)
def test_node_exports_found(path: str, code: str) -> None:
    result = node("index.handler", {path: code})
    assert result.status is Resolved.FUNCTION_OK
    assert result.module_path == path


def test_node_extension_order_prefers_js() -> None:
    files = {"index.js": "exports.other = 1;\n", "index.mjs": "export const handler = 1;\n"}
    result = node("index.handler", files)
    assert (result.status, result.module_path, result.suggestions) == (Resolved.MISSING_NAME, "index.js", ())


def test_node_missing_export_suggests_close_names() -> None:
    code = (
        "// exports.handler = old;\n"
        "const url = 'http://example.com/exports.handler = x';\n"
        "exports.hander = async () => 1;\n"
    )
    result = node("index.handler", {"index.js": code})
    assert result.status is Resolved.MISSING_NAME
    assert result.suggestions == ("hander",)
    assert result.reason == "`index.js` does not export `handler`"


@pytest.mark.parametrize(
    "code",
    [
        "module.exports = require('./dist/app');\n",
        "module.exports = app;\n",
        "module.exports = { ...handlers };\n",
        "export * from './impl.mjs';\n",
        "Object.assign(module.exports, handlers);\n",
        "exports[name] = fn;\n",
        (
            "var index_exports = {};\n__export(index_exports, { handler: () => handler });\n"
            "module.exports = __toCommonJS(index_exports);\n"
        ),
    ],
)
def test_node_exports_built_at_run_time_are_uncheckable(code: str) -> None:
    assert node("index.handler", {"index.js": code}).status is Resolved.UNCHECKABLE


def test_node_nested_export_path_is_uncheckable_once_the_first_part_is_exported() -> None:
    result = node("index.handlers.main", {"index.js": "exports.handlers = { main };\n"})
    assert result.status is Resolved.UNCHECKABLE
    assert node("index.handlers.main", {"index.js": "exports.other = 1;\n"}).status is Resolved.MISSING_NAME


def test_node_default_export() -> None:
    assert node("index.default", {"index.mjs": "export default async (e) => e;\n"}).status is Resolved.FUNCTION_OK
    assert node("index.handler", {"index.mjs": "export default async (e) => e;\n"}).suggestions == ()


def test_node_missing_module() -> None:
    files = {"dist/index.js": "exports.handler = 1;\n", "src/index.ts": "export const handler = 1;\n"}
    result = node("index.handler", files)
    assert result.status is Resolved.MISSING_MODULE
    assert result.suggestions == ("dist/index",)
    assert result.compiled_from is None
    assert node("src/index.handler", files).compiled_from == "src/index.ts"
    assert node("dist/index.handler", files).status is Resolved.FUNCTION_OK


def test_node_module_from_node_modules_is_uncheckable() -> None:
    files = {"node_modules/my-handler/package.json": "{}", "index.js": ""}
    assert node("my-handler.handler", files).status is Resolved.UNCHECKABLE


def test_node_minified_code_with_a_quote_in_a_regex_is_not_a_finding() -> None:
    code = 'var q=/["\']/g;function h(e){return e}"object"==typeof exports&&(module.exports={handler:h});\n'
    result = node("index.handler", {"index.js": code})
    assert result.status is Resolved.FUNCTION_OK


def test_node_exports_lists() -> None:
    code = "export { a, b as c, d as default, type T };\nexport const { e, f: g } = obj;\nexport class K {}\n"
    assert node_exports(code).names == {"a", "c", "default", "e", "g", "K"}
    assert not node_exports(code).opaque


# ---------------------------------------------------------------------------------------- start-up cost


def test_module_import_does_not_import_libcst() -> None:
    probe = "import sys, lintslim.analysis.handlers; print('libcst' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "False"


# ------------------------------------------------------------------------------ corpus smoke (prints only)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "lambda"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not on this machine")
def test_corpus_handler_strings_parse() -> None:
    """Lambda Dockerfiles whose exec-form CMD looks like a handler: the string splits without error."""
    from lintslim.syntax.parser import parse

    for path in sorted(CORPUS.rglob("*Dockerfile*")):
        if not path.is_file():
            continue
        dockerfile = parse(path.read_text(errors="replace"), str(path))
        for instruction in dockerfile.instructions:
            if instruction.keyword != "CMD" or not instruction.is_json or len(instruction.args) != 1:
                continue
            handler = instruction.values[0]
            if "." not in handler or handler.startswith("/") or " " in handler:
                continue
            print(f"{path.relative_to(CORPUS)}: {handler!r} -> {parse_python_handler(handler)!r}")  # shown with -s
            resolve_python_handler(handler, directory({}))
            resolve_node_handler(handler, directory({}))
    # a smoke test only (a crash fails it): the corpus has no function code to resolve against

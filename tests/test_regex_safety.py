"""Every regular expression in lintslim, checked for catastrophic backtracking (issue 8).

Python's `re` backtracks.  Three shapes make it slow on a long near-miss string:

- nested: a repeat inside a repeat that can split the same text many ways, `(a+)+`, `(\\d+\\.?)*`:
  time exponential in the text's length.  A repeat whose every round must take a character its inner
  repeats cannot (`(?:\\.\\d+)*`, `(?:x[^x]*)*`) has one way only, and passes.
- alternation: alternatives under a repeat that can start with the same character, `(?:ab|ac)*`.
- adjacent: two unbounded repeats that can match the same characters with nothing but optional
  parts between them, `\\s*.*\\s*$`, `(\\S.*?)\\s*$`: time polynomial (quadratic per start position).

The check reads Python's own parse tree of each expression (`re._parser`), so it judges what `re`
runs, not the source text.  Expressions are collected from every module's globals (and the
containers and classes there), from inline `re.match(r"…")`-style calls found in the source, and
from data (the credential formats, the base-image knowledge base).  Expressions built at run time are
listed in BUILT_AT_RUN_TIME with how they are checked.  Timing figures are not asserted here:
`benchmarks/regex_scaling.py` prints time at n and 4n for every expression.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import lintslim
from lintslim.context.dockerignore import IgnoreMatcher
from lintslim.context.linear_match import LinearPattern

if sys.version_info >= (3, 11):
    from re import _constants as constants
    from re import _parser as parser
else:  # pragma: no cover
    import sre_constants as constants
    import sre_parse as parser

PACKAGE = Path(lintslim.__file__).parent
ALPHABET = frozenset(map(chr, range(0x180))) | frozenset("\u00a0\u2028\u3000")
REPEATS = (constants.MAX_REPEAT, constants.MIN_REPEAT)
ZERO_WIDTH = (constants.AT, constants.ASSERT, constants.ASSERT_NOT)
CATEGORIES = {
    constants.CATEGORY_DIGIT: r"\d", constants.CATEGORY_NOT_DIGIT: r"\D",
    constants.CATEGORY_SPACE: r"\s", constants.CATEGORY_NOT_SPACE: r"\S",
    constants.CATEGORY_WORD: r"\w", constants.CATEGORY_NOT_WORD: r"\W",
}  # fmt: skip

# Reviewed findings: (where, problem) -> why it is acceptable.  Keep each reason honest and short.
REVIEWED: dict[tuple[str, str], str] = {
    (
        "lintslim.analysis.artifacts._C_COMPILER",
        "adjacent",
    ): "the literal `-linux` between the repeats anchors the split; a near miss costs linear time per start",
    (
        "lintslim.analysis.aws_lambda._HANDLER_WORD",
        "nested",
    ): "each round starts with `.`, `::` or `/`, which `[\\w$-]` cannot take (the analyser wants one character)",
    (
        "lintslim.engine.suppress._HADOLINT",
        "adjacent",
    ): "the last repeat takes whatever the blank run gives back, so the match cannot fail after it",
    (
        "lintslim.syntax.image._PATH_COMPONENT",
        "nested",
    ): "each round starts with a run of `._-`, which `[a-z0-9]` cannot take: one way to split",
    ("base_images.toml:gradle#35:variant", "adjacent"): "fullmatch on an image tag (at most 128 characters)",
}
# Dangerous, measured, in files others own: a change request is filed for each.  xfail(strict): the
# test starts failing once the expression is fixed, so the entry is removed then.
KNOWN_DANGEROUS: dict[str, str] = {}


# --- the analyser -------------------------------------------------------------------------------------


def _chars(op: Any, argument: Any, flags: int) -> frozenset[str]:
    """The characters a single-character item matches (over ALPHABET)."""
    if op is constants.LITERAL:
        found = {chr(argument)}
    elif op is constants.NOT_LITERAL:
        found = set(ALPHABET - {chr(argument)})
    elif op is constants.ANY:
        found = set(ALPHABET if flags & re.DOTALL else ALPHABET - {"\n"})
    else:
        found = _class(argument, flags)
    if flags & re.IGNORECASE:
        found |= {char.swapcase() for char in found}
    return frozenset(found)


def _class(items: list[tuple[Any, Any]], flags: int) -> set[str]:
    negated = bool(items) and items[0][0] is constants.NEGATE
    found: set[str] = set()
    for op, argument in items[1 if negated else 0 :]:
        if op is constants.LITERAL:
            found.add(chr(argument))
        elif op is constants.RANGE:
            found |= {char for char in ALPHABET if argument[0] <= ord(char) <= argument[1]}
        elif op is constants.CATEGORY:
            category = re.compile(CATEGORIES[argument], flags & re.ASCII)
            found |= {char for char in ALPHABET if category.match(char)}
        else:
            found |= ALPHABET  # an item the check does not model: assume the worst
    return set(ALPHABET) - found if negated else found


class Node:
    """What one parse-tree item can match, with the unbounded repeats at its edges and inside it."""

    def __init__(self, op: Any, argument: Any, flags: int) -> None:
        self.op, self.argument = op, argument
        self.children: list[list[Node]] = []  # sequences below (one per alternative)
        if op is constants.SUBPATTERN:
            self.children = [nodes(argument[3], flags | argument[1])]
        elif op is constants.BRANCH:
            self.children = [nodes(alternative, flags) for alternative in argument[1]]
        elif op in REPEATS:
            self.children = [nodes(argument[2], flags)]
        elif op in (constants.ASSERT, constants.ASSERT_NOT):
            self.children = [nodes(argument[1], flags)]
        elif op is constants.ATOMIC_GROUP if hasattr(constants, "ATOMIC_GROUP") else False:
            self.children = [nodes(argument, flags)]
        self.single = (
            _chars(op, argument, flags)
            if op in (constants.LITERAL, constants.NOT_LITERAL, constants.ANY, constants.IN)
            else None
        )

    @property
    def unbounded(self) -> bool:
        return self.op in REPEATS and self.argument[1] == constants.MAXREPEAT

    @property
    def backtracks(self) -> bool:
        """False inside atomic groups and possessive repeats, which never give back what they took."""
        return self.op is not getattr(constants, "ATOMIC_GROUP", None) and self.op is not getattr(
            constants, "POSSESSIVE_REPEAT", None
        )

    @property
    def nullable(self) -> bool:
        if self.op in ZERO_WIDTH or (self.op in REPEATS and self.argument[0] == 0):
            return True
        if self.single is not None:
            return False
        return any(all(node.nullable for node in sequence) for sequence in self.children) if self.children else True

    def chars(self) -> frozenset[str]:
        if self.single is not None:
            return self.single
        if self.op in ZERO_WIDTH:
            return frozenset()
        return frozenset().union(*(node.chars() for sequence in self.children for node in sequence))

    def first(self) -> frozenset[str]:
        if self.single is not None:
            return self.single
        if self.op in ZERO_WIDTH:
            return frozenset()
        return frozenset().union(*(sequence_first(sequence) for sequence in self.children))

    def edge_repeats(self, last: bool) -> list[Node]:
        """Unbounded repeats that can take the first (or last) characters this item matches."""
        if self.unbounded:
            return [self]
        if not self.backtracks or self.op in (constants.ASSERT, constants.ASSERT_NOT) or self.single is not None:
            return []
        found: list[Node] = []
        for sequence in self.children:
            for node in reversed(sequence) if last else sequence:
                found += node.edge_repeats(last)
                if not node.nullable:
                    break
        return found

    def repeats_inside(self) -> list[Node]:
        found = []
        for sequence in self.children:
            for node in sequence:
                if node.unbounded:
                    found.append(node)
                if node.backtracks:
                    found += node.repeats_inside()
        return found


def nodes(items: Any, flags: int) -> list[Node]:
    return [Node(op, argument, flags) for op, argument in items]


def sequence_first(sequence: list[Node]) -> frozenset[str]:
    first: set[str] = set()
    for node in sequence:
        first |= node.first()
        if not node.nullable:
            break
    return frozenset(first)


def problems(pattern: re.Pattern[Any]) -> list[str]:
    """Why `pattern` may backtrack catastrophically on a long near miss (empty when it cannot)."""
    parsed = parser.parse(pattern.pattern, pattern.flags)
    found: list[str] = []
    _check_sequence(nodes(parsed, parsed.state.flags), found)
    return sorted(set(found))


def _check_sequence(sequence: list[Node], found: list[str]) -> None:
    for index, node in enumerate(sequence):
        if node.unbounded and node.backtracks:
            _check_repeat(node, found)
        for child in node.children:
            _check_sequence(child, found)
        _check_adjacent(sequence, index, found)


def _check_repeat(repeat: Node, found: list[str]) -> None:
    body = repeat.children[0]
    alternatives = _alternatives(body)
    inner = repeat.repeats_inside()
    if inner:
        inner_chars = frozenset().union(*(node.chars() for node in inner))
        if not all(_has_separator(alternative, inner_chars) for alternative in alternatives):
            found.append("nested")
    if len(alternatives) > 1:
        firsts = [sequence_first(alternative) for alternative in alternatives]
        if any(firsts[i] & firsts[j] for i in range(len(firsts)) for j in range(i + 1, len(firsts))):
            found.append("alternation")


def _alternatives(body: list[Node]) -> list[list[Node]]:
    """A repeat's body as its alternatives (`(?:a|b)*` has two; anything else is one)."""
    while len(body) == 1 and body[0].op is constants.SUBPATTERN:
        body = body[0].children[0]
    if len(body) == 1 and body[0].op is constants.BRANCH:
        return body[0].children
    return [body]


def _has_separator(sequence: list[Node], inner_chars: frozenset[str]) -> bool:
    """Whether every round must take a character no inner repeat can: then the rounds split one way."""
    return any(node.single is not None and not node.single & inner_chars for node in sequence)


def _check_adjacent(sequence: list[Node], index: int, found: list[str]) -> None:
    """Two unbounded repeats over common characters with only optional items or those characters between."""
    left = sequence[index].edge_repeats(last=True)
    if not left:
        return
    for node in sequence[index + 1 :]:
        for right in node.edge_repeats(last=False):
            if any(repeat.chars() & right.first() for repeat in left):
                found.append("adjacent")
                return
        common = frozenset().union(*(repeat.chars() for repeat in left))
        if not node.nullable and not (node.single is not None and node.single <= common):
            return


# --- collecting the expressions -----------------------------------------------------------------------


def _modules() -> Iterator[Any]:
    for info in pkgutil.walk_packages([str(PACKAGE)], "lintslim."):
        if info.name == "lintslim.__main__":
            continue  # running it is the command line
        try:
            yield importlib.import_module(info.name)
        except ImportError:  # an optional extra (dask) that is not installed
            continue


def _patterns_in(value: Any, depth: int = 0) -> Iterator[re.Pattern[Any]]:
    if isinstance(value, re.Pattern):
        yield value
    elif depth < 3 and isinstance(value, (tuple, list, frozenset, set)):
        for item in value:
            yield from _patterns_in(item, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in value.values():
            yield from _patterns_in(item, depth + 1)


def module_patterns() -> Iterator[tuple[str, re.Pattern[Any]]]:
    for module in _modules():
        for name, value in vars(module).items():
            if isinstance(value, type) and value.__module__ == module.__name__:
                for attribute, member in vars(value).items():
                    for pattern in _patterns_in(member):
                        yield f"{module.__name__}.{name}.{attribute}", pattern
            for pattern in _patterns_in(value):
                yield f"{module.__name__}.{name}", pattern


_FLAG_NAMES = {"A": re.A, "ASCII": re.A, "I": re.I, "IGNORECASE": re.I, "M": re.M, "MULTILINE": re.M}
_FLAG_NAMES |= {"S": re.S, "DOTALL": re.S, "X": re.X, "VERBOSE": re.X}
_RE_FUNCTIONS = ("compile", "match", "search", "sub", "subn", "findall", "finditer", "fullmatch", "split")


def _flags(call: ast.Call) -> int | None:
    """The constant flags of a call (`re.M | re.I`), 0 without any, None when they are computed."""
    argument = next((keyword.value for keyword in call.keywords if keyword.arg == "flags"), None)
    position = 1 if call.func.attr == "compile" else 2 if call.func.attr != "sub" else 3  # type: ignore[attr-defined]
    if argument is None and len(call.args) > position and call.func.attr not in ("sub", "subn"):  # type: ignore[attr-defined]
        argument = call.args[position]
    flags = 0
    for part in ast.walk(argument) if argument is not None else ():
        if isinstance(part, ast.Attribute) and part.attr in _FLAG_NAMES:
            flags |= _FLAG_NAMES[part.attr]
    return flags


def _re_calls() -> Iterator[tuple[str, ast.Call]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in ast.walk(tree):
            function = call.func if isinstance(call, ast.Call) else None
            if (
                isinstance(function, ast.Attribute)
                and function.attr in _RE_FUNCTIONS
                and isinstance(function.value, ast.Name)
                and function.value.id == "re"
                and call.args  # type: ignore[union-attr]
            ):
                yield f"{path.relative_to(PACKAGE.parent).as_posix()}:{call.lineno}", call  # type: ignore[union-attr]


def inline_patterns() -> Iterator[tuple[str, re.Pattern[Any]]]:
    for where, call in _re_calls():
        source = call.args[0]
        if isinstance(source, ast.Constant) and isinstance(source.value, (str, bytes)):
            flags = _flags(call)
            yield where, re.compile(source.value, flags or 0)


def dynamic_calls() -> list[str]:
    """Calls whose expression is not a literal (f-strings, concatenations, names)."""
    found = []
    for where, call in _re_calls():
        source = call.args[0]
        if not (isinstance(source, ast.Constant) and isinstance(source.value, (str, bytes))):
            found.append(f"{where} {ast.unparse(source)[:60]}")
    return found


def data_patterns() -> Iterator[tuple[str, re.Pattern[Any]]]:
    from lintslim.knowledge.images import knowledge_base
    from lintslim.secrets.patterns import token_formats

    for token_format in token_formats():
        yield f"token_formats.toml:{token_format.id}", token_format.regex
    for number, entry in enumerate(knowledge_base().entries):
        for pattern in entry.patterns:
            yield f"base_images.toml:{entry.facts.id}#{number}", pattern
        for variant in entry.variants:
            yield f"base_images.toml:{entry.facts.id}#{number}:variant", variant.pattern


def run_time_patterns() -> Iterator[tuple[str, re.Pattern[Any]]]:
    """The expressions built at run time, built with typical arguments."""
    from lintslim.context import credentials
    from lintslim.rules.secrets import secret_in_arg_env
    from lintslim.syntax import shellwords

    yield "secret_in_arg_env._reference", secret_in_arg_env._reference("NPM_TOKEN")
    for kind, keys in credentials.ASSIGNMENT_KEYS.items():
        yield f"credentials.assignment_line({kind})", credentials.assignment_line(keys)
    for name, pattern in vars(shellwords).items():
        if isinstance(pattern, re.Pattern):
            yield f"shellwords.{name}", pattern


def all_patterns() -> list[tuple[str, re.Pattern[Any]]]:
    seen: set[tuple[str, int]] = set()
    found = []
    for where, pattern in [*module_patterns(), *inline_patterns(), *data_patterns(), *run_time_patterns()]:
        key = (pattern.pattern, pattern.flags)
        if key not in seen:
            seen.add(key)
            found.append((where, pattern))
    return found


ALL = all_patterns()

# Expressions built at run time (file:line of the call, then the expression's source as written),
# each reviewed: how its variable part is bounded.
BUILT_AT_RUN_TIME = {
    "lintslim/rules/hygiene/_stage_helpers.py": "a variable name (`\\w` characters only) spliced in; no nested repeat",
    "lintslim/rules/hygiene/variables.py": "re.escape(name) between fixed parts",
    "lintslim/rules/build/cache_busting_arg.py": "a pattern built from an escaped ARG name",
    "lintslim/analysis/handlers.py": "re.escape(name) or the fixed _IDENT class between fixed parts",
    "lintslim/analysis/artifacts.py": "a fixed character class applied to a target triple",
    "lintslim/knowledge/images.py": "base_images.toml expressions, checked as data here",
    "lintslim/secrets/patterns.py": "token_formats.toml expressions, checked as data here",
    "lintslim/context/dockerignore.py": "ignore patterns; risky ones run on LinearPattern (tested below)",
    "lintslim/context/credentials.py": "built by _assignment_line, checked here with a typical argument",
    "lintslim/rules/secrets/secret_in_arg_env.py": "re.escape(name), checked here through _reference",
    "lintslim/syntax/shellwords.py": "assembled once at import from fixed parts, checked as a module global",
    "lintslim/analysis/aws_lambda.py": "an alternation of escaped package names after a fixed prefix",
    "lintslim/context/linear_match.py": "one fixed class (`\\d`, `\\s`, `\\w` or a negation) per character test",
    "lintslim/knowledge/runtime.py": "fixed parts around a list of suite names; checked as module globals",
}


# --- the tests ------------------------------------------------------------------------------------------


def _cases() -> list[Any]:
    return [
        pytest.param(where, pattern, id=where, marks=pytest.mark.xfail(reason=KNOWN_DANGEROUS[where], strict=True))
        if where in KNOWN_DANGEROUS
        else pytest.param(where, pattern, id=where)
        for where, pattern in ALL
    ]


@pytest.mark.parametrize(("where", "pattern"), _cases())
def test_expression_cannot_backtrack_catastrophically(where: str, pattern: re.Pattern[Any]) -> None:
    unexplained = [problem for problem in problems(pattern) if (where, problem) not in REVIEWED]
    assert unexplained == [], f"{pattern.pattern!r}"


def test_every_expression_built_at_run_time_is_reviewed() -> None:
    unreviewed = [call for call in dynamic_calls() if call.split(":", 1)[0] not in BUILT_AT_RUN_TIME]
    assert unreviewed == []


def test_reviewed_exceptions_still_exist() -> None:
    """An allow-list entry for an expression that is gone or fixed is removed, not kept forever."""
    current = {(where, problem) for where, pattern in ALL for problem in problems(pattern)}
    assert set(REVIEWED) <= current


def test_the_collection_finds_expressions_of_every_kind() -> None:
    places = {where.split(":", 1)[0].split(".")[0] for where, _ in ALL}
    assert {"lintslim", "token_formats", "base_images"} <= places
    assert any(where.endswith(".py:" + where.rsplit(":", 1)[-1]) for where, _ in ALL)  # inline calls
    assert len(ALL) > 150


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (r"(a+)+b", "nested"),
        (r"(\d+\.?)*x", "nested"),
        (r"^(\w+\s?)*$", "nested"),
        (r"(?:ab|\wb)*c", "alternation"),
        (r"(?:a\d|\w1)+!", "alternation"),
        (r"\s*.*\s*$", "adjacent"),
        (r"(\S.*?)\s*$", "adjacent"),
        (r"\d+\d+x", "adjacent"),
        (r"[a-z]*[a-z-]*\d", "adjacent"),
    ],
)
def test_the_analyser_finds_backtracking_shapes(source: str, problem: str) -> None:
    assert problem in problems(re.compile(source))


@pytest.mark.parametrize(
    "source",
    [
        r"(?:\.\d+)*",
        r"(?:x[^x]*)*y",
        r"(?:\s*,\s*\w+)*",
        r"\s*=\s*",
        r"[a-z]+-[0-9]+",
        r"(?:ab|cd)*e",
        r"(?>a+)+b",
        r"\w++\w+",
    ],
)
def test_the_analyser_passes_linear_shapes(source: str) -> None:
    assert problems(re.compile(source)) == []


# --- .dockerignore patterns: user input, turned into expressions ------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("a" + "*a" * 12 + "b", "a" * 80, False),
        ("a" + "*a" * 12 + "b", "a" * 80 + "b", True),
        ("**/" + "*x" * 10 + "y", "d/" + "x" * 80 + "z", False),
        ("x/" + "**/a" * 10 + "b", "x/" + "a/" * 40 + "c", False),
        ("x/" + "**/a" * 3 + "b", "x/a/a/ab", True),
    ],
)
def test_many_star_ignore_patterns_match_a_near_miss_in_linear_time(pattern: str, path: str, expected: bool) -> None:
    """With `re` these took seconds to hours (`a*a*…` is power-of-the-stars backtracking); BuildKit's
    RE2 never does.  No time is asserted: a regression would hang the test (pytest's overall timeout)."""
    matcher = IgnoreMatcher([pattern])
    assert matcher.patterns[0].linear is not None
    assert matcher.excluded(path) is expected


GLOB_PIECES = ["a", "b", "/", "*", "**", "?", "[ab]", "[^a]", "\\*", ".", "[a-c]"]


def _globs() -> Iterator[str]:
    import itertools

    for size in (1, 2, 3):
        for pieces in itertools.product(GLOB_PIECES, repeat=size):
            yield "".join(pieces)


PATHS = ["a", "b", "ab", "a/b", "aa/bb", "a.b", "*", "c/a/b", "ba", "a/", "abc/ab", "a/a/a"]


def test_the_automaton_agrees_with_re_on_translated_globs() -> None:
    from lintslim.context.dockerignore import _translate

    checked = 0
    for glob in _globs():
        _kind, source = _translate(glob)
        automaton = LinearPattern.compile(source, re.ASCII)
        if automaton is None:
            continue
        regex = re.compile(source, re.ASCII)
        for path in PATHS:
            assert automaton.matches(path) == (regex.match(path) is not None), (glob, source, path)
            checked += 1
    assert checked > 10_000


@pytest.mark.parametrize(
    "source",
    [r"a(b|c)*d", r"^x?y+$", r"(ab)+\Z", r"a{2,3}b", r"[^/]*\.py\Z", r"\d+(\.\d+)*", r"(|a)*b", r"(a*)*$"],
)
def test_the_automaton_agrees_with_re(source: str) -> None:
    automaton = LinearPattern.compile(source)
    assert automaton is not None
    regex = re.compile(source)
    for text in ["", "a", "ad", "abcbd", "xy", "yyy", "abab", "aab", "aaab", "f.py", "d/f.py", "1.2.3", "b", "aa\n"]:
        assert automaton.matches(text) == (regex.match(text) is not None), text


def test_the_automaton_leaves_what_it_does_not_model_to_re() -> None:
    assert LinearPattern.compile(r"(a)\1") is None
    assert LinearPattern.compile(r"a(?=b)") is None
    assert LinearPattern.compile(r"\bword") is None

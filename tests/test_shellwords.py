"""Conformance tests for `lintslim.syntax.shellwords` against BuildKit's own shell-lexer tables.

The tables are BuildKit's `frontend/dockerfile/shell/envVarTest` and `wordsTest` (moby/buildkit, the
commit named in `buildkit-parser-testfiles/SOURCE.txt`), copied to
`/work/shared/buildkit-parser-testfiles/_shell/`.  They are read the way BuildKit's
`frontend/dockerfile/shell/lex_test.go` reads them:

* `TestShellParser4EnvVars` runs every `envVarTest` line through `ProcessWord` with the environment
  `PWD=/home`, `SHELL=bash`, `KOREAN=한국어`, `NULL=` (empty value), written in lex_test.go as
  `envs := []string{"PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL="}`.  Lines starting with `#` are
  skipped before trimming, then the line is trimmed, blank lines are skipped, the three `|` fields are
  trimmed, and `error` means an error is expected.  `U` and `A` lines run on Unix, `W` and `A` lines
  on Windows, where `EqualEnvKeys` compares names case-insensitively; so `A` lines are checked here in
  both modes.
* `TestShellParser4Words` runs `wordsTest` through `ProcessWords`.  `ENV k=v` lines append `k=v`
  (everything after `ENV`, left-trimmed, trailing spaces kept) to the environment for the following
  lines; a later key wins (`BuildEnvs`).  The input field is trimmed, the expected field is only
  left-trimmed (trailing spaces matter) and split on `,`; a failing call counts as the single word
  `error`.  Lines starting with `#` are skipped.  (The Go test loops over a second mode with
  `RawQuotes`/`SkipUnsetEnv`, but it reuses the already exhausted file, so only the normal mode
  ever runs; these tables say nothing about that mode.)
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

if importlib.util.find_spec("lintslim") is None:  # pragma: no cover - depends on how pytest is run
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lintslim.syntax.shellwords import (
    Expansion,
    ShellWordError,
    process_word,
    process_words,
    referenced_variables,
)

SHELL_TABLES = Path(__file__).resolve().parents[2] / "shared" / "buildkit-parser-testfiles" / "_shell"

if not SHELL_TABLES.is_dir():
    pytest.skip(
        f"BuildKit shell conformance tables not found at {SHELL_TABLES} (../shared is absent)",
        allow_module_level=True,
    )

# Go's unicode.IsSpace, which strings.TrimSpace uses (str.strip() would also remove U+001C..U+001F).
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)

# From lex_test.go, TestShellParser4EnvVars.
ENV_VAR_TEST_ENV: Mapping[str, str] = {"PWD": "/home", "SHELL": "bash", "KOREAN": "한국어", "NULL": ""}


def go_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Lines as bufio.Scanner's ScanLines yields them (split on \\n, one trailing \\r dropped)."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        yield number, line.removesuffix("\r")


def build_envs(entries: list[str]) -> dict[str, str]:
    """BuildKit's BuildEnvs: split at the first `=`, no `=` means an empty value, later wins."""
    envs: dict[str, str] = {}
    for entry in entries:
        key, _, value = entry.partition("=")
        envs[key] = value
    return envs


class EnvVarCase(NamedTuple):
    line: int
    platform: str
    source: str
    expected: str
    case_insensitive: bool


class WordsCase(NamedTuple):
    line: int
    source: str
    expected: tuple[str, ...]
    env: dict[str, str]


def load_env_var_cases() -> list[EnvVarCase]:
    cases: list[EnvVarCase] = []
    path = SHELL_TABLES / "envVarTest"
    for number, raw in go_lines(path):
        if raw.startswith("#"):
            continue
        line = raw.strip(GO_SPACE)
        if not line:
            continue
        fields = line.split("|")
        if len(fields) != 3:
            raise AssertionError(f"{path}:{number}: expected 3 fields, got {line!r}")
        platform, source, expected = (field.strip(GO_SPACE) for field in fields)
        if platform not in ("A", "U", "W"):
            raise AssertionError(f"{path}:{number}: invalid platform tag {platform!r}")
        if platform in ("A", "U"):
            cases.append(EnvVarCase(number, platform, source, expected, case_insensitive=False))
        if platform in ("A", "W"):
            cases.append(EnvVarCase(number, platform, source, expected, case_insensitive=True))
    return cases


def load_words_cases() -> list[WordsCase]:
    cases: list[WordsCase] = []
    path = SHELL_TABLES / "wordsTest"
    env_entries: list[str] = []
    for number, line in go_lines(path):
        if line.startswith("#"):
            continue
        if line.startswith("ENV "):
            env_entries.append(line[3:].lstrip(" "))
            continue
        fields = line.split("|")
        if len(fields) != 2:
            raise AssertionError(f"{path}:{number}: expected exactly one '|' in {line!r}")
        source = fields[0].strip(GO_SPACE)
        expected = tuple(fields[1].lstrip(" ").split(","))
        cases.append(WordsCase(number, source, expected, build_envs(env_entries)))
    return cases


ENV_VAR_CASES = load_env_var_cases()
WORDS_CASES = load_words_cases()


def env_var_id(case: EnvVarCase) -> str:
    return f"L{case.line}-{case.platform}-{'windows' if case.case_insensitive else 'unix'}"


def test_tables_were_read() -> None:
    assert len(ENV_VAR_CASES) > 200
    assert len(WORDS_CASES) >= 20
    assert any(case.case_insensitive for case in ENV_VAR_CASES)
    # The trailing-space case survives the parsing of both ENV and expected fields.
    assert any(case.expected == ("helloab c   ",) for case in WORDS_CASES)


@pytest.mark.parametrize("case", ENV_VAR_CASES, ids=env_var_id)
def test_env_var_table(case: EnvVarCase) -> None:
    if case.expected == "error":
        with pytest.raises(ShellWordError):
            process_word(case.source, ENV_VAR_TEST_ENV, case_insensitive=case.case_insensitive)
    else:
        result = process_word(case.source, ENV_VAR_TEST_ENV, case_insensitive=case.case_insensitive)
        assert result.value == case.expected


@pytest.mark.parametrize("case", WORDS_CASES, ids=lambda case: f"L{case.line}")
def test_words_table(case: WordsCase) -> None:
    if case.expected == ("error",):
        with pytest.raises(ShellWordError):
            process_words(case.source, case.env)
    else:
        assert process_words(case.source, case.env).words == case.expected


# --------------------------------------------------------------------------------------------------
# BuildKit's TestProcessWithMatches cases (lex_test.go), with its Matched/Unmatched maps expressed as
# `used - unset` and `unset`.


class MatchCase(NamedTuple):
    source: str
    env: dict[str, str]
    expected: str | None  # None: an error is expected
    matched: frozenset[str] = frozenset()
    unmatched: frozenset[str] = frozenset()


def names(*items: str) -> frozenset[str]:
    return frozenset(items)


FOO_BAR = {"FOO": "xxx", "BAR": ""}

MATCH_CASES = [
    MatchCase("x", {"DUMMY": "dummy"}, "x"),
    MatchCase("x ${UNUSED}", {"DUMMY": "dummy"}, "x ", unmatched=names("UNUSED")),
    MatchCase("x ${FOO}", {"FOO": "y"}, "x y", matched=names("FOO")),
    MatchCase("${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", FOO_BAR, "xxx  ccc", names("FOO", "BAR"), names("BAZ")),
    MatchCase("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", FOO_BAR, "xxx bbb ccc", names("FOO", "BAR"), names("BAZ")),
    MatchCase("${FOO:-}", FOO_BAR, "xxx", names("FOO")),
    MatchCase("${FOO:-}", {}, "", unmatched=names("FOO")),
    MatchCase("${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", FOO_BAR, "aaa bbb ", names("FOO", "BAR"), names("BAZ")),
    MatchCase("${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", FOO_BAR, "aaa  ", names("FOO", "BAR"), names("BAZ")),
    MatchCase("${FOO?aaa}", FOO_BAR, "xxx", names("FOO")),
    MatchCase("${BAR?bbb}", FOO_BAR, "", names("BAR")),
    MatchCase("${BAZ?ccc}", FOO_BAR, None),
    MatchCase("${FOO:?aaa}", FOO_BAR, "xxx", names("FOO")),
    MatchCase("${BAR:?bbb}", FOO_BAR, None),
    MatchCase("${BAZ:?ccc}", FOO_BAR, None),
    MatchCase("${BAZ:?}", FOO_BAR, None),
    MatchCase("${FOO=aaa}", FOO_BAR, None),
    MatchCase("${FOO=:aaa}", FOO_BAR, None),
    MatchCase("${FOO=}", {}, None),
    MatchCase("${FOO#()[]{\\}^$.\\*\\?|\\\\}", {"FOO": "()[]{}^$.*?|\\x"}, "x", names("FOO")),
    MatchCase("${FOO%%\\**}", {"FOO": "xx**"}, "xx", names("FOO")),
    MatchCase("${FOO#*x*y}", {"FOO": "xxyy"}, "y", names("FOO")),
    MatchCase("${FOO#*}", {"FOO": "xxyy"}, "xxyy", names("FOO")),
    MatchCase("${FOO#$BAR}", {"FOO": "xxyy", "BAR": "x"}, "xyy", names("FOO", "BAR")),
    MatchCase("${FOO#$BAR}", {"FOO": "xxyy", "BAR": ""}, "xxyy", names("FOO", "BAR")),
    MatchCase("${FOO#}", {"FOO": "xxyy"}, "xxyy", names("FOO")),
    MatchCase("${FOO##*x}", {"FOO": "xxyy"}, "yy", names("FOO")),
    MatchCase("${FOO##}", {"FOO": "xxyy"}, "xxyy", names("FOO")),
    MatchCase("${FOO#?\\?}", {"FOO": "???y"}, "?y", names("FOO")),
    MatchCase("${ABC:-.}${FOO%x}${ABC:-.}", {"FOO": "xxyy"}, ".xxyy.", names("FOO"), names("ABC")),
    MatchCase("${FOO%%\\**\\*}", {"FOO": "a***yy*"}, "a", names("FOO")),
    MatchCase("${FOO%}", {"FOO": "xxyy"}, "xxyy", names("FOO")),
    MatchCase("${FOO%%$BAR}", {"FOO": "xxyy", "BAR": ""}, "xxyy", names("FOO", "BAR")),
    MatchCase(
        "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
        {"FOO": "/foo*/*/*.txt", "NEEDLE": "\\*/"},
        "/foo.*/*.txt - /foo..*.txt",
        names("FOO", "NEEDLE"),
    ),
    MatchCase(
        "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
        {"FOO": "/tmp/tmp/bar.txt", "NEEDLE": "/tmp"},
        "/tmp/bar.txt - /bar.txt",
        names("FOO", "NEEDLE"),
    ),
    MatchCase(
        "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
        {"FOO": "/a/foo/b/c.txt", "NEEDLE": "/?/", "REPLACEMENT": "/"},
        "/foo/b/c.txt - /foo/c.txt",
        names("FOO", "NEEDLE", "REPLACEMENT"),
    ),
    MatchCase(
        "${FOO/$NEEDLE/$REPLACEMENT}",
        {"FOO": "http://google.de", "NEEDLE": "http://", "REPLACEMENT": "https://"},
        "https://google.de",
        names("FOO", "NEEDLE", "REPLACEMENT"),
    ),
    MatchCase("${FOO//\\//\\/}", {"FOO": "/tmp/foo.txt"}, "\\/tmp\\/foo.txt", names("FOO")),
    MatchCase("${FOO/$BAR/ww}", {"FOO": "xxyy", "BAR": ""}, "wwxxyy", names("FOO", "BAR")),
    MatchCase("${FOO//ww}", {"FOO": "xxyy"}, None),
    MatchCase("${FOO//}", {"FOO": "xxyy"}, None),
    MatchCase("${FOO///}", {"FOO": "xxyy"}, "xxyy", names("FOO")),
    MatchCase("${FOO///}", {}, "", unmatched=names("FOO")),
]


@pytest.mark.parametrize("case", MATCH_CASES, ids=[f"{i}:{c.source}" for i, c in enumerate(MATCH_CASES)])
def test_buildkit_process_with_matches(case: MatchCase) -> None:
    if case.expected is None:
        with pytest.raises(ShellWordError):
            process_word(case.source, case.env)
        return
    result = process_word(case.source, case.env)
    assert result.value == case.expected
    assert result.used - result.unset == case.matched
    assert result.unset == case.unmatched


def test_buildkit_platform_release_name() -> None:
    release = "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz"
    base = {"VERSION": "v1.2.3", "TARGETOS": "linux"}
    assert process_word(release, base | {"TARGETARCH": "arm", "TARGETVARIANT": "v7"}).value == (
        "something-v1.2.3.linux-arm-v7.tar.gz"
    )
    assert process_word(release, base | {"TARGETARCH": "arm64", "TARGETVARIANT": ""}).value == (
        "something-v1.2.3.linux-arm64.tar.gz"
    )
    assert process_word(release, base | {"TARGETARCH": "arm64"}).value == "something-v1.2.3.linux-arm64.tar.gz"


def test_buildkit_mandatory_env_vars() -> None:
    no_empty = "${VAR:?message here$ARG}"
    no_unset = "${VAR?message here$ARG}"
    set_env = {"VAR": "plain", "ARG": "x"}
    empty_env = {"VAR": "", "ARG": "x"}
    unset_env = {"ARG": "x"}

    assert process_word(no_empty, set_env).value == "plain"
    with pytest.raises(ShellWordError, match="message herex"):
        process_word(no_empty, empty_env)
    with pytest.raises(ShellWordError, match="message herex"):
        process_word(no_empty, unset_env)

    assert process_word(no_unset, set_env).value == "plain"
    assert process_word(no_unset, empty_env).value == ""
    with pytest.raises(ShellWordError, match="message herex"):
        process_word(no_unset, unset_env)


# --------------------------------------------------------------------------------------------------
# our own API


def test_name_sets() -> None:
    env = {"SET": "1", "EMPTY": ""}
    result = process_word("${FOO:-a} $BAR ${BAZ+x} ${SET} ${EMPTY:-d} ${QUX#x}", env)
    assert result.value == "a   1 d "
    assert result.used == names("FOO", "BAR", "BAZ", "SET", "EMPTY", "QUX")
    assert result.unset == names("FOO", "BAR", "BAZ", "QUX")
    assert result.unset_without_default == names("BAR", "QUX")


def test_unset_without_default_when_also_referenced_plainly() -> None:
    result = process_word("${FOO:-a}/$FOO", {})
    assert result.unset == names("FOO")
    assert result.unset_without_default == names("FOO")


def test_nested_references_are_all_looked_up() -> None:
    # The default is evaluated even though A is set, so B is still reported.
    result = process_word("${A:-${B}}", {"A": "a"})
    assert result.value == "a"
    assert result.used == names("A", "B")
    assert result.unset == names("B")
    assert result.unset_without_default == names("B")


def test_positional_and_special_parameters_are_reported_like_buildkit() -> None:
    result = process_word("$1${@}x", {})
    assert result.value == "x"
    assert result.unset == names("1", "@")


def test_words_field() -> None:
    env = {"V": "a  b"}
    single = process_word("x $V", env)
    assert single == Expansion("x a  b", ("x a  b",), names("V"), frozenset(), frozenset())
    split = process_words('x $V "c  d" \'\' ""', env)
    assert split.words == ("x", "a", "b", "c  d")
    assert split.value == "x a  b c  d  "


def test_quotes_in_operands_do_not_protect_from_splitting() -> None:
    assert process_words('${X:-"a b"}', {}).words == ("a", "b")
    assert process_words('"${X:-a b}"', {}).words == ("a b",)


def test_expansion_is_frozen() -> None:
    result = process_word("x", {})
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.value = "y"  # type: ignore[misc]


def test_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="failed to process"):
        process_word("'unterminated", {})


def test_escape_must_be_one_character() -> None:
    with pytest.raises(ValueError, match="single character"):
        process_word("x", {}, escape="ab")


def test_case_insensitive_lookup() -> None:
    env = {"Path": "C:\\bin"}
    insensitive = process_word("$PATH;${path:-none}", env, case_insensitive=True)
    assert insensitive.value == "C:\\bin;C:\\bin"
    assert insensitive.used == names("PATH", "path")
    assert insensitive.unset == frozenset()
    sensitive = process_word("$PATH;${path:-none}", env)
    assert sensitive.value == ";none"
    assert sensitive.unset == names("PATH", "path")


def test_case_insensitive_prefers_exact_key() -> None:
    env = {"foo": "lower", "FOO": "upper"}
    assert process_word("$FOO $foo $Foo", env, case_insensitive=True).value == "upper lower lower"


def test_replace_all_follows_go_regexp_rules() -> None:
    # Go's ReplaceAllString skips an empty match right after a match (re.sub would give "xx"),
    # and expands $0 / ${0} in the replacement to the whole match; a single replacement is literal.
    assert process_word("${V//*/x}", {"V": "abc"}).value == "x"
    assert process_word("${V//o/'[$0]'}", {"V": "foo"}).value == "f[o][o]"
    assert process_word("${V//o/'[${0}$1$$]'}", {"V": "foo"}).value == "f[o$][o$]"
    assert process_word("${V/o/'[$0]'}", {"V": "foo"}).value == "f[$0]o"


def test_suffix_patterns() -> None:
    env = {"F": "archive.tar.gz"}
    assert process_word("${F%.*}", env).value == "archive.tar"
    assert process_word("${F%%.*}", env).value == "archive"
    assert process_word("${F#*.}", env).value == "tar.gz"
    assert process_word("${F##*.}", env).value == "gz"


def test_escapes_are_kept_for_patterns() -> None:
    # Inside #/%// operands the escape token stays in front of the next character so that the glob
    # compiler sees it; inside double quotes there, an escape before an ordinary character ends up
    # doubled, i.e. a literal backslash in the pattern.
    assert process_word('${X#"\\a"}', {"X": "\\abc"}).value == "bc"
    assert process_word("${X#\\*}", {"X": "*abc"}).value == "abc"
    assert process_word("${X%\\}}", {"X": "ab}"}).value == "ab"


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    word = "${A:-" * 2000 + "}" * 2000
    with pytest.raises(ShellWordError, match="nested too deeply"):
        process_word(word, {})
    assert process_word("${A:-" * 100 + "x" + "}" * 100, {}).value == "x"


def test_invalid_pattern_escape() -> None:
    with pytest.raises(ShellWordError, match="invalid pattern"):
        process_word("${F#\\x}", {"F": "x"})


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("he`$PWD", "he$PWD"),
        ("he``$PWD", "he`/home"),
        ("C:\\dir\\$PWD", "C:\\dir\\/home"),
        ('"a`"b"', 'a"b'),
        ('"a`$PWD"', "a$PWD"),
        ('"a``b"', "a`b"),
        ('"a`tb"', "a`tb"),
        ('"a\\tb"', "a\\tb"),
        ("abc`", "abc"),
        ("'`$PWD'", "`$PWD"),
    ],
)
def test_backtick_escape(word: str, expected: str) -> None:
    assert process_word(word, {"PWD": "/home"}, escape="`").value == expected


def test_backtick_escape_splitting() -> None:
    assert process_words("a` b c\\ d", {}, escape="`").words == ("a b", "c\\", "d")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("plain", set()),
        ("$A ${B} ${C:-$D} ${E#$F} ${G/$H/$I} ${J:+${K:-$L}}", set("ABCDEFGHIJKL")),
        ("'$no' \\$no2 \"$yes\"", {"yes"}),
        ("$1 $@ x$", {"1", "@"}),
        # Malformed input: best effort, never an exception.
        ('"$A', {"A"}),
        ("'$no", set()),
        ("${A:-$B", {"A", "B"}),
        ("${A", {"A"}),
        ("${A:?}$B", {"A", "B"}),
        ("${}$A", {"A"}),
        ("${{A}$B", {"B"}),
        ("${A=$B}$C", {"A", "B", "C"}),
        ("${A#\\x}$B", {"A", "B"}),
        ("${A:YY}$B", {"A", "B"}),
        ("$" + "{A:-" * 2000, {"A"}),
    ],
)
def test_referenced_variables(word: str, expected: set[str]) -> None:
    assert referenced_variables(word) == frozenset(expected)


def test_referenced_variables_backtick() -> None:
    assert referenced_variables("`$A $B \\$C", escape="`") == names("B", "C")
    assert referenced_variables("`$A $B \\$C") == names("A", "B")

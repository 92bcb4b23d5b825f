"""`.dockerignore` exactly as BuildKit reads and applies it (on Linux).

Reading (moby/patternmatcher `ignorefile.ReadAll`): a UTF-8 BOM is dropped; a line is a comment only
when `#` is its very first character; lines are trimmed and blank ones skipped; `!` marks an
exception (re-include) and is trimmed after too; each pattern is `filepath.Clean`ed and one leading
`/` dropped, so `/foo` and `./foo` both mean `foo`.

Matching (patternmatcher `New` and `MatchesUsingParentResults`, which fsutil's context walk uses):
every pattern must be a valid `filepath.Match` pattern, else the build fails.  `*` and `?` never
cross `/`; `**` matches any number of directories (`**/x` also matches `x` at the top); `dir/**`
matches everything under `dir`.  Patterns are tried in order and the last one that matches decides
(`!` re-includes).  A path is also matched by a pattern that matched one of its parent directories,
so `docs` excludes `docs/a/b`, and `!docs/README.md` after it brings that one file back.  `\\` is an
escape character, never a separator: Windows-style patterns do not match what they mean on Windows.
"""

from __future__ import annotations

import enum
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lintslim.context.gopath import BadPattern, clean, has_wildcards, validate

if TYPE_CHECKING:  # the automaton loads only for patterns that need it
    from lintslim.context.linear_match import LinearPattern

BOM = "\ufeff"
# Go's unicode.IsSpace: what strings.TrimSpace removes (str.strip would also remove \x1c-\x1f)
_GO_SPACE = " \t\n\v\f\r\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
_REGEX_ESCAPED = frozenset(".+()|{}$")  # regexp characters that mean nothing to filepath.Match
# Escapes that mean the same in Go's RE2 and in Python's `re` (with re.ASCII).  Patternmatcher
# passes `\x` straight into its regexp, so `\d` is a digit class there; other letter and digit
# escapes are RE2 syntax Python lacks (or errors in both), and are refused.
_SHARED_REGEX_ESCAPES = frozenset("dDsSwWbBAfnrtv")
_CACHE_LIMIT = 200_000
# From three `*`/`**` on, `re` can take seconds on one path name (`a*a*a*a*a*a*a*a*b` against `aaa…a`,
# a time growing as the name's length to the power of the stars); BuildKit's RE2 cannot.  Such
# patterns are matched by a linear automaton instead.
RISKY_REPEATS = 3
_STAR_RUNS = re.compile(r"\*+")


class IgnoreError(ValueError):
    """An ignore file BuildKit rejects: the build fails before any instruction runs."""


class MatchKind(enum.Enum):
    EXACT = "exact"
    PREFIX = "prefix"  # `dir/**`
    SUFFIX = "suffix"  # `**/name`
    REGEX = "regex"


def _linear_if_risky(text: str, source: str) -> LinearPattern | None:
    """The automaton for a translated pattern `re` could backtrack on for long, else None.

    Only stars become unbounded repeats, at most one per two stars of a run (`**/` is one `(.*/)?`),
    so most patterns are told apart without loading the automaton's module.
    """
    if sum((len(run) + 1) // 2 for run in _STAR_RUNS.findall(text)) < RISKY_REPEATS:
        return None
    from lintslim.context.linear_match import LinearPattern, unbounded_repeats

    if unbounded_repeats(source, re.ASCII) < RISKY_REPEATS:
        return None
    return LinearPattern.compile(source, re.ASCII)


@dataclass(frozen=True)
class IgnorePattern:
    """One cleaned pattern; `exception` for a `!` line."""

    text: str
    exception: bool
    kind: MatchKind
    regex: re.Pattern[str] | None = None
    # the same expression as an automaton, when `re` could backtrack for long (see linear_match)
    linear: LinearPattern | None = None

    @classmethod
    def compile(cls, text: str, exception: bool) -> IgnorePattern:
        kind, source = _translate(text)
        if kind is not MatchKind.REGEX:
            return cls(text, exception, kind)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # `[*]` becomes `[[^/]*]`: a "nested set" to Python, valid to RE2
                regex = re.compile(source, re.ASCII)
                linear = _linear_if_risky(text, source)
        except re.error:
            raise IgnoreError(f"invalid pattern {text!r}") from None
        return cls(text, exception, kind, regex, linear)

    def matches(self, path: str) -> bool:
        """Whether the pattern matches `path` itself (a clean, relative, slash-separated path)."""
        if self.kind is MatchKind.EXACT:
            return path == self.text
        if self.kind is MatchKind.PREFIX:
            return path.startswith(self.text[:-2])
        if self.kind is MatchKind.SUFFIX:
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
        if self.linear is not None:
            return self.linear.matches(path)
        assert self.regex is not None
        return self.regex.match(path) is not None

    @property
    def is_plain_path(self) -> bool:
        return not has_wildcards(self.text) and "\\" not in self.text


def _translate(pattern: str) -> tuple[MatchKind, str]:
    """Patternmatcher's compile step: the match kind, and a regular expression for REGEX patterns."""
    kind = MatchKind.EXACT
    parts: list[str] = []
    position = 0
    for step in range(len(pattern)):
        if position >= len(pattern):
            break
        char = pattern[position]
        position += 1
        if char == "*" and pattern[position : position + 1] == "*":
            position += 1
            if pattern[position : position + 1] == "/":
                position += 1  # `**/` acts as `**`
            if position >= len(pattern):
                if kind is MatchKind.EXACT:
                    kind = MatchKind.PREFIX
                else:
                    parts.append(".*")
                    kind = MatchKind.REGEX
            else:
                parts.append("(.*/)?")
                kind = MatchKind.REGEX
            if step == 0:
                kind = MatchKind.SUFFIX
        elif char == "*":
            parts.append("[^/]*")
            kind = MatchKind.REGEX
        elif char == "?":
            parts.append("[^/]")
            kind = MatchKind.REGEX
        elif char in _REGEX_ESCAPED:
            parts.append("\\" + char)
        elif char == "\\":
            if position < len(pattern):
                parts.append(_escape(pattern[position], pattern))
                position += 1
                kind = MatchKind.REGEX
            else:
                parts.append("\\\\")
        elif char in "[]":
            parts.append(char)
            kind = MatchKind.REGEX
        else:
            parts.append(char)
    return kind, "^" + "".join(parts) + r"\Z"


def _escape(char: str, pattern: str) -> str:
    if not char.isascii() or not char.isalnum():
        return "\\" + char
    if char in _SHARED_REGEX_ESCAPES:
        return "\\" + char
    raise IgnoreError(f"invalid pattern {pattern!r}: `\\{char}` is not supported")


def read_patterns(text: str) -> list[str]:
    """The patterns of an ignore file, in order, as `ignorefile.ReadAll` returns them."""
    patterns: list[str] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline ends the last line; it does not start an empty one
    for number, raw in enumerate(lines):
        line = raw[:-1] if raw.endswith("\r") else raw
        if number == 0 and line.startswith(BOM):
            line = line[len(BOM) :]
        if line.startswith("#"):
            continue
        pattern = line.strip(_GO_SPACE)
        if not pattern:
            continue
        exception = pattern.startswith("!")
        if exception:
            pattern = pattern[1:].strip(_GO_SPACE)
        if pattern:
            pattern = clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        patterns.append("!" + pattern if exception else pattern)
    return patterns


class IgnoreMatcher:
    """Decides which context paths an ignore file excludes.  Raises IgnoreError for a bad pattern."""

    def __init__(self, patterns: Sequence[str]) -> None:
        compiled: list[IgnorePattern] = []
        for raw in patterns:
            pattern = raw.strip(_GO_SPACE)
            if not pattern:
                continue
            pattern = clean(pattern)
            exception = pattern.startswith("!")
            if exception:
                if len(pattern) == 1:
                    raise IgnoreError('illegal exclusion pattern: "!"')
                pattern = pattern[1:]
            try:
                validate(pattern)
            except BadPattern as error:
                raise IgnoreError(str(error)) from None
            compiled.append(IgnorePattern.compile(pattern, exception))
        self.patterns: tuple[IgnorePattern, ...] = tuple(compiled)
        # per-path results, which children start from (as in fsutil's walk)
        self._directories: dict[str, tuple[bool, tuple[bool, ...]]] = {}

    @classmethod
    def parse(cls, text: str) -> IgnoreMatcher:
        return cls(read_patterns(text))

    def excluded(self, path: str) -> bool:
        """True when the build context leaves `path` out (relative to the context, `/`-separated)."""
        normalized = clean("/" + path)[1:]
        if not normalized or not self.patterns:
            return False  # the context root itself is never excluded
        return self._evaluate(normalized)[0]

    def included(self, path: str) -> bool:
        return not self.excluded(path)

    def may_include_under(self, directory: str) -> bool:
        """Whether an exception could bring back something below an excluded `directory`.

        fsutil skips an excluded directory unless some exception pattern starts with its path (or
        any exception has wildcards); the walk in `build_context` does the same.
        """
        exceptions = [pattern for pattern in self.patterns if pattern.exception]
        if not exceptions:
            return False
        if not all(pattern.is_plain_path for pattern in exceptions):
            return True
        prefix = directory.rstrip("/") + "/"
        return any((pattern.text + "/").startswith(prefix) for pattern in exceptions)

    def _evaluate(self, path: str) -> tuple[bool, tuple[bool, ...]]:
        cached = self._directories.get(path)
        if cached is not None:
            return cached
        parent_path, slash, _ = path.rpartition("/")
        parent = self._evaluate(parent_path)[1] if slash else None
        result = self._match(path, parent)
        if len(self._directories) >= _CACHE_LIMIT:
            self._directories.clear()  # bounded memory on huge contexts; results are recomputed
        self._directories[path] = result
        return result

    def _match(self, path: str, parent: tuple[bool, ...] | None) -> tuple[bool, tuple[bool, ...]]:
        """`MatchesUsingParentResults`: a pattern that matched the parent matches the child."""
        matched = False
        results: list[bool] = []
        for index, pattern in enumerate(self.patterns):
            hit = parent[index] if parent is not None else False
            if not hit:
                if pattern.exception != matched:
                    results.append(False)  # cannot change the outcome: not evaluated
                    continue
                hit = pattern.matches(path)
            results.append(hit)
            if hit:
                matched = not pattern.exception
        return matched, tuple(results)

"""Word expansion for Dockerfile instruction arguments, as BuildKit performs it.

BuildKit's Dockerfile frontend does not run a shell on instruction arguments (ENV, ARG, COPY, WORKDIR,
...).  It runs its own small lexer (``frontend/dockerfile/shell/lex.go`` in moby/buildkit) that removes
quotes, handles the escape token and expands variables.  This module reimplements that behaviour so
the linter sees exactly the words BuildKit would see.  It was written from a study of that lexer's
behaviour and BuildKit's conformance tables (``envVarTest``, ``wordsTest``, ``lex_test.go``); it is
not a line-by-line translation.

The rules, in short:

* The escape token (``\\`` by default, or a backtick when the Dockerfile says ``# escape=```) makes
  the next character literal.  At the very end of the word it is dropped.
* ``'...'`` is literal.  An unterminated quote is an error.
* In ``"..."`` variables are expanded, and the escape token only escapes ``"``, ``$`` and itself;
  before any other character it stays literally.
* ``$name`` and ``${name}`` expand; names are letters, digits and ``_`` (Unicode letters count).
  ``$1``/``$001`` (a run of digits) and the special parameters ``@ * # ? - $ ! 0`` are parsed as
  names that are never set in practice, so they expand to the empty string.  A ``$`` not followed by
  a name stays literal (``$.`` is ``$.``).
* Operators: ``${n:-w}``/``${n-w}`` (default), ``${n:+w}``/``${n+w}`` (alternative), ``${n:?m}``/
  ``${n?m}`` (error if unset, with ``:`` also if empty), ``${n#p}``/``${n##p}`` (strip shortest/longest
  prefix), ``${n%p}``/``${n%%p}`` (suffix), ``${n/p/r}``/``${n//p/r}`` (replace first/all).  Patterns
  are globs with ``*`` and ``?`` only (no brackets); ``\\*``, ``\\?`` and ``\\\\`` are literal and
  ``\\}``/``\\/`` let those characters appear in the pattern.  The inner words are expanded
  recursively (``${a:-${b:-x}}``), and every nested reference is evaluated even when the operator
  does not need it, so every variable named in a word is looked up.
* Word splitting (``process_words``) happens on unquoted, unescaped whitespace, including whitespace
  that comes out of an unquoted expansion.  Quotes inside an operator's word do not protect it:
  ``${x:-"a b"}`` still yields two words when ``x`` is unset, exactly as in BuildKit.
* ``case_insensitive=True`` is BuildKit on Windows: names match keys by simple case folding.

Points where this module has to choose because BuildKit's result is not defined:

* With ``case_insensitive=True`` and several keys that fold to the same name, BuildKit picks one at
  random (Go map order).  Here an exact match wins, otherwise the first folding match in the
  mapping's iteration order.
* The reported name sets leave out the empty name that BuildKit records for inputs such as
  ``${+x}``; the expansion itself is the same.
* Nesting deeper than Python's recursion limit allows (a couple of hundred ``${a:-${...}}`` levels)
  is reported as a `ShellWordError` instead of being expanded.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = [
    "Expansion",
    "ShellWordError",
    "process_word",
    "process_words",
    "referenced_variables",
]

# Go's unicode.IsSpace: the Unicode White_Space property.  Python's str.isspace() differs (it also
# accepts the ASCII separators U+001C..U+001F), so the set is spelled out.
_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)

# Special parameters of POSIX sh (a single character after `$`).  `0` is listed for completeness;
# it is already taken by the digit rule.
_SPECIAL_PARAMS = frozenset("@*#?-$!0")

# The characters that may follow the escape token inside double quotes and lose it.
_DQUOTE_ESCAPABLE = ('"', "$")

# A byte order mark at the very start of the text is skipped by BuildKit's scanner.
_BOM = "\ufeff"

_EOF = ""


class ShellWordError(ValueError):
    """The word cannot be processed: unterminated quote, bad ``${...}``, ``${x:?msg}`` with x unset, ..."""


@dataclass(frozen=True, slots=True)
class Expansion:
    """The result of processing one word.

    ``value`` is the expanded text with quotes and escapes removed.  ``words`` is the word-split result
    for `process_words` and ``(value,)`` for `process_word`.  ``used`` holds every variable name that
    was looked up (set or not), ``unset`` the ones that were not in the environment, and
    ``unset_without_default`` the unset ones referenced at least once without a ``-``/``+`` operator
    (``${x:-d}``, ``${x+alt}``) that deals with the unset case.
    """

    value: str
    words: tuple[str, ...]
    used: frozenset[str]
    unset: frozenset[str]
    unset_without_default: frozenset[str]


# --------------------------------------------------------------------------------------------------
# character classes (Go's unicode package)


def _is_letter(ch: str) -> bool:
    if ch.isascii():
        return ch.isalpha()
    return unicodedata.category(ch).startswith("L")


def _is_digit(ch: str) -> bool:
    if ch.isascii():
        return "0" <= ch <= "9"
    return unicodedata.category(ch) == "Nd"


def _is_name_char(ch: str) -> bool:
    return ch == "_" or _is_letter(ch) or _is_digit(ch)


def _fold_char(ch: str) -> str:
    """A representative of `ch`'s simple case-folding class (Go's strings.EqualFold works per rune)."""
    folded = ch.casefold()
    if len(folded) == 1:
        return folded
    lowered = ch.lower()
    return lowered if len(lowered) == 1 else ch


def _fold(name: str) -> str:
    return "".join(_fold_char(ch) for ch in name)


# --------------------------------------------------------------------------------------------------
# environment lookup

_Lookup = Callable[[str], str | None]


def _make_lookup(env: Mapping[str, str], case_insensitive: bool) -> _Lookup:
    if not case_insensitive:

        def exact(name: str) -> str | None:
            return env.get(name)

        return exact

    folded: dict[str, str] = {}
    for key, value in env.items():
        folded.setdefault(_fold(key), value)

    def insensitive(name: str) -> str | None:
        if name in env:
            return env[name]
        return folded.get(_fold(name))

    return insensitive


def _no_env(name: str) -> str | None:
    return None


# --------------------------------------------------------------------------------------------------
# glob patterns for #, %, and /


def _glob_to_regex(pattern: str, *, greedy: bool, anchored: bool) -> re.Pattern[str]:
    """Compile a ``${...}`` glob (``*``, ``?``, backslash escapes; no brackets) to a regular expression.

    The escape inside patterns is always a backslash, whatever the Dockerfile's escape token is.
    ``\\}`` and ``\\/`` drop the backslash; any other escape than ``\\*``, ``\\?`` or ``\\\\`` is an error.
    """
    if pattern.startswith(_BOM):
        pattern = pattern[1:]
    parts: list[str] = ["^"] if anchored else []
    star = ".*" if greedy else ".*?"
    i, end = 0, len(pattern)
    while i < end:
        ch = pattern[i]
        i += 1
        if ch == "*":
            parts.append(star)
        elif ch == "?":
            parts.append(".")
        elif ch == "\\":
            following = pattern[i] if i < end else _EOF
            if following in ("}", "/"):
                continue
            if following not in ("*", "?", "\\"):
                raise ShellWordError(f"invalid escape '\\{following}'")
            parts.append(re.escape(following))
            i += 1
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts))


def _reverse_pattern(pattern: str) -> str:
    """Reverse a glob, keeping each backslash in front of the character it escapes."""
    tokens: list[str] = []
    i, last = 0, len(pattern) - 1
    while i <= last:
        if pattern[i] == "\\" and i != last:
            tokens.append(pattern[i : i + 2])
            i += 2
        else:
            tokens.append(pattern[i])
            i += 1
    tokens.reverse()
    return "".join(tokens)


def _strip_prefix(pattern: str, value: str, *, greedy: bool) -> str:
    try:
        regex = _glob_to_regex(pattern, greedy=greedy, anchored=True)
    except ShellWordError as exc:
        raise ShellWordError(f"invalid pattern ({pattern}) in substitution: {exc}") from None
    match = regex.match(value)
    return value[match.end() :] if match else value


def _strip_suffix(pattern: str, value: str, *, greedy: bool) -> str:
    # The shortest match anchored at the end is found as the shortest match at the start of the
    # reversed text with the reversed pattern.
    return _strip_prefix(_reverse_pattern(pattern), value[::-1], greedy=greedy)[::-1]


def _template_reference(template: str, start: int) -> tuple[str, int] | None:
    """Parse ``name`` or ``{name}`` after a ``$`` in a replacement template; None when malformed."""
    end = len(template)
    pos = start
    braced = pos < end and template[pos] == "{"
    if braced:
        pos += 1
    name_start = pos
    while pos < end and _is_name_char(template[pos]):
        pos += 1
    if pos == name_start:
        return None
    name = template[name_start:pos]
    if braced:
        if pos >= end or template[pos] != "}":
            return None
        pos += 1
    return name, pos


def _expand_template(template: str, match: re.Match[str]) -> str:
    """Expand ``$``-references in a replace-all replacement the way Go's Regexp.Expand does.

    The pattern has no capture groups, so ``$0``/``${0}`` is the whole match, ``$$`` is ``$``, any
    other well-formed reference is empty and a malformed one leaves the ``$`` as text.
    """
    out: list[str] = []
    pos = 0
    while True:
        dollar = template.find("$", pos)
        if dollar < 0:
            out.append(template[pos:])
            return "".join(out)
        out.append(template[pos:dollar])
        pos = dollar + 1
        if template.startswith("$", pos):
            out.append("$")
            pos += 1
            continue
        reference = _template_reference(template, pos)
        if reference is None:
            out.append("$")
            continue
        name, pos = reference
        if name == "0":
            out.append(match.group(0))


def _replace_all(regex: re.Pattern[str], value: str, template: str) -> str:
    """Replace every match like Go's ReplaceAllString.

    Unlike `re.sub`, an empty match right after the end of the previous match is not replaced
    (``${v//*/x}`` on ``abc`` gives ``x``, not ``xx``).
    """
    out: list[str] = []
    last_end = 0
    pos = 0
    while pos <= len(value):
        match = regex.search(value, pos)
        if match is None:
            break
        start, end = match.span()
        out.append(value[last_end:start])
        if end > last_end or start == 0:
            out.append(_expand_template(template, match))
        last_end = end
        # Always advance by at least one character.
        pos = max(end, pos + 1)
    out.append(value[last_end:])
    return "".join(out)


# --------------------------------------------------------------------------------------------------
# the expander


# Every space of `_SPACE` mapped to " ", so an expansion is split with one str.split.
_TO_BLANK = str.maketrans(dict.fromkeys(_SPACE, " "))


class _Fields:
    """Collects the split words while a word is processed.

    The current word is a list of parts joined once when it ends: adding to a string character by
    character took time quadratic in the word (a 1 MB ENV value: 39 s).
    """

    __slots__ = ("_in_word", "_parts", "_size", "_words")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._size = 0  # characters in `_parts`
        self._in_word = False
        self._words: list[str] = []

    def _blank(self) -> None:
        """An unquoted space: it ends the current word, unless nothing is in it yet."""
        if self._in_word and self._size:
            self._words.append("".join(self._parts))
            self._parts = []
            self._size = 0
            self._in_word = False

    def add_char(self, ch: str) -> None:
        """Add an unquoted character: whitespace ends the current word."""
        if ch in _SPACE:
            self._blank()
        else:
            self.add_raw_char(ch)

    def add_text(self, text: str) -> None:
        """Add the result of an unquoted expansion: it is split like unquoted text."""
        first, *others = text.translate(_TO_BLANK).split(" ")
        if first:
            self.add_raw_text(first)
        for piece in others:  # each piece follows a space
            self._blank()
            if piece:
                self.add_raw_text(piece)

    def add_raw_char(self, ch: str) -> None:
        self.add_raw_text(ch)

    def add_raw_text(self, text: str) -> None:
        """Add quoted text: kept whole, even when empty or made of spaces."""
        self._parts.append(text)
        self._size += len(text)
        self._in_word = True

    def finish(self) -> list[str]:
        if self._size:
            self._words.append("".join(self._parts))
            self._parts = []
            self._size = 0
            self._in_word = False
        return self._words


class _Expander:
    """State for one run over one word.  Never shared between calls."""

    def __init__(self, word: str, lookup: _Lookup, escape: str, *, lenient: bool) -> None:
        self._src = word[1:] if word.startswith(_BOM) else word
        self._pos = 0
        self._lookup = lookup
        self._escape = escape
        self._lenient = lenient
        self.used: set[str] = set()
        self.unset: set[str] = set()
        self.unset_without_default: set[str] = set()

    # scanner

    def _peek(self) -> str:
        return self._src[self._pos] if self._pos < len(self._src) else _EOF

    def _next(self) -> str:
        ch = self._peek()
        if ch:
            self._pos += 1
        return ch

    def _fail(self, message: str) -> str:
        """Raise, or in lenient mode (`referenced_variables`) carry on with an empty expansion."""
        if self._lenient:
            return ""
        raise ShellWordError(message)

    def _get(self, name: str, *, defaulted: bool) -> tuple[str, bool]:
        value = self._lookup(name)
        if name:
            self.used.add(name)
            if value is None:
                self.unset.add(name)
                if not defaulted:
                    self.unset_without_default.add(name)
        if value is None:
            return "", False
        return value, True

    # grammar

    def run(self) -> tuple[str, list[str]]:
        return self._until(None, raw_escapes=False)

    def _until(self, stop: str | None, *, raw_escapes: bool) -> tuple[str, list[str]]:
        """Process text up to the unquoted, unescaped `stop` character (consumed) or the end.

        With `raw_escapes` (inside ``#``/``%``/``/`` patterns) escape tokens are kept in the output
        so that the glob compiler can see them; this also applies to double quotes directly inside.
        """
        out: list[str] = []
        fields = _Fields()
        while (ch := self._peek()) != _EOF:
            if ch == stop:
                self._pos += 1
                return "".join(out), fields.finish()
            if ch == "$":
                text = self._dollar()
                out.append(text)
                fields.add_text(text)
            elif ch == "'":
                text = self._single_quoted()
                out.append(text)
                fields.add_raw_text(text)
            elif ch == '"':
                text = self._double_quoted(raw_escapes=raw_escapes)
                out.append(text)
                fields.add_raw_text(text)
            else:
                self._pos += 1
                if ch == self._escape:
                    if raw_escapes:
                        fields.add_raw_char(ch)
                        out.append(ch)
                    ch = self._next()
                    if ch == _EOF:
                        break
                    fields.add_raw_char(ch)
                else:
                    fields.add_char(ch)
                out.append(ch)
        if stop is not None:
            self._fail(f"unexpected end of statement while looking for matching {stop}")
        return "".join(out), fields.finish()

    def _single_quoted(self) -> str:
        self._pos += 1
        start = self._pos
        close = self._src.find("'", start)
        if close < 0:
            self._pos = len(self._src)
            self._fail("unexpected end of statement while looking for matching single-quote")
            return self._src[start:]
        self._pos = close + 1
        return self._src[start:close]

    def _double_quoted(self, *, raw_escapes: bool) -> str:
        self._pos += 1
        out: list[str] = []
        while True:
            ch = self._peek()
            if ch == _EOF:
                self._fail("unexpected end of statement while looking for matching double-quote")
                return "".join(out)
            if ch == '"':
                self._pos += 1
                return "".join(out)
            if ch == "$":
                out.append(self._dollar())
                continue
            self._pos += 1
            if ch == self._escape:
                if raw_escapes:
                    out.append(ch)
                following = self._peek()
                if following == _EOF:
                    continue
                if following in _DQUOTE_ESCAPABLE or following == self._escape:
                    ch = following
                    self._pos += 1
            out.append(ch)

    def _name(self) -> str:
        start = self._pos
        ch = self._peek()
        if ch == _EOF:
            return ""
        if _is_digit(ch):
            while (ch := self._peek()) != _EOF and _is_digit(ch):
                self._pos += 1
            return self._src[start : self._pos]
        if ch in _SPECIAL_PARAMS:
            self._pos += 1
            return ch
        while (ch := self._peek()) != _EOF and _is_name_char(ch):
            self._pos += 1
        return self._src[start : self._pos]

    def _dollar(self) -> str:
        self._pos += 1  # the `$`
        if self._peek() != "{":
            name = self._name()
            if not name:
                return "$"
            return self._get(name, defaulted=False)[0]

        self._pos += 1  # the `{`
        first = self._peek()
        if first == _EOF:
            return self._fail("syntax error: missing '}'")
        if first in ("{", "}", ":"):
            return self._fail("syntax error: bad substitution")
        name = self._name()
        op = self._next()
        if op == "}":
            return self._get(name, defaulted=False)[0]
        if op == "/":
            return self._substitute(name)
        if op in (":", "+", "-", "?", "#", "%"):
            return self._modifier(name, op)
        if self._lenient:
            self._get(name, defaulted=False)
            return ""
        if op == _EOF:
            raise ShellWordError("syntax error: missing '}'")
        raise ShellWordError(f"unsupported modifier ({op}) in substitution")

    def _operand(self, stop: str, *, raw_escapes: bool, missing: str) -> str:
        try:
            text, _ = self._until(stop, raw_escapes=raw_escapes)
        except ShellWordError:
            if self._peek() == _EOF:
                raise ShellWordError(missing) from None
            raise
        return text

    def _modifier(self, name: str, op: str) -> str:
        spelled = op
        colon = op == ":"
        if colon:
            op = self._next()
            spelled += op
        # Whatever follows the colon, the operand is read first; an unknown operator is reported
        # only afterwards (so `${x:}abc}` reads `abc` before failing).
        operand = self._operand("}", raw_escapes=op in ("#", "%"), missing="syntax error: missing '}'")
        value, is_set = self._get(name, defaulted=op in ("-", "+"))
        missing = not is_set or (colon and value == "")
        if op == "-":
            return operand if missing else value
        if op == "+":
            return "" if missing else operand
        if op == "?":
            if not is_set:
                return self._fail(f"{name}: {operand or 'is not allowed to be unset'}")
            if colon and value == "":
                return self._fail(f"{name}: {operand or 'is not allowed to be empty'}")
            return value
        if op in ("#", "%"):
            greedy = operand.startswith(op)
            pattern = operand[1:] if greedy else operand
            try:
                if op == "#":
                    return _strip_prefix(pattern, value, greedy=greedy)
                return _strip_suffix(pattern, value, greedy=greedy)
            except ShellWordError:
                if self._lenient:
                    return value
                raise
        return self._fail(f"unsupported modifier ({spelled}) in substitution")

    def _substitute(self, name: str) -> str:
        replace_all = self._peek() == "/"
        if replace_all:
            self._pos += 1
        pattern = self._operand("/", raw_escapes=True, missing="syntax error: missing '/' in ${}")
        replacement = self._operand("}", raw_escapes=True, missing="syntax error: missing '}'")
        value, _ = self._get(name, defaulted=False)
        try:
            regex = _glob_to_regex(pattern, greedy=True, anchored=False)
        except ShellWordError as exc:
            if self._lenient:
                return value
            raise ShellWordError(f"invalid pattern ({pattern}) in substitution: {exc}") from None
        if replace_all:
            return _replace_all(regex, value, replacement)
        match = regex.search(value)
        if match is None:
            return value
        return value[: match.start()] + replacement + value[match.end() :]


# --------------------------------------------------------------------------------------------------
# public API


def _check_escape(escape: str) -> None:
    if len(escape) != 1:
        raise ValueError(f"escape must be a single character, got {escape!r}")


def _expand(word: str, env: Mapping[str, str], escape: str, case_insensitive: bool) -> tuple[str, list[str], _Expander]:
    _check_escape(escape)
    expander = _Expander(word, _make_lookup(env, case_insensitive), escape, lenient=False)
    try:
        value, words = expander.run()
    except ShellWordError as exc:
        raise ShellWordError(f"failed to process {word!r}: {exc}") from None
    except RecursionError:
        raise ShellWordError(f"failed to process {word!r}: expression nested too deeply") from None
    return value, words, expander


def _result(value: str, words: tuple[str, ...], expander: _Expander) -> Expansion:
    return Expansion(
        value=value,
        words=words,
        used=frozenset(expander.used),
        unset=frozenset(expander.unset),
        unset_without_default=frozenset(expander.unset_without_default),
    )


def process_word(
    word: str,
    env: Mapping[str, str],
    *,
    escape: str = "\\",
    case_insensitive: bool = False,
) -> Expansion:
    """Expand `word` as one word (BuildKit's ProcessWord): whitespace is kept, ``words == (value,)``.

    Raises `ShellWordError` for malformed input and for ``${x?msg}``/``${x:?msg}`` failures.
    """
    value, _, expander = _expand(word, env, escape, case_insensitive)
    return _result(value, (value,), expander)


def process_words(
    word: str,
    env: Mapping[str, str],
    *,
    escape: str = "\\",
    case_insensitive: bool = False,
) -> Expansion:
    """Expand `word` and split it into words (BuildKit's ProcessWords).

    Splitting happens on unquoted whitespace, including whitespace produced by an unquoted
    expansion; ``""`` on its own produces no word.  ``value`` is the unsplit expansion.
    """
    value, words, expander = _expand(word, env, escape, case_insensitive)
    return _result(value, tuple(words), expander)


def referenced_variables(word: str, *, escape: str = "\\") -> frozenset[str]:
    """The variable names `word` refers to, in any position (operands and patterns included).

    Never raises on malformed input: unterminated quotes and braces are treated as closed at the
    end, failing ``?`` checks and bad patterns are ignored, and parsing carries on past a bad
    ``${...}`` as well as it can.  Single-quoted and escaped ``$`` are not references.
    """
    _check_escape(escape)
    expander = _Expander(word, _no_env, escape, lenient=True)
    with contextlib.suppress(ShellWordError, RecursionError):
        expander.run()
    return frozenset(expander.used)

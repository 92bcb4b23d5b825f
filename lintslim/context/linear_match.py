"""Matching a regular expression in time linear in the text, as Go's RE2 (and so BuildKit) does.

Python's `re` backtracks: a `.dockerignore` line such as `a*a*a*a*a*a*a*a*b` becomes
`^a[^/]*a[^/]*a…b\\Z`, which takes seconds per path name, and a context has thousands of paths.
`LinearPattern` reads the expression with Python's own parser (so it means exactly what `re` would
make of it) and runs it as a Thompson automaton: every position of the text is visited once, with
the set of states alive there, so the cost is (text length) x (pattern length) whatever the input.

Only what a translated ignore pattern can hold is supported (characters, classes, `.`, groups,
repeats, alternatives, `^`, `$`, `\\A`, `\\Z`); `LinearPattern.compile` returns None for anything
else, and the caller keeps `re`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

if sys.version_info >= (3, 11):
    from re import _constants as constants
    from re import _parser as parser
else:  # pragma: no cover - Python 3.10
    import sre_constants as constants
    import sre_parse as parser

MAX_STATES = 20_000  # a repeat such as `x{1000}` expands into copies; beyond this, keep `re`
MAX_CACHED_STEPS = 100_000  # remembered transitions of one pattern (memory stays bounded)

_CATEGORY_CLASSES = {
    constants.CATEGORY_DIGIT: r"\d",
    constants.CATEGORY_NOT_DIGIT: r"\D",
    constants.CATEGORY_SPACE: r"\s",
    constants.CATEGORY_NOT_SPACE: r"\S",
    constants.CATEGORY_WORD: r"\w",
    constants.CATEGORY_NOT_WORD: r"\W",
}


_ANCHORS = (constants.AT_BEGINNING, constants.AT_BEGINNING_STRING, constants.AT_END_STRING)


class Unsupported(Exception):
    """A construct the automaton does not model (back-references, lookarounds, word boundaries...)."""


def char_test(op: Any, argument: Any, flags: int) -> Callable[[str], bool]:
    """Whether one character matches a single-character item of the parse tree (LITERAL, IN, ANY...)."""
    if op is constants.LITERAL:
        return lambda char: ord(char) == argument
    if op is constants.NOT_LITERAL:
        return lambda char: ord(char) != argument
    if op is constants.ANY:
        return (lambda char: True) if flags & re.DOTALL else (lambda char: char != "\n")
    if op is constants.IN:
        return _class_test(argument, flags)
    raise Unsupported(str(op))


def _class_test(items: list[tuple[Any, Any]], flags: int) -> Callable[[str], bool]:
    negated = bool(items) and items[0][0] is constants.NEGATE
    tests = [_class_item(op, argument, flags) for op, argument in items[1 if negated else 0 :]]
    return lambda char: any(test(char) for test in tests) != negated


def _class_item(op: Any, argument: Any, flags: int) -> Callable[[str], bool]:
    if op is constants.LITERAL:
        return lambda char: ord(char) == argument
    if op is constants.RANGE:
        low, high = argument
        return lambda char: low <= ord(char) <= high
    if op is constants.CATEGORY and argument in _CATEGORY_CLASSES:
        category = re.compile(_CATEGORY_CLASSES[argument], flags & re.ASCII)
        return lambda char: category.match(char) is not None
    raise Unsupported(str(op))


@dataclass
class _State:
    """One automaton state: consume a character (`test`), assert a position, or only move on (`next`)."""

    test: Callable[[str], bool] | None = None
    at: Any = None  # an AT code (`^`, `\\Z`...) checked without consuming
    next: list[int] = field(default_factory=list)


class _Builder:
    """Thompson's construction over the parse tree; states are indexes into one list."""

    def __init__(self, flags: int) -> None:
        self.flags = flags
        self.states: list[_State] = []

    def new(self, test: Callable[[str], bool] | None = None, at: Any = None) -> int:
        if len(self.states) >= MAX_STATES:
            raise Unsupported("too many states")
        self.states.append(_State(test, at))
        return len(self.states) - 1

    def sequence(self, items: Iterable[tuple[Any, Any]]) -> tuple[int, int]:
        """The (entry, exit) of a sequence; the exit is an empty state later items link from."""
        entry = exit_ = self.new()
        for op, argument in items:
            start, end = self.item(op, argument)
            self.states[exit_].next.append(start)
            exit_ = end
        return entry, exit_

    def item(self, op: Any, argument: Any) -> tuple[int, int]:
        if op is constants.SUBPATTERN:
            _group, add_flags, del_flags, body = argument
            if add_flags or del_flags:
                raise Unsupported("inline flags")
            return self.sequence(body)
        if op is constants.BRANCH:
            return self.branch(argument[1])
        if op in (constants.MAX_REPEAT, constants.MIN_REPEAT):  # greediness cannot change whether it matches
            return self.repeat(*argument)
        if op is constants.AT:
            plain_end = argument is constants.AT_END and not self.flags & re.MULTILINE
            if argument not in _ANCHORS and not plain_end:
                raise Unsupported(str(argument))
            state = self.new(at=argument)
            end = self.new()
            self.states[state].next.append(end)
            return state, end
        state = self.new(test=char_test(op, argument, self.flags))
        end = self.new()
        self.states[state].next.append(end)
        return state, end

    def branch(self, alternatives: list[Any]) -> tuple[int, int]:
        entry, end = self.new(), self.new()
        for alternative in alternatives:
            start, finish = self.sequence(alternative)
            self.states[entry].next.append(start)
            self.states[finish].next.append(end)
        return entry, end

    def repeat(self, minimum: int, maximum: int, body: Any) -> tuple[int, int]:
        entry = exit_ = self.new()
        for _ in range(minimum):
            start, end = self.sequence(body)
            self.states[exit_].next.append(start)
            exit_ = end
        if maximum == constants.MAXREPEAT:
            start, end = self.sequence(body)
            loop = self.new()
            self.states[exit_].next.append(loop)
            self.states[loop].next.append(start)
            self.states[end].next.append(loop)
            return entry, loop
        final = self.new()
        for _ in range(maximum - minimum):
            start, end = self.sequence(body)
            self.states[exit_].next += [start, final]
            exit_ = end
        self.states[exit_].next.append(final)
        return entry, final


@dataclass(frozen=True)
class LinearPattern:
    """A compiled automaton; `matches(text)` is `re.match(pattern, text) is not None`, in linear time.

    The sets of states met are remembered with their successors (a lazily built DFA, bounded by
    MAX_CACHED_STEPS), so matching many path names costs a dictionary lookup a character.
    """

    states: tuple[_State, ...]
    start: int
    accept: int
    _steps: dict[tuple[frozenset[int], str, int], frozenset[int]] = field(default_factory=dict, compare=False)

    @classmethod
    def compile(cls, source: str, flags: int = 0) -> LinearPattern | None:
        """The automaton for `source`, or None when it uses what the automaton does not model."""
        try:
            parsed = parser.parse(source, flags)
            builder = _Builder(parsed.state.flags)
            start, accept = builder.sequence(parsed.data)
        except (Unsupported, re.error):
            return None
        return cls(tuple(builder.states), start, accept)

    def matches(self, text: str) -> bool:
        """Whether the expression matches at the start of `text` (as `re.match`: it need not reach the end)."""
        current = self._closure([self.start], text, 0)
        for position, char in enumerate(text):
            if self.accept in current:
                return True
            current = self._step(current, text, position, char)
            if not current:
                return False
        return self.accept in current

    def _step(self, current: frozenset[int], text: str, position: int, char: str) -> frozenset[int]:
        # where the next position is decides the assertions: the end, just before a final newline, or neither
        after = position + 1
        where = 1 if after == len(text) else 2 if after == len(text) - 1 and text[-1] == "\n" else 0
        key = (current, char, where)
        found = self._steps.get(key)
        if found is None:
            moved = [self.states[i].next[0] for i in current if self._consumes(i, char)]
            found = self._closure(moved, text, after)
            if len(self._steps) >= MAX_CACHED_STEPS:
                self._steps.clear()
            self._steps[key] = found
        return found

    def _consumes(self, index: int, char: str) -> bool:
        test = self.states[index].test
        return test is not None and test(char)

    def _closure(self, starts: list[int], text: str, position: int) -> frozenset[int]:
        """The states reachable without consuming a character, position assertions checked here."""
        seen: set[int] = set()
        stack = list(starts)
        while stack:
            index = stack.pop()
            if index in seen:
                continue
            seen.add(index)
            state = self.states[index]
            if state.at is not None and not _holds(state.at, text, position):
                continue
            if state.test is None:
                stack += state.next
        return frozenset(index for index in seen if self.states[index].test is not None or index == self.accept)


def _holds(at: Any, text: str, position: int) -> bool:
    if at in (constants.AT_BEGINNING, constants.AT_BEGINNING_STRING):
        return position == 0
    if at is constants.AT_END_STRING:
        return position == len(text)
    return position == len(text) or (position == len(text) - 1 and text[-1] == "\n")  # `$` without MULTILINE


def unbounded_repeats(source: str, flags: int = 0) -> int:
    """How many `*`/`+` repeats an expression has: with three or more, `re` can take a time that
    grows as a power of the text's length on a near miss; with fewer, it stays fast on a path name."""
    try:
        parsed = parser.parse(source, flags)
    except re.error:
        return 0
    return _count_unbounded(parsed.data)


def _count_unbounded(items: list[tuple[Any, Any]]) -> int:
    count = 0
    for op, argument in items:
        if op in (constants.MAX_REPEAT, constants.MIN_REPEAT):
            count += (argument[1] == constants.MAXREPEAT) + _count_unbounded(list(argument[2]))
        elif op is constants.SUBPATTERN:
            count += _count_unbounded(list(argument[3]))
        elif op is constants.BRANCH:
            count += sum(_count_unbounded(list(alternative)) for alternative in argument[1])
    return count

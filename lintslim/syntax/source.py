"""Source text with exact positions.

Everything in lintslim points into the original text by `str` offsets (half-open spans).  Lines and
columns are derived on demand, 1-based, counted in code points; the language server converts to
UTF-16 at its edge.  Nothing here normalises the text: CRLF, a BOM and trailing spaces stay as they are.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

BOM = "\ufeff"


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open range `[start, end)` of `str` offsets into the source text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span {self.start}..{self.end}")

    def __len__(self) -> int:
        return self.end - self.start

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def cover(self, other: Span) -> Span:
        return Span(min(self.start, other.start), max(self.end, other.end))


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column (column counted in code points)."""

    line: int
    column: int


class LineIndex:
    """Maps offsets to lines and columns for one text.  Lines end at `\\n` only, as BuildKit splits them."""

    __slots__ = ("_bom", "_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._bom = 1 if text.startswith(BOM) else 0  # invisible in editors: columns on line 1 skip it
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts

    @property
    def line_count(self) -> int:
        """Number of lines; a final newline does not start a new (empty) line."""
        n = len(self._starts)
        if n > 1 and self._starts[-1] == len(self.text):
            return n - 1
        return n

    def line_start(self, line: int) -> int:
        """Offset of the first character of a 1-based line."""
        return self._starts[line - 1]

    def line_end(self, line: int, *, keep_newline: bool = False) -> int:
        """Offset just past the last character of a 1-based line, before `\\r\\n` unless asked."""
        if line < len(self._starts):
            end = self._starts[line]
            if keep_newline:
                return end
            end -= 1  # the "\n"
        else:
            end = len(self.text)
            if keep_newline:
                return end
        while end > self._starts[line - 1] and self.text[end - 1] == "\r":
            end -= 1
        return end

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)

    def position(self, offset: int) -> Position:
        line = self.line_of(offset)
        return Position(line, max(1, offset - self._starts[line - 1] + 1 - (self._bom if line == 1 else 0)))

    def end_position(self, span: Span) -> Position:
        """The position of a span's end; an end right after a newline stays on the line it ends."""
        if span.end > span.start and self.text[span.end - 1] == "\n":
            line = self.line_of(span.end - 1)
            column = span.end - 1 - self._starts[line - 1] + 1 - (self._bom if line == 1 else 0)
            return Position(line, max(1, column))
        return self.position(span.end)

    def offset(self, line: int, column: int) -> int:
        return self._starts[line - 1] + column - 1 + (self._bom if line == 1 else 0)

    def line_text(self, line: int) -> str:
        """A line without its newline (and without the BOM on line 1)."""
        return self.text[self.line_start(line) + (self._bom if line == 1 else 0) : self.line_end(line)]

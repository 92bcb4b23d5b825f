"""Offsets into a document's text and LSP positions, both ways.

lintslim points into text by `str` offsets (code points).  LSP positions are a 0-based line and a
character counted in the code units the client and server agreed on at initialisation: UTF-16 unless
the client offered UTF-8 or UTF-32.  Lines end at `\\n`, `\\r\\n` or `\\r`, as LSP defines them (not
Python's `str.splitlines`, which also breaks at form feeds and other separators).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def code_units(text: str, encoding: str) -> int:
    """The length of `text` in `encoding`'s code units (a lone surrogate counts as one UTF-16 unit)."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass(frozen=True)
class LspPosition:
    """A 0-based line and a 0-based character in code units, as LSP counts them."""

    line: int
    character: int


class PositionMap:
    """Converts between `str` offsets of one text and LSP positions in one encoding."""

    __slots__ = ("_ends", "_starts", "encoding", "text")

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.text = text
        self.encoding = encoding
        self._starts = [0]
        self._ends: list[int] = []  # where each line's content stops (before its line break)
        for match in _LINE_BREAK.finditer(text):
            self._ends.append(match.start())
            self._starts.append(match.end())
        self._ends.append(len(text))

    def position(self, offset: int) -> LspPosition:
        offset = min(max(offset, 0), len(self.text))
        line = bisect.bisect_right(self._starts, offset) - 1
        start = self._starts[line]
        prefix = self.text[start : min(offset, self._ends[line])]  # an offset inside `\r\n` stays on its line
        return LspPosition(line, code_units(prefix, self.encoding))

    def offset(self, position: LspPosition) -> int:
        """The offset of a position; a character past the line's end means the end (LSP clamps too)."""
        if position.line < 0:
            return 0
        if position.line >= len(self._starts):
            return len(self.text)
        start, end = self._starts[position.line], self._ends[position.line]
        content = self.text[start:end]
        if self.encoding == UTF32 or content.isascii():
            return start + min(max(position.character, 0), len(content))
        units = 0
        for index, char in enumerate(content):
            if units >= position.character:
                return start + index
            units += code_units(char, self.encoding)
        return end

"""Masking secret values in text shown to people: source excerpts, diffs, messages, fix edits.

A secret is shown as its first few characters and `****` (`ghp_****`, `h****`): enough to find it,
never enough to use it.  Short secrets show less (a quarter of their length at most).

Two ways in: by span, for lines of the text the spans point into (an excerpt under a finding), and
by value, for any other text (a diff line of the fixed text, a fix's replacement text, a message).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lintslim.syntax.source import Span

MASK = "****"
SHOWN_PREFIX = 4
_ELLIPSES = ("...", "…")  # how messages mark a quotation they cut short
MIN_VALUE_LENGTH = 3  # shorter values are masked by span only: replacing every "ab" would garble text


def mask(secret: str) -> str:
    """`ghp_****` for a 40-character token, `h****` for `hunter2`: a short prefix, never the value."""
    return secret[: min(SHOWN_PREFIX, len(secret) // 4)] + MASK


def merge_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    merged: list[Span] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1].end:
            merged[-1] = merged[-1].cover(span)
        else:
            merged.append(span)
    return tuple(merged)


def _with_lines(value: str) -> list[str]:
    """The value and, when it spans lines (a key block, a value continued with `\\`), each of its
    lines: a diff shows one line at a time, so the whole value never appears there."""
    lines = value.splitlines()
    return [value, *lines] if len(lines) > 1 else [value]


@dataclass(frozen=True)
class MaskedLine:
    """A line with its secrets masked, and where each original column went (for underlining)."""

    text: str
    columns: tuple[int, ...]  # columns[i]: the masked-text index of original index i (one past the end too)

    def column(self, original: int) -> int:
        """Map a 1-based column of the original line to the masked line."""
        index = min(max(original - 1, 0), len(self.columns) - 1)
        return self.columns[index] + 1


@dataclass(frozen=True)
class Redactor:
    """The secrets of one text: their spans in it and their values, to mask in anything printed."""

    text: str
    spans: tuple[Span, ...]  # sorted, merged
    values: tuple[str, ...]  # the secrets' text, longest first (so a longer secret is masked whole)

    @classmethod
    def build(cls, text: str, spans: Iterable[Span], extra_values: Iterable[str] = ()) -> Redactor:
        merged = merge_spans(span for span in spans if span.end <= len(text))
        values = {text[span.start : span.end] for span in merged} | set(extra_values)
        usable = (piece.strip() for value in values for piece in _with_lines(value))
        ordered = sorted({value for value in usable if len(value) >= MIN_VALUE_LENGTH}, key=lambda v: (-len(v), v))
        return cls(text, merged, tuple(ordered))

    def __bool__(self) -> bool:
        return bool(self.spans or self.values)

    def scrub(self, shown: str) -> str:
        """`shown` with every secret value masked (for text that is not a line of `self.text`)."""
        for value in self.values:
            if value in shown:
                shown = shown.replace(value, mask(value))
        if any(marker in shown for marker in _ELLIPSES):
            shown = self._scrub_cut(shown)
        return shown

    def _scrub_cut(self, shown: str) -> str:
        """Mask secrets that a message quotes cut short (`RUN git clone https://ci:s3cr...`)."""
        for value in self.values:
            for marker in _ELLIPSES:
                for length in range(len(value) - 1, MIN_VALUE_LENGTH - 1, -1):
                    cut = value[:length] + marker
                    if cut in shown:
                        shown = shown.replace(cut, mask(value[:length]) + marker)
                        break
        return shown

    def line(self, start: int, end: int) -> MaskedLine:
        """The text in `[start, end)` (one line) with secret spans masked, then values scrubbed."""
        pieces: list[str] = []
        columns: list[int] = []
        position = start
        length = 0
        for span in self.spans:
            if span.end <= start or span.start >= end:
                continue
            cut_start, cut_end = max(span.start, start), min(span.end, end)
            plain = self.text[position:cut_start]
            pieces.append(plain)
            columns.extend(range(length, length + len(plain)))
            length += len(plain)
            secret = self.text[cut_start:cut_end]
            replacement = mask(self.text[span.start : span.end]) if cut_start == span.start else MASK
            pieces.append(replacement)
            columns.extend([length] * len(secret))
            length += len(replacement)
            position = cut_end
        plain = self.text[position:end]
        pieces.append(plain)
        columns.extend(range(length, length + len(plain) + 1))
        text = "".join(pieces)
        scrubbed = self.scrub(text)
        if scrubbed != text:  # a value found again elsewhere on the line: columns no longer line up
            return MaskedLine(scrubbed, tuple(min(column, len(scrubbed)) for column in columns))
        return MaskedLine(text, tuple(columns))

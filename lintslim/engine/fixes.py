"""Fixes are text edits on the original source, with an applicability (ruff's model)."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lintslim.syntax.source import Span


class Applicability(enum.Enum):
    """How far a fix can be trusted, most trusted first."""

    SAFE = "safe"  # the image means the same after the fix
    UNSAFE = "unsafe"  # may change the image or its behaviour; applied only with --unsafe-fixes
    DISPLAY_ONLY = "display-only"  # a hint for people; never applied

    @property
    def rank(self) -> int:
        return list(Applicability).index(self)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace `span` of the source with `content` (an insertion when the span is empty)."""

    span: Span
    content: str

    @classmethod
    def replace(cls, span: Span, content: str) -> Edit:
        return cls(span, content)

    @classmethod
    def insert(cls, offset: int, content: str) -> Edit:
        return cls(Span(offset, offset), content)

    @classmethod
    def delete(cls, span: Span) -> Edit:
        return cls(span, "")


@dataclass(frozen=True, slots=True)
class Fix:
    """One coherent change: sorted, non-overlapping edits applied together or not at all."""

    title: str  # imperative: "Replace `ADD` with `COPY`"
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.edits, key=lambda edit: (edit.span.start, edit.span.end)))
        for before, after in itertools.pairwise(ordered):
            if before.span.end > after.span.start:
                raise ValueError(f"overlapping edits in fix {self.title!r}")
        object.__setattr__(self, "edits", ordered)

    @classmethod
    def safe(cls, title: str, *edits: Edit) -> Fix:
        return cls(title, edits, Applicability.SAFE)

    @classmethod
    def unsafe(cls, title: str, *edits: Edit) -> Fix:
        return cls(title, edits, Applicability.UNSAFE)

    @classmethod
    def display_only(cls, title: str, *edits: Edit) -> Fix:
        return cls(title, edits, Applicability.DISPLAY_ONLY)

    @property
    def span(self) -> Span:
        return Span(self.edits[0].span.start, self.edits[-1].span.end)

    def conflicts_with(self, other: Fix) -> bool:
        """True when any edit of one touches the range of the other (adjacent insertions count)."""
        mine, theirs = self.span, other.span
        return mine.start <= theirs.end and theirs.start <= mine.end

    def apply(self, text: str) -> str:
        return apply_edits(text, self.edits)


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply sorted, non-overlapping edits; every byte outside them is kept."""
    parts: list[str] = []
    position = 0
    for edit in edits:
        parts.append(text[position : edit.span.start])
        parts.append(edit.content)
        position = edit.span.end
    parts.append(text[position:])
    return "".join(parts)


def select_non_overlapping(fixes: Iterable[Fix]) -> list[Fix]:
    """Keep fixes in source order, skipping any that touches one already kept (tried again next round)."""
    chosen: list[Fix] = []
    seen_edits: set[tuple[Edit, ...]] = set()
    for fix in sorted(fixes, key=lambda f: (f.span.start, f.span.end, f.title)):
        if fix.edits in seen_edits:
            continue  # two findings offering the same change: apply it once
        if any(fix.conflicts_with(kept) for kept in chosen):
            continue
        chosen.append(fix)
        seen_edits.add(fix.edits)
    return chosen


def apply_fixes(text: str, fixes: Sequence[Fix]) -> str:
    """Apply fixes that `select_non_overlapping` chose."""
    edits = [edit for fix in fixes for edit in fix.edits]
    return apply_edits(text, sorted(edits, key=lambda edit: (edit.span.start, edit.span.end)))

"""Fixes are text edits on the original source, with an applicability (ruff's model).

A fix may also create new files in the build context (`NewFile`, such as a missing `.dockerignore`):
they are written only where nothing exists yet, when `--fix` writes the Dockerfile.
"""

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
class NewFile:
    """A file a fix creates: `path` is relative to the build context, `/`-separated.  Never overwrites."""

    path: str
    content: str


@dataclass(frozen=True, slots=True)
class Fix:
    """One coherent change: sorted, non-overlapping edits (and new files) applied together or not at all."""

    title: str  # imperative: "Replace `ADD` with `COPY`"
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE
    new_files: tuple[NewFile, ...] = ()

    def __post_init__(self) -> None:
        if not self.edits and not self.new_files:
            raise ValueError(f"fix {self.title!r} changes nothing")
        ordered = tuple(sorted(self.edits, key=lambda edit: (edit.span.start, edit.span.end)))
        for before, after in itertools.pairwise(ordered):
            if before.span.end > after.span.start:
                raise ValueError(f"overlapping edits in fix {self.title!r}")
        object.__setattr__(self, "edits", ordered)
        object.__setattr__(self, "new_files", tuple(self.new_files))

    @classmethod
    def safe(cls, title: str, *edits: Edit, new_files: Sequence[NewFile] = ()) -> Fix:
        return cls(title, edits, Applicability.SAFE, tuple(new_files))

    @classmethod
    def unsafe(cls, title: str, *edits: Edit, new_files: Sequence[NewFile] = ()) -> Fix:
        return cls(title, edits, Applicability.UNSAFE, tuple(new_files))

    @classmethod
    def display_only(cls, title: str, *edits: Edit) -> Fix:
        return cls(title, edits, Applicability.DISPLAY_ONLY)

    @property
    def span(self) -> Span:
        """From the first edit to the last; empty at 0 for a fix that only creates files."""
        if not self.edits:
            return Span(0, 0)
        return Span(self.edits[0].span.start, self.edits[-1].span.end)

    def conflicts_with(self, other: Fix) -> bool:
        """True when any edit of one touches the range of the other (adjacent insertions count), or
        when both create the same file."""
        if self.edits and other.edits:
            mine, theirs = self.span, other.span
            if mine.start <= theirs.end and theirs.start <= mine.end:
                return True
        return not {file.path for file in self.new_files}.isdisjoint(file.path for file in other.new_files)

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
    seen_changes: set[tuple[tuple[Edit, ...], tuple[NewFile, ...]]] = set()
    for fix in sorted(fixes, key=lambda f: (f.span.start, f.span.end, f.title)):
        if (fix.edits, fix.new_files) in seen_changes:
            continue  # two findings offering the same change: apply it once
        if any(fix.conflicts_with(kept) for kept in chosen):
            continue
        chosen.append(fix)
        seen_changes.add((fix.edits, fix.new_files))
    return chosen


def apply_fixes(text: str, fixes: Sequence[Fix]) -> str:
    """Apply fixes that `select_non_overlapping` chose."""
    edits = [edit for fix in fixes for edit in fix.edits]
    return apply_edits(text, sorted(edits, key=lambda edit: (edit.span.start, edit.span.end)))

"""Estimated image sizes: what a Dockerfile's final base weighs, and what a finding's fix would save.

Every figure is an estimate from the knowledge base's sourced sizes (`size_mb` in base_images.toml:
uncompressed, on disk, linux/amd64, with the source, the date and the exact image measured).  An
image the knowledge base has no size for gives no figure: never a guess.  Only the base image is
counted: the layers a Dockerfile adds on top are not, so a fix that drops a build stage's layers
saves more than its estimate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lintslim.engine.fixes import Fix
from lintslim.engine.rule import Diagnostic
from lintslim.knowledge.images import ImageFacts, image_facts, knowledge_base
from lintslim.syntax.image import ImageRef
from lintslim.syntax.nodes import Dockerfile
from lintslim.syntax.parser import parse
from lintslim.syntax.source import Span

MINIMAL_FAMILIES = frozenset({"scratch", "distroless", "chainguard", "alpine", "busybox"})
_FROM_LINE = re.compile(r"^[ \t]*FROM[ \t]", re.IGNORECASE | re.MULTILINE)  # a fix that adds a stage


@dataclass(frozen=True)
class Saving:
    """An estimated saving in the final image's size if a finding's fix is applied."""

    code: str  # the finding's rule
    line: int
    from_image: str  # the final base before the fix
    to_image: str  # and after it
    saving_mb: float
    basis: str  # where both sizes come from (sources and dates): the figure is an estimate
    from_mb: float | None = None  # the two sizes the saving is the difference of
    to_mb: float | None = None


@dataclass(frozen=True)
class ImageProfile:
    """What the file builds, as far as the knowledge base knows."""

    final_base: str | None  # the final stage's root image as written (`golang:1.22`); None when unresolved
    multi_stage: bool  # more than one stage contributes to the final image
    minimal_base: bool | None  # scratch, static, distroless, slim or alpine; None when the base is unknown
    base_size_mb: float | None = None  # the final base's size, when the knowledge base has a sourced figure
    size_basis: str | None = None  # the source, figure and date of that size


@dataclass(frozen=True)
class BaseChange:
    """A finding whose fix gives the file another final base image."""

    diagnostic: Diagnostic
    line: int  # 1-based line of the finding
    after: ImageProfile  # the file as the fix leaves it


def size_basis(facts: ImageFacts) -> str | None:
    """Where an image's size comes from: source, figure, date, and whether another tag was measured.

    None when the knowledge base has no sourced size for the image.
    """
    if facts.size_mb is None or facts.size_source is None:
        return None
    where = knowledge_base().sources.get(facts.size_source, facts.size_source)
    basis = ", ".join(part for part in (where, f"{facts.size_mb:g} MB", facts.size_as_of) if part)
    if facts.size_image is not None and facts.size_image != facts.key:
        basis += f"; {facts.size_image} measured, {facts.key} assumed similar"
    return basis


def is_minimal(facts: ImageFacts) -> bool:
    return facts.family in MINIMAL_FAMILIES or facts.libc == "musl" or "slim" in facts.id


def image_label(image: ImageRef) -> str:
    """The reference as people write it, with its tag: `golang:1.22`, `gcr.io/distroless/static-debian13`."""
    label = image.familiar
    if image.tag:
        label += f":{image.tag}"
    if image.digest:
        label += f"@{image.digest}"
    return label


def image_profile(dockerfile: Dockerfile) -> ImageProfile:
    graph = dockerfile.graph
    final = graph.final
    if final is None:
        return ImageProfile(None, False, None)
    multi_stage = bool(graph.reaching(final))  # `reaching` leaves the final stage itself out
    image = graph.root_image(final)
    if image is None:
        return ImageProfile(None, multi_stage, None)
    facts = image_facts(image)
    if facts is None:
        return ImageProfile(image_label(image), multi_stage, None)
    basis = size_basis(facts)
    size = facts.size_mb if basis is not None else None
    return ImageProfile(image_label(image), multi_stage, is_minimal(facts), size, basis)


def base_changes(
    dockerfile: Dockerfile, diagnostics: Sequence[Diagnostic], before: ImageProfile | None = None
) -> list[BaseChange]:
    """The findings whose fix changes the final base image, with the profile of the fixed file.

    Only fixes that edit a `FROM` instruction, the global `ARG`s before the first one, or add a
    stage are applied and parsed again: the others cannot change the base, and re-parsing costs.
    `before` is the file's own profile when the caller has it already.
    """
    regions = _base_regions(dockerfile)
    if not regions:
        return []
    base = (before or image_profile(dockerfile)).final_base
    changes = []
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if fix is None or not _touches_base(fix, regions):
            continue
        after = image_profile(parse(fix.apply(dockerfile.text), dockerfile.path, dockerfile.build_args))
        if after.final_base is None or after.final_base == base:
            continue
        line = dockerfile.lines.position(diagnostic.span.start).line
        changes.append(BaseChange(diagnostic, line, after))
    return changes


def estimate_savings(dockerfile: Dockerfile, diagnostics: Sequence[Diagnostic]) -> list[Saving]:
    """For each finding whose fix changes the final base: the base's size less the new base's size.

    No saving when either size is unknown, or when the new base is not smaller.
    """
    before = image_profile(dockerfile)
    if before.base_size_mb is None or before.final_base is None:
        return []  # nothing to subtract from: no fix is applied at all
    savings = []
    for change in base_changes(dockerfile, diagnostics, before):
        saving = saving_of(before, change)
        if saving is not None and saving.saving_mb > 0:
            savings.append(saving)
    return savings


def saving_of(before: ImageProfile, change: BaseChange) -> Saving | None:
    """The saving of one base change, positive or not; None when a size is unknown."""
    after = change.after
    if before.base_size_mb is None or after.base_size_mb is None:
        return None
    assert before.final_base is not None and after.final_base is not None
    return Saving(
        change.diagnostic.code,
        change.line,
        before.final_base,
        after.final_base,
        round(before.base_size_mb - after.base_size_mb, 1),
        f"{before.final_base}: {before.size_basis}; {after.final_base}: {after.size_basis}",
        before.base_size_mb,
        after.base_size_mb,
    )


def _base_regions(dockerfile: Dockerfile) -> list[Span]:
    """The text that decides base images: each FROM instruction, and the global ARGs before the first."""
    froms = [instruction.span for instruction in dockerfile.instructions if instruction.keyword == "FROM"]
    if not froms:
        return []
    return [Span(0, froms[0].start), *froms]


def _touches_base(fix: Fix, regions: list[Span]) -> bool:
    for edit in fix.edits:
        start, end = edit.span.start, edit.span.end
        if _FROM_LINE.search(edit.content):
            return True
        for region in regions:
            inside = start < region.end and region.start < end if start < end else region.start < start < region.end
            if inside:
                return True
    return False

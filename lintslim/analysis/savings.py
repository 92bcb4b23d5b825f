"""Estimated image sizes: what a Dockerfile's final base weighs, and what a finding's fix would save.

Every figure is an estimate from the knowledge base's sourced sizes (`size_mb` in base_images.toml,
uncompressed, linux/amd64, with the source and date it came from).  An image the knowledge base has
no size for gives no figure: never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lintslim.engine.rule import Diagnostic
from lintslim.knowledge.images import ImageFacts, image_facts, knowledge_base
from lintslim.syntax.nodes import Dockerfile
from lintslim.syntax.parser import parse

MINIMAL_FAMILIES = frozenset({"scratch", "distroless", "chainguard", "alpine", "busybox"})


@dataclass(frozen=True)
class Saving:
    """An estimated saving in the final image's size if a finding's fix is applied."""

    code: str  # the finding's rule
    line: int
    from_image: str  # the final base before the fix
    to_image: str  # and after it
    saving_mb: float
    basis: str  # where both sizes come from (sources and dates): the figure is an estimate


@dataclass(frozen=True)
class ImageProfile:
    """What the file builds, as far as the knowledge base knows."""

    final_base: str | None  # the root image of the final stage, None when it cannot be resolved
    multi_stage: bool  # more than one stage contributes to the final image
    minimal_base: bool | None  # scratch, static, distroless, slim or alpine; None when the base is unknown
    base_size_mb: float | None = None  # the final base's size, when the knowledge base has a sourced figure
    size_basis: str | None = None  # the source (and date) of that figure


def size_basis(facts: ImageFacts) -> str:
    """The sources behind an image's size, as the knowledge base words them."""
    sources = knowledge_base().sources
    return "; ".join(sources.get(key, key) for key in facts.sources) or facts.id


def is_minimal(facts: ImageFacts) -> bool:
    return facts.family in MINIMAL_FAMILIES or facts.libc == "musl" or "slim" in facts.id


def image_profile(dockerfile: Dockerfile) -> ImageProfile:
    graph = dockerfile.graph
    final = graph.final
    if final is None:
        return ImageProfile(None, False, None)
    image = graph.root_image(final)
    facts = image_facts(image)
    multi_stage = len(graph.reaching(final)) > 1
    if facts is None:
        return ImageProfile(image.familiar if image else None, multi_stage, None)
    size = facts.size_mb
    return ImageProfile(
        image.familiar if image else None,
        multi_stage,
        is_minimal(facts),
        size,
        size_basis(facts) if size is not None else None,
    )


def estimate_savings(dockerfile: Dockerfile, diagnostics: Sequence[Diagnostic]) -> list[Saving]:
    """For each finding whose fix changes the final base: the base's size less the new base's size."""
    before = image_profile(dockerfile)
    if before.base_size_mb is None or before.final_base is None:
        return []
    savings = []
    for diagnostic in diagnostics:
        if diagnostic.fix is None or not diagnostic.fix.edits:
            continue
        after = image_profile(parse(diagnostic.fix.apply(dockerfile.text), dockerfile.path, dockerfile.build_args))
        if after.final_base in (None, before.final_base) or after.base_size_mb is None:
            continue
        saved = round(before.base_size_mb - after.base_size_mb, 1)
        if saved > 0:
            line = dockerfile.lines.position(diagnostic.span.start).line
            basis = f"{before.final_base}: {before.size_basis}; {after.final_base}: {after.size_basis}"
            savings.append(Saving(diagnostic.code, line, before.final_base, after.final_base, saved, basis))
    return savings

"""Estimated image sizes: what a Dockerfile's final base weighs, and what a finding's fix would save.

Every figure is an estimate from the knowledge base's sourced sizes (`size_mb` in base_images.toml:
uncompressed, on disk, linux/amd64, with the source, the date and the exact image measured).  An
image the knowledge base has no size for gives no figure: never a guess.  Only the base image is
counted: the layers a Dockerfile adds on top are not, so a fix that drops a build stage's layers
saves more than its estimate.

Two kinds of saving: "fix", from applying a finding's fix and reading the new final base; and
"suggested", for an LS101 or LS102 finding that has no base-changing fix (no build context to read,
an artifact lintslim cannot place) while the final stage runs on a known toolchain image: the
saving if the final stage ran on the runtime the fixes suggest for that image, when that runtime
follows from what is known (the image's language, or the linkage the artifact model worked out).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from lintslim.analysis.artifacts import Artifacts, analyze, cached_artifacts
from lintslim.engine.fixes import Fix
from lintslim.engine.rule import Diagnostic
from lintslim.knowledge.images import ImageFacts, image_facts, knowledge_base
from lintslim.knowledge.runtime import runtime_image
from lintslim.syntax.image import ImageRef, parse_image
from lintslim.syntax.nodes import Dockerfile
from lintslim.syntax.parser import parse
from lintslim.syntax.source import Span

MINIMAL_FAMILIES = frozenset({"scratch", "distroless", "chainguard", "alpine", "busybox"})
_FROM_LINE = re.compile(r"^[ \t]*FROM[ \t]", re.IGNORECASE | re.MULTILINE)  # a fix that adds a stage
# The rules whose findings say "the final image ships a toolchain", and so suggest a runtime base.
SUGGESTING_RULES = frozenset({"LS101", "LS102"})
# Languages whose runtime image follows from the toolchain image alone (knowledge/runtime.py).
_LANGUAGE_RUNTIMES = {"python": "Python", "node": "Node.js", "java": "Java", "dotnet": ".NET"}
# Languages whose runtime depends on how the binaries are linked (static or glibc).
_LINKED_LANGUAGES = frozenset({"go", "rust", "c"})
_LINKAGE_WORDS = {"static": "statically linked binaries", "glibc": "glibc-linked binaries"}


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
    # "fix": the finding's fix changes the base to `to_image`; "suggested": the finding has no such
    # fix, and `to_image` is the runtime the rule suggests for the toolchain image (see `Suggestion`)
    kind: str = "fix"

    def masked(self, scrub: Callable[[str], str]) -> Saving:
        """The saving with secrets scrubbed from the image names (an `ARG` default may be one)."""
        return replace(self, from_image=scrub(self.from_image), to_image=scrub(self.to_image), basis=scrub(self.basis))


@dataclass(frozen=True)
class ImageProfile:
    """What the file builds, as far as the knowledge base knows."""

    final_base: str | None  # the final stage's root image as written (`golang:1.22`); None when unresolved
    multi_stage: bool  # more than one stage contributes to the final image
    minimal_base: bool | None  # a small runtime base (`is_minimal`); None when the base is unknown
    base_size_mb: float | None = None  # the final base's size, when the knowledge base has a sourced figure
    size_basis: str | None = None  # the source, figure and date of that size

    def masked(self, scrub: Callable[[str], str]) -> ImageProfile:
        """The profile with secrets scrubbed from the base's name and basis (an `ARG` default may be one)."""
        return replace(
            self,
            final_base=scrub(self.final_base) if self.final_base is not None else None,
            size_basis=scrub(self.size_basis) if self.size_basis is not None else None,
        )


@dataclass(frozen=True)
class BaseChange:
    """A finding whose fix gives the file another final base image."""

    diagnostic: Diagnostic
    line: int  # 1-based line of the finding
    after: ImageProfile  # the file as the fix leaves it


@dataclass(frozen=True)
class Suggestion:
    """An LS101/LS102 finding without a base-changing fix, and the runtime base its rule suggests."""

    diagnostic: Diagnostic
    line: int
    runtime: ImageProfile  # the suggested runtime image as the final base
    why: str  # what the runtime suits: "Python", "statically linked binaries (CGO_ENABLED=0)"


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
    """A small runtime base: scratch, distroless, Chainguard, Alpine, busybox, a musl or `-slim` image.

    Never a toolchain, however small its family (`golang:alpine`, `cgr.dev/chainguard/go`): shipping
    one is what LS101 and LS102 report.
    """
    if facts.is_toolchain:
        return False
    slim = "slim" in facts.id or "slim" in facts.key.rpartition(":")[2].split("-")  # `debian:bookworm-slim`
    return facts.family in MINIMAL_FAMILIES or facts.libc == "musl" or slim


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
    return _profile_of(image, multi_stage)


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


def estimate_savings(
    dockerfile: Dockerfile, diagnostics: Sequence[Diagnostic], before: ImageProfile | None = None
) -> list[Saving]:
    """For each finding whose fix changes the final base: the base's size less the new base's size.

    When no fix changes the base, one "suggested" saving for the first LS101/LS102 finding whose
    toolchain base has a runtime that follows from what is known (`suggestion`); one per file,
    since the base can only change once.  No saving when either size is unknown, or when the new
    base is not smaller.
    """
    before = before or image_profile(dockerfile)
    if before.base_size_mb is None or before.final_base is None:
        return []  # nothing to subtract from: no fix is applied at all
    changes = base_changes(dockerfile, diagnostics, before)
    savings = [saving for change in changes if (saving := saving_of(before, change)) is not None]
    if not changes and (suggested := suggestion(dockerfile, diagnostics)) is not None:
        savings += [saving for saving in (suggested_saving(before, suggested),) if saving is not None]
    return [saving for saving in savings if saving.saving_mb > 0]


def saving_of(before: ImageProfile, change: BaseChange) -> Saving | None:
    """The saving of one base change, positive or not; None when a size is unknown."""
    return _saving(change.diagnostic.code, change.line, before, change.after, "fix", "")


def _saving(code: str, line: int, before: ImageProfile, after: ImageProfile, kind: str, why: str) -> Saving | None:
    """`before`'s base size less `after`'s, with both bases' basis (after `why`); None when a size is unknown."""
    if before.base_size_mb is None or after.base_size_mb is None:
        return None
    assert before.final_base is not None and after.final_base is not None
    basis = f"{why}{before.final_base}: {before.size_basis}; {after.final_base}: {after.size_basis}"
    saved = round(before.base_size_mb - after.base_size_mb, 1)
    return Saving(
        code, line, before.final_base, after.final_base, saved, basis, before.base_size_mb, after.base_size_mb, kind
    )


def suggestion(dockerfile: Dockerfile, diagnostics: Sequence[Diagnostic]) -> Suggestion | None:
    """The runtime an LS101/LS102 finding without a base-changing fix suggests, if one follows.

    Only when the final stage's root image is a known toolchain image.  For Python, Node.js, Java
    and .NET images the runtime follows from the image (`python:3.12` → `python:3.12-slim`); for
    Go, Rust and C it follows from how the final image's binaries are linked, when the artifact
    model knows (static → distroless/static, glibc → distroless/cc): otherwise None, never a guess.
    Callers check first that no fix changes the base (`base_changes`).
    """
    findings = sorted((d for d in diagnostics if d.code in SUGGESTING_RULES), key=lambda d: d.span.start)
    graph = dockerfile.graph
    final = graph.final
    if not findings or final is None:
        return None
    image = graph.root_image(final)
    facts = image_facts(image)
    if facts is None or not facts.is_toolchain or facts.language is None:
        return None
    if facts.language in _LANGUAGE_RUNTIMES:
        runtime, why = runtime_image(image, facts.language), _LANGUAGE_RUNTIMES[facts.language]
    elif facts.language in _LINKED_LANGUAGES:
        runtime, why = _runtime_by_linkage(dockerfile, final.index)
    else:
        return None
    parsed = parse_image(runtime) if runtime is not None else None
    if parsed is None:
        return None
    finding = findings[0]
    line = dockerfile.lines.position(finding.span.start).line
    return Suggestion(finding, line, _profile_of(parsed), why)


def suggested_saving(before: ImageProfile, suggested: Suggestion) -> Saving | None:
    """The saving if the final stage ran on the suggested runtime, positive or not; None when a size is unknown."""
    code, after = suggested.diagnostic.code, suggested.runtime
    why = f"no fix; if the final stage ran on {after.final_base}, the runtime {code} suggests for {suggested.why}; "
    return _saving(code, suggested.line, before, after, "suggested", why)


def _profile_of(image: ImageRef, multi_stage: bool = False) -> ImageProfile:
    """An image as a final base: its label, whether it is minimal, its size and the size's basis."""
    facts = image_facts(image)
    if facts is None:
        return ImageProfile(image_label(image), multi_stage, None)
    basis = size_basis(facts)
    size = facts.size_mb if basis is not None else None
    return ImageProfile(image_label(image), multi_stage, is_minimal(facts), size, basis)


def _runtime_by_linkage(dockerfile: Dockerfile, stage: int) -> tuple[str | None, str]:
    """distroless/static or distroless/cc when every binary in the stage has that one known linkage."""
    binaries = _artifact_model(dockerfile).in_stage(stage)
    linkages = {binary.linkage for binary in binaries}
    if len(linkages) != 1:
        return None, ""  # no binary known, or binaries that need different runtimes
    linkage = linkages.pop()
    if linkage not in _LINKAGE_WORDS:
        return None, ""  # unknown, or linked against musl: no runtime is suggested for that
    reasons = "; ".join(dict.fromkeys(binary.reason for binary in binaries if binary.reason))
    why = _LINKAGE_WORDS[linkage] + (f" ({reasons})" if reasons else "")
    return runtime_image(None, linkage), why


def _artifact_model(dockerfile: Dockerfile) -> Artifacts:
    """The artifact model the rules worked out for this document (with the build context they read),
    else one read from the Dockerfile alone."""
    cached = cached_artifacts(dockerfile)
    return cached if cached is not None else analyze(dockerfile)


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

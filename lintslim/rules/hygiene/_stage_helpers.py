"""What the base image, stage and USER rules share: where a stage is referenced, and name matching."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from typing import NamedTuple

from lintslim.syntax.nodes import Dockerfile, Flag, Instruction, Token
from lintslim.syntax.source import Span
from lintslim.syntax.stages import BuildGraph, Resolved, Stage

# Docker Hub as hadolint's `trustedRegistries` names it: either name allows short names (`python:3.12`).
DOCKER_HUB_NAMES = ("docker.io", "hub.docker.com")
_MEMO_KEY = ("hygiene-stage-references",)


class Reference(NamedTuple):
    """`COPY --from=<ref>` or `RUN --mount=…,from=<ref>`: a word naming a stage or an image."""

    instruction: Instruction
    stage: Stage  # the stage the instruction is in
    text: str  # as written
    span: Span  # where `text` is in the source
    resolved: Resolved
    target: Stage | None  # the stage it names, wherever it is defined (None: an image or unknown)

    @property
    def is_index(self) -> bool:
        return self.resolved.complete and self.resolved.value.isdigit()


def source(dockerfile: Dockerfile, span: Span) -> str:
    return dockerfile.text[span.start : span.end]


def image_token(stage: Stage) -> Token | None:
    """The FROM's base image word (`python:3.12` in `FROM python:3.12 AS build`)."""
    args = stage.from_instruction.args
    return args[0] if args else None


def name_token(stage: Stage) -> Token | None:
    """The stage name word of `FROM image AS name`, as written."""
    args = stage.from_instruction.args
    return args[2] if stage.name is not None and len(args) == 3 else None


def stage_references(graph: BuildGraph) -> tuple[Reference, ...]:
    """Every `--from` of the file (ONBUILD triggers left out: they run in another build), once per document."""
    memo = graph.dockerfile.memo
    found = memo.get(_MEMO_KEY)
    if found is None:
        found = memo[_MEMO_KEY] = tuple(_references(graph))
    assert isinstance(found, tuple)
    return found


def _references(graph: BuildGraph) -> Iterable[Reference]:
    dockerfile = graph.dockerfile
    by_name: dict[str, list[int]] = {}  # stage name to the indexes of the stages with that name, in order
    for stage in graph.stages:
        if stage.name is not None:
            by_name.setdefault(stage.name, []).append(stage.index)
    for stage in graph.stages:
        for instruction in stage.instructions[1:]:
            for text, span in _reference_words(dockerfile, instruction):
                resolved = graph.resolve(text, instruction)
                target = _named_stage(graph, by_name, resolved, stage)
                yield Reference(instruction, stage, text, span, resolved, target)


def _reference_words(dockerfile: Dockerfile, instruction: Instruction) -> Iterable[tuple[str, Span]]:
    for flag in instruction.flags:
        if flag.name == "from" and flag.value and flag.value_span is not None:
            yield flag.value, flag.value_span
        elif flag.name == "mount":
            found = mount_from(dockerfile, flag)
            if found is not None:
                yield found


def mount_from(dockerfile: Dockerfile, flag: Flag) -> tuple[str, Span] | None:
    """The `from=` option of a `--mount` flag and its place in the source (None when absent or not plain)."""
    if flag.value_span is None:
        return None
    written = source(dockerfile, flag.value_span)
    offset = flag.value_span.start
    for part in written.split(","):
        key, equals, value = part.partition("=")
        if equals and key.strip().lower() == "from" and value.strip():
            start = offset + len(key) + 1 + (len(value) - len(value.lstrip()))
            return value.strip(), Span(start, start + len(value.strip()))
        offset += len(part) + 1
    return None


def _named_stage(graph: BuildGraph, by_name: dict[str, list[int]], resolved: Resolved, current: Stage) -> Stage | None:
    """The stage a reference names: by index, else by name (case-insensitive), the nearest earlier stage
    first (`by_name`: each name's stage indexes in order, so a file with many references stays linear)."""
    if not resolved.complete:
        return None
    value = resolved.value
    if value.isdigit():
        index = int(value)
        return graph.stages[index] if index < len(graph.stages) else None
    named = by_name.get(value.lower())
    if not named:
        return None
    earlier = bisect.bisect_right(named, current.index)
    return graph.stages[named[earlier - 1] if earlier else named[0]]


def builds_on_windows(graph: BuildGraph, stage: Stage) -> bool:
    """Whether a stage builds on a Windows image (by the root image's name or a `--platform` of its chain);
    see `BuildGraph.builds_on_windows`, the one test the rules and the ShellCheck analysis share."""
    return graph.builds_on_windows(stage)


def edit_distance(first: str, second: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from one short name to another."""
    rows = [list(range(len(second) + 1))]
    for i, left in enumerate(first, 1):
        row = [i]
        for j, right in enumerate(second, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (left != right)))
            if i > 1 and j > 1 and left == second[j - 2] and first[i - 2] == right:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def looks_like(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate `name` is probably a misspelling of: one edit away, or one a prefix of the other."""
    lowered = name.lower()
    for candidate in candidates:
        other = candidate.lower()
        if other == lowered:
            continue
        close = len(lowered) >= 3 and edit_distance(lowered, other) <= 1
        prefix = min(len(lowered), len(other)) >= 4 and (other.startswith(lowered) or lowered.startswith(other))
        if close or prefix:
            return candidate
    return None


def variable_span(dockerfile: Dockerfile, span: Span, name: str) -> Span:
    """Where `$name` or `${name…}` is written inside `span`; the whole span when it cannot be found."""
    written = source(dockerfile, span)
    name = re.escape(name)
    match = re.search(r"\$(?:\{" + name + r"(?!\w)[^}]*\}?|" + name + r"(?!\w))", written, re.ASCII)
    if match is None:
        return span
    return Span(span.start + match.start(), span.start + match.end())


# The ARGs BuildKit declares for every FROM (`defaultArgs`), with the values of a linux/amd64 build.
BUILDKIT_FROM_ARGS = {
    "BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDOSVERSION": "", "BUILDARCH": "amd64",
    "BUILDVARIANT": "", "TARGETPLATFORM": "linux/amd64", "TARGETOS": "linux", "TARGETOSVERSION": "",
    "TARGETARCH": "amd64", "TARGETVARIANT": "", "TARGETSTAGE": "",
}  # fmt: skip


def global_args(dockerfile: Dockerfile) -> list[tuple[str, str | None]]:
    """The ARGs declared before the first FROM, in order, with their defaults as written (None: no default)."""
    declared: list[tuple[str, str | None]] = []
    for instruction in dockerfile.instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG":
            declared += [(pair.key.value, pair.value.value if pair.value else None) for pair in instruction.key_values]
    return declared

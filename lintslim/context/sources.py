"""The sources that COPY and ADD take from the build context, with variables resolved."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lintslim.analysis.paths import REMOTE
from lintslim.context.build_context import climbs_above_root, context_path
from lintslim.syntax.nodes import Dockerfile, Instruction, Token
from lintslim.syntax.stages import mount_options

WHOLE_CONTEXT = frozenset({".", "*"})  # `COPY . /app`, `COPY ./ /app`, `COPY * /app/`


@dataclass(frozen=True)
class ContextSource:
    """One source word of a COPY or ADD that reads the build context."""

    instruction: Instruction
    token: Token  # the word as written, with its span
    path: str  # resolved and relative to the context root: `./app/` is `app`, `.` is the whole context
    excludes: tuple[str, ...] = ()  # `--exclude` patterns of the instruction
    resolved: str = ""  # the word with its variables resolved, before BuildKit's cleaning (`../etc/passwd`)

    @property
    def climbs_out(self) -> bool:
        """Whether the path as written goes above the context root with `..` (`../x`, `a/../../x`,
        `/../x`); BuildKit cleans such a path back inside the root (`path` is where it lands)."""
        return climbs_above_root(self.resolved)

    @property
    def is_whole_context(self) -> bool:
        return self.path in WHOLE_CONTEXT

    @property
    def keyword(self) -> str:
        return self.instruction.keyword


def context_sources(dockerfile: Dockerfile) -> Iterator[ContextSource]:
    """Sources of COPY and ADD read from the context: not `--from`, URLs, git, heredocs or ONBUILD
    triggers (which run in another build, with its own context).  Words with a variable lintslim
    cannot resolve are left out: what they name is unknown."""
    graph = dockerfile.graph
    for instruction in dockerfile.instructions:
        if instruction.keyword not in ("COPY", "ADD") or instruction.flag("from") is not None:
            continue
        heredocs = {heredoc.name for heredoc in instruction.heredocs}
        excludes = tuple(flag.value for flag in instruction.flags_named("exclude") if flag.value)
        for token in instruction.args[:-1]:
            if heredocs and token.value.startswith("<<"):
                continue
            resolved = graph.resolve(token.value, instruction)
            if not resolved.complete or not resolved.value or REMOTE.match(resolved.value):
                continue
            yield ContextSource(instruction, token, context_path(resolved.value), excludes, resolved.value)


def bind_mount_sources(dockerfile: Dockerfile) -> Iterator[str]:
    """Context paths that `RUN --mount=type=bind,source=…` (without `from=`) reads."""
    graph = dockerfile.graph
    for instruction in dockerfile.instructions:
        if instruction.keyword != "RUN":
            continue
        for flag in instruction.flags_named("mount"):
            options = mount_options(flag)
            if options.get("type") != "bind" or "from" in options:
                continue
            source = options.get("source", options.get("src", "."))
            resolved = graph.resolve(source, instruction)
            if resolved.complete:
                yield context_path(resolved.value)

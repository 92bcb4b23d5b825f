from __future__ import annotations

import re
from collections.abc import Iterator

from lintslim.analysis.artifacts import Artifacts, artifacts
from lintslim.engine.rule import Diagnostic, Rule, RuleContext, Severity
from lintslim.rules._wording import and_list
from lintslim.rules.runtime._shared import STATIC_SUGGESTION, env_setting, provides, runnable_scratch_images
from lintslim.syntax.nodes import Instruction
from lintslim.syntax.source import Span
from lintslim.syntax.stages import BuildGraph, Stage

_ZONEINFO = re.compile(r"zoneinfo|tzdata|localtime")
_ZONEINFO_DIRECTORIES = ("/usr", "/usr/share", "/usr/share/zoneinfo")
_ACCOUNTS = re.compile(r"passwd|(^|/)group$")
_ACCOUNT_DIRECTORIES = ("/etc",)
# Values of TZ that mean UTC whether or not zone files exist (Go and glibc fall back to UTC).
_UTC = frozenset({"", "UTC", "UTC0", ":UTC", "Etc/UTC", "GMT", "Etc/GMT", "Universal", "Zulu"})


class ScratchMissingRuntimeFiles(Rule):
    """An image built `FROM scratch` needs a file that `scratch` lacks: zone data or `/etc/passwd`.

    ## What it does
    In an image stage that builds on `scratch` and says what to run (`ENTRYPOINT` or `CMD`), flags:

    - `ENV TZ=<zone>` (anything but UTC) when no copy brings `/usr/share/zoneinfo` and `ZONEINFO`
      is not set;
    - the image's `USER` when it names a user or group instead of numeric ids, and
      `COPY --chown`/`ADD --chown` with a name, when no copy brings `/etc/passwd` (or
      `/etc/group`) before it.

    Copies whose content cannot be known (an archive `ADD` unpacks, a whole filesystem) count as
    bringing the file.

    ## Why is this bad?
    `scratch` is empty.  Without `/usr/share/zoneinfo` a program cannot load the zone in `TZ` and
    silently runs in UTC (Go's `time.LoadLocation` fails too).  Without `/etc/passwd` a user name
    cannot be resolved: `USER app` makes the container fail to start (`unable to find user app`)
    and `COPY --chown=app` fails the build.  Go programs can embed zone data (`import _
    "time/tzdata"` or `-tags timetzdata`), which lintslim cannot see: ignore the TZ finding then.

    Use a numeric `USER 65532:65532`, copy `/etc/passwd` and `/usr/share/zoneinfo` from a build
    stage, or build on `gcr.io/distroless/static-debian13` or `cgr.dev/chainguard/static`, which
    have both and a `nonroot` user.
    """

    code = "LS302"
    name = "scratch-missing-runtime-files"
    severity = Severity.INFO

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        found = artifacts(ctx)
        seen: set[tuple[int, int]] = set()
        for stage in runnable_scratch_images(graph):
            for diagnostic in (*self._time_zone(graph, stage, found), *self._accounts(graph, stage, found)):
                key = (diagnostic.span.start, diagnostic.span.end)
                if key not in seen:  # two images sharing a stage share its findings
                    seen.add(key)
                    yield diagnostic

    def _time_zone(self, graph: BuildGraph, stage: Stage, found: Artifacts) -> Iterator[Diagnostic]:
        setting = env_setting(graph, stage, "TZ")
        if setting is None:
            return
        _, pair, value = setting
        if value is None or value in _UTC or value.startswith((":", "/")):
            return  # unknown, UTC, or a file path rather than a zone name
        if env_setting(graph, stage, "ZONEINFO") is not None:
            return
        if provides(graph, stage, _ZONEINFO, _ZONEINFO_DIRECTORIES, found=found):
            return
        assert pair.value is not None
        yield self.report(
            Span(pair.key.span.start, pair.value.span.end),
            f"`TZ={value}` needs `/usr/share/zoneinfo`, which `scratch` lacks: the program will run in UTC "
            f"(copy the zone files from a build stage, or build on {STATIC_SUGGESTION})",
        )

    def _accounts(self, graph: BuildGraph, stage: Stage, found: Artifacts) -> Iterator[Diagnostic]:
        instructions = graph.chain_instructions(stage)
        users = [instruction for instruction in instructions if instruction.keyword == "USER"]
        if users and users[-1].rest is not None:
            user = users[-1]
            names = _names(graph, user, user.rest.value if user.rest else "")
            if names and not provides(graph, stage, _ACCOUNTS, _ACCOUNT_DIRECTORIES, found=found):
                yield self._account_report(user, names, at_run_time=True)
        for instruction in instructions:
            flag = instruction.flag("chown") if instruction.keyword in ("COPY", "ADD") else None
            if flag is None or flag.value is None:
                continue
            names = _names(graph, instruction, flag.value)
            if names and not provides(graph, stage, _ACCOUNTS, _ACCOUNT_DIRECTORIES, before=instruction, found=found):
                yield self._account_report(instruction, names, at_run_time=False, span=flag.span)

    def _account_report(
        self, instruction: Instruction, names: list[tuple[str, str]], *, at_run_time: bool, span: Span | None = None
    ) -> Diagnostic:
        shown = and_list([f"{kind} `{name}`" for kind, name in names])
        files = and_list([f"`/etc/{'passwd' if kind == 'user' else 'group'}`" for kind, _ in names])
        if at_run_time:
            outcome = "the container will fail to start"
            where = instruction.rest.span if instruction.rest is not None else instruction.span
        else:
            outcome = "the build will fail"
            where = span or instruction.span
        return self.report(
            where,
            f"{shown[0].upper()}{shown[1:]} must be looked up in {files}, which `scratch` lacks: {outcome} "
            f"(use numeric ids such as `65532:65532`, copy the files from a build stage, or build on "
            f"{STATIC_SUGGESTION})",
        )


def _names(graph: BuildGraph, instruction: Instruction, spec: str) -> list[tuple[str, str]]:
    """The user and group names (not numeric ids) of a `user[:group]` spec; [] when unknown or numeric."""
    resolved = graph.resolve(spec, instruction)
    if not resolved.complete:
        return []
    parts = zip(("user", "group"), resolved.value.split(":", 1), strict=False)
    return [(kind, part) for kind, part in parts if part and not part.isdigit()]

"""USER rules: the user an image runs as (LS524, LS525)."""

from __future__ import annotations

from collections.abc import Iterator

from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.knowledge.images import stage_facts
from lintslim.rules.hygiene._stage_helpers import builds_on_windows, source
from lintslim.syntax.nodes import Instruction
from lintslim.syntax.source import Span
from lintslim.syntax.stages import BuildGraph, Stage


def effective_users(graph: BuildGraph) -> Iterator[tuple[Stage, Instruction, str]]:
    """For each stage that can become an image: its last `USER` (inherited from the stages it builds on)
    and the user part of its value, ARGs and ENV resolved.  Each USER once; unresolvable ones left out."""
    seen: set[int] = set()
    last_users = _last_users(graph)
    for stage in graph.images():
        user = last_users[stage.index]
        if user is None or user.rest is None or user.index in seen:
            continue
        seen.add(user.index)
        resolved = graph.resolve(user.rest.value, user)
        if resolved.complete and resolved.value:
            yield stage, user, resolved.value.split(":", 1)[0]


def _last_users(graph: BuildGraph) -> list[Instruction | None]:
    """Per stage, the last `USER` of the stage or, failing that, of the stages it builds on.

    One pass in file order (a stage builds only on an earlier one): walking each image's whole chain
    was quadratic when many image stages build on one long chain.
    """
    found: list[Instruction | None] = []
    for stage in graph.stages:
        base = stage.base_stage
        inherited = found[base] if base is not None and base < stage.index else None
        own = [instruction for instruction in stage.instructions if instruction.keyword == "USER"]
        found.append(own[-1] if own else inherited)
    return found


def is_root(user: str) -> bool:
    return user == "root" or (user.isdigit() and int(user) == 0)


class LastUserRoot(Rule):
    """The image runs as root: its last `USER` is root.

    ## What it does
    Flags the last `USER` of an image when it is `root` or UID 0 (`USER root`, `USER 0`,
    `USER root:root`, `USER 0:0`, or an ARG or ENV that resolves to one of them).  Only stages that
    can become images are checked, with the `USER` they inherit from the stages they build on:
    the final stage, and any stage no other stage builds on or copies from (a `--target`).  Build
    stages whose files are copied out are not the image (hadolint's DL3002 flags them, issues #405
    and #1068).

    A Dockerfile without any `USER` runs as its base image's user, which is not this rule's
    business: many base images run as root, and which user is right depends on the application.
    When the base image is known to run as another user, the message says so.

    ## Why is this bad?
    A process running as root in the container is root on files it can reach from the host:
    a breakout or a mounted volume turns an application bug into a host compromise, and
    Kubernetes' `runAsNonRoot` refuses to start the image.

    No fix: the user must exist in the image and own the files the application writes, which
    only the Dockerfile's author knows.
    """

    code = "LS524"
    name = "last-user-root"
    severity = Severity.WARNING
    aliases = ("DL3002",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        for stage, user, name in effective_users(graph):
            if not is_root(name):
                continue
            assert user.rest is not None
            facts = stage_facts(graph, stage)
            base_user = facts.user if facts is not None and facts.user and not is_root(facts.user) else None
            note = f" (the base image runs as `{base_user}`)" if base_user else ""
            written = f"`{user.rest.value}`" if "$" not in user.rest.value else f"`{user.rest.value}` (`{name}`)"
            yield self.report(user.rest.span, f"The image runs as root: the last `USER` is {written}{note}")


class NonNumericUser(Rule):
    """The image's user is a name, not a numeric UID.

    ## What it does
    Opt-in.  Flags the last `USER` of an image (see `last-user-root` for which stages count) when
    its user part is a name (`USER app`, `USER app:1000`) rather than a UID (`USER 10001`).  Windows
    images are left alone: their users (`ContainerUser`) have no numeric ID.

    ## Why is this bad?
    Kubernetes' `runAsNonRoot` can only verify a numeric UID: with a name it refuses to start the
    pod ("image has non-numeric user, cannot verify user is non-root").  The host and volume
    permissions also see UIDs, not the names in the image's `/etc/passwd`.

    ## Fix safety
    `USER root` becomes `USER 0`: safe, root is always UID 0.  A user the base image is known to
    define (distroless `nonroot` is 65532) becomes its UID: unsafe, because a `RUN usermod` in
    the Dockerfile could have changed it.  Other names need a person.
    """

    code = "LS525"
    name = "non-numeric-user"
    severity = Severity.INFO
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3066",)
    default_enabled = False

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        for stage, user, name in effective_users(graph):
            if name.isdigit() or builds_on_windows(graph, stage):
                continue  # Windows users (`ContainerUser`) have no numeric UID
            yield self.report(
                _user_span(ctx.dockerfile.text, user),
                f"`USER {name}` is a name: `runAsNonRoot` and the host only understand a numeric UID",
                fix=self._fix(graph, stage, user, name),
            )

    @staticmethod
    def _fix(graph: BuildGraph, stage: Stage, user: Instruction, name: str) -> Fix | None:
        span = _user_span(graph.dockerfile.text, user)
        if source(graph.dockerfile, span) != name:
            return None  # written through a variable: the fix would have to change the ARG or ENV
        if name == "root":
            return Fix.safe("Use UID `0`", Edit.replace(span, "0"))
        facts = stage_facts(graph, stage)
        if facts is None or facts.user != name or facts.uid is None:
            return None
        return Fix.unsafe(f"Use UID `{facts.uid}`", Edit.replace(span, str(facts.uid)))


def _user_span(text: str, user: Instruction) -> Span:
    """The user part of `USER user[:group]` as written."""
    assert user.rest is not None
    span = user.rest.span
    if "$" in text[span.start : span.end]:
        return span
    colon = text.find(":", span.start, span.end)
    return Span(span.start, colon) if colon > span.start else span

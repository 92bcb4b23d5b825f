"""Base image rules: tags, registries, `--platform` and ARGs in FROM (LS510–LS514, LS521, LS522)."""

from __future__ import annotations

from collections.abc import Iterator

from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Option, Rule, RuleContext, Severity
from lintslim.rules.hygiene._stage_helpers import (
    BUILDKIT_FROM_ARGS,
    DOCKER_HUB_NAMES,
    global_args,
    image_token,
    looks_like,
    source,
    stage_references,
    variable_span,
)
from lintslim.syntax.image import ImageRef, parse_image
from lintslim.syntax.nodes import Dockerfile, Flag
from lintslim.syntax.shellwords import ShellWordError, process_word, referenced_variables
from lintslim.syntax.source import Span
from lintslim.syntax.stages import BuildGraph, Stage

# Go's platform names for the spellings people write (containerd's platforms.Normalize).
_ARCH_NAMES = {"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "armhf": "arm", "armel": "arm", "i386": "386"}
_OS_NAMES = frozenset({"linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris", "illumos", "aix"})


def pulled_images(graph: BuildGraph) -> Iterator[tuple[str, Span, ImageRef]]:
    """Every image the build pulls, as written, where, and parsed: FROM bases, then `--from` images.

    Stage references, `scratch` and words with variables lintslim cannot resolve are left out.
    """
    for stage in graph.stages:
        token = image_token(stage)
        if token is not None and stage.image is not None and not stage.image.is_scratch:
            yield token.value, token.span, stage.image
    for reference in stage_references(graph):
        if reference.target is not None or reference.is_index or not reference.resolved.complete:
            continue
        image = parse_image(reference.resolved.value)
        if image is not None and not image.is_scratch and not likely_stage_typo(graph, reference.resolved.value):
            yield reference.text, reference.span, image


def likely_stage_typo(graph: BuildGraph, word: str) -> str | None:
    """The stage a bare `--from` word (no tag, registry or path) probably meant to name."""
    if any(ch in word for ch in ":/@."):
        return None
    return looks_like(word, [stage.name for stage in graph.stages if stage.name is not None])


def _shown(written: str, image: ImageRef) -> str:
    """`python`, or `${IMAGE}` (`python`) when the word went through an ARG."""
    return f"`{written}`" if written == image.raw else f"`{written}` (`{image.raw}`)"


class UntaggedImage(Rule):
    """An image is pulled without a tag or digest.

    ## What it does
    Flags a `FROM` base image, and an image named by `COPY --from` or `RUN --mount=from=`, that
    has neither a tag nor a digest.  Variables are resolved first: `FROM ${IMAGE}` whose global
    `ARG IMAGE=python:3.12` has a tag is tagged (hadolint reports such lines, issues #219, #858,
    #979, #1078, or skips every variable).  Stages of the file and `scratch` are not images.  A
    base lintslim cannot resolve (`ARG IMAGE` with no default) is unknown, not untagged:
    `invalid-default-arg-in-from` (LS522) reports it.

    ## Why is this bad?
    With no tag the build pulls `latest`, which is whatever the publisher pushed last: two builds
    of the same commit can get different operating systems, runtimes and vulnerabilities.

    No fix: only a person can say which version the image should stay on (`:latest` would only
    spell out the problem).
    """

    code = "LS510"
    name = "untagged-image"
    severity = Severity.WARNING
    aliases = ("DL3006",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for written, span, image in pulled_images(ctx.graph):
            if image.tag is None and image.digest is None:
                yield self.report(span, f"Image {_shown(written, image)} has no tag: builds pull whatever `latest` is")


class LatestTag(Rule):
    """An image is pulled by its `latest` tag.

    ## What it does
    Flags a `FROM` base image, and an image named by `COPY --from` or `RUN --mount=from=`, whose tag
    is `latest`, after resolving ARGs (`FROM node:${NODE_VERSION}` with `ARG NODE_VERSION=latest`
    is flagged; hadolint does not see it).  A digest pins the image whatever the tag says, so
    `alpine:latest@sha256:…` is not flagged.

    ## Why is this bad?
    `latest` moves: every push of the publisher changes what your build gets, so builds are not
    reproducible and a major upgrade can arrive unannounced.

    No fix: pick the release you test against and write its tag.
    """

    code = "LS511"
    name = "latest-tag"
    severity = Severity.WARNING
    aliases = ("DL3007",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for written, span, image in pulled_images(ctx.graph):
            if image.tag == "latest" and image.digest is None:
                yield self.report(
                    _tag_span(ctx.dockerfile, span),
                    f"Image {_shown(written, image)} uses `latest`: pin a release tag",
                )


def _tag_span(dockerfile: Dockerfile, span: Span) -> Span:
    """The `latest` of `image:latest` when it is written there, else the whole word."""
    written = source(dockerfile, span)
    at = written.rfind(":latest")
    if at < 0 or "/" in written[at:]:
        return span
    start = span.start + at + 1
    return Span(start, start + len("latest"))


def registry_allowed(image: ImageRef, patterns: list[str]) -> bool:
    """hadolint's DL3026 matching: `*` anything, `*.example.com` a suffix, `registry.*` a prefix, else the
    exact host; Docker Hub images (no registry written) match `docker.io` or `hub.docker.com`."""
    return _registry_name_allowed(image.domain, patterns)


def _host_matches(pattern: str, host: str) -> bool:
    if pattern == "*":
        return True
    if pattern.startswith("*"):
        return host.endswith(pattern[1:])
    if pattern.endswith("*"):
        return host.startswith(pattern[:-1])
    return host == pattern


class UntrustedRegistry(Rule):
    """An image comes from a registry that is not in the trusted list.

    ## What it does
    When `trusted-registries` lists registries, flags every `FROM` base image, `COPY --from` image
    and `RUN --mount=from=` image from any other registry.  With the list empty (the default) the
    rule reports nothing.  Matching follows hadolint's `trustedRegistries`: `docker.io` or
    `hub.docker.com` allows Docker Hub's short names (`python:3.12`), `*.gcr.io` allows every host
    ending in `.gcr.io` (not `gcr.io` itself), `registry.*` a prefix and `*` everything.  Hosts are
    compared case-insensitively.  Unlike hadolint, ARGs are resolved first (`FROM ${BASE}` is
    judged by its default, hadolint issue #315); a base whose registry is written out is judged
    even when its tag comes from an ARG without a default (`public.ecr.aws/lambda/python:$RUNTIME`),
    and one whose registry is unknown (`FROM ${IMAGE}` with no default) is not flagged.

    ## Why is this bad?
    Organisations mirror and scan the images they allow; an image from elsewhere skips that
    review and can disappear or change without notice.

    ```toml
    [tool.lintslim.rules.DL3026]
    trusted-registries = ["docker.io", "*.gcr.io", "registry.example.com"]
    ```
    """

    code = "LS512"
    name = "untrusted-registry"
    severity = Severity.ERROR
    aliases = ("DL3026",)
    options = {  # noqa: RUF012 - read-only metadata, as on every rule
        "trusted-registries": Option(
            list, [], "registries images may come from (`docker.io` for Docker Hub, `*.` wildcards); empty: any"
        ),
    }

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        patterns: list[str] = ctx.options.get("trusted-registries", [])
        if not patterns:
            return
        for written, span, image in pulled_images(ctx.graph):
            if not registry_allowed(image, patterns):
                yield self.report(
                    span, f"Image {_shown(written, image)} comes from `{image.domain}`, not a trusted registry"
                )
        for stage in ctx.graph.stages:
            token = image_token(stage)
            registry = None if token is None else partial_registry(ctx.graph, stage)
            if token is not None and registry is not None and not _registry_name_allowed(registry, patterns):
                yield self.report(token.span, f"Image `{token.value}` comes from `{registry}`, not a trusted registry")


def partial_registry(graph: BuildGraph, stage: Stage) -> str | None:
    """The registry of a FROM whose tag or path uses a variable lintslim cannot resolve, when the
    registry part is known all the same (`public.ecr.aws/lambda/python:$RUNTIME`, `python:${TAG}`)."""
    token = image_token(stage)
    if token is None or stage.base.complete:
        return None
    unknown = dict.fromkeys(stage.base.unresolved, "$")  # marks where the unknown part starts
    try:
        expanded = process_word(token.value, {**graph.global_scope.values, **unknown}, escape=graph.dockerfile.escape)
        known = expanded.value.split("$", 1)[0]
    except ShellWordError:  # a malformed `${…}`: what is written before it still counts
        known = token.value.split("$", 1)[0]
    head, slash, _ = known.partition("/")
    if slash:
        return head if _is_host(head) else DOCKER_HUB_NAMES[0]
    name, colon, _ = known.partition(":")
    return DOCKER_HUB_NAMES[0] if colon and name and not _is_host(name) else None


def _is_host(component: str) -> bool:
    """Docker's rule: a first path component with a dot or a port, or `localhost`, is a registry."""
    return "." in component or ":" in component or component == "localhost"


def _registry_name_allowed(registry: str, patterns: list[str]) -> bool:
    hosts = DOCKER_HUB_NAMES if registry in ("docker.io", "index.docker.io") else (registry.lower(),)
    return any(_host_matches(pattern.lower(), host) for pattern in patterns for host in hosts)


def _platform_value(flag: Flag, escape: str) -> str | None:
    try:
        return process_word(flag.value or "", {}, escape=escape).value.strip()
    except ShellWordError:
        return None


def parse_platform(text: str) -> tuple[str, str] | None:
    """(os, architecture) of `linux/arm64/v8`, `linux` or `arm64`; None when it is not a platform."""
    parts = text.lower().split("/")
    if not all(parts) or len(parts) > 3:
        return None
    if len(parts) == 1:
        return (parts[0], "amd64") if parts[0] in _OS_NAMES else ("linux", _ARCH_NAMES.get(parts[0], parts[0]))
    return parts[0], _ARCH_NAMES.get(parts[1], parts[1])


class ConstantPlatform(Rule):
    """`FROM --platform` is a constant, in a stage whose name does not say the platform.

    ## What it does
    Flags `FROM --platform=linux/amd64` (a value with no variable) unless the stage name contains
    the platform's OS or architecture (`AS build-amd64`, `AS linux-tools`), as BuildKit's
    `FromPlatformFlagConstDisallowed` does.  hadolint's DL3029 also flags stages named for their
    platform; `--platform=$BUILDPLATFORM` (a cross-compiling stage that runs on the build machine)
    is fine for both.

    ## Why is this bad?
    A constant platform builds that stage for one platform whatever the build asks for: a
    multi-platform build gets the same binaries in every image, and on another machine the stage
    runs under emulation.  Leave the platform to `docker build --platform`, use
    `$BUILDPLATFORM`/`$TARGETPLATFORM`, or name the stage after the platform it is for.

    No fix: which of those is right depends on what the stage is for.
    """

    code = "LS513"
    name = "constant-platform"
    severity = Severity.WARNING
    aliases = ("DL3029", "FromPlatformFlagConstDisallowed")

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        escape = ctx.dockerfile.escape
        for stage in ctx.graph.stages:
            flag = stage.from_instruction.flag("platform")
            if flag is None or flag.value is None or referenced_variables(flag.value, escape=escape):
                continue
            value = _platform_value(flag, escape)
            platform = parse_platform(value) if value else None
            if value is None or platform is None:
                continue
            name = stage.name or ""
            if platform[0] in name or platform[1] in name:
                continue
            yield self.report(flag.span, f"`FROM --platform={value}` builds this stage for one platform only")


class RedundantTargetPlatform(Rule):
    """`FROM --platform=$TARGETPLATFORM` says what FROM does anyway.

    ## What it does
    Flags a `--platform` flag whose value is only `$TARGETPLATFORM` (or `${TARGETPLATFORM}`), as
    BuildKit's `RedundantTargetPlatform` and hadolint's DL3065 do.

    ## Why is this bad?
    A FROM image is pulled for the target platform by default; the flag adds noise and suggests
    the stage is special when it is not.

    ## Fix safety
    Safe: the fix removes the flag, and the stage is built for the same platform.  No fix when the
    FROM builds on another stage of the file or a global ARG redefines `TARGETPLATFORM`.
    """

    code = "LS514"
    name = "redundant-target-platform"
    severity = Severity.INFO
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3065", "RedundantTargetPlatform")

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        dockerfile = ctx.dockerfile
        redefined = any(name == "TARGETPLATFORM" and default for name, default in global_args(dockerfile))
        for stage in ctx.graph.stages:
            flag = stage.from_instruction.flag("platform")
            if flag is None or not _is_target_platform(flag, dockerfile.escape):
                continue
            fix = None if redefined or stage.base_stage is not None else _remove_flag(dockerfile, flag)
            yield self.report(flag.span, f"`--platform={flag.value}` is the default for FROM", fix=fix)


def _is_target_platform(flag: Flag, escape: str) -> bool:
    value = flag.value or ""
    if referenced_variables(value, escape=escape) != {"TARGETPLATFORM"}:
        return False
    marker = "\x00target"
    try:
        return process_word(value, {"TARGETPLATFORM": marker}, escape=escape).value == marker
    except ShellWordError:
        return False


def _remove_flag(dockerfile: Dockerfile, flag: Flag) -> Fix:
    text = dockerfile.text
    end = flag.span.end
    while end < len(text) and text[end] in " \t":
        end += 1
    return Fix.safe(f"Remove `{flag.text}`", Edit.delete(Span(flag.span.start, end)))


def _from_words(stage: Stage) -> list[tuple[str, Span]]:
    """The words of a FROM that BuildKit expands with global ARGs: the base image and `--platform`."""
    words = []
    flag = stage.from_instruction.flag("platform")
    if flag is not None and flag.value and flag.value_span is not None:
        words.append((flag.value, flag.value_span))
    token = image_token(stage)
    if token is not None:
        words.append((token.value, token.span))
    return words


def _undeclared(dockerfile: Dockerfile, word: str) -> set[str]:
    declared = {name for name, _ in global_args(dockerfile)} | BUILDKIT_FROM_ARGS.keys()
    return set(referenced_variables(word, escape=dockerfile.escape)) - declared


class UndefinedArgInFrom(Rule):
    """FROM uses a variable no global ARG declares.

    ## What it does
    Flags a variable in a FROM's base image or `--platform` that is not declared by an `ARG`
    above the first FROM, as BuildKit's `UndefinedArgInFrom` does.  BuildKit's own platform ARGs
    (`BUILDPLATFORM`, `TARGETARCH`…) are declared.  The message suggests a declared name that is
    one letter away, and says when the ARG is declared inside a stage, where FROM cannot see it.

    ## Why is this bad?
    FROM only sees global ARGs: the variable is empty, so `FROM python:${PY_VERSION}` becomes
    `FROM python:` (a build error) or `FROM ${BASE:-alpine}` silently takes its fallback.
    """

    code = "LS521"
    name = "undefined-arg-in-from"
    severity = Severity.WARNING
    aliases = ("UndefinedArgInFrom",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        dockerfile = ctx.dockerfile
        declared = [name for name, _ in global_args(dockerfile)]
        stage_args = {
            pair.key.value for i in dockerfile.instructions if i.keyword == "ARG" for pair in i.key_values
        } - set(declared)
        for stage in ctx.graph.stages:
            for word, span in _from_words(stage):
                spans = {name: variable_span(dockerfile, span, name) for name in _undeclared(dockerfile, word)}
                for name, where in sorted(spans.items(), key=lambda item: item[1].start):
                    yield self.report(
                        where, f"`{name}` is not declared by a global ARG{_hint(name, declared, stage_args)}"
                    )


def _hint(name: str, declared: list[str], stage_args: set[str]) -> str:
    if name in stage_args:
        return f": `ARG {name}` inside a stage is not seen by FROM; declare it before the first FROM"
    similar = looks_like(name, declared)
    return f" (did you mean `{similar}`?)" if similar else ""


class InvalidDefaultArgInFrom(Rule):
    """With the global ARGs' defaults, a FROM names no valid image.

    ## What it does
    Expands each FROM base that uses variables with the defaults of the global ARGs (no
    `--build-arg`) and flags it when the result is empty or not a valid image reference, as
    BuildKit's `InvalidDefaultArgInFrom` does: `ARG IMAGE` with no default makes `FROM ${IMAGE}`
    empty.  BuildKit's platform ARGs take the values of a linux/amd64 build.  A FROM that uses an
    undeclared variable is left to `undefined-arg-in-from` (LS521).  Like BuildKit's check, it
    also flags a FROM without variables that is no valid reference (`FROM REPLACE-ME`: image
    names are lower case).

    ## Why is this bad?
    The Dockerfile does not build unless every build passes the right `--build-arg`; a default
    documents the expected value and makes plain `docker build` work.
    """

    code = "LS522"
    name = "invalid-default-arg-in-from"
    severity = Severity.WARNING
    aliases = ("InvalidDefaultArgInFrom",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        dockerfile = ctx.dockerfile
        defaults = _default_values(dockerfile)
        if defaults is None:
            return
        for stage in ctx.graph.stages:
            token = image_token(stage)
            if token is None:
                continue
            if not referenced_variables(token.value, escape=dockerfile.escape):
                if stage.base.complete and stage.base_stage is None and parse_image(stage.base.value) is None:
                    yield self.report(token.span, f"`FROM {token.value}` is not a valid image reference")
                continue
            if _undeclared(dockerfile, token.value):
                continue
            try:
                value = process_word(token.value, defaults, escape=dockerfile.escape).value
            except ShellWordError:
                continue
            if parse_image(value) is None:
                shown = f"`{value}`" if value else "empty"
                yield self.report(token.span, f"With the ARG defaults, `FROM {token.value}` is {shown}: not an image")


def _default_values(dockerfile: Dockerfile) -> dict[str, str] | None:
    """Global ARG values when no `--build-arg` is given (BuildKit's own ARGs as on linux/amd64)."""
    values = dict(BUILDKIT_FROM_ARGS)
    for name, default in global_args(dockerfile):
        if default is None:
            continue  # declared without a value: unset, unless it is one of BuildKit's own
        try:
            values[name] = process_word(default, values, escape=dockerfile.escape).value
        except ShellWordError:
            return None  # the build fails on this ARG; BuildKit skips the check too
    return values

from __future__ import annotations

from collections.abc import Iterator

from lintslim.context.gopath import split_wildcards
from lintslim.context.sources import ContextSource, context_sources
from lintslim.engine.rule import Diagnostic, Rule, RuleContext, Severity


class CopySourceOutsideContext(Rule):
    """A `COPY`/`ADD` source that leaves the build context, with `..` or through a symlink.

    ## What it does
    Reports a `COPY` or `ADD` source read from the build context that climbs above the context root
    with `..` (`../shared/config.yaml`, `app/../../secrets`), and, when the build context is known,
    a source whose path goes through a symlink pointing outside the context.  Sources of
    `--from=<stage or image>` name another filesystem and are left alone, as are URLs, heredocs and
    `ONBUILD` triggers.

    The rule never reads what lies outside the context: symlinks are resolved from their text, and
    only paths inside the context are looked at.

    ## Why is this bad?
    A build cannot read outside its context.  BuildKit takes a source path as relative to the context
    root and cleans it there, so `..` above the root stays at the root: `COPY ../../etc/passwd /x`
    copies `etc/passwd` *from the context*, or fails when there is none (the legacy builder rejects
    the line: "forbidden path outside the build context").  A symlink in the context is resolved
    inside the context too, so a link to `/etc/app` gives the context's `etc/app`, not the file on
    the host.  Either way the build does not copy what the line says, and a file with that name in
    the context (perhaps one that must not ship) goes in instead.  BuildKit's maintainers describe
    the behaviour in moby/buildkit#2131; its Dockerfile reference says parent directory paths are
    stripped (moby/buildkit#5664).

    To use files from elsewhere, make a parent directory the context (`docker build -f
    app/Dockerfile .`) or pass a named context (`--build-context shared=../shared`, then
    `COPY --from=shared config.yaml /x`).
    """

    code = "LS107"
    name = "copy-source-outside-context"
    severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        context = ctx.build_context
        for source in context_sources(ctx.dockerfile):
            if source.climbs_out:
                yield self.report(source.token.span, _climbing_message(source))
                continue
            if context is None or not context.usable:
                continue
            link = context.link_out_of_context(split_wildcards(source.path)[0])
            if link is not None:
                path, target = link
                yield self.report(
                    source.token.span,
                    f"`{source.keyword} {source.token.value}` goes through `{path}`, a symlink to `{target}` "
                    "outside the build context: BuildKit resolves it inside the context, never the file it "
                    "points to",
                )


def _climbing_message(source: ContextSource) -> str:
    landing = "the context root" if source.path in (".", "") else f"`{source.path}` in the context"
    return (
        f"`{source.keyword} {source.token.value}` climbs out of the build context with `..`: "
        f"BuildKit never reads outside the context and takes {landing} instead (the legacy builder fails)"
    )

from __future__ import annotations

import re
from collections.abc import Iterator

from lintslim.analysis.artifacts import Artifacts, artifacts
from lintslim.engine.fixes import Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.knowledge import stage_facts
from lintslim.rules._edits import keyword_case, line_after
from lintslim.rules.runtime._shared import (
    DEBIAN_BUNDLE,
    RHEL_BUNDLE,
    STATIC_SUGGESTION,
    env_setting,
    installed_ca_bundle,
    provides,
    runnable_scratch_images,
)
from lintslim.syntax.nodes import Dockerfile
from lintslim.syntax.stages import BuildGraph, Stage

# Paths that hold or name a CA bundle or a certificate: a copy of any of them is taken as providing one.
_CERTIFICATE_PATH = re.compile(r"ca-certificates|ca-bundle|cacert|\.pem$|\.crt$|/etc/ssl/|/etc/pki/|(^|/)certs?/?$")
_CERTIFICATE_DIRECTORIES = ("/etc", "/etc/ssl", "/etc/ssl/certs", "/etc/pki", "/etc/pki/tls", "/etc/pki/tls/certs")


class ScratchMissingCaCerts(Rule):
    """An image built `FROM scratch` gets no CA bundle.

    ## What it does
    Flags an image stage (the final stage, or any stage no other stage uses) that builds on
    `scratch` (directly, through `FROM <stage>`, or through an `ARG`) and says what to run
    (`ENTRYPOINT` or `CMD`), when nothing brings a CA bundle in.  These count as bringing one: a
    `COPY`/`ADD` of a certificate file or of `/etc/ssl`, `/etc/pki` (or a directory above them), an
    `ENV SSL_CERT_FILE` or `SSL_CERT_DIR`, and copies whose content cannot be known (an archive
    `ADD` unpacks, a whole filesystem).  Stages without `ENTRYPOINT` or `CMD` are skipped: they are
    usually export stages for `docker build --output`.

    ## Why is this bad?
    `scratch` is empty: there is no `/etc/ssl/certs/ca-certificates.crt`, so every TLS connection
    the program makes fails with `x509: certificate signed by unknown authority` (Go) or
    `unable to get local issuer certificate` (OpenSSL).  The build succeeds and the failure shows
    only at run time.

    A program that makes no TLS connections does not need a bundle, and Go programs that import
    `golang.org/x/crypto/x509roots/fallback` (or Rust programs using `webpki-roots`) embed their
    roots: lintslim cannot see either, which is why this is a warning.  Ignore it for such images.

    ## Fix safety
    The fix adds `COPY --from=<stage> /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/` right
    after the `FROM`, where the layer rarely changes and stays cached.  It takes the bundle from a
    stage the image already builds from (so the build does no new work) whose base keeps it at that
    path: Alpine, Wolfi/Chainguard, distroless and the Go, Rust and Python toolchain images, or a
    Debian or Ubuntu stage that installs `ca-certificates`; never an Amazon Linux or RHEL stage,
    which keeps it at `/etc/pki/tls/certs/ca-bundle.crt`.  Without such a stage there is no fix:
    build on `gcr.io/distroless/static-debian13` or `cgr.dev/chainguard/static` instead, which
    include the bundle.  The fix is unsafe: it adds a file to the image and decides which roots the
    program trusts.
    """

    code = "LS301"
    name = "scratch-missing-ca-certs"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        found = artifacts(ctx)
        for stage in runnable_scratch_images(graph):
            if _has_bundle(graph, stage, found):
                continue
            source = _bundle_stage(ctx.dockerfile, graph, stage)
            if source is None:
                message = (
                    "The image builds on `scratch` and gets no CA bundle: TLS connections will fail "
                    f"(copy `{DEBIAN_BUNDLE}` from a build stage, or build on {STATIC_SUGGESTION})"
                )
                fix = None
            else:
                message = "The image builds on `scratch` and gets no CA bundle: TLS connections will fail"
                fix = _fix(ctx.dockerfile, stage, source)
            span = stage.from_instruction.args[0].span if stage.from_instruction.args else stage.from_instruction.span
            yield self.report(span, message, fix=fix)


def _has_bundle(graph: BuildGraph, stage: Stage, found: Artifacts) -> bool:
    if provides(graph, stage, _CERTIFICATE_PATH, _CERTIFICATE_DIRECTORIES, found=found):
        return True
    return any(env_setting(graph, stage, name) is not None for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"))


def _bundle_stage(dockerfile: Dockerfile, graph: BuildGraph, stage: Stage) -> Stage | None:
    """A stage the image already builds from that has the bundle at the Debian path."""
    for index in graph.reaching(stage):
        candidate = graph.stages[index]
        if candidate.index < stage.index and _has_debian_bundle(dockerfile, graph, candidate):
            return candidate
    return None


def _has_debian_bundle(dockerfile: Dockerfile, graph: BuildGraph, stage: Stage) -> bool:
    facts = stage_facts(graph, stage)
    if facts is not None and facts.ca_bundle in (DEBIAN_BUNDLE, RHEL_BUNDLE):
        return facts.ca_bundle == DEBIAN_BUNDLE
    return installed_ca_bundle(dockerfile, graph, stage) == DEBIAN_BUNDLE


def _fix(dockerfile: Dockerfile, stage: Stage, source: Stage) -> Fix:
    copy = keyword_case(dockerfile, stage.from_instruction, "COPY")
    line = f"{copy} --from={source.reference} {DEBIAN_BUNDLE} /etc/ssl/certs/"
    return Fix.unsafe(
        f"Copy the CA bundle from stage `{source.reference}`", line_after(dockerfile, stage.from_instruction, line)
    )

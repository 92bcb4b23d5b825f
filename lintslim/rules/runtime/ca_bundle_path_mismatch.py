from __future__ import annotations

import posixpath
from collections.abc import Iterator

from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.knowledge import ImageFacts, image_facts, stage_facts
from lintslim.rules.runtime._shared import (
    DEBIAN_BUNDLE,
    RHEL_BUNDLE,
    CopyPaths,
    copies,
    env_setting,
    installed_ca_bundle,
    runnable_scratch_images,
)
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.stages import BuildGraph, Stage, StageLink

# Where Fedora-family images keep the bundle (and the links to it): not present in Debian-family ones.
_RHEL_PATHS = frozenset(
    {RHEL_BUNDLE, "/etc/ssl/certs/ca-bundle.crt", "/etc/pki/tls/cert.pem",
     "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"}
)  # fmt: skip
_BUNDLE_NAMES = frozenset(
    {"ca-certificates.crt", "ca-bundle.crt", "ca-bundle.pem", "cacert.pem", "tls-ca-bundle.pem", "cert.pem"}
)
# Where TLS libraries look without SSL_CERT_FILE/SSL_CERT_DIR.  Go: crypto/x509/root_linux.go (these
# files, and every file in the two directories); Rust's rustls-native-certs and native-tls:
# openssl-probe (these names in these directories).
_GO_FILES = frozenset(
    {DEBIAN_BUNDLE, RHEL_BUNDLE, "/etc/ssl/ca-bundle.pem", "/etc/pki/tls/cacert.pem",
     "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem"}
)  # fmt: skip
_GO_DIRECTORIES = frozenset({"/etc/ssl/certs", "/etc/pki/tls/certs"})
_PROBE_DIRECTORIES = (
    "/var/ssl", "/usr/share/ssl", "/usr/local/ssl", "/usr/local/openssl", "/usr/local/etc/openssl", "/usr/local/share",
    "/usr/lib/ssl", "/usr/ssl", "/etc/openssl", "/etc/pki/ca-trust/extracted/pem", "/etc/pki/tls", "/etc/ssl",
    "/etc/certs", "/opt/etc/ssl",
)  # fmt: skip
_PROBE_FILES = (
    "cert.pem", "certs.pem", "ca-bundle.pem", "cacert.pem", "ca-certificates.crt", "certs/ca-certificates.crt",
    "certs/ca-root-nss.crt", "certs/ca-bundle.crt", "CARootCertificates.pem", "tls-ca-bundle.pem",
)  # fmt: skip
_SEARCHED = _GO_FILES | {f"{directory}/{name}" for directory in _PROBE_DIRECTORIES for name in _PROBE_FILES}


class CaBundlePathMismatch(Rule):
    """A CA bundle is copied from a path its source does not have, or to a path no TLS library reads.

    ## What it does
    Flags, in any stage:

    - `COPY --from=<stage or image>` of a CA bundle path that belongs to the other family of
      distributions: `/etc/ssl/certs/ca-certificates.crt` (Debian, Ubuntu, Alpine, Wolfi,
      distroless) from an Amazon Linux, RHEL, Fedora or AWS Lambda base, which keeps its bundle at
      `/etc/pki/tls/certs/ca-bundle.crt`, or the reverse;
    - in a `scratch` image that says what to run, a bundle copied to a path that neither Go
      (`crypto/x509`) nor OpenSSL-style probing (`openssl-probe`, used by Rust's `native-tls` and
      `rustls-native-certs`) searches, such as `/certs/ca.crt`, or to a file named
      `/etc/ssl/certs` (a destination without its trailing `/` on an empty image), unless
      `SSL_CERT_FILE` or `SSL_CERT_DIR` points elsewhere.

    The source's bundle path comes from the knowledge base, or from the package manager a stage
    installs `ca-certificates` with.

    ## Why is this bad?
    A source path the stage does not have fails the build with `not found`; a bundle in a place
    nobody reads leaves the image without trusted roots, and TLS fails at run time with
    `certificate signed by unknown authority`.

    ## Fix safety
    For a wrong source path, the fix writes the source's own bundle path, and when the destination
    is a directory, names the file so it keeps the name it had
    (`/etc/ssl/certs/` → `/etc/ssl/certs/ca-certificates.crt`).  For a destination missing its
    trailing `/` it adds it.  Both are unsafe: they change which file the image gets and where.
    A destination elsewhere has no fix (say where it should go, or set `SSL_CERT_FILE`).
    """

    code = "LS306"
    name = "ca-bundle-path-mismatch"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        for link in graph.links:
            if link.instruction.keyword == "COPY":
                yield from self._source(ctx.dockerfile, graph, link)
        seen: set[int] = set()
        for stage in runnable_scratch_images(graph):
            if any(env_setting(graph, stage, name) for name in ("SSL_CERT_FILE", "SSL_CERT_DIR")):
                continue
            for diagnostic in self._destinations(graph, stage):
                if diagnostic.span.start not in seen:
                    seen.add(diagnostic.span.start)
                    yield diagnostic

    # the source side ---------------------------------------------------------------------------

    def _source(self, dockerfile: Dockerfile, graph: BuildGraph, link: StageLink) -> Iterator[Diagnostic]:
        instruction = link.instruction
        source_stage = graph.stages[link.source_stage] if link.source_stage is not None else None
        bundle, label = _source_bundle(dockerfile, graph, link, source_stage)
        if bundle is None:
            return
        copy = next((item for item in copies(graph, graph.stages[link.stage]) if item.instruction is instruction), None)
        if copy is None:
            return  # not a copy with a source and a destination
        for token, written in copy.sources:
            if written is None:
                continue
            path = "/" + written.strip("/")
            wrong = path == DEBIAN_BUNDLE if bundle == RHEL_BUNDLE else path in _RHEL_PATHS
            if not wrong or (source_stage is not None and _creates(graph, source_stage, path)):
                continue
            fix = _source_fix(dockerfile, copy, token.value, path, bundle)
            yield self.report(
                token.span,
                f"{label} keeps its CA bundle at `{bundle}`, not at `{path}`",
                fix=fix,
            )

    # the destination side ----------------------------------------------------------------------

    def _destinations(self, graph: BuildGraph, stage: Stage) -> Iterator[Diagnostic]:
        directories = {"/"}
        for copy in copies(graph, stage):
            bundles = [(token, path) for token, path in copy.sources if path and _is_bundle(path)]
            dest = copy.dest
            if bundles and dest is not None and len(copy.sources) == 1:
                path = bundles[0][1]
                into = copy.dest_token.value.endswith("/") or dest in directories
                target = posixpath.join(dest, posixpath.basename(path)) if into else "/" + dest.strip("/")
                if not _searched(target):
                    yield self._destination_report(copy, target, into)
            if dest is not None:
                directories |= _parents(dest, copy.dest_token.value.endswith("/") or len(copy.sources) > 1)

    def _destination_report(self, copy: CopyPaths, target: str, into: bool) -> Diagnostic:
        fix = None
        if not into and target in _GO_DIRECTORIES and not copy.instruction.is_json:
            fix = Fix.unsafe("Copy into the directory", Edit.insert(copy.dest_token.span.end, "/"))
            message = f"The CA bundle becomes a file named `{target}`, so no TLS library finds it: add a trailing `/`"
        else:
            message = (
                f"No TLS library looks for a CA bundle at `{target}`: copy it to `{DEBIAN_BUNDLE}` "
                "or point `SSL_CERT_FILE` at it"
            )
        return self.report(copy.dest_token.span, message, fix=fix)


def _source_bundle(
    dockerfile: Dockerfile, graph: BuildGraph, link: StageLink, stage: Stage | None
) -> tuple[str | None, str]:
    """Where the source of a `COPY --from` keeps its CA bundle, and how to name the source."""
    if stage is not None:
        facts = stage_facts(graph, stage)
        label = f"Stage `{link.reference}`"
        installed = installed_ca_bundle(dockerfile, graph, stage)
        if installed is not None and (facts is None or not facts.ca_bundle):
            return installed, label
        return _bundle_of(facts), label
    facts = image_facts(link.source_image)
    return _bundle_of(facts), f"`{link.reference}`"


def _bundle_of(facts: ImageFacts | None) -> str | None:
    if facts is None:
        return None
    if facts.ca_bundle:
        return facts.ca_bundle
    return DEBIAN_BUNDLE if facts.package_manager == "apt" else None  # where Debian's package puts it


def _creates(graph: BuildGraph, stage: Stage, path: str) -> bool:
    """Whether a step of the source stage mentions the file (a link or copy that creates it)."""
    name = posixpath.basename(path)
    text = graph.dockerfile.text
    return any(
        name in text[instruction.span.start : instruction.span.end]
        for instruction in graph.chain_instructions(stage)
        if instruction.keyword in ("RUN", "COPY", "ADD")
    )


def _source_fix(dockerfile: Dockerfile, copy: CopyPaths, written: str, path: str, bundle: str) -> Fix | None:
    instruction: Instruction = copy.instruction
    if instruction.is_json or "$" in written or "$" in copy.dest_token.value or len(copy.sources) != 1:
        return None
    token = copy.sources[0][0]
    edits = [Edit.replace(token.span, bundle)]
    if copy.dest_token.value.endswith("/"):
        edits.append(Edit.insert(copy.dest_token.span.end, posixpath.basename(path)))
    return Fix.unsafe(f"Copy `{bundle}`", *edits)


def _is_bundle(path: str) -> bool:
    return posixpath.basename(path) in _BUNDLE_NAMES or "/" + path.strip("/") in _RHEL_PATHS | {DEBIAN_BUNDLE}


def _searched(path: str) -> bool:
    return path in _SEARCHED or posixpath.dirname(path) in _GO_DIRECTORIES


def _parents(dest: str, is_directory: bool) -> set[str]:
    """Directories a copy to `dest` creates."""
    path = "/" + dest.strip("/")
    found = set()
    current = path if is_directory else posixpath.dirname(path)
    while current not in ("/", ""):
        found.add(current)
        current = posixpath.dirname(current)
    return found

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lintslim.analysis.artifacts import Artifact, Artifacts, artifacts
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.knowledge import stage_facts
from lintslim.rules.runtime._shared import base_label, installs_package, is_runnable, provides
from lintslim.syntax.nodes import Dockerfile
from lintslim.syntax.shell import iter_run_commands
from lintslim.syntax.stages import BuildGraph, Stage

# Copies of a C library or its loader: the image then provides what dynamic binaries need.
_LIBRARY_PATH = re.compile(r"^/?(usr/(local/)?)?lib(32|64|x32)?(/|$)|ld-linux|ld-musl|libc\.(so|musl)")
_LIBRARY_DIRECTORIES = ("/lib", "/lib64", "/usr/lib", "/usr")
# Packages that let a base run binaries linked against the other C library.
_COMPAT = {
    "musl": re.compile(r"(gcompat|libc6-compat|glibc(-bin)?)([=<>~].*)?"),
    "glibc": re.compile(r"(musl|musl-dev|musl-tools)([=<>~].*)?"),
}
_WHAT_IT_HAS = {"none": "has no C library", "musl": "has musl, not glibc", "glibc": "has glibc, not musl"}
_RUST_ARCH = {"amd64": "x86_64", "arm64": "aarch64"}
# cargo's default output directories, as a path or inside one
_TARGET_RELEASE = re.compile(r"(?<![\w.-])target/(release|debug)(?=/|$|[\s\"'])")


class DynamicBinaryOnStaticBase(Rule):
    """A binary linked against a C library is copied into a base that lacks that library.

    ## What it does
    Follows each `COPY --from=<stage>` of an image stage to the binaries it carries (see the
    artifact model: the build command, the toolchain image and the environment decide the linkage)
    and flags a binary dynamically linked against glibc or musl in a base without a C library
    (`scratch`, `gcr.io/distroless/static`, `cgr.dev/chainguard/static`), a glibc binary in a musl
    base (Alpine), or a musl one in a glibc base.  It recognises:

    - Go with cgo on: the default where the toolchain image has a C compiler (`golang:1.22`,
      `golang:*-bookworm`), not in `golang:*-alpine`, which has none; `CGO_ENABLED=0`,
      `-ldflags '-extldflags "-static"'` or `-tags netgo,osusergo` make it static;
    - Rust built for a `*-gnu` target (the default on Debian-based `rust` images) without
      `-C target-feature=+crt-static`; `*-musl` targets are static;
    - C and C++ compiled without `-static`.

    Images that install a compatibility layer (`gcompat`, `libc6-compat`) or copy a C library or
    its loader in are skipped, as are `scratch` stages without `ENTRYPOINT` or `CMD` (export stages).

    ## Why is this bad?
    The binary's ELF header names a loader (`/lib64/ld-linux-x86-64.so.2`, `/lib/ld-musl-x86_64.so.1`)
    that the image does not have: the container fails at start with the confusing
    `exec /app: no such file or directory`, although `/app` is there.

    A Go program with cgo on that imports neither `net` nor `os/user` (nor a C package) is still
    static; lintslim cannot see imports, so it treats cgo-on binaries as dynamic.

    ## Fix safety
    All fixes are unsafe: they change how the program is built.

    - Go: `CGO_ENABLED=0` before `go build`, when nothing set `CGO_ENABLED`.  Packages that need
      cgo (SQLite drivers, for example) then fail to build.
    - Rust: `rustup target add <arch>-unknown-linux-musl`, `--target <arch>-unknown-linux-musl` on
      `cargo build`, and `target/<arch>-unknown-linux-musl/release/` in the path that copies the
      binary out, when the architecture is known (a pinned `--platform`) and every path naming
      `target/release` is one lintslim updates.  Crates that compile C code may need `musl-tools`.
    - C and C++: `-static` after the compiler.  Static glibc cannot load NSS modules (user and
      host lookups) and needs static versions of every library linked.
    """

    code = "LS303"
    name = "dynamic-binary-on-static-base"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        found = artifacts(ctx)
        seen: set[tuple[int, int, int]] = set()
        for stage in graph.images():
            for problem in _problems(ctx.dockerfile, graph, stage, found):
                key = (problem.span_start, problem.artifact.command.span.start, problem.artifact.command.span.end)
                if key in seen:
                    continue
                seen.add(key)
                yield self._report(ctx.dockerfile, graph, stage, found, problem)

    def _report(
        self, dockerfile: Dockerfile, graph: BuildGraph, stage: Stage, found: Artifacts, problem: _Problem
    ) -> Diagnostic:
        artifact = problem.artifact
        fix, why_not = _fix(dockerfile, graph, found, artifact)
        message = (
            f"{artifact.label} is dynamically linked against {artifact.linkage} ({artifact.reason}), "
            f"but {base_label(graph, stage)} {_WHAT_IT_HAS[problem.libc]}: the container will fail to start"
        )
        if why_not:
            message += f"; {why_not}"
        return self.report(artifact.trail[-1].source, message, fix=fix)


@dataclass(frozen=True)
class _Problem:
    artifact: Artifact
    libc: str
    span_start: int


def _problems(dockerfile: Dockerfile, graph: BuildGraph, stage: Stage, found: Artifacts) -> Iterator[_Problem]:
    facts = stage_facts(graph, stage)
    if facts is None or facts.libc not in _WHAT_IT_HAS:
        return
    if graph.builds_on_scratch(stage) and not is_runnable(graph, stage):
        return
    if provides(graph, stage, _LIBRARY_PATH, _LIBRARY_DIRECTORIES, found=found):
        return
    compat = _COMPAT.get(facts.libc)
    if compat is not None and installs_package(dockerfile, graph, stage, compat):
        return
    for artifact in found.carried_by(graph.chain_instructions(stage)):
        if artifact.os in (None, "linux") and _mismatch(artifact.linkage, facts.libc):
            yield _Problem(artifact, facts.libc, artifact.trail[-1].source.start)


def _mismatch(linkage: str | None, libc: str) -> bool:
    if linkage not in ("glibc", "musl"):
        return False
    return libc == "none" or linkage != libc


# --- fixes --------------------------------------------------------------------------------------


def _fix(dockerfile: Dockerfile, graph: BuildGraph, found: Artifacts, artifact: Artifact) -> tuple[Fix | None, str]:
    """The fix for the artifact's build, or None and why (for the message)."""
    if artifact.instruction.is_json:
        return None, ""
    if artifact.language == "go":
        return _go_fix(artifact), ""
    if artifact.language == "rust":
        return _rust_fix(dockerfile, graph, found, artifact)
    return _c_fix(artifact), ""


def _go_fix(artifact: Artifact) -> Fix | None:
    if not artifact.cgo_by_default:
        return None  # CGO_ENABLED=1 was asked for
    command = artifact.command
    program = command.argv[0]
    before = command.words[: command.words.index(program)]
    if any("=" not in word.value and word.value != "env" for word in before):
        return None  # a wrapper such as sudo or exec: keep away
    return Fix.unsafe("Build with `CGO_ENABLED=0`", Edit.insert(program.span.start, "CGO_ENABLED=0 "))


def _c_fix(artifact: Artifact) -> Fix | None:
    compiler = next(
        (
            word
            for word in artifact.command.argv
            if word.value.rsplit("/", 1)[-1] not in ("ccache", "distcc", "sccache")
        ),
        None,
    )
    if compiler is None:
        return None
    return Fix.unsafe("Link statically with `-static`", Edit.insert(compiler.span.end, " -static"))


def _rust_fix(
    dockerfile: Dockerfile, graph: BuildGraph, found: Artifacts, artifact: Artifact
) -> tuple[Fix | None, str]:
    command = artifact.command
    facts = stage_facts(graph, graph.stages[artifact.stage])
    build_word = next((word for word in command.argv[1:] if word.value in ("build", "zigbuild")), None)
    if artifact.target is not None or build_word is None or facts is None or facts.family != "rust":
        return None, ""
    rust_arch = _RUST_ARCH.get(artifact.arch or "")
    if rust_arch is None:
        return None, "build for `<arch>-unknown-linux-musl`; no fix, as the build platform is not pinned"
    triple = f"{rust_arch}-unknown-linux-musl"
    paths = _path_edits(dockerfile, found, artifact, triple)
    if paths is None:
        return None, f"build for `{triple}`; some path to `target/release` is not one lintslim can update"
    edits = [Edit.insert(build_word.span.end, f" --target {triple}"), *paths]
    if not _adds_target(dockerfile, graph, artifact, triple):
        if command.operator not in ("", "&&", ";", "\n"):
            return None, f"build for `{triple}`"
        edits.append(Edit.insert(command.span.start, f"rustup target add {triple} && "))
    return Fix.unsafe(f"Build for `{triple}` (static)", *edits), ""


def _path_edits(dockerfile: Dockerfile, found: Artifacts, artifact: Artifact, triple: str) -> list[Edit] | None:
    """Edits of every path that takes a binary of this build out of `target/release`, or None when
    some mention of `target/release` after the build is not one of them."""
    edits: dict[int, Edit] = {}
    for stage_artifacts in found.stages:
        for other in stage_artifacts:
            if other.command is not artifact.command or not other.trail:
                continue
            placement = other.trail[0]
            raw = dockerfile.text[placement.source.start : placement.source.end]
            replaced, count = _TARGET_RELEASE.subn(lambda match: f"target/{triple}/{match.group(1)}", raw)
            if count != 1:
                return None
            edits[placement.source.start] = Edit.replace(placement.source, replaced)
    mentions = len(_TARGET_RELEASE.findall(dockerfile.text[artifact.command.span.end :]))
    if not edits or mentions != len(edits):
        return None
    return list(edits.values())


def _adds_target(dockerfile: Dockerfile, graph: BuildGraph, artifact: Artifact, triple: str) -> bool:
    stage = graph.stages[artifact.stage]
    instructions = tuple(item for item in graph.chain_instructions(stage) if item.index <= artifact.instruction.index)
    for _, command in iter_run_commands(dockerfile, instructions):
        if command.name == "rustup" and command.args[:2] == ("target", "add") and triple in command.args:
            return True
    return False

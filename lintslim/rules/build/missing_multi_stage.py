from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lintslim.analysis.artifacts import Artifact, artifacts
from lintslim.analysis.toolchain import (
    BuildStep,
    build_steps,
    is_compiler_package,
    is_toolchain_package,
    package_installs,
    tool_installs,
    toolchain_purpose,
    uses_base_toolchain,
    variables_at,
)
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.knowledge import runtime_image, stage_facts
from lintslim.knowledge.runtime import DISTROLESS_USERS
from lintslim.rules._edits import keyword_case, newline_of
from lintslim.rules.build._shared import known_user, program_paths
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.shell import Command, shell_commands
from lintslim.syntax.source import Span
from lintslim.syntax.stages import BuildGraph, Stage

BUILD_STAGE = "build"
VENV = "/opt/venv"
# Instructions that only describe the image to run: they move to the runtime stage.
_RUNTIME_ONLY = frozenset({"CMD", "ENTRYPOINT", "EXPOSE", "LABEL", "HEALTHCHECK", "STOPSIGNAL", "VOLUME", "MAINTAINER"})
# Packages a build stage installs to fetch or build, which the runtime does not need (the suggested
# runtime bases carry CA certificates and time zones themselves).
_BUILD_HELPERS = frozenset(
    {"git", "curl", "wget", "ca-certificates", "tzdata", "openssh-client", "openssh", "unzip", "xz-utils", "xz",
     "pkg-config", "pkgconf", "upx", "protobuf-compiler", "protoc", "bash", "gnupg", "python3", "python", "file",
     "patch", "tar", "gzip", "bzip2", "jq", "binutils", "mercurial", "subversion"}
)  # fmt: skip
# Development packages whose runtime library every python:*-slim image already has.
_PYTHON_SLIM_DEV = frozenset(
    {"python3-dev", "python-dev", "libffi-dev", "libssl-dev", "zlib1g-dev", "libbz2-dev", "liblzma-dev",
     "libsqlite3-dev", "uuid-dev", "libncurses-dev", "libncursesw5-dev", "libreadline-dev", "libexpat1-dev",
     "libgdbm-dev", "musl-dev", "libc-dev", "libc6-dev", "linux-headers", "openssl-dev", "zlib-dev", "bzip2-dev",
     "xz-dev", "sqlite-dev", "readline-dev", "ncurses-dev", "expat-dev", "gdbm-dev", "util-linux-dev", "libffi-devel"}
)  # fmt: skip
_COMPILERS = frozenset({"gcc", "g++", "gcc-c++", "clang", "make", "cmake", "build-essential", "build-base"})
_USER_CREATION = frozenset({"useradd", "adduser", "groupadd", "addgroup", "usermod", "chown", "setcap"})
_NODE_OUTPUT_DIRS = frozenset({"dist", "build", "out"})
_USERS_OF = {"static": DISTROLESS_USERS, "glibc": DISTROLESS_USERS, "node": frozenset({"root", "node"})}
# Variables that only steer a build tool: not repeated in the runtime stage.
_BUILD_ONLY_ENV = re.compile(
    r"CGO_\w+|GO(OS|ARCH|ARM|AMD64|111MODULE|FLAGS|PROXY|PRIVATE|NOSUMDB|NOPROXY|SUMDB|PATH|CACHE|MODCACHE|BIN"
    r"|TOOLCHAIN|WORK)|CARGO_\w+|RUSTFLAGS|RUSTUP_\w+|PIP_\w+|(NPM|npm)_(CONFIG|config)_\w+",
)
_VARIABLE_NAME = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


class MissingMultiStage(Rule):
    """A single-stage Dockerfile builds its software and ships the toolchain with it.

    ## What it does
    Flags a final stage that compiles or bundles (`go build`, `cargo build`, `mvn package`,
    `gradle build`, `npm run build`, `yarn build`, `dotnet publish`, `gcc`, `make`, or a `pip install`
    after installing a compiler) when no other stage feeds it, and the image keeps a toolchain: its
    base is a build image (`golang`, `rust`, `maven`, full `node` or `python`…) or it installs
    compilers that no removal in the same `RUN` takes out again (development headers alone, such
    as a kept `libpcap-dev`, do not count: programs may load the library through them).  The finding
    points at the first build command.

    Not flagged: a build whose compilers are removed in the same `RUN` (`apk add --virtual
    .build-deps … && apk del .build-deps`, `apt-get purge --auto-remove`), installs of prebuilt
    packages on a slim base, and images meant to be toolchains: dev containers (a `devcontainer`
    label or a `.devcontainer/` path), images without a `CMD`/`ENTRYPOINT`, and images whose command
    opens a shell or runs a build tool (`go run`, `cargo run`, `npm run dev`, `make`, `sleep`…).

    ## Why is this bad?
    Compilers, headers, package caches and sources make the image several times larger than the
    program it runs (`golang` is about 850 MB, a static Go binary on `distroless/static` a few MB),
    and every tool in it is attack surface and scanner noise.  A multi-stage build compiles in one
    stage and copies only the result into a small runtime stage.

    ## Fix safety
    The fix rewrites the file into a `build` stage (the original base, with every build step) and a
    runtime stage that copies only the artifact, for four layouts it can read:

    - Go and Rust: every binary the build makes has a known place (the artifact model follows
      `go build -o`, `go install`, Cargo's `target/<profile>/` with the name from `Cargo.toml` in the
      build context, and `cp`/`mv` of the result), and the exec-form command runs one of them.  The
      runtime is `distroless/static` for statically linked binaries (Go with cgo off, Rust musl
      targets) and `distroless/cc` for glibc ones, tagged `:nonroot`: distroless publishes no
      release tags (only `latest`, `nonroot` and their `debug` variants), and of those `nonroot`
      runs the program as user 65532 instead of root.  A program that writes where its files were
      copied then needs `COPY --chown=65532:65532`; a `USER` of the original moves over and wins.
      When cgo is off only because the Go image has no C compiler, the fix also sets
      `ENV CGO_ENABLED=0` in the build stage to keep it so.
    - Node: an `npm ci`/`npm install` and `npm run build` whose output the command runs (`node
      dist/…`, or a `start` script that does): the builder prunes dev dependencies, and the runtime
      (`node:<version>-slim`, or the same base when it already is a runtime image) gets
      `node_modules`, `package.json` and the output directory.
    - Python (on a `python:*` base): pip installs that needed a compiler go into a virtual
      environment at `/opt/venv` in the builder; the runtime (`python:<version>-slim`, or the same
      base) gets the venv and the working directory.

    Instructions that only describe the image (`CMD`, `ENTRYPOINT`, `EXPOSE`, `LABEL`,
    `HEALTHCHECK`, `USER`…) move to the runtime stage with their comments; the `WORKDIR`, `ENV` and
    `ARG`s they depend on are repeated there.  No line is dropped.  It is unsafe because files the
    program reads at run time from the build stage (templates, assets, config, shared libraries a
    compiled extension links) are no longer in the image: check the runtime stage copies what the
    program needs.  No fix is offered when the layout is unclear: a `RUN` after the last build step,
    users created in the image, runtime packages installed next to the compilers, a shell-form
    command on a shell-less runtime, several stages, or other ecosystems (Java, .NET, C).
    """

    code = "LS101"
    name = "missing-multi-stage"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        final = graph.final
        if final is None or graph.reads_other_stages(final):
            return
        dockerfile = ctx.dockerfile
        instructions = graph.chain_instructions(final)
        steps = build_steps(dockerfile, instructions)
        if not steps:
            return
        facts = stage_facts(graph, final)
        kept = [package for install in tool_installs(dockerfile, instructions) for package in install.kept]
        base_steps = [step for step in steps if facts is not None and uses_base_toolchain(step, facts)]
        if not base_steps and not any(is_compiler_package(package) for package in kept):
            return
        if toolchain_purpose(dockerfile, graph, final) is not None:
            return
        toolchain_base = bool(base_steps)
        step = base_steps[0] if base_steps else steps[0]
        root = graph.ancestry(final)[-1]
        if toolchain_base:
            why = f"the base `{root.base.value}` is a build image"
        else:
            names = list(dict.fromkeys(kept))
            why = "`" + "`, `".join(names) + ("` stays installed" if len(names) == 1 else "` stay installed")
        yield self.report(
            step.span,
            f"Single-stage build: `{step.label}` runs in the image that ships, and {why}; "
            "build in a separate stage and copy only the result",
            fix=_rewrite(ctx, steps),
        )


# --- the rewrite ---------------------------------------------------------------------------------


@dataclass
class _Plan:
    """What the rewrite adds around the user's instructions."""

    runtime: str  # the runtime base image reference
    copies: list[tuple[str, str]]  # (path in the build stage, path in the runtime stage)
    title: str
    builder_head: list[str] = field(default_factory=list)  # instructions right after the builder's FROM
    builder_tail: list[str] = field(default_factory=list)  # instructions after the last build step
    runtime_env: list[str] = field(default_factory=list)  # instructions before the runtime copies
    users: frozenset[str] | None = None  # user names the runtime knows; None when any name may work
    shell: bool = True  # the runtime has /bin/sh


@dataclass(frozen=True)
class _Layout:
    """The single stage cut in two: where each instruction goes, and where the builds are."""

    dockerfile: Dockerfile
    stage: Stage
    last_build: int  # index (in the file) of the RUN with the last build step
    workdir: str | None  # absolute working directory at the last build step, when known
    final_workdir: str | None

    def builder(self) -> list[Instruction]:
        return [i for i in self.stage.instructions[1:] if not self.moves(i)]

    def runtime(self) -> list[Instruction]:
        return [i for i in self.stage.instructions[1:] if self.moves(i)]

    def moves(self, instruction: Instruction) -> bool:
        """True for instructions that belong in the runtime stage only."""
        return instruction.keyword in _RUNTIME_ONLY or instruction.index > self.last_build


def _rewrite(ctx: RuleContext, steps: tuple[BuildStep, ...]) -> Fix | None:
    graph = ctx.graph
    if len(graph.stages) != 1:
        return None
    stage = graph.stages[0]
    layout = _layout(ctx.dockerfile, graph, stage, steps)
    if layout is None or _blocked(ctx.dockerfile, layout):
        return None
    ecosystems = {step.ecosystem for step in steps}
    planners = {"go": _plan_binaries, "rust": _plan_binaries, "node": _plan_node, "python-native": _plan_python}
    if len(ecosystems) != 1 or (planner := planners.get(ecosystems.pop())) is None:
        return None
    plan = planner(ctx, layout, steps)
    if plan is None or not _runtime_can_run(ctx.dockerfile, graph, layout, plan):
        return None
    return Fix.unsafe(plan.title, Edit.replace(_stage_span(stage), _render(ctx.dockerfile, layout, plan)))


def _layout(dockerfile: Dockerfile, graph: BuildGraph, stage: Stage, steps: tuple[BuildStep, ...]) -> _Layout | None:
    last_build = max(step.instruction.index for step in steps)
    build_run = dockerfile.instructions[last_build]
    return _Layout(
        dockerfile,
        stage,
        last_build,
        _workdir_at(graph, stage, build_run.index),
        _workdir_at(graph, stage, stage.instructions[-1].index + 1),
    )


def _workdir_at(graph: BuildGraph, stage: Stage, before: int) -> str | None:
    """The absolute WORKDIR in force before instruction `before`, or None when unknown or unset."""
    current: str | None = None
    for instruction in stage.instructions[1:]:
        if instruction.index >= before:
            break
        if instruction.keyword != "WORKDIR" or instruction.rest is None:
            continue
        resolved = graph.resolve(instruction.rest.value, instruction)
        if not resolved.complete:
            current = None
        elif resolved.value.startswith("/"):
            current = posixpath.normpath(resolved.value)
        elif current is not None:
            current = posixpath.normpath(posixpath.join(current, resolved.value))
    return current


def _blocked(dockerfile: Dockerfile, layout: _Layout) -> bool:
    """Layouts the rewrite cannot split without guessing what the runtime needs."""
    for instruction in layout.stage.instructions[1:]:
        if instruction.keyword in ("ONBUILD", "SHELL") or instruction.error is not None:
            return True
        if instruction.keyword != "RUN":
            continue
        if instruction.index > layout.last_build:
            return True  # it may prepare the runtime (users, permissions) or change the artifact
        commands = shell_commands(dockerfile, instruction)
        if any(command.name in _USER_CREATION for command in commands):
            return True
    return any(
        "$" in package or not (is_toolchain_package(package) or package in _BUILD_HELPERS)
        for install in package_installs(dockerfile, layout.stage.instructions)
        for package in install.packages
    )  # anything else may be a library the program needs at run time


def _stage_span(stage: Stage) -> Span:
    return Span(stage.from_instruction.span.start, stage.instructions[-1].span.end)


# --- per ecosystem --------------------------------------------------------------------------------


def _plan_binaries(ctx: RuleContext, layout: _Layout, steps: tuple[BuildStep, ...]) -> _Plan | None:
    """Go and Rust: copy the binaries the artifact model places, onto the runtime their linkage needs."""
    dockerfile = ctx.dockerfile
    language = steps[0].ecosystem
    built = [item for item in artifacts(ctx).built_in(layout.stage.index) if item.language == language]
    paths = _binary_paths(built, _program_paths(dockerfile, layout))
    linkages = {item.linkage for item in built}
    if not built or len(linkages) != 1:
        return None
    linkage = linkages.pop()
    if linkage not in ("static", "glibc"):
        return None
    head: list[str] = []
    title_extra = ""
    said = all("CGO_ENABLED" in variables_at(dockerfile, step.instruction, step.command) for step in steps)
    if language == "go" and linkage == "static" and not said:
        head.append("ENV CGO_ENABLED=0")
        title_extra = "; sets `CGO_ENABLED=0` (cgo was off only because the base has no C compiler)"
    runtime = runtime_image(None, linkage)
    assert runtime is not None
    known = [path for path in paths if path is not None]
    if len(known) != len(paths):
        return None
    return _Plan(
        runtime,
        [(path, path) for path in dict.fromkeys(known)],
        f"Split into a `{BUILD_STAGE}` stage and a `{runtime}` runtime stage{title_extra}",
        builder_head=head,
        users=_USERS_OF[linkage],
        shell=False,
    )


def _binary_paths(built: list[Artifact], program: set[str]) -> list[str | None]:
    """One path per binary built: where the command runs it from, else its last place (after `cp`/`mv`)."""
    places: dict[tuple[int, int], list[str | None]] = {}
    for item in built:
        places.setdefault((item.instruction.index, item.command.span.start), []).append(item.path)
    chosen: list[str | None] = []
    for paths in places.values():
        run = [path for path in paths if path in program]
        chosen.append(run[0] if run else paths[-1])
    return chosen


def _program_paths(dockerfile: Dockerfile, layout: _Layout) -> set[str]:
    """The absolute paths the container's program may be (a bare name: each directory of PATH)."""
    commands = _container_command(dockerfile, layout)
    if not commands or not commands[0].argv:
        return set()
    return program_paths(commands[0].argv[0].value, layout.final_workdir)


def _plan_node(ctx: RuleContext, layout: _Layout, steps: tuple[BuildStep, ...]) -> _Plan | None:
    dockerfile, graph = ctx.dockerfile, ctx.graph
    if not all(step.command.name == "npm" for step in steps) or layout.workdir is None:
        return None
    if layout.final_workdir != layout.workdir or not _npm_installs(dockerfile, layout):
        return None
    entry = _node_entry(ctx, layout)
    if entry is None:
        return None
    output = entry.split("/", 1)[0]
    if output not in _NODE_OUTPUT_DIRS:
        return None
    runtime = _same_or_runtime(graph, layout.stage, "node")
    if runtime is None:
        return None
    major = _major_version(layout.stage)
    prune = "npm prune --production" if major is not None and major < 16 else "npm prune --omit=dev"
    workdir = layout.workdir
    copies = [
        (posixpath.join(workdir, name), posixpath.join(workdir, name)) for name in ("node_modules", "package.json")
    ]
    copies.append((posixpath.join(workdir, output), posixpath.join(workdir, output)))
    return _Plan(
        runtime,
        copies,
        f"Split into a `{BUILD_STAGE}` stage and a `{runtime}` runtime stage with `{output}/` and production packages",
        builder_tail=[f"RUN {prune}"],
        users=_USERS_OF["node"],
    )


def _npm_installs(dockerfile: Dockerfile, layout: _Layout) -> bool:
    """An `npm ci` or `npm install` (of the project, no package named) runs before the build."""
    for instruction in layout.stage.instructions:
        if instruction.keyword != "RUN" or instruction.index > layout.last_build:
            continue
        for command in shell_commands(dockerfile, instruction):
            words = [arg for arg in command.args if not arg.startswith("-")]
            if command.name == "npm" and words[:1] in (["ci"], ["install"], ["i"]) and len(words) == 1:
                return True
    return False


def _node_entry(ctx: RuleContext, layout: _Layout) -> str | None:
    """The script the container runs with `node`, relative to the working directory."""
    dockerfile = ctx.dockerfile
    commands = _container_command(dockerfile, layout)
    if commands is None or len(commands) != 1:
        return None
    name, words = commands[0].name, [arg for arg in commands[0].args if not arg.startswith("-")]
    if name in ("npm", "yarn") and words in (["start"], ["run", "start"]):
        script = _package_script(ctx, "start")
        if script is None:
            return None
        parts = script.split()
        name, words = (parts[0], [p for p in parts[1:] if not p.startswith("-")]) if parts else (None, [])
    if name != "node" or not words:
        return None
    entry = words[0]
    if entry.startswith("/"):
        assert layout.workdir is not None
        if not entry.startswith(layout.workdir + "/"):
            return None
        entry = entry[len(layout.workdir) + 1 :]
    return posixpath.normpath(entry)


def _package_script(ctx: RuleContext, name: str) -> str | None:
    import json

    text = ctx.read_context_file("package.json")
    if text is None:
        return None
    try:
        manifest = json.loads(text)
    except ValueError:
        return None
    scripts = manifest.get("scripts") if isinstance(manifest, dict) else None
    script = scripts.get(name) if isinstance(scripts, dict) else None
    return script if isinstance(script, str) else None


def _container_command(dockerfile: Dockerfile, layout: _Layout) -> list[Command] | None:
    """The commands of the stage's ENTRYPOINT or CMD (only one of them may be set)."""
    kinds = {i.keyword: i for i in layout.stage.instructions if i.keyword in ("CMD", "ENTRYPOINT")}
    if len(kinds) != 1:
        return None
    return list(shell_commands(dockerfile, next(iter(kinds.values()))))


def _major_version(stage: Stage) -> int | None:
    tag = stage.image.tag if stage.image is not None else None
    match = re.match(r"(\d+)", tag or "")
    return int(match.group(1)) if match else None


def _same_or_runtime(graph: BuildGraph, stage: Stage, language: str) -> str | None:
    """The runtime base for an interpreted app: the base itself when it is a runtime image."""
    facts = stage_facts(graph, stage)
    if facts is None or facts.language != language or stage.image is None:
        return None
    if "$" in stage.base.value and facts.is_toolchain:
        return None  # the suggestion would freeze a version the FROM leaves to an ARG
    if facts.role == "runtime":
        return _from_reference(stage)
    return runtime_image(stage.image, language)


def _from_reference(stage: Stage) -> str:
    """The FROM's image word as written."""
    return stage.from_instruction.args[0].value


def _plan_python(ctx: RuleContext, layout: _Layout, steps: tuple[BuildStep, ...]) -> _Plan | None:
    dockerfile, graph = ctx.dockerfile, ctx.graph
    stage = layout.stage
    if stage.image is None or stage.image.name != "python" or layout.final_workdir in (None, "/"):
        return None
    if layout.workdir != layout.final_workdir:
        return None
    installs = tool_installs(dockerfile, stage.instructions)
    packages = {package for install in installs for package in install.packages}
    if not packages <= _COMPILERS | _PYTHON_SLIM_DEV:
        return None  # an extension linking another library would not load in the slim runtime
    for instruction in stage.instructions[1:]:
        for command in shell_commands(dockerfile, instruction) if instruction.keyword == "RUN" else ():
            if command.name in ("poetry", "pipenv", "conda", "uv", "virtualenv") or _venv_or_user_install(command):
                return None
        if instruction.keyword in ("COPY", "ADD") and not _lands_in(graph, instruction, layout.final_workdir):
            return None
    runtime = _same_or_runtime(graph, stage, "python")
    if runtime is None:
        return None
    path_env = f'ENV PATH="{VENV}/bin:$PATH"'
    workdir = layout.final_workdir
    assert workdir is not None
    return _Plan(
        runtime,
        [(VENV, VENV), (workdir, workdir)],
        f"Split into a `{BUILD_STAGE}` stage that installs into a venv and a `{runtime}` runtime stage",
        builder_head=[f"RUN python -m venv {VENV}", path_env],
        runtime_env=[path_env],
    )


def _venv_or_user_install(command: Command) -> bool:
    args = command.args
    if (command.name or "").startswith("python") and "venv" in args:
        return True
    user_paths = ("--user", "--target", "-t", "--prefix", "--root")
    return (command.name or "").startswith(("pip", "python")) and any(arg.split("=")[0] in user_paths for arg in args)


def _lands_in(graph: BuildGraph, instruction: Instruction, workdir: str | None) -> bool:
    """Whether a COPY/ADD puts its files inside the working directory."""
    if workdir is None or len(instruction.args) < 2:
        return False
    destination = graph.resolve(instruction.args[-1].value, instruction)
    if not destination.complete:
        return False
    if not destination.value.startswith("/"):
        return _workdir_at(graph, graph.stages[0], instruction.index) == workdir
    path = posixpath.normpath(destination.value)
    return path == workdir or path.startswith(workdir + "/")


# --- checks on the runtime stage ----------------------------------------------------------------


def _runtime_can_run(dockerfile: Dockerfile, graph: BuildGraph, layout: _Layout, plan: _Plan) -> bool:
    """The command and user still work on the runtime base (no shell, fewer users)."""
    stage = layout.stage
    users = [i for i in stage.instructions if i.keyword == "USER" and i.rest is not None]
    for instruction in users:
        if plan.users is not None and not known_user(instruction.rest.value if instruction.rest else "", plan.users):
            return False
    if plan.shell:
        return True
    for instruction in stage.instructions:
        if instruction.keyword == "HEALTHCHECK" and instruction.values[:1] != ("NONE",):
            return False
        if instruction.keyword in ("CMD", "ENTRYPOINT") and not instruction.is_json:
            return False
    commands = _container_command(dockerfile, layout)
    if not commands or len(commands) != 1 or not commands[0].argv:
        return False
    return bool(_program_paths(dockerfile, layout) & {destination for _, destination in plan.copies})


# --- rendering ------------------------------------------------------------------------------------


def _render(dockerfile: Dockerfile, layout: _Layout, plan: _Plan) -> str:
    text = dockerfile.text
    newline = newline_of(dockerfile)
    stage = layout.stage

    def line(instruction: str) -> str:
        keyword, _, rest = instruction.partition(" ")
        return newline + keyword_case(dockerfile, stage.from_instruction, keyword) + " " + rest

    builder_name, from_text = _builder_from(dockerfile, stage)
    parts = [from_text, *(line(item) for item in plan.builder_head)]
    chunks = _chunks(text, stage)
    parts += [chunks[instruction.index] for instruction in layout.builder()]
    parts += [line(item) for item in plan.builder_tail]
    parts.append(newline)
    platform = stage.from_instruction.flag("platform")
    platform_text = f"{text[platform.span.start : platform.span.end]} " if platform is not None else ""
    parts.append(line(f"FROM {platform_text}{plan.runtime}"))
    parts += [line(item) for item in _runtime_preamble(dockerfile, layout)]
    parts += [line(item) for item in plan.runtime_env]
    parts += [line(f"COPY --from={builder_name} {source} {target}") for source, target in plan.copies]
    parts += [chunks[instruction.index] for instruction in layout.runtime()]
    return "".join(parts)


def _chunks(text: str, stage: Stage) -> dict[int, str]:
    """Each instruction with the comment and blank lines above it, starting with the newline before them."""
    chunks: dict[int, str] = {}
    previous = stage.instructions[0].span.end
    for instruction in stage.instructions[1:]:
        chunks[instruction.index] = text[previous : instruction.span.end]
        previous = instruction.span.end
    return chunks


def _builder_from(dockerfile: Dockerfile, stage: Stage) -> tuple[str, str]:
    """The builder's FROM text (the original with `AS build` added) and the builder's name."""
    text = dockerfile.text
    instruction = stage.from_instruction
    original = text[instruction.span.start : instruction.span.end]
    if stage.name is not None:
        return stage.reference, original
    image_end = instruction.args[0].span.end - instruction.span.start
    alias = f" {keyword_case(dockerfile, instruction, 'AS')} {BUILD_STAGE}"
    return BUILD_STAGE, original[:image_end] + alias + original[image_end:]


def _runtime_preamble(dockerfile: Dockerfile, layout: _Layout) -> list[str]:
    """WORKDIR, ARG, ENV and USER that the builder keeps and the runtime needs as well."""
    text = dockerfile.text
    preamble: list[str] = []
    if layout.workdir is not None:
        preamble.append(f"WORKDIR {layout.workdir}")
    kept = layout.builder()
    runtime_text = "".join(text[i.span.start : i.span.end] for i in [*layout.runtime(), *kept] if i.keyword != "ARG")
    referenced = set(_VARIABLE_NAME.findall(runtime_text))
    preamble += [
        _restated(text, i)
        for i in kept
        if i.keyword == "ARG" and {pair.key.value for pair in i.key_values} & referenced
    ]
    preamble += [_restated(text, i) for i in kept if i.keyword == "ENV" and not _build_only(i)]
    users = [i for i in kept if i.keyword == "USER"]
    if users:
        preamble.append(_restated(text, users[-1]))
    return preamble


def _build_only(instruction: Instruction) -> bool:
    return all(_BUILD_ONLY_ENV.fullmatch(pair.key.value) for pair in instruction.key_values)


def _restated(text: str, instruction: Instruction) -> str:
    """The instruction again, as written after its keyword, with an upper-case keyword."""
    written = text[instruction.keyword_span.end : instruction.span.end].lstrip(" \t")
    return f"{instruction.keyword} {written}"

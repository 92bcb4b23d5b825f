"""The binaries stages build, and where `cp`, `mv` and `COPY --from` carry them.

Each stage is read in order, starting from what the stage it builds on left (`FROM <stage>`):
WORKDIR and `cd` give the working directory; RUN steps build binaries with `go build`/`go install`,
`cargo build`/`cargo install` or a C/C++ compiler and move them with `cp`/`mv`/`install`;
`COPY --from=<stage>` brings the source stage's binaries along (paths relative to its root; exact
files, directories that contain them, globs).  Each binary records what decides whether it runs on
a given base: its linkage (static, or linked against glibc or musl) and its target architecture,
worked out from the toolchain image, the environment (command assignments, `export`s earlier in the
RUN, ENV and ARG defaults in scope, `go env -w`), flags and, when readable, `Cargo.toml` and
`.cargo/config.toml` from the build context.

Unknown stays unknown: whatever we cannot tell from the text is None, and rules never report on None.
A RUN that sources a file or runs `eval` makes the variables after it unknown; output written under
a RUN's `--mount` targets (cache, tmpfs, bind) does not stay in the stage.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from lintslim.analysis.paths import absolute, below_copy_source, below_shell_pattern, copies_into, has_glob, within
from lintslim.analysis.subshells import SubshellScope, commands_with_nesting
from lintslim.analysis.toolchain import installs_matching
from lintslim.context.gopath import clean
from lintslim.knowledge import ImageFacts, image_architecture, stage_facts
from lintslim.syntax.shell import Command, Word
from lintslim.syntax.source import Span
from lintslim.syntax.stages import BuildGraph, Scope, Stage, expand, mount_options

if TYPE_CHECKING:
    from lintslim.engine.rule import RuleContext
    from lintslim.syntax.nodes import Dockerfile, Instruction

ContextReader = Callable[[str], "str | None"]

# Target-triple and toolchain spellings of architectures, in Go's names (which GOARCH and image platforms use).
_ARCH_NAMES = {
    "x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7": "arm", "armv7l": "arm",
    "armv6": "arm", "arm": "arm", "i686": "386", "i586": "386", "i386": "386", "386": "386",
    "powerpc64le": "ppc64le", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64gc": "riscv64", "riscv64": "riscv64",
    "mips64el": "mips64le", "loongarch64": "loong64",
}  # fmt: skip
# Working directory and ENV of images that set them, from their Dockerfiles (docker-library golang:
# `ENV GOPATH /go`, `WORKDIR $GOPATH`; rust: `ENV CARGO_HOME=/usr/local/cargo`).  Other known images
# keep Docker's default working directory `/`; for unknown images both are unknown.
_IMAGE_WORKDIR = {"golang": "/go"}
_IMAGE_ENV = {"golang": {"GOPATH": "/go"}, "rust": {"CARGO_HOME": "/usr/local/cargo"}}
# Words in a RUN that the walk must read even when the stage has no artifact yet.
_MAY_BUILD = re.compile(
    r"(?<![\w.-])(go|xx-go|cargo|cross|rustup|cc|gcc|g\+\+|c\+\+|clang|clang\+\+|musl-gcc|mkdir|build-essential|build-base)"
    r"(?![\w.+])|-(gcc|g\+\+|cc|clang)(?![\w.+])"
)
# Directories that exist in every distribution image (not in scratch): a single file copied there lands inside.
_STANDARD_DIRECTORIES = frozenset(
    {"/", "/bin", "/sbin", "/usr", "/usr/bin", "/usr/sbin", "/usr/local", "/usr/local/bin", "/usr/local/sbin",
     "/usr/lib", "/lib", "/etc", "/tmp", "/opt", "/var", "/root", "/home", "/srv"}
)  # fmt: skip


# --- the model ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """One step that put an artifact where it is now: a `COPY --from`, a RUN mount, or `cp`/`mv`/`install`."""

    instruction: Instruction
    source: Span  # the word naming the source: the file itself, a directory holding it, or a glob
    source_text: str  # that word's value


@dataclass(frozen=True)
class Artifact:
    """A binary a RUN step built, at one place in one stage's filesystem."""

    language: str  # "go", "rust", "c" or "c++"
    directory: str | None  # absolute; None when unknown
    name: str | None  # the file name; None when it depends on files we cannot read
    linkage: str | None  # "static", "glibc", "musl" (dynamically linked against it), or None: unknown
    arch: str | None  # Go's architecture names (amd64, arm64…); None: the build platform's, or unknown
    os: str | None  # "linux" for Linux binaries; None when unknown
    stage: int  # the stage whose RUN built it
    instruction: Instruction  # that RUN
    command: Command  # the build command
    reason: str  # why the linkage is what it is, for messages
    target: str | None = None  # the Rust or C target triple as given (`--target`, a cross compiler's prefix)
    cgo: bool | None = None  # Go: whether cgo is on
    cgo_by_default: bool = False  # Go: cgo is on only because nothing set CGO_ENABLED and a C compiler is there
    trail: tuple[Placement, ...] = ()  # how it got where it is, oldest first
    # The name is unknown but the tool owns the directory (cargo's `target/<profile>`): a file a
    # copy names directly inside it is one of its binaries.
    owned_directory: bool = False

    @property
    def path(self) -> str | None:
        if self.directory is None or self.name is None:
            return None
        return posixpath.join(self.directory, self.name)

    @property
    def label(self) -> str:
        """How messages name it: its path, or its build command."""
        if self.path is not None:
            return f"`{self.path}`"
        return f"the output of `{' '.join(word.value for word in self.command.argv[:2])}`"


@dataclass(frozen=True)
class Artifacts:
    """Every stage's artifacts as they are when the stage ends, and what each `COPY --from` carried."""

    stages: tuple[tuple[Artifact, ...], ...]
    copies: Mapping[int, tuple[Artifact, ...]]  # instruction index of a COPY --from → artifacts at their destination

    def in_stage(self, stage: int) -> tuple[Artifact, ...]:
        """The artifacts in the stage's filesystem at its end (built there, inherited or copied in)."""
        return self.stages[stage]

    def built_in(self, stage: int) -> tuple[Artifact, ...]:
        """The artifacts the stage's own RUN steps built, wherever they are at the stage's end."""
        return tuple(artifact for artifact in self.stages[stage] if artifact.stage == stage)

    def carried(self, instruction: Instruction) -> tuple[Artifact, ...]:
        """The artifacts a `COPY --from=<stage>` brings, at their new place."""
        return self.copies.get(instruction.index, ())

    def carried_by(self, instructions: Iterable[Instruction]) -> Iterator[Artifact]:
        """The artifacts that the `COPY --from` instructions among `instructions` bring, in order."""
        for instruction in instructions:
            yield from self.carried(instruction)


_MEMO_KEY = ("artifacts", -1)


def cached_artifacts(dockerfile: Dockerfile) -> Artifacts | None:
    """The artifact model the rules already worked out for this document (with its build context), if any."""
    cached = dockerfile.memo.get(_MEMO_KEY)
    return cached[1] if isinstance(cached, tuple) and isinstance(cached[1], Artifacts) else None


def artifacts(ctx: RuleContext) -> Artifacts:
    """The artifact model of the checked Dockerfile (computed once per document and build context)."""
    memo = ctx.dockerfile.memo
    key = _MEMO_KEY
    cached = memo.get(key)
    if isinstance(cached, tuple) and cached[0] == ctx.context_dir:
        result = cached[1]
        assert isinstance(result, Artifacts)
        return result
    result = analyze(ctx.dockerfile, ctx.read_context_file if ctx.context_dir is not None else None)
    memo[key] = (ctx.context_dir, result)
    return result


def analyze(dockerfile: Dockerfile, read_context_file: ContextReader | None = None) -> Artifacts:
    """Follow every stage in order; `read_context_file` reads build-context files (Cargo.toml…)."""
    graph = dockerfile.graph
    ends: list[_State] = []
    copies: dict[int, tuple[Artifact, ...]] = {}
    cwds: dict[int, str | None] = {}
    for stage in graph.stages:
        walk = _StageWalk(dockerfile, graph, stage, ends, copies, cwds, read_context_file)
        ends.append(walk.run())
    return Artifacts(tuple(tuple(state.artifacts) for state in ends), copies)


def target_arch(triple: str) -> str | None:
    """The architecture of a target triple (`aarch64-unknown-linux-musl` → arm64), in Go's names."""
    return _ARCH_NAMES.get(triple.split("-", 1)[0])


def stage_platform_arch(graph: BuildGraph, stage: Stage) -> str | None:
    """The architecture a stage runs on when its FROM (or one it builds on) pins one; None otherwise."""
    platform = graph.platform(stage)
    if platform is not None:
        return image_architecture(None, platform.value) if platform.complete else None
    return image_architecture(graph.root_image(stage))


# --- paths --------------------------------------------------------------------------------------


def _components(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def _relocate(
    artifact: Artifact,
    source: str,
    dest: str | None,
    *,
    dest_is_dir: bool,
    contents: bool,
    placement: Placement,
    taken: Callable[[str, str], str | None] = below_copy_source,
) -> Artifact | None:
    """Where `artifact` lands when `source` is copied to `dest`; None when the copy does not take it.

    `contents`: a directory source puts its contents into `dest` (COPY; `cp -r` to a new name);
    otherwise the directory itself goes inside `dest`.  An unknown `dest` keeps the artifact with an
    unknown place: it is carried all the same.  `taken` reads `source` as a COPY source reads it
    (BuildKit's patterns), or as the shell expands a `cp`/`mv` operand (`below_shell_pattern`).
    """
    if artifact.directory is None:
        return None
    name = artifact.name
    if name is None and artifact.owned_directory and _names_output(artifact.directory, source):
        name = posixpath.basename(source)
    full = artifact.directory if name is None else posixpath.join(artifact.directory, name)
    rest = taken(full, source)
    if rest is None:
        return None
    new_dir: str | None
    new_name: str | None
    if rest == "" and name is not None:  # the file itself
        new_dir, new_name = (dest, name) if dest_is_dir or dest is None else posixpath.split(dest)
    else:  # a directory holding it
        matched = full[: len(full) - len(rest)].rstrip("/") if rest else full
        inner = posixpath.dirname(rest) if name is not None else rest
        new_dir, new_name = _below(dest, matched, inner, contents), name
    trail = (*artifact.trail, placement)
    owned = artifact.owned_directory and new_name is None
    return replace(artifact, directory=new_dir, name=new_name, trail=trail, owned_directory=owned)


def _below(dest: str | None, matched: str, rest: str, contents: bool) -> str | None:
    """The new place of directory `matched`/`rest` when `matched` is copied to `dest`."""
    if dest is None:
        return None
    if not contents:
        dest = posixpath.join(dest, posixpath.basename(matched))
    return clean(posixpath.join(dest, rest)) if rest else clean(dest)


# Files cargo writes beside the binaries in `target/<profile>`, which are not programs.
_CARGO_OUTPUT_DIRS = frozenset({"build", "deps", "examples", "incremental"})
_NOT_PROGRAM_SUFFIXES = (".d", ".rlib", ".rmeta", ".so", ".a", ".dylib", ".dll", ".pdb", ".json", ".lock", ".txt")


def _names_output(directory: str, source: str) -> bool:
    """Whether `source` is a file directly in `directory` that can only be one of its binaries."""
    if has_glob(source) or posixpath.dirname(source) != directory:
        return False
    name = posixpath.basename(source)
    return not name.startswith(".") and name not in _CARGO_OUTPUT_DIRS and not name.endswith(_NOT_PROGRAM_SUFFIXES)


# --- the environment a command sees ---------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """A variable as a command sees it: `known` is False when its value cannot be known."""

    value: str | None
    known: bool = True

    @property
    def unknown(self) -> bool:
        return not self.known


UNSET = Setting(None)
UNKNOWN = Setting(None, known=False)
# The shell's variables: exported ones, every one it set, and whether a sourced file may have set any.
_ShellVariables = tuple[dict[str, Setting], dict[str, Setting], bool]


@dataclass
class _Env:
    """Variables of one RUN: ARG/ENV in scope, the image's ENV, and what the shell set so far."""

    scope_of: Callable[[], Scope]  # ARG/ENV in scope, computed when first needed
    image_env: Mapping[str, str] | None  # None: an unknown image, whose ENV may set anything
    go_env: Mapping[str, str | None]
    exported: dict[str, Setting] = field(default_factory=dict)  # environment changes made by the shell
    shell: dict[str, Setting] = field(default_factory=dict)  # every variable the shell set
    sourced: bool = False  # a sourced file or `eval` may have set anything
    _scope: Scope | None = None

    @property
    def scope(self) -> Scope:
        if self._scope is None:
            self._scope = self.scope_of()
        return self._scope

    def get(self, name: str, command: Command | None = None, *, go: bool = False) -> Setting:
        if command is not None and name in command.assignments:
            return self._value(command.assignments[name])
        if self.sourced:
            return UNKNOWN
        if name in self.exported:
            return self.exported[name]
        if name in self.scope.values:
            return Setting(self.scope.values[name])
        if name in self.scope.unknown or self.image_env is None:
            return UNKNOWN
        if name in self.image_env:
            return Setting(self.image_env[name])
        if go and name in self.go_env:
            value = self.go_env[name]
            return UNKNOWN if value is None else Setting(value)
        return UNSET

    def expand(self, text: str) -> str | None:
        """`text` with shell variables expanded, or None when it depends on what we cannot know."""
        if "`" in text or "$(" in text:
            return None
        if "$" not in text:
            return text
        if self.sourced or self.image_env is None:
            return None  # a sourced file, or an unknown image's ENV, may set any variable
        values = {**self.image_env, **self.scope.values}
        unknown = set(self.scope.unknown)
        for name, setting in self.shell.items():
            values.pop(name, None)
            if setting.unknown:
                unknown.add(name)
            elif setting.value is not None:
                values[name] = setting.value
        resolved = expand(text, Scope(values, frozenset(unknown)))
        return resolved.value if resolved.complete else None

    def _value(self, raw: str) -> Setting:
        value = self.expand(raw)
        return UNKNOWN if value is None else Setting(value)

    def save(self) -> _ShellVariables:
        return dict(self.exported), dict(self.shell), self.sourced

    def restore(self, variables: _ShellVariables) -> None:
        exported, shell, self.sourced = variables
        self.exported, self.shell = dict(exported), dict(shell)  # copies: the saved ones stay as they were

    def note(self, command: Command) -> None:
        """Record what `export`, bare assignments, `unset`, `.`/`source` and `eval` do to the shell."""
        name = command.name
        if name is None:
            for key, raw in command.assignments.items():
                self.shell[key] = setting = self._value(raw)
                if key in self.exported or key in self.scope.values or key in self.scope.unknown:
                    self.exported[key] = setting  # changing an exported variable changes the environment
        elif name in ("export", "declare", "typeset") and not command.assignments:
            for word in command.argv[1:]:
                key, equals, raw = word.value.partition("=")
                if equals and not key.startswith("-"):
                    self.exported[key] = self.shell[key] = self._value(raw)
        elif name == "unset":
            for key in command.args:
                self.exported[key] = self.shell[key] = UNSET
        elif name in (".", "source", "eval"):
            self.sourced = True

    def words(self, command: Command, start: int = 1) -> list[_Arg]:
        """The command's arguments from `start`, expanded; unquoted expansions split into words."""
        result: list[_Arg] = []
        for word in command.argv[start:]:
            if "$" not in word.raw and "`" not in word.raw:
                result.append(_Arg(word.value, word, known=True))
                continue
            value = self.expand(word.value)
            if value is None:
                result.append(_Arg(word.value, word, known=False))
            elif word.quoted:
                result.append(_Arg(value, word, known=True))
            else:
                result += [_Arg(part, word, known=True) for part in value.split()]
        return result


@dataclass(frozen=True)
class _Arg:
    value: str
    word: Word
    known: bool


# --- one stage ----------------------------------------------------------------------------------


@dataclass
class _State:
    """What a stage's filesystem and toolchain are like at one point."""

    artifacts: list[Artifact]
    cwd: str | None
    directories: set[str]
    go_env: dict[str, str | None]
    compiler: bool | None  # a native C compiler is installed
    compiler_installed: bool = False  # by a RUN of the stage or one it builds on (not the image)


@dataclass
class _StageWalk:
    """One stage read in order, from the state its base left (`ends` holds the earlier stages' ends)."""

    dockerfile: Dockerfile
    graph: BuildGraph
    stage: Stage
    ends: list[_State]
    copies: dict[int, tuple[Artifact, ...]]
    cwds: dict[int, str | None]  # the working directory before each instruction (WORKDIR only)
    read_context_file: ContextReader | None
    facts: ImageFacts | None = None
    native_arch: str | None = None
    state: _State = field(default_factory=lambda: _State([], None, set(), {}, None))

    def run(self) -> _State:
        self.facts = stage_facts(self.graph, self.stage)
        self.native_arch = stage_platform_arch(self.graph, self.stage)
        self.state = self._initial_state()
        for instruction in self.stage.instructions[1:]:
            self.cwds[instruction.index] = self.state.cwd
            if instruction.keyword == "WORKDIR" and instruction.rest is not None:
                self._workdir(instruction)
            elif instruction.keyword == "COPY":
                self._copy(instruction)
            elif instruction.keyword == "RUN":
                self._run(instruction)
        return self.state

    def _initial_state(self) -> _State:
        if self.stage.base_stage is not None:
            parent = self.ends[self.stage.base_stage]
            return _State(
                list(parent.artifacts),
                parent.cwd,
                set(parent.directories),
                dict(parent.go_env),
                parent.compiler,
                parent.compiler_installed,
            )
        image = self.stage.image
        facts = self.facts
        if image is not None and image.is_scratch:
            return _State([], "/", {"/"}, {}, False)
        cwd = None if facts is None else _IMAGE_WORKDIR.get(facts.family, "/")
        directories = set(_STANDARD_DIRECTORIES) if facts is not None else set()
        return _State([], cwd, directories, {}, None if facts is None else facts.compiler)

    # WORKDIR and COPY ------------------------------------------------------------------------

    def _workdir(self, instruction: Instruction) -> None:
        assert instruction.rest is not None
        resolved = self.graph.resolve(instruction.rest.value, instruction)
        self.state.cwd = absolute(resolved.value, self.state.cwd) if resolved.complete else None
        if self.state.cwd is not None:
            self.state.directories.add(self.state.cwd)

    def _copy(self, instruction: Instruction) -> None:
        source_stage = next((link.source_stage for link in self.graph.links_of(instruction)), None)
        if source_stage is None or instruction.heredocs or len(instruction.args) < 2:
            return
        *sources, dest_token = instruction.args
        dest_resolved = self.graph.resolve(dest_token.value, instruction)
        dest = absolute(dest_resolved.value, self.state.cwd) if dest_resolved.complete else None
        into = copies_into(dest_token.value, len(sources))
        carried: list[Artifact] = []
        for token in sources:
            resolved = self.graph.resolve(token.value, instruction)
            if not resolved.complete:
                continue
            source = clean("/" + resolved.value.lstrip("/"))  # relative to the source stage's root
            dest_is_dir = into or (dest is not None and dest in self.state.directories)
            placement = Placement(instruction, token.span, token.value)
            for artifact in self.ends[source_stage].artifacts:
                moved = _relocate(artifact, source, dest, dest_is_dir=dest_is_dir, contents=True, placement=placement)
                if moved is not None:
                    carried.append(moved)
        self.copies[instruction.index] = tuple(carried)
        self._add(carried)

    def _add(self, new: Iterable[Artifact]) -> None:
        for artifact in new:
            self.state.artifacts = [old for old in self.state.artifacts if not _same_place(old, artifact)]
            self.state.artifacts.append(artifact)
            if artifact.directory is not None:
                self.state.directories.add(artifact.directory)

    # RUN -------------------------------------------------------------------------------------

    def _run(self, instruction: Instruction) -> None:
        if instruction.inner is not None:
            return  # ONBUILD triggers run in a later build
        text = self.dockerfile.text[instruction.span.start : instruction.span.end]
        if not self.state.artifacts and not instruction.flags and not _MAY_BUILD.search(text):
            return  # nothing to follow, and nothing here builds, installs a compiler or makes a directory
        mounted = self._mounts(instruction)
        env = _Env(
            lambda: self.graph.scope_at(instruction),
            None if self.facts is None else _IMAGE_ENV.get(self.facts.family, {}),
            self.state.go_env,
        )
        cwd = self.state.cwd
        subshells: SubshellScope[tuple[str | None, _ShellVariables]] = SubshellScope()
        for command, nesting in commands_with_nesting(self.dockerfile, instruction):
            if nesting:  # a subshell's `cd` and variables end with it
                cwd, variables = subshells.step(nesting, (cwd, env.save()))
                env.restore(variables)
            env.note(command)
            name = command.name
            if name is None:
                continue
            if name in ("cd", "pushd", "popd"):
                cwd = self._cd(command, env, cwd)
            elif name == "mkdir":
                self._mkdir(command, env, cwd)
            elif name in ("cp", "mv", "install"):
                self._move(instruction, command, env, cwd)
            else:
                self._build(instruction, command, env, cwd)
        if mounted:
            self.state.artifacts = [
                artifact
                for artifact in self.state.artifacts
                if artifact.directory is None or not any(within(artifact.directory, target) for target in mounted)
            ]

    def _mounts(self, instruction: Instruction) -> list[str]:
        """Mount targets of a RUN; artifacts of a stage bind-mounted there are visible during the RUN."""
        targets: list[str] = []
        for flag in instruction.flags_named("mount"):
            options = mount_options(flag)
            target = options.get("target") or options.get("dst") or options.get("destination")
            if not target or options["type"] in ("secret", "ssh"):
                continue
            resolved = self.graph.resolve(target, instruction)
            path = absolute(resolved.value, self.state.cwd) if resolved.complete else None
            if path is None:
                continue
            targets.append(path)
            links = self.graph.links_of(instruction)
            source_stage = next((link.source_stage for link in links if link.reference == options.get("from")), None)
            if options["type"] == "bind" and source_stage is not None and flag.value_span is not None:
                source = clean("/" + options.get("source", "/").lstrip("/"))
                placement = Placement(instruction, flag.value_span, flag.value or "")
                for artifact in self.ends[source_stage].artifacts:
                    moved = _relocate(artifact, source, path, dest_is_dir=True, contents=True, placement=placement)
                    if moved is not None:
                        self.state.artifacts.append(moved)
        return targets

    def _cd(self, command: Command, env: _Env, cwd: str | None) -> str | None:
        args = [arg for arg in env.words(command) if not arg.value.startswith("-")]
        if command.name == "popd" or not args or not args[0].known:
            return None
        return absolute(args[0].value, cwd)

    def _mkdir(self, command: Command, env: _Env, cwd: str | None) -> None:
        for arg in env.words(command):
            if arg.known and not arg.value.startswith("-") and (path := absolute(arg.value, cwd)) is not None:
                self.state.directories.add(path)

    def _build(self, instruction: Instruction, command: Command, env: _Env, cwd: str | None) -> None:
        name = command.name or ""
        args = command.args
        built: list[Artifact] = []
        if name in ("go", "xx-go") and args[:1] in (("build",), ("install",)):
            built = _GoBuild(self, instruction, command, env, cwd).artifacts()
        elif name == "go" and args[:2] == ("env", "-w"):
            for arg in env.words(command, 3):
                key, equals, value = arg.value.partition("=")
                if equals:
                    self.state.go_env[key] = value if arg.known else None
        elif name in ("cargo", "cross") and _cargo_subcommand(args) in ("build", "zigbuild", "install"):
            built = _CargoBuild(self, instruction, command, env, cwd).artifacts()
        elif _compiler(command) is not None:
            built = _CBuild(self, instruction, command, env, cwd).artifacts()
        elif installs_matching(command, _NATIVE_COMPILER_PACKAGE):  # cgo turns on with a C compiler
            self.state.compiler = self.state.compiler_installed = True
        self._add(built)

    def _move(self, instruction: Instruction, command: Command, env: _Env, cwd: str | None) -> None:
        operands = _move_operands(command, env)
        if operands is None:
            return
        sources, dest_arg, into_dir, keep_source = operands
        dest = absolute(dest_arg.value, cwd) if dest_arg.known else None
        exists = dest is not None and dest in self.state.directories
        dest_is_dir = into_dir or len(sources) > 1 or dest_arg.value.endswith("/") or exists
        moved: list[Artifact] = []
        gone: list[Artifact] = []
        for arg in sources:
            path = absolute(arg.value, cwd) if arg.known else None
            if path is None:
                continue
            placement = Placement(instruction, arg.word.span, arg.word.value)
            for artifact in self.state.artifacts:
                new = _relocate(
                    artifact,
                    path,
                    dest,
                    dest_is_dir=dest_is_dir,
                    contents=not exists,
                    placement=placement,
                    taken=below_shell_pattern,
                )
                if new is not None:
                    moved.append(new)
                    gone.append(artifact)
        if not keep_source:
            self.state.artifacts = [artifact for artifact in self.state.artifacts if artifact not in gone]
        self._add(moved)

    # context files ---------------------------------------------------------------------------

    def context_file(self, container_path: str, before: Instruction) -> str | None:
        """The text of the build-context file that the stage copied to `container_path`, if readable."""
        if self.read_context_file is None:
            return None
        for relative in self._context_paths(container_path, before):
            text = self.read_context_file(relative)
            if text is not None:
                return text
        return None

    def _context_paths(self, container_path: str, before: Instruction) -> list[str]:
        """Context files that may end up at `container_path`, from the last context COPY or ADD back."""
        found: list[str] = []
        for stage in self.graph.ancestry(self.stage):
            for instruction in reversed(stage.instructions[1:]):
                if instruction.index >= before.index or instruction.keyword not in ("COPY", "ADD"):
                    continue
                if instruction.flag("from") is None and not instruction.heredocs:
                    found += self._copied_from_context(instruction, container_path)
        return found

    def _copied_from_context(self, instruction: Instruction, container_path: str) -> list[str]:
        if len(instruction.args) < 2:
            return []
        *sources, dest_token = instruction.args
        dest_resolved = self.graph.resolve(dest_token.value, instruction)
        dest = absolute(dest_resolved.value, self.cwds.get(instruction.index)) if dest_resolved.complete else None
        rest = None if dest is None else below_copy_source(container_path, dest)
        if rest is None:
            return []
        into_directory = copies_into(dest_token.value, len(sources))
        found: list[str] = []
        for token in reversed(sources):
            source = clean(token.value)
            if has_glob(source) or "$" in source or "://" in source:
                continue
            if source in (".", "/"):  # the whole context, into `dest`
                found += [rest] if rest else []
            elif rest == "" and not into_directory:
                found.append(source)  # a file copied to that name
            elif rest == posixpath.basename(source) and into_directory:
                found.append(source)  # a file copied into the directory
            elif rest:
                found.append(posixpath.join(source, rest))  # inside a directory copied there
        return found


def _same_place(old: Artifact, new: Artifact) -> bool:
    return old.path is not None and old.path == new.path


def _move_operands(command: Command, env: _Env) -> tuple[list[_Arg], _Arg, bool, bool] | None:
    """Sources, destination, whether it is a directory (`-t`), and whether sources stay (cp, install)."""
    name = command.name
    with_value = {"-t", "--target-directory", "-S", "--suffix"}
    if name == "install":
        with_value |= {"-m", "--mode", "-o", "--owner", "-g", "--group", "--strip-program"}
    operands: list[_Arg] = []
    target_dir: _Arg | None = None
    args = env.words(command)
    index = 0
    while index < len(args):
        arg = args[index]
        value = arg.value
        if value == "-d" and name == "install":
            return None  # `install -d` creates directories
        if value in ("-t", "--target-directory") and index + 1 < len(args):
            target_dir = args[index + 1]
            index += 2
            continue
        if value.startswith("--target-directory="):
            target_dir = _Arg(value.partition("=")[2], arg.word, arg.known)
        elif value in with_value:
            index += 1
        elif not value.startswith("-") or value == "-":
            operands.append(arg)
        index += 1
    if target_dir is not None:
        return (operands, target_dir, True, name != "mv") if operands else None
    if len(operands) < 2:
        return None
    return operands[:-1], operands[-1], False, name != "mv"


# --- Go -----------------------------------------------------------------------------------------

_GO_VALUE_FLAGS = frozenset(
    {"o", "ldflags", "gcflags", "asmflags", "tags", "mod", "modfile", "buildmode", "compiler", "gccgoflags",
     "installsuffix", "p", "pkgdir", "toolexec", "overlay", "pgo", "covermode", "coverpkg", "C", "exec"}
)  # fmt: skip
_EXTLD_FLAG = re.compile(r"-extldflags[=\s]*")
_STATIC_FLAG = re.compile(r"(?<![\w-])-static(?:-pie)?(?![\w-])")


def _links_statically(ldflags: str) -> bool:
    """Whether `-ldflags` passes `-static` (or `-static-pie`) to the external linker: in the value of
    each `-extldflags`, up to its closing quote (the value is found with string methods; one regular
    expression for it backtracked quadratically on a long run of blanks)."""
    for flag in _EXTLD_FLAG.finditer(ldflags):
        rest = ldflags[flag.end() :]
        if rest[:1] in ("'", '"'):
            rest = rest[1:]
        value = rest[: min((i for i in (rest.find("'"), rest.find('"')) if i >= 0), default=len(rest))]
        if _STATIC_FLAG.search(value):
            return True
    return False


_MAJOR_VERSION = re.compile(r"v\d+")
_NOT_EXECUTABLE_BUILDMODES = frozenset({"archive", "c-archive", "c-shared", "shared", "plugin"})


@dataclass(frozen=True)
class _GoFlags:
    values: dict[str, str]
    tags: frozenset[str]
    packages: list[_Arg]
    opaque: bool  # an argument we cannot read may hold any flag


def _go_flags(args: list[_Arg], goflags: str | None) -> _GoFlags:
    values: dict[str, str] = {}
    tags: set[str] = set()
    opaque = False
    words = [_Arg(part, args[0].word, True) for part in (goflags or "").split()] if args else []
    words += args
    index = 0
    packages: list[_Arg] = []
    while index < len(words):
        arg = words[index]
        if not arg.known:
            opaque = True
            index += 1
            continue
        if arg.value == "--":
            packages = words[index + 1 :]
            break
        if not arg.value.startswith("-") or arg.value == "-":
            packages = words[index:]
            break
        name, equals, value = arg.value.lstrip("-").partition("=")
        if not equals and name in _GO_VALUE_FLAGS and index + 1 < len(words):
            index += 1
            value = words[index].value
            opaque = opaque or not words[index].known
        if name == "tags":
            tags |= {tag for tag in re.split(r"[\s,]+", value) if tag}
        elif name == "ldflags":
            values[name] = values.get(name, "") + " " + value
        else:
            values[name] = value
        index += 1
    return _GoFlags(values, frozenset(tags), packages, opaque)


@dataclass
class _Build:
    """One build command of a RUN, read where the stage's walk has got to: the binaries it writes."""

    walk: _StageWalk
    instruction: Instruction
    command: Command
    env: _Env
    cwd: str | None

    def artifacts(self) -> list[Artifact]:
        raise NotImplementedError

    @property
    def image_label(self) -> str:
        """How reasons name the image the stage builds on."""
        image = self.walk.graph.root_image(self.walk.stage)
        return f"`{image.familiar}:{image.tag or 'latest'}`" if image is not None else "the base image"


class _GoBuild(_Build):
    def artifacts(self) -> list[Artifact]:
        command, env = self.command, self.env
        subcommand = command.args[0]
        goflags = env.get("GOFLAGS", command, go=True)
        flags = _go_flags(env.words(command, 2), goflags.value)
        if goflags.unknown:
            flags = replace(flags, opaque=True)
        if flags.values.get("buildmode") in _NOT_EXECUTABLE_BUILDMODES:
            return []
        cwd = self.cwd
        if "C" in flags.values:
            cwd = absolute(flags.values["C"], cwd)
        goos = env.get("GOOS", command, go=True)
        goarch = env.get("GOARCH", command, go=True)
        if command.name == "xx-go":  # tonistiigi/xx sets GOOS/GOARCH from the target platform
            goos, goarch = Setting("linux"), UNKNOWN
        os_name = "linux" if goos.known and goos.value in (None, "linux") else (goos.value if goos.known else None)
        arch = goarch.value if goarch.known and goarch.value else (self.walk.native_arch if goarch.known else None)
        cgo, cgo_reason = self._cgo(goarch, arch)
        linkage, reason = self._linkage(cgo, cgo_reason, flags)
        places = self._outputs(subcommand, flags, cwd, goarch, arch)
        by_default = cgo is True and env.get("CGO_ENABLED", command, go=True).value is None
        return [
            Artifact(
                "go", directory, name, linkage, arch, os_name, self.walk.stage.index, self.instruction, command, reason,
                target=None, cgo=cgo, cgo_by_default=by_default,
            )
            for directory, name in places
        ]  # fmt: skip

    def _cgo(self, goarch: Setting, arch: str | None) -> tuple[bool | None, str]:
        command, env = self.command, self.env
        setting = env.get("CGO_ENABLED", command, go=True)
        if setting.unknown:
            return None, "CGO_ENABLED is set to a value we cannot know"
        if setting.value is not None:
            on = setting.value.strip() == "1"
            return on, f"CGO_ENABLED={setting.value}"
        if command.name == "xx-go":
            return None, "xx-go decides cgo from the target's C toolchain"
        if goarch.unknown:
            return None, "GOARCH is set to a value we cannot know"
        if goarch.value and (self.walk.native_arch is None or arch != self.walk.native_arch):
            # cross-compiling turns cgo off by default; whether this is a cross build depends on the builder
            return (False, "cross-compiling turns cgo off") if self.walk.native_arch else (None, "")
        cc = env.get("CC", command)
        state = self.walk.state
        image = self.image_label
        if cc.known and cc.value:
            why = f"`CC={cc.value}` names a C compiler"
        elif state.compiler_installed:
            why = "the stage installs a C compiler"
        elif state.compiler:
            why = f"{image} has a C compiler"
        else:
            return (
                (None, "") if state.compiler is None else (False, f"cgo is off by default: {image} has no C compiler")
            )
        return True, f"cgo is on by default: {why} and CGO_ENABLED is not set"

    def _linkage(self, cgo: bool | None, cgo_reason: str, flags: _GoFlags) -> tuple[str | None, str]:
        if flags.values.get("buildmode") == "pie" and not _links_statically(flags.values.get("ldflags", "")):
            return None, "-buildmode=pie needs the dynamic loader"
        if cgo is False:
            return "static", cgo_reason
        if _links_statically(flags.values.get("ldflags", "")):
            return "static", "linked with -extldflags -static"
        if cgo is None:
            return None, cgo_reason
        if {"netgo", "osusergo"} <= flags.tags:
            # the standard library's cgo users are replaced; other cgo packages would need -static too
            return "static", "built with -tags netgo,osusergo"
        if flags.opaque:
            return None, "an argument we cannot read may make it static"
        libc = self.walk.facts.libc if self.walk.facts is not None else None
        if libc in ("glibc", "musl"):
            return libc, cgo_reason
        return None, cgo_reason

    def _outputs(
        self, subcommand: str, flags: _GoFlags, cwd: str | None, goarch: Setting, arch: str | None
    ) -> list[tuple[str | None, str | None]]:
        packages = flags.packages
        names = [self._default_name(package, cwd) for package in packages] if packages else [self._module_name(cwd)]
        many = len(packages) > 1 or any(package.value.endswith("...") for package in packages)
        if subcommand == "install":
            directory = self._bin_dir(goarch, arch)
            return [(directory, None if many and name is None else name) for name in names]
        output = flags.values.get("o")
        if output is None:
            return [] if many else [(cwd, names[0])]  # several packages without -o: nothing is written
        path = absolute(output, cwd) if "$" not in output else None
        if output.endswith("/") or many or (path is not None and path in self.walk.state.directories):
            return [(path, name) for name in names]
        if path is None:
            return [(None, None)]
        directory, name = posixpath.split(path)
        return [(directory, name)]

    def _default_name(self, package: _Arg, cwd: str | None) -> str | None:
        """The executable's name: the package path's last element that is not a major version."""
        value = package.value
        if not package.known or value.endswith("...") or has_glob(value):
            return None
        value = value.split("@", 1)[0]
        if value.endswith(".go"):
            return posixpath.basename(value)[: -len(".go")]
        if value.startswith((".", "/")):
            path = absolute(value, cwd)
            if path is None:
                return None
            if clean(value) in (".", ".."):
                return self._module_name(path)
            value = path
        parts = _components(value)
        while len(parts) > 1 and _MAJOR_VERSION.fullmatch(parts[-1]):
            parts.pop()
        return parts[-1] if parts else None

    def _module_name(self, directory: str | None) -> str | None:
        """The name `go build` gives the package in `directory` when it is a module root (from go.mod)."""
        if directory is None:
            return None
        text = self.walk.context_file(posixpath.join(directory, "go.mod"), self.instruction)
        match = re.search(r"(?m)^\s*module\s+\"?([^\s\"]+)", text or "")
        if match is None:
            return None
        parts = _components(match.group(1))
        while len(parts) > 1 and _MAJOR_VERSION.fullmatch(parts[-1]):
            parts.pop()
        return parts[-1] if parts else None

    def _bin_dir(self, goarch: Setting, arch: str | None) -> str | None:
        gobin = self.env.get("GOBIN", self.command, go=True)
        if gobin.unknown:
            return None
        if gobin.value:
            return absolute(gobin.value, self.cwd)
        gopath = self.env.get("GOPATH", self.command, go=True)
        if not gopath.known or not gopath.value:
            return None
        root = clean(gopath.value.split(":", 1)[0] + "/bin")
        if goarch.value and arch != self.walk.native_arch:
            return None if self.walk.native_arch is None else posixpath.join(root, f"linux_{arch}")
        return root


# --- Rust ---------------------------------------------------------------------------------------

_CARGO_VALUE_OPTIONS = frozenset(
    {"--target", "--bin", "--example", "-p", "--package", "--manifest-path", "--target-dir", "--profile",
     "--features", "-F", "-j", "--jobs", "--config", "-Z", "--color", "--message-format", "--exclude", "--root",
     "--version", "--vers", "--git", "--branch", "--tag", "--rev", "--path", "--registry", "--index", "--timings"}
)  # fmt: skip
_CARGO_GLOBAL_VALUE_OPTIONS = frozenset({"--config", "-Z", "--color", "-C"})


def _cargo_subcommand(args: tuple[str, ...]) -> str | None:
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("+"):  # `cargo +nightly build`
            index += 1
        elif arg in _CARGO_GLOBAL_VALUE_OPTIONS:
            index += 2
        elif arg.startswith("-"):
            index += 1
        else:
            return "build" if arg == "auditable" and args[index + 1 : index + 2] == ("build",) else arg
    return None


@dataclass(frozen=True)
class _CargoOptions:
    values: dict[str, list[str]]
    flags: frozenset[str]
    positionals: list[str]
    opaque: bool


def _cargo_options(args: list[_Arg]) -> _CargoOptions:
    values: dict[str, list[str]] = {}
    flags: set[str] = set()
    positionals: list[str] = []
    opaque = False
    index = 0
    while index < len(args):
        arg = args[index]
        if not arg.known:
            opaque = True
        elif arg.value.startswith("-") and arg.value != "-":
            name, equals, value = arg.value.partition("=")
            if name in _CARGO_VALUE_OPTIONS:
                if not equals and index + 1 < len(args):
                    index += 1
                    value = args[index].value
                    opaque = opaque or not args[index].known
                values.setdefault(name.replace("--package", "-p"), []).append(value)
            else:
                flags.add(name)
        elif arg.value.startswith("+"):
            pass  # a rustup toolchain (`cargo +nightly build`)
        elif arg.value not in ("build", "zigbuild", "install", "auditable") or positionals:
            positionals.append(arg.value)
        index += 1
    return _CargoOptions(values, frozenset(flags), positionals, opaque)


def _load_toml(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    return data


class _CargoBuild(_Build):
    def artifacts(self) -> list[Artifact]:
        options = _cargo_options(self.env.words(self.command))
        # `--config build.target=…` and the like change what we would read from files
        overridden = any("target" in value or "rustflags" in value for value in options.values.get("--config", []))
        if overridden:
            options = replace(options, opaque=True)
        installing = _cargo_subcommand(self.command.args) == "install"
        project = self._project_dir(options)
        config = self._cargo_config(project)
        targets: list[str | None] = [*options.values.get("--target", [])] or [self._configured_target(config)]
        names = self._names(options, project, installing)
        found: list[Artifact] = []
        for target in targets:
            if target is not None and target.endswith(".json"):
                continue  # a custom target specification
            linkage, reason, triple = self._linkage(target, config, options.opaque)
            arch = target_arch(triple) if triple else self.walk.native_arch
            os_name = _triple_os(triple) if triple else "linux"
            directory = None if overridden else self._output_dir(options, project, target, config, installing)
            found += [
                Artifact(
                    "rust", directory, name, linkage, arch, os_name, self.walk.stage.index, self.instruction,
                    self.command, reason, target=target, owned_directory=name is None and not installing,
                )
                for name in names
            ]  # fmt: skip
        return found

    def _project_dir(self, options: _CargoOptions) -> str | None:
        manifest = options.values.get("--manifest-path")
        if manifest:
            path = absolute(manifest[-1], self.cwd)
            return None if path is None else posixpath.dirname(path)
        source = options.values.get("--path")
        if source:
            return absolute(source[-1], self.cwd)
        return self.cwd

    def _cargo_config(self, project: str | None) -> dict[str, Any]:
        """`.cargo/config.toml` of the project directory or one above it, when the context holds it."""
        if project is None:
            return {}
        directory = project
        while True:
            for name in ("config.toml", "config"):
                text = self.walk.context_file(posixpath.join(directory, ".cargo", name), self.instruction)
                data = _load_toml(text)
                if data is not None:
                    return data
            if directory == "/":
                return {}
            directory = posixpath.dirname(directory)

    def _configured_target(self, config: Mapping[str, Any]) -> str | None:
        setting = self.env.get("CARGO_BUILD_TARGET", self.command)
        if setting.unknown:
            return "$CARGO_BUILD_TARGET"
        if setting.value:
            return setting.value
        build = config.get("build", {})
        target = build.get("target") if isinstance(build, dict) else None
        return target if isinstance(target, str) else None

    def _rustflags(self, triple: str | None, config: Mapping[str, Any]) -> str | None:
        """The RUSTFLAGS in force (the first source cargo reads), or None when unknown."""
        names = ["CARGO_ENCODED_RUSTFLAGS", "RUSTFLAGS"]
        if triple:
            names.append(f"CARGO_TARGET_{re.sub(r'[^A-Za-z0-9]', '_', triple).upper()}_RUSTFLAGS")
        names.append("CARGO_BUILD_RUSTFLAGS")
        for name in names:
            setting = self.env.get(name, self.command)
            if setting.unknown:
                return None
            if setting.value is not None:
                return setting.value.replace("\x1f", " ")
        sections = [config.get("target", {}).get(triple, {}) if triple else {}, config.get("build", {})]
        for section in sections:
            flags = section.get("rustflags") if isinstance(section, dict) else None
            if isinstance(flags, list):
                return " ".join(str(flag) for flag in flags)
            if isinstance(flags, str):
                return flags
        return ""

    def _linkage(
        self, target: str | None, config: Mapping[str, Any], opaque: bool
    ) -> tuple[str | None, str, str | None]:
        """Linkage, reason and the effective target triple (None: the host's, unknown)."""
        if target is not None and "$" in target:
            return None, "the target is set by a variable we cannot know", None
        libc = self.walk.facts.libc if self.walk.facts is not None else None
        triple = target
        default_target = target is None
        if triple is None and libc in ("glibc", "musl") and self.walk.native_arch is not None:
            triple = f"{_rust_arch(self.walk.native_arch)}-unknown-linux-{'gnu' if libc == 'glibc' else 'musl'}"
        flavour = _triple_libc(target) if target else libc
        rustflags = self._rustflags(triple, config)
        if rustflags is None or opaque:
            return None, "RUSTFLAGS or an argument cannot be read", target
        static_on = re.search(r"target-feature=[^\s]*\+crt-static", rustflags) is not None
        static_off = re.search(r"target-feature=[^\s]*-crt-static", rustflags) is not None
        where = f"for `{target}`" if target else f"for the default target of {self.image_label}"
        if flavour == "glibc":
            if static_on:
                return "static", f"built {where} with +crt-static", target
            gnu = f"for `{target}`" if target else f"for the `*-gnu` default target of {self.image_label}"
            return "glibc", f"built {gnu} without `+crt-static`", target
        if flavour == "musl":
            if static_off:
                return "musl", f"built {where} with -crt-static", target
            if default_target and (self.walk.facts is None or self.walk.facts.family != "rust"):
                return None, "a distribution's Rust may link musl dynamically", target
            return "static", f"built {where}: musl targets link statically", target
        return None, "", target

    def _names(self, options: _CargoOptions, project: str | None, installing: bool) -> list[str | None]:
        if options.values.get("--bin"):
            return list(options.values["--bin"])
        if options.values.get("--example"):
            return []  # examples land in target/<profile>/examples: rare in images
        if "--lib" in options.flags:
            return []
        if installing and not options.values.get("--path"):
            return [None]  # a crate from a registry or git: its binaries' names are in its manifest
        manifest = self.walk.context_file(posixpath.join(project, "Cargo.toml"), self.instruction) if project else None
        data = _load_toml(manifest)
        if data is None:
            packages = options.values.get("-p")
            return list(packages) if packages else [None]
        return _manifest_binaries(data, options.values.get("-p"), self._has_main(project))

    def _has_main(self, project: str | None) -> bool | None:
        if project is None or self.walk.read_context_file is None:
            return None
        return self.walk.context_file(posixpath.join(project, "src/main.rs"), self.instruction) is not None

    def _output_dir(
        self, options: _CargoOptions, project: str | None, target: str | None, config: Mapping[str, Any],
        installing: bool,
    ) -> str | None:  # fmt: skip
        if installing:
            return self._install_root(options)
        target_dir = self._target_dir(options, project, config)
        if target_dir is None or (target is not None and "$" in target):
            return None
        profile = (options.values.get("--profile") or [""])[-1]
        if profile in ("", "dev", "test"):
            profile = "release" if {"--release", "-r"} & options.flags and not profile else "debug"
        elif profile == "bench":
            profile = "release"
        parts = [target_dir, target, profile] if target else [target_dir, profile]
        return clean(posixpath.join(*parts))

    def _target_dir(self, options: _CargoOptions, project: str | None, config: Mapping[str, Any]) -> str | None:
        if options.values.get("--target-dir"):
            return absolute(options.values["--target-dir"][-1], self.cwd)
        for name in ("CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"):
            setting = self.env.get(name, self.command)
            if setting.unknown:
                return None
            if setting.value:
                return absolute(setting.value, self.cwd)
        build = config.get("build", {})
        configured = build.get("target-dir") if isinstance(build, dict) else None
        if isinstance(configured, str):
            return absolute(configured, project)
        return None if project is None else posixpath.join(project, "target")

    def _install_root(self, options: _CargoOptions) -> str | None:
        if options.values.get("--root"):
            root = absolute(options.values["--root"][-1], self.cwd)
            return None if root is None else posixpath.join(root, "bin")
        for name in ("CARGO_INSTALL_ROOT", "CARGO_HOME"):
            setting = self.env.get(name, self.command)
            if setting.unknown:
                return None
            if setting.value:
                root = absolute(setting.value, self.cwd)
                return None if root is None else posixpath.join(root, "bin")
        return None  # $HOME/.cargo: HOME depends on the user


def _manifest_binaries(data: Mapping[str, Any], packages: list[str] | None, has_main: bool | None) -> list[str | None]:
    """Binary names from a Cargo.toml: `[[bin]]` entries and the package's own `src/main.rs` binary."""
    package = data.get("package")
    package_name = package.get("name") if isinstance(package, dict) else None
    if not isinstance(package_name, str):
        return list(packages) if packages else [None]  # a virtual workspace manifest
    if packages and package_name not in packages:
        return list(packages)
    bins = data.get("bin")
    names: list[str | None] = []
    main_claimed = False
    if isinstance(bins, list):
        for entry in bins:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                names.append(entry["name"])
                main_claimed = main_claimed or entry.get("path") == "src/main.rs"
    autobins = not (isinstance(package, dict) and package.get("autobins") is False)
    if not names or (autobins and not main_claimed and has_main):
        names.append(package_name)
    elif autobins and not main_claimed and has_main is None:
        names.append(None)
    return names


def _rust_arch(arch: str) -> str:
    return {"amd64": "x86_64", "arm64": "aarch64", "386": "i686", "arm": "armv7"}.get(arch, arch)


def _triple_libc(triple: str) -> str | None:
    environment = triple.split("-")[3:] if triple.count("-") >= 3 else triple.split("-")[2:]
    joined = "-".join(environment)
    if "musl" in joined:
        return "musl"
    if "gnu" in joined:
        return "glibc"
    return None


def _triple_os(triple: str) -> str | None:
    if "linux" in triple:
        return "linux"
    for name in ("windows", "darwin", "wasi", "freebsd"):
        if name in triple:
            return name
    return "wasm" if triple.startswith("wasm") else None


# --- C and C++ ----------------------------------------------------------------------------------

_C_COMPILER = re.compile(
    r"(?:(?P<triple>[a-z0-9_]+(?:-[a-z0-9_]+)*-linux(?:-[a-z0-9_]+)*)-)?"
    r"(?P<driver>gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(?:-\d+(?:\.\d+)*)?"
)
_C_VALUE_FLAGS = frozenset(
    {"-o", "-I", "-L", "-D", "-U", "-include", "-imacros", "-x", "-MF", "-MT", "-MQ", "-isystem", "-idirafter",
     "-iprefix", "-iquote", "-Xlinker", "-Xassembler", "-Xpreprocessor", "-T", "-u", "-z", "-target", "-l"}
)  # fmt: skip
_NATIVE_COMPILER_PACKAGE = re.compile(r"(gcc|g\+\+|clang|build-essential|build-base|gcc-c\+\+)(-\d[\d.]*)?([=<>~].*)?")
_C_NO_EXECUTABLE = frozenset({"-c", "-S", "-E", "-M", "-MM", "-shared", "-r"})
_COMPILER_WRAPPERS = frozenset({"ccache", "distcc", "sccache"})


def _compiler(command: Command) -> tuple[str, str | None, list[str]] | None:
    """(driver, target triple, arguments) when the command runs a C or C++ compiler driver."""
    argv = [word.value for word in command.argv]
    while argv and argv[0].rsplit("/", 1)[-1] in _COMPILER_WRAPPERS:
        argv = argv[1:]
    if not argv:
        return None
    program = argv[0].rsplit("/", 1)[-1]
    if program == "musl-gcc":
        return "musl-gcc", None, argv[1:]
    match = _C_COMPILER.fullmatch(program)
    if match is None:
        return None
    return match.group("driver"), match.group("triple"), argv[1:]


class _CBuild(_Build):
    def artifacts(self) -> list[Artifact]:
        found = _compiler(self.command)
        assert found is not None
        driver, triple, _ = found
        args = self.env.words(self.command, self._first_argument())
        output, inputs, flags, opaque, clang_target = _c_arguments(args)
        if inputs == 0 or flags & _C_NO_EXECUTABLE:
            return []
        triple = triple or clang_target
        path = absolute(output, self.cwd) if output is not None and "$" not in output else None
        directory, name = posixpath.split(path) if path is not None else (None, None)
        if output is None and self.cwd is not None:
            directory, name = self.cwd, "a.out"
        linkage, reason = self._linkage(driver, triple, flags, opaque)
        language = "c++" if driver.endswith("++") else "c"
        arch = target_arch(triple) if triple else self.walk.native_arch
        return [
            Artifact(
                language, directory, name, linkage, arch, "linux", self.walk.stage.index, self.instruction,
                self.command, reason, target=triple,
            )
        ]  # fmt: skip

    def _first_argument(self) -> int:
        index = 0
        argv = self.command.argv
        while index < len(argv) and argv[index].value.rsplit("/", 1)[-1] in _COMPILER_WRAPPERS:
            index += 1
        return index + 1

    def _linkage(self, driver: str, triple: str | None, flags: frozenset[str], opaque: bool) -> tuple[str | None, str]:
        program = self.command.name or driver
        if flags & {"-static", "-static-pie", "-Wl,-static", "--static"}:
            return "static", f"`{program}` with -static"
        if opaque:
            return None, "an argument we cannot read may make it static"
        if driver == "musl-gcc":
            return "musl", "`musl-gcc` without -static links musl dynamically"
        libc = _triple_libc(triple) if triple else (self.walk.facts.libc if self.walk.facts is not None else None)
        if libc in ("glibc", "musl"):
            where = f"for `{triple}`" if triple else f"on {self.image_label}"
            return libc, f"`{program}` without -static links {libc} dynamically ({where})"
        return None, ""


def _c_arguments(args: list[_Arg]) -> tuple[str | None, int, frozenset[str], bool, str | None]:
    """Output, number of inputs, flags, whether some argument is unreadable, and a clang `--target`."""
    output: str | None = None
    inputs = 0
    flags: set[str] = set()
    opaque = False
    target: str | None = None
    index = 0
    while index < len(args):
        arg = args[index]
        value = arg.value
        if not arg.known:
            opaque = True
        elif value in _C_VALUE_FLAGS and index + 1 < len(args):
            index += 1
            if value == "-o":
                output = args[index].value if args[index].known else "$"
            elif value == "-target":
                target = args[index].value
        elif value.startswith("-o") and len(value) > 2:
            output = value[2:]
        elif value.startswith("--target="):
            target = value.partition("=")[2]
        elif value.startswith("-"):
            flags.add(value)
        else:
            inputs += 1
        index += 1
    return output, inputs, frozenset(flags), opaque, target

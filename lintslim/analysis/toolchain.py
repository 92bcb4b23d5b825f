"""Which steps of a stage compile or bundle software, and which package installs bring a toolchain.

Rules ask three questions of the stages that make an image:

- does it build (`go build`, `cargo build`, `mvn package`, `npm run build`, `dotnet publish`,
  `gcc`/`make`, or a `pip install` after a compiler was installed)?  `build_steps`
- does it keep compilers or development headers that a package manager installed?  `tool_installs`
  tells, per install command, which toolchain packages it brought and which of them a removal in
  the same RUN took out again (`apt-get purge --auto-remove`, `apk del .build-deps`): only a removal
  in the same RUN keeps them out of the layer.
- is the image itself meant to be a toolchain (a dev container, a CI image)?  `toolchain_purpose`

`package_installs` lists every package install of the RUN steps it is given, with the variables of
the RUN expanded and removals in the same RUN followed; `installs_matching` is the quick test of one
command's words as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lintslim.analysis.dependencies import PIP_PROGRAM, PYTHON_PROGRAM
from lintslim.knowledge import ImageFacts
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.shell import POSIX_SHELLS, Command, shell_commands
from lintslim.syntax.source import Span
from lintslim.syntax.stages import BuildGraph, Stage

# --- build commands ----------------------------------------------------------------------------

_MAVEN = frozenset({"mvn", "mvnw", "mvnw.cmd"})
_MAVEN_GOALS = frozenset({"package", "install", "verify", "deploy", "compile", "spring-boot:repackage"})
_GRADLE = frozenset({"gradle", "gradlew"})
_GRADLE_TASKS = frozenset(
    {"build", "assemble", "jar", "bootjar", "shadowjar", "installdist", "war", "bootwar", "disttar", "distzip",
     "buildfatjar", "fatjar", "uberjar", "nativecompile"}
)  # fmt: skip
_NODE_RUNNERS = frozenset({"npm", "yarn", "pnpm", "bun"})
_NODE_BUNDLERS = frozenset({"tsc", "webpack", "vite", "ng", "next", "nest", "rollup", "esbuild", "parcel"})
_C_COMPILERS = frozenset({"gcc", "g++", "cc", "c++", "clang", "clang++"})
_C_BUILDERS = frozenset({"make", "gmake", "ninja"})
_PIP_HOUSEKEEPING = frozenset({"pip", "setuptools", "wheel", "virtualenv"})


@dataclass(frozen=True)
class BuildStep:
    """One command that compiles or bundles, and the ecosystem it belongs to."""

    ecosystem: str  # go, rust, java-maven, java-gradle, node, dotnet, c or python-native
    instruction: Instruction
    command: Command

    @property
    def span(self) -> Span:
        return self.command.span

    @property
    def label(self) -> str:
        """The command as a reader recognises it: program and first arguments (`go build`)."""
        name = self.command.name or ""
        words = [arg for arg in self.command.args if not arg.startswith("-")]
        if self.ecosystem == "python-native":
            if "setup.py" in words:
                return f"{name} setup.py"
            if words[:1] == ["pip"]:
                return f"{name} -m pip {words[1]}" if name.startswith("python") else f"{name} pip {words[1]}"
            return f"{name} {words[0]}"
        words = [word for word in words if "$" not in word and "=" not in word]
        if name in _C_COMPILERS or not words:
            return name
        shown = words[:2] if words[0] in ("run", "run-script") else words[:1]
        return " ".join([name, *shown])


def _script_is_build(script: str) -> bool:
    return script == "build" or script.startswith(("build:", "build-"))


def _node_build(name: str, args: tuple[str, ...]) -> bool:
    if name in _NODE_RUNNERS:
        words = [arg for arg in args if not arg.startswith("-")]
        if words[:1] in (["run"], ["run-script"]) and len(words) > 1:
            return _script_is_build(words[1])
        return name != "npm" and bool(words) and _script_is_build(words[0])  # `yarn build`, `pnpm build`
    if name in ("npx", "pnpx") and args:
        return _node_build(args[0], args[1:]) or args[0] in _NODE_BUNDLERS
    if name in ("ng", "next", "vite", "nest"):
        return args[:1] == ("build",)
    return name in ("tsc", "webpack", "rollup", "esbuild", "parcel") and "--help" not in args


def command_ecosystem(command: Command) -> str | None:
    """The ecosystem a command builds for, or None when it does not compile or bundle.

    `pip install` is not judged here: it builds native code only with a compiler at hand, which
    `build_steps` knows from what the stage installed.
    """
    name = command.name
    if name is None:
        return None
    args = command.args
    words = [arg for arg in args if not arg.startswith("-")]
    if name == "go":
        return "go" if words[:1] in (["build"], ["install"]) else None
    if name == "cargo":
        return "rust" if words[:1] in (["build"], ["b"], ["install"]) else None
    if name == "rustc":
        return "rust"
    if name in _MAVEN:
        return "java-maven" if any(word in _MAVEN_GOALS for word in words) else None
    if name in _GRADLE:
        tasks = {word.rsplit(":", 1)[-1].lower() for word in words}
        return "java-gradle" if tasks & _GRADLE_TASKS else None
    if name == "dotnet":
        return "dotnet" if words[:1] in (["publish"], ["build"]) else None
    if name in _C_COMPILERS or name in _C_BUILDERS:
        return "c"
    if name == "cmake" and "--build" in args:
        return "c"
    if name == "meson" and words[:1] == ["compile"]:
        return "c"
    if _node_build(name, args):
        return "node"
    return None


def is_pip_install(command: Command) -> bool:
    """`pip install`, `python -m pip install`, `pip wheel`, `uv pip install`, `python setup.py build…`,
    when it installs more than pip's own tooling."""
    name = command.name or ""
    args = list(command.args)
    if PYTHON_PROGRAM.fullmatch(name):
        if args[:2] == ["-m", "pip"]:
            args = args[2:]
        elif args[:1] == ["setup.py"]:
            return any(arg in ("build", "build_ext", "install", "bdist_wheel", "develop") for arg in args[1:])
        else:
            return False
    elif name == "uv" and args[:1] == ["pip"]:
        args = args[1:]
    elif not PIP_PROGRAM.fullmatch(name):
        return False
    if args[:1] not in (["install"], ["wheel"]):
        return False
    if any(arg in ("-r", "--requirement", "-e", "--editable") or arg.startswith("--requirement=") for arg in args):
        return True
    targets = [re.split(r"[=<>~!\[;]", arg, maxsplit=1)[0].lower() for arg in args[1:] if not arg.startswith("-")]
    return any(target not in _PIP_HOUSEKEEPING for target in targets)


# --- package installs ---------------------------------------------------------------------------

_EXACT_TOOLCHAIN_PACKAGES = frozenset(
    {
        "build-essential", "build-base", "alpine-sdk", "gcc", "g++", "gcc-c++", "cpp", "clang", "llvm", "make",
        "cmake", "ninja-build", "autoconf", "automake", "libtool", "musl-dev", "libc-dev", "libc6-dev",
        "glibc-devel", "linux-headers", "golang", "go", "rust", "rustc", "cargo", "maven", "gradle",
        "default-jdk", "default-jdk-headless", "gfortran", "development tools", "@development-tools",
        "@development", "@development tools",
    }
)  # fmt: skip
_TOOLCHAIN_PACKAGE_PATTERNS = (
    re.compile(r".+-(dev|devel)"),
    re.compile(r"(gcc|g\+\+|clang|llvm|gfortran)-\d+(\.\d+)*"),
    re.compile(r"golang-\d+(\.\d+)*(-go)?"),
    re.compile(r"openjdk-?\d+-jdk(-headless)?|java-[\d.]+-openjdk-devel|openjdk\d+"),
    re.compile(r"dotnet-sdk-[\d.]+"),
)
_PIN = re.compile(r"[=<>~].*$|/[A-Za-z0-9.-]+$|:[a-z0-9]+$")  # `gcc=4:12.2`, `gcc/bookworm-backports`, `gcc:arm64`

# Options that take the next word as their value, per package manager.
_VALUE_OPTIONS = {
    "apt": frozenset({"-o", "-t", "-c", "--option", "--target-release", "--config-file", "--default-release"}),
    "apk": frozenset({"-t", "--virtual", "-X", "--repository", "-p", "--root", "--arch", "--keys-dir",
                      "--repositories-file", "--cache-dir"}),
    "dnf": frozenset({"-c", "--config", "--installroot", "--releasever", "-x", "--exclude", "--enablerepo",
                      "--disablerepo", "--setopt", "--repo", "--repoid"}),
    "zypper": frozenset({"-t", "--type", "-r", "--repo", "--from"}),
}  # fmt: skip
_MANAGERS = {
    "apt-get": "apt", "apt": "apt", "aptitude": "apt", "apk": "apk", "dnf": "dnf", "yum": "dnf",
    "microdnf": "dnf", "tdnf": "dnf", "zypper": "zypper",
}  # fmt: skip
_INSTALL_VERBS = {"apt": ("install",), "apk": ("add",), "dnf": ("install", "groupinstall"), "zypper": ("install", "in")}
_REMOVE_VERBS = {
    "apt": ("purge", "remove", "autoremove"),
    "apk": ("del",),
    "dnf": ("remove", "erase", "autoremove", "groupremove"),
    "zypper": ("remove", "rm"),
}
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


# Each package manager's plain install subcommand, for `installs_matching`.
_PLAIN_INSTALL = {"apt-get": "install", "apt": "install", "apk": "add", "dnf": "install", "yum": "install",
                  "microdnf": "install", "zypper": "install", "tdnf": "install"}  # fmt: skip


def installs_matching(command: Command, package: re.Pattern[str]) -> bool:
    """Whether a command is a plain package install (`apt-get install`, `apk add`, `dnf install`…) that
    names a package matching `package`: a quick test of the words as written, without the variable
    expansion, option values and removals that `package_installs` follows."""
    verb = _PLAIN_INSTALL.get(command.name or "")
    if verb is None or verb not in command.args:
        return False
    return any(package.fullmatch(arg) for arg in command.args if not arg.startswith("-"))


def package_name(word: str) -> str:
    """A package word without its version pin, release or architecture (`gcc=4:12.2` → `gcc`)."""
    return _PIN.sub("", word.strip()).lower()


def is_toolchain_package(name: str) -> bool:
    """A compiler, build tool or development-headers package (`gcc`, `build-essential`, `libpq-dev`…)."""
    name = package_name(name)
    return name in _EXACT_TOOLCHAIN_PACKAGES or any(pattern.fullmatch(name) for pattern in _TOOLCHAIN_PACKAGE_PATTERNS)


_HEADER_PACKAGES = re.compile(r".+-(dev|devel)|linux-headers")


def is_compiler_package(name: str) -> bool:
    """A toolchain package that compiles or builds, not only headers (`gcc`, `make`, `golang`; not `libpq-dev`)."""
    name = package_name(name)
    return is_toolchain_package(name) and not _HEADER_PACKAGES.fullmatch(name)


@dataclass(frozen=True)
class ToolInstall:
    """A package install that brings toolchain packages, and which of them stay in the image."""

    instruction: Instruction
    command: Command
    manager: str  # "apt", "apk", "dnf" (dnf, yum, microdnf, tdnf) or "zypper"
    packages: tuple[str, ...]  # the toolchain packages it installs
    kept: tuple[str, ...]  # those no removal in the same RUN takes out

    @property
    def span(self) -> Span:
        return self.command.span

    @property
    def removed(self) -> bool:
        return not self.kept


@dataclass(frozen=True)
class PackageInstall:
    """One package install command: the packages it names (`$VARS` it cannot expand stay as written)."""

    instruction: Instruction
    command: Command
    manager: str
    packages: tuple[str, ...]
    kept: tuple[str, ...]  # those no removal in the same RUN takes out

    @property
    def unresolved(self) -> bool:
        return any("$" in package for package in self.packages)


@dataclass(frozen=True)
class _Install:
    command: Command
    manager: str
    operands: list[str]
    group: str | None  # apk `--virtual` group


@dataclass
class _RunState:
    """What one RUN has done so far: shell variables, installs, and apk virtual groups."""

    variables: dict[str, str] = field(default_factory=dict)
    installs: list[_Install] = field(default_factory=list)
    removed: set[str] = field(default_factory=set)
    removed_groups: set[str] = field(default_factory=set)
    apt_marked_auto: bool = False  # `apt-mark auto '.*'`: a later autoremove takes every installed package
    apt_everything_removed: bool = False


def _expand(word: str, variables: dict[str, str]) -> list[str]:
    """A package word with `$NAME` expanded from known variables, split as the shell would (kept when unknown)."""
    if "$" not in word:
        return [word]
    unknown = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal unknown
        value = variables.get(match.group(1))
        if value is None:
            unknown = True
            return ""
        return value

    expanded = _VARIABLE.sub(substitute, word)
    return [word] if unknown or "$" in expanded else expanded.split()


def _operands(command: Command, manager: str, variables: dict[str, str]) -> tuple[str, list[str], str | None]:
    """The verb, the package operands (expanded) and an apk `--virtual` group name."""
    args = command.args
    takes_value = _VALUE_OPTIONS.get(manager, frozenset())
    verb = ""
    operands: list[str] = []
    group: str | None = None
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("-"):
            option = arg.split("=", 1)[0]
            value = arg.split("=", 1)[1] if "=" in arg else (args[index + 1] if index + 1 < len(args) else "")
            if manager == "apk" and option in ("-t", "--virtual"):
                group = value
            index += 2 if option in takes_value and "=" not in arg else 1
            continue
        if not verb:
            verb = arg
        elif verb == "group" and not operands and arg in ("install", "remove"):
            verb = "group" + arg
        else:
            operands.extend(_expand(arg, variables))
        index += 1
    if manager == "apk" and group is not None and verb == "add" and operands and operands[0] == group:
        operands = operands[1:]  # `apk add --virtual .deps gcc`: the group name is not a package
    return verb, operands, group


def _note_variables(command: Command, state: _RunState) -> None:
    if not command.argv:
        state.variables.update(command.assignments)
    elif command.name in ("export", "declare", "local", "readonly"):
        for word in command.argv[1:]:
            name, equals, value = word.value.partition("=")
            if equals:
                state.variables[name] = value


def _read_command(command: Command, state: _RunState) -> None:
    _note_variables(command, state)
    name = command.name or ""
    if name == "apt-mark" and command.args[:1] == ("auto",):
        state.apt_marked_auto = True
        return
    manager = _MANAGERS.get(name)
    if manager is None:
        return
    verb, operands, group = _operands(command, manager, state.variables)
    if verb in _INSTALL_VERBS[manager]:
        if manager == "dnf" and verb == "groupinstall":
            operands = [" ".join(operands)] if operands else []
        state.installs.append(_Install(command, manager, operands, group if manager == "apk" else None))
    elif verb in _REMOVE_VERBS[manager]:
        auto = verb == "autoremove" or "--auto-remove" in command.args or "--autoremove" in command.args
        if manager == "apt" and auto and state.apt_marked_auto:
            state.apt_everything_removed = True
        for operand in operands:
            state.removed.add(package_name(operand))
            state.removed_groups.add(operand)


def _installs_of_run(dockerfile: Dockerfile, instruction: Instruction) -> Iterator[PackageInstall]:
    state = _RunState(dict(dockerfile.graph.scope_at(instruction).values))
    for command in shell_commands(dockerfile, instruction):
        _read_command(command, state)
    for install in state.installs:
        packages = tuple(dict.fromkeys(package_name(operand) for operand in install.operands))
        group_removed = install.group is not None and install.group in state.removed_groups
        if group_removed or (install.manager == "apt" and state.apt_everything_removed):
            kept: tuple[str, ...] = ()
        else:
            kept = tuple(package for package in packages if package not in state.removed)
        yield PackageInstall(instruction, install.command, install.manager, packages, kept)


def _runs(instructions: Iterable[Instruction]) -> Iterator[Instruction]:
    for instruction in instructions:
        if instruction.keyword == "RUN" and instruction.inner is None:
            yield instruction


def package_installs(dockerfile: Dockerfile, instructions: Iterable[Instruction]) -> tuple[PackageInstall, ...]:
    """Every package install command in `instructions` (RUNs), in order."""
    return tuple(install for run in _runs(instructions) for install in _installs_of_run(dockerfile, run))


def tool_installs(dockerfile: Dockerfile, instructions: Iterable[Instruction]) -> tuple[ToolInstall, ...]:
    """Every package install in `instructions` (RUNs) that brings toolchain packages, in order."""
    found: list[ToolInstall] = []
    for install in package_installs(dockerfile, instructions):
        packages = tuple(package for package in install.packages if is_toolchain_package(package))
        if packages:
            kept = tuple(package for package in packages if package in install.kept)
            found.append(ToolInstall(install.instruction, install.command, install.manager, packages, kept))
    return tuple(found)


def build_steps(dockerfile: Dockerfile, instructions: Iterable[Instruction]) -> tuple[BuildStep, ...]:
    """Every command in `instructions` (RUNs) that compiles or bundles, in order.

    A `pip install` counts (as "python-native") once a toolchain package was installed before it in
    these instructions, removed again or not: that is the compiler it was installed for.
    """
    steps: list[BuildStep] = []
    compiler_installed = False
    for run in _runs(instructions):
        installs = {id(install.command) for install in tool_installs(dockerfile, (run,))}
        for command in shell_commands(dockerfile, run):
            if id(command) in installs:
                compiler_installed = True
            ecosystem = command_ecosystem(command)
            if ecosystem is None and compiler_installed and is_pip_install(command):
                ecosystem = "python-native"
            if ecosystem is not None:
                steps.append(BuildStep(ecosystem, run, command))
    return tuple(steps)


_ECOSYSTEM_LANGUAGE = {"java-maven": "java", "java-gradle": "java", "python-native": "python"}


def uses_base_toolchain(step: BuildStep, facts: ImageFacts) -> bool:
    """Whether a build step uses the toolchain its (toolchain) base image carries.

    `go build` on `golang`, `mvn package` on a JDK image; C builds and native pip installs on any
    image with a C compiler (`gcc`, `buildpack-deps`, full `python` or `node`).  A `make` on a JDK
    image does not make the JDK its toolchain.
    """
    if not facts.is_toolchain:
        return False
    if facts.language is None or facts.language == "c":
        return True
    if step.ecosystem in ("c", "python-native") and facts.compiler:
        return True
    return _ECOSYSTEM_LANGUAGE.get(step.ecosystem, step.ecosystem) == facts.language


# --- what the image is for -----------------------------------------------------------------------

# Programs that build, test or open a shell: a container whose command is one of these is a toolchain.
_TOOL_PROGRAMS = frozenset(
    {"go", "cargo", "rustc", "rustup", "gcc", "g++", "cc", "clang", "make", "cmake", "mvn", "mvnw", "gradle",
     "gradlew", "javac", "sleep", "tail", "true"}
)  # fmt: skip
# Names of final stages that make development or CI images.
_TOOL_STAGE_NAMES = frozenset(
    {"dev", "devel", "develop", "development", "devcontainer", "dev-container", "ci", "test", "tests", "testing",
     "debug", "tools", "toolchain", "sdk"}
)  # fmt: skip
# Interpreters that open a prompt when given no script (`python3`, `perl -de0`, `php -a`, `ghci`, `irb`…).
_INTERPRETER = re.compile(
    r"(python|pypy|perl|php|ruby|lua|node|tclsh)[\d.]*|ghci|erl|iex|irb|jshell|R|julia|swipl|sbcl|scala|racket|ocaml"
)
_INIT_WRAPPERS = frozenset({"tini", "dumb-init", "tini-static"})
_SHELL_PRELUDE = frozenset({"cd", "export", "set", "source", ".", "echo", "umask", "ulimit", "test", "["})


def _container_commands(dockerfile: Dockerfile, instructions: tuple[Instruction, ...]) -> list[Command] | None:
    """The commands the container runs (ENTRYPOINT, then CMD when ENTRYPOINT is exec form), or None."""
    entrypoint = next((i for i in reversed(instructions) if i.keyword == "ENTRYPOINT"), None)
    cmd = next((i for i in reversed(instructions) if i.keyword == "CMD"), None)
    if entrypoint is not None and cmd is not None and entrypoint.index > cmd.index:
        cmd = None  # a later ENTRYPOINT resets the CMD of the stage or the base
    commands: list[Command] = []
    for instruction in (entrypoint, cmd):
        if instruction is None or (instruction.is_json and not instruction.args):
            continue
        commands.extend(shell_commands(dockerfile, instruction))
        if instruction is entrypoint and not instruction.is_json:
            break  # shell-form ENTRYPOINT ignores CMD
    return commands or None


def _program(commands: list[Command]) -> tuple[str, tuple[str, ...]] | None:
    """The program that runs as the application, past init wrappers, entrypoint scripts and shell preludes.

    Exec-form ENTRYPOINT and CMD make one argv, so words carry over from one command to the next.
    """
    words: list[str] = []
    for command in commands:
        if not words and command.name in _SHELL_PRELUDE:
            continue
        words = _past_wrappers([*words, *(word.value for word in command.argv)])
        if words and not _is_entrypoint_script(words[0]):
            break
    if not words:
        return None
    return words[0].rsplit("/", 1)[-1], tuple(words[1:])


def _is_entrypoint_script(word: str) -> bool:
    return "entrypoint" in word.rsplit("/", 1)[-1].lower()


def _past_wrappers(words: list[str]) -> list[str]:
    """Drop `tini --` and kin, and a `docker-entrypoint.sh` that is handed the real command."""
    while words:
        if words[0].rsplit("/", 1)[-1] in _INIT_WRAPPERS:
            words = words[1:]
            while words and words[0].startswith("-"):
                words = words[1:]
        elif len(words) > 1 and _is_entrypoint_script(words[0]):
            words = words[1:]  # entrypoint scripts set up, then run the command given to them
        else:
            break
    return words


def toolchain_purpose(dockerfile: Dockerfile, graph: BuildGraph, stage: Stage) -> str | None:
    """Why the image a stage makes looks meant to be a toolchain (a dev container, a CI image), or None.

    Conservative on purpose: an image whose command does not run an application is left alone.
    """
    instructions = graph.chain_instructions(stage)
    if ".devcontainer" in (dockerfile.path or "") or any(
        "devcontainer" in pair.key.value.lower()
        for instruction in instructions
        if instruction.keyword == "LABEL"
        for pair in instruction.key_values
    ):
        return "it is a dev container"
    if stage.name in _TOOL_STAGE_NAMES:
        return f"its stage is named `{stage.name}`"
    commands = _container_commands(dockerfile, instructions)
    if commands is None:
        return "it sets no command that runs an application"
    program = _program(commands)
    if program is None:
        return "it sets no command that runs an application"
    name, args = program
    words = [arg for arg in args if not arg.startswith("-")]
    if name in POSIX_SHELLS and "-c" not in args and not words:
        return "its command opens a shell"
    if _INTERPRETER.fullmatch(name) and not words:
        return "its command opens an interactive interpreter"
    if name in _TOOL_PROGRAMS:
        return f"its command runs `{name}`"
    if name == "dotnet" and words[:1] in (["run"], ["watch"], ["test"], ["build"]):
        return "its command runs `dotnet " + words[0] + "`"
    if name in _NODE_RUNNERS and not _runs_start_script(words):
        return f"its command runs `{name} {' '.join(words[:2])}`".rstrip() + ", not a start script"
    return None


def _runs_start_script(words: list[str]) -> bool:
    if words[:1] in (["run"], ["run-script"]):
        words = words[1:]
    return bool(words) and (words[0] == "start" or words[0].startswith("start:"))


# --- variables ----------------------------------------------------------------------


def variables_at(dockerfile: Dockerfile, instruction: Instruction, command: Command) -> dict[str, str]:
    """Variables a command sees: ARG/ENV in scope, then shell assignments and exports earlier in its RUN."""
    state = _RunState(dict(dockerfile.graph.scope_at(instruction).values))
    for earlier in shell_commands(dockerfile, instruction):
        if earlier is command:
            break
        _note_variables(earlier, state)
    return {**state.variables, **command.assignments}

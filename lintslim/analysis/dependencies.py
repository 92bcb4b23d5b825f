"""Dependency installs, the files they read, and where COPY and ADD put the files of the context.

Layer-cache rules ask two questions.  Which commands of a RUN install a project's dependencies, and
from which manifests (`pip install -r requirements.txt` reads requirements.txt and the files it
includes; `npm ci` reads package.json and its lock file)?  `recognise_install` answers from the
command line alone; `resolve_install` then reads the manifests from the build context to learn
which other files the install needs (a requirements file with `-e .` needs the whole project).
And which image paths does a COPY/ADD fill, from which context paths?  `ContextCopy` maps them,
given the WORKDIR in force (`working_directories`).

Image paths are absolute.  When the working directory is the base image's, which we do not know,
paths start with `UNKNOWN_WORKDIR`: two such paths can still be compared, an absolute one cannot
be compared with them.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from lintslim.analysis.paths import REMOTE, context_join, copies_into, has_glob, is_absolute, join, relative_to, within
from lintslim.context.build_context import context_path
from lintslim.syntax.nodes import Instruction
from lintslim.syntax.shell import Command, Word
from lintslim.syntax.stages import BuildGraph, Scope, Stage, expand

UNKNOWN_WORKDIR = "/?"  # the base image's working directory, which we do not know

# --- what the build context holds -----------------------------------------------------------------


class ContextFiles(Protocol):
    """The build context as the build receives it (lintslim.context.BuildContext has this shape)."""

    def exists(self, relative: str) -> bool: ...

    def is_dir(self, relative: str) -> bool: ...

    def read_text(self, relative: str) -> str | None: ...

    def included(self, relative: str) -> bool: ...

    def files_under(self, relative: str) -> list[Any]: ...


# --- working directories ------------------------------------------------------------------------


def working_directories(graph: BuildGraph, stage: Stage) -> dict[int, str | None]:
    """The WORKDIR in force at each instruction of a stage (by instruction index); None when unknown.

    The key -1 holds the directory at the end of the stage, which stages built on it start from.
    """
    key = ("workdirs", stage.index)
    cached = graph.dockerfile.memo.get(key)
    if isinstance(cached, dict):
        return cached
    current: str | None = UNKNOWN_WORKDIR
    if stage.base_stage is not None and stage.base_stage < stage.index:
        current = working_directories(graph, graph.stages[stage.base_stage])[-1]
    found: dict[int, str | None] = {}
    for instruction in stage.instructions:
        found[instruction.index] = current
        if instruction.keyword == "WORKDIR" and instruction.rest is not None:
            resolved = graph.resolve(instruction.rest.value, instruction)
            if not resolved.complete:
                current = None
            elif resolved.value.startswith("/"):
                current = join("/", resolved.value)
            else:
                current = None if current is None else join(current, resolved.value)
    found[-1] = current
    graph.dockerfile.memo[key] = found
    return found


# --- COPY and ADD ---------------------------------------------------------------------------------

# Names of files that have no extension, which would otherwise look like directories.
_EXTENSIONLESS_FILES = frozenset(
    {"Gemfile", "Pipfile", "Makefile", "Dockerfile", "LICENSE", "Procfile", "mvnw", "gradlew", "Jenkinsfile",
     "Rakefile", "Brewfile", "Vagrantfile", "Containerfile", "README", "VERSION", "CHANGELOG", "NOTICE"}
)  # fmt: skip
_DOT_DIRECTORIES = frozenset(
    {".yarn", ".mvn", ".bundle", ".cargo", ".github", ".git", ".venv", ".config", ".devcontainer"}
)


def looks_like_directory(source: str) -> bool:
    """A guess from the name alone, for when the context cannot be read: `.`, `src`, `app/` are directories."""
    if source in (".", "") or source.endswith("/"):
        return True
    if has_glob(source):
        return False
    name = posixpath.basename(source.rstrip("/"))
    if name in _EXTENSIONLESS_FILES or name.startswith("."):
        return name in _DOT_DIRECTORIES
    return "." not in name


@dataclass(frozen=True)
class ContextCopy:
    """A COPY or ADD that reads the build context, with its words resolved.

    `sources` are context paths (`.` is the whole context); `destination` is an absolute image path.
    """

    instruction: Instruction
    sources: tuple[str, ...]
    destination: str
    into_directory: bool  # the sources land inside `destination` (else one file is renamed to it)
    parents: bool = False  # `--parents`: each source keeps its path below the destination
    excludes: tuple[str, ...] = ()

    def landing(self, source: str, is_directory: bool) -> str:
        """Where a source lands: the directory its content fills, or the file's path."""
        if self.parents and source != ".":
            return join(self.destination, source)
        if is_directory:
            return self.destination
        if self.into_directory:
            return join(self.destination, posixpath.basename(source))
        return self.destination

    def context_path_of(self, image_path: str, is_directory: Callable[[str], bool]) -> str | None:
        """The context path this copy puts at `image_path`, if it puts anything there (last source wins)."""
        for source in reversed(self.sources):
            if has_glob(source):
                parent, pattern = posixpath.split(source)
                landed = posixpath.dirname(image_path) == self.destination and self.into_directory
                if landed and fnmatch.fnmatchcase(posixpath.basename(image_path), pattern):
                    return context_join(parent or ".", posixpath.basename(image_path))
                continue
            directory = is_directory(source)
            root = self.landing(source, directory)
            if directory and within(image_path, root):
                found = context_join(source, relative_to(image_path, root))
            elif not directory and image_path == root:
                found = source
            else:
                continue
            if not self._excluded(found):
                return found
        return None

    def _excluded(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, pattern.strip("/")) for pattern in self.excludes)


def context_copy(
    graph: BuildGraph, instruction: Instruction, workdir: str | None, scope: Scope | None = None
) -> ContextCopy | None:
    """The COPY/ADD as a `ContextCopy`, or None: `--from`, heredocs, URLs, or words we cannot resolve.

    Words are resolved in `scope` when given (variables the base image sets), else in the instruction's.
    """
    if instruction.keyword not in ("COPY", "ADD") or instruction.flag("from") is not None:
        return None
    if instruction.heredocs or len(instruction.args) < 2:
        return None
    scope = scope if scope is not None else graph.scope_at(instruction)
    words = []
    for token in instruction.args:
        resolved = expand(token.value, scope, graph.dockerfile.escape)
        if not resolved.complete or not resolved.value or REMOTE.match(resolved.value):
            return None
        words.append(resolved.value)
    *sources, destination = words
    if is_absolute(destination):
        absolute = join("/", destination)
    elif workdir is None:
        return None
    else:
        absolute = join(workdir, destination)
    into = copies_into(destination, len(sources)) or absolute in (workdir, "/")
    excludes = tuple(flag.value for flag in instruction.flags_named("exclude") if flag.value)
    return ContextCopy(
        instruction,
        tuple(context_path(source) for source in sources),
        absolute,
        into,
        instruction.flag("parents") is not None,
        excludes,
    )


# --- dependency installs ------------------------------------------------------------------------


@dataclass(frozen=True)
class Install:
    """A command that installs a project's dependencies from its manifests.

    Paths are relative to the directory the install works in (its working directory, or the
    directory given with `--prefix`, `--cwd`… in `directory`).
    """

    ecosystem: str  # python, node, go, rust, java, ruby, php, dotnet
    tool: str  # the command as a reader names it: `pip install`, `npm ci`, `go mod download`
    command: Command
    manifests: tuple[str, ...]  # files it reads; a `*.csproj` pattern means "the project file found there"
    locks: tuple[str, ...] = ()  # lock files it reads when they exist
    optional: tuple[str, ...] = ()  # other files it reads when they exist (local configuration)
    optional_dirs: tuple[str, ...] = ()  # directories it reads when they exist (`.yarn`, `.mvn`)
    outputs: tuple[str, ...] = ()  # what it writes in its directory (`node_modules`, `.venv`)
    inputs: tuple[str, ...] = ()  # other local paths its command line names (`--find-links ./wheels`)
    directory: str | None = None
    whole_project: bool = False  # it installs the project itself, so it needs the source
    runs_scripts: bool = True  # the project's own install scripts run (npm lifecycle, composer scripts)
    limitation: str | None = None  # why copying the manifests first is not enough, whatever they say


@dataclass(frozen=True)
class _Options:
    options: tuple[tuple[str, str | None], ...]
    positionals: tuple[str, ...]

    def values(self, *names: str) -> list[str]:
        return [value for name, value in self.options if name in names and value is not None]

    def has(self, *names: str) -> bool:
        return any(name in names for name, _ in self.options)


def _parse_options(args: Iterable[str], with_value: frozenset[str], *, cluster: bool = False) -> _Options:
    """Split arguments into options (with their values) and positional words.

    `with_value` names the options that take a value (`-r`, `--requirement`); `--name=value` and
    `-rVALUE` are understood, and with `cluster`, short options run together (`-Ur file`).
    """
    items = list(args)
    options: list[tuple[str, str | None]] = []
    positionals: list[str] = []
    index = 0
    while index < len(items):
        arg = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        index += 1
        if arg == "--":
            positionals += items[index:]
            break
        if arg.startswith("--"):
            name, equals, value = arg.partition("=")
            if equals:
                options.append((name, value))
            elif name in with_value and following is not None:
                options.append((name, following))
                index += 1
            else:
                options.append((name, None))
        elif arg.startswith("-") and len(arg) > 1:
            if arg in with_value and following is not None:
                options.append((arg, following))
                index += 1
                continue
            letters = arg[1:] if cluster else arg[1:2]
            for offset, letter in enumerate(letters):
                name = "-" + letter
                if name in with_value:
                    rest = arg[2 + offset :]
                    if rest:
                        options.append((name, rest))
                    elif following is not None:
                        options.append((name, following))
                        index += 1
                    break
                options.append((name, None))
            else:
                if not cluster and len(arg) > 2:
                    options[-1] = (arg, None)
        else:
            positionals.append(arg)
    return _Options(tuple(options), tuple(positionals))


def _is_local_path(word: str) -> bool:
    """A requirement or argument naming a local file or directory rather than a package."""
    if REMOTE.match(word):
        return False
    return word in (".", "..") or word.startswith(("./", "../", "/", "~/", "file:", ".[")) or word.endswith("/")


_PIP_VALUE_OPTIONS = frozenset(
    {"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url",
     "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--src", "--upgrade-strategy", "--platform",
     "--python-version", "--implementation", "--abi", "--only-binary", "--no-binary", "--progress-bar", "--log",
     "--proxy", "--retries", "--timeout", "--exists-action", "--trusted-host", "--cert", "--client-cert",
     "--cache-dir", "--global-option", "--install-option", "--config-settings", "-C", "--python", "--report",
     "--root-user-action", "--use-feature", "--use-deprecated", "--keyring-provider", "--override", "-p",
     "--index-strategy", "--resolution", "--prerelease", "--link-mode", "--compile-bytecode", "--group"}
)  # fmt: skip
PIP_VALUE_OPTIONS = _PIP_VALUE_OPTIONS  # public: the hygiene rules read pip command lines too
_PROJECT_ITSELF = re.compile(r"\./?(\[[^\]]*\])?")  # `.`, `./`, `.[dev]`: the project in the working directory
# pip and Python by their program names (`pip3`, `python3.12`).
PIP_PROGRAM = re.compile(r"pip(\d+(\.\d+)*)?")
PYTHON_PROGRAM = re.compile(r"python(\d+(\.\d+)*)?")


def pip_install(command: Command, *, uv: bool = True) -> tuple[Word, tuple[Word, ...]] | None:
    """The `install` word of `pip install`, `python -m pip install` (and `uv pip install`), and the words after it."""
    name = command.name or ""
    argv = command.argv
    if PIP_PROGRAM.fullmatch(name):
        rest = argv[1:]
    elif PYTHON_PROGRAM.fullmatch(name) and len(argv) > 2 and argv[1].value == "-m":
        rest = argv[3:] if PIP_PROGRAM.fullmatch(argv[2].value) else ()
    elif uv and name == "uv" and len(argv) > 1 and argv[1].value == "pip":
        rest = argv[2:]
    else:
        return None
    skip_value = False
    for index, word in enumerate(rest):
        if skip_value:
            skip_value = False
        elif word.value.startswith("-"):
            skip_value = word.value in PIP_VALUE_OPTIONS
        else:
            return (word, rest[index + 1 :]) if word.value == "install" else None
    return None


def _pip_arguments(command: Command) -> tuple[str, ...] | None:
    """The arguments after `install` for pip, `python -m pip` and `uv pip`; None when it is not one."""
    found = pip_install(command)
    return None if found is None else tuple(word.value for word in found[1])


def _pip_install(command: Command) -> Install | None:
    arguments = _pip_arguments(command)
    if arguments is None:
        return None
    options = _parse_options(arguments, _PIP_VALUE_OPTIONS, cluster=True)
    requirements = options.values("-r", "--requirement")
    local = [word for word in (*options.positionals, *options.values("-e", "--editable")) if _is_local_path(word)]
    whole = any(_PROJECT_ITSELF.fullmatch(word) for word in local)
    if not requirements and not whole:
        return None  # named packages or a wheel: not an install from the project's manifests
    inputs = [word for word in local if not _PROJECT_ITSELF.fullmatch(word)]
    inputs += [value for value in options.values("-f", "--find-links") if _is_local_path(value)]
    outputs = options.values("-t", "--target", "--prefix", "--root", "--src")
    tool = "uv pip install" if command.name == "uv" else "pip install"
    tool += " ." if whole else ""
    return Install(
        "python", tool, command, (*requirements, *options.values("-c", "--constraint")), outputs=tuple(outputs),
        inputs=tuple(inputs), whole_project=whole,
    )  # fmt: skip


def _poetry(command: Command) -> Install | None:
    options = _parse_options(
        command.args, frozenset({"--only", "--with", "--without", "-E", "--extras", "-C", "--directory", "-P"})
    )
    if options.positionals[:1] != ("install",):
        return None
    directory = next(iter(options.values("-C", "--directory", "-P")), None)
    return Install(
        "python", "poetry install", command, ("pyproject.toml",), ("poetry.lock",), ("poetry.toml",),
        outputs=(".venv",), directory=directory, whole_project=not options.has("--no-root"),
    )  # fmt: skip


def _uv_sync(command: Command) -> Install | None:
    if command.args[:1] != ("sync",):
        return None
    options = _parse_options(
        command.args[1:],
        frozenset({"--extra", "--group", "--only-group", "--no-group", "--package", "-p", "--python", "--directory",
                   "--project", "--index-url", "--extra-index-url", "--index", "--python-platform"}),
    )  # fmt: skip
    directory = next(iter(options.values("--directory", "--project")), None)
    return Install(
        "python", "uv sync", command, ("pyproject.toml",), ("uv.lock",), ("uv.toml", ".python-version"),
        outputs=(".venv",), directory=directory,
        whole_project=not options.has("--no-install-project", "--only-dev", "--no-install-workspace"),
    )  # fmt: skip


def _pipenv(command: Command) -> Install | None:
    options = _parse_options(command.args, frozenset({"--python", "--pypi-mirror", "-r", "--requirements"}))
    if options.positionals[:1] not in (("install",), ("sync",)) or len(options.positionals) > 1:
        return None
    verb = options.positionals[0]
    return Install("python", f"pipenv {verb}", command, ("Pipfile",), ("Pipfile.lock",), outputs=(".venv",))


_NODE_VALUE_OPTIONS = frozenset(
    {"--prefix", "--omit", "--include", "--only", "--registry", "--cache", "--loglevel", "--userconfig", "-w",
     "--workspace", "--cwd", "--network-timeout", "--modules-folder", "--cache-folder", "--mutex", "--mode",
     "--dir", "-C", "--filter", "-F", "--store-dir", "--network-concurrency", "--child-concurrency",
     "--reporter", "--install-strategy", "--fetch-retries", "--fetch-timeout", "--backend", "--cache-dir"}
)  # fmt: skip
_NODE_TOOLS = {
    # program: (install subcommands, lock files, config files, config directories, extra outputs)
    "npm": (("ci", "clean-install", "install", "i", "isntall", "add"), ("package-lock.json", "npm-shrinkwrap.json"),
            (".npmrc",), (), ()),
    "yarn": (("install",), ("yarn.lock",), (".yarnrc", ".yarnrc.yml", ".npmrc"), (".yarn",),
             (".pnp.cjs", ".pnp.loader.mjs")),
    "pnpm": (("install", "i"), ("pnpm-lock.yaml",), (".npmrc", ".pnpmfile.cjs", "pnpm-workspace.yaml"), (), ()),
    "bun": (("install", "i"), ("bun.lockb", "bun.lock"), ("bunfig.toml", ".npmrc"), (), ()),
}  # fmt: skip


def _node(command: Command) -> Install | None:
    name = command.name or ""
    if name not in _NODE_TOOLS:
        return None
    options = _parse_options(command.args, _NODE_VALUE_OPTIONS)
    if options.has("-g", "--global"):
        return None
    verbs, locks, configs, config_dirs, outputs = _NODE_TOOLS[name]
    positionals = options.positionals
    if name == "pnpm" and positionals == ("fetch",):
        directory = next(iter(options.values("--dir", "-C")), None)
        return Install("node", "pnpm fetch", command, ("pnpm-lock.yaml",), (), (".npmrc",), directory=directory)
    if name == "yarn" and not positionals:
        verb = ""  # a bare `yarn` installs
    elif len(positionals) == 1 and positionals[0] in verbs:
        verb = positionals[0]
    else:
        return None  # `npm install express`, `yarn build`: not an install from the manifest
    if name == "npm" and verb == "add":
        return None
    directory = next(iter(options.values("--prefix", "--cwd", "--dir", "-C")), None)
    return Install(
        "node", f"{name} {verb}".strip(), command, ("package.json",), locks, configs, config_dirs,
        ("node_modules", *outputs), directory=directory, runs_scripts=not options.has("--ignore-scripts"),
    )  # fmt: skip


def _go(command: Command) -> Install | None:
    if command.args[:2] != ("mod", "download"):
        return None
    return Install("go", "go mod download", command, ("go.mod",), ("go.sum",))


def _cargo(command: Command) -> Install | None:
    options = _parse_options(command.args, frozenset({"--manifest-path", "--target", "--config", "-Z"}))
    if options.positionals[:1] != ("fetch",):
        return None
    manifest = next(iter(options.values("--manifest-path")), "Cargo.toml")
    lock = posixpath.join(posixpath.dirname(manifest), "Cargo.lock")
    return Install(
        "rust", "cargo fetch", command, (manifest,), (lock,), optional_dirs=(".cargo",),
        limitation="Cargo needs the crate's targets (`src/main.rs`…) to read `Cargo.toml`: copy stub sources "
        "with the manifests, or use cargo-chef",
    )  # fmt: skip


_MAVEN_VALUE_OPTIONS = frozenset(
    {"-f", "--file", "-s", "--settings", "-gs", "--global-settings", "-P", "--activate-profiles", "-pl",
     "--projects", "-rf", "--resume-from", "-T", "--threads", "-t", "--toolchains", "-l", "--log-file", "-D",
     "--define", "-b", "--builder", "-gt", "--global-toolchains", "-ep", "--encrypt-password", "-emp"}
)  # fmt: skip
_MAVEN_DEPENDENCY_GOALS = (":go-offline", ":resolve", ":resolve-plugins", ":resolve-dependencies", ":resolve-sources")


def _maven(command: Command) -> Install | None:
    name = command.name or ""
    if name not in ("mvn", "mvnw"):
        return None
    options = _parse_options(command.args, _MAVEN_VALUE_OPTIONS)
    goals = options.positionals
    if not goals or not all(goal.endswith(_MAVEN_DEPENDENCY_GOALS) for goal in goals):
        return None  # `mvn package` builds the project: not a dependency install
    pom = next(iter(options.values("-f", "--file")), "pom.xml")
    if not pom.endswith(".xml"):
        pom = f"{pom.rstrip('/')}/pom.xml"
    manifests = [pom, *options.values("-s", "--settings", "-t", "--toolchains")]
    if name == "mvnw":
        program = command.argv[0].value
        manifests.append(program[2:] if program.startswith("./") else program)
    tool = f"{'./mvnw' if name == 'mvnw' else 'mvn'} {' '.join(goals)}"
    return Install("java", tool, command, tuple(manifests), optional_dirs=(".mvn",), outputs=("target",))


def _bundler(command: Command) -> Install | None:
    if command.name not in ("bundle", "bundler"):
        return None
    value_options = frozenset(
        {"--gemfile", "--jobs", "-j", "--retry", "--path", "--without", "--with", "--binstubs", "--shebang",
         "--trust-policy", "--standalone"}
    )  # fmt: skip
    options = _parse_options(command.args, value_options)
    if options.positionals not in ((), ("install",)):
        return None
    gemfile = next(iter(options.values("--gemfile")), "Gemfile")
    outputs = ("vendor/bundle", ".bundle") if options.has("--deployment", "--path", "--standalone") else ()
    lock = f"{gemfile}.lock"
    return Install("ruby", "bundle install", command, (gemfile,), (lock,), optional_dirs=(".bundle",), outputs=outputs)


def _composer(command: Command) -> Install | None:
    name = command.name or ""
    args = command.args
    if name == "php" and args and args[0].endswith(("composer.phar", "composer")):
        args = args[1:]
    elif name not in ("composer", "composer.phar"):
        return None
    value_options = frozenset({"-d", "--working-dir", "--ignore-platform-req", "--apcu-autoloader-prefix"})
    options = _parse_options(args, value_options)
    if options.positionals != ("install",):
        return None
    directory = next(iter(options.values("-d", "--working-dir")), None)
    return Install(
        "php", "composer install", command, ("composer.json",), ("composer.lock",), ("auth.json",), outputs=("vendor",),
        directory=directory, runs_scripts=not options.has("--no-scripts"),
    )  # fmt: skip


_DOTNET_PROJECT_PATTERNS = ("*.csproj", "*.fsproj", "*.vbproj")
DOTNET_SETTINGS = (
    "NuGet.Config", "nuget.config", "NuGet.config", "Directory.Build.props", "Directory.Build.targets",
    "Directory.Packages.props", "global.json",
)  # fmt: skip


def _dotnet(command: Command) -> Install | None:
    if command.name != "dotnet" or command.args[:1] != ("restore",):
        return None
    value_options = frozenset(
        {"-s", "--source", "--packages", "--configfile", "-r", "--runtime", "-v", "--verbosity", "--lock-file-path",
         "-a", "--arch", "--os", "-p", "--property"}
    )  # fmt: skip
    options = _parse_options(command.args[1:], value_options)
    inputs = [value for value in options.values("-s", "--source") if _is_local_path(value) or "/" in value]
    manifests = options.positionals[:1] or ("*.csproj",)
    if not manifests[0].endswith(("proj", ".sln", ".slnx")):
        manifests = (f"{manifests[0].rstrip('/')}/*.csproj",)
    return Install(
        "dotnet", "dotnet restore", command, (*manifests, *options.values("--configfile")), ("packages.lock.json",),
        DOTNET_SETTINGS,
        outputs=("obj", *options.values("--packages")), inputs=tuple(inputs),
    )  # fmt: skip


_RECOGNISERS: dict[str, Callable[[Command], Install | None]] = {
    "poetry": _poetry, "pipenv": _pipenv, "go": _go, "cargo": _cargo, "mvn": _maven, "mvnw": _maven,
    "bundle": _bundler, "bundler": _bundler, "composer": _composer, "composer.phar": _composer, "php": _composer,
    "dotnet": _dotnet, "npm": _node, "yarn": _node, "pnpm": _node, "bun": _node,
}  # fmt: skip


def recognise_install(command: Command) -> Install | None:
    """The dependency install this command is, from its words alone; None for anything else."""
    name = command.name
    if name is None:
        return None
    if name == "uv" and command.args[:1] == ("sync",):
        return _uv_sync(command)
    recogniser = _RECOGNISERS.get(name)
    if recogniser is not None:
        return recogniser(command)
    return _pip_install(command)


# --- what an install needs, read from the context -------------------------------------------------


class ProjectView(Protocol):
    """The install's directory as the install sees it, backed by the build context."""

    def read(self, relative: str) -> str | None: ...

    def exists(self, relative: str) -> bool: ...

    def names(self, relative: str) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Needs:
    """What an install reads, relative to its directory; `problem` says why manifests alone do not do."""

    files: tuple[str, ...] = ()
    directories: tuple[str, ...] = ()
    problem: str | None = None


def resolve_install(install: Install, view: ProjectView) -> Needs:
    """The files and directories an install reads, from its manifests' content in the context.

    A problem is reported when a manifest is missing, when a manifest names local paths (`-e .`,
    `file:` dependencies, `replace => ./lib`), when the project's own install scripts run, and
    when something the install writes already exists in the context (a local `node_modules`).
    """
    if install.limitation is not None:
        return Needs(problem=install.limitation)
    if install.whole_project:
        return Needs(problem=f"`{install.tool}` installs the project itself, which needs its source")
    manifests: list[str] = []
    for manifest in install.manifests:
        found = _find_manifest(manifest, view)
        if found is None:
            return Needs(problem=f"`{manifest}` is not in the build context")
        manifests.append(found)
    extra, problem = _content_needs(install, manifests, view)
    if problem is not None:
        return Needs(problem=problem)
    optional = [name for name in _optional_files(install, manifests) if view.read(name) is not None]
    for output in install.outputs:
        if view.exists(output):
            return Needs(problem=f"the context holds `{output}`, which `{install.tool}` writes")
    directories = tuple(name for name in install.optional_dirs if view.exists(name))
    files = tuple(dict.fromkeys([*manifests, *extra, *optional]))
    return Needs(files, directories)


def _find_manifest(manifest: str, view: ProjectView) -> str | None:
    if not has_glob(manifest):
        return manifest if view.read(manifest) is not None else None
    directory, pattern = posixpath.split(manifest)
    names = view.names(directory or ".")
    if any(name.endswith((".sln", ".slnx")) for name in names):
        return None  # a solution restores every project it lists
    patterns = _DOTNET_PROJECT_PATTERNS if pattern == "*.csproj" else (pattern,)
    matches = [name for name in names if any(fnmatch.fnmatchcase(name, p) for p in patterns)]
    if len(matches) != 1:
        return None
    return posixpath.join(directory, matches[0]) if directory else matches[0]


def _optional_files(install: Install, manifests: list[str]) -> list[str]:
    if install.ecosystem != "dotnet":
        return [*install.locks, *install.optional]
    # MSBuild and NuGet look for their settings beside the project and in every directory above it.
    found: list[str] = []
    for manifest in manifests:
        directory = posixpath.dirname(manifest)
        found += [posixpath.join(directory, name) for name in install.locks]
        while True:
            found += [posixpath.join(directory, name) if directory else name for name in install.optional]
            if not directory:
                break
            directory = posixpath.dirname(directory)
    return found


def _content_needs(install: Install, manifests: list[str], view: ProjectView) -> tuple[list[str], str | None]:
    checker = _CONTENT_CHECKS.get(install.ecosystem)
    if checker is None:
        return [], None
    return checker(install, manifests, view)


_REQUIREMENT_OPTION = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=\S))(\S+)")
_LOCAL_OPTION = re.compile(r"^(-e|--editable|-f|--find-links)(?:\s*=\s*|\s+)(\S+)")


def requirement_file_needs(path: str, view: ProjectView, seen: set[str] | None = None) -> tuple[list[str], str | None]:
    """A requirements file and those it includes (`-r`, `-c`), or a problem (a local path it installs)."""
    seen = set() if seen is None else seen
    if path in seen:
        return [], None
    seen.add(path)
    text = view.read(path)
    if text is None:
        return [], f"`{path}` is not in the build context"
    files = [path]
    base = posixpath.dirname(path)
    for raw_line in text.splitlines():
        line = raw_line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        include = _REQUIREMENT_OPTION.match(line)
        if include is not None:
            target = include.group(2)
            if REMOTE.match(target):
                continue
            more, problem = requirement_file_needs(posixpath.normpath(posixpath.join(base, target)), view, seen)
            if problem is not None:
                return [], problem
            files += more
            continue
        local = _LOCAL_OPTION.match(line)
        if local is not None and not REMOTE.match(local.group(2)):
            return [], f"`{path}` installs a local path (`{line}`)"
        requirement = line.split(";", 1)[0].strip()
        if _is_local_path(requirement) or re.search(r"@\s*(file:|\.{0,2}/)", requirement):
            return [], f"`{path}` installs a local path (`{line}`)"
    return files, None


def _python_needs(install: Install, manifests: list[str], view: ProjectView) -> tuple[list[str], str | None]:
    if install.tool.endswith("pip install"):
        files: list[str] = []
        seen: set[str] = set()
        for manifest in manifests:
            more, problem = requirement_file_needs(manifest, view, seen)
            if problem is not None:
                return [], problem
            files += more
        return files, None
    text = view.read(manifests[0]) or ""
    if re.search(r"\bpath\s*=", text) or re.search(r"^\s*\[tool\.uv\.workspace\]", text, re.MULTILINE):
        return [], f"`{manifests[0]}` names a local path dependency or workspace"
    if re.search(r"\bworkspace\s*=\s*true", text):
        return [], f"`{manifests[0]}` names workspace members"
    return [], None


_NODE_LIFECYCLE = ("preinstall", "install", "postinstall", "prepare", "prepublish", "preprepare", "postprepare")
_NODE_LOCAL_PROTOCOLS = ("file:", "link:", "portal:", "workspace:", "./", "../", "/", "~/")
_NODE_DEPENDENCY_FIELDS = (
    "dependencies", "devDependencies", "optionalDependencies", "peerDependencies", "resolutions", "overrides",
)  # fmt: skip


def _node_needs(install: Install, manifests: list[str], view: ProjectView) -> tuple[list[str], str | None]:
    if install.tool == "pnpm fetch":
        return [], "`pnpm-workspace.yaml` lists workspace packages" if view.exists("pnpm-workspace.yaml") else None
    package = json_object(view.read(manifests[0]))
    if package is None:
        return [], f"`{manifests[0]}` is not a JSON object"
    if "workspaces" in package or view.exists("pnpm-workspace.yaml"):
        return [], "the project has workspaces, whose packages the install needs"
    scripts = package.get("scripts")
    if install.runs_scripts and isinstance(scripts, dict):
        hooks = [name for name in _NODE_LIFECYCLE if name in scripts]
        if hooks:
            return [], f"`{manifests[0]}` has a `{hooks[0]}` script, which may need the source"
    for field in _NODE_DEPENDENCY_FIELDS:
        specs = package.get(field)
        if not isinstance(specs, dict):
            continue
        for name, spec in specs.items():
            if isinstance(spec, str) and (spec.startswith(_NODE_LOCAL_PROTOCOLS) or "patch:" in spec):
                return [], f"`{manifests[0]}` installs `{name}` from a local path (`{spec}`)"
    settings = package.get("pnpm")
    if isinstance(settings, dict) and "patchedDependencies" in settings:
        return [], f"`{manifests[0]}` patches dependencies with local files"
    return [], None


def json_object(text: str | None) -> dict[str, Any] | None:
    """A JSON text's top-level object, or None (missing, not JSON, not an object)."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _go_needs(install: Install, manifests: list[str], view: ProjectView) -> tuple[list[str], str | None]:
    if view.exists("go.work"):
        return [], "a `go.work` workspace names other modules"
    text = view.read(manifests[0]) or ""
    if re.search(r"=>\s*(\.{1,2}/|/)", text):
        return [], f"`{manifests[0]}` replaces a module with a local directory"
    return [], None


def _java_needs(install: Install, manifests: list[str], view: ProjectView) -> tuple[list[str], str | None]:
    text = view.read(manifests[0]) or ""
    if "<modules>" in text:
        return [], f"`{manifests[0]}` has modules, whose own `pom.xml` files the install needs"
    return [], None


def _ruby_needs(install: Install, manifests: list[str], view: ProjectView) -> tuple[list[str], str | None]:
    text = view.read(manifests[0]) or ""
    for line in text.splitlines():
        stripped = line.split("#", 1)[0].strip()
        if re.match(r"(gemspec|eval_gemfile)\b", stripped) or re.search(r"\bpath:|:path\s*=>", stripped):
            return [], f"`{manifests[0]}` reads local files (`{stripped}`)"
    return [], None


_COMPOSER_SCRIPT_EVENTS = (
    "pre-install-cmd", "post-install-cmd", "pre-autoload-dump", "post-autoload-dump", "post-root-package-install",
    "pre-package-install", "post-package-install", "post-create-project-cmd",
)  # fmt: skip


def _php_needs(install: Install, manifests: list[str], view: ProjectView) -> tuple[list[str], str | None]:
    composer = json_object(view.read(manifests[0]))
    if composer is None:
        return [], f"`{manifests[0]}` is not a JSON object"
    repositories = composer.get("repositories")
    listed = repositories.values() if isinstance(repositories, dict) else repositories or []
    if any(isinstance(item, dict) and item.get("type") == "path" for item in listed):
        return [], f"`{manifests[0]}` installs packages from local paths"
    scripts = composer.get("scripts")
    hooks = isinstance(scripts, dict) and any(event in scripts for event in _COMPOSER_SCRIPT_EVENTS)
    if install.runs_scripts and hooks:
        return [], f"`{manifests[0]}` has install scripts, which may need the source"
    arguments = install.command.args
    if "--no-autoloader" not in arguments:
        autoload = composer.get("autoload")
        optimise = {"-o", "--optimize-autoloader", "-a", "--classmap-authoritative"} & set(arguments)
        if optimise or (isinstance(autoload, dict) and "classmap" in autoload):
            return [], "the autoloader it generates scans the source"
    return [], None


def _dotnet_needs(install: Install, manifests: list[str], view: ProjectView) -> tuple[list[str], str | None]:
    for manifest in manifests:
        if manifest.endswith((".sln", ".slnx")):
            return [], f"`{manifest}` is a solution: every project it lists is needed"
        if "<ProjectReference" in (view.read(manifest) or ""):
            return [], f"`{manifest}` references other projects"
    return [], None


_CONTENT_CHECKS: dict[str, Callable[[Install, list[str], ProjectView], tuple[list[str], str | None]]] = {
    "python": _python_needs, "node": _node_needs, "go": _go_needs, "java": _java_needs, "ruby": _ruby_needs,
    "php": _php_needs, "dotnet": _dotnet_needs,
}  # fmt: skip

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lintslim.analysis.dependencies import (
    ContextCopy,
    ContextFiles,
    Install,
    Needs,
    context_copy,
    looks_like_directory,
    recognise_install,
    resolve_install,
    working_directories,
)
from lintslim.analysis.paths import has_glob, is_absolute, join, relative_to, within
from lintslim.analysis.subshells import Nesting, SubshellScope, commands_with_nesting
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.rules._edits import instruction_block, keyword_case, newline_of, removal_span
from lintslim.rules._wording import and_list, shortened
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.shell import Command, shell_commands
from lintslim.syntax.shellwords import referenced_variables
from lintslim.syntax.stages import BuildGraph, Stage, mount_options

# Directories that hold only dependency manifests: copying them is not copying the source.
_MANIFEST_DIRECTORY = re.compile(r"req(uirement)?s?([._-].*)?|\.yarn|\.mvn|\.bundle|\.cargo", re.IGNORECASE)
# Instructions that neither read nor write files, which a COPY can move past unchanged.
_METADATA = frozenset(
    {"ENV", "ARG", "LABEL", "EXPOSE", "USER", "STOPSIGNAL", "HEALTHCHECK", "CMD", "ENTRYPOINT", "SHELL",
     "MAINTAINER", "ONBUILD"}
)  # fmt: skip
_MOVABLE_COPY_FLAGS = frozenset({"chown", "chmod", "link"})
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.@+-][A-Za-z0-9_.@+/-]*")
_PLAIN_DESTINATION = re.compile(r"[A-Za-z0-9_.@+/${}-]+")


# --- commands that leave the project's files alone ---------------------------------------------------

# System set-up: package managers, users, certificates.  Their arguments are names, not project paths.
_SYSTEM_PROGRAMS = frozenset(
    {"apt-get", "apt", "aptitude", "apk", "yum", "dnf", "microdnf", "tdnf", "zypper", "update-ca-certificates",
     "locale-gen", "localedef", "ldconfig", "dpkg-reconfigure", "update-alternatives", "useradd", "groupadd",
     "adduser", "addgroup", "true", ":", "set", "export", "umask", "echo", "printf", "corepack", "rustup",
     "which", "id", "uname", "sleep", "pipx"}
)  # fmt: skip
# File utilities: every argument is a path, which must lie outside the project.
_PATH_PROGRAMS = frozenset(
    {"mkdir", "rm", "rmdir", "ln", "chmod", "chown", "chgrp", "touch", "cp", "mv", "tar", "unzip", "gunzip",
     "curl", "wget", "install"}
)  # fmt: skip
_MODE_FIRST = frozenset({"chmod", "chown", "chgrp"})  # the first operand is a mode or an owner
# Language tools used to set themselves up rather than the project (`npm install -g`, `npm cache clean`).
_GLOBAL_VERBS = {
    "npm": frozenset({"config", "cache", "set"}),
    "yarn": frozenset({"config", "cache", "global"}),
    "pnpm": frozenset({"config", "store"}),
    "gem": frozenset({"install", "update", "sources"}),
    "poetry": frozenset({"config", "self"}),
    "composer": frozenset({"global", "config", "self-update"}),
    "go": frozenset({"env"}),
    "cargo": frozenset({"install"}),
    "dotnet": frozenset({"tool", "nuget", "dev-certs"}),
    "bundle": frozenset({"config"}),
}


_PNPM_FETCH = "pnpm fetch"
_PNPM_LOCK = "pnpm-lock.yaml"
_PNPM_WORKSPACE = "pnpm-workspace.yaml"
# pnpm's own advice for workspaces (pnpm.io/cli/fetch): the lock file alone is enough to download.
_PNPM_WORKSPACE_ADVICE = (
    "in a pnpm workspace the install reads every package's `package.json`: run `pnpm fetch` (it needs only "
    "`pnpm-lock.yaml`) before that `{keyword}`, and `pnpm install --offline` after it"
)


@dataclass
class _Cwd:
    """The shell's working directory while walking a RUN's commands; None once unknown."""

    path: str | None
    subshells: SubshellScope[str | None] = field(default_factory=SubshellScope)

    def step(self, nesting: Nesting) -> None:
        """Before each command: a `cd` in a subshell that just ended is undone."""
        self.path = self.subshells.step(nesting, self.path)


def _path_outside(word: str, cwd: str | None, roots: tuple[str, ...]) -> bool:
    """Whether a path argument names nothing inside the project directories `roots`."""
    if "://" in word:
        return True  # a URL
    literal = re.split(r"[*?\[]", word, maxsplit=1)[0]
    if "$" in literal or "`" in literal:
        return False
    if literal.startswith("~"):
        literal = "/root" + literal[1:]
    if not literal.startswith("/"):
        if cwd is None:
            return False
        literal = join(cwd, literal or ".")
    path = join("/", literal)
    return not any(within(path, root) or within(root, path) for root in roots)


def _leaves_project_alone(command: Command, cwd: _Cwd, roots: tuple[str, ...]) -> bool:
    """True when a command neither reads nor writes inside `roots` (updating `cwd` for `cd`)."""
    for redirect in command.redirects:
        if redirect.operator.lstrip("0123456789") in ("<<", "<<-", "<<<"):
            continue  # a here-document or here-string: text, not a file
        if redirect.target is not None and not _path_outside(redirect.target.value, cwd.path, roots):
            return False
    name = command.name
    args = command.args
    if name is None:
        return True
    if name == "cd":
        _change_directory(command, cwd)
        return True
    if name in _SYSTEM_PROGRAMS:
        paths = [arg for arg in args if arg.startswith(("/", "./", "../")) or arg.endswith((".deb", ".rpm", ".apk"))]
        return all(_path_outside(arg, cwd.path, roots) for arg in paths)
    if name in _PATH_PROGRAMS:
        operands = [arg for arg in args if not arg.startswith("-")]
        if name in _MODE_FIRST:
            operands = operands[1:]
        return all(_path_outside(arg, cwd.path, roots) for arg in operands)
    return _sets_up_a_tool(command, cwd, roots)


def _change_directory(command: Command, cwd: _Cwd) -> None:
    """Follow `cd`: a literal path is followed; `cd -` and `cd $DIR` make it unknown."""
    target = command.args[0] if len(command.args) == 1 else None
    if target is None or target == "-" or any(ch in target for ch in "$`~"):
        cwd.path = None
    elif target.startswith("/"):
        cwd.path = join("/", target)
    elif cwd.path is not None:
        cwd.path = join(cwd.path, target)


def _sets_up_a_tool(command: Command, cwd: _Cwd, roots: tuple[str, ...]) -> bool:
    """`pip install --upgrade pip`, `npm install -g pnpm`, `npm cache clean`: nothing of the project."""
    name = command.name or ""
    args = command.args
    install = recognise_install(command)
    if install is not None:
        return False
    if name.startswith("pip") or name.startswith("python") or name == "uv":
        is_install = "install" in args and (name.startswith("pip") or args[:2] in (("-m", "pip"), ("pip", "install")))
        operands = [arg for arg in args if not arg.startswith("-")]
        local = any(arg.startswith((".", "/", "~")) or arg.endswith((".whl", ".tar.gz", ".zip")) for arg in operands)
        project_options = {"-r", "-c", "-e", "--requirement", "--constraint", "--editable"} & set(args)
        return is_install and not local and not project_options
    if name in ("npm", "pnpm", "yarn", "bun") and {"-g", "--global"} & set(args):
        return True
    if name == "go" and args[:1] == ("install",):
        return all("@" in arg for arg in args[1:] if not arg.startswith("-"))
    verbs = _GLOBAL_VERBS.get(name)
    if verbs is None or not args or args[0] not in verbs:
        return False
    if name == "bundle" and "--local" in args:
        return False
    if name == "cargo" and "--path" in args:
        return False
    return not any(arg.startswith((".", "/")) and not _path_outside(arg, cwd.path, roots) for arg in args)


# --- the rule -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Located:
    """A RUN's install and the directory it works in."""

    install: Install
    directory: str


@dataclass
class _StageState:
    """What the walk through one stage has seen so far."""

    copies: list[ContextCopy] = field(default_factory=list)
    installed: set[tuple[str, ...]] = field(default_factory=set)  # installs already run, by tool and files
    ecosystems: set[str] = field(default_factory=set)  # ecosystems whose dependencies were installed

    @staticmethod
    def _key(item: _Located) -> tuple[str, ...]:
        return (item.install.tool, item.directory, *item.install.manifests)

    def already_installed(self, item: _Located) -> bool:
        """The same install ran before (a cheap re-run), the dependencies of a project install did, or
        `pnpm fetch` downloaded what a `pnpm install` then only links (pnpm's documented Docker pattern)."""
        if self._key(item) in self.installed:
            return True
        if _is_pnpm_install(item.install) and (_PNPM_FETCH, item.directory, _PNPM_LOCK) in self.installed:
            return True
        return item.install.whole_project and item.install.ecosystem in self.ecosystems

    def note(self, located: list[_Located]) -> None:
        for item in located:
            self.installed.add(self._key(item))
            if not item.install.whole_project:
                self.ecosystems.add(item.install.ecosystem)


class CopyBeforeDeps(Rule):
    """A dependency install runs after a `COPY` that brings in more than its manifests.

    ## What it does
    Finds dependency installs that read a project's manifests (`pip install -r`, `poetry install`,
    `uv sync`, `pipenv install`, `npm ci`/`install`, `yarn`, `pnpm install`/`fetch`, `bun install`,
    `go mod download`, `cargo fetch`, `mvn dependency:go-offline`/`resolve`, `bundle install`,
    `composer install`, `dotnet restore`) and reports those that run after a `COPY` or `ADD` of a
    source directory into the project (`COPY . .`, `COPY src ./src`).  A `COPY` of single files
    (`COPY package.json package-lock.json ./`) or of a directory of requirement files is fine.

    Installs of the project itself (`pip install .`, `poetry install` without `--no-root`, `uv sync`
    without `--no-install-project`) are reported too, unless the stage installed the same
    ecosystem's dependencies before: they need the source, so the advice is to install the
    dependencies first.  Every stage is checked, build stages included: that is where the cache is
    lost.

    The advice fits what is there: copy the manifests first; or, when they already are and only the
    broad `COPY` is out of order, move that `COPY` after the install; in a pnpm workspace, whose
    install reads every package's `package.json`, run `pnpm fetch` (which needs only
    `pnpm-lock.yaml`) before the broad `COPY`.  A `pnpm install` after such a `pnpm fetch` only links
    what it downloaded and is not reported.

    ## Why is this bad?
    A `RUN` step is taken from the cache only when every layer before it is unchanged.  After
    `COPY . .`, any edit to any file re-runs the install, downloading and building every dependency
    again.  Copying the manifests first, installing, and copying the rest after lets source edits
    reuse the installed dependencies.

    ## Fix safety
    With a build context that holds the manifests, the fix inserts a `COPY` of the manifests and
    lock files that exist (with the broad `COPY`'s `--chown`, `--chmod` and `--link`) just before the
    install, and moves the broad `COPY`, with the comments above it, to just after the install.
    It is offered only when lintslim can see that the result holds the same files:

    - the install reads nothing but its manifests: no `-e .` or local path in a requirements file,
      no npm lifecycle or composer install scripts, no local path dependencies, workspaces, Go
      `replace` directives to directories, Maven modules or .NET project references;
    - the context has nothing where the install writes (`node_modules`, `vendor`, `.venv`, `obj`),
      which the moved `COPY` would otherwise put over the installed files;
    - the other commands of the install's `RUN`, and the steps between the broad `COPY` and the
      install, do not touch the copied directory: package installs, user creation and file commands
      on other paths are fine; scripts, `VOLUME` and anything unknown are not, nor a `WORKDIR` or
      an `ARG`/`ENV` that the broad `COPY`'s words depend on.

    It is unsafe all the same: it reorders build steps, and an install can read files lintslim does
    not know about (a `setup.py` of a dependency looking at the working directory, a tool's
    configuration file).  Timestamps and modes of directories in the image can differ.
    """

    code = "LS103"
    name = "copy-before-deps"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        files = _context_files(ctx)
        for stage in ctx.graph.stages:
            yield from self._check_stage(ctx, stage, files)

    def _check_stage(self, ctx: RuleContext, stage: Stage, files: ContextFiles | None) -> Iterator[Diagnostic]:
        graph = ctx.graph
        if not any(_has_install(ctx.dockerfile, instruction) for instruction in stage.instructions):
            return  # most stages install nothing: spare resolving their COPY lines
        workdirs = working_directories(graph, stage)
        is_directory = _directory_test(files)
        state = _StageState()
        for instruction in stage.instructions[1:]:
            workdir = workdirs[instruction.index]
            if instruction.keyword in ("COPY", "ADD"):
                copy = context_copy(graph, instruction, workdir)
                if copy is not None:
                    state.copies.append(copy)
                continue
            if instruction.keyword != "RUN":
                continue
            located = list(_installs(ctx.dockerfile, instruction, workdir))
            for item in located:
                broad = [copy for copy in state.copies if _is_broad(copy, item, is_directory)]
                if not broad or state.already_installed(item):
                    continue
                fix, reason = None, None
                if files is not None and len(broad) == 1:
                    fix, reason = _Fixer(ctx, stage, files, state.copies, broad[0], instruction, located).fix()
                keyword = broad[0].instruction.keyword
                if _pnpm_workspace(item, state.copies, broad, is_directory, files):
                    reason = None  # the advice says what the install needs
                    advice: str | None = _PNPM_WORKSPACE_ADVICE.format(keyword=keyword)
                elif _manifests_copied_apart(item, state.copies, broad, is_directory):
                    advice = f"move that `{keyword}` after the install, unless the install reads what it copies"
                else:
                    advice = None
                message = _message(item.install, broad[0], reason, advice)
                yield self.report(item.install.command.span, message, fix=fix)
            state.note(located)


def _manifests_copied_apart(
    item: _Located, copies: list[ContextCopy], broad: list[ContextCopy], is_directory: Callable[[str], bool]
) -> bool:
    """Whether the manifests come from other copies (or the base image), so only the broad copy is out of order.

    A broad copy that puts the manifests in place again (`COPY package.json ./` then `COPY . .`) does
    not make them its own: the copy before it already did.
    """
    manifests = [join(item.directory, path) for path in item.install.manifests if not has_glob(path)]
    for manifest in manifests:
        landers = [copy for copy in copies if copy.context_path_of(manifest, is_directory)]
        if landers and all(copy in broad for copy in landers):
            return False
    return bool(manifests)


def _is_pnpm_install(install: Install) -> bool:
    return install.tool in ("pnpm install", "pnpm i")


def _pnpm_workspace(
    item: _Located,
    copies: list[ContextCopy],
    broad: list[ContextCopy],
    is_directory: Callable[[str], bool],
    files: ContextFiles | None,
) -> bool:
    """Whether a `pnpm install` works in a pnpm workspace: a copy names `pnpm-workspace.yaml`, or the
    context has the one a broad copy brings."""
    if not _is_pnpm_install(item.install):
        return False
    target = join(item.directory, _PNPM_WORKSPACE)
    for copy in copies:
        found = copy.context_path_of(target, is_directory)
        if found is not None and (copy not in broad or (files is not None and files.exists(found))):
            return True
    return False


def _message(install: Install, copy: ContextCopy, reason: str | None, advice: str | None) -> str:
    """The finding's text; `advice` replaces the usual "copy the manifests first" when the situation calls for other."""
    where = f"`{_short(copy.instruction)}` (line {copy.instruction.start_line})"
    if install.whole_project:
        return (
            f"`{install.tool}` installs the project after {where}: any source change reinstalls every dependency; "
            "install the dependencies from their manifests before copying the source"
        )
    advice = advice or f"copy {_manifest_names(install)} first, install, then copy the rest"
    if install.limitation is not None:
        advice = install.limitation
    elif reason is not None:
        advice += f" (no automatic fix: {reason})"
    return f"`{install.tool}` runs after {where}, so any change to the copied files re-runs it; {advice}"


def _manifest_names(install: Install) -> str:
    """The manifests and the usual lock file: "`package.json` and `package-lock.json`"."""
    if install.ecosystem == "dotnet":
        return and_list([f"`{name}`" if not has_glob(name) else "the project file" for name in install.manifests])
    return and_list([f"`{name}`" for name in (*install.manifests, *install.locks[:1])])


def _short(instruction: Instruction) -> str:
    """The instruction on one line, shortened: `COPY --chown=app . .`."""
    rest = instruction.rest.value if instruction.rest is not None else ""
    return shortened(" ".join([instruction.keyword, *(flag.text for flag in instruction.flags), *rest.split()]))


def _has_install(dockerfile: Dockerfile, instruction: Instruction) -> bool:
    if instruction.keyword != "RUN":
        return False
    return any(recognise_install(command) is not None for command in shell_commands(dockerfile, instruction))


def _installs(dockerfile: Dockerfile, instruction: Instruction, workdir: str | None) -> Iterator[_Located]:
    """The dependency installs of a RUN, each with the directory it works in (following `cd`)."""
    cwd = _Cwd(workdir)
    for command, nesting in commands_with_nesting(dockerfile, instruction):
        cwd.step(nesting)
        if command.name == "cd":
            _change_directory(command, cwd)
            continue
        install = recognise_install(command)
        if install is None or cwd.path is None:
            continue
        directory = cwd.path if install.directory is None else join(cwd.path, install.directory)
        yield _Located(install, directory)


def _is_broad(copy: ContextCopy, item: _Located, is_directory: Callable[[str], bool]) -> bool:
    """A copy of a source directory into the install's project (not a directory of manifests or its inputs).

    The project is the install's directory and the directories of its manifests (`-f /src/pom.xml`).
    """
    inputs = [join(item.directory, path) for path in item.install.inputs]
    manifests = [join(item.directory, path) for path in item.install.manifests if not has_glob(path)]
    projects = {item.directory, *(posixpath.dirname(path) for path in manifests)}
    for source in copy.sources:
        if not is_directory(source) or _MANIFEST_DIRECTORY.fullmatch(posixpath.basename(source)):
            continue
        root = copy.landing(source, True)
        if any(within(root, path) for path in inputs):
            continue
        for project in projects:
            if root == "/" and project != "/":
                continue  # a root filesystem overlay (`COPY rootfs/ /`), not the project
            if within(root, project) or within(project, root):
                return True
    return False


def _directory_test(files: ContextFiles | None) -> Callable[[str], bool]:
    def is_directory(source: str) -> bool:
        if files is not None and files.exists(source):
            return files.is_dir(source)
        return looks_like_directory(source)

    return is_directory


# --- the fix ----------------------------------------------------------------------------------------


@dataclass
class _ImageView:
    """The install's directory as the image has it before the RUN, read through the copies that filled it."""

    files: ContextFiles
    copies: list[ContextCopy]
    directory: str
    is_directory: Callable[[str], bool]

    def lander(self, relative: str) -> tuple[ContextCopy, str] | None:
        """The copy that put `relative` in place last, and the context path it took it from."""
        target = join(self.directory, relative)
        for copy in reversed(self.copies):
            found = copy.context_path_of(target, self.is_directory)
            if found is not None and (found == "." or (self.files.exists(found) and self.files.included(found))):
                return copy, found
        return None

    def read(self, relative: str) -> str | None:
        landed = self.lander(relative)
        return None if landed is None else self.files.read_text(landed[1])

    def exists(self, relative: str) -> bool:
        return self.lander(relative) is not None

    def names(self, relative: str) -> tuple[str, ...]:
        landed = self.lander(relative)
        if landed is None:
            return ()
        prefix = "" if landed[1] == "." else landed[1] + "/"
        entries = self.files.files_under(landed[1])
        return tuple(sorted({entry.path[len(prefix) :].split("/", 1)[0] for entry in entries}))


class _NoFix(Exception):
    """The fix cannot be shown to keep the image the same; `reason` says why when a reader can act on it."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Fixer:
    ctx: RuleContext
    stage: Stage
    files: ContextFiles
    copies: list[ContextCopy]  # the context copies before the install's RUN
    broad: ContextCopy
    run: Instruction
    located: list[_Located]

    def fix(self) -> tuple[Fix | None, str | None]:
        """The fix, or None and what in the project's files prevents it."""
        try:
            manifests = self._manifests_to_copy()
            self._check_between()
            self._check_run()
            return self._edits(manifests), None
        except _NoFix as refusal:
            return None, refusal.reason

    @property
    def graph(self) -> BuildGraph:
        return self.ctx.graph

    @property
    def roots(self) -> tuple[str, ...]:
        """The image directories the broad copy fills."""
        is_directory = _directory_test(self.files)
        return tuple(self.broad.landing(source, is_directory(source)) for source in self.broad.sources)

    def _view(self, directory: str, before: int) -> _ImageView:
        copies = [copy for copy in self.copies if copy.instruction.index < before]
        return _ImageView(self.files, copies, directory, _directory_test(self.files))

    def _manifests_to_copy(self) -> list[tuple[str, str, bool]]:
        """(context path, image path, is a directory) of what the broad copy brings that the installs read."""
        wanted: list[tuple[str, str, bool]] = []
        for item in self.located:
            view = self._view(item.directory, self.run.index)
            needs = _needs(item.install, view)
            wanted_here = [(name, False) for name in needs.files] + [(name, True) for name in needs.directories]
            for relative, is_dir in wanted_here:
                landed = view.lander(relative)
                if landed is None:
                    raise _NoFix
                if landed[0] is self.broad:
                    wanted.append((landed[1], join(item.directory, relative), is_dir))
        return list(dict.fromkeys(wanted))

    def _check_between(self) -> None:
        """Steps between the broad copy and the install must not read or write what it copies."""
        broad_variables = self._variables(self.broad.instruction)
        for instruction in self.stage.instructions:
            if not self.broad.instruction.index < instruction.index < self.run.index:
                continue
            keyword = instruction.keyword
            if keyword in ("ENV", "ARG"):
                if {pair.key.value for pair in instruction.key_values} & broad_variables:
                    raise _NoFix
            elif keyword in ("COPY", "ADD"):
                self._check_other_copy(instruction)
            elif keyword == "RUN":
                self._check_independent_run(instruction)
            elif keyword == "WORKDIR" and self._absolute_destination():
                continue  # the moved COPY does not depend on the working directory
            elif keyword not in _METADATA:
                raise _NoFix  # a WORKDIR the COPY's destination is relative to, VOLUME, unknown instructions

    def _absolute_destination(self) -> bool:
        broad = self.broad.instruction
        written = self.graph.resolve(broad.args[-1].value, broad)
        return written.complete and is_absolute(written.value)

    def _variables(self, instruction: Instruction) -> frozenset[str]:
        escape = self.ctx.dockerfile.escape
        words = [token.value for token in instruction.args] + [flag.value or "" for flag in instruction.flags]
        return frozenset().union(*(referenced_variables(word, escape=escape) for word in words))

    def _check_other_copy(self, instruction: Instruction) -> None:
        """Another COPY between them: it must write outside the broad copy's directories, or the same files."""
        workdir = working_directories(self.graph, self.stage)[instruction.index]
        copy = context_copy(self.graph, instruction, workdir)
        if copy is None:
            if instruction.flag("from") is None or instruction.heredocs:
                raise _NoFix
            destination = self.graph.resolve(instruction.args[-1].value, instruction) if instruction.args else None
            if destination is None or not destination.complete:
                raise _NoFix
            if not _path_outside(destination.value, workdir, self.roots):
                raise _NoFix
            return
        is_directory = _directory_test(self.files)
        for source in copy.sources:
            landing = copy.landing(source, is_directory(source))
            if _path_outside(landing, None, self.roots):
                continue
            same_file = self.broad.context_path_of(landing, is_directory) == source and not is_directory(source)
            same_flags = _flags_text(self.ctx.text, instruction) == _flags_text(self.ctx.text, self.broad.instruction)
            if not (same_file and same_flags):
                raise _NoFix

    def _check_independent_run(self, instruction: Instruction) -> None:
        self._check_mounts(instruction)
        cwd = _Cwd(working_directories(self.graph, self.stage)[instruction.index])
        for command, nesting in commands_with_nesting(self.ctx.dockerfile, instruction):
            cwd.step(nesting)
            install = recognise_install(command)
            if install is not None and cwd.path is not None:
                directory = cwd.path if install.directory is None else join(cwd.path, install.directory)
                self._check_install_without_broad(install, directory, instruction.index)
            elif not _leaves_project_alone(command, cwd, self.roots):
                raise _NoFix

    def _check_install_without_broad(self, install: Install, directory: str, before: int) -> None:
        """An install between them must read only files that other copies put in place."""
        view = self._view(directory, before)
        needs = _needs(install, view)
        for relative in (*needs.files, *needs.directories):
            landed = view.lander(relative)
            if landed is None or landed[0] is self.broad:
                raise _NoFix

    def _check_mounts(self, instruction: Instruction) -> None:
        for flag in instruction.flags_named("mount"):
            options = mount_options(flag)
            target = options.get("target", options.get("dst", options.get("destination", "")))
            if options.get("type") == "bind" and not _path_outside(target or "/", None, self.roots):
                raise _NoFix

    def _check_run(self) -> None:
        """The install's own RUN: its other commands must leave the project alone too."""
        self._check_mounts(self.run)
        installs = {id(item.install.command) for item in self.located}
        cwd = _Cwd(working_directories(self.graph, self.stage)[self.run.index])
        for command, nesting in commands_with_nesting(self.ctx.dockerfile, self.run):
            cwd.step(nesting)
            if id(command) not in installs and not _leaves_project_alone(command, cwd, self.roots):
                raise _NoFix

    # --- the edits ---------------------------------------------------------------------------------

    def _edits(self, manifests: list[tuple[str, str, bool]]) -> Fix:
        broad = self.broad.instruction
        if broad.is_json or {flag.name for flag in broad.flags} - _MOVABLE_COPY_FLAGS - {"exclude"}:
            raise _NoFix
        text = self.ctx.text
        lines = self.ctx.dockerfile.lines
        newline = newline_of(self.ctx.dockerfile)
        block_span = instruction_block(self.ctx.dockerfile, broad)
        block = text[block_span.start : block_span.end]
        run_start = lines.line_start(_first_line(self.run))
        indent = re.match(r"[ \t]*", lines.line_text(self.run.start_line))
        copy_lines = self._copy_lines(manifests, indent.group(0) if indent else "", newline)
        after_run = lines.line_end(self.run.end_line, keep_newline=True)
        if not text[:after_run].endswith("\n"):
            block = newline + block.rstrip("\r\n")
        edits = [Edit.delete(removal_span(text, block_span)), Edit.insert(after_run, block)]
        if copy_lines:
            edits.append(Edit.insert(run_start, copy_lines))
        names = ", ".join(sorted({posixpath.basename(image) for _, image, _ in manifests})) or "the manifests"
        return Fix.unsafe(f"Copy {names} first and move `{_short(broad)}` after the install", *edits)

    def _copy_lines(self, manifests: list[tuple[str, str, bool]], indent: str, newline: str) -> str:
        broad = self.broad.instruction
        keyword = keyword_case(self.ctx.dockerfile, broad, "COPY")
        flags = _flags_text(self.ctx.text, broad)
        destination_word = self.ctx.text[broad.args[-1].span.start : broad.args[-1].span.end]
        if not _PLAIN_DESTINATION.fullmatch(destination_word):
            raise _NoFix
        by_directory: dict[str, list[str]] = {}
        directories: list[str] = []
        for source, image_path, is_dir in manifests:
            if not _PLAIN_PATH.fullmatch(source):
                raise _NoFix
            target = image_path if is_dir else posixpath.dirname(image_path)
            destination = self._destination(destination_word, target)
            if is_dir:
                directories.append(f"{indent}{keyword}{flags} {source} {destination}{newline}")
            else:
                by_directory.setdefault(destination, []).append(source)
        files = [f"{indent}{keyword}{flags} {' '.join(sources)} {to}{newline}" for to, sources in by_directory.items()]
        return "".join(files + directories)

    def _destination(self, written: str, image_directory: str) -> str:
        """The broad copy's destination as written, extended to an image directory below it."""
        root = next((root for root in self.roots if within(image_directory, root)), None)
        if root is None:
            raise _NoFix
        below = relative_to(image_directory, root)
        base = "." if written in (".", "./") else written.rstrip("/")
        return f"{base}/" if below == "." else f"{base}/{below}/"


def _needs(install: Install, view: _ImageView) -> Needs:
    needs = resolve_install(install, view)
    if needs.problem is not None:
        raise _NoFix(needs.problem)
    return needs


def _first_line(instruction: Instruction) -> int:
    return instruction.comments[0].line if instruction.comments else instruction.start_line


def _flags_text(text: str, instruction: Instruction) -> str:
    kept = [text[flag.span.start : flag.span.end] for flag in instruction.flags if flag.name in _MOVABLE_COPY_FLAGS]
    return "".join(f" {flag}" for flag in kept)


# --- the build context ------------------------------------------------------------------------------


def _context_files(ctx: RuleContext) -> ContextFiles | None:
    """The build context, when it can tell which manifests exist (not a directory of Dockerfiles only)."""
    context = ctx.build_context
    if context is None or not context.usable or context.holds_only_dockerfiles():
        return None
    return context

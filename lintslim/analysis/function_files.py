"""The function directory of a Lambda image as the image will hold it, read from the build context.

The final image's chain of instructions is walked in build order.  COPY and ADD that take files from
the build context (after `.dockerignore`) put known files at known image paths; everything else that
writes files puts *unknown* content somewhere:

- `COPY --from` an image, an archive ADD unpacks, ADD of a URL, a heredoc, a COPY whose words we
  cannot resolve: the content under its destination is unknown.  `COPY --from` a build stage hands
  over what that stage's own walk knows (its context files, installs and unknown content), and
  unknown content for a directory the stage did not make itself (its base image may fill it);
- a RUN command that writes where it runs or where its arguments point (`npm run build`, `tsc`,
  `unzip -d /var/task`, `cp -r dist/* ./`): unknown content there (`cp`/`mv`/`ln`/`install` only at
  their destination); commands that change, list or remove files, and system package managers, do not
  add any;
- dependency installs: `pip install --target <dir>` adds the packages its requirements name (their
  import names taken as the distribution names, lower-cased, `-` and `.` as `_`), `npm ci` and kin add
  `node_modules/<dependency>` for the dependencies `package.json` lists (transitive dependencies are
  not counted); an install whose names we cannot read, that installs the project itself, or that
  runs the project's own lifecycle scripts, counts as unknown content.

A file copied from the context and later covered by unknown content is there, but unreadable.

Python also imports from outside the function directory (site-packages, `PYTHONPATH`, `/opt/python`
layers), and Node.js resolves a bare handler module through `node_modules` and `NODE_PATH`: pip
installs without `--target` add their names there, and copies from other stages into such places,
`PYTHONPATH`/`NODE_PATH`, or installs of unknown names make any module the function directory lacks
possibly present.

`FunctionFiles.exists` answers "may the image hold this path?": True for known files and directories
and wherever unknown content may hold it; `read` gives the text only of files known from the context.
So a module that would resolve from unknown content comes out UNCHECKABLE in `analysis.handlers`,
never as a finding.  `${LAMBDA_TASK_ROOT}` and `${LAMBDA_RUNTIME_DIR}` resolve to `/var/task` and
`/var/runtime` on AWS bases, which set them in their image config (the Dockerfile does not show them).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from lintslim.analysis.aws_lambda import LAMBDA_TASK_ROOT, resolve_on_aws_base
from lintslim.analysis.dependencies import (
    PIP_VALUE_OPTIONS,
    PYTHON_PROGRAM,
    json_object,
    looks_like_directory,
    pip_install,
    recognise_install,
    resolve_install,
)
from lintslim.analysis.handlers import FunctionFiles
from lintslim.analysis.paths import (
    REMOTE,
    absolute,
    below_copy_source,
    copies_into,
    has_glob,
    join,
    relative_to,
    within,
)
from lintslim.context.build_context import OPAQUE_DIRECTORIES, context_path
from lintslim.knowledge.images import stage_facts
from lintslim.syntax.shell import Command, shell_commands
from lintslim.syntax.stages import BuildGraph, Stage

if TYPE_CHECKING:
    from lintslim.analysis.aws_lambda import LambdaImage
    from lintslim.context.build_context import BuildContext
    from lintslim.syntax.nodes import Instruction

ROOT = "."  # the function directory itself, as a relative path

_ARCHIVE = re.compile(r"\.(?:tar|tgz|tbz2?|txz|tzst|tar\.(?:gz|bz2|xz|zst|lz4))$", re.IGNORECASE)
# Commands that add no file where they run: they change, list or remove files, or install system
# packages (which land in system directories whatever the working directory).
_ADDS_NOTHING = frozenset(
    {"chmod", "chown", "chgrp", "rm", "rmdir", "ls", "cat", "echo", "printf", "test", "[", "true", "false",
     "mkdir", "find", "stat", "du", "df", "which", "command", "export", "set", "unset", "exit", "sleep", "id",
     "whoami", "pwd", "env", "yum", "dnf", "microdnf", "apt-get", "apt", "apk", "rpm", "zypper", "pacman",
     "useradd", "adduser", "groupadd", "addgroup", "usermod", "ldconfig", "update-ca-certificates",
     "locale-gen", "localedef", "dpkg-reconfigure", "yum-config-manager", "amazon-linux-extras", "cd", "uname",
     "strip", "file", "ldd", "head", "tail", "grep", "wc", "sort", "tree"}
)  # fmt: skip
# Commands that write only at their last operand (the destination).
_WRITES_TO_LAST = frozenset({"cp", "mv", "ln", "install", "rsync"})
# Commands that write where an option says (else in the working directory, or nowhere): option -> kind.
_OUTPUT_OPTIONS = {
    "curl": {"-o": "file", "--output": "file", "-O": "cwd", "--remote-name": "cwd", "--remote-name-all": "cwd"},
    "wget": {"-O": "file", "--output-document": "file", "-P": "dir", "--directory-prefix": "dir"},
    "unzip": {"-d": "dir"},
    "tar": {"-C": "dir", "--directory": "dir"},
}
_WRITES_IN_CWD_BY_DEFAULT = frozenset({"wget", "unzip", "tar"})
_NODE_TOOLS = frozenset({"npm", "yarn", "pnpm", "bun"})
_NODE_ADD_VERBS = frozenset({"install", "i", "add", "isntall"})
_NODE_DEPENDENCY_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
_REQUIREMENT_NAME = re.compile(r"([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\]\s*)?(?:[=<>!~;@,]|$)")
_INCLUDE = re.compile(r"^(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=\S))(\S+)")


# --- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionDirectory:
    """The function directory (`roots[0]`; on AWS bases also `/var/task` when WORKDIR is elsewhere).

    Paths are relative to the roots.  `files` maps the files known from the build context to their
    context path (None: there, content unknown); `opaque` lists directories with unknown content
    (`.` is the whole directory); `installed` maps a directory to package names installed there
    (Python packages at its top, Node.js packages under `node_modules/`); `foreign` names the
    top-level modules that may come from outside the directory (None: any may).
    """

    roots: tuple[str, ...]
    files: dict[str, str | None]
    opaque: frozenset[str]
    installed: dict[str, frozenset[str]]
    foreign: frozenset[str] | None
    copies: tuple[tuple[str, str], ...] = ()  # (context directory, relative directory it fills)

    @property
    def root(self) -> str:
        return self.roots[0]

    def view(self, context: BuildContext, language: str) -> FunctionFiles:
        """The directory as `analysis.handlers` reads it, for a `python` or `node` handler."""
        foreign = self.foreign if language == "python" else frozenset()
        directories = {posixpath.dirname(path) for path in self.files}
        known_directories = {parent for path in directories for parent in _ancestors(path)}
        known_stems = {_stem(path.split("/", 1)[0]) for path in self.files}

        def read(relative: str) -> str | None:
            source = self.files.get(_normal(relative))
            return context.read_text(source) if source is not None else None

        def exists(relative: str) -> bool:
            path = _normal(relative)
            if path in self.files or path in known_directories:
                return True
            if any(_under(path, directory) for directory in self.opaque):
                return True
            if any(_installed_at(path, where, names) for where, names in self.installed.items()):
                return True
            top = _stem(path.split("/", 1)[0])
            return top not in known_stems and (foreign is None or top in foreign)

        return FunctionFiles(paths=tuple(self.files), read=read, exists=exists)

    def ignored_source(self, candidates: Iterable[str], context: BuildContext) -> str | None:
        """The context file a directory COPY would have put at one of the candidate paths, had the
        ignore file not left it out."""
        for candidate in candidates:
            for source, filled in self.copies:
                if not _under(candidate, filled):
                    continue
                below = candidate if filled == ROOT else candidate[len(filled) + 1 :]
                path = below if source == ROOT else f"{source}/{below}"
                if context.exists(path) and not context.included(path):
                    return path
        return None


def _normal(relative: str) -> str:
    return posixpath.normpath(relative.strip("/")) if relative not in ("", ROOT) else ROOT


def _ancestors(path: str) -> Iterator[str]:
    while path:
        yield path
        path = posixpath.dirname(path)


def _stem(name: str) -> str:
    return name.split(".", 1)[0]


def _under(path: str, directory: str) -> bool:
    return directory in (ROOT, path) or path.startswith(directory + "/")


def _installed_at(path: str, where: str, names: frozenset[str]) -> bool:
    if not _under(path, where):
        return False
    below = path if where == ROOT else path[len(where) + 1 :]
    parts = below.split("/")
    if parts[0] == "node_modules" and len(parts) > 1:
        name = "/".join(parts[1:3]) if parts[1].startswith("@") else parts[1]
        return name in names
    return _stem(parts[0]) in names


# --- building it ---------------------------------------------------------------------------------


def function_directory(graph: BuildGraph, image: LambdaImage, context: BuildContext) -> FunctionDirectory | None:
    """The function directory the final image holds, or None when we cannot tell where it is."""
    aws_base = image.on_aws_base
    walk = _Walk(graph, context, aws_base)
    walk.run(graph.chain_instructions(image.stage))
    root = image.function_directory or walk.workdir  # the template's WorkingDirectory is already in the former
    if root is None or not root.startswith("/"):
        return None
    roots: tuple[str, ...] = (join("/", root),)
    if aws_base and roots[0] != LAMBDA_TASK_ROOT:
        roots += (LAMBDA_TASK_ROOT,)
    return walk.project(roots)


@dataclass
class _Walk:
    """What the chain puts in the image, by absolute image path."""

    graph: BuildGraph
    context: BuildContext
    aws_base: bool
    workdir: str | None = None
    landed: dict[str, str | None] = field(default_factory=dict)  # image path -> context path (None: unknown)
    opaque: list[str] = field(default_factory=list)  # image directories (or files) with unknown content
    installed: dict[str, set[str]] = field(default_factory=dict)
    python_foreign: set[str] | None = field(default_factory=set)
    directory_copies: list[tuple[str, str]] = field(default_factory=list)  # (context directory, image directory)
    node_foreign_unknown: bool = False
    directories: set[str] = field(default_factory=lambda: {"/"})  # WORKDIRs, which exist once set
    stage_walks: dict[int, _Walk] = field(default_factory=dict)  # build stages read for `COPY --from`, shared

    def __post_init__(self) -> None:
        self.workdir = LAMBDA_TASK_ROOT if self.aws_base else None

    # --- words ---

    def resolve(self, word: str, instruction: Instruction) -> str | None:
        resolved = resolve_on_aws_base(self.graph, word, instruction, self.aws_base)
        return resolved.value if resolved.complete else None

    # --- instructions ---

    def run(self, instructions: Iterable[Instruction]) -> None:
        for instruction in instructions:
            keyword = instruction.keyword
            if keyword == "WORKDIR" and instruction.rest is not None:
                value = self.resolve(instruction.rest.value, instruction)
                self.workdir = None if value is None else absolute(value, self.workdir) if value else self.workdir
                if self.workdir is not None:
                    self.directories.add(self.workdir)
            elif keyword in ("COPY", "ADD"):
                self._copy(instruction)
            elif keyword == "RUN":
                self._run(instruction)
            elif keyword == "ENV":
                self._env(instruction)

    def _env(self, instruction: Instruction) -> None:
        names = {pair.key.value for pair in instruction.key_values}
        if "PYTHONPATH" in names:
            self.python_foreign = None
        if "NODE_PATH" in names:
            self.node_foreign_unknown = True

    def _copy(self, instruction: Instruction) -> None:
        words = [self.resolve(token.value, instruction) for token in instruction.args]
        if len(words) < 2 and not instruction.heredocs:
            return
        destination = self._destination(words[-1] if words else None, len(words) - 1, instruction)
        if destination is None:
            self._unknown_content("/")  # it may land anywhere
            return
        target = join("/", destination)
        into = destination.endswith("/") or self._is_directory(target)
        into = into or copies_into(instruction.args[-1].value if instruction.args else "", len(words) - 1)
        sources = words[:-1]
        stage = self._source_stage(instruction)
        if stage is not None and sources and all(s is not None and not has_glob(s) for s in sources):
            walk = self._stage_walk(stage)
            for source in sources:
                assert source is not None
                self._transplant(walk, join("/", source), target, into)
            return
        if instruction.flag("from") is not None or instruction.heredocs or any(s is None for s in sources):
            self._unknown_sources(sources, target, into)
            return
        for source in sources:
            assert source is not None
            self._copy_source(instruction, source, target, into)

    # --- what build stages hand over ---

    def _source_stage(self, instruction: Instruction) -> Stage | None:
        """The build stage `COPY --from` names (None for an image, or a name we cannot resolve)."""
        flag = instruction.flag("from")
        if flag is None or flag.value is None:
            return None
        name = self.resolve(flag.value, instruction)
        stage = self.graph.stage_named(name) if name else None
        current = self.graph.stage_of(instruction)
        return stage if stage is not None and current is not None and stage.index < current.index else None

    def _stage_walk(self, stage: Stage) -> _Walk:
        """What a build stage's image holds, walked once per lint (a stage copying from itself sees it partly)."""
        found = self.stage_walks.get(stage.index)
        if found is not None:
            return found
        facts = stage_facts(self.graph, stage)
        walk = _Walk(self.graph, self.context, bool(facts and facts.lambda_), stage_walks=self.stage_walks)
        self.stage_walks[stage.index] = walk
        walk.run(self.graph.chain_instructions(stage))
        return walk

    def _transplant(self, walk: _Walk, source: str, target: str, into: bool) -> None:
        """Carry what `walk`'s image holds at `source` to `target`: known files, unknown content, installs."""
        if not walk.holds_directory(source):
            landing = join(target, posixpath.basename(source)) if into else target
            if source in walk.landed:  # None when later content covered it
                self._land(landing, walk.landed[source])
            else:
                self._unknown_content(landing)  # built by a RUN, or from the stage's base image
            return
        if not walk.made(source):
            self._unknown_content(target)  # the stage's base image may hold things there
        for opaque in walk.opaque:
            if within(opaque, source):
                self._unknown_content(join(target, relative_to(opaque, source)))
            elif within(source, opaque):
                self._unknown_content(target)
        for path, origin in walk.landed.items():
            if within(path, source) and path != source:
                self._land(join(target, relative_to(path, source)), origin)
        for directory, names in walk.installed.items():
            if within(directory, source):
                self.installed.setdefault(join(target, relative_to(directory, source)), set()).update(names)
            elif within(source, directory):
                self._unknown_content(target)  # part of an install: which part, we cannot tell

    def made(self, directory: str) -> bool:
        """Whether the stage made `directory` itself (a WORKDIR, or a copy's destination), so that it
        holds nothing from the base image."""
        made = [place for place in self.directories if place != "/"]
        made += [target for _, target in self.directory_copies if target != "/"]
        return any(within(directory, place) for place in made)

    def holds_directory(self, path: str) -> bool:
        """Whether `path` is a directory in this image, as far as the walk can tell."""
        if path in self.directories or looks_like_directory(path):
            return True
        prefix = path.rstrip("/") + "/"
        places = (*self.landed, *self.opaque, *self.installed)
        return any(place.startswith(prefix) for place in places)

    def _is_directory(self, path: str) -> bool:
        """Whether the image has `path` as a directory already (so one file copied there goes inside)."""
        if path in self.directories or (self.aws_base and path == LAMBDA_TASK_ROOT):
            return True
        prefix = path.rstrip("/") + "/"
        return any(landed.startswith(prefix) for landed in self.landed)

    def _destination(self, word: str | None, sources: int, instruction: Instruction) -> str | None:
        if word is None:
            return None
        if word.startswith("/"):
            return word
        if self.workdir is None:
            return None
        resolved = absolute(word, self.workdir)
        return None if resolved is None else resolved + ("/" if word.endswith("/") or word == "." else "")

    def _unknown_sources(self, sources: list[str | None], target: str, into: bool) -> None:
        for source in sources or [None]:
            if source is not None and not into and not looks_like_directory(source) and not has_glob(source):
                self._unknown_content(target)  # one file, renamed
            elif source is not None and into and not looks_like_directory(source) and not has_glob(source):
                self._unknown_content(join(target, posixpath.basename(source.rstrip("/"))))
            else:
                self._unknown_content(target)

    def _copy_source(self, instruction: Instruction, source: str, target: str, into: bool) -> None:
        if REMOTE.match(source) or (instruction.keyword == "ADD" and _ARCHIVE.search(source)):
            self._unknown_content(target)  # a download, or an archive ADD unpacks
            return
        path = context_path(source)
        if path == ROOT and not self.context.listing.complete:
            self._unknown_content(target)
            return
        parents = instruction.flag("parents") is not None
        excludes = [flag.value for flag in instruction.flags_named("exclude") if flag.value]
        is_directory = not has_glob(path) and self.context.is_dir(path)
        for entry in self.context.files_matching(path):
            below = below_copy_source("/" + entry.path, "/" + path) if path != ROOT else entry.path
            if below is None or _excluded(entry.path, below, excludes):
                continue
            if parents:
                landing = join(target, entry.path)
            elif below:
                landing = join(target, below)
            else:
                landing = join(target, posixpath.basename(entry.path)) if into or is_directory else target
            self._land(landing, entry.path)
        if (is_directory or path == ROOT) and not parents:
            self.directory_copies.append((path, target))
            self._unentered_directories(path, target)

    def _unentered_directories(self, path: str, target: str) -> None:
        """`node_modules`, `.venv`… are listed without entering them: what they hold is unknown."""
        for name in OPAQUE_DIRECTORIES:
            inner = name if path == ROOT else f"{path}/{name}"
            if self.context.is_dir(inner) and self.context.included(inner):
                self._unknown_content(join(target, name))

    def _land(self, image_path: str, source: str | None) -> None:
        self.landed[image_path] = source

    def _unknown_content(self, image_path: str) -> None:
        self.opaque.append(image_path)
        for path in list(self.landed):
            if within(path, image_path):
                self.landed[path] = None
        if not self._in_function_places(image_path):
            self._foreign(image_path)

    def _in_function_places(self, image_path: str) -> bool:
        return bool(self.workdir and within(image_path, self.workdir)) or within(image_path, LAMBDA_TASK_ROOT)

    def _foreign(self, image_path: str) -> None:
        """Content put outside the function directory may still hold modules the runtime imports."""
        if "node_modules" in image_path or within(image_path, "/opt/nodejs"):
            self.node_foreign_unknown = True
        if image_path == "/" or _may_hold_python_packages(image_path):
            self.python_foreign = None
            self.node_foreign_unknown = self.node_foreign_unknown or image_path == "/"

    # --- RUN ---

    def _run(self, instruction: Instruction) -> None:
        cwd = self.workdir
        for command in shell_commands(self.graph.dockerfile, instruction):
            if command.name == "cd":
                target = self.resolve(command.args[0], instruction) if command.args else "/root"
                cwd = absolute(target, cwd) if target is not None else None
                continue
            for redirect in command.redirects:
                if redirect.operator in (">", ">>", ">|", "&>") and redirect.target is not None:
                    self._written(self._path(redirect.target.value, instruction, cwd))
            self._command(instruction, command, cwd)

    def _command(self, instruction: Instruction, command: Command, cwd: str | None) -> None:
        name = command.name or ""
        if self._pip(instruction, command, cwd) or self._node_install(instruction, command, cwd):
            return
        if _adds_nothing(command):
            if PYTHON_PROGRAM.fullmatch(name) and "install" in command.args:  # `python setup.py install`
                self.python_foreign = None
            return
        if name in _NODE_TOOLS and {"-g", "--global"} & set(command.args):
            return
        if name in _OUTPUT_OPTIONS:
            self._written_by_options(instruction, command, cwd)
            return
        operands = [arg for arg in command.args if not arg.startswith("-") and not REMOTE.match(arg)]
        if name in _WRITES_TO_LAST:
            operands = operands[-1:]
        else:
            operands += [arg.split("=", 1)[1] for arg in command.args if arg.startswith("--") and "=" in arg]
            operands = [operand for operand in operands if _names_a_place(operand)]  # bare words stay in cwd
            if cwd is not None:  # the base image's own working directory is not the function's
                self._written(cwd)
        for operand in operands:
            self._written(self._path(operand, instruction, cwd))

    def _written_by_options(self, instruction: Instruction, command: Command, cwd: str | None) -> None:
        """curl, wget, unzip, tar: where their options say, else the working directory (curl: nowhere)."""
        name = command.name or ""
        options = _OUTPUT_OPTIONS[name]
        args = command.args
        explicit = False
        for index, arg in enumerate(args):
            option, equals, attached = arg.partition("=")
            kind = options.get(option)
            if kind is None:
                continue
            explicit = True
            if kind == "cwd":
                if cwd is not None:
                    self._written(cwd)
                continue
            value = attached if equals else (args[index + 1] if index + 1 < len(args) else None)
            self._written(self._path(value, instruction, cwd) if value is not None else None)
        if not explicit and name in _WRITES_IN_CWD_BY_DEFAULT and cwd is not None:
            self._written(cwd)

    def _path(self, word: str, instruction: Instruction, cwd: str | None) -> str | None:
        value = self.resolve(word, instruction)
        return None if value is None else absolute(value, cwd)

    def _written(self, path: str | None) -> None:
        """A command may have written at `path` (None: somewhere we cannot tell, maybe the function's)."""
        self._unknown_content(path if path is not None else "/")

    def _touches_function_places(self, path: str) -> bool:
        places = [place for place in (self.workdir, LAMBDA_TASK_ROOT) if place]
        return any(within(path, place) or within(place, path) for place in places)

    # --- dependency installs ---

    def _pip(self, instruction: Instruction, command: Command, cwd: str | None) -> bool:
        parsed = _pip_install(command)
        if parsed is None:
            return False
        target_word, requirement_files, packages, local = parsed
        names: set[str] | None = None if local else {_python_name(package) for package in packages}
        for requirement in requirement_files:
            found = self._requirement_names(self._path(requirement, instruction, cwd), set())
            names = None if names is None or found is None else names | found
        if target_word is None:
            if names is None:
                self.python_foreign = None
            elif self.python_foreign is not None:
                self.python_foreign |= names
            return True
        target = self._path(target_word, instruction, cwd)
        if names is None or target is None:
            self._written(target)
        else:
            self.installed.setdefault(target, set()).update(names)
        return True

    def _requirement_names(self, image_path: str | None, seen: set[str]) -> set[str] | None:
        """Distribution names a requirements file lists (with the files it includes); None when unknown."""
        if image_path is None:
            return None
        if image_path in seen:
            return set()
        seen.add(image_path)
        source = self.landed.get(image_path)
        text = self.context.read_text(source) if source is not None else None
        if text is None:
            return None
        names: set[str] = set()
        for raw in text.splitlines():
            line = raw.split(" #", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            include = _INCLUDE.match(line)
            if include is not None:
                more = self._requirement_names(join(posixpath.dirname(image_path), include.group(1)), seen)
                if more is None:
                    return None
                names |= more
            elif line.startswith(("-e", "--editable")):
                return None  # a local project: any module
            elif not line.startswith("-"):  # other options: indexes, hashes
                match = _REQUIREMENT_NAME.match(line)
                if match is None or re.search(r"@\s*(?:file:|\.{0,2}/)", line):
                    return None  # a URL or a local path: names unknown
                names.add(_python_name(match.group(1)))
        return names

    def _node_install(self, instruction: Instruction, command: Command, cwd: str | None) -> bool:
        if command.name not in _NODE_TOOLS:
            return False
        install = recognise_install(command)
        if install is None:
            return self._node_named_install(command, cwd)
        directory = cwd if install.directory is None else self._path(install.directory, instruction, cwd)
        if directory is None or not self._touches_function_places(directory):
            return True
        view = _InstallView(self, directory)
        package = json_object(view.read("package.json"))
        if package is None or resolve_install(install, view).problem is not None:
            self._unknown_content(directory)  # lifecycle scripts, local packages, workspaces: anything
            return True
        names = {name for key in _NODE_DEPENDENCY_FIELDS for name in _keys(package.get(key))}
        self.installed.setdefault(directory, set()).update(names)
        return True

    def _node_named_install(self, command: Command, cwd: str | None) -> bool:
        words = [arg for arg in command.args if not arg.startswith("-")]
        if not words or words[0] not in _NODE_ADD_VERBS or cwd is None or not self._touches_function_places(cwd):
            return False
        packages = {_node_package_name(word) for word in words[1:]}
        if not packages or any(name is None for name in packages):
            return False
        self.installed.setdefault(cwd, set()).update(name for name in packages if name is not None)
        return True

    # --- the result ---

    def project(self, roots: tuple[str, ...]) -> FunctionDirectory:
        files: dict[str, str | None] = {}
        for root in reversed(roots):  # the first root's files win
            for path, source in self.landed.items():
                if within(path, root) and path != root:
                    files[relative_to(path, root)] = source
        opaque = {relative for path in self.opaque for relative in _relative_in(path, roots)}
        installed: dict[str, frozenset[str]] = {}
        for path, names in self.installed.items():
            for relative in _relative_in(path, roots):
                installed[relative] = frozenset(names) | installed.get(relative, frozenset())
        if self.node_foreign_unknown:
            opaque.add("node_modules")
        foreign = None if self.python_foreign is None else frozenset(self.python_foreign)
        copies = tuple(
            (source, relative) for source, target in self.directory_copies for relative in _relative_in(target, roots)
        )
        return FunctionDirectory(roots, files, frozenset(opaque), installed, foreign, copies)


def _relative_in(path: str, roots: tuple[str, ...]) -> Iterator[str]:
    """`path` relative to each root holding it; `.` when it holds a root."""
    for root in roots:
        if within(root, path):
            yield ROOT
        elif within(path, root):
            yield relative_to(path, root)


@dataclass(frozen=True)
class _InstallView:
    """An install's directory as `dependencies.resolve_install` reads it, backed by what the walk landed."""

    walk: _Walk
    directory: str

    def read(self, relative: str) -> str | None:
        source = self.walk.landed.get(join(self.directory, relative))
        return self.walk.context.read_text(source) if source is not None else None

    def exists(self, relative: str) -> bool:
        path = join(self.directory, relative)
        return any(within(landed, path) for landed in self.walk.landed)

    def names(self, relative: str) -> tuple[str, ...]:
        base = join(self.directory, relative)
        found = {path[len(base.rstrip("/")) + 1 :].split("/", 1)[0] for path in self.walk.landed if within(path, base)}
        return tuple(sorted(name for name in found if name))


# --- small readers -------------------------------------------------------------------------------


def _names_a_place(word: str) -> bool:
    """A word that may name a path outside the working directory: `/x`, `../x`, `a/b`, `$OUT`."""
    return "/" in word or "$" in word or word.startswith("~")


def _adds_nothing(command: Command) -> bool:
    name = command.name
    if not name or name in _ADDS_NOTHING:
        return True
    python_check = command.args[:1] == ("-c",) or command.args[:2] == ("-m", "compileall")
    return bool(PYTHON_PROGRAM.fullmatch(name)) and python_check


def _excluded(path: str, below: str, patterns: list[str]) -> bool:
    return any(fnmatchcase(path, p.strip("/")) or fnmatchcase(below, p.strip("/")) for p in patterns)


def _may_hold_python_packages(image_path: str) -> bool:
    """Places Python imports from (site-packages, virtual environments, `/opt/python` layers), but not
    executables or extensions."""
    if within(image_path, "/opt/extensions") or posixpath.basename(image_path) == "bin" or "/bin/" in image_path:
        return False
    places = ("/usr", "/opt", "/var/lang", "/var/runtime", "/home", "/root", "/app", "/venv")
    return any(within(image_path, place) for place in places) or "python" in image_path or "venv" in image_path


def _pip_install(command: Command) -> tuple[str | None, list[str], list[str], bool] | None:
    """(target, requirement files, named packages, installs a local path) of a pip install; None otherwise."""
    found = pip_install(command)
    if found is None:
        return None
    target: str | None = None
    requirements: list[str] = []
    packages: list[str] = []
    local = False
    words = iter(word.value for word in found[1])
    for word in words:
        option, equals, attached = word.partition("=")
        if word.startswith("-t") and len(word) > 2 and not word.startswith("--"):
            option, attached, equals = "-t", word[2:], "="
        if option in PIP_VALUE_OPTIONS:
            value = attached if equals else next(words, "")
            if option in ("-t", "--target"):
                target = value
            elif option in ("-r", "--requirement"):
                requirements.append(value)
            elif option in ("-e", "--editable"):
                local = True
        elif option in ("--user", "--prefix", "--root"):
            continue
        elif not word.startswith("-"):
            local = local or _is_local(word)
            packages.append(word)
    return target, requirements, packages, local


def _is_local(word: str) -> bool:
    return word.startswith((".", "/", "~", "file:")) or "/" in word or word.endswith((".whl", ".tar.gz", ".zip"))


def _python_name(requirement: str) -> str:
    match = _REQUIREMENT_NAME.match(requirement)
    name = match.group(1) if match is not None else requirement
    return re.sub(r"[-.]+", "_", name).lower()


def _node_package_name(word: str) -> str | None:
    """`express@4` → `express`, `@scope/pkg@1` → `@scope/pkg`; None for paths, URLs and git specs."""
    if word.startswith((".", "/", "~", "file:", "git", "http")) or REMOTE.match(word):
        return None
    scope = word.startswith("@")
    name = word[1:].split("@", 1)[0] if scope else word.split("@", 1)[0]
    return ("@" + name if scope else name) or None


def _keys(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        yield from (key for key in value if isinstance(key, str))

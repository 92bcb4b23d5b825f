from __future__ import annotations

import itertools
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field

from lintslim.analysis.paths import below_shell_pattern, has_glob
from lintslim.analysis.subshells import SubshellScope, commands_with_nesting
from lintslim.context.credentials import credential_kind
from lintslim.context.gopath import clean
from lintslim.engine.rule import Diagnostic, Rule, RuleContext, Severity
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.shell import Command, Word
from lintslim.syntax.stages import BuildGraph, Stage

# The image's own working directory, when no WORKDIR in the file set one: relative paths still
# compare equal to each other, never to an absolute path.
IMAGE_WORKDIR = "<workdir>"
UNKNOWN_HOME = "<home>"
_REMOVERS = frozenset({"rm", "unlink", "shred"})
_COPIERS = frozenset({"cp", "mv", "install"})
_OUTPUT_OPTIONS = frozenset(
    {("curl", "-o"), ("curl", "--output"), ("wget", "-O"), ("wget", "--output-document"), ("ssh-keygen", "-f")}
)


@dataclass(frozen=True)
class Added:
    """A credential file put into a layer: where, by which instruction, as written there."""

    path: str
    instruction: Instruction
    shown: str
    kind: str


@dataclass
class _Walk:
    """What is known while walking one stage chain: working directory, home, files added so far."""

    workdir: str | None = IMAGE_WORKDIR  # None: a WORKDIR we could not resolve
    home: str = "/root"
    added: dict[str, Added] = field(default_factory=dict)


class SecretRemovedInLaterLayer(Rule):
    """A credential file is deleted by a later `RUN`: the layer that added it still holds it.

    ## What it does
    Follows each stage that can become an image, through the stages it builds on, and flags a `rm`
    (or `unlink`, `shred`) in a `RUN` that deletes a credential file added by an earlier
    instruction: copied by `COPY`/`ADD` (`.npmrc`, `.pypirc`, `.netrc`, `id_rsa`, `*.pem`, `*.key`,
    `.aws/credentials`, `.docker/config.json`, `.git-credentials`, `.env`…), or written by an earlier
    `RUN` (`echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > ~/.npmrc`, `curl -o key.pem …`,
    `cp`, `tee`, `ssh-keygen -f`, `docker login`).  Paths are resolved against `WORKDIR`, `cd` in
    the same `RUN` (a `cd` inside parentheses ends with them), and `~` (root's home unless `USER`
    changed it); globs as the shell expands them (`rm -rf /root/*` leaves `/root/.npmrc`, and `rm -f`
    without `-r` does not reach into directories).  Deleting the file in the same
    `RUN` that created it is fine: that layer never holds it.  The message names the file and the
    line that added it.

    Stages used only to build others are not followed: their layers do not ship (LS203 reports a
    credential copied into them).

    ## Why is this bad?
    Each instruction adds a layer, and a later deletion only hides the file in the final file
    system: the layer that added it is still in the image, and `docker save` or any registry client
    extracts it.  Give the secret to the one `RUN` that needs it with
    `RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci`, or use it in a build stage
    and copy only the result into the final stage.
    """

    code = "LS204"
    name = "secret-removed-in-later-layer"
    severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        reported: set[tuple[int, str]] = set()
        images = graph.image_stages()
        # A stage another image stage builds on is walked as part of that stage's chain (a prefix of
        # it), with the same findings: walking it alone too made long `FROM <stage>` chains quadratic.
        bases = {stage.base_stage for stage in graph.stages if stage.index in images}
        for stage in graph.stages:
            if stage.index not in images or stage.index in bases:
                continue
            for diagnostic in self._chain(ctx.dockerfile, graph, graph.chain(stage)):
                key = (diagnostic.span.start, diagnostic.message)
                if key not in reported:
                    reported.add(key)
                    yield diagnostic

    def _chain(self, dockerfile: Dockerfile, graph: BuildGraph, stages: list[Stage]) -> Iterator[Diagnostic]:
        walk = _Walk()
        for stage in stages:
            for instruction in stage.instructions[1:]:
                keyword = instruction.keyword
                if keyword == "WORKDIR":
                    walk.workdir = _workdir(graph, instruction, walk.workdir)
                elif keyword == "USER":
                    user = instruction.values[0].split(":", 1)[0] if instruction.values else "root"
                    walk.home = "/root" if user in ("root", "0") else UNKNOWN_HOME
                elif keyword in ("COPY", "ADD"):
                    for added in _copied(graph, instruction, walk):
                        walk.added[added.path] = added
                elif keyword == "RUN":
                    yield from self._run(dockerfile, instruction, walk)

    def _run(self, dockerfile: Dockerfile, instruction: Instruction, walk: _Walk) -> Iterator[Diagnostic]:
        cwd = walk.workdir
        subshells: SubshellScope[str | None] = SubshellScope()
        for command, nesting in commands_with_nesting(dockerfile, instruction):
            cwd = subshells.step(nesting, cwd)  # a `cd` in a subshell ends with it
            name = command.name
            if name == "cd":
                cwd = _resolve(command.argv[1].value if len(command.argv) > 1 else walk.home, cwd, walk.home)
            elif name in _REMOVERS:
                yield from self._removals(command, cwd, walk, instruction)
            for added in _written(command, cwd, walk.home, instruction):
                walk.added[added.path] = added

    def _removals(
        self, command: Command, cwd: str | None, walk: _Walk, instruction: Instruction
    ) -> Iterator[Diagnostic]:
        recursive = command.name == "rm" and _recursive(command)
        for word in _operands(command):
            target = _resolve(word.value, cwd, walk.home)
            if target is None:
                continue
            for path, added in list(walk.added.items()):
                if not _removes(target, path, recursive=recursive):
                    continue
                del walk.added[path]
                if added.instruction is instruction:
                    continue  # created and deleted in one layer: never stored
                yield self.report(word.span, _message(added))


def _message(added: Added) -> str:
    line = added.instruction.start_line
    return (
        f"`{added.shown}` ({added.kind}) added at line {line} is deleted in a later layer: "
        f"the layer of line {line} still holds it"
    )


def _workdir(graph: BuildGraph, instruction: Instruction, current: str | None) -> str | None:
    if not instruction.values:
        return current
    resolved = graph.resolve(instruction.values[0], instruction)
    if not resolved.complete:
        return None
    return _resolve(resolved.value, current, "/root")


def _resolve(path: str, cwd: str | None, home: str) -> str | None:
    """An absolute (or `<workdir>`-relative) normalised path; None when it cannot be known."""
    if not path or "$" in path.replace("$HOME", "").replace("${HOME}", "") or "`" in path:
        return None
    for prefix in ("~/", "$HOME/", "${HOME}/"):
        if path.startswith(prefix):
            path = home + "/" + path[len(prefix) :]
    if path in ("~", "$HOME", "${HOME}"):
        path = home
    if not path.startswith(("/", IMAGE_WORKDIR, UNKNOWN_HOME)):
        if cwd is None:
            return None
        path = cwd + "/" + path
    return clean(path)


def _removes(target: str, path: str, *, recursive: bool) -> bool:
    """Whether removing the operand `target` (a path or a shell glob) deletes `path`: it names it, or
    names a directory holding it and the removal is recursive."""
    below = below_shell_pattern(path, target)
    return below is not None and (below == "" or recursive)


def _recursive(command: Command) -> bool:
    """`rm -r`, `-R`, `--recursive`, or a cluster holding one (`-rf`, `-fR`), before or after the
    operands (GNU rm reads options anywhere before `--`)."""
    for word in command.argv[1:]:
        value = word.value
        if value == "--":
            break
        if value == "--recursive" or (value.startswith("-") and not value.startswith("--") and "r" in value.lower()):
            return True
    return False


# --- what COPY, ADD and RUN add ------------------------------------------------------------------------


def _copied(graph: BuildGraph, instruction: Instruction, walk: _Walk) -> Iterator[Added]:
    words = instruction.args
    if len(words) < 2:
        return
    destination = graph.resolve(words[-1].value, instruction)
    if not destination.complete:
        return
    sources = [graph.resolve(word.value, instruction).value for word in words[:-1]]
    heredocs = {f"<<{heredoc.name}" for heredoc in instruction.heredocs}
    into_directory = destination.value.endswith("/") or len(sources) > 1
    for source in sources:
        if source.startswith("<<") or source in heredocs:
            yield from _added(destination.value, destination.value, instruction, walk)
            continue
        base = posixpath.basename(source.rstrip("/"))
        if has_glob(base):
            continue
        kind = credential_kind(source) or credential_kind(base)
        if kind is None:
            continue
        inside = posixpath.join(destination.value, base)
        candidates = [inside] if into_directory else [destination.value, inside]
        for candidate in candidates:
            resolved = _resolve(candidate, walk.workdir, "/root")  # COPY does not expand `~`
            if resolved is not None:
                shown = candidate if candidates == [inside] else destination.value
                yield Added(resolved, instruction, posixpath.normpath(shown), kind)


def _added(path: str, shown: str, instruction: Instruction, walk: _Walk) -> Iterator[Added]:
    kind = credential_kind(path)
    resolved = _resolve(path, walk.workdir, "/root")
    if kind is not None and resolved is not None:
        yield Added(resolved, instruction, shown, kind)


def _written(command: Command, cwd: str | None, home: str, instruction: Instruction) -> Iterator[Added]:
    """Files a command writes: redirections, `curl -o`, `wget -O`, `cp`/`mv` targets, `tee`, `ssh-keygen -f`,
    and the credential files of `docker login` and `npm config set`."""
    paths = [
        redirect.target.value
        for redirect in command.redirects
        if redirect.target is not None and redirect.operator.lstrip("0123456789&") in (">", ">>", ">|")
    ]
    paths += _output_paths(command)
    for path in paths:
        kind = credential_kind(path)
        resolved = _resolve(path, cwd, home)
        if kind is not None and resolved is not None:
            yield Added(resolved, instruction, path, kind)


def _output_paths(command: Command) -> list[str]:
    name, args = command.name, command.args
    found = [following for option, following in itertools.pairwise(args) if (name, option) in _OUTPUT_OPTIONS]
    operands = [arg for arg in args if not arg.startswith("-")]
    if name == "tee":
        found += operands
    elif name in _COPIERS and len(operands) >= 2:
        target = operands[-1]
        found += [posixpath.join(target, posixpath.basename(source)) for source in operands[:-1]]
        if len(operands) == 2 and not target.endswith("/"):
            found.append(target)
    elif name in ("docker", "podman") and "login" in args:
        found.append("~/.docker/config.json")
    elif (
        name in ("npm", "yarn", "pnpm")
        and args[:2] == ("config", "set")
        and len(args) > 2
        and "auth" in args[2].lower()
    ):
        found.append("~/.npmrc")
    return found


def _operands(command: Command) -> Iterator[Word]:
    options_done = False
    for word in command.argv[1:]:
        if not options_done and word.value == "--":
            options_done = True
        elif options_done or not word.value.startswith("-"):
            yield word

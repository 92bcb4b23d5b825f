from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lintslim.analysis.aws_lambda import aws_base_scope, lambda_image, resolve_on_aws_base, workdir_at
from lintslim.analysis.dependencies import ContextCopy, context_copy, looks_like_directory
from lintslim.analysis.paths import (
    REMOTE,
    absolute,
    below_shell_pattern,
    has_glob,
    is_absolute,
    join,
    relative_to,
    within,
)
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.rules._wording import and_list
from lintslim.rules.aws_lambda._shared import lambda_reason
from lintslim.rules.hygiene.prefer_copy_over_add import is_archive
from lintslim.syntax.nodes import Instruction
from lintslim.syntax.shell import Command, shell_commands
from lintslim.syntax.source import Span
from lintslim.syntax.stages import Resolved

EXTENSIONS = "/opt/extensions"
WRAPPER_VARIABLE = "AWS_LAMBDA_EXEC_WRAPPER"
_OCTAL = re.compile(r"[0-7]{1,4}")
_SYMBOLIC_CLAUSE = re.compile(r"(?P<who>[ugoa]*)(?P<op>[-+=])(?P<perms>[rwxXst]*)")
_RECURSIVE = frozenset({"-R", "--recursive"})


@dataclass(frozen=True)
class _Target:
    """What a COPY or ADD puts where Lambda runs it: image paths (a directory's files when `directory`)."""

    instruction: Instruction
    sources: tuple[str, ...]  # as written, for messages
    paths: tuple[str, ...]  # the files, or the directories whose files matter
    directory: bool
    fixable: bool  # whether `--chmod=755` on this instruction changes only what it should


class LambdaExtensionNotExecutable(Rule):
    """A file Lambda must execute, an extension or the exec wrapper, is copied without execute permission.

    ## What it does
    In a Lambda image (see LS4xx detection), flags:

    - a `COPY` or `ADD` from the build context that puts files directly in `/opt/extensions/`
      (the destination resolved against the WORKDIR) without a `--chmod` that lets every user
      execute them (`755`, `0755`, `555`, `+x`, `a+x`…; `744` is not enough: Lambda's user is
      neither the owner nor in the group), and no later `chmod` (`chmod +x`, `chmod -R 755`,
      a `find … -exec chmod`) or `install -m 755` in the image that covers them;
    - an `ADD` of a URL into `/opt/extensions/`: the download gets mode 600;
    - an `ADD` of a zip file into `/opt/extensions/`: `ADD` unpacks tar archives, not zip files,
      so the zip itself would be started as an extension;
    - `ENV AWS_LAMBDA_EXEC_WRAPPER=<path>` when the file at that path comes from the build
      context the same way (the finding is on the ENV value).

    Files copied from another stage or image (`COPY --from=…`, such as the AWS Lambda Web
    Adapter) keep their mode and are not flagged, nor are tar archives that `ADD` unpacks (their
    entries keep the archive's modes).  Only files directly in `/opt/extensions/` are started:
    files in its subdirectories (libraries an extension loads) need no execute bit.  A
    `COPY dir/ /opt/` whose `dir/extensions/` holds files is checked when the build context is
    at hand.  A wrapper path that no COPY or ADD creates is not judged.  When the build context is
    at hand and shows every file that lands in `/opt/extensions/` (or the wrapper) executable by
    everyone, COPY keeps that mode and nothing is flagged.

    ## Why is this bad?
    "Lambda looks for extensions in the /opt/extensions/ directory, interprets each file as an
    executable bootstrap for launching the extension" (AWS Lambda extensions API); a file it cannot
    execute fails the function's init.  `AWS_LAMBDA_EXEC_WRAPPER` must name "an executable binary
    or script" too.  A file copied from the build context keeps the mode it has in the checkout:
    committed without the execute bit, or unpacked from an archive that dropped it, it is not
    executable, and the image only fails once deployed.  Lambda runs the function as a user that
    is not root, so the bit must be set for everyone.

    ## Fix safety
    The fix adds `--chmod=755` to the `COPY` or `ADD` (or makes an existing `--chmod` `755`).
    It is unsafe: `--chmod` needs BuildKit (the default builder since Docker 23.0); the legacy
    builder, and the Docker SDK for Python that some tools build with, reject it with
    "the --chmod option requires BuildKit" (docker/docker-py#2916).  No `# syntax` directive is
    needed for an octal mode.  There is no fix for a zip file, nor when the copy also puts files
    elsewhere (a directory copied to `/opt/`), where `755` would reach every file it copies.
    """

    code = "LS404"
    name = "lambda-extension-not-executable"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        image = lambda_image(ctx)
        if image is None:
            return
        chain = ctx.graph.chain_instructions(image.stage)
        suffix = lambda_reason(image)
        for position, instruction in enumerate(chain):
            if instruction.keyword in ("COPY", "ADD") and instruction.flag("from") is None:
                yield from self._extensions(ctx, instruction, chain[position + 1 :], suffix)
        yield from self._wrapper(ctx, chain, suffix)

    def _extensions(
        self, ctx: RuleContext, instruction: Instruction, later: tuple[Instruction, ...], suffix: str
    ) -> Iterator[Diagnostic]:
        zipped = _zip_into_extensions(ctx, instruction)
        if zipped is not None:
            token, landed = zipped
            if not _mentioned_later(ctx, later, landed):
                message = (
                    f"`ADD` does not unpack zip files: `{token}` lands in `{EXTENSIONS}/` as it is, and Lambda tries "
                    f"to start it as an extension; unzip it in a build stage and copy the files{suffix}"
                )
                yield self.report(instruction.args[0].span, message)
            return
        target = _extension_target(ctx, instruction)
        if target is None or _executable_mode(instruction) or _made_executable(ctx, later, target):
            return
        what = and_list([f"`{source}`" for source in target.sources])
        verb = "is" if len(target.sources) == 1 else "are"
        message = f"{what} {verb} copied into `{EXTENSIONS}/` {_why(instruction)}"
        message += ": Lambda starts every file there as an extension, and init fails on one it cannot execute; "
        message += f"add `--chmod=755`{suffix}"
        yield self.report(instruction.args[-1].span, message, fix=_chmod_fix(ctx, target))

    def _wrapper(self, ctx: RuleContext, chain: tuple[Instruction, ...], suffix: str) -> Iterator[Diagnostic]:
        setting = _wrapper_setting(ctx, chain)
        if setting is None:
            return
        value_span, path = setting
        found = _wrapper_copy(ctx, chain, path)
        if found is None:
            return
        target, position = found
        if _executable_mode(target.instruction) or _made_executable(ctx, chain[position + 1 :], target):
            return
        source = target.sources[0]
        if ctx.build_context is not None and _executable_file(ctx.build_context.mode(source)):
            return
        message = (
            f"`{WRAPPER_VARIABLE}` names `{path}`, copied from `{source}` in the build context "
            f"{_why(target.instruction)}: Lambda runs the wrapper, and fails if it cannot execute it; "
            f"add `--chmod=755` to that {target.instruction.keyword}{suffix}"
        )
        yield self.report(value_span, message, fix=_chmod_fix(ctx, target))


# --- what lands in /opt/extensions ----------------------------------------------------------------


def _workdir(ctx: RuleContext, instruction: Instruction) -> str | None:
    """The WORKDIR in force; on an AWS base, its own WORKDIR (`/var/task`) where the Dockerfile sets none."""
    stage = ctx.graph.stage_of(instruction)
    return None if stage is None else workdir_at(ctx.graph, stage, instruction.index, on_aws_base=_on_aws_base(ctx))


def _on_aws_base(ctx: RuleContext) -> bool:
    image = lambda_image(ctx)
    return image is not None and image.on_aws_base


def _resolve(ctx: RuleContext, word: str, instruction: Instruction) -> Resolved:
    return resolve_on_aws_base(ctx.graph, word, instruction, _on_aws_base(ctx))


def _copy(ctx: RuleContext, instruction: Instruction) -> ContextCopy | None:
    scope = aws_base_scope(ctx.graph, instruction, _on_aws_base(ctx))
    return context_copy(ctx.graph, instruction, _workdir(ctx, instruction), scope)


def _is_directory(ctx: RuleContext, source: str) -> bool:
    context = ctx.build_context
    if context is not None and context.exists(source):
        return context.is_dir(source)
    return looks_like_directory(source)


def _extension_target(ctx: RuleContext, instruction: Instruction) -> _Target | None:
    """The files a COPY/ADD from the context (or an ADD of a URL) puts directly in /opt/extensions."""
    remote = _remote_target(ctx, instruction)
    if remote is not None:
        return remote
    copy = _copy(ctx, instruction)
    if copy is None:
        return None
    sources: list[str] = []
    paths: list[str] = []
    directory = False
    direct = within(copy.destination, EXTENSIONS)
    for written, source in zip((token.value for token in instruction.args[:-1]), copy.sources, strict=False):
        if instruction.keyword == "ADD" and is_archive(source):
            continue  # unpacked: the entries keep the archive's modes
        landed = _landed(ctx, copy, source)
        if landed is None or _executable_in_checkout(ctx, copy, source):
            continue
        path, is_directory = landed
        sources.append(written)
        paths.append(path)
        directory = directory or is_directory
    if not sources:
        return None
    return _Target(instruction, tuple(sources), tuple(paths), directory, direct)


def _landed(ctx: RuleContext, copy: ContextCopy, source: str) -> tuple[str, bool] | None:
    """Where a source's files land when some land directly in /opt/extensions: (path, whether it is the
    directory holding them)."""
    if has_glob(source):
        landing = copy.destination if copy.into_directory else copy.landing(source, False)
        if landing == EXTENSIONS:
            return EXTENSIONS, True
        return None
    is_directory = _is_directory(ctx, source)
    known = ctx.build_context is not None and ctx.build_context.exists(source)
    if is_directory and not known and not copy.into_directory and posixpath.dirname(copy.destination) == EXTENSIONS:
        is_directory = False  # `COPY bin/agent /opt/extensions/agent` names the extension it makes
    landing = copy.landing(source, is_directory)
    if is_directory:
        if landing == EXTENSIONS:
            return EXTENSIONS, True
        if within(EXTENSIONS, landing) and _holds_extensions(ctx, source, landing):
            return EXTENSIONS, True
        return None
    return (landing, False) if posixpath.dirname(landing) == EXTENSIONS or landing == EXTENSIONS else None


def _executable_in_checkout(ctx: RuleContext, copy: ContextCopy, source: str) -> bool:
    """Whether the build context shows every file of `source` that lands directly in /opt/extensions
    executable by everyone: COPY keeps that mode.  (A glob, or files we cannot see, are not known to be.)"""
    context = ctx.build_context
    if context is None or has_glob(source):
        return False
    if context.is_dir(source):
        root = copy.landing(source, True)
        prefix = "" if source == "." else source.rstrip("/") + "/"
        landings = {entry.path: join(root, entry.path[len(prefix) :]) for entry in context.files_under(source)}
    else:
        landings = {source: copy.landing(source, False)}
    started = [path for path, landing in landings.items() if posixpath.dirname(landing) == EXTENSIONS]
    return bool(started) and all(_executable_file(context.mode(path)) for path in started)


def _executable_file(mode: int | None) -> bool:
    return mode is not None and bool(mode & 0o001)


def _holds_extensions(ctx: RuleContext, source: str, landing: str) -> bool:
    """Whether a directory copied above /opt/extensions (`COPY opt/ /opt/`) has files that land in it."""
    context = ctx.build_context
    if context is None:
        return False
    below = relative_to(EXTENSIONS, landing)
    inner = below if source == "." else f"{source}/{below}"
    if not context.is_dir(inner):
        return False
    return any(posixpath.dirname(entry.path) == inner for entry in context.files_under(inner))


def _remote_target(ctx: RuleContext, instruction: Instruction) -> _Target | None:
    """`ADD <url> /opt/extensions/…`: the download gets mode 600."""
    if instruction.keyword != "ADD" or len(instruction.args) != 2 or not REMOTE.match(instruction.args[0].value):
        return None
    if instruction.args[0].value.endswith(".git") or "git@" in instruction.args[0].value:
        return None
    destination = _destination(ctx, instruction)
    if destination is None:
        return None
    written = instruction.args[-1].value
    url_name = posixpath.basename(instruction.args[0].value.split("?", 1)[0])
    path = join(destination, url_name) if written.endswith("/") else destination
    if posixpath.dirname(path) != EXTENSIONS:
        return None
    return _Target(instruction, (instruction.args[0].value,), (path,), False, True)


def _destination(ctx: RuleContext, instruction: Instruction) -> str | None:
    resolved = _resolve(ctx, instruction.args[-1].value, instruction)
    if not resolved.complete:
        return None
    if is_absolute(resolved.value):
        return join("/", resolved.value)
    workdir = _workdir(ctx, instruction)
    return None if workdir is None else join(workdir, resolved.value)


def _zip_into_extensions(ctx: RuleContext, instruction: Instruction) -> tuple[str, str] | None:
    """`ADD layer.zip /opt/extensions/`: (the source, where the zip file lands)."""
    if instruction.keyword != "ADD" or len(instruction.args) != 2:
        return None
    source = instruction.args[0].value
    if not source.lower().endswith(".zip") or REMOTE.match(source):
        return None
    destination = _destination(ctx, instruction)
    if destination is None:
        return None
    into = instruction.args[-1].value.endswith("/") or destination == EXTENSIONS
    landed = join(destination, posixpath.basename(source)) if into else destination
    return (source, landed) if posixpath.dirname(landed) == EXTENSIONS else None


def _mentioned_later(ctx: RuleContext, later: tuple[Instruction, ...], path: str) -> bool:
    """Whether a later RUN names the file (`unzip`, `rm`): it is dealt with."""
    name = posixpath.basename(path)
    for instruction in later:
        if instruction.keyword == "RUN":
            for command in shell_commands(ctx.dockerfile, instruction):
                if any(arg in (path, name) or arg.endswith("/" + name) for arg in command.args):
                    return True
    return False


# --- modes -----------------------------------------------------------------------------------------


def _why(instruction: Instruction) -> str:
    flag = instruction.flag("chmod")
    if flag is not None:
        return f"with `--chmod={flag.value}`, which does not let every user execute it"
    if instruction.keyword == "ADD" and instruction.args and REMOTE.match(instruction.args[0].value):
        return "with mode 600, as `ADD` gives a download"
    return "without `--chmod`, so it keeps the mode it has in the checkout"


def executable_for_all(mode: str) -> bool | None:
    """Whether a chmod mode (octal or symbolic) leaves a file executable by others; None when unknown."""
    if _OCTAL.fullmatch(mode):
        return bool(int(mode, 8) & 0o001)
    state: bool | None = None
    for clause in mode.split(","):
        match = _SYMBOLIC_CLAUSE.fullmatch(clause)
        if match is None:
            return None
        who = match.group("who") or "a"
        if "o" not in who and "a" not in who:
            continue
        perms, op = match.group("perms"), match.group("op")
        if op == "=":
            state = "x" in perms
        elif "x" in perms:
            state = op == "+"
    return state


def _executable_mode(instruction: Instruction) -> bool:
    """The COPY's own `--chmod` makes the files executable for everyone (an unresolvable one counts)."""
    flag = instruction.flag("chmod")
    if flag is None or flag.value is None:
        return False
    verdict = executable_for_all(flag.value)
    return verdict is not False if "$" in flag.value else verdict is True


def _made_executable(ctx: RuleContext, later: tuple[Instruction, ...], target: _Target) -> bool:
    """Whether a later RUN gives the target's files execute permission (`chmod`, `install -m`, `find -exec`)."""
    for instruction in later:
        if instruction.keyword != "RUN":
            continue
        workdir = _workdir(ctx, instruction)
        for command in shell_commands(ctx.dockerfile, instruction):
            grant = _grant(command)
            if grant is None:
                continue
            operands, recursive = grant
            if any(_covers(ctx, instruction, workdir, operand, recursive, target) for operand in operands):
                return True
    return False


def _grant(command: Command) -> tuple[list[str], bool] | None:
    """(paths, recursive) a command makes executable for everyone; None when it does not."""
    name, args = command.name, list(command.args)
    if name == "chmod":
        options = [arg for arg in args if arg.startswith("-") and executable_for_all(arg[1:]) is None]
        rest = [arg for arg in args if arg not in options]
        if not rest or executable_for_all(rest[0]) is not True:
            return None
        return rest[1:], any(option in _RECURSIVE or option.startswith("-R") for option in options)
    if name == "install" and ("-m" in args or any(arg.startswith("--mode") for arg in args)):
        mode = _option_value(args, "-m", "--mode")
        if mode is None or executable_for_all(mode) is not True:
            return None
        return [args[-1]], False
    if name in ("find", "xargs") and "chmod" in args:
        after = args[args.index("chmod") + 1 :]
        modes = [arg for arg in after if not arg.startswith("-")]
        if not modes or executable_for_all(modes[0]) is not True:
            return None
        if name == "xargs":
            return ["$"], True  # the paths come from its input: assume they are the ones
        starts = [arg for arg in args[: args.index("chmod")] if not arg.startswith(("-", "(", "!"))]
        return starts[:1], True
    return None


def _option_value(args: list[str], short: str, long: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == short and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(long + "="):
            return arg.split("=", 1)[1]
        if arg.startswith(short) and len(arg) > len(short):
            return arg[len(short) :]
    return None


def _covers(
    ctx: RuleContext, instruction: Instruction, workdir: str | None, operand: str, recursive: bool, target: _Target
) -> bool:
    """Whether a chmod operand reaches the target's files; an operand we cannot resolve counts."""
    if "$" in operand:
        resolved = _resolve(ctx, operand, instruction)
        if not resolved.complete:
            return True
        operand = resolved.value
    path = absolute(operand, workdir)
    if path is None:
        return True
    for landed in target.paths:
        sample = f"{landed}/extension" if target.directory else landed
        below = below_shell_pattern(sample, path)
        if below == "" or (below is not None and recursive):
            return True
        if target.directory and has_glob(posixpath.basename(path)) and posixpath.dirname(path) == landed:
            return True  # `chmod +x /opt/extensions/*.sh`: its files, we take it
    return False


# --- AWS_LAMBDA_EXEC_WRAPPER --------------------------------------------------------------------------


def _wrapper_setting(ctx: RuleContext, chain: tuple[Instruction, ...]) -> tuple[Span, str] | None:
    """The last `ENV AWS_LAMBDA_EXEC_WRAPPER=…` of the image: (its value's span, the absolute path)."""
    found = None
    for instruction in chain:
        if instruction.keyword != "ENV":
            continue
        for pair in instruction.key_values:
            if pair.key.value == WRAPPER_VARIABLE and pair.value is not None:
                resolved = _resolve(ctx, pair.value.value, instruction)
                path = resolved.value if resolved.complete and resolved.value.startswith("/") else None
                found = None if path is None else (pair.value.span, join("/", path))
    return found


def _wrapper_copy(ctx: RuleContext, chain: tuple[Instruction, ...], path: str) -> tuple[_Target, int] | None:
    """The last COPY/ADD from the context that puts a file at `path`, and its position in the chain."""
    found = None
    for position, instruction in enumerate(chain):
        if instruction.keyword not in ("COPY", "ADD"):
            continue
        if instruction.flag("from") is not None:
            if _names_path(ctx, instruction, path):
                found = None  # from another stage or image: it keeps its mode
            continue
        copy = _copy(ctx, instruction)
        if copy is None:
            continue
        source = copy.context_path_of(path, lambda name: _is_directory(ctx, name))
        if source is None:
            continue
        named = source in copy.sources
        context = ctx.build_context
        if not named and (context is None or not context.exists(source)):
            continue  # somewhere in a copied directory: only when the context shows the file
        fixable = named and len(copy.sources) == 1
        found = (_Target(instruction, (source,), (path,), False, fixable), position)
    return found


def _names_path(ctx: RuleContext, instruction: Instruction, path: str) -> bool:
    destination = _destination(ctx, instruction)
    return destination is not None and within(path, destination)


# --- the fix ------------------------------------------------------------------------------------------


def _chmod_fix(ctx: RuleContext, target: _Target) -> Fix | None:
    if not target.fixable:
        return None
    instruction = target.instruction
    flag = instruction.flag("chmod")
    if flag is not None:
        if flag.value_span is None:
            return None
        return Fix.unsafe("Copy with `--chmod=755`", Edit.replace(flag.value_span, "755"))
    text = ctx.dockerfile.text
    offset = instruction.keyword_span.end
    while offset < len(text) and text[offset] in " \t":
        offset += 1
    return Fix.unsafe("Copy with `--chmod=755`", Edit.insert(offset, "--chmod=755 "))

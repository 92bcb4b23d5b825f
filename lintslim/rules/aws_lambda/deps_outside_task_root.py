from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from lintslim.analysis.aws_lambda import LambdaImage, lambda_image
from lintslim.analysis.dependencies import (
    UNKNOWN_WORKDIR,
    looks_like_directory,
    pip_install,
    working_directories,
)
from lintslim.analysis.paths import context_join, join, within
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.knowledge.images import ImageFacts, stage_facts
from lintslim.rules.aws_lambda._shared import lambda_reason
from lintslim.syntax.nodes import Instruction
from lintslim.syntax.shell import Command, Word, shell_commands
from lintslim.syntax.source import Span
from lintslim.syntax.stages import BuildGraph, Stage

ROOT_HOME = "/root"
_PIP_LOCATION_OPTIONS = ("--target", "-t", "--prefix", "--root")
_HOME_PREFIX = re.compile(r"^(?:~|\$HOME|\$\{HOME\})(?=/|$)")
# Settings that move Poetry's and Pipenv's virtualenvs away from their defaults under $HOME (or make
# them use an active one): with any of them we cannot be sure where the packages go.
_POETRY_SETTINGS = frozenset(
    {"POETRY_VIRTUALENVS_CREATE", "POETRY_VIRTUALENVS_IN_PROJECT", "POETRY_VIRTUALENVS_PATH", "POETRY_CACHE_DIR",
     "VIRTUAL_ENV", "XDG_CACHE_HOME"}
)  # fmt: skip
_PIPENV_SETTINGS = frozenset(
    {"PIPENV_VENV_IN_PROJECT", "WORKON_HOME", "PIPENV_CUSTOM_VENV_NAME", "VIRTUAL_ENV", "XDG_DATA_HOME",
     "PIPENV_SYSTEM"}
)  # fmt: skip
_VENV_CONFIG_FILES = ("poetry.toml", ".venv")  # project-local settings that Poetry and Pipenv honour
_PIP_ADVICE = "install them in the function directory"
_MOVERS = frozenset({"cp", "mv", "rsync", "ln"})  # a later command that takes the files elsewhere


@dataclass(frozen=True)
class _Placement:
    """A command that puts dependencies under /root."""

    instruction: Instruction
    command: Command
    span: Span  # what to report: the option or the tool's words
    where: str  # the directory the packages go to
    how: str  # "`pip install --user`"
    advice: str  # what to do instead
    user_word: Word | None = None  # the `--user` word, which the fix replaces


class LambdaDepsOutsideTaskRoot(Rule):
    """Dependencies are installed under `/root`, which the Lambda function cannot read.

    ## What it does
    In a Lambda image (see LS4xx detection), flags in the final image's stages:

    - `pip install --user` run as root (no `USER`, or `USER root`, on a base whose user is root):
      the packages go to `/root/.local` (or to `PYTHONUSERBASE` when that is set, flagged only
      when it is under `/root` too);
    - `pip install --target`, `-t`, `--prefix` or `--root` (and `uv pip install`) into `/root`,
      `~` or `$HOME` while `HOME` is `/root`;
    - `npm install -g` with a `--prefix` (or `NPM_CONFIG_PREFIX`) under `/root`;
    - `poetry install` and `pipenv install`/`sync` as root with their default virtualenv
      location, `~/.cache/pypoetry/virtualenvs` (Poetry's `virtualenvs.path` default,
      `{cache-dir}/virtualenvs`) and `~/.local/share/virtualenvs` (Pipenv's): only when no setting
      that moves it is in sight (`POETRY_VIRTUALENVS_CREATE`, `…_IN_PROJECT`, `…_PATH`,
      `POETRY_CACHE_DIR`, `VIRTUAL_ENV`, `PIPENV_VENV_IN_PROJECT`, `WORKON_HOME`, `pipenv
      --system`, a `poetry config` command, or a `poetry.toml` or `.venv` the image may get
      from the build context);
    - a `COPY --from=<stage>` into `/root` of what such an install put under `/root` in that
      stage (`COPY --from=build /root/.local /root/.local`).  Copying it elsewhere
      (`/usr/local`, `${LAMBDA_TASK_ROOT}`) is fine, and so is a build stage whose `/root` is not
      copied into the final image.

    An install is not flagged when a later command of the image copies or moves its directory
    elsewhere.  With another `USER`, `--user` goes to that user's home, whose permissions the
    Dockerfile does not show: not flagged.

    ## Why is this bad?
    Lambda runs the function as an unprivileged user, not root, and ignores `USER`; `/root` is
    not readable by other users on Amazon Linux and Debian, so nothing under it can be imported.
    The function works when tested locally as root and fails once deployed with
    `No module named …`.  AWS says to "install any dependencies under the ${LAMBDA_TASK_ROOT}
    directory alongside the function handler" (`pip install -r requirements.txt --target
    "${LAMBDA_TASK_ROOT}"`).

    ## Fix safety
    For `pip install --user` the fix writes `--target "${LAMBDA_TASK_ROOT}"` on an AWS base
    image (which sets that variable), or `--target <WORKDIR>` on another base whose function
    directory is known (the runtime interface client puts its working directory on the path).  It
    is unsafe: with `--target` pip puts console scripts in `<target>/bin`, off the `PATH`, does
    not process `.pth` files, and installs every dependency again even when the base image has it;
    and a later step may still expect `/root/.local`.  Other findings have no fix.
    """

    code = "LS403"
    name = "lambda-deps-outside-task-root"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        image = lambda_image(ctx)
        if image is None:
            return
        suffix = lambda_reason(image)
        chain = ctx.graph.chain_instructions(image.stage)
        for placement in _placements(ctx, image.stage, image.base):
            if not _moved_later(ctx, chain, placement):
                message = (
                    f"{placement.how} puts the packages in `{placement.where}`, under `/root`, which the Lambda "
                    f"function's user cannot read; {_advice(image, placement)}"
                )
                yield self.report(placement.span, message + suffix, fix=_target_fix(image, placement))
        yield from self._copies_into_root(ctx, image, chain, suffix)

    def _copies_into_root(
        self, ctx: RuleContext, image: LambdaImage, chain: tuple[Instruction, ...], suffix: str
    ) -> Iterator[Diagnostic]:
        graph = ctx.graph
        for link in graph.links:
            instruction = link.instruction
            if instruction not in chain or instruction.keyword != "COPY" or link.source_stage is None:
                continue
            destination = _copy_destination(graph, instruction)
            if destination is None or not within(destination, ROOT_HOME):
                continue
            stage = graph.stages[link.source_stage]
            copied = [join("/", token.value) for token in instruction.args[:-1]]
            for placement in _placements(ctx, stage, stage_facts(graph, stage)):
                if any(within(placement.where, path) or within(path, placement.where) for path in copied):
                    message = (
                        f"This copies what {placement.how} put in `{placement.where}` in stage `{stage.label}` to "
                        f"`{destination}`, under `/root`, which the Lambda function's user cannot read; copy it "
                        f"to the function directory or a system location such as `/usr/local`"
                    )
                    yield self.report(instruction.args[-1].span, message + suffix)
                    break


# --- where installs put packages ---------------------------------------------------------------------


def _placements(ctx: RuleContext, stage: Stage, facts: ImageFacts | None) -> Iterator[_Placement]:
    """The installs of a stage's chain that put packages under /root."""
    graph = ctx.graph
    for instruction in graph.chain_instructions(stage):
        if instruction.keyword != "RUN":
            continue
        for command in shell_commands(graph.dockerfile, instruction):
            found = _placement(ctx, stage, facts, instruction, command)
            if found is not None:
                yield found


def _placement(
    ctx: RuleContext, stage: Stage, facts: ImageFacts | None, instruction: Instruction, command: Command
) -> _Placement | None:
    graph = ctx.graph
    environment = _environment(graph, instruction, command)
    home = _home(graph, stage, facts, instruction, environment)
    if (pip := pip_install(command)) is not None:
        return _pip_placement(graph, instruction, command, pip[1], environment, home)
    if command.name == "npm":
        return _npm_placement(graph, instruction, command, environment, home)
    if command.name in ("poetry", "pipenv") and home == ROOT_HOME:
        return _virtualenv_placement(ctx, stage, instruction, command, environment)
    return None


def _environment(graph: BuildGraph, instruction: Instruction, command: Command) -> dict[str, str | None]:
    """Variables the command sees that the Dockerfile shows: ENV and ARG values (None when unknown),
    and the command's own assignments."""
    scope = graph.scope_at(instruction)
    found: dict[str, str | None] = dict.fromkeys(scope.unknown)
    found.update(scope.values)
    found.update(command.assignments)
    return found


def _home(
    graph: BuildGraph, stage: Stage, facts: ImageFacts | None, instruction: Instruction, env: Mapping[str, str | None]
) -> str | None:
    """`$HOME` of the command: set by ENV, else root's `/root` when the build runs as root; None when unknown."""
    if "HOME" in env:
        return env["HOME"]
    user = _user(graph, stage, facts, instruction)
    return ROOT_HOME if user is not None and user.split(":", 1)[0] in ("root", "0") else None


def _user(graph: BuildGraph, stage: Stage, facts: ImageFacts | None, instruction: Instruction) -> str | None:
    """The user a RUN runs as: the last USER before it in the chain, else the base image's; None when unknown."""
    found = facts.user if facts is not None else None
    for candidate in graph.chain_instructions(stage):
        if candidate.index >= instruction.index:
            break
        if candidate.keyword == "USER" and candidate.args:
            resolved = graph.resolve(candidate.args[0].value, candidate)
            found = resolved.value if resolved.complete else None
    return found


def _expand(graph: BuildGraph, instruction: Instruction, word: str, home: str | None) -> str | None:
    """An install location as the shell sees it: `~` and `$HOME` as `home`, other variables from the
    Dockerfile; None when a part is unknown or the path is relative."""
    match = _HOME_PREFIX.match(word)
    if match is not None:
        if home is None:
            return None
        word = home + word[match.end() :]
    if "$" in word:
        resolved = graph.resolve(word, instruction)
        if not resolved.complete:
            return None
        word = resolved.value
    return join("/", word) if word.startswith("/") else None


def _pip_placement(
    graph: BuildGraph,
    instruction: Instruction,
    command: Command,
    words: tuple[Word, ...],
    env: Mapping[str, str | None],
    home: str | None,
) -> _Placement | None:
    for index, word in enumerate(words):
        option, equals, value = word.value.partition("=")
        if option in _PIP_LOCATION_OPTIONS or (word.value.startswith("-t") and len(word.value) > 2):
            if not equals and option in _PIP_LOCATION_OPTIONS:
                if index + 1 >= len(words):
                    return None
                value, end = words[index + 1].value, words[index + 1].span.end
            else:
                value = value if equals else word.value[2:]
                end = word.span.end
            where = _expand(graph, instruction, value, home)
            if where is not None and within(where, ROOT_HOME):
                how = f"`pip install {option}`"
                return _Placement(instruction, command, Span(word.span.start, end), where, how, _PIP_ADVICE)
    user_word = next((word for word in words if word.value == "--user"), None)
    if user_word is None:
        return None
    base = env.get("PYTHONUSERBASE") if "PYTHONUSERBASE" in env else (None if home is None else f"{home}/.local")
    if base is None or not base.startswith("/") or not within(join("/", base), ROOT_HOME):
        return None
    how = "`pip install --user` as root" if "PYTHONUSERBASE" not in env else "`pip install --user`"
    return _Placement(instruction, command, user_word.span, join("/", base), how, _PIP_ADVICE, user_word)


def _npm_placement(
    graph: BuildGraph, instruction: Instruction, command: Command, env: Mapping[str, str | None], home: str | None
) -> _Placement | None:
    args = command.args
    if not args or not ({"-g", "--global"} & set(args)) or not ({"install", "i", "add"} & set(args)):
        return None
    prefix = env.get("NPM_CONFIG_PREFIX") or env.get("npm_config_prefix")
    for index, arg in enumerate(args):
        if arg == "--prefix" and index + 1 < len(args):
            prefix = args[index + 1]
        elif arg.startswith("--prefix="):
            prefix = arg.split("=", 1)[1]
    where = None if prefix is None else _expand(graph, instruction, prefix, home)
    if where is None or not within(where, ROOT_HOME):
        return None
    span = Span(command.argv[0].span.start, command.argv[1].span.end)
    advice = "install the function's packages without `-g`, in the function directory"
    return _Placement(instruction, command, span, join(where, "lib/node_modules"), "`npm install -g`", advice)


def _virtualenv_placement(
    ctx: RuleContext, stage: Stage, instruction: Instruction, command: Command, env: Mapping[str, str | None]
) -> _Placement | None:
    """`poetry install` / `pipenv install` with their default virtualenv directory under $HOME."""
    name = command.name or ""
    positionals = [arg for arg in command.args if not arg.startswith("-")]
    if name == "poetry":
        if positionals[:1] not in (["install"], ["sync"]) or _POETRY_SETTINGS & set(env):
            return None
        if _runs_before(ctx, stage, instruction, lambda other: other.name == "poetry" and "config" in other.args):
            return None
        where, how = f"{ROOT_HOME}/.cache/pypoetry/virtualenvs", f"`poetry {positionals[0]}` (its virtualenv)"
        advice = "set `POETRY_VIRTUALENVS_CREATE=false`, or export the requirements and install them with pip"
    else:
        if positionals[:1] not in (["install"], ["sync"]) or "--system" in command.args or _PIPENV_SETTINGS & set(env):
            return None
        where, how = f"{ROOT_HOME}/.local/share/virtualenvs", f"`pipenv {positionals[0]}` (its virtualenv)"
        advice = "install with `pipenv install --system --deploy`"
    if _may_get_venv_settings(ctx, stage, instruction):
        return None
    span = Span(command.argv[0].span.start, command.argv[min(1, len(command.argv) - 1)].span.end)
    return _Placement(instruction, command, span, where, how, advice)


def _runs_before(ctx: RuleContext, stage: Stage, instruction: Instruction, test: Callable[[Command], bool]) -> bool:
    """Whether a command matching `test` runs in the chain up to `instruction`."""
    graph = ctx.graph
    for candidate in graph.chain_instructions(stage):
        if candidate.index > instruction.index:
            break
        if candidate.keyword == "RUN" and any(test(other) for other in shell_commands(graph.dockerfile, candidate)):
            return True
    return False


def _may_get_venv_settings(ctx: RuleContext, stage: Stage, instruction: Instruction) -> bool:
    """Whether a COPY before the install may bring a `poetry.toml` or a `.venv` (project-local settings)."""
    graph = ctx.graph
    context = ctx.build_context
    for candidate in graph.chain_instructions(stage):
        if candidate.index > instruction.index:
            break
        if candidate.keyword not in ("COPY", "ADD") or candidate.flag("from") is not None:
            continue
        for token in candidate.args[:-1]:
            source = token.value.rstrip("/") or "."
            name = source.rsplit("/", 1)[-1]
            if name in _VENV_CONFIG_FILES or "*" in name:
                return True
            if context is None:
                if looks_like_directory(source):
                    return True  # a directory we cannot look into
                continue
            if not context.is_dir(source):
                continue
            if any(context.exists(context_join(source, config)) for config in _VENV_CONFIG_FILES):
                return True
    return False


def _moved_later(ctx: RuleContext, chain: tuple[Instruction, ...], placement: _Placement) -> bool:
    """Whether a later command of the image copies or moves the packages' directory elsewhere."""
    later = False
    for instruction in chain:
        if instruction is placement.instruction:
            later = True
        if not later or instruction.keyword != "RUN":
            continue
        for command in shell_commands(ctx.dockerfile, instruction):
            if command.name in _MOVERS and any(
                within(join("/", arg.rstrip("*/") or "/"), placement.where) or within(placement.where, arg)
                for arg in command.args
                if arg.startswith("/")
            ):
                return True
    return False


def _copy_destination(graph: BuildGraph, instruction: Instruction) -> str | None:
    resolved = graph.resolve(instruction.args[-1].value, instruction)
    if not resolved.complete:
        return None
    if resolved.value.startswith("/"):
        return join("/", resolved.value)
    stage = graph.stage_of(instruction)
    workdir = None if stage is None else working_directories(graph, stage).get(instruction.index)
    if workdir is None or workdir.startswith(UNKNOWN_WORKDIR):
        return None
    return join(workdir, resolved.value)


def _advice(image: LambdaImage, placement: _Placement) -> str:
    if placement.advice != _PIP_ADVICE:
        return placement.advice
    target = _target(image)
    return f"install them with `--target {target}`" if target else "install them in the function directory (`--target`)"


# --- the fix -----------------------------------------------------------------------------------------


def _target(image: LambdaImage) -> str | None:
    """Where `--target` should point: `${LAMBDA_TASK_ROOT}` on AWS bases, else the known function directory."""
    if image.on_aws_base:
        return '"${LAMBDA_TASK_ROOT}"'
    directory = image.function_directory
    return directory if directory is not None and re.fullmatch(r"/[A-Za-z0-9._/-]*", directory) else None


def _target_fix(image: LambdaImage, placement: _Placement) -> Fix | None:
    """`--user` → `--target "${LAMBDA_TASK_ROOT}"` (AWS bases) or `--target <function directory>`."""
    word = placement.user_word
    if word is None or placement.instruction.is_json or word.raw != "--user":
        return None
    if any(arg.split("=", 1)[0] in _PIP_LOCATION_OPTIONS for arg in placement.command.args):
        return None
    target = _target(image)
    if target is None:
        return None
    return Fix.unsafe(f"Install with `--target {target}`", Edit.replace(word.span, f"--target {target}"))

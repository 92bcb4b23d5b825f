"""What the RUN-command rules (LS540–LS552) share: cache mounts, the user and shell in force, scripts.

Plain functions over the model; per-document facts are memoised in `dockerfile.memo`.
"""

from __future__ import annotations

from collections.abc import Iterator

from lintslim.knowledge import stage_facts
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.shell import Command, Word, shell_commands, shell_in_force
from lintslim.syntax.stages import BuildGraph, Stage

ROOT_USERS = frozenset({"root", "0"})


def chain_before(graph: BuildGraph, instruction: Instruction) -> Iterator[Instruction]:
    """The instructions of the RUN's stage chain (its stage and those it builds on) that come before it."""
    stage = graph.stage_of(instruction)
    if stage is None:
        return
    for candidate in graph.chain_instructions(stage):
        if candidate.index >= instruction.index:
            return
        yield candidate


def user_in_effect(graph: BuildGraph, instruction: Instruction) -> str | None:
    """The user a RUN runs as: the last `USER` before it in the chain, else the base image's; None if unknown."""
    stage = graph.stage_of(instruction)
    if stage is None:
        return None
    facts = stage_facts(graph, stage)
    user = facts.user if facts is not None else None
    for candidate in chain_before(graph, instruction):
        if candidate.keyword == "USER" and candidate.args:
            resolved = graph.resolve(candidate.args[0].value, candidate)
            user = resolved.value.split(":", 1)[0] if resolved.complete else None
    return user


def shell_in_effect(graph: BuildGraph, instruction: Instruction) -> tuple[str, ...] | None:
    """The `SHELL` array in force at a RUN (inherited through `FROM <stage>`); None for the default `/bin/sh -c`."""
    shell = shell_in_force(graph.dockerfile, instruction)
    return None if shell is None else tuple(token.value for token in shell.args)


def script_of(instruction: Instruction, command: Command) -> int:
    """Which script of a RUN a command belongs to: -1 for the instruction line, else its heredoc's index."""
    if not command.in_heredoc:
        return -1
    start = command.span.start
    for index, heredoc in enumerate(instruction.effective.heredocs):
        if heredoc.body.start <= start <= heredoc.body.end:
            return index
    return len(instruction.effective.heredocs)


def scripts(dockerfile: Dockerfile, instruction: Instruction) -> list[list[Command]]:
    """A RUN's commands grouped by the script that runs them (the line, then each heredoc body)."""
    groups: dict[int, list[Command]] = {}
    for command in shell_commands(dockerfile, instruction):
        groups.setdefault(script_of(instruction, command), []).append(command)
    return list(groups.values())


def short_option_letters(word: str) -> str:
    """The letters of a short-option word (`-qO-` → `qO-`); "" for long options and operands."""
    if word.startswith("-") and not word.startswith("--") and len(word) > 1:
        return word[1:]
    return ""


def has_option(args: tuple[str, ...], long: tuple[str, ...], short: str = "", value_letters: str = "") -> bool:
    """Whether `args` hold one of the `long` options (`--quiet`, `--progress=bar`) or a `short` letter.

    Short options may be clustered (`-qO-`): the letters after one that takes a value
    (`value_letters`) are that value, not options.
    """
    for arg in args:
        if arg == "--":
            return False
        if arg.startswith("--"):
            if arg.split("=", 1)[0] in long:
                return True
            continue
        for letter in short_option_letters(arg):
            if letter in short:
                return True
            if letter in value_letters:
                break
    return False


def word_after(command: Command, value: str) -> Word | None:
    """The first argument word of a command whose value is `value`."""
    return next((word for word in command.argv[1:] if word.value == value), None)


def is_constant(word: Word) -> bool:
    """A word with no expansion or substitution left for the shell to do."""
    return not any(ch in word.value for ch in "$`*?[") and "~" not in word.value[:1]


# --- the default shell and `set -o pipefail` ----------------------------------------------------

# Shells whose `set -o pipefail` works.  dash (Debian's and Ubuntu's /bin/sh) has it only with the
# patch Debian carries since dash 0.5.12-7 ("jobs: Implement pipefail option", after POSIX.1-2024
# added the option): trixie ships 0.5.12-12, bookworm 0.5.12-2 and Ubuntu 24.04 0.5.12-6ubuntu5 do
# not have it (sources.debian.org/patches/dash/0.5.12-9/0021-jobs-Implement-pipefail-option.patch;
# koalaman/shellcheck#2555; fwdekker/mommy#165 for Ubuntu 25.04).  BusyBox ash has had it for years.
PIPEFAIL_SHELLS = frozenset({"bash", "zsh", "ksh", "ksh93", "mksh", "ash", "busybox"})
_DASH_WITH_PIPEFAIL = ("trixie", "forky", "sid", "plucky", "questing", "resolute")
_DASH_WITHOUT_PIPEFAIL = ("bookworm", "bullseye", "buster", "stretch", "jammy", "noble", "focal", "bionic")


def shell_supports_pipefail(graph: BuildGraph, instruction: Instruction) -> bool:
    """Whether `set -o pipefail` works in the shell that runs a RUN; False when we cannot tell."""
    shell = shell_in_effect(graph, instruction)
    if shell is not None:
        program = shell[0].rsplit("/", 1)[-1]
        if program in PIPEFAIL_SHELLS:
            return True
        if program != "sh":
            return False
    stage = graph.stage_of(instruction)
    return stage is not None and _default_sh_has_pipefail(graph, stage)


def _default_sh_has_pipefail(graph: BuildGraph, stage: Stage) -> bool:
    facts = stage_facts(graph, stage)
    if facts is None:
        return False
    if facts.package_manager == "apk" or facts.family in ("alpine", "busybox"):
        return True  # /bin/sh is BusyBox ash
    if facts.package_manager != "apt":
        return False
    image = graph.root_image(stage)
    tag = (image.tag or "") if image is not None else ""
    return _dash_release_has_pipefail(image.name if image is not None else "", tag)


def _dash_release_has_pipefail(name: str, tag: str) -> bool:
    """Debian-family /bin/sh (dash) by the release the tag names; False when it names none we know."""
    parts = tag.replace("_", "-").split("-")
    if any(part in _DASH_WITHOUT_PIPEFAIL for part in parts):
        return False
    if any(part in _DASH_WITH_PIPEFAIL for part in parts):
        return True
    version = parts[0].split(".")
    if not version[0].isdigit():
        return False
    if name == "debian":
        return int(version[0]) >= 13
    if name == "ubuntu" and len(version) > 1 and version[1].isdigit():
        return (int(version[0]), int(version[1])) >= (25, 4)
    return False

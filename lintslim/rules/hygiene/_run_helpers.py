"""What the RUN-command rules (LS540–LS552) share: cache mounts, the user and shell in force, scripts.

Plain functions over the model; per-document facts are memoised in `dockerfile.memo`.
"""

from __future__ import annotations

from collections.abc import Iterator

from lintslim.knowledge import stage_facts
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.shell import Command, Word, shell_commands, shell_words_in_force, split_commands
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
    """The `SHELL` array in force at a RUN (inherited through `FROM <stage>`, or named by a
    `# hadolint shell=` pragma); None for the default `/bin/sh -c`."""
    return shell_words_in_force(graph.dockerfile, instruction)


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


# --- command substitutions -----------------------------------------------------------------------


def substitutions(word: Word) -> Iterator[list[Command]]:
    """The scripts of a word's command substitutions (`$(…)`, backquotes), outermost first, split into
    commands whose spans point into the source (the splitter keeps substitutions inside their word)."""
    raw = word.raw
    index, in_double = 0, False
    while index < len(raw):
        char = raw[index]
        if char == "\\":
            index += 2
            continue
        if char == "'" and not in_double:
            closing = raw.find("'", index + 1)
            index = len(raw) if closing == -1 else closing + 1
            continue
        if char == '"':
            in_double = not in_double
        elif raw.startswith("$((", index):  # arithmetic, not a command
            index = _closing_parenthesis(raw, index + 1) + 1
            continue
        elif raw.startswith("$(", index):
            closing = _closing_parenthesis(raw, index + 1)
            yield _inner_commands(word, index + 2, closing)
            index = closing + 1
            continue
        elif char == "`":
            closing = _closing_backquote(raw, index + 1)
            yield _inner_commands(word, index + 1, closing)
            index = closing + 1
            continue
        index += 1


def _inner_commands(word: Word, start: int, end: int) -> list[Command]:
    """The commands of `word.raw[start:end]`, with spans mapped through the word's own."""
    base = word.start + start
    return split_commands(word.raw[start:end], lambda first, last: word.span_of(base + first, base + last))


def _closing_parenthesis(raw: str, opening: int) -> int:
    """The index of the `)` that closes the `(` at `opening` (quotes and escapes skipped), or len(raw)."""
    depth, index = 0, opening
    while index < len(raw):
        char = raw[index]
        if char == "\\":
            index += 1
        elif char in "'\"":
            closing = raw.find(char, index + 1)
            index = len(raw) if closing == -1 else closing
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return len(raw)


def _closing_backquote(raw: str, start: int) -> int:
    index = start
    while index < len(raw) and raw[index] != "`":
        index += 2 if raw[index] == "\\" else 1
    return min(index, len(raw))


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

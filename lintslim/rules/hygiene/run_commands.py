"""Commands in RUN that do something else than the author expects (LS546–LS552)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lintslim.analysis.subshells import commands_with_nesting
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.knowledge import stage_facts
from lintslim.rules._edits import keyword_case
from lintslim.rules.hygiene._run_helpers import (
    ROOT_USERS,
    chain_before,
    has_option,
    is_constant,
    scripts,
    shell_in_effect,
    shell_supports_pipefail,
    substitutions,
    user_in_effect,
)
from lintslim.rules.hygiene._stage_helpers import builds_on_windows
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.shell import Command, Word, iter_run_commands, shell_commands
from lintslim.syntax.source import Span
from lintslim.syntax.stages import BuildGraph, Stage

# --- LS546 cd ---------------------------------------------------------------------------------------

# Targets that say "go back" or "somewhere temporary": nobody wants WORKDIR there.
_NEUTRAL_CD = frozenset({"", "-", "/", "~", "$HOME", "${HOME}", "..", "/tmp", "/var/tmp"})


def _top_level(dockerfile: Dockerfile, instruction: Instruction) -> list[tuple[Command, bool]]:
    """A RUN's commands, each with whether it runs in the RUN's own shell (not in a `( … )` subshell)."""
    found: list[tuple[Command, bool]] = []
    depth = 0
    for command, nesting in commands_with_nesting(dockerfile, instruction):
        depth = max(depth - nesting.leaves, 0) + nesting.enters
        found.append((command, depth == 0))
    return found


def _cd_target(command: Command) -> Word | None:
    """The directory word of a plain `cd DIR`; None for options, `cd` alone, and computed directories."""
    if command.name != "cd" or len(command.argv) != 2:
        return None
    word = command.argv[1]
    if word.value.startswith("-") or "$(" in word.value or "`" in word.value:
        return None
    return word


def _temporary(path: str) -> bool:
    return path in _NEUTRAL_CD or path.startswith(("/tmp/", "/var/tmp/"))


class CdInsteadOfWorkdir(Rule):
    """`cd` whose effect is meant to outlast the `RUN`: use `WORKDIR`.

    ## What it does
    Flags `cd` where `WORKDIR` is what the author wants, and only there:

    - a `RUN` that is only `cd DIR`: it changes nothing, the next instruction starts in the
      `WORKDIR` again;
    - a `cd DIR` that ends a `RUN` (after other commands), which has no effect either;
    - the same `cd DIR && …` opening two or more `RUN`s of a stage: `WORKDIR DIR` once says it.

    `cd build && make` once, `(cd sub && make)` subshells, `cd -`, `cd /`, `cd ..`, temporary
    directories (`/tmp`, `cd "$(mktemp -d)"`) and `cd` inside heredoc scripts that do more are not
    flagged: hadolint's DL3003 flags every `cd`, which its users turn off.

    ## Why is this bad?
    Each `RUN` starts a new shell in the `WORKDIR`: a `cd` does not carry over to the next
    instruction, and a chain of `RUN cd /app && …` repeats what one `WORKDIR` says once.

    ## Fix safety
    A `RUN` that is only `cd /absolute/path` (one line, no variable) becomes `WORKDIR /absolute/path`.
    The fix is unsafe: the instructions after it now run in that directory (which is what the
    author meant), and `WORKDIR` creates the directory when it does not exist where `cd` failed.
    """

    code = "LS546"
    name = "cd-instead-of-workdir"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3003",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        dockerfile = ctx.dockerfile
        for stage in ctx.graph.stages:
            leading: dict[str, list[Word]] = {}
            for instruction in stage.instructions:
                if instruction.keyword != "RUN":
                    continue
                commands = _top_level(dockerfile, instruction)
                yield from self._lost_cd(dockerfile, instruction, commands)
                first, top = commands[0] if commands else (None, False)
                if first is not None and top and not first.in_heredoc and len(commands) > 1:
                    target = _cd_target(first)
                    if target is not None and not _temporary(target.value):
                        leading.setdefault(target.raw, []).append(target)
            for raw, targets in leading.items():
                if len(targets) < 2:
                    continue
                for target in targets:
                    yield self.report(
                        target.span,
                        f"{len(targets)} `RUN`s start with `cd {raw}`: set `WORKDIR {raw}` once instead",
                    )

    def _lost_cd(
        self, dockerfile: Dockerfile, instruction: Instruction, commands: list[tuple[Command, bool]]
    ) -> Iterator[Diagnostic]:
        if len(commands) == 1:
            command, top = commands[0]
            target = _cd_target(command)
            if target is not None and top:
                yield self.report(
                    command.span,
                    f"`RUN cd {target.raw}` has no effect on the next instructions: use `WORKDIR {target.raw}`",
                    fix=_workdir_fix(dockerfile, instruction, target),
                )
            return
        if not commands:
            return
        command, top = commands[-1]
        target = _cd_target(command)
        if target is None or not top or command.operator not in ("&&", ";", "\n") or _temporary(target.value):
            return
        yield self.report(
            command.span, f"`cd {target.raw}` at the end of a `RUN` has no effect: use `WORKDIR {target.raw}`"
        )


def _workdir_fix(dockerfile: Dockerfile, instruction: Instruction, target: Word) -> Fix | None:
    path = target.raw
    if (
        instruction.flags
        or instruction.heredocs
        or instruction.is_json
        or instruction.inner is not None
        or instruction.start_line != instruction.end_line
        or not path.startswith("/")
        or not is_constant(target)
        or path != target.value
    ):
        return None
    workdir = keyword_case(dockerfile, instruction, "WORKDIR")
    span = Span(instruction.keyword_span.start, instruction.span.end)
    return Fix.unsafe(f"Replace with `WORKDIR {path}`", Edit.replace(span, f"{workdir} {path}"))


# --- LS547 sudo -------------------------------------------------------------------------------------


def _sudo_word(command: Command) -> int | None:
    """The index in `command.words` of a `sudo` that wraps the program."""
    wrappers = len(command.words) - len(command.argv)
    for index, word in enumerate(command.words[:wrappers]):
        if word.value.rsplit("/", 1)[-1] == "sudo":
            return index
    return None


class SudoInRun(Rule):
    """`sudo` in a `RUN`.

    ## What it does
    Flags the `sudo` word of any command a `RUN` runs (in heredoc scripts too).

    ## Why is this bad?
    The build already runs as the `USER` in force: as root there is nothing to gain, and as another
    user `sudo` needs a sudoers entry, a tty or a password setting that the image then keeps.  Its
    behaviour (environment reset, `PATH`, logging) differs between distributions.  Switch with
    `USER root` for the steps that need it, and use `gosu` or `su-exec` at run time.

    ## Fix safety
    When the `RUN` runs as root (no `USER`, or `USER root`, on a base image known to run as root)
    and `sudo` has no options, the fix drops the `sudo` word.  It is unsafe: `sudo` resets the
    environment and `PATH`, which the command then no longer gets.
    """

    code = "LS547"
    name = "sudo-in-run"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3004",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        for instruction, command in iter_run_commands(ctx.dockerfile, ctx.dockerfile.instructions):
            index = _sudo_word(command)
            if index is None:
                continue
            word = command.words[index]
            fix = None
            following = command.words[index + 1] if index + 1 < len(command.words) else None
            plain = following is not None and following is command.argv[0] and not instruction.is_json
            if plain and following is not None and user_in_effect(graph, instruction) in ROOT_USERS:
                fix = Fix.unsafe("Remove `sudo`", Edit.delete(Span(word.span.start, following.span.start)))
            yield self.report(word.span, "Do not use `sudo` in a `RUN`: use `USER` to change users", fix=fix)


# --- LS548 wget and curl --------------------------------------------------------------------------


_SUBSTITUTED_TOOL = re.compile(r"(?:\$\(|`)\s*(wget|curl)\b")


def _download_tools(command: Command) -> Iterator[tuple[str, Word]]:
    """`wget` or `curl` run by a command: as its program, or inside a `$(…)` in its words."""
    if command.name in ("wget", "curl"):
        yield command.name, command.argv[0]
    for word in command.words:
        if "$(" in word.raw or "`" in word.raw:
            for match in _SUBSTITUTED_TOOL.finditer(word.raw):
                yield match.group(1), word


class WgetAndCurl(Rule):
    """Both `wget` and `curl` are used to build one image.

    ## What it does
    Flags the first use of the second of the two download tools in the stages that make one image
    (the image's stage and the stages it builds on), run as programs or inside `$(…)`.  Stages that
    only build files for others are separate: a builder using `curl` and a final stage using `wget`
    is fine (hadolint#322).

    ## Why is this bad?
    Both tools do the same job here; installing and keeping both costs image size and gives two
    sets of options, proxies and TLS settings to maintain.  Pick one.
    """

    code = "LS548"
    name = "wget-and-curl"
    severity = Severity.INFO
    aliases = ("DL4001",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        reported: set[tuple[int, int]] = set()
        for image in graph.images():
            first: dict[str, tuple[Word, int]] = {}
            for stage in graph.chain(image):
                for instruction, command in iter_run_commands(ctx.dockerfile, stage.instructions):
                    for tool, word in _download_tools(command):
                        if tool not in first:
                            first[tool] = (word, instruction.start_line)
            if len(first) < 2:
                continue
            (early_name, (_, line)), (late_name, (late, _)) = sorted(
                first.items(), key=lambda item: item[1][0].span.start
            )
            key = (late.span.start, late.span.end)
            if key in reported:
                continue
            reported.add(key)
            yield self.report(
                late.span,
                f"`{late_name}` is used, and `{early_name}` too (line {line}): use one download tool",
            )


# --- LS549 wget progress ----------------------------------------------------------------------------

# wget's short options that take a value: in a cluster (`-qO-`), what follows one is its value.
_WGET_VALUE_LETTERS = "oaeOtTwPUiBlARDIXQY"


def _quiet_wget(args: tuple[str, ...]) -> bool:
    """Options that keep wget's progress out of the build log."""
    if "-nv" in args:
        return True
    quiet = ("--progress", "--quiet", "--no-verbose", "--output-file", "--append-output", "--show-progress")
    return has_option(args, quiet, short="qoa", value_letters=_WGET_VALUE_LETTERS)


def _busybox_wget(graph: BuildGraph, stage: Stage, instruction: Instruction) -> bool:
    """Whether `wget` is BusyBox's (Alpine, BusyBox bases), which has no `--progress` and no bar in logs."""
    facts = stage_facts(graph, stage)
    if facts is None or not (facts.package_manager == "apk" or facts.family in ("alpine", "busybox")):
        return False
    for candidate in (*chain_before(graph, instruction), instruction):
        if candidate.keyword != "RUN":
            continue
        for command in shell_commands(graph.dockerfile, candidate):
            if command.name == "apk" and "add" in command.args and "wget" in command.args:
                return False  # GNU wget installed
    return True


class WgetWithoutProgress(Rule):
    """`wget` without `--progress` fills the build log with its progress bar.

    ## What it does
    Flags `wget` in a `RUN` without `--progress=…`, `-q`/`--quiet`, `-nv`/`--no-verbose` or a log
    file (`-o`, `-a`).  BusyBox's `wget` (Alpine and BusyBox bases, unless GNU wget was installed
    with `apk add wget`) has no such bar in non-interactive output and no `--progress`
    option, and is not flagged.

    ## Why is this bad?
    Without a terminal, GNU wget prints a line of dots for every few kilobytes: a download of a few
    hundred megabytes writes thousands of lines into the build log, which CI systems then truncate.

    ## Fix safety
    The fix inserts `--progress=dot:giga` (one dot per megabyte-sized chunk) after `wget`.  It is
    safe: only the log output changes.  No fix for exec-form `RUN`.
    """

    code = "LS549"
    name = "wget-without-progress"
    severity = Severity.INFO
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3047",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        for stage in graph.stages:
            for instruction, command in iter_run_commands(ctx.dockerfile, stage.instructions):
                if command.name != "wget" or _quiet_wget(command.args):
                    continue
                if _busybox_wget(graph, stage, instruction):
                    continue
                program = command.argv[0]
                fix = None
                if not instruction.is_json:
                    fix = Fix.safe("Add `--progress=dot:giga`", Edit.insert(program.span.end, " --progress=dot:giga"))
                yield self.report(program.span, "`wget` without `--progress` fills the build log", fix=fix)


# --- LS550 pipefail ---------------------------------------------------------------------------------

# Commands that cannot fail in a way pipefail would catch; `yes` even dies of SIGPIPE, which
# pipefail would turn into a failed build.
_HARMLESS_PRODUCERS = frozenset({"echo", "printf", "yes", "true", ":"})


def _sets_pipefail(command: Command) -> bool:
    return command.name == "set" and "pipefail" in command.args


def _shell_has_pipefail(shell: tuple[str, ...] | None) -> bool:
    return shell is not None and "pipefail" in shell[1:]


def _unprotected_pipe(text: str, script: list[Command]) -> tuple[Command, Command] | None:
    """The first pipe whose failure the script would not see: `a | b` with no `set -o pipefail` before it.

    Not pipes: `|` between the patterns of a `case` arm (`x86_64|aarch64)`).  Pipes that are the
    condition of `if`, `while` or `until` are left out: their status picks a branch, it never
    fails the build.  A pipe inside a command substitution counts where the substitution's status
    is the command's: the value of a bare assignment (`arch="$(dpkg … | awk …)"`).
    """
    in_case = 0
    for index, command in enumerate(script):
        if _sets_pipefail(command):
            return None
        in_case += (command.name == "case") - (command.name == "esac")
        if command.name is None:
            found = _pipe_in_assignment(text, command)
            if found is not None:
                return found
        if not index or command.operator not in ("|", "|&"):
            continue
        following = script[index + 1] if index + 1 < len(script) else None
        if in_case and following is not None and following.operator == ")":
            continue  # a case pattern
        producer = script[index - 1]
        if producer.name in _HARMLESS_PRODUCERS or _is_condition(text, script, index - 1):
            continue
        return producer, command
    return None


def _pipe_in_assignment(text: str, command: Command) -> tuple[Command, Command] | None:
    """An unprotected pipe inside the `$(…)` or backquotes of a bare assignment's values.

    `x="$(a | b)"` has the status of the substitution, so with pipefail a failure of `a` fails it;
    in `echo "$(a | b)"` or `export x="$(a | b)"` the command's own status hides it either way.
    """
    for word in command.words:
        for inner in substitutions(word):
            found = _unprotected_pipe(text, inner)
            if found is not None:
                return found
    return None


def _is_condition(text: str, script: list[Command], index: int) -> bool:
    """Whether the command at `index` directly follows `if`, `elif`, `while`, `until` or `!`."""
    start = script[index - 1].span.end if index else max(script[index].span.start - 40, 0)
    before = text[start : script[index].span.start].split()
    return bool(before) and before[-1] in ("if", "elif", "while", "until", "!")


def _windows(graph: BuildGraph, stage: Stage) -> bool:
    """A Windows base image, whose default shell is `cmd`, not `/bin/sh`."""
    return builds_on_windows(graph, stage)


def _shell_may_hide(graph: BuildGraph, instruction: Instruction) -> bool:
    """Whether the shell running a shell-form RUN may hide a pipe's failure: a POSIX shell (not
    Windows' default `cmd`) whose `SHELL` does not set `-o pipefail`."""
    shell = shell_in_effect(graph, instruction)
    if _shell_has_pipefail(shell):
        return False
    stage = graph.stage_of(instruction)
    return not (shell is None and stage is not None and _windows(graph, stage))


class PipeWithoutPipefail(Rule):
    """A pipe in a `RUN` whose shell does not fail when the pipe's first command fails.

    ## What it does
    Flags a `RUN` with a pipe (`curl … | tar x`) when nothing makes the shell report a failure of a
    command before the last one.  It is satisfied by `-o pipefail` in the stage's `SHELL` (inherited
    through `FROM <stage>`) or by `set -o pipefail` (also `set -euo pipefail`) earlier in the same
    script, on the `RUN` line or in a heredoc body, which hadolint misses (hadolint#1137, #806).
    Pipes fed by `echo`, `printf` or `yes` are not flagged: they cannot fail that way, and with
    pipefail `yes | …` would even fail the build.  Nor are pipes that are the condition of `if`,
    `while` or `until` (their status picks a branch), the `|` between `case` patterns, and
    non-POSIX shells (PowerShell, and `cmd`, the default shell of Windows images).

    A pipe inside a command substitution is flagged where pipefail would change the result: in
    the value of a bare assignment (`arch="$(dpkg --print-architecture | awk …)"`), whose status is
    the substitution's.  In an argument (`echo "$(a | b)"`, `export x="$(a | b)"`, `for f in $(…)`)
    the command's own status hides the pipe's either way, so it is not flagged (hadolint flags
    every pipe it sees).  An exec-form `RUN ["sh", "-c", "a | b"]` runs without the `SHELL`, so its
    script is checked on its own: only `set -o pipefail` in the script protects it.

    ## Why is this bad?
    A pipeline's status is its last command's: `curl -fsSL $URL | tar xz` succeeds when the download
    fails and `tar` reads nothing, and the build goes on with a broken image.

    ## Fix safety
    The fix starts the `RUN`'s command line with `set -o pipefail && ` where the shell is known to
    support it: a `SHELL` running bash, zsh, ksh or ash, or the default `/bin/sh` of Alpine and
    BusyBox bases (BusyBox ash) and of Debian 13 "trixie" or Ubuntu 25.04 and later, whose dash
    carries Debian's pipefail patch (dash 0.5.12-7; bookworm's and Ubuntu 24.04's dash reject
    `set -o pipefail`).  Elsewhere use `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`.  Heredoc
    scripts and exec-form RUNs get no fix.  The fix is
    unsafe: a pipe that fails now fails the build, which is the point but changes the result.
    """

    code = "LS550"
    name = "pipe-without-pipefail"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL4006",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        for instruction in ctx.dockerfile.instructions:
            if instruction.keyword != "RUN" or not (instruction.is_json or _shell_may_hide(graph, instruction)):
                continue
            for script in scripts(ctx.dockerfile, instruction):
                found = _unprotected_pipe(ctx.text, script)
                if found is None:
                    continue
                producer, consumer = found
                fix = None
                if not (script[0].in_heredoc or instruction.is_json) and shell_supports_pipefail(graph, instruction):
                    assert instruction.rest is not None
                    fix = Fix.unsafe(
                        "Start the command with `set -o pipefail && `",
                        Edit.insert(instruction.rest.span.start, "set -o pipefail && "),
                    )
                yield self.report(
                    producer.span.cover(consumer.span),
                    f"Pipe without `pipefail`: a failure of `{producer.name}` goes unnoticed",
                    fix=fix,
                )
                break


# --- LS551 commands that make no sense in a build -------------------------------------------------

_ALWAYS_POINTLESS = {
    "shutdown": "there is no system to shut down in a build",
    "reboot": "there is no system to reboot in a build",
    "halt": "there is no system to halt in a build",
    "poweroff": "there is no system to power off in a build",
    "vim": "an interactive editor cannot run in a build",
    "vi": "an interactive editor cannot run in a build",
    "nano": "an interactive editor cannot run in a build",
    "top": "an interactive monitor cannot run in a build",
    "htop": "an interactive monitor cannot run in a build",
    "free": "it only prints the build machine's memory",
    "ifconfig": "it shows or changes the build container's network, which the image does not keep",
    "mount": "mounts do not persist into the image (use `RUN --mount`)",
    "ssh": "an interactive remote login has no place in a build",
}
_PROCESS_COMMANDS = frozenset({"kill", "ps", "pkill", "killall"})


def _starts_background_job(commands: tuple[Command, ...]) -> bool:
    return any(command.operator == "&" for command in commands)


def _pointless(command: Command, commands: tuple[Command, ...], is_last: bool) -> str | None:
    name = command.name or ""
    if name in _ALWAYS_POINTLESS:
        if name == "ssh" and any((arg.startswith("-") and "T" in arg) or arg == "-V" for arg in command.args):
            return None  # `ssh -T git@github.com` checks access; `ssh -V` prints the version
        return _ALWAYS_POINTLESS[name]
    if name in _PROCESS_COMMANDS and not _starts_background_job(commands):
        return "no process of this build runs for it to act on"
    if name in ("service", "systemctl") and is_last and any(arg in ("start", "restart") for arg in command.args):
        return "a service started at the end of a `RUN` stops with it; start it in `CMD` or `ENTRYPOINT`"
    return None


class ContainerUnfriendlyCommand(Rule):
    """A command that makes no sense in an image build (`vim`, `shutdown`, `service … start`).

    ## What it does
    Flags, where a `RUN` runs them as programs (not where they are package names, as in
    `apt-get install vim`): `shutdown`, `reboot`, `halt`, `poweroff`, interactive programs (`vim`,
    `vi`, `nano`, `top`, `htop`, `ssh` except `ssh -T`/`-V`), `free`, `ifconfig`, `mount`; `kill`,
    `ps`, `pkill` and `killall` unless the same `RUN` starts a background job (`server & … kill
    $!` is a legitimate way to seed a database during the build); and `service X start` or
    `systemctl start X` as the last command of a `RUN`, where the service dies with the `RUN`
    (`service mysql start && mysql < init.sql` uses it and is fine).

    ## Why is this bad?
    A build step is a short-lived container with no init system, no terminal and no running
    services: these commands fail, hang, or do nothing that the image keeps, and usually show an
    expectation that the image behaves like a virtual machine.
    """

    code = "LS551"
    name = "container-unfriendly-command"
    severity = Severity.INFO
    aliases = ("DL3001",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for instruction in ctx.dockerfile.instructions:
            if instruction.keyword != "RUN":
                continue
            commands = shell_commands(ctx.dockerfile, instruction)
            for script in scripts(ctx.dockerfile, instruction):
                for position, command in enumerate(script):
                    reason = _pointless(command, commands, position == len(script) - 1)
                    if reason is not None:
                        yield self.report(command.argv[0].span, f"`{command.name}` in a `RUN`: {reason}")


# --- LS552 useradd ----------------------------------------------------------------------------------

# lastlog and faillog are sparse files indexed by UID (292 and 32 bytes a UID on glibc); image layers
# store them in full, so a UID of 100000 adds ~30 MB.  hadolint uses the same threshold.
_HIGH_UID = 100_000
_USERADD_VALUE_LETTERS = "bcdefgGkKpPRsuZ"


def _uid_word(command: Command) -> Word | None:
    argv = command.argv
    for index, word in enumerate(argv[1:], start=1):
        value = word.value
        if value.startswith("--uid="):
            return word
        if value in ("-u", "--uid") and index + 1 < len(argv):
            return argv[index + 1]
        letters = value[1:] if value.startswith("-") and not value.startswith("--") else ""
        for position, letter in enumerate(letters):
            if letter == "u":
                return word if position + 1 < len(letters) else (argv[index + 1] if index + 1 < len(argv) else None)
            if letter in _USERADD_VALUE_LETTERS:
                break
    return None


def _uid_value(graph: BuildGraph, instruction: Instruction, word: Word) -> int | None:
    value = word.value
    for prefix in ("--uid=", "-u"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    resolved = graph.resolve(value, instruction)
    return int(resolved.value) if resolved.complete and resolved.value.isdigit() else None


class UseraddWithoutNoLogInit(Rule):
    """`useradd` with a high UID and without `--no-log-init` bloats the image.

    ## What it does
    Flags `useradd` given a UID of 100000 or more (also through an `ARG` or `ENV` default) without
    `-l`/`--no-log-init`.

    ## Why is this bad?
    `useradd` records the user in `/var/log/lastlog` and `/var/log/faillog`, files indexed by UID:
    sparse on disk, but image layers store them in full, so a UID of 100000 adds tens of
    megabytes of zeros (and a UID in the millions, gigabytes).  `--no-log-init` skips them.

    ## Fix safety
    The fix inserts `--no-log-init` after `useradd`.  It is safe: only the login records are
    not initialised, which a container does not use.  No fix for exec-form `RUN`.
    """

    code = "LS552"
    name = "useradd-without-no-log-init"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3046",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        for instruction, command in iter_run_commands(ctx.dockerfile, ctx.dockerfile.instructions):
            if command.name != "useradd" or has_option(command.args, ("--no-log-init",), "l", _USERADD_VALUE_LETTERS):
                continue
            word = _uid_word(command)
            uid = None if word is None else _uid_value(graph, instruction, word)
            if uid is None or uid < _HIGH_UID:
                continue
            program = command.argv[0]
            fix = None
            if not instruction.is_json:
                fix = Fix.safe("Add `--no-log-init`", Edit.insert(program.span.end, " --no-log-init"))
            message = f"`useradd` with UID {uid} without `--no-log-init` bloats the image"
            yield self.report(program.span, message, fix=fix)

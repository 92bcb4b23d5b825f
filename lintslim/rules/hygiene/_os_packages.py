"""Reading OS package-manager commands (apt-get, apt, apk, yum, dnf, microdnf, zypper) once.

`package_commands(dockerfile, instruction)` gives, for every command of a RUN that runs one of those
managers, the manager, its subcommand, its options (short clusters such as `-qy` split into `-q` and
`-y`, `--name=value` split at `=`, option values taken from the next word where the option needs
one) and the operand words after the subcommand, each with its exact source span.  The LS53x rules
share the result through the document's memo.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Iterator

from lintslim.engine.fixes import Edit
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.shell import POSIX_SHELLS, Command, Word, shell_commands, split_commands
from lintslim.syntax.source import Span
from lintslim.syntax.stages import BuildGraph, Stage, cache_mount_targets, under_any

# Program base names, and the manager each one is (dnf5 and dnf-3 read their arguments as dnf does).
MANAGERS = {
    "apt-get": "apt-get", "apt": "apt", "apk": "apk", "yum": "yum", "dnf": "dnf", "dnf5": "dnf", "dnf-3": "dnf",
    "microdnf": "microdnf", "zypper": "zypper",
}  # fmt: skip

# Options whose value is the next word when not written `--name=value` or `-Xvalue`.  Taken from each
# tool's manual page (apt-get(8), apk(8), yum(8), dnf(8), microdnf --help, zypper(8)).
_APT_VALUES = frozenset(
    {"-o", "--option", "-c", "--config-file", "-t", "--target-release", "--default-release", "-a",
     "--host-architecture", "-P", "--build-profiles", "--solver"}
)  # fmt: skip
_APK_VALUES = frozenset(
    {"-X", "--repository", "-p", "--root", "-t", "--virtual", "--arch", "--cache-dir", "--keys-dir",
     "--repositories-file", "--cache-max-age", "--timeout", "--from"}
)  # fmt: skip
_RPM_VALUES = frozenset(
    {"-c", "--config", "-d", "--debuglevel", "-e", "--errorlevel", "-R", "--randomwait", "--installroot",
     "--enablerepo", "--disablerepo", "-x", "--exclude", "--setopt", "--releasever", "--repo", "--repoid",
     "--disableplugin", "--enableplugin", "--forcearch", "--color", "--rpmverbosity", "--downloaddir",
     "--destdir", "--comment", "--repofrompath", "--advisory", "--advisories", "--bz", "--cve", "--sec-severity"}
)  # fmt: skip
# zypper's global options (before the subcommand) and those of its install-like subcommands.
_ZYPPER_GLOBAL_VALUES = frozenset(
    {"-c", "--config", "-R", "--root", "-D", "--reposd-dir", "-C", "--cache-dir", "--raw-cache-dir",
     "--solv-cache-dir", "--pkg-cache-dir", "--userdata", "--installroot"}
)  # fmt: skip
_ZYPPER_COMMAND_VALUES = frozenset({"-t", "--type", "-r", "--repo", "--from", "-p", "--plus-repo", "--plus-content"})
_VALUES = {
    "apt-get": (_APT_VALUES, _APT_VALUES),
    "apt": (_APT_VALUES, _APT_VALUES),
    "apk": (_APK_VALUES, _APK_VALUES),
    "yum": (_RPM_VALUES, _RPM_VALUES),
    "dnf": (_RPM_VALUES, _RPM_VALUES),
    "microdnf": (_RPM_VALUES, _RPM_VALUES),
    "zypper": (_ZYPPER_GLOBAL_VALUES, _ZYPPER_COMMAND_VALUES),
}
# yum/dnf subcommands that take an action word next (`dnf group install`, `yum module enable`).
_RPM_GROUPS = frozenset({"group", "groups", "module"})
# Words in a variable name that say the variable holds options rather than packages.
_OPTION_VARIABLE_HINTS = ("OPT", "ARG", "FLAG", "PARAM")


class Option:
    """One option: `name` as written (`-y`, `--assume-yes`), its value, the word it came from and
    whether it came before the subcommand (zypper's global options must)."""

    __slots__ = ("global_", "name", "value", "word")

    def __init__(self, name: str, value: str | None, word: Word, global_: bool) -> None:
        self.name = name
        self.value = value
        self.word = word
        self.global_ = global_


class PackageCommand:
    """A package-manager command: which manager, subcommand, options and operands (words after the
    subcommand that are not options), and where it is among the RUN's commands."""

    __slots__ = ("command", "manager", "operands", "options", "position", "subcommand")

    def __init__(
        self,
        command: Command,
        position: int,
        manager: str,
        subcommand: Word | None,
        options: tuple[Option, ...],
        operands: tuple[Word, ...],
    ) -> None:
        self.command = command
        self.position = position
        self.manager = manager
        self.subcommand = subcommand
        self.options = options
        self.operands = operands

    @property
    def action(self) -> str:
        """The subcommand's value; for `dnf group install` / `yum module install`, `group install`."""
        if self.subcommand is None:
            return ""
        action = self.subcommand.value
        if self.manager in ("yum", "dnf", "microdnf") and action in _RPM_GROUPS and self.operands:
            return f"{action} {self.operands[0].value}"
        return action

    @property
    def program(self) -> str:
        """The program's name as run (`dnf5`, `dnf-3`), for messages: `manager` groups it with `dnf`."""
        return self.command.name or self.manager

    @property
    def packages(self) -> tuple[Word, ...]:
        """The operands naming what to install (past `group install` / `module install`'s action word)."""
        if " " in self.action:
            return self.operands[1:]
        return self.operands

    def has(self, *names: str) -> bool:
        return any(option.name in names for option in self.options)

    def values(self, *names: str) -> list[str]:
        return [option.value for option in self.options if option.name in names and option.value is not None]

    def count(self, name: str) -> int:
        return sum(1 for option in self.options if option.name == name)

    @property
    def dynamic_options(self) -> bool:
        """Whether a variable word may carry options (`$APT_OPTS`, `${DNF_ARGS}`): then we cannot tell."""
        return any(is_dynamic(word) and _names_options(word.raw) for word in self.command.argv[1:])

    @property
    def head(self) -> Span:
        """From the program word to the subcommand word: `apt-get install` (what most findings point at)."""
        program = self.command.argv[0].span
        if self.subcommand is None:
            return program
        return program.cover(self.subcommand.span)


def is_dynamic(word: Word) -> bool:
    """Whether the shell computes the word (a variable, a substitution, a glob): its value is unknown."""
    raw = word.raw
    return "$" in raw or "`" in raw


def _names_options(raw: str) -> bool:
    upper = raw.upper()
    return any(hint in upper for hint in _OPTION_VARIABLE_HINTS)


def parse_package_command(command: Command, position: int = 0) -> PackageCommand | None:
    """`command` read as a package-manager command, or None when it runs another program."""
    if command.name is None:
        return None
    manager = MANAGERS.get(command.name)
    if manager is None:
        return None
    before, after = _VALUES[manager]
    words = command.argv[1:]
    options: list[Option] = []
    operands: list[Word] = []
    subcommand: Word | None = None
    index, ended = 0, False
    while index < len(words):
        word = words[index]
        text = word.value
        if ended or not text.startswith("-") or text == "-" or word.raw.startswith("$"):
            if subcommand is None:
                subcommand = word
            else:
                operands.append(word)
        elif text == "--":
            ended = True
        else:
            takes_value = before if subcommand is None else after
            following = words[index + 1].value if index + 1 < len(words) else None
            parsed, used_next = _read_option(text, takes_value, following)
            options.extend(Option(name, value, word, subcommand is None) for name, value in parsed)
            index += used_next
        index += 1
    return PackageCommand(command, position, manager, subcommand, tuple(options), tuple(operands))


def _read_option(
    text: str, takes_value: frozenset[str], following: str | None
) -> tuple[list[tuple[str, str | None]], int]:
    """The (name, value) pairs of one option word, and 1 when the value was the next word."""
    if text.startswith("--"):
        name, equals, value = text.partition("=")
        if equals:
            return [(name, value)], 0
        if name in takes_value and following is not None:
            return [(name, following)], 1
        return [(name, None)], 0
    pairs: list[tuple[str, str | None]] = []
    for position in range(1, len(text)):
        name = "-" + text[position]
        rest = text[position + 1 :]
        if rest.startswith("="):  # `-q=2`
            pairs.append((name, rest[1:]))
            return pairs, 0
        if name in takes_value:
            if rest:
                pairs.append((name, rest))
                return pairs, 0
            pairs.append((name, following))
            return pairs, 0 if following is None else 1
        pairs.append((name, None))
    return pairs, 0


def package_commands(dockerfile: Dockerfile, instruction: Instruction) -> tuple[PackageCommand, ...]:
    """The package-manager commands of a RUN, in order (memoised: every LS53x rule asks)."""
    key = ("os-package-commands", instruction.index)
    found = dockerfile.memo.get(key)
    if found is None:
        found = dockerfile.memo[key] = tuple(
            parsed
            for position, command in enumerate(shell_commands(dockerfile, instruction))
            if (parsed := parse_package_command(command, position)) is not None
        )
    assert isinstance(found, tuple)
    return found


def run_instructions(dockerfile: Dockerfile) -> tuple[Instruction, ...]:
    """The RUN instructions of the file (ONBUILD triggers left out: they run in another build)."""
    return tuple(item for item in dockerfile.instructions if item.keyword == "RUN")


# --- paths: cache mounts and removals ----------------------------------------------------------


def _covers(directory: str, path: str) -> bool:
    """Whether `path` is `directory` or inside it (both absolute, normalised)."""
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def mounted_over(graph: BuildGraph, instruction: Instruction, paths: Iterable[str]) -> bool:
    """Whether the RUN mounts a cache or a tmpfs at one of `paths` or a directory holding it: what the
    commands write there then stays out of the layer."""
    targets = cache_mount_targets(graph, instruction)
    return any(under_any(path, targets) for path in paths)


def with_nested(commands: Iterable[Command]) -> Iterator[Command]:
    """The commands, and those of the scripts they give a shell (`sudo bash -c "… && rm -rf …"`)."""
    for command in commands:
        yield command
        if command.name in POSIX_SHELLS and len(command.argv) > 2 and command.argv[1].value == "-c":
            yield from split_commands(command.argv[2].value, _whole(command.argv[2].span))


def _whole(span: Span) -> Callable[[int, int], Span]:
    """Spans of words inside a quoted script map to the whole quoted word (its escapes blur offsets)."""
    return lambda start, end: span


def removes(command: Command, directory: str) -> bool:
    """Whether `command` is an `rm` that empties or deletes `directory` (`rm -rf /var/lib/apt/lists/*`,
    or a directory above it)."""
    if command.name != "rm":
        return False
    for word in command.argv[1:]:
        value = word.value
        if value.startswith("-") or not value.startswith("/"):
            continue
        if value.endswith("/*"):
            value = value[:-2]
        if "*" in value or "?" in value or "[" in value:
            continue
        if _covers(posixpath.normpath(value), directory):
            return True
    return False


# --- the stage chain -----------------------------------------------------------------------------


def stage_chain_runs(graph: BuildGraph, stage: Stage, before: Instruction) -> tuple[Instruction, ...]:
    """The RUN instructions of the stage's chain that come before `before`, in build order."""
    return tuple(
        item for item in graph.chain_instructions(stage) if item.keyword == "RUN" and item.index < before.index
    )


def apt_config_written(dockerfile: Dockerfile, graph: BuildGraph, instruction: Instruction, key: str) -> bool:
    """Whether a RUN earlier in the stage chain (or an earlier command of this RUN) writes the apt
    setting `key` (`APT::Install-Recommends`) as false, or `true` for `APT::Get::Assume-Yes`
    (`echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/…`).

    Asked for every apt-get command, so the RUNs that write a key are found once per stage.
    """
    stage = graph.stage_of(instruction)
    if stage is None:
        return False
    wanted = key.lower()
    first = _first_apt_config_run(dockerfile, stage, wanted)
    if 0 <= first <= instruction.index:
        return True
    return _apt_config_inherited(dockerfile, graph, stage, wanted)


def _apt_config_inherited(dockerfile: Dockerfile, graph: BuildGraph, stage: Stage, key: str) -> bool:
    """Whether a stage the given one builds on (`FROM <stage>`) writes the apt setting `key`.

    Memoised per stage and filled for every stage walked: one walk for a long chain, not one per RUN.
    """
    walked: list[tuple[str, str, int]] = []
    answer = False
    current = stage
    while len(walked) <= len(graph.stages):  # a bound, should a chain ever loop
        memo_key = ("apt-config-inherited", key, current.index)
        known = dockerfile.memo.get(memo_key)
        if isinstance(known, bool):
            answer = known
            break
        walked.append(memo_key)
        if current.base_stage is None:
            break
        current = graph.stages[current.base_stage]
        if _first_apt_config_run(dockerfile, current, key) >= 0:
            answer = True
            break
    for memo_key in walked:
        dockerfile.memo[memo_key] = answer
    return answer


def _first_apt_config_run(dockerfile: Dockerfile, stage: Stage, key: str) -> int:
    """The index of the stage's first RUN that writes the apt setting `key` (lower case); -1 for none."""
    memo_key = ("apt-config-run", key, stage.index)
    found = dockerfile.memo.get(memo_key)
    if not isinstance(found, int):
        value = "true" if key.endswith("assume-yes") else "false"
        found = next((item.index for item in stage.instructions if _writes(dockerfile, item, key, value)), -1)
        dockerfile.memo[memo_key] = found
    return found


def _writes(dockerfile: Dockerfile, instruction: Instruction, key: str, value: str) -> bool:
    if instruction.keyword != "RUN":
        return False
    for command in shell_commands(dockerfile, instruction):
        for word in command.argv[1:]:
            text = word.value.lower()
            if key in text and _sets(text, key, value):
                return True
    return False


def _sets(text: str, key: str, value: str) -> bool:
    tail = text[text.index(key) + len(key) :].lstrip(' "=\t')
    opposite = {"true": ("1", "yes", "on"), "false": ("0", "no", "off")}[value]
    return tail.startswith(value) or tail.startswith(opposite)


# --- fixes ----------------------------------------------------------------------------------------


def insert_after(instruction: Instruction, word: Word, text: str) -> Edit | None:
    """An edit adding `text` just after `word`, or None where its span cannot take it (exec form)."""
    if instruction.is_json:
        return None
    return Edit.insert(word.span.end, text)


def append_to_run(dockerfile: Dockerfile, instruction: Instruction, command: str) -> Edit | None:
    """An edit running `command` after everything else of a plain shell-form RUN (not exec form, no
    heredoc, nothing but blanks after its last command: no `fi`, `)`, `&`, `;` or comment to get
    past).  A RUN written over several lines gets a new line in the style of its last one."""
    if instruction.is_json or instruction.heredocs or instruction.rest is None:
        return None
    commands = shell_commands(dockerfile, instruction)
    if not commands or commands[-1].in_heredoc:
        return None
    text = dockerfile.text
    end = commands[-1].span.end
    if text[end : instruction.rest.span.end].strip(" \t"):
        return None
    if instruction.start_line == instruction.end_line:
        return Edit.insert(end, f" && {command}")
    line_start = text.rfind("\n", 0, end) + 1
    line = text[line_start:end]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    newline = "\r\n" if text.startswith("\r\n", text.find("\n", line_start) - 1) else "\n"
    escape = dockerfile.escape
    if line.lstrip(" \t").startswith("&&"):  # `    && apt-get install …` lines
        return Edit.insert(end, f" {escape}{newline}{indent}&& {command}")
    return Edit.insert(end, f" && {escape}{newline}{indent}{command}")

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lintslim.analysis.dependencies import recognise_install
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Option, Rule, RuleContext, Severity
from lintslim.rules._edits import instruction_block, newline_of, removal_span
from lintslim.rules._wording import shortened
from lintslim.syntax.nodes import Dockerfile, Instruction, KeyValue
from lintslim.syntax.shell import Command, shell_commands
from lintslim.syntax.shellwords import referenced_variables
from lintslim.syntax.source import Span

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
# Names of one word (or run together into one) whose value is set per build.
_VOLATILE_WORDS = frozenset(
    {"cachebust", "cachebuster", "cachebusting", "buildtime", "builddate", "buildid", "buildnumber", "timestamp",
     "buildtimestamp", "created"}
)  # fmt: skip
_COMMIT_RUN_TOGETHER = frozenset({"gitsha", "gitcommit", "commitsha", "vcsref", "gitref", "gitrev", "githash"})
_COMMIT_WORDS = frozenset({"commit", "sha", "sha1", "ref", "revision", "rev", "hash"})
_COMMIT_OWNERS = frozenset(
    {"git", "vcs", "source", "src", "ci", "build", "commit", "head", "repo", "app", "image", "github", "code",
     "project", "release", "scm", "bitbucket", "gitlab", "circle", "travis", "docker"}
)  # fmt: skip
_TIME_WORDS = frozenset({"date", "time", "timestamp", "datetime"})
_TIME_OWNERS = frozenset({"build", "created", "creation", "image", "cache", "commit", "git", "release"})
_COUNTER_WORDS = frozenset({"id", "number", "num"})
_COUNTER_OWNERS = frozenset({"build", "pipeline", "run", "job", "workflow"})
_VERSION_NAMES = frozenset(
    {"version", "app version", "build version", "image version", "release version", "project version",
     "service version", "application version", "docker tag", "image tag", "build tag", "git tag", "git describe"}
)  # fmt: skip
# A default that pins a release or a commit: the value changes only when someone edits it.
_PINNED = re.compile(r"v?\d+(\.\d+)+([-+~][0-9A-Za-z.+~-]+)?|[0-9a-fA-F]{7,128}")
_PLACEHOLDER = re.compile(r"v?0+(\.0+)*([-+~].*)?")


def _words(name: str) -> list[str]:
    return [word.lower() for part in re.split(r"[^A-Za-z0-9]+", name) for word in _WORD.findall(part)]


def is_cache_buster(name: str) -> bool:
    """A name made to bust the cache on purpose (`CACHEBUST`, `CACHE_DATE`, `TIMESTAMP`)."""
    words = _words(name)
    return "cache" in words or any("bust" in word for word in words) or words in (["timestamp"], ["date"], ["now"])


def is_volatile(name: str, default: str | None) -> bool:
    """Whether an ARG's name says its value is set per build (a commit, a date, a build number, a version).

    Versions and commits count only without a default or with a placeholder one: `ARG VERSION=1.4.2`
    pins a release, which changes when someone edits it, not when the build passes it.
    """
    words = _words(name)
    if not words:
        return False
    last, first = words[-1], words[0]
    cache_bust = "cache" in words and any(word.startswith("bust") for word in words)
    if cache_bust or (len(words) == 1 and last in _VOLATILE_WORDS):
        return True
    if last in _TIME_WORDS and (len(words) == 1 or first in _TIME_OWNERS):
        return True
    if last in _COUNTER_WORDS and len(words) >= 2 and words[-2] in _COUNTER_OWNERS:
        return True
    commit = last in _COMMIT_WORDS and (len(words) == 1 or first in _COMMIT_OWNERS)
    commit = commit or last in _COMMIT_RUN_TOGETHER
    if commit or " ".join(words) in _VERSION_NAMES:
        value = (default or "").strip("\"'")
        return not _PINNED.fullmatch(value) or bool(_PLACEHOLDER.fullmatch(value))
    return False


# --- which RUN steps are costly, and which may read a variable without naming it -----------------

_SYSTEM_MANAGERS = {
    "apt-get": frozenset({"install", "upgrade", "dist-upgrade", "update", "build-dep", "full-upgrade"}),
    "apt": frozenset({"install", "upgrade", "update", "full-upgrade"}),
    "aptitude": frozenset({"install", "update", "upgrade"}),
    "apk": frozenset({"add", "upgrade", "update"}),
    "yum": frozenset({"install", "update", "upgrade", "groupinstall", "makecache"}),
    "dnf": frozenset({"install", "update", "upgrade", "groupinstall", "makecache"}),
    "microdnf": frozenset({"install", "update", "upgrade"}),
    "tdnf": frozenset({"install", "update", "upgrade"}),
    "zypper": frozenset({"install", "in", "update", "up", "refresh", "ref"}),
}
_LANGUAGE_INSTALLERS = {
    "pip": frozenset({"install", "download", "wheel"}),
    "npm": frozenset({"install", "i", "ci"}),
    "yarn": frozenset({"add", "install", "global"}),
    "pnpm": frozenset({"add", "install", "i"}),
    "gem": frozenset({"install"}),
    "go": frozenset({"install", "get"}),
    "cargo": frozenset({"install"}),
    "conda": frozenset({"install", "create"}),
    "mamba": frozenset({"install", "create"}),
    "micromamba": frozenset({"install", "create"}),
}
_DOWNLOADERS = frozenset({"curl", "wget"})
_GIT_FETCHES = frozenset({"clone", "fetch", "pull", "submodule"})
# Programs that do not read arbitrary environment variables: moving an ARG past them changes nothing.
_PLAIN_PROGRAMS = frozenset(
    {"mkdir", "rm", "rmdir", "ln", "chmod", "chown", "chgrp", "cp", "mv", "touch", "tar", "unzip", "gunzip",
     "gzip", "xz", "echo", "printf", "true", "false", ":", "set", "export", "cd", "useradd", "groupadd", "adduser",
     "addgroup", "usermod", "ls", "cat", "grep", "sed", "awk", "find", "sort", "head", "tail", "tee", "test", "[",
     "update-ca-certificates", "ldconfig", "locale-gen", "localedef", "sha256sum", "sha512sum", "md5sum",
     "gpg", "dpkg", "rpm", "which", "id", "sleep", "install", "git", "curl", "wget", "update-alternatives",
     "dpkg-reconfigure", "corepack"}
)  # fmt: skip


def _program(command: Command) -> str:
    name = command.name or ""
    if re.fullmatch(r"pip\d*(\.\d+)*", name):
        return "pip"
    if re.fullmatch(r"python\d*(\.\d+)*", name) and command.args[:2] == ("-m", "pip"):
        return "pip"
    return name


def _verb(command: Command) -> str | None:
    args = [arg for arg in command.args if not arg.startswith("-")]
    if _program(command) == "pip" and args[:1] == ["pip"]:
        args = args[1:]
    return args[0] if args else None


def is_costly(command: Command) -> bool:
    """A command worth its cache: package installs, dependency installs, downloads, clones."""
    program = _program(command)
    verb = _verb(command)
    if program in _SYSTEM_MANAGERS:
        return verb in _SYSTEM_MANAGERS[program]
    if program in _LANGUAGE_INSTALLERS:
        return verb in _LANGUAGE_INSTALLERS[program] or recognise_install(command) is not None
    if program in _DOWNLOADERS:
        return True
    if program == "git":
        return verb in _GIT_FETCHES
    return recognise_install(command) is not None


def reads_hidden_variables(command: Command) -> bool:
    """Whether a command may read an environment variable it does not name (a script, a build tool)."""
    program = _program(command)
    if command.name is None or program in _PLAIN_PROGRAMS or program in _SYSTEM_MANAGERS:
        return False
    install = recognise_install(command)
    if install is not None:
        return install.whole_project  # the project's own build may stamp a version from the environment
    return program not in _LANGUAGE_INSTALLERS


# --- the rule -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """Where an ARG can go: before `instruction` (None: the end of the stage), taking `labels` along.

    LABELs that use the variable move with it: where a LABEL stands does not change the image.
    """

    instruction: Instruction | None
    why: str  # "uses", "may read" (a RUN that may read it unnamed), "after" (the last RUN) or "end"
    skipped: tuple[Instruction, ...]  # the instructions the ARG moves past
    labels: tuple[Instruction, ...] = ()


class CacheBustingArg(Rule):
    """An `ARG` usually set per build (a commit, a date, a version) comes before costly steps that do not use it.

    ## What it does
    Finds `ARG` instructions in a stage whose name says the value is usually set per build: a commit
    (`GIT_COMMIT`, `GIT_SHA`, `VCS_REF`, `SOURCE_COMMIT`), a date or time (`BUILD_DATE`,
    `TIMESTAMP`), a build counter (`BUILD_ID`, `BUILD_NUMBER`, `GITHUB_RUN_ID`), a version of the
    image itself (`VERSION`, `APP_VERSION`, `IMAGE_TAG`) or a cache buster (`CACHEBUST`).  A commit
    or version with a pinned default (`ARG VERSION=1.4.2`, `ARG GIT_SHA=3f2c1a9`, a checksum) is
    not volatile; neither is `SOURCE_DATE_EPOCH`, which is meant to reach every step.  The option
    `volatile-names` adds names.

    It reports such an `ARG` when a costly `RUN` (a package or dependency install, a download, a
    `git clone`) comes after it, before the first instruction other than a `LABEL` that uses the
    variable.  A `RUN` that may read the variable without naming it (a script, `make`, a compiler, a
    build tool) counts as a use.  A cache buster that nothing names (`ARG CACHEBUST` before
    `RUN git clone …`) is there on purpose, to re-run the step after it, and is left alone.  Only
    stages that reach the final image are checked, and only `ARG`s declared in the stage: a global
    `ARG` before `FROM` does not reach `RUN` steps unless a stage declares it again.  An `ARG`
    without a default changes nothing while the build does not pass it; names like these are
    usually passed, so it is reported all the same.

    ## Why is this bad?
    Every `RUN` after an `ARG` gets the variable in its environment, and its cache key includes the
    value.  When the value changes on every build (`--build-arg GIT_COMMIT=$(git rev-parse HEAD)`),
    every `RUN` after the `ARG` misses the cache: package installs and downloads run again on each
    build.  Declared just before its first use, the `ARG` leaves the steps before it cached.

    ## Fix safety
    The fix moves the `ARG` line to just before the instruction that first names the variable or
    may read it; when nothing does, to just after the last `RUN` of the stage (or its end).
    Consecutive `ARG` lines going to the same place move together; the comment lines directly above
    an `ARG` move with it, except a comment above a run of `ARG` lines that do not all move.
    `LABEL`s that use the variable on the way move with it (the label-schema pattern: `ARG
    BUILD_DATE` and `LABEL build-date=$BUILD_DATE` at the top of the stage): a label means the same
    wherever it stands, unless another `LABEL` it moves past sets the same key, and then there is no
    fix.  Only the steps the `ARG` moves past stop seeing the variable; none of them names it, and
    steps that could read it from the environment without naming it stop the move.  It is unsafe
    all the same: a package manager or a dependency's install script could still read a variable
    such as `VERSION` from the environment.  No fix is offered for an `ARG` that declares several
    variables, nor when the default or a moved `LABEL` refers to a variable set between the two
    places.
    """

    code = "LS104"
    name = "cache-busting-arg"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    options = {  # noqa: RUF012 - read-only metadata, as on every rule
        "volatile-names": Option(list, [], "more ARG names whose value is usually set per build"),
    }

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        extra = frozenset(ctx.options.get("volatile-names", []))
        for index in sorted(graph.reaching_final()):
            instructions = graph.stages[index].instructions[1:]
            found = [
                finding
                for position, instruction in enumerate(instructions)
                if instruction.keyword == "ARG"
                for pair in instruction.key_values
                if pair.key.value in extra or is_volatile(pair.key.value, pair.value.value if pair.value else None)
                if (finding := _finding(ctx.dockerfile, instructions, position, pair)) is not None
            ]
            for finding in found:
                fix = _fix(ctx, _group(finding, found, instructions), finding.place, instructions)
                yield self.report(finding.pair.key.span, _message(finding), fix=fix)


@dataclass(frozen=True)
class _Finding:
    arg: Instruction
    pair: KeyValue
    place: _Place
    costly: Instruction  # the first costly RUN the ARG needlessly comes before


def _finding(
    dockerfile: Dockerfile, instructions: tuple[Instruction, ...], position: int, pair: KeyValue
) -> _Finding | None:
    name = pair.key.value
    later = instructions[position + 1 :]
    if is_cache_buster(name) and not any(_names(dockerfile, i, name) for i in later):
        return None  # a deliberate cache buster, for the step after it: which one, its name does not say
    place = _destination(dockerfile, later, name)
    costly = next((i for i in place.skipped if i.keyword == "RUN" and _is_costly_run(dockerfile, i)), None)
    return None if costly is None else _Finding(instructions[position], pair, place, costly)


def _group(finding: _Finding, found: list[_Finding], instructions: tuple[Instruction, ...]) -> list[_Finding]:
    """The findings of the run of consecutive ARG lines around this one that go to the same place."""
    position = instructions.index(finding.arg)
    first = last = position
    while first > 0 and instructions[first - 1].keyword == "ARG":
        first -= 1
    while last + 1 < len(instructions) and instructions[last + 1].keyword == "ARG":
        last += 1
    run = instructions[first : last + 1]
    return [other for other in found if other.arg in run and other.place.instruction is finding.place.instruction]


def _message(finding: _Finding) -> str:
    place, costly = finding.place, finding.costly
    step = shortened(" ".join((costly.rest.value if costly.rest is not None else "").split()))
    carried = " with the `LABEL` that uses it" if len(place.labels) == 1 else " with the `LABEL`s that use it"
    carried = carried if place.labels else ""
    unused = "only `LABEL`s use it: move it with them" if place.labels else "no step uses it: move it"
    if place.instruction is None:
        where = f"{unused} to the end of the stage"
    elif place.why == "after":
        where = f"{unused} after the last `RUN`, before line {place.instruction.start_line}"
    else:
        where = f"declare it{carried} just before line {place.instruction.start_line}, which {place.why} it"
    return (
        f"`ARG {finding.pair.key.value}` is usually set per build and comes before `RUN {step}` "
        f"(line {costly.start_line}), which does not use it but misses the cache each time it changes; {where}"
    )


def _names(dockerfile: Dockerfile, instruction: Instruction, name: str) -> bool:
    """Whether an instruction refers to the variable (`$NAME`, `${NAME…}`, `%NAME%`) or sets it again."""
    if instruction.keyword in ("ARG", "ENV") and any(pair.key.value == name for pair in instruction.key_values):
        return True
    escaped = re.escape(name)
    pattern = rf"\$\{{?{escaped}(?![A-Za-z0-9_])|%{escaped}%|\$env:{escaped}\b"
    return re.search(pattern, dockerfile.text[instruction.span.start : instruction.span.end]) is not None


def _destination(dockerfile: Dockerfile, instructions: tuple[Instruction, ...], name: str) -> _Place:
    """The first instruction, other than a LABEL, that uses the variable or may read it unnamed."""
    labels: list[Instruction] = []
    for position, instruction in enumerate(instructions):
        if _names(dockerfile, instruction, name):
            if instruction.keyword == "LABEL":
                labels.append(instruction)
                continue
            return _Place(instruction, "uses", instructions[:position], tuple(labels))
        if instruction.keyword == "RUN" and _may_read_hidden(dockerfile, instruction):
            return _Place(instruction, "may read", instructions[:position], tuple(labels))
    # Nothing uses it: past the last RUN (and the LABELs it takes along) it busts no cache.
    last = max(
        (i for i, instruction in enumerate(instructions) if instruction.keyword == "RUN" or instruction in labels),
        default=-1,
    )
    if last + 1 < len(instructions):
        return _Place(instructions[last + 1], "after", instructions[: last + 1], tuple(labels))
    return _Place(None, "end", instructions, tuple(labels))


def _may_read_hidden(dockerfile: Dockerfile, instruction: Instruction) -> bool:
    commands = shell_commands(dockerfile, instruction)
    if not commands:
        return True  # exec form of an unknown program, or a shell we do not read
    return any(reads_hidden_variables(command) for command in commands)


def _is_costly_run(dockerfile: Dockerfile, instruction: Instruction) -> bool:
    return any(is_costly(command) for command in shell_commands(dockerfile, instruction))


def _fix(ctx: RuleContext, group: list[_Finding], place: _Place, instructions: tuple[Instruction, ...]) -> Fix | None:
    """Move the ARG lines of the group, and the LABELs they take along, to the place."""
    if any(len(finding.arg.key_values) != 1 for finding in group):
        return None
    arguments = [finding.arg for finding in group]
    labels = {label for finding in group for label in finding.place.labels}
    moved = sorted({*arguments, *labels}, key=lambda instruction: instruction.index)
    target = instructions.index(place.instruction) if place.instruction is not None else len(instructions)
    for instruction in moved:
        passed = [i for i in instructions[instructions.index(instruction) + 1 : target] if i not in moved]
        if not _passes_unchanged(ctx, instruction, passed):
            return None
    text = ctx.text
    newline = newline_of(ctx.dockerfile)
    blocks = [instruction_block(ctx.dockerfile, i, comments=_keeps_comments(i, arguments, instructions)) for i in moved]
    content = "".join(text[block.start : block.end] for block in blocks)
    if not content.endswith("\n"):
        content += newline
    lines = ctx.dockerfile.lines
    if place.instruction is not None:
        offset = instruction_block(ctx.dockerfile, place.instruction).start
    else:
        offset = lines.line_end(instructions[-1].end_line, keep_newline=True)
        if not text[:offset].endswith("\n"):
            content = newline + content.rstrip("\r\n")
    removals = [_short_of(removal_span(text, region), offset) for region in _merged(blocks)]
    edits = [Edit.delete(span) for span in removals] + [Edit.insert(offset, content)]
    names = ", ".join(f"`ARG {finding.pair.key.value}`" for finding in group)
    where = "the end of the stage" if place.instruction is None else f"line {place.instruction.start_line}"
    return Fix.unsafe(f"Move {names} to {where}", *edits)


def _short_of(removal: Span, offset: int) -> Span:
    """A removal that would take the blank line after the stage's last line stops where the moved
    lines go back in (the ARG and its LABEL end the stage, a blank line after them)."""
    return Span(removal.start, offset) if removal.start < offset < removal.end else removal


def _merged(blocks: list[Span]) -> list[Span]:
    """Adjacent blocks as one region, so the blank lines around a run of moved lines are tidied once."""
    regions: list[Span] = []
    for block in blocks:
        if regions and regions[-1].end == block.start:
            regions[-1] = Span(regions[-1].start, block.end)
        else:
            regions.append(block)
    return regions


def _keeps_comments(instruction: Instruction, moved: list[Instruction], instructions: tuple[Instruction, ...]) -> bool:
    """A comment above the first of several ARG lines speaks for all of them: it moves only if they all do."""
    if instruction.keyword != "ARG":
        return True
    position = instructions.index(instruction)
    if position > 0 and instructions[position - 1].keyword == "ARG":
        return True  # not the first of its run: the comment is its own
    run = []
    for following in instructions[position:]:
        if following.keyword != "ARG":
            break
        run.append(following)
    return all(member in moved for member in run)


def _passes_unchanged(ctx: RuleContext, moved: Instruction, passed: list[Instruction]) -> bool:
    """Whether `moved` means the same after `passed`: none sets a variable it uses or a label it sets."""
    words = [part.value for pair in moved.key_values for part in (pair.key, pair.value) if part is not None]
    needed = frozenset().union(*(referenced_variables(word, escape=ctx.dockerfile.escape) for word in words))
    keys = {pair.key.value for pair in moved.key_values} if moved.keyword == "LABEL" else set()
    for instruction in passed:
        declared = {pair.key.value for pair in instruction.key_values}
        if instruction.keyword in ("ARG", "ENV") and needed & declared:
            return False
        if instruction.keyword == "LABEL" and keys & declared:
            return False
    return True

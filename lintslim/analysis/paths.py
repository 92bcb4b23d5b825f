"""Paths in images and in the build context, compared as text, the way BuildKit compares them.

Image paths are absolute once resolved, and cleaned as Go's `filepath.Clean` cleans them
(`/a//b/../c/` is `/a/c`).  Context paths are relative to the context root, `.` being the root
itself (`lintslim.context.build_context.context_path` makes them).
"""

from __future__ import annotations

import re

from lintslim.context.build_context import context_path
from lintslim.context.gopath import clean

# The start of a URL or a git source (`https://…`, `git@host:repo`): something ADD fetches, not a path.
REMOTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|git@")
_WINDOWS_DRIVE = re.compile(r"[A-Za-z]:[\\/]")


def has_glob(path: str) -> bool:
    """Whether a path has a wildcard character (`*`, `?`, `[`)."""
    return any(ch in path for ch in "*?[")


def is_absolute(path: str) -> bool:
    """An absolute image path, POSIX or Windows (`C:\\app`)."""
    return path.startswith("/") or _WINDOWS_DRIVE.match(path) is not None


def join(base: str, path: str) -> str:
    """`path` resolved against the directory `base`, cleaned (`/app` + `./src/` is `/app/src`).

    A Windows path (`C:\\app`) becomes `/C:/app`: absolute, and comparable with its kin.
    """
    if _WINDOWS_DRIVE.match(path):
        path = "/" + path.replace("\\", "/")
    return clean(path if path.startswith("/") else f"{base}/{path}")


def absolute(path: str, cwd: str | None) -> str | None:
    """A POSIX path made absolute against the working directory `cwd`, cleaned; None when it is
    relative and `cwd` is unknown.  (Unlike `join`, it takes `C:\\app` for a relative path.)"""
    if path.startswith("/"):
        return clean(path)
    return None if cwd is None else clean(f"{cwd}/{path}")


def copies_into(destination: str, sources: int) -> bool:
    """Whether a COPY's destination, as written, is a directory its sources go inside: it ends in `/`,
    is `.`, or there are several sources.  (Otherwise it is one only when the image has it as one.)"""
    return destination.endswith("/") or destination == "." or sources > 1


def within(path: str, root: str) -> bool:
    """Whether `path` is `root` or below it."""
    return root in ("/", path) or path.startswith(root.rstrip("/") + "/")


def relative_to(path: str, root: str) -> str:
    """`path` relative to `root` (which contains it): `.` for the root itself."""
    if path == root:
        return "."
    return path[len(root.rstrip("/")) + 1 :]


def context_join(directory: str, relative: str) -> str:
    """A context path below a context directory (`.` being the root)."""
    return context_path(relative if directory == "." else f"{directory}/{relative}")

"""Paths in images and in the build context, compared as text, the way BuildKit compares them.

Image paths are absolute once resolved, and cleaned as Go's `filepath.Clean` cleans them
(`/a//b/../c/` is `/a/c`).  Context paths are relative to the context root, `.` being the root
itself (`lintslim.context.build_context.context_path` makes them).
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

from lintslim.context.build_context import context_path
from lintslim.context.gopath import BadPattern, clean, match, split_wildcards

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


def below_copy_source(path: str, source: str) -> str | None:
    """What of the image path `path` a COPY (or `--mount`) source takes: the part below what it
    names, "" for `path` itself, None when the source does not take it.

    As BuildKit resolves a source (fsutil's `ResolveWildcards`): the components up to the first one
    with a wildcard are literal; the rest is a Go `filepath.Match` pattern matched against the paths
    below them, and a matching directory is taken whole.  `*` and `?` stay within one component and,
    Go's Match having no dotfile rule, `*` matches `.npmrc`.  A bad pattern takes nothing (the build fails).
    """
    literal, wildcard = split_wildcards(source)
    if not within(path, literal):
        return None
    rest = relative_to(path, literal)
    if not wildcard:
        return "" if rest == "." else rest
    if rest == ".":
        return None  # the directory the pattern is matched in is not itself matched
    parts = rest.split("/")
    try:
        for length in range(1, len(parts) + 1):  # shallowest first: a matching directory is taken whole
            if match(wildcard, "/".join(parts[:length])):
                return "/".join(parts[length:])
    except BadPattern:
        return None
    return None


def below_shell_pattern(path: str, pattern: str) -> str | None:
    """What of the image path `path` a shell word `pattern` (an `rm`, `cp` or `mv` operand, made
    absolute) names: the part below the path it matches, "" for `path` itself, None when it matches none.

    A glob is expanded one component at a time, as the shell does: `*`, `?` and `[...]` stay within a
    component and do not match a leading `.` unless the pattern's component starts with one
    (`/root/*` does not name `/root/.npmrc`; `/root/.*` does).  Whether a matched directory's content
    counts (`rm -r`) is the caller's question.
    """
    if not has_glob(pattern):
        return below_copy_source(path, pattern)
    globs = [part for part in pattern.split("/") if part]
    parts = [part for part in path.split("/") if part]
    if len(parts) < len(globs) or pattern.startswith("/") != path.startswith("/"):
        return None
    for glob, part in zip(globs, parts, strict=False):
        if not _shell_component_matches(glob, part):
            return None
    return "/".join(parts[len(globs) :])


def _shell_component_matches(glob: str, name: str) -> bool:
    if not has_glob(glob):
        return glob == name
    if name.startswith(".") and not glob.startswith("."):
        return False  # a leading dot is matched only by a dot
    return fnmatchcase(name, glob.replace("[^", "[!"))  # the shell negates `[^…]` as `[!…]`


def context_join(directory: str, relative: str) -> str:
    """A context path below a context directory (`.` being the root)."""
    return context_path(relative if directory == "." else f"{directory}/{relative}")

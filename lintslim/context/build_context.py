"""The build context directory as a build sees it: the ignore file in force, and what COPY takes.

A `BuildContext` costs nothing until asked: the ignore file is read on first use and the context is
listed once, lazily, breadth first and bounded (MAX_ENTRIES directory entries).  The listing holds
what the build receives (paths the ignore file excludes are left out, and an excluded directory is
not entered unless an exception could bring something below it back, as fsutil does), never
follows symlinks, skips unreadable directories, and lists version-control and dependency
directories (`.git`, `node_modules`...) without entering them.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from lintslim.context.dockerignore import IgnoreError, IgnoreMatcher
from lintslim.context.gopath import BadPattern, clean, match, split_wildcards
from lintslim.files import read_context_file, read_regular

DOCKERIGNORE = ".dockerignore"
MAX_ENTRIES = 50_000
MAX_IGNORE_FILE_BYTES = 1024 * 1024
MAX_LINK_HOPS = 40  # as Linux's limit on symlinks followed in one lookup
OPAQUE_DIRECTORIES = frozenset({".git", ".hg", ".svn", "node_modules", "vendor", "__pycache__", ".venv", ".tox"})


@dataclass(frozen=True)
class Entry:
    """A path of the context (relative, `/`-separated) and what it is (symlinks are never followed)."""

    path: str
    is_dir: bool = False
    is_symlink: bool = False

    @property
    def is_file(self) -> bool:
        return not self.is_dir and not self.is_symlink


@dataclass(frozen=True)
class Listing:
    entries: tuple[Entry, ...]
    complete: bool  # False when the walk stopped at MAX_ENTRIES

    @cached_property
    def by_path(self) -> dict[str, Entry]:
        return {entry.path: entry for entry in self.entries}


@dataclass(frozen=True)
class IgnoreFile:
    """The ignore file in force: its name for messages, and its matcher (None when BuildKit rejects it)."""

    name: str
    matcher: IgnoreMatcher | None
    error: str | None = None


def context_path(source: str) -> str:
    """A COPY source or context path, relative to the context root: `./app/`, `/app` and `app` are `app`."""
    return clean("/" + source)[1:] or "."


class BuildContext:
    """One build context directory, for one Dockerfile (whose `<name>.dockerignore` may apply).

    `pending` holds files a fix will create (relative path to text): they count as present, so the
    rules see the context as it will be once the fixes are written.
    """

    def __init__(
        self, root: Path, dockerfile_path: str | None = None, pending: Mapping[str, str] | None = None
    ) -> None:
        self.root = root
        self.dockerfile_path = dockerfile_path
        self.pending: dict[str, str] = dict(pending or {})
        self._subtrees: dict[str, tuple[Entry, ...]] = {}  # directory -> what `_below` walked there

    def with_pending(self, files: Mapping[str, str]) -> BuildContext:
        """The same context with more files about to be created (a new object: caches start empty)."""
        return BuildContext(self.root, self.dockerfile_path, {**self.pending, **files})

    # --- the directory itself ---------------------------------------------------------------------

    @cached_property
    def _resolved_root(self) -> Path | None:
        try:
            root = self.root.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        return root if root.is_dir() else None

    @property
    def usable(self) -> bool:
        """Whether the context directory exists (without it, nothing can be known)."""
        return self._resolved_root is not None

    def _lstat(self, relative: str) -> os.stat_result | None:
        """lstat of a context path, refusing paths that leave the context through `..` or a symlinked parent."""
        root = self._resolved_root
        path = context_path(relative)
        if root is None or path == ".." or path.startswith("../"):
            return None
        if path == ".":  # the context root itself (its parent is outside the context)
            try:
                return os.lstat(root)
            except OSError:
                return None
        candidate = root / path
        try:
            parent = candidate.parent.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if parent != root and root not in parent.parents:
            return None
        try:
            return os.lstat(candidate)
        except OSError:
            return None

    def link_out_of_context(self, relative: str) -> tuple[str, str] | None:
        """The first symlink on a context path whose target leaves the context, with its target as
        written: (`config`, `/etc/app`) for `config/app.yaml` when `config` points at `/etc/app`.

        Links are resolved by their text only (`os.readlink`), and only paths inside the context are
        ever looked at: what a link points to outside is never opened, listed or even stat'ed.  A
        link to an absolute path inside the context, a loop or a missing component ends the search.
        """
        root = self._resolved_root
        if root is None:
            return None
        parts = [part for part in context_path(relative).split("/") if part not in ("", ".")]
        done: list[str] = []  # the components resolved so far: real directories inside the context
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == "..":
                done.pop()  # only link targets bring `..` here, and an escape returned before
                continue
            current = "/".join([*done, part])
            try:
                if not stat.S_ISLNK(os.lstat(root / current).st_mode):
                    done.append(part)
                    continue
                target = os.readlink(root / current)
            except OSError:
                return None
            hops += 1
            found = _link_target_parts(target, done, root)
            if found is None:
                return current, target
            if hops > MAX_LINK_HOPS or not found[1]:
                return None
            done, parts = found[0], found[2] + parts
        return None

    def exists(self, relative: str) -> bool:
        return context_path(relative) in self.pending or self._lstat(relative) is not None

    def is_dir(self, relative: str) -> bool:
        info = self._lstat(relative)
        return info is not None and stat.S_ISDIR(info.st_mode)

    def mode(self, relative: str) -> int | None:
        """The permission bits of a regular file of the context (`0o755`), which COPY keeps; None for
        anything else, and for a file a fix has yet to create."""
        if context_path(relative) in self.pending:
            return None
        info = self._lstat(relative)
        return stat.S_IMODE(info.st_mode) if info is not None and stat.S_ISREG(info.st_mode) else None

    def read_text(self, relative: str) -> str | None:
        """A context file's text (pending files first); None when missing, outside, too big or binary."""
        path = context_path(relative)
        if path in self.pending:
            return self.pending[path]
        if self._resolved_root is None:
            return None
        return read_context_file(self._resolved_root, path)

    @cached_property
    def top_level(self) -> tuple[str, ...]:
        """The names at the top of the context (whatever the ignore file says), pending files included."""
        names = {path for path in self.pending if "/" not in path}
        root = self._resolved_root
        if root is not None:
            with contextlib.suppress(OSError):
                names.update(entry.name for entry in os.scandir(root))
        return tuple(sorted(names))

    def holds_only_dockerfiles(self) -> bool:
        """True when the directory has nothing but Dockerfiles and ignore files at its top.

        Such a directory is not the context a `COPY .` was written for (the Dockerfile is kept apart
        from its sources, or was checked in alone): rules about the context's content say nothing.
        """
        return self._only_dockerfiles

    @cached_property
    def _only_dockerfiles(self) -> bool:
        # Several rules ask, and a directory of generated Dockerfiles can list thousands of names.
        lowered = [name.lower() for name in self.top_level]
        return all("dockerfile" in name or "containerfile" in name or name.endswith(DOCKERIGNORE) for name in lowered)

    # --- the ignore file --------------------------------------------------------------------------

    @cached_property
    def ignore_file(self) -> IgnoreFile | None:
        """BuildKit's choice: `<Dockerfile name>.dockerignore` beside the Dockerfile, else the context's.

        None when there is none, and when the context's `.dockerignore` is a directory: BuildKit's
        frontend ignores the error reading it and applies no patterns (see `ignore_path_is_directory`).
        """
        specific = self._dockerfile_specific_ignore()
        if specific is not None:
            name, text = specific
        elif not self.exists(DOCKERIGNORE) or self.ignore_path_is_directory:
            return None
        else:
            found = self.read_text(DOCKERIGNORE)
            if found is None:  # there, but binary (a NUL byte), too big or unreadable: BuildKit reads it all the same
                found = self._read_ignore_bytes()
            if found is None:
                return IgnoreFile(DOCKERIGNORE, None, "cannot read it")
            name, text = DOCKERIGNORE, found
        try:
            return IgnoreFile(name, IgnoreMatcher.parse(text))
        except IgnoreError as error:
            return IgnoreFile(name, None, str(error))

    @cached_property
    def ignore_path_is_directory(self) -> bool:
        """Whether `.dockerignore` at the context root is a directory (or a link to one).

        BuildKit's dockerui frontend reads the file and ignores a failed read (`dt, _ := ref.ReadFile(…)`),
        so such a context is sent whole; and no ignore file can be created there.
        """
        root = self._resolved_root
        return root is not None and DOCKERIGNORE not in self.pending and (root / DOCKERIGNORE).is_dir()

    def _read_ignore_bytes(self) -> str | None:
        root = self._resolved_root
        if root is None or DOCKERIGNORE in self.pending:
            return self.pending.get(DOCKERIGNORE)
        try:
            return read_regular(root / DOCKERIGNORE, MAX_IGNORE_FILE_BYTES)[:MAX_IGNORE_FILE_BYTES].decode(
                "utf-8", errors="replace"
            )
        except OSError:  # a FIFO or device named .dockerignore is refused, never waited on
            return None

    def _dockerfile_specific_ignore(self) -> tuple[str, str] | None:
        if self.dockerfile_path in (None, "-"):
            return None
        dockerfile = Path(self.dockerfile_path or "")
        candidate = dockerfile.with_name(dockerfile.name + DOCKERIGNORE)
        try:
            raw = read_regular(candidate, MAX_IGNORE_FILE_BYTES)
        except OSError:
            return None
        if len(raw) > MAX_IGNORE_FILE_BYTES:
            return None
        text = raw.decode("utf-8", errors="replace")
        root = self._resolved_root
        try:
            name = candidate.resolve().relative_to(root).as_posix() if root is not None else str(candidate)
        except ValueError:
            name = str(candidate)
        return name, text

    @property
    def matcher(self) -> IgnoreMatcher | None:
        ignore = self.ignore_file
        return ignore.matcher if ignore is not None else None

    def included(self, relative: str) -> bool:
        """Whether the build receives `relative` (True without an ignore file, or with one BuildKit rejects)."""
        matcher = self.matcher
        return matcher is None or matcher.included(context_path(relative))

    # --- listing and COPY sources -----------------------------------------------------------------

    @cached_property
    def listing(self) -> Listing:
        """Everything the build receives, listed once."""
        root = self._resolved_root
        entries, complete = _walk(root, self.matcher, "") if root is not None else ([], True)
        known = {entry.path for entry in entries}
        entries += [Entry(path) for path in sorted(self.pending) if path not in known]
        return Listing(tuple(entries), complete)

    def _below(self, directory: str) -> tuple[Entry, ...]:
        """What the build receives below a context directory; walks only that subtree unless the
        whole context is listed already."""
        if directory == "." or "listing" in self.__dict__:
            prefix = "" if directory == "." else directory + "/"
            return tuple(entry for entry in self.listing.entries if entry.path.startswith(prefix))
        if directory not in self._subtrees:
            root, matcher = self._resolved_root, self.matcher
            hidden = matcher is not None and matcher.excluded(directory) and not matcher.may_include_under(directory)
            entries = [] if root is None or hidden else _walk(root, matcher, directory)[0]
            self._subtrees[directory] = tuple(entries)
        return self._subtrees[directory]

    def files_under(self, relative: str) -> list[Entry]:
        """The files the build receives at or below a context path (`.` is the whole context)."""
        path = context_path(relative)
        if path == ".":
            return [entry for entry in self.listing.entries if entry.is_file]
        if path in self.pending:
            return [Entry(path)]
        info = self._lstat(path)
        if info is None or stat.S_ISLNK(info.st_mode):
            return []
        if not stat.S_ISDIR(info.st_mode):
            return [Entry(path)] if stat.S_ISREG(info.st_mode) and self.included(path) else []
        return [entry for entry in self._below(path) if entry.is_file]

    def files_matching(self, source: str) -> list[Entry]:
        """The files `COPY <source>` takes from the context, after the ignore file.

        As BuildKit resolves a source: the path up to its first wildcard component is literal; the
        rest is matched with Go's `filepath.Match` against each path below it, and a matching
        directory is taken whole.  A source with a bad pattern takes nothing (the build fails).
        """
        path = context_path(source)
        literal, wildcard = split_wildcards(path)
        if not wildcard:
            return self.files_under(path)
        below = self._below(literal)
        base = "" if literal == "." else literal + "/"
        taken: set[str] = set()
        try:
            for entry in below:  # breadth first: a directory comes before its content
                if not _within(entry.path, taken) and match(wildcard, entry.path[len(base) :]):
                    taken.add(entry.path)
        except BadPattern:
            return []
        return [entry for entry in below if entry.is_file and _within(entry.path, taken)]


def _within(path: str, roots: set[str]) -> bool:
    """Whether `path` is one of `roots` or below one of them."""
    while True:
        if path in roots:
            return True
        path, slash, _ = path.rpartition("/")
        if not slash:
            return False


def _walk(root: Path, matcher: IgnoreMatcher | None, start: str) -> tuple[list[Entry], bool]:
    """The entries the build receives below `start` ("" for the root), breadth first in name order;
    False when MAX_ENTRIES cut the walk short."""
    entries: list[Entry] = []
    scanned = 0
    queue: deque[str] = deque([start])
    while queue:
        directory = queue.popleft()
        try:
            with os.scandir(root / directory if directory else root) as found:
                children = sorted(found, key=lambda child: child.name)
        except OSError:
            continue  # unreadable: nothing is known of what it holds
        for child in children:
            scanned += 1
            if scanned > MAX_ENTRIES:
                return entries, False
            path = f"{directory}/{child.name}" if directory else child.name
            try:
                is_dir = child.is_dir(follow_symlinks=False)
                is_symlink = child.is_symlink()
            except OSError:
                continue
            excluded = matcher is not None and matcher.excluded(path)
            enter = not excluded or (matcher is not None and matcher.may_include_under(path))
            if is_dir and child.name not in OPAQUE_DIRECTORIES and enter:
                queue.append(path)
            if not excluded:
                entries.append(Entry(path, is_dir, is_symlink))
    return entries, True


def _link_target_parts(target: str, directory: list[str], root: Path) -> tuple[list[str], bool, list[str]] | None:
    """Where a link in `directory` leads, lexically: (the directory to resolve from, whether to go on,
    the components still to resolve); None when the target leaves the context."""
    if os.path.isabs(target):
        try:
            inside = os.path.relpath(os.path.normpath(target), root)
        except ValueError:  # another drive
            return None
        if inside == ".." or inside.startswith("../"):
            return None
        return [], False, []  # BuildKit roots absolute targets at the context: not what it points to
    if climbs_above_root(target, len(directory)):
        return None
    return list(directory), True, [part for part in target.split("/") if part not in ("", ".")]


def climbs_above_root(path: str, depth: int = 0) -> bool:
    """Whether a `/`-separated relative path, followed from `depth` directories below the context
    root, goes above the root with `..` at some point (`../x`, `a/../../x`)."""
    for part in path.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", "."):
            depth += 1
    return False

"""Finding the repositories under the audit's roots and the Dockerfiles in each.

A root is itself a repository (its Dockerfiles outside any nested one), and each git repository
below it (a directory holding `.git`, a directory or a worktree's file) is one more, however deep,
also below another repository.  The walk honours `.gitignore` files the way git reads them
(patterns relative to the directory holding the file, a deeper file overriding a shallower one, the
last matching line winning, `!` re-including) plus `.git/info/exclude`; a root inside a git work
tree also gets the `.gitignore` files above it.  Vendored and dependency trees are skipped.

Symbolic links never lead the walk anywhere: a symlinked directory is not descended (no loops, no
escaping the root), and a symlinked Dockerfile is checked only when its real path is inside the
root and that file is not checked already under its own name.  A file reached through two roots
(`a` and `a/sub/repo`, or `a` and `./a`) is checked once, under the first.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lintslim.audit.model import AuditTask, Repository
from lintslim.files import (
    SKIPPED_DIRECTORIES,
    TEMPLATE_NAMES,
    InputError,
    is_dockerfile_name,
    read_regular,
    template_dockerfiles,
)

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

# Trees of other people's code, downloaded or vendored, that a repository does not own.  Build output
# (`build`, `dist`, `target`) is not here: real Dockerfiles live in directories named so, and a
# generated copy is normally gitignored.
MAX_GITIGNORE_BYTES = 8 * 1024 * 1024  # read that much of a .gitignore; git itself has no limit
AUDIT_SKIPPED_DIRECTORIES = SKIPPED_DIRECTORIES | {
    "site-packages",  # an installed Python environment (also inside a `venv` of any name)
    "bower_components",
    "third_party",  # the Chromium/Google convention: copies of other projects
    ".terraform",  # downloaded Terraform modules
    ".terragrunt-cache",
}


@dataclass(frozen=True)
class IgnoreFile:
    base: str  # the directory holding the file, relative to the work tree's top, `/`-separated ("" the top)
    spec: GitIgnoreSpec


@dataclass(frozen=True)
class Ignores:
    """The ignore files in force in a directory, lowest precedence first."""

    files: tuple[IgnoreFile, ...] = ()

    def adding(self, path: Path, base: str) -> Ignores:
        spec = _read_spec(path)
        return self if spec is None else Ignores((*self.files, IgnoreFile(base, spec)))

    def ignored(self, relative: str, directory: bool) -> bool:
        """Whether git ignores `relative` (a path from the work tree's top)."""
        for ignore in reversed(self.files):
            if ignore.base and not relative.startswith(ignore.base + "/"):
                continue
            below = relative[len(ignore.base) + 1 :] if ignore.base else relative
            verdict = ignore.spec.check_file(below + "/" if directory else below).include
            if verdict is not None:
                return verdict
        return False


def _read_spec(path: Path) -> GitIgnoreSpec | None:
    try:
        raw = read_regular(path, MAX_GITIGNORE_BYTES)
    except OSError:  # a directory or FIFO named .gitignore, a file we may not read: git would skip it too
        return None
    lines = raw[:MAX_GITIGNORE_BYTES].decode("utf-8", errors="replace").splitlines()
    from pathspec import GitIgnoreSpec

    if not any(line.strip() for line in lines):
        return None
    try:
        return GitIgnoreSpec.from_lines(lines)
    except ValueError:  # a pattern git rejects (a trailing backslash): git skips that line and reads the others
        return GitIgnoreSpec.from_lines(line for line in lines if _valid_pattern(line))


def _valid_pattern(line: str) -> bool:
    from pathspec import GitIgnoreSpec

    try:
        GitIgnoreSpec.from_lines([line])
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Candidate:
    path: str  # as found: the repository's path joined with `relative`
    relative: str
    real: str
    link: bool  # reached through a symbolic link (the file or its name)


@dataclass
class Walk:
    """One repository's Dockerfiles, and the git repositories nested in it."""

    candidates: list[Candidate] = field(default_factory=list)
    nested: list[str] = field(default_factory=list)  # paths as found


def walk_repository(path: str, root_real: str, prefix: str, ignores: Ignores) -> Walk:
    """The Dockerfiles of the repository at `path` (not descending nested repositories).

    `prefix` is `path`'s place below the work tree's top ("" when it is the top), for the patterns
    of the ignore files above it.
    """
    walk = Walk()
    in_force = {path: ignores}
    for directory, subdirectories, files in os.walk(path, followlinks=False):
        relative_directory = _relative(directory, path)
        ignores = in_force.pop(directory)
        if ".gitignore" in files:
            ignores = ignores.adding(Path(directory, ".gitignore"), _joined(prefix, relative_directory))
        kept = []
        for name in sorted(subdirectories):
            below = os.path.join(directory, name)
            if name in AUDIT_SKIPPED_DIRECTORIES or os.path.islink(below):
                continue
            if os.path.lexists(os.path.join(below, ".git")):  # its own repository, whatever the parent ignores
                walk.nested.append(below)
                continue
            if ignores.ignored(_joined(prefix, _joined(relative_directory, name)), directory=True):
                walk.nested += repositories_below(below)  # a workspace may ignore the repositories cloned in it
                continue
            kept.append(name)
            in_force[below] = ignores
        subdirectories[:] = kept
        walk.candidates += _candidates(directory, relative_directory, sorted(files), prefix, ignores, root_real)
        if any(name in TEMPLATE_NAMES for name in files):
            walk.candidates += _template_candidates(directory, path, root_real)
    return walk


def repositories_below(directory: str) -> list[str]:
    """The git repositories inside an ignored directory (none of its own files count)."""
    found = []
    for below, subdirectories, _ in os.walk(directory, followlinks=False):
        kept = []
        for name in sorted(subdirectories):
            path = os.path.join(below, name)
            if name in AUDIT_SKIPPED_DIRECTORIES or os.path.islink(path):
                continue
            if os.path.lexists(os.path.join(path, ".git")):
                found.append(path)
            else:
                kept.append(name)
        subdirectories[:] = kept
    return found


def _candidates(
    directory: str, relative_directory: str, names: list[str], prefix: str, ignores: Ignores, root_real: str
) -> list[Candidate]:
    """The Dockerfiles among `names`; a symbolic link only when it leads to a file inside the root."""
    found = []
    for name in names:
        relative = _joined(relative_directory, name)
        if not is_dockerfile_name(name) or ignores.ignored(_joined(prefix, relative), directory=False):
            continue
        path = os.path.join(directory, name)
        real, link = os.path.realpath(path), os.path.islink(path)
        if not link or _inside(real, root_real):
            found.append(Candidate(path, relative, real, link))
    return found


def _inside(real: str, root_real: str) -> bool:
    return os.path.commonpath([real, root_real]) == root_real


def _template_candidates(directory: str, repository: str, root_real: str) -> list[Candidate]:
    """The Dockerfiles a SAM template in `directory` names, whatever their names."""
    found = []
    for dockerfile in template_dockerfiles(Path(directory), Path(root_real)):
        relative = os.path.relpath(dockerfile, repository)
        if relative.startswith(os.pardir):  # the template names a file outside its repository
            continue
        path = os.path.join(repository, relative)
        found.append(Candidate(path, Path(relative).as_posix(), os.path.realpath(path), link=False))
    return found


def _relative(directory: str, top: str) -> str:
    relative = os.path.relpath(directory, top)
    return "" if relative == os.curdir else Path(relative).as_posix()


def _joined(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent and name else parent or name


@dataclass
class Discovery:
    """What has been found so far across the roots: real paths, so nothing is checked twice."""

    repositories: list[tuple[Repository, list[Candidate]]] = field(default_factory=list)
    seen_repositories: set[str] = field(default_factory=set)

    def add_root(self, root: str) -> None:
        root_real = os.path.realpath(root)
        top = Path(root_real)
        prefix = ""
        ignores = Ignores()
        for ancestor in (top, *top.parents):
            if (ancestor / ".git").exists():
                prefix, ignores = _above(top, ancestor)
                break
        self._add(Repository(root, root), root_real, prefix, ignores)

    def _add(self, repository: Repository, root_real: str, prefix: str, ignores: Ignores) -> None:
        real = os.path.realpath(repository.path)
        if real in self.seen_repositories:
            return
        self.seen_repositories.add(real)
        walk = walk_repository(repository.path, root_real, prefix, ignores)
        self.repositories.append((repository, walk.candidates))
        for nested in walk.nested:  # named by its path as found: the root as given, then the way down
            own = Ignores().adding(Path(nested, ".git", "info", "exclude"), "")
            self._add(Repository(nested, nested), root_real, "", own)

    def tasks(self) -> Iterator[AuditTask]:
        """Every file once: real files first claim their real path, then links to files not yet claimed."""
        claimed = {c.real for _, candidates in self.repositories for c in candidates if not c.link}
        yielded: set[str] = set()
        for repository, candidates in self.repositories:
            for candidate in candidates:
                if candidate.real in yielded or (candidate.link and not _link_kept(candidate, claimed)):
                    continue
                yielded.add(candidate.real)
                yield AuditTask(candidate.path, repository.name, candidate.relative)


def _link_kept(candidate: Candidate, claimed: set[str]) -> bool:
    """A link (already known to lead inside the root) to a file checked under no other name."""
    return candidate.real not in claimed and os.path.isfile(candidate.real)


def _above(top: Path, work_tree: Path) -> tuple[str, Ignores]:
    """For a root inside a work tree: its place below the tree's top, and the ignore files above it."""
    ignores = Ignores()
    git = work_tree / ".git"
    if git.is_dir():
        ignores = ignores.adding(git / "info" / "exclude", "")
    parts = top.relative_to(work_tree).parts
    for depth in range(len(parts)):
        ignores = ignores.adding(work_tree.joinpath(*parts[:depth], ".gitignore"), "/".join(parts[:depth]))
    return "/".join(parts), ignores


def check_roots(roots: Sequence[str]) -> None:
    for root in roots:
        if not os.path.isdir(root):
            reason = "no such directory" if not os.path.lexists(root) else "not a directory"
            raise InputError(f"{root}: {reason}")


def _discover(roots: Sequence[str]) -> Discovery:
    check_roots(roots)
    discovery = Discovery()
    for root in roots:
        discovery.add_root(root)
    return discovery


def discover_tasks(roots: Sequence[str]) -> list[AuditTask]:
    """Every Dockerfile under the roots, once, in a stable order: by repository, then by path."""
    return list(_discover(roots).tasks())


def repositories(roots: Sequence[str]) -> list[Repository]:
    """The repositories under the roots (each root, then the git repositories nested below it)."""
    return [repository for repository, _ in _discover(roots).repositories]

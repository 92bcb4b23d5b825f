"""What LS101 and LS102 ask before they put an image on a runtime base without a shell: where the
program it runs is, and whether the base knows its user."""

from __future__ import annotations

import posixpath

# Docker's default PATH in Linux images: where a program named without a path is found.
PATH_DIRECTORIES = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def program_paths(program: str, workdir: str | None) -> set[str]:
    """The absolute paths a container's program may be: a bare name is looked up in each directory
    of PATH, a relative path in the working directory (none when that is unknown)."""
    if "/" not in program:
        return {posixpath.join(directory, program) for directory in PATH_DIRECTORIES}
    if program.startswith("/"):
        return {posixpath.normpath(program)}
    return set() if workdir is None else {posixpath.normpath(posixpath.join(workdir, program))}


def known_user(user: str, users: frozenset[str]) -> bool:
    """Whether a `USER` value (`name[:group]`) names one of `users`; a numeric id always works."""
    name = user.split(":", 1)[0]
    return name.isdigit() or name in users

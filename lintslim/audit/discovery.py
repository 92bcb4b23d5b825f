"""Finding the repositories under the audit's roots and the Dockerfiles in each."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from lintslim.audit.model import AuditTask, Repository
from lintslim.files import InputError, discover


def repositories(roots: Sequence[str]) -> list[Repository]:
    """Each root is one repository (first version: nested git repositories are not split out yet)."""
    found = []
    for root in roots:
        if not Path(root).is_dir():
            raise InputError(f"{root}: not a directory")
        found.append(Repository(root, root))
    return found


def tasks(repository: Repository) -> Iterator[AuditTask]:
    for path in discover(Path(repository.path)):
        relative = Path(os.path.relpath(path, repository.path)).as_posix()
        yield AuditTask(str(path), repository.name, relative)

"""Rebuild part of the shared corpus as a tree of real repositories, for audit tests.

The corpus stores files flattened (`dev/<owner>__<repo>/<path with / as __>`); an audit needs
directories named like repositories holding files named like Dockerfiles.  The files are copied
into a temporary directory (never into the checkout), each repository with a `.git` directory.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MANIFEST = CORPUS / "MANIFEST.tsv"
SKIP_REASON = f"the shared corpus is not at {CORPUS} (it lives beside the checkout, in ../shared)"


@dataclass(frozen=True)
class CorpusFile:
    repo: str  # owner/name
    path: str  # the path inside the repository
    corpus_path: str  # where the corpus keeps it, relative to CORPUS


def corpus_files() -> Iterator[CorpusFile]:
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            yield CorpusFile(row["repo"], row["path"], row["corpus_path"])


def build_tree(destination: Path, repositories: int | None = None, files_per_repository: int | None = None) -> Path:
    """Copy corpus files to `destination/<owner>__<repo>/<path>`; returns `destination`.

    `repositories` and `files_per_repository` keep the first N of each (in manifest order).
    """
    kept: dict[str, int] = {}
    for file in corpus_files():
        if file.repo not in kept:
            if repositories is not None and len(kept) >= repositories:
                continue
            kept[file.repo] = 0
            (destination / file.repo.replace("/", "__") / ".git").mkdir(parents=True, exist_ok=True)
        if files_per_repository is not None and kept[file.repo] >= files_per_repository:
            continue
        kept[file.repo] += 1
        # a few manifest paths name a branch too (`dotnet6:Dockerfile.dotnet6`): the branch becomes a directory
        target = destination / file.repo.replace("/", "__") / file.path.replace(":", "/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / file.corpus_path, target)
    return destination

"""Reading the TOML data files that ship inside the package (the knowledge base, the token formats).

TOML is the source: reviewed, commented, cited.  Parsing it costs: tomllib is pure Python, and
`base_images.toml` plus `token_formats.toml` took about 10 ms of a one-file `lintslim check`, more
than the linting.  So the files every check reads have a JSON snapshot beside them
(`<name>.snapshot.json`, parsed by the C decoder in a fraction of a millisecond) that records the
CRC-32 and length of the TOML it was made from.  A snapshot that does not match its TOML is not
used, so an edit to the data is never shadowed, only read the slow way until
`python -m lintslim.knowledge._snapshots` rewrites the snapshots (tests/test_data_snapshots.py fails
until then).  Only JSON's types are snapshotted: a file holding TOML dates is always parsed.
"""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path
from typing import Any


def load_data_file(name: str) -> dict[str, Any]:
    """A data file beside this module, parsed."""
    return load_toml(Path(__file__).with_name(name))


def load_toml(path: Path) -> dict[str, Any]:
    """A TOML data file's content, from its snapshot when the snapshot was made from this very text."""
    raw = path.read_bytes()
    snapshot = _snapshot_data(snapshot_path(path), fingerprint(raw))
    return snapshot if snapshot is not None else parse_toml(raw.decode("utf-8"))


def parse_toml(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

    data: dict[str, Any] = tomllib.loads(text)
    return data


def snapshot_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.snapshot.json")


def fingerprint(raw: bytes) -> str:
    """Which text a snapshot was made from.  CRC-32 and length catch any edit; hashlib would cost more
    to import (its OpenSSL binding) than the snapshot saves."""
    return f"crc32:{zlib.crc32(raw):08x}:{len(raw)}"


def _snapshot_data(path: Path, wanted: str) -> dict[str, Any] | None:
    try:
        stored = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("source") != wanted or not isinstance(stored.get("data"), dict):
        return None
    data: dict[str, Any] = stored["data"]
    return data

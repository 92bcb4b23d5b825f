"""Writing the JSON snapshots of the TOML data files (see `lintslim.knowledge._data`).

python -m lintslim.knowledge._snapshots      # after editing a snapshotted TOML file
"""

from __future__ import annotations

import json
from pathlib import Path

from lintslim.knowledge._data import fingerprint, parse_toml, snapshot_path

_PACKAGE = Path(__file__).resolve().parents[1]
# The data files every check reads, relative to the package (the others are read only for Lambda images).
SNAPSHOTTED = ("knowledge/base_images.toml", "secrets/token_formats.toml")


def snapshot_text(path: Path) -> str:
    """The snapshot `path` should have beside it (raises TypeError when the TOML holds a type JSON lacks)."""
    raw = path.read_bytes()
    data = parse_toml(raw.decode("utf-8"))
    note = f"Generated from {path.name} by `python -m lintslim.knowledge._snapshots`: edit the TOML, not this file."
    return json.dumps({"note": note, "source": fingerprint(raw), "data": data}, ensure_ascii=False) + "\n"


def write_snapshots() -> list[Path]:
    """Rewrite every snapshot whose TOML changed; returns the snapshots written."""
    written = []
    for relative in SNAPSHOTTED:
        source = _PACKAGE / relative
        target, text = snapshot_path(source), snapshot_text(source)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written


if __name__ == "__main__":
    for snapshot in write_snapshots():
        print(f"wrote {snapshot.relative_to(_PACKAGE.parent)}")

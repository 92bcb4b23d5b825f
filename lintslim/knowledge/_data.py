"""Reading the knowledge base's TOML data files, which ship inside the package."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def load_data_file(name: str) -> dict[str, Any]:
    """A data file beside this module, parsed (tomllib; tomli on Python 3.10)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

    data: dict[str, Any] = tomllib.loads(Path(__file__).with_name(name).read_text(encoding="utf-8"))
    return data

"""The JSON snapshots of the TOML data files: current, equal to the TOML, and never used when stale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lintslim.knowledge import _data
from lintslim.knowledge._snapshots import _PACKAGE, SNAPSHOTTED, snapshot_text

REGENERATE = "run `python -m lintslim.knowledge._snapshots` and commit the snapshots"


@pytest.mark.parametrize("relative", SNAPSHOTTED)
def test_snapshot_is_current(relative: str) -> None:
    source = _PACKAGE / relative
    snapshot = _data.snapshot_path(source)
    assert snapshot.is_file(), f"{snapshot.name} is missing: {REGENERATE}"
    assert snapshot.read_text(encoding="utf-8") == snapshot_text(source), f"{snapshot.name} is stale: {REGENERATE}"


@pytest.mark.parametrize("relative", SNAPSHOTTED)
def test_snapshot_holds_what_the_toml_says(relative: str) -> None:
    """Same values and the same types (json.dumps tells 1 from 1.0 and a list from a tuple)."""
    source = _PACKAGE / relative
    loaded = _data.load_toml(source)
    parsed = _data.parse_toml(source.read_text(encoding="utf-8"))
    assert json.dumps(loaded) == json.dumps(parsed)


def _copy_with_snapshot(tmp_path: Path) -> Path:
    source = _PACKAGE / SNAPSHOTTED[0]
    copy = tmp_path / source.name
    shutil.copyfile(source, copy)
    shutil.copyfile(_data.snapshot_path(source), _data.snapshot_path(copy))
    return copy


def test_a_stale_snapshot_is_not_used(tmp_path: Path) -> None:
    copy = _copy_with_snapshot(tmp_path)
    with copy.open("a", encoding="utf-8") as handle:
        handle.write('\n[added_by_the_test]\nvalue = "an edit the snapshot does not know"\n')
    assert _data.load_toml(copy)["added_by_the_test"] == {"value": "an edit the snapshot does not know"}


def test_the_snapshot_is_used_when_current(tmp_path: Path) -> None:
    """Proof that it is read: a current snapshot with different data wins over the TOML."""
    copy = _copy_with_snapshot(tmp_path)
    snapshot = _data.snapshot_path(copy)
    stored = json.loads(snapshot.read_text(encoding="utf-8"))
    stored["data"] = {"marker": "from the snapshot"}
    snapshot.write_text(json.dumps(stored), encoding="utf-8")
    assert _data.load_toml(copy) == {"marker": "from the snapshot"}


def test_an_unreadable_snapshot_falls_back_to_the_toml(tmp_path: Path) -> None:
    copy = _copy_with_snapshot(tmp_path)
    _data.snapshot_path(copy).write_text("{not json", encoding="utf-8")
    assert _data.load_toml(copy) == _data.parse_toml(copy.read_text(encoding="utf-8"))

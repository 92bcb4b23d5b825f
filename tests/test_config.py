"""Config discovery with the per-run cache: the same answers as a fresh lookup, each directory read once."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintslim.config import SettingsCache, find_config, resolve_settings
from lintslim.engine.registry import default_registry


def make_tree(root: Path) -> dict[str, Path]:
    (root / "repo" / "svc" / "api").mkdir(parents=True)
    (root / "repo" / "other").mkdir(parents=True)
    (root / "repo" / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")  # no [tool.lintslim]
    (root / "repo" / ".lintslim.yaml").write_text("fail-on: warning\n", encoding="utf-8")
    (root / "repo" / "svc" / "pyproject.toml").write_text("[tool.lintslim]\nfail-on = 'error'\n", encoding="utf-8")
    files = {
        "api": root / "repo" / "svc" / "api" / "Dockerfile",
        "svc": root / "repo" / "svc" / "Dockerfile",
        "other": root / "repo" / "other" / "Dockerfile",
    }
    for file in files.values():
        file.write_text("FROM alpine:3.20\n", encoding="utf-8")
    return files


def test_cached_lookup_gives_the_same_answers(tmp_path: Path) -> None:
    files = make_tree(tmp_path)
    found: dict[Path, Path | None] = {}
    for file in [*files.values(), *files.values()]:
        assert find_config(file, found) == find_config(file)
    assert find_config(files["api"], found) == tmp_path / "repo" / "svc" / "pyproject.toml"
    assert find_config(files["other"], found) == tmp_path / "repo" / ".lintslim.yaml"


def test_cache_remembers_every_directory_walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = make_tree(tmp_path)
    found: dict[Path, Path | None] = {}
    find_config(files["api"], found)
    assert found[(tmp_path / "repo" / "svc" / "api").resolve()] == tmp_path / "repo" / "svc" / "pyproject.toml"
    looked_at: list[Path] = []
    original = Path.is_file
    monkeypatch.setattr(Path, "is_file", lambda self: looked_at.append(self) or original(self))
    find_config(files["api"], found)
    assert looked_at == []  # answered from the cache without touching the disk


def test_settings_loaded_once_per_config_file(tmp_path: Path) -> None:
    files = make_tree(tmp_path)
    cache = SettingsCache()
    registry = default_registry()
    first = resolve_settings(files["api"], registry, cache=cache)
    again = resolve_settings(files["svc"], registry, cache=cache)
    assert first is again
    assert first.fail_on.value == "error"
    assert resolve_settings(files["other"], registry, cache=cache).fail_on.value == "warning"


def test_lambda_key_takes_a_boolean_or_globs(tmp_path: Path) -> None:
    registry = default_registry()
    (tmp_path / ".lintslim.yaml").write_text("lambda: ['functions/**/Dockerfile']\n", encoding="utf-8")
    settings = resolve_settings(tmp_path / "x", registry)
    assert settings.lambda_for(str(tmp_path / "functions" / "api" / "Dockerfile")) is True
    assert settings.lambda_for(str(tmp_path / "web" / "Dockerfile")) is None  # detected from content
    assert settings.lambda_for("-") is None
    (tmp_path / ".lintslim.yaml").write_text("lambda: false\n", encoding="utf-8")
    assert resolve_settings(tmp_path / "x", registry).lambda_for(str(tmp_path / "Dockerfile")) is False


@pytest.mark.parametrize("value", ["'yes'", "[]", "[1]", "{a: 1}"])
def test_lambda_key_rejects_other_values(tmp_path: Path, value: str) -> None:
    from lintslim.config import ConfigError

    (tmp_path / ".lintslim.yaml").write_text(f"lambda: {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="`lambda` must be true, false or a list of glob patterns"):
        resolve_settings(tmp_path / "x", default_registry())

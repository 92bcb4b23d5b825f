"""`lintslim init`: the pre-commit hook added without disturbing the config, and a starter `[tool.lintslim]`."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from lintslim import __version__
from lintslim.cli import main
from lintslim.config import load_file
from lintslim.engine.registry import default_registry
from lintslim.engine.rule import Severity

REV = f"v{__version__}"

# Written the way people write them: comments everywhere, quoted and unquoted strings, a block scalar,
# flow lists and mappings beside block ones, a local repo, and a `ci:` section after `repos`.
MODERN = """\
# See https://pre-commit.com for more information
default_language_version:
  python: python3.12
exclude: |
  (?x)^(
    vendor/.*|
    docs/_build/.*
  )$
repos:
  # the basics
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v4.6.0  # keep in sync with CI
    hooks:
      - id: trailing-whitespace
      - id: end-of-file-fixer
      - id: check-yaml
        args: [--allow-multiple-documents]
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: "v0.6.9"
    hooks: [{id: ruff, args: ['--fix']}, {id: ruff-format}]
  - repo: local
    hooks:
      - id: mypy
        name: 'mypy (strict)'
        entry: mypy --strict
        language: system
        types: [python]
        pass_filenames: false
        # mypy reads the whole project
# CI settings below

ci:
  autofix_prs: false
  skip: [mypy]
"""
MODERN_ENTRY = """\
  - repo: https://github.com/lintslim/lintslim
    rev: {rev}
    hooks:
      - id: {hook}
"""

# pre-commit's own sample style: four-column items, dashes flush with their key.
SAMPLE_STYLE = """\
repos:
-   repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v2.3.0
    hooks:
    -   id: check-yaml
    -   id: end-of-file-fixer
-   repo: https://github.com/psf/black
    rev: 22.10.0
    hooks:
    -   id: black"""  # and no newline at the end
SAMPLE_STYLE_ENTRY = """
-   repo: https://github.com/lintslim/lintslim
    rev: {rev}
    hooks:
    -   id: {hook}
"""


def _config(directory: Path) -> Path:
    return directory / ".pre-commit-config.yaml"


def _init(directory: Path, *options: str) -> int:
    return main(["init", str(directory), *options])


def _safe_load(text: str) -> object:
    return YAML(typ="safe", pure=True).load(text)


def test_a_missing_config_is_created_with_the_hook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _init(tmp_path) == 0
    config = _safe_load(_config(tmp_path).read_text())
    assert config == {
        "repos": [{"repo": "https://github.com/lintslim/lintslim", "rev": REV, "hooks": [{"id": "lintslim"}]}]
    }
    out = capsys.readouterr().out
    assert f"Created {_config(tmp_path)} with the lintslim hook (rev {REV})" in out
    assert "pre-commit install" in out


def test_the_message_names_the_file_as_the_user_named_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    _config(tmp_path).write_text(SAMPLE_STYLE)
    assert main(["init"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"Added the lintslim hook (rev {REV}) to .pre-commit-config.yaml"


@pytest.mark.parametrize(
    ("original", "entry", "before"),
    [
        (MODERN, MODERN_ENTRY, "# CI settings below"),  # after the last entry's own comment, before the next key's
        (SAMPLE_STYLE, SAMPLE_STYLE_ENTRY, None),  # at the end, after the newline the file lacked
    ],
    ids=["modern", "sample-style"],
)
def test_the_hook_is_inserted_and_not_one_existing_byte_changes(
    tmp_path: Path, original: str, entry: str, before: str | None
) -> None:
    _config(tmp_path).write_text(original)
    assert _init(tmp_path, "--fix", "--rev", "v9.9.9") == 0
    added = entry.format(rev="v9.9.9", hook="lintslim-fix")
    at = original.index(before) if before is not None else len(original)
    assert _config(tmp_path).read_text() == original[:at] + added + original[at:]


def test_flow_style_repos_are_re_emitted_with_comments_and_flow_mappings_kept(tmp_path: Path) -> None:
    original = "# mine\nrepos: [{repo: https://github.com/psf/black, rev: 24.1.0, hooks: [{id: black}]}]  # one line\n"
    _config(tmp_path).write_text(original)
    assert _init(tmp_path) == 0
    text = _config(tmp_path).read_text()
    assert text.startswith("# mine\nrepos: [{repo: https://github.com/psf/black, rev: 24.1.0, hooks: [{id: black}]}, ")
    assert text.rstrip().endswith("# one line")
    entries = _safe_load(text)["repos"]  # type: ignore[index]
    assert entries[1] == {"repo": "https://github.com/lintslim/lintslim", "rev": REV, "hooks": [{"id": "lintslim"}]}


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("repos: []\n", f"repos:\n  - repo: https://github.com/lintslim/lintslim\n    rev: {REV}\n"),
        (
            "",
            "# pre-commit's configuration: https://pre-commit.com\nrepos:\n  - repo: https://github.com/lintslim/lintslim\n",
        ),
        ("# to do\n", "# to do\n\n# pre-commit's configuration"),
        (
            "default_stages: [pre-commit]\n",
            "default_stages: [pre-commit]\n\nrepos:\n  - repo: https://github.com/lintslim/",
        ),
    ],
    ids=["empty-list", "empty-file", "only-a-comment", "no-repos-key"],
)
def test_a_config_without_entries_gets_a_block_list(tmp_path: Path, original: str, expected: str) -> None:
    _config(tmp_path).write_text(original)
    assert _init(tmp_path) == 0
    text = _config(tmp_path).read_text()
    assert text.startswith(expected)
    assert _safe_load(text)["repos"][-1]["hooks"] == [{"id": "lintslim"}]  # type: ignore[index]


def test_windows_line_endings_are_kept(tmp_path: Path) -> None:
    lines = ["repos:", "  - repo: local", "    hooks:", "      - id: x", "        name: x", "        entry: x"]
    original = "".join(line + "\r\n" for line in [*lines, "        language: system"])
    _config(tmp_path).write_bytes(original.encode())
    assert _init(tmp_path) == 0
    data = _config(tmp_path).read_bytes()
    assert data.startswith(original.encode())
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_a_rev_that_yaml_would_read_as_a_number_is_quoted(tmp_path: Path) -> None:
    _config(tmp_path).write_text(SAMPLE_STYLE + "\n")
    assert _init(tmp_path, "--rev", "1.10") == 0
    assert '    rev: "1.10"\n' in _config(tmp_path).read_text()
    assert _safe_load(_config(tmp_path).read_text())["repos"][-1]["rev"] == "1.10"  # type: ignore[index]


def test_running_it_twice_changes_nothing_the_second_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _config(tmp_path).write_text(MODERN)
    assert _init(tmp_path) == 0
    after_first = _config(tmp_path).read_bytes()
    mtime = _config(tmp_path).stat().st_mtime_ns
    capsys.readouterr()
    assert _init(tmp_path, "--rev", "v2.0.0") == 0
    assert _config(tmp_path).read_bytes() == after_first
    assert _config(tmp_path).stat().st_mtime_ns == mtime
    out = capsys.readouterr().out
    assert out == f"{_config(tmp_path)} already has lintslim (hooks: lintslim; rev {REV}); left unchanged\n"


def test_an_existing_entry_with_the_other_hook_is_left_and_the_message_says_how_to_switch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = (
        "repos:\n  - repo: https://github.com/LintSlim/lintslim.git\n    rev: v0.0.1\n    hooks: [{id: lintslim}]\n"
    )
    _config(tmp_path).write_text(original)
    assert _init(tmp_path, "--fix") == 0
    assert _config(tmp_path).read_text() == original
    assert "(to use lintslim-fix, change the hook id there)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("repos: [\n", "invalid YAML"),
        ("- repo: x\n", "the top level must be a mapping"),
        ("repos: {repo: x}\n", "`repos` must be a list"),
        ("repos: []\nrepos: []\n", "invalid YAML"),  # a duplicate key
        ("a: 1\n---\nb: 2\n", "invalid YAML"),  # two documents
        # the parser's problem and where, not only its context ("while scanning for the next token")
        ("repos:\n\t- repo: x\n", "invalid YAML: found character '\\t' that cannot start any token (line 2, column 1)"),
    ],
    ids=["unparsable", "top-level-list", "repos-mapping", "duplicate-key", "two-documents", "tab-indented"],
)
def test_a_config_it_cannot_use_is_an_error_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    _config(tmp_path).write_text(content)
    assert _init(tmp_path, "--pyproject") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"lintslim: error: {_config(tmp_path)}: {message}")
    assert err.count("\n") == 1
    assert _config(tmp_path).read_text() == content
    assert not (tmp_path / "pyproject.toml").exists()


@pytest.mark.parametrize("name", ["missing", "a-file"])
def test_a_directory_that_is_not_one_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    target = tmp_path / name
    if name == "a-file":
        target.write_text("FROM alpine\n")
    assert _init(target) == 2
    assert capsys.readouterr().err == f"lintslim: error: {target}: not a directory\n"


def test_a_bad_rev_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _init(tmp_path, "--rev", "v1\nrepos: []") == 2
    assert capsys.readouterr().err.startswith("lintslim: error: --rev: ")
    assert not _config(tmp_path).exists()


@pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed")
@pytest.mark.parametrize(
    "original", [None, MODERN, SAMPLE_STYLE, "repos: []\n"], ids=["new", "modern", "sample", "empty"]
)
def test_pre_commit_accepts_the_config_it_writes(tmp_path: Path, original: str | None) -> None:
    if original is not None:
        _config(tmp_path).write_text(original)
    assert _init(tmp_path, "--fix") == 0
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(_config(tmp_path))],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


# --- [tool.lintslim] ----------------------------------------------------------------------------------


def test_pyproject_is_created_with_a_starter_table_our_loader_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _init(tmp_path, "--pyproject") == 0
    assert f"Created {tmp_path / 'pyproject.toml'} with a [tool.lintslim] table" in capsys.readouterr().out
    settings = load_file(tmp_path / "pyproject.toml", default_registry())
    assert settings.select == ("ALL",)
    assert settings.ignore == ()
    assert settings.fail_on is Severity.STYLE
    assert not settings.unsafe_fixes
    registry = default_registry()
    every_default_rule = [rule.code for rule in registry.rules if rule.default_enabled]
    assert [rule.code for rule in settings.enabled_rules(registry)] == every_default_rule  # the defaults, written out


def test_the_table_is_appended_after_the_last_byte_of_an_existing_pyproject(tmp_path: Path) -> None:
    original = '[project]\nname = "svc"\n\n[tool.ruff]\nline-length = 100'  # no newline at the end
    (tmp_path / "pyproject.toml").write_text(original)
    assert _init(tmp_path, "--pyproject") == 0
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith(original + "\n\n[tool.lintslim]\n")
    assert load_file(tmp_path / "pyproject.toml", default_registry()).select == ("ALL",)


def test_the_starter_table_works_for_a_real_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _init(tmp_path, "--pyproject") == 0
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nADD app.sh /app.sh\n")
    capsys.readouterr()
    assert main(["check", "--output-format", "concise", str(tmp_path / "Dockerfile")]) == 1
    assert ": LS503 [*] " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("existing", "name"),
    [
        ({"pyproject.toml": "[tool.lintslim]\nfail-on = 'error'\n"}, "pyproject.toml"),
        ({"pyproject.toml": "[tool.lintslim.rules.LS501]\nseverity = 'error'\n"}, "pyproject.toml"),
        ({".lintslim.yaml": "fail-on: error\n"}, ".lintslim.yaml"),
        ({".lintslim.yml": "fail-on: error\n", "pyproject.toml": "[project]\nname = 'x'\n"}, ".lintslim.yml"),
    ],
    ids=["table", "sub-table", "yaml", "yml-beside-pyproject"],
)
def test_existing_configuration_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], existing: dict[str, str], name: str
) -> None:
    for file, text in existing.items():
        (tmp_path / file).write_text(text)
    assert _init(tmp_path, "--pyproject") == 0
    for file, text in existing.items():
        assert (tmp_path / file).read_text() == text
    out = capsys.readouterr().out
    assert "left unchanged" in out
    assert name in out
    assert _config(tmp_path).exists()  # the hook was still added


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[project\nname = 'x'\n", "invalid TOML"),
        ("tool = { black = { line-length = 100 } }\n", "cannot append a [tool.lintslim] table"),
    ],
    ids=["unparsable", "inline-tool-table"],
)
def test_a_pyproject_it_cannot_extend_is_an_error_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(content)
    assert _init(tmp_path, "--pyproject") == 2
    assert capsys.readouterr().err.startswith(f"lintslim: error: {tmp_path / 'pyproject.toml'}: {message}")
    assert (tmp_path / "pyproject.toml").read_text() == content
    assert not _config(tmp_path).exists()  # planned first, written only when both can be


def test_init_does_not_load_ruamel_yaml_until_it_runs() -> None:
    code = "import sys, lintslim.init; print('ruamel.yaml' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"

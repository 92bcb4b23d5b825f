"""The documentation site builds with the real `mkdocs build --strict`, holds the pages it should,
and the output its pages show is what lintslim prints.

The tests of the built site are skipped when mkdocs or mkdocs-material is not installed (both are in
the `test` extra).  The site is built once for the module, into a temporary directory.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lintslim.cli import main
from lintslim.engine.registry import default_registry
from lintslim.knowledge.foreign_rules import HADOLINT_RULES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
RULES = default_registry().rules


def _importable(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (_importable("mkdocs") and _importable("material")):
        pytest.skip("mkdocs and mkdocs-material are needed to build the docs site (pip install -e '.[test]')")
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        check=False,  # the assertion below shows mkdocs' output
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return out


def _nav_pages() -> list[str]:
    """The Markdown files the nav of mkdocs.yml lists, in order."""
    yaml = pytest.importorskip("yaml", reason="PyYAML (a dependency of mkdocs) reads mkdocs.yml")

    def walk(items: object) -> list[str]:
        if isinstance(items, str):
            return [items]
        if isinstance(items, list):
            return [page for item in items for page in walk(item)]
        if isinstance(items, dict):
            return [page for value in items.values() for page in walk(value)]
        return []

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return walk(config["nav"])


def _built(site: Path, page: str) -> Path:
    """Where mkdocs writes the page `page` (directory URLs: `a/b.md` → `a/b/index.html`)."""
    stem = page.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return site / stem.removesuffix("index") / "index.html"
    return site / stem / "index.html"


def test_every_nav_page_exists_and_is_built(site: Path) -> None:
    pages = _nav_pages()
    assert "rules/index.md" in pages and "migrating-from-hadolint.md" in pages
    assert [page for page in pages if not (DOCS / page).is_file()] == []
    assert [page for page in pages if not _built(site, page).is_file()] == []


def test_every_hand_written_page_is_in_the_nav() -> None:
    """Rule pages are reached from the rules index; every other page must be in the nav."""
    written = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    hand_written = {page for page in written if not re.fullmatch(r"rules/LS\d{3}\.md", page)}
    assert sorted(hand_written - set(_nav_pages())) == []


def test_every_rule_has_a_page(site: Path) -> None:
    missing = [rule.code for rule in RULES if not (site / "rules" / rule.code / "index.html").is_file()]
    assert missing == []


def test_rule_page_has_its_name_and_a_highlighted_dockerfile(site: Path) -> None:
    page = (site / "rules" / "LS503" / "index.html").read_text(encoding="utf-8")
    assert "LS503 prefer-copy-over-add" in page
    block = page.split('class="language-dockerfile highlight"', 1)
    assert len(block) == 2, "no Dockerfile code block on the LS503 page"
    # Pygments' Docker lexer marks instructions as keywords.
    assert '<span class="k">ADD</span>' in block[1] and '<span class="k">COPY</span>' in block[1]


def test_rules_index_links_every_rule_by_family(site: Path) -> None:
    page = (site / "rules" / "index.html").read_text(encoding="utf-8")
    assert 'id="general-hygiene-hygiene-ls5xx"' in page
    assert [rule.code for rule in RULES if f'href="{rule.code}/"' not in page] == []


def test_migration_table_maps_dl3020_to_ls503(site: Path) -> None:
    page = (site / "migrating-from-hadolint" / "index.html").read_text(encoding="utf-8")
    rows = {row for row in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL) if "<td>DL3020</td>" in row}
    assert len(rows) == 1, "the hadolint table has no single row for DL3020"
    assert 'href="../rules/LS503/"' in rows.pop()


def test_migration_table_says_which_codes_are_not_covered(site: Path) -> None:
    covered = {code for rule in RULES for code in rule.hadolint_codes()}
    uncovered = [item.code for item in HADOLINT_RULES if item.code not in covered]
    if not uncovered:
        pytest.skip("every hadolint rule is covered")
    page = (site / "migrating-from-hadolint" / "index.html").read_text(encoding="utf-8")
    rows = [row for row in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL) if f"<td>{uncovered[0]}</td>" in row]
    assert len(rows) == 1 and "not yet covered" in rows[0]


# --- the output the pages show ----------------------------------------------------------------------


def _blocks(page: str, language: str) -> list[str]:
    """The fenced code blocks of `docs/<page>` in `language`, in order, each ending with a newline."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def _lintslim(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["check", *args])
    return code, capsys.readouterr().out


def test_getting_started_shows_the_real_findings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    full, concise = _blocks("index.md", "text")
    monkeypatch.chdir(ROOT)
    assert _lintslim(capsys, "--output-format", "concise", "examples/Dockerfile") == (1, concise)
    code, printed = _lintslim(capsys, "--output-format", "full", "examples/Dockerfile")
    assert code == 1
    for excerpt in full.split("\n...\n"):  # the page leaves findings out, marked by `...`
        assert excerpt.strip("\n") in printed


def test_getting_started_shows_the_real_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The page's diff is what `--diff --unsafe-fixes` shows after `--fix` (then the new .dockerignore)."""
    (shown,) = _blocks("index.md", "diff")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    _lintslim(capsys, "--fix", "examples/Dockerfile")
    code, diff = _lintslim(capsys, "--diff", "--unsafe-fixes", "examples/Dockerfile")
    assert code == 1
    assert diff.split("--- /dev/null\n", 1)[0] == shown


def test_audit_shows_a_real_json_finding(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (shown,) = _blocks("audit.md", "json")
    monkeypatch.chdir(ROOT)
    code, printed = _lintslim(capsys, "--output-format", "json", "examples/Dockerfile")
    assert code == 1
    findings = json.loads(printed)
    assert [finding for finding in json.loads(shown) if finding not in findings] == []


def test_suppression_examples_are_silent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each Dockerfile on the suppression page has findings that its pragmas silence, all of them."""
    examples = _blocks("suppression.md", "dockerfile")
    assert len(examples) >= 3
    for number, text in enumerate(examples):
        dockerfile = tmp_path / f"{number}.Dockerfile"
        dockerfile.write_text(text, encoding="utf-8")
        assert _lintslim(capsys, "--output-format", "concise", str(dockerfile)) == (0, "All checks passed.\n"), text
        unsuppressed = "".join(line for line in text.splitlines(keepends=True) if "ignore=" not in line)
        dockerfile.write_text(unsuppressed.replace("# check=skip=", "# checked: "), encoding="utf-8")
        assert _lintslim(capsys, "--output-format", "concise", str(dockerfile))[0] == 1, f"nothing to silence: {text}"

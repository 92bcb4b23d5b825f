"""The documentation site builds with the real `mkdocs build --strict`, and holds the pages it should.

Skipped when mkdocs or mkdocs-material is not installed (both are in the `test` extra).  The site
is built once for the module, into a temporary directory.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


pytestmark = pytest.mark.skipif(
    not (_importable("mkdocs") and _importable("material")),
    reason="mkdocs and mkdocs-material are needed to build the docs site (pip install -e '.[test]')",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
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
    import yaml  # PyYAML: a dependency of mkdocs

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

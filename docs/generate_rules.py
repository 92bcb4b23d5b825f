"""Write `docs/rules/<CODE>.md` for every rule, the index `docs/rules/index.md`, and the generated
tables of the hand-written pages (the hadolint and BuildKit tables of `docs/migrating-from-hadolint.md`).

Run from anywhere: `python docs/generate_rules.py` (or `--check` to only report stale pages, exit 1).
The pages come from `lintslim.docs` (`render_all`, `fill_generated`); `tests/test_rule_docs.py` fails
when they are stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
OUT = DOCS / "rules"


def expected_files() -> dict[Path, str]:
    """Every generated file (or page with generated tables) and the text it should have."""
    sys.path.insert(0, str(ROOT))  # runnable from a checkout without installing lintslim
    from lintslim.docs import PAGES_WITH_TABLES, fill_generated, generated_tables, render_all
    from lintslim.engine.registry import default_registry

    rules = default_registry().rules
    files = {OUT / name: text for name, text in render_all(rules).items()}
    tables = generated_tables(rules)
    for name in PAGES_WITH_TABLES:
        page = DOCS / name
        files[page] = fill_generated(page.read_text(encoding="utf-8"), tables)
    return files


def stale(files: dict[Path, str]) -> list[Path]:
    """Files that differ from `files` or are missing, and pages in `docs/rules/` that belong to no rule."""
    changed = [path for path, text in files.items() if not _same(path, text)]
    orphans = [path for path in OUT.glob("*.md") if path not in files]
    return sorted(set(changed) | set(orphans))


def _same(path: Path, text: str) -> bool:
    return path.is_file() and path.read_text(encoding="utf-8") == text


def write(files: dict[Path, str]) -> list[Path]:
    paths = stale(files)
    OUT.mkdir(parents=True, exist_ok=True)
    for path in paths:
        if path in files:
            path.write_text(files[path], encoding="utf-8", newline="\n")
        else:
            path.unlink()
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale pages and exit 1 instead of writing")
    args = parser.parse_args(argv)
    files = expected_files()
    paths = stale(files) if args.check else write(files)
    names = [str(path.relative_to(ROOT)) for path in paths]
    verb = "stale" if args.check else "written"
    print(f"{len(names)} page(s) {verb}{': ' if names else ''}{', '.join(names)}")
    return 1 if args.check and names else 0


if __name__ == "__main__":
    sys.exit(main())

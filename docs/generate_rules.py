"""Write `docs/rules/<CODE>.md` for every rule and the index `docs/rules/README.md`.

Run from anywhere: `python docs/generate_rules.py` (or `--check` to only report stale pages, exit 1).
The pages come from `lintslim.docs.render_all`; `tests/test_rule_docs.py` fails when they are stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "rules"


def stale(pages: dict[str, str]) -> list[str]:
    """File names in `docs/rules/` that differ from `pages`, are missing, or belong to no rule."""
    existing = {path.name for path in OUT.glob("*.md")}
    changed = [name for name, text in pages.items() if not _same(OUT / name, text)]
    return sorted(set(changed) | (existing - set(pages)))


def _same(path: Path, text: str) -> bool:
    return path.is_file() and path.read_text(encoding="utf-8") == text


def write(pages: dict[str, str]) -> list[str]:
    names = stale(pages)
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        if name in pages:
            (OUT / name).write_text(pages[name], encoding="utf-8", newline="\n")
        else:
            (OUT / name).unlink()
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale pages and exit 1 instead of writing")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # runnable from a checkout without installing lintslim
    from lintslim.docs import render_all
    from lintslim.engine.registry import default_registry

    pages = dict(render_all(default_registry().rules))
    names = stale(pages) if args.check else write(pages)
    verb = "stale" if args.check else "written"
    print(f"{len(names)} page(s) {verb}{': ' if names else ''}{', '.join(names)}")
    return 1 if args.check and names else 0


if __name__ == "__main__":
    sys.exit(main())

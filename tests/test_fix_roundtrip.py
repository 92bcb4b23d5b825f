"""Fixes on real Dockerfiles: every file of ../shared/corpus, fixed with safe and unsafe fixes.

The fixed text still parses with BuildKit's own parser (when the original did), a second fix
changes nothing, no instruction disappears, and the text outside the edits is untouched.
"""

from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path

import pytest

from lintslim.config import Settings
from lintslim.engine.linter import Linter, fix_text
from lintslim.engine.registry import default_registry
from lintslim.syntax.parser import parse

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
dockerfile = pytest.importorskip("dockerfile", reason="BuildKit's parser (PyPI `dockerfile`) is not installed")
if not (CORPUS / "MANIFEST.tsv").is_file():
    pytest.skip(f"the corpus is not at {CORPUS} (it sits beside the checkout)", allow_module_level=True)


def corpus_texts() -> list[tuple[str, str]]:
    rows = (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    paths = [row.split("\t")[7] for row in rows]
    return [(path, (CORPUS / path).read_bytes().decode("utf-8")) for path in paths]


def buildkit_accepts(text: str) -> bool:
    try:
        dockerfile.parse_string(text)
    except dockerfile.GoParseError:
        return False
    return True


def unchanged_outside_edits(original: str, fixed: str) -> bool:
    """Every line the diff keeps is byte-identical, and nothing but replaced lines goes missing."""
    matcher = difflib.SequenceMatcher(a=original.splitlines(True), b=fixed.splitlines(True), autojunk=False)
    return all(tag in ("equal", "replace") for tag, *_ in matcher.get_opcodes())


def test_corpus_fix_round_trip(record_property: pytest.RecordProperty) -> None:
    linter = Linter.for_path(default_registry(), Settings(), None)
    applied: Counter[str] = Counter()
    changed = 0
    failures: list[str] = []
    for path, text in corpus_texts():
        outcome = fix_text(linter, text, unsafe=True)
        failures += [f"{path}: {problem}" for problem in outcome.problems]
        if not outcome.changed:
            continue
        changed += 1
        applied.update(outcome.applied)
        if buildkit_accepts(text) and not buildkit_accepts(outcome.text):
            failures.append(f"{path}: the fixed text no longer parses with BuildKit")
        if fix_text(linter, outcome.text, unsafe=True).changed:
            failures.append(f"{path}: a second fix changed the text again")
        if len(parse(outcome.text).instructions) != len(parse(text).instructions):
            failures.append(f"{path}: the fix changed the number of instructions")
        if not unchanged_outside_edits(text, outcome.text):
            failures.append(f"{path}: the fix removed or added lines")
    figure = f"fix round-trip: {changed} files fixed, fixes per rule {dict(sorted(applied.items()))}"
    print(figure)
    record_property("fix_round_trip", figure)
    assert changed > 0, "the corpus should give the fixes something to do"
    assert not failures, "\n".join(failures[:20])

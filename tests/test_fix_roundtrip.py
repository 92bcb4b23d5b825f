"""Fixes on real Dockerfiles: every file of ../shared/corpus, fixed with safe and unsafe fixes.

The fixed text still parses with BuildKit's own parser (when the original did), a second fix
changes nothing, every comment line the user wrote is still there, and no instruction disappears
except those a rule removes on purpose (LS201 turns a secret ARG/ENV into a secret mount, LS504
turns MAINTAINER into a LABEL, LS563 joins consecutive RUNs, LS564 deletes an overridden CMD).
Fixes may add instructions (a build stage, a manifest COPY).
"""

from __future__ import annotations

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


# Instructions a rule's fix removes on purpose, by rule code.
REMOVED_ON_PURPOSE = {
    "LS201": {"ARG", "ENV"},
    "LS504": {"MAINTAINER"},
    "LS563": {"RUN"},  # joins consecutive RUNs
    "LS564": {"CMD", "ENTRYPOINT", "HEALTHCHECK"},  # deletes the ones a later one overrides
}


def comment_lines(text: str) -> Counter[str]:
    return Counter(comment.text for comment in parse(text).comments)


def lost_instructions(original: str, fixed: str, applied: Counter[str]) -> int:
    """How many instructions the fix removed beyond those its rules may remove on purpose.

    Counted, not compared by keyword: fixes swap keywords (ADD → COPY, MAINTAINER → LABEL).
    """
    before, after = parse(original).instructions, parse(fixed).instructions
    allowed = set().union(*(REMOVED_ON_PURPOSE.get(code, set()) for code in applied))
    removable = sum(1 for instruction in before if instruction.keyword in allowed)
    return max(0, len(before) - len(after) - removable)


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
        here = Counter(outcome.applied)
        if buildkit_accepts(text) and not buildkit_accepts(outcome.text):
            failures.append(f"{path}: the fixed text no longer parses with BuildKit")
        if fix_text(linter, outcome.text, unsafe=True).changed:
            failures.append(f"{path}: a second fix changed the text again")
        if comment_lines(text) - comment_lines(outcome.text):
            failures.append(f"{path}: the fix lost comment lines {comment_lines(text) - comment_lines(outcome.text)}")
        if lost := lost_instructions(text, outcome.text, here):
            failures.append(f"{path}: the fix removed {lost} instruction(s)")
    figure = f"fix round-trip: {changed} files fixed, fixes per rule {dict(sorted(applied.items()))}"
    print(figure)
    record_property("fix_round_trip", figure)
    assert changed > 0, "the corpus should give the fixes something to do"
    assert not failures, "\n".join(failures[:20])

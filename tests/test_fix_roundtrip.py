"""Fixes on real Dockerfiles: every file of ../shared/corpus, fixed with safe and unsafe fixes.

The fixed text still parses with BuildKit's own parser (when the original did), a second fix
changes nothing, every comment line the user wrote is still there, and every instruction no fix
targeted is still there, byte for byte.  "Targeted" means an edit of a fix the original text's
findings offer touches the instruction: a replacement that overlaps it or starts or ends at its
edge (joining RUNs replaces the line break after one), an insertion strictly inside it or at its
end (one at its start adds an instruction before it).  Fixes may add instructions (a build
stage, a manifest COPY).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lintslim.config import Settings
from lintslim.engine.fixes import Edit
from lintslim.engine.linter import Linter, fix_text
from lintslim.engine.registry import default_registry
from lintslim.syntax.nodes import Instruction
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


def comment_lines(text: str) -> Counter[str]:
    return Counter(comment.text for comment in parse(text).comments)


def _touches(edit: Edit, instruction: Instruction) -> bool:
    start, end = instruction.span.start, instruction.span.end
    if edit.span.start == edit.span.end:
        return start < edit.span.start <= end
    return edit.span.start <= end and edit.span.end >= start  # a replacement that starts at its end joins it


def untargeted_instructions_lost(linter: Linter, original: str, fixed: str) -> list[str]:
    """The source text of every instruction no fix targeted that the fixed text no longer has."""
    document = parse(original)
    edits = [edit for diagnostic in linter.lint(document) if diagnostic.fix for edit in diagnostic.fix.edits]
    kept = Counter(
        original[i.span.start : i.span.end] for i in document.instructions if not any(_touches(e, i) for e in edits)
    )
    after = Counter(fixed[i.span.start : i.span.end] for i in parse(fixed).instructions)
    return sorted((kept - after).elements())


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
        if comment_lines(text) - comment_lines(outcome.text):
            failures.append(f"{path}: the fix lost comment lines {comment_lines(text) - comment_lines(outcome.text)}")
        if lost := untargeted_instructions_lost(linter, text, outcome.text):
            failures.append(f"{path}: instructions no fix targeted changed or went: {lost}")
    figure = f"fix round-trip: {changed} files fixed, fixes per rule {dict(sorted(applied.items()))}"
    print(figure)
    record_property("fix_round_trip", figure)
    assert changed > 0, "the corpus should give the fixes something to do"
    assert not failures, "\n".join(failures[:20])

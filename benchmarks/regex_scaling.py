"""How each regular expression's time grows on long near-miss strings.  Not a test: it prints figures.

    python benchmarks/regex_scaling.py              # every expression, n = 2,000 and 4n
    python benchmarks/regex_scaling.py --n 5000 --worst 20

The expressions are the ones tests/test_regex_safety.py collects (module globals, inline `re` calls,
token formats, base-image data).  For each, near misses are built from its own parse tree: every
character class a repeat takes, repeated n times, then a character that breaks the match (a
newline, `!`, `<`, `}`, a quote).  Each input is run with `search` (the slowest way each expression
is used) at n and 4n; the ratio of the two times is about 4 for linear time, 16 for quadratic, and
anything far above that is backtracking out of control.  The worst expressions are printed.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_regex_safety import ALL, REPEATS, Node, nodes, parser  # the collection is the test's

BREAKERS = "\n!<}\"' "
SAMPLE_ORDER = "a1 _-./:=$A\t"


def repeated_units(pattern: re.Pattern[str]) -> Iterator[str]:
    """One character each repeat of the expression can take, preferring ordinary ones."""
    parsed = parser.parse(pattern.pattern, pattern.flags)
    found: set[str] = set()
    stack: list[Node] = nodes(parsed, parsed.state.flags)
    while stack:
        node = stack.pop()
        if node.op in REPEATS:
            chars = node.chars()
            preferred = [char for char in SAMPLE_ORDER if char in chars]
            found.add(preferred[0] if preferred else min(chars, default="a"))
        stack += [child for sequence in node.children for child in sequence]
    yield from sorted(found)


def seconds(pattern: re.Pattern[str], text: str, budget: float) -> float:
    started = time.perf_counter()
    pattern.search(text)
    elapsed = time.perf_counter() - started
    return min(elapsed, budget)


def measure(pattern: re.Pattern[str], n: int) -> tuple[float, float, str]:
    """The slowest near miss at n and at 4n: (time at n, time at 4n, the input's shape)."""
    worst = (0.0, 0.0, "")
    for unit in repeated_units(pattern):
        for breaker in BREAKERS:
            small = seconds(pattern, unit * n + breaker, 5.0)
            # already slow at n: not worth the wait at 4n
            large = seconds(pattern, unit * (4 * n) + breaker, 60.0) if small < 0.5 else float("inf")
            if large > worst[1]:
                worst = (small, large, f"{unit!r} x n + {breaker!r}")
    return worst


def main() -> int:
    parser_ = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser_.add_argument("--n", type=int, default=2_000, help="length of the short near miss (default 2,000)")
    parser_.add_argument("--worst", type=int, default=25, help="how many of the slowest to print (default 25)")
    args = parser_.parse_args()
    rows = []
    for where, pattern in ALL:
        small, large, shape = measure(pattern, args.n)
        rows.append((large, small, where, shape))
    rows.sort(reverse=True)
    print(f"{len(rows)} expressions, near misses of n = {args.n:,} and 4n characters (search)")
    print(f"{'time at 4n':>11} {'time at n':>10} {'ratio':>7}  expression  (input)")
    for large, small, where, shape in rows[: args.worst]:
        ratio = large / small if small > 0 else 0.0
        print(f"{large:10.4f}s {small:9.4f}s {ratio:7.1f}  {where}  ({shape})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

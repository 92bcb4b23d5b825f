"""Time the stage, base-image, user, instruction, layout and variable rules on generated large Dockerfiles.

Not a test: it prints figures (seconds per rule, parse and graph excluded, best of `--repeat`).  Each shape
stresses a way a rule can turn quadratic: a long `FROM <previous stage>` chain, many image stages on one
long chain, many `COPY --from` references, many upper-case stage names, many undefined variables in one
stage, many empty continuation lines.

    python benchmarks/stage_shapes.py                 # 5,000 stages / lines per shape
    python benchmarks/stage_shapes.py --size 2000 --rules LS572,LS524
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from lintslim.config import Settings
from lintslim.engine.linter import Linter
from lintslim.engine.registry import default_registry
from lintslim.syntax.parser import parse

_DEFAULT_RULES = (
    "LS501,LS502,LS504,LS510,LS511,LS512,LS513,LS514,LS515,LS516,LS517,LS518,LS519,LS520,LS521,LS522,LS523,"
    "LS524,LS525,LS560,LS561,LS562,LS563,LS564,LS565,LS566,LS567,LS568,LS569,LS570,LS571,LS572"
)


def chain(size: int) -> str:
    """`FROM s<i-1> AS s<i>` with a RUN, as in the task that found LS572's quadratic walk."""
    lines = ["FROM alpine AS s0\n"]
    lines += [f"FROM s{i - 1} AS s{i}\nRUN echo $X\n" for i in range(1, size)]
    return "".join(lines)


def chain_with_leaves(size: int) -> str:
    """A chain of `size // 2` stages, then `size // 2` image stages built on its end."""
    half = size // 2
    lines = ["FROM alpine:3.20 AS s0\nUSER 1000\nARG A=1\n"]
    lines += [f"FROM s{i - 1} AS s{i}\nARG A{i}=1\nCOPY x /x\n" for i in range(1, half)]
    lines += [f"FROM s{half - 1} AS leaf{i}\nCOPY $A{i} /y\n" for i in range(half)]
    return "".join(lines)


def copy_from_chain(size: int) -> str:
    """Each stage copies from the one before."""
    lines = ["FROM alpine:3.20 AS s0\n"]
    lines += [f"FROM alpine:3.20 AS s{i}\nCOPY --from=s{i - 1} /a /a\n" for i in range(1, size)]
    return "".join(lines)


def upper_case_names(size: int) -> str:
    """Stages named in upper case, each copied from by the next."""
    lines = ["FROM alpine:3.20 AS S0\n"]
    lines += [f"FROM alpine:3.20 AS S{i}\nCOPY --from=S{i - 1} /a /a\n" for i in range(1, size)]
    return "".join(lines)


def undefined_in_one_stage(size: int) -> str:
    """One stage whose every COPY uses a variable declared only at the end."""
    lines = ["FROM alpine:3.20\n"]
    lines += [f"COPY $V{i} /d{i}/\n" for i in range(size)]
    lines += [f"ARG V{i}\n" for i in range(size)]
    return "".join(lines)


def args_in_one_stage(size: int) -> str:
    """One stage declaring `size` ARGs in pairs (the second default reads the first), each used by a COPY."""
    lines = ["FROM alpine:3.20\n"]
    lines += [f"ARG A{i}=v{i} B{i}=${{A{i}}}-x\nCOPY $B{i} /d{i}/\n" for i in range(size)]
    return "".join(lines)


def env_pairs_in_one_stage(size: int) -> str:
    """One stage with `size` ENV instructions of two pairs each, and a RUN reading them after every ENV."""
    lines = ["FROM alpine:3.20\n"]
    lines += [f"ENV E{i}=/opt/{i} F{i}=x\nRUN echo $E{i} $F{i}\n" for i in range(size)]
    return "".join(lines)


def env_chain(size: int) -> str:
    """`FROM <previous stage>` with one ENV each: every stage inherits the ENV of all the stages before it."""
    lines = ["FROM alpine:3.20 AS s0\nENV E0=0\n"]
    lines += [f"FROM s{i - 1} AS s{i}\nENV E{i}=$E{i - 1}\nRUN echo $E{i}\n" for i in range(1, size)]
    return "".join(lines)


def long_values(size: int) -> str:
    """An ENV value of `size` * 200 characters, copied by a second ENV and a quoted ARG default."""
    value = "x" * (size * 200)
    return f'FROM alpine:3.20\nENV A={value}\nENV B=$A C="$A"\nARG D=${{B}}-{value}\nRUN echo $D\n'


def empty_continuations(size: int) -> str:
    """Many RUNs, each continued over an empty line."""
    return "FROM alpine:3.20\n" + "".join(f"RUN echo {i} \\\n\n  done\n" for i in range(size))


SHAPES: dict[str, Callable[[int], str]] = {
    "chain": chain,
    "chain-with-leaves": chain_with_leaves,
    "copy-from-chain": copy_from_chain,
    "upper-case-names": upper_case_names,
    "undefined-in-one-stage": undefined_in_one_stage,
    "empty-continuations": empty_continuations,
    "args-in-one-stage": args_in_one_stage,
    "env-pairs-in-one-stage": env_pairs_in_one_stage,
    "env-chain": env_chain,
    "long-values": long_values,
}


def time_rule(code: str, text: str, repeat: int) -> tuple[float, int]:
    """Best time of one rule on `text` (parsed afresh each run; parse and graph excluded), and its findings."""
    registry = default_registry()
    settings = Settings(select=[code])
    linter = Linter.for_path(registry, settings, None)
    best = float("inf")
    found = 0
    for _ in range(repeat):
        dockerfile = parse(text, None)
        _ = dockerfile.graph  # built once per document and shared by the rules: not this rule's time
        start = time.perf_counter()
        found = len(linter.lint(dockerfile))
        best = min(best, time.perf_counter() - start)
    return best, found


def time_graph_queries(text: str) -> dict[str, float]:
    """Seconds for the graph questions every rule leans on, asked of every instruction (or line) of a fresh
    parse: `scope_at`, `image_stages`, and `Dockerfile.instruction_at_line`."""
    dockerfile = parse(text, None)
    graph = dockerfile.graph
    figures: dict[str, float] = {}
    start = time.perf_counter()
    for instruction in dockerfile.instructions:
        graph.scope_at(instruction)
    figures["scope_at, every instruction"] = time.perf_counter() - start
    start = time.perf_counter()
    graph.image_stages()
    figures["image_stages"] = time.perf_counter() - start
    start = time.perf_counter()
    for line in range(1, len(dockerfile.line_kinds) + 1):
        dockerfile.instruction_at_line(line)
    figures["instruction_at_line, every line"] = time.perf_counter() - start
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000, help="stages (or lines) per shape")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per rule and shape (best kept)")
    parser.add_argument("--rules", default=_DEFAULT_RULES, help="comma-separated rule codes")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated shape names")
    parser.add_argument("--slow", type=float, default=0.5, help="print only rules slower than this (seconds)")
    args = parser.parse_args()
    for shape in args.shapes.split(","):
        text = SHAPES[shape](args.size)
        print(f"{shape} ({args.size}): {len(text.splitlines())} lines")
        for question, seconds in time_graph_queries(text).items():
            print(f"  graph: {question}: {seconds:.2f} s")
        for code in args.rules.split(","):
            seconds, found = time_rule(code, text, args.repeat)
            if seconds >= args.slow:
                print(f"  {code}: {seconds:.2f} s, {found} findings")
        print(f"  (rules under {args.slow} s not shown)")


if __name__ == "__main__":
    main()

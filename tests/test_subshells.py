"""Subshell nesting of a RUN's commands: where a `cd` or a variable stops counting."""

from __future__ import annotations

import pytest

from lintslim.analysis.subshells import Nesting, SubshellScope, commands_with_nesting
from lintslim.syntax.parser import parse


def _nesting(run: str) -> list[tuple[str | None, int, int]]:
    dockerfile = parse(f"FROM alpine\n{run}\n")
    instruction = dockerfile.instructions[1]
    return [
        (command.name, nesting.leaves, nesting.enters)
        for command, nesting in commands_with_nesting(dockerfile, instruction)
    ]


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        # `) &&` reaches the splitter as `&&` alone: the parenthesis is counted in the text
        ("RUN (cd /tmp && true) && make", [("cd", 0, 1), ("true", 0, 0), ("make", 1, 0)]),
        ("RUN (a) && (b)", [("a", 0, 1), ("b", 1, 1)]),  # two subshells, not one
        ("RUN ( (cd /x) ) ; y", [("cd", 0, 2), ("y", 2, 0)]),
        ("RUN { cd /x; } && y", [("cd", 0, 0), ("y", 0, 0)]),  # a brace group is no subshell
        ("RUN f() { cd /x; }; g", [("f", 0, 0), ("cd", 0, 0), ("g", 0, 0)]),  # `()` cancels out
        ("RUN a ) ; b", [("a", 0, 0), ("b", 0, 0)]),  # nothing open: nothing closes
        # a case pattern's `)` is no subshell end; the subshell around the case is still seen
        ("RUN (case $a in x) cd /y;; esac) && z", [("case", 0, 1), ("cd", 0, 0), ("esac", 0, 0), ("z", 1, 0)]),
        # parentheses in a comment between continuation lines are not operators
        ("RUN (cd a && \\\n# see (notes\n  b) && c", [("cd", 0, 1), ("b", 0, 0), ("c", 1, 0)]),
        ('RUN ["sh", "-c", "(cd /x) && y"]', [("cd", 0, 1), ("y", 1, 0)]),
        ("RUN <<EOF\n(cd /x)\ny\nEOF", [(None, 0, 0), ("cd", 0, 1), ("y", 1, 0)]),
        # a heredoc script starts at the top level, whatever the line left open
        ("RUN (bash <<EOF\ncd /x\nEOF\n", [("bash", 0, 1), ("cd", 1, 0)]),
    ],
)
def test_nesting(run: str, expected: list[tuple[str | None, int, int]]) -> None:
    assert _nesting(run) == expected


def test_scope_restores_what_each_subshell_started_with() -> None:
    scope: SubshellScope[str] = SubshellScope()
    value = scope.step(Nesting(enters=2), "/app")  # `( (`
    assert value == "/app"
    value = scope.step(Nesting(leaves=1), "/inner")  # `)`: back to what the outer subshell had
    assert value == "/app"
    value = scope.step(Nesting(leaves=1, enters=1), "/outer")  # `) && (`
    assert value == "/app" and scope.saved == ["/app"]
    assert scope.step(Nesting(leaves=3), "/x") == "/app"  # extra `)` restore nothing more
    assert not Nesting() and Nesting(leaves=1)

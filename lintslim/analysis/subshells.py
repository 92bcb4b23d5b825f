"""Where a RUN's commands enter and leave subshells, so that `cd` and variables stay in theirs.

`(cd /tmp && make) && go build` builds in the directory the RUN started in: a subshell gets a copy
of its parent's working directory and variables, and changes to them end with it.  The splitter
(`lintslim.syntax.shell`) counts the parentheses between commands (`Command.leaves`/`enters`);
here a heredoc script that follows the instruction line also ends what that line left open.

Parentheses inside a `case … esac` are patterns (`a) cmd ;;`), not subshells: the splitter does not
count them, so a subshell inside a case arm is not seen.  Function definitions (`f() { … }`) open
and close between two commands and cancel out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.shell import Command, shell_commands

T = TypeVar("T")
_LINE_SCRIPT = -1  # the instruction line (or exec-form script), as opposed to a heredoc body


@dataclass(frozen=True, slots=True)
class Nesting:
    """How a command's subshell nesting differs from the command before it."""

    leaves: int = 0  # subshells that ended since the previous command
    enters: int = 0  # subshells that began since (after those ended)

    def __bool__(self) -> bool:
        return bool(self.leaves or self.enters)


@dataclass
class SubshellScope(Generic[T]):
    """A value each subshell keeps for itself (the working directory, the variables).

    `step(nesting, current)` returns the value in force for the next command: `current`, or what the
    shell had before the subshells that just ended.  Saved values are kept as given: pass immutable
    values or copies, and copy again what comes back before changing it in place.
    """

    saved: list[T] = field(default_factory=list)

    def step(self, nesting: Nesting, current: T) -> T:
        for _ in range(nesting.leaves):
            if self.saved:  # a `)` without its `(` (a case pattern we missed): nothing to restore
                current = self.saved.pop()
        self.saved.extend([current] * nesting.enters)
        return current


def commands_with_nesting(dockerfile: Dockerfile, instruction: Instruction) -> Iterator[tuple[Command, Nesting]]:
    """Each of `shell_commands(dockerfile, instruction)` with how it enters or leaves subshells.

    A heredoc body is a script of its own: the subshells of the script before it end there.
    """
    effective = instruction.effective
    depth = 0
    script = None
    for command in shell_commands(dockerfile, instruction):
        leaves = command.leaves
        current = _script_of(effective, command)
        if current != script:
            leaves, depth, script = depth, 0, current  # the splitter starts each script at depth 0
        depth += command.enters - command.leaves
        yield command, Nesting(leaves, command.enters)


def _script_of(instruction: Instruction, command: Command) -> int:
    """Which script a command belongs to: the instruction line, or the index of its heredoc."""
    if not command.in_heredoc:
        return _LINE_SCRIPT
    start = command.span.start
    for index, heredoc in enumerate(instruction.heredocs):
        if heredoc.body.start <= start <= heredoc.body.end:
            return index
    return len(instruction.heredocs)

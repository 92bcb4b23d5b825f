"""Fix edits that add, move or remove whole lines, written in the file's own style.

Rules of every family build their line-level fixes from these: the line ending the file uses, the
case its keywords are written in, and an instruction's lines with the comment lines above it.
"""

from __future__ import annotations

import re

from lintslim.engine.fixes import Edit
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.source import Span


def newline_of(dockerfile: Dockerfile) -> str:
    """The line ending new lines get: CRLF when the file has one anywhere (memoised: asked per fix)."""
    found = dockerfile.memo.get(("newline",))
    if not isinstance(found, str):
        found = dockerfile.memo[("newline",)] = "\r\n" if "\r\n" in dockerfile.text else "\n"
    return found


def keyword_case(dockerfile: Dockerfile, instruction: Instruction, keyword: str) -> str:
    """`keyword` in the case `instruction`'s own keyword is written in (`copy` in a lower-case file)."""
    span = instruction.keyword_span
    return keyword.lower() if dockerfile.text[span.start : span.end].islower() else keyword


def line_after(dockerfile: Dockerfile, instruction: Instruction, line: str) -> Edit:
    """An edit adding `line` on its own line just after `instruction`, in that line's ending style."""
    text = dockerfile.text
    newline_at = text.find("\n", instruction.span.end)
    if newline_at == -1:
        return Edit.insert(len(text), "\n" + line)
    newline = "\r\n" if text[newline_at - 1 : newline_at] == "\r" else "\n"
    return Edit.insert(newline_at + 1, line + newline)


def instruction_block(dockerfile: Dockerfile, instruction: Instruction, *, comments: bool = True) -> Span:
    """An instruction's lines, with the comment lines directly above it, newline included."""
    first = instruction.comments[0].line if comments and instruction.comments else instruction.start_line
    lines = dockerfile.lines
    return Span(lines.line_start(first), lines.line_end(instruction.end_line, keep_newline=True))


def removal_span(text: str, block: Span) -> Span:
    """What to delete to take a block of lines out: with the blank line after it when one is also above it."""
    above_blank = text[: block.start].endswith(("\n\n", "\n\r\n")) or block.start == 0
    blank = re.match(r"[ \t]*\r?\n", text[block.end :])
    if above_blank and blank is not None:
        return Span(block.start, block.end + blank.end())
    return block

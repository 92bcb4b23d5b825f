"""What rules share: line-level fix edits in the file's own style, and message wording."""

from __future__ import annotations

from lintslim.engine.fixes import Fix, apply_fixes
from lintslim.rules._edits import instruction_block, keyword_case, line_after, newline_of, removal_span
from lintslim.rules._wording import and_list, shortened
from lintslim.syntax.parser import parse


def test_new_lines_follow_the_file_style() -> None:
    assert newline_of(parse("FROM a\r\nRUN b\r\n")) == "\r\n" and newline_of(parse("FROM a\nRUN b\n")) == "\n"
    assert newline_of(parse("FROM a\nRUN b\r\n")) == "\r\n"  # one CRLF anywhere is enough
    lower = parse("from alpine\nrun true\n")
    assert keyword_case(lower, lower.instructions[0], "COPY") == "copy"
    upper = parse("FROM alpine\n")
    assert keyword_case(upper, upper.instructions[0], "COPY") == "COPY"


def test_line_after_an_instruction() -> None:
    crlf = parse('FROM scratch\r\nCMD ["/app"]\r\n')
    edit = line_after(crlf, crlf.instructions[0], "COPY a /a")
    assert (edit.span.start, edit.content) == (len("FROM scratch\r\n"), "COPY a /a\r\n")
    last = parse("FROM scratch")
    edit = line_after(last, last.instructions[0], "COPY a /a")
    assert (edit.span.start, edit.content) == (len("FROM scratch"), "\nCOPY a /a")


def test_an_instruction_block_comes_out_with_one_blank_line() -> None:
    text = "FROM a\n\n# why\nARG X\n\nRUN b\n"
    dockerfile = parse(text)
    block = instruction_block(dockerfile, dockerfile.instructions[1])
    assert text[block.start : block.end] == "# why\nARG X\n"
    assert text[: block.start] + text[removal_span(text, block).end :] == "FROM a\n\nRUN b\n"
    no_comment = instruction_block(dockerfile, dockerfile.instructions[1], comments=False)
    assert text[no_comment.start : no_comment.end] == "ARG X\n"
    added = apply_fixes(text, [Fix.safe("t", line_after(dockerfile, dockerfile.instructions[0], "ENV Y=1"))])
    assert added == "FROM a\nENV Y=1\n\n# why\nARG X\n\nRUN b\n"


def test_wording() -> None:
    assert [and_list(items) for items in ([], ["a"], ["a", "b"], ["a", "b", "c"])] == ["", "a", "a and b", "a, b and c"]
    assert shortened("x" * 40) == "x" * 40 and shortened("x" * 41) == "x" * 37 + "..."


def test_ls103_advice_names_the_manifests_and_the_lock_file() -> None:
    from lintslim.config import settings_from_mapping
    from lintslim.engine.linter import Linter
    from lintslim.engine.registry import default_registry

    registry = default_registry()
    linter = Linter.for_path(registry, settings_from_mapping({"select": ["LS103"]}, registry), None)
    (finding,) = linter.lint_text("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n")[1]
    assert "copy `package.json` and `package-lock.json` first, install, then copy the rest" in finding.message

"""Inline suppressions: lintslim pragmas, hadolint's, and BuildKit's `# check=skip=` directive."""

from __future__ import annotations

import pytest

from lintslim.config import Settings
from lintslim.engine.registry import default_registry
from lintslim.engine.suppress import ALL, collect
from lintslim.runner import check_text
from lintslim.syntax.parser import parse

REGISTRY = default_registry()
# the rules these tests are written against; rules added to other families must not change them
SETTINGS = Settings(select=("LS501", "LS502", "LS503", "LS504", "meta"))  # the rules these tests are written against


def findings(text: str) -> list[tuple[str, int]]:
    """(code, line) of every finding, in order."""
    report = check_text(text, "Dockerfile", SETTINGS, REGISTRY)
    assert report.error is None
    assert report.dockerfile is not None
    lines = report.dockerfile.lines
    return [(d.code, lines.position(d.span.start).line) for d in report.diagnostics]


def test_unsuppressed_baseline() -> None:
    text = "FROM alpine\nADD a /a/\nWORKDIR app\nCMD python app.py\nMAINTAINER me\n"
    assert findings(text) == [("LS503", 2), ("LS501", 3), ("LS502", 4), ("LS504", 5)]


# --- `# lintslim: ignore=` ------------------------------------------------------------------------------


def test_ignore_covers_the_next_instruction_only() -> None:
    text = "FROM alpine\n# lintslim: ignore=LS503\nADD a /a/\nADD b /b/\n"
    assert findings(text) == [("LS503", 4)]


def test_ignore_covers_continuation_lines() -> None:
    # LS502 reports the command, which starts on the continuation line
    unsuppressed = "FROM alpine\nCMD \\\n  python app.py\n"
    assert findings(unsuppressed) == [("LS502", 3)]
    text = "FROM alpine\n# lintslim: ignore=LS502\nCMD \\\n  python app.py\nENTRYPOINT \\\n  python app.py\n"
    assert findings(text) == [("LS502", 6)]


def test_ignore_covers_a_finding_far_into_a_long_instruction() -> None:
    text = "FROM alpine\n# lintslim: ignore=LS501\nWORKDIR \\\n\\\n  \\\n  app\nWORKDIR other\n"
    assert findings(text) == [("LS501", 7)]


def test_ignore_is_broken_by_a_blank_line() -> None:
    text = "FROM alpine\n# lintslim: ignore=LS503\n\nADD a /a/\n"
    assert findings(text) == [("LS503", 4)]


def test_ignore_reaches_through_other_comments_in_the_block() -> None:
    text = "FROM alpine\n# lintslim: ignore=LS503\n# copy the sources\nADD a /a/\n"
    assert findings(text) == []


def test_ignore_only_the_named_rule() -> None:
    text = "FROM alpine\n# lintslim: ignore=LS503\nONBUILD ADD a /a/\n# lintslim: ignore=LS503\nWORKDIR app\n"
    assert findings(text) == [("LS501", 5)]


@pytest.mark.parametrize(
    "codes",
    ["LS501,LS502", "LS501, LS502", "LS501 ,LS502", "LS501 , LS502", "workdir-relative-path, json-args-recommended"],
)
def test_ignore_several_codes(codes: str) -> None:
    # a space after the comma used to end the list: `ignore=LS501, LS502` ignored LS501 only
    text = f"FROM alpine\n# lintslim: ignore={codes}\nWORKDIR app\n# lintslim: file-ignore={codes}\nCMD python app.py\n"
    assert findings(text) == []
    text = f"FROM alpine\n# lintslim: ignore={codes}\nCMD python app.py\nWORKDIR app\n"
    assert findings(text) == [("LS501", 4)]


def test_ignore_all() -> None:
    text = "FROM alpine\n# lintslim: ignore=all\nADD a /a/\nADD b /b/\n"
    assert findings(text) == [("LS503", 4)]
    text = "FROM alpine\n# lintslim: ignore=ALL\nCMD python app.py\n"
    assert findings(text) == []


@pytest.mark.parametrize(
    "reference",
    ["prefer-copy-over-add", "PREFER-COPY-OVER-ADD", "DL3020", "ls503"],
)
def test_ignore_by_name_or_alias(reference: str) -> None:
    text = f"FROM alpine\n# lintslim: ignore={reference}\nADD a /a/\n"
    assert findings(text) == []


def test_ignore_by_buildkit_check_name() -> None:
    text = "FROM alpine\n# lintslim: ignore=JSONArgsRecommended\nCMD python app.py\n"
    assert findings(text) == []


def test_pragma_is_case_and_space_insensitive() -> None:
    assert findings("FROM alpine\n# LINTSLIM: IGNORE=LS503\nADD a /a/\n") == []
    assert findings("FROM alpine\n#lintslim:ignore=LS503\nADD a /a/\n") == []


@pytest.mark.parametrize(
    "pragma",
    [
        "# lintslim: ignore=LS503 -- the sources are plain files",
        "# lintslim: ignore=LS503 -- reason, with a comma, LS999",
        "# lintslim: ignore=LS503 # old habit",
    ],
)
def test_reason_after_the_codes(pragma: str) -> None:
    assert findings(f"FROM alpine\n{pragma}\nADD a /a/\n") == []


def test_comment_inside_an_instruction_is_not_a_pragma() -> None:
    text = "FROM alpine\nRUN echo \\\n# lintslim: ignore=LS503\n  hi\nADD a /a/\n"
    assert findings(text) == [("LS503", 5)]


def test_parse_error_can_be_suppressed() -> None:
    assert findings("FROM alpine\nCMD [1]\n") == [("LS900", 2)]
    assert findings("FROM alpine\n# lintslim: ignore=LS900\nCMD [1]\n") == []


# --- `# lintslim: file-ignore=` -------------------------------------------------------------------------


def test_file_ignore_at_the_top() -> None:
    text = "# lintslim: file-ignore=LS503\nFROM alpine\nADD a /a/\nADD b /b/\nWORKDIR app\n"
    assert findings(text) == [("LS501", 5)]


def test_file_ignore_anywhere_and_by_name() -> None:
    text = "FROM alpine\nADD a /a/\n\n# lintslim: file-ignore=prefer-copy-over-add,LS501\n\nWORKDIR app\nADD b /b/\n"
    assert findings(text) == []


def test_file_ignore_above_an_instruction_is_still_file_wide() -> None:
    text = "FROM alpine\nADD a /a/\n# lintslim: file-ignore=LS503\nWORKDIR app\nADD b /b/\n"
    assert findings(text) == [("LS501", 4)]


def test_file_ignore_all() -> None:
    text = "# lintslim: file-ignore=all\nFROM alpine\nADD a /a/\nWORKDIR app\nCMD [1]\n"
    assert findings(text) == []


# --- stage scope -------------------------------------------------------------------------------------------

STAGES = "FROM alpine AS build\nADD a /a/\n{pragma}FROM alpine AS app\nADD b /b/\nWORKDIR app\nFROM app\nADD c /c/\n"


@pytest.mark.parametrize("pragma", ["# lintslim: stage-ignore=LS503", "# hadolint stage ignore=DL3020"])
def test_stage_ignore_above_a_from_covers_that_stage_only(pragma: str) -> None:
    assert findings(STAGES.format(pragma="")) == [("LS503", 2), ("LS503", 4), ("LS501", 5), ("LS503", 7)]
    # the pragma line moves the later findings one line down
    assert findings(STAGES.format(pragma=pragma + "\n")) == [("LS503", 2), ("LS501", 6), ("LS503", 8)]


def test_stage_ignore_inside_a_stage_covers_the_rest_of_it() -> None:
    text = (
        "FROM alpine\nADD a /a/\n# hadolint stage ignore=DL3020,DL3000\nWORKDIR app\nADD b /b/\n"
        "FROM alpine\nADD c /c/\n"
    )
    assert findings(text) == [("LS503", 2), ("LS503", 7)]


def test_stage_ignore_names_unknown_rules_like_ignore() -> None:
    text = "FROM alpine\n# lintslim: stage-ignore=LS999\nADD a /a/\n"
    assert findings(text) == [("LS901", 2), ("LS503", 3)]


# --- hadolint pragmas ------------------------------------------------------------------------------------


def test_hadolint_ignore() -> None:
    text = "FROM alpine\n# hadolint ignore=DL3020\nADD a /a/\nADD b /b/\n"
    assert findings(text) == [("LS503", 4)]


def test_hadolint_ignore_several() -> None:
    text = "FROM alpine\n# hadolint ignore=DL3020,DL3025\nCMD python app.py\n"
    assert findings(text) == []


def test_hadolint_global_ignore() -> None:
    text = "# hadolint global ignore=DL3000\nFROM alpine\nWORKDIR app\nADD a /a/\nWORKDIR other\n"
    assert findings(text) == [("LS503", 4)]


def test_hadolint_unknown_code_is_not_an_invalid_suppression() -> None:
    # hadolint has rules lintslim does not implement; naming them is not a mistake
    text = "FROM alpine\n# hadolint ignore=DL3008,DL3020\nADD a /a/\n"
    assert findings(text) == []


# --- BuildKit's `# check=` directive -----------------------------------------------------------------------


def test_check_skip_directive() -> None:
    text = "# check=skip=JSONArgsRecommended\nFROM alpine\nCMD python app.py\nADD a /a/\n"
    assert findings(text) == [("LS503", 4)]


def test_check_skip_several_with_other_settings() -> None:
    text = "# check=error=true;skip=WorkdirRelativePath,JSONArgsRecommended\nFROM alpine\nCMD python\nWORKDIR app\n"
    assert findings(text) == []


def test_check_skip_all_covers_rules_that_stand_for_buildkit_checks() -> None:
    text = "# check=skip=all\nFROM alpine\nCMD python app.py\nADD a /a/\nWORKDIR app\nMAINTAINER me\n"
    # LS503 stands for hadolint's DL3020 only: BuildKit has no such check, so `skip=all` leaves it
    assert findings(text) == [("LS503", 4)]


def test_check_directive_below_an_instruction_is_just_a_comment() -> None:
    text = "FROM alpine\n# check=skip=JSONArgsRecommended\n\nCMD python app.py\n"
    assert findings(text) == [("LS502", 4)]


# --- unknown codes ----------------------------------------------------------------------------------------


def test_unknown_code_is_ls901_and_suppresses_nothing() -> None:
    text = "FROM alpine\n# lintslim: ignore=LS999\nADD a /a/\n"
    assert findings(text) == [("LS901", 2), ("LS503", 3)]
    report = check_text(text, "Dockerfile", SETTINGS, REGISTRY)
    [invalid] = [d for d in report.diagnostics if d.code == "LS901"]
    assert "`LS999`" in invalid.message


def test_unknown_name_next_to_a_known_code() -> None:
    text = "FROM alpine\n# lintslim: ignore=LS503,prefer-copy-over-adds\nADD a /a/\n"
    assert findings(text) == [("LS901", 2)]


def test_unknown_code_in_file_ignore() -> None:
    text = "# lintslim: file-ignore=no-such-rule\nFROM alpine\nADD a /a/\n"
    assert findings(text) == [("LS901", 1), ("LS503", 3)]


def test_ls901_can_itself_be_ignored_file_wide() -> None:
    text = "FROM alpine\n# lintslim: file-ignore=LS901\n# lintslim: ignore=LS999\nADD a /a/\n"
    assert findings(text) == [("LS503", 4)]


# --- collect() directly -------------------------------------------------------------------------------------


def test_collect_ranges_and_file_codes() -> None:
    text = "# hadolint global ignore=DL3000\nFROM alpine\n# lintslim: ignore=all\nRUN a \\\n  b\n"
    suppressions = collect(parse(text, "Dockerfile"), REGISTRY)
    assert suppressions.file_codes == {"LS501"}
    [(start, end, codes)] = suppressions.ranges
    assert codes == frozenset({ALL})
    assert text[start:end] == "RUN a \\\n  b"
    assert suppressions.unknown == []

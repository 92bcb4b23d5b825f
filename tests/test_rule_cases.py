"""Run the rule case files `rules/<CODE>.yml`: one pytest case per YAML case (`pytest -k LS503`).

The format (sqlfluff's YAML rule cases, with ruff's safe and unsafe fixes)::

    rule: LS503                  # must match the file name
    cases:
      fail_add_local:            # the case name; the test id is `LS503-fail_add_local`
        fail: |                  # a Dockerfile the rule must flag (at least one finding)
          FROM python:3.12
          ADD app.py /app/
        fix: |                   # the text after safe fixes (`lintslim check --fix`)
          FROM python:3.12
          COPY app.py /app/
        violations: [{line: 2, column: 1, end_line: 2, end_column: 4}]
        doc: true                # this case is the docs example ("Example" / "Use instead")
      pass_add_url:
        pass: |                  # a Dockerfile the rule must not flag
          FROM alpine
          ADD https://example.com/x.tar.gz /tmp/

Keys of a case:

- `pass` or `fail` (exactly one): the Dockerfile text.  Write CRLF files as a double-quoted YAML
  string with explicit `\\r\\n`.
- `fix`: the expected text after applying safe fixes.
- `unsafe_fix`: the expected text after applying safe and unsafe fixes (`--unsafe-fixes`).
- `violations`: the exact findings, as 1-based `line`, `column`, `end_line` and `end_column` (the
  end column is exclusive).
- `violations_after_fix`: the findings left in the `fix` / `unsafe_fix` result, for a partial fix.
- `options`: the rule's options for this case (as under `[tool.lintslim.rules.<CODE>]`).
- `config`: top-level configuration keys for this case (as under `[tool.lintslim]`), such as
  `{lambda: true}`.
- `context`: the build context, as a mapping of relative file paths to their text (`.dockerignore`,
  `go.mod`, `app/requirements.txt`...).  The files are written to a temporary directory that
  becomes the context; without the key a case has no context directory at all.
- `new_files`: the files the unsafe fixes create in the context (path to text), such as a
  `.dockerignore`; without the key, fixes must create none.  The findings left after fixing are
  taken with those files written into the context.
- `doc`: true on the fail case the docs show; true on a pass case shows it as "Use instead" when
  the example has no fix.

What each case asserts (sqlfluff's runner semantics).  Only the case's rule is enabled, selected
by its exact code, so opt-in rules run too.

- `pass`: no finding.  `fail`: at least one; with `violations`, exactly those.
- Fixing with safe fixes gives `fix`, or leaves the text unchanged when there is no `fix`.  Fixing
  with unsafe fixes too gives `unsafe_fix`, or the safe result when there is no `unsafe_fix`.  The
  fix loop reports no problem (no rollback, no cycle).
- A `fix` or `unsafe_fix` result has no finding left, or exactly `violations_after_fix`.
- Fixing is idempotent: fixing a fixed text again changes nothing (safe and unsafe).
- Every fixed text still parses with BuildKit's own parser (the `dockerfile` package) when the
  case's text does; without that package those checks are skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lintslim.config import settings_from_mapping
from lintslim.docs import load_case_file
from lintslim.engine.linter import FixOutcome, Linter, fix_text
from lintslim.engine.registry import default_registry

try:
    import dockerfile as buildkit  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - the test extra installs it
    buildkit = None

CASES_DIR = Path(__file__).resolve().parent.parent / "rules"
NO_BUILDKIT = "BuildKit's parser is not installed (pip install dockerfile): fixed texts are not re-parsed"

Position = dict[str, int]


def _cases() -> list[Any]:
    return [
        pytest.param(path.stem, case, id=f"{path.stem}-{name}")
        for path in sorted(CASES_DIR.glob("*.yml"))
        for name, case in load_case_file(path).items()
    ]


CASES = _cases()


def _text(case: dict[str, Any]) -> str:
    return str(case["pass"] if "pass" in case else case["fail"])


def _linter(code: str, case: dict[str, Any], tmp_path: Path) -> Linter:
    registry = default_registry()
    raw: dict[str, Any] = {**case.get("config", {}), "select": [code]}
    if case.get("options"):
        raw["rules"] = {code: case["options"]}
    return Linter.for_path(registry, settings_from_mapping(raw, registry), None, _context_dir(case, tmp_path))


def _context_dir(case: dict[str, Any], tmp_path: Path) -> Path | None:
    if "context" not in case:
        return None
    root = tmp_path / "context"
    root.mkdir()
    for relative, content in case["context"].items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return root


def _findings(linter: Linter, text: str, code: str) -> list[Position]:
    dockerfile, diagnostics = linter.lint_text(text)
    found = []
    for diagnostic in diagnostics:
        if code not in (diagnostic.code, diagnostic.rule_code):  # LS590 reports ShellCheck's SC codes
            continue
        start, end = dockerfile.lines.position(diagnostic.span.start), dockerfile.lines.end_position(diagnostic.span)
        found.append({"line": start.line, "column": start.column, "end_line": end.line, "end_column": end.column})
    return sorted(found, key=_position_key)


def _position_key(position: Position) -> tuple[int, ...]:
    return (position["line"], position["column"], position["end_line"], position["end_column"])


def _fixed(linter: Linter, text: str, *, unsafe: bool) -> str:
    return _fix_outcome(linter, text, unsafe=unsafe).text


def _fix_outcome(linter: Linter, text: str, *, unsafe: bool) -> FixOutcome:
    outcome = fix_text(linter, text, unsafe=unsafe)
    assert not outcome.problems, f"fixing (unsafe={unsafe}) reported problems: {outcome.problems}"
    return outcome


def _check_findings(linter: Linter, code: str, case: dict[str, Any]) -> None:
    text = _text(case)
    found = _findings(linter, text, code)
    if "pass" in case:
        assert found == [], f"{code} flagged a `pass` text at {found}"
        return
    assert found, f"{code} did not flag the `fail` text"
    if "violations" in case:
        assert found == sorted(case["violations"], key=_position_key)


def _check_fixes(linter: Linter, code: str, case: dict[str, Any]) -> None:
    text = _text(case)
    expected_safe = case.get("fix", text)
    expected_unsafe = case.get("unsafe_fix", expected_safe)
    safe, unsafe = _fix_outcome(linter, text, unsafe=False), _fix_outcome(linter, text, unsafe=True)
    assert safe.text == expected_safe, "safe fixes did not give the expected text"
    assert unsafe.text == expected_unsafe, "unsafe fixes did not give the expected text"
    expected_files = case.get("new_files", {})
    assert unsafe.new_files == expected_files, "unsafe fixes did not create the expected files"
    assert set(safe.new_files) <= set(expected_files), "safe fixes created unexpected files"
    _write_new_files(linter, unsafe.new_files)
    left = sorted(case.get("violations_after_fix", []), key=_position_key)
    for key, result in (("fix", safe.text), ("unsafe_fix", unsafe.text)):
        if key in case:
            assert _findings(linter, result, code) == left, f"findings left after `{key}`"


def _write_new_files(linter: Linter, files: dict[str, str]) -> None:
    """Create what the fixes created, as `--fix` would, so later checks see the fixed context."""
    for relative, content in files.items():
        assert linter.context_dir is not None
        target = linter.context_dir / relative
        assert not target.exists(), f"a fix would overwrite {relative}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


def _check_idempotent(linter: Linter, case: dict[str, Any]) -> None:
    text = _text(case)
    for unsafe in (False, True):
        once = _fixed(linter, text, unsafe=unsafe)
        assert _fixed(linter, once, unsafe=unsafe) == once, f"fixing twice (unsafe={unsafe}) changed the text again"


@pytest.mark.parametrize(("code", "case"), CASES)
def test_case(code: str, case: dict[str, Any], tmp_path: Path) -> None:
    linter = _linter(code, case, tmp_path)
    _check_findings(linter, code, case)
    _check_fixes(linter, code, case)
    _check_idempotent(linter, case)


def _buildkit_error(text: str) -> str | None:
    assert buildkit is not None
    try:
        buildkit.parse_string(text)
    except buildkit.GoParseError as error:
        return str(error)
    return None


def _parseable(param: Any) -> bool:
    """Cases whose own text BuildKit parses (all of them when BuildKit is missing: they are skipped)."""
    _, case = param.values
    return buildkit is None or _buildkit_error(_text(case)) is None


@pytest.mark.skipif(buildkit is None, reason=NO_BUILDKIT)
@pytest.mark.parametrize(("code", "case"), [param for param in CASES if _parseable(param)])
def test_fixed_text_parses_with_buildkit(code: str, case: dict[str, Any], tmp_path: Path) -> None:
    text = _text(case)
    linter = _linter(code, case, tmp_path)
    for unsafe in (False, True):
        fixed = _fixed(linter, text, unsafe=unsafe)
        assert _buildkit_error(fixed) is None, f"BuildKit cannot parse the fixed text (unsafe={unsafe})"

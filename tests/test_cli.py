"""The `lintslim` command line, driven in a subprocess the way users and CI run it.

Most checks pass `--select LS501,LS502,LS503,LS504,meta` (or put `select` in the config file under
test): those rules are the ones these tests are written against, and rules added later must not
change what these tests see.  A few tests run the default selection on purpose.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from lintslim_process import run_lintslim

import lintslim
import lintslim.cli
import lintslim.files

SELECT = ("--select", "LS501,LS502,LS503,LS504,meta")
BASE_CODES = {"LS501", "LS502", "LS503", "LS504", "LS900", "LS901"}
CLEAN = 'FROM alpine:3.20\nCOPY app.py /app/\nCMD ["python", "/app/app.py"]\n'
ADD_FILE = "FROM alpine:3.20\nADD app.py /app/\n"


run = run_lintslim


def check(*args: str | Path, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return run("check", *args, *SELECT, cwd=cwd, stdin=stdin)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def concise_codes(stdout: str) -> list[tuple[str, int, int, str]]:
    """(path, line, column, code) of each `path:line:col: CODE message` line."""
    found = []
    for line in stdout.splitlines():
        location, sep, rest = line.partition(": ")
        if not sep or location.count(":") < 2:
            continue
        path, row, column = location.rsplit(":", 2)
        found.append((path, int(row), int(column), rest.split()[0]))
    return found


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("lintslim: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


# --- exit codes ------------------------------------------------------------------------------------


def test_clean_file_passes(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", CLEAN)
    result = check("Dockerfile", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "All checks passed."
    assert result.stderr == ""


def test_findings_exit_1(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", ADD_FILE)
    result = check("Dockerfile", cwd=tmp_path)
    assert result.returncode == 1
    assert "LS503" in result.stdout
    assert "Found 1 finding (1 fixable with `--fix`)." in result.stdout


def test_default_selection_reports_hygiene_rules(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", ADD_FILE)
    result = run("check", "--output-format", "concise", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1
    assert ("Dockerfile", 2, 1, "LS503") in concise_codes(result.stdout)


def test_exit_zero(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", ADD_FILE)
    result = check("--exit-zero", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 0
    assert "LS503" in result.stdout


def test_fail_on_error_with_only_warnings(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", ADD_FILE + "WORKDIR app\nMAINTAINER me\n")
    result = check("--output-format", "concise", "--fail-on", "error", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 0
    assert [code for *_, code in concise_codes(result.stdout)] == ["LS503", "LS501", "LS504"]
    assert check("--fail-on", "warning", "Dockerfile", cwd=tmp_path).returncode == 1


def test_fail_on_counts_severity_at_threshold(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM alpine:3.20\nMAINTAINER me\n")  # LS504 is `info`
    assert check("--fail-on", "info", "Dockerfile", cwd=tmp_path).returncode == 1
    assert check("--fail-on", "warning", "Dockerfile", cwd=tmp_path).returncode == 0


# --- output formats ----------------------------------------------------------------------------------


def test_concise_format(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", ADD_FILE + "WORKDIR app\n")
    result = check("--output-format", "concise", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "Dockerfile:2:1: LS503 [*] `ADD` used for local file: app.py"
    assert lines[1] == "Dockerfile:3:9: LS501 Relative `WORKDIR app` depends on the base image's working directory"
    assert lines[2].startswith("Found 2 findings")
    assert len(lines) == 3


def test_json_format(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", ADD_FILE + "WORKDIR app\nCMD [1]\n")
    result = check("--output-format", "json", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1
    records = json.loads(result.stdout)
    assert isinstance(records, list)
    keys = {"path", "line", "column", "end_line", "end_column", "code", "name", "severity", "message", "url", "fix"}
    for record in records:
        assert set(record) == keys
        assert record["line"] >= 1 and record["column"] >= 1
        fix = record["fix"]
        assert fix is None or ({"applicability", "title", "edits"} <= set(fix) and fix["edits"])
    by_code = {record["code"]: record for record in records}
    assert set(by_code) == {"LS503", "LS501", "LS900"}

    add = by_code["LS503"]
    assert (add["path"], add["line"], add["column"], add["end_line"], add["end_column"]) == ("Dockerfile", 2, 1, 2, 4)
    assert add["name"] == "prefer-copy-over-add"
    assert add["severity"] == "warning"
    assert add["message"] == "`ADD` used for local file: app.py"
    assert add["url"].endswith("LS503.md")
    assert add["fix"]["applicability"] == "safe"
    assert add["fix"]["title"] == "Replace `ADD` with `COPY`"
    [edit] = add["fix"]["edits"]
    assert edit["content"] == "COPY"
    assert (edit["line"], edit["column"], edit["end_line"], edit["end_column"]) == (2, 1, 2, 4)

    workdir = by_code["LS501"]
    assert (workdir["line"], workdir["column"], workdir["end_line"], workdir["end_column"]) == (3, 9, 3, 12)
    assert workdir["fix"]["applicability"] == "unsafe"

    parse_error = by_code["LS900"]
    assert parse_error["line"] == 4
    assert parse_error["severity"] == "error"
    assert parse_error["fix"] is None


def test_json_format_clean_is_empty_array(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", CLEAN)
    result = check("--output-format", "json", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout) == []


def test_github_format(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", ADD_FILE + "MAINTAINER me\n")
    result = check("--output-format", "github", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("::warning file=Dockerfile,line=2,col=1,endLine=2,endColumn=4,")
    assert lines[0].endswith("::`ADD` used for local file: app.py")
    assert "title=LS503 (prefer-copy-over-add)" in lines[0]
    assert lines[1].startswith("::notice file=Dockerfile,line=3,")  # LS504 is `info`


def test_full_format_shows_excerpt_and_caret(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", ADD_FILE)
    result = check("--output-format", "full", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "Dockerfile:2:1: LS503 [*] `ADD` used for local file: app.py  [warning]"
    assert "    2 | ADD app.py /app/" in lines
    assert "      | ^^^" in lines
    assert any("fix (safe): Replace `ADD` with `COPY`" in line for line in lines)
    assert "\x1b[" not in result.stdout  # no colour into a pipe


# --- fixing ------------------------------------------------------------------------------------------


def test_fix_keeps_every_other_byte_and_the_mode(tmp_path: Path) -> None:
    original = b"\xef\xbb\xbfFROM alpine:3.20  \r\nADD app.py /app/\r\nRUN echo hi   \r\nadd b.txt /b/"
    fixed = b"\xef\xbb\xbfFROM alpine:3.20  \r\nCOPY app.py /app/\r\nRUN echo hi   \r\ncopy b.txt /b/"
    path = write(tmp_path / "Dockerfile", original)
    path.chmod(0o640)
    result = check("--fix", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "Fixed 2 findings in 1 file. No findings remain."
    assert path.read_bytes() == fixed
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name != "Dockerfile"]  # no temporary file left behind

    before = path.stat()
    again = check("--fix", "Dockerfile", cwd=tmp_path)
    assert again.returncode == 0
    assert again.stdout.strip() == "All checks passed."
    assert path.read_bytes() == fixed
    assert path.stat().st_ino == before.st_ino  # not rewritten


def test_fix_through_a_symlink_fixes_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    real = write(tmp_path / "docker" / "Dockerfile", ADD_FILE)
    link = tmp_path / "Dockerfile"
    link.symlink_to(Path("docker") / "Dockerfile")
    result = check("--fix", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "FROM alpine:3.20\nCOPY app.py /app/\n"
    assert sorted(p.name for p in real.parent.iterdir()) == ["Dockerfile"]


def test_fix_leaves_unsafe_fixes_alone(tmp_path: Path) -> None:
    original = "FROM alpine:3.20\nWORKDIR app\nCMD python app.py\nMAINTAINER me\n"
    path = write(tmp_path / "Dockerfile", original)
    result = check("--fix", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1
    assert path.read_text(encoding="utf-8") == original
    assert "(3 with `--fix --unsafe-fixes`)" in result.stdout  # no safe fix on offer, so not "more"


def test_unsafe_fixes(tmp_path: Path) -> None:
    path = write(tmp_path / "Dockerfile", "FROM alpine:3.20\nWORKDIR app\nCMD python app.py\nMAINTAINER me\n")
    result = check("--fix", "--unsafe-fixes", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert path.read_text(encoding="utf-8") == (
        'FROM alpine:3.20\nWORKDIR /app\nCMD ["python", "app.py"]\nLABEL org.opencontainers.image.authors="me"\n'
    )


def test_diff_prints_and_writes_nothing(tmp_path: Path) -> None:
    original = "FROM alpine:3.20\nADD app.py /app/\nWORKDIR app\n"
    path = write(tmp_path / "Dockerfile", original)
    result = check("--diff", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == (
        "--- a/Dockerfile\n"
        "+++ b/Dockerfile\n"
        "@@ -1,3 +1,3 @@\n"
        " FROM alpine:3.20\n"
        "-ADD app.py /app/\n"
        "+COPY app.py /app/\n"
        " WORKDIR app\n"
    )
    assert path.read_text(encoding="utf-8") == original

    unsafe = check("--diff", "--unsafe-fixes", "Dockerfile", cwd=tmp_path)
    assert "+WORKDIR /app\n" in unsafe.stdout
    assert path.read_text(encoding="utf-8") == original


def test_diff_without_final_newline(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM alpine:3.20\nADD a /a/")
    result = check("--diff", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.endswith(
        "-ADD a /a/\n\\ No newline at end of file\n+COPY a /a/\n\\ No newline at end of file\n"
    )


def test_diff_without_changes_exits_0(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM alpine:3.20\nWORKDIR app\n")  # only an unsafe fix on offer
    result = check("--diff", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == ""


def test_show_fixes(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM alpine:3.20\nADD a /a/\nADD b /b/\n")
    result = check("--fix", "--show-fixes", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 0
    assert "Fixed 2 × LS503 in Dockerfile" in result.stderr


# --- standard input ----------------------------------------------------------------------------------


def test_stdin_with_filename(tmp_path: Path) -> None:
    args = ("--output-format", "concise", "--stdin-filename", "app/Dockerfile", "-")
    result = check(*args, cwd=tmp_path, stdin=ADD_FILE.encode())
    assert result.returncode == 1
    assert concise_codes(result.stdout) == [("app/Dockerfile", 2, 1, "LS503")]


def test_stdin_without_filename(tmp_path: Path) -> None:
    result = check("--output-format", "concise", "-", cwd=tmp_path, stdin=ADD_FILE.encode())
    assert result.returncode == 1
    assert concise_codes(result.stdout) == [("-", 2, 1, "LS503")]


def test_stdin_fix_prints_the_fixed_text(tmp_path: Path) -> None:
    result = check("-", "--fix", cwd=tmp_path, stdin=b"FROM alpine:3.20\r\nADD a /a/\r\n")
    assert result.returncode == 0
    assert result.stdout == "FROM alpine:3.20\r\nCOPY a /a/\r\n"
    assert "Fixed 1 finding" in result.stderr  # the report goes to stderr, stdout carries the text


def test_stdin_fix_without_changes_prints_the_text_unchanged(tmp_path: Path) -> None:
    # used as a filter (`lintslim check - --fix < in > out`), an empty stdout would empty the file
    result = check("-", "--fix", cwd=tmp_path, stdin=CLEAN.encode())
    assert result.returncode == 0
    assert result.stdout == CLEAN


def test_stdin_filename_finds_config(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.lintslim]\nignore = ["LS503"]\n')
    result = check("--stdin-filename", "sub/Dockerfile", "-", cwd=tmp_path, stdin=ADD_FILE.encode())
    assert result.returncode == 0, result.stdout


def test_stdin_empty_is_an_error(tmp_path: Path) -> None:
    assert_one_line_error(check("-", cwd=tmp_path, stdin=b""), "empty file")


# --- directories -------------------------------------------------------------------------------------


def test_directory_recursion(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    wanted = ["Dockerfile", "Containerfile", "api.Dockerfile", "x.dockerfile", "Dockerfile.dev", "deep/er/Dockerfile"]
    skipped = [".git/Dockerfile", "node_modules/pkg/Dockerfile", "vendor/Dockerfile", "sub/vendor/Dockerfile"]
    not_dockerfiles = ["README.md", "Dockerfile.md", "dockerfile.txt.bak", "app.py"]
    for name in wanted + skipped + not_dockerfiles:
        write(project / name, ADD_FILE)
    result = check("--output-format", "concise", "proj", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    found = {path for path, *_ in concise_codes(result.stdout)}
    assert found == {str(Path("proj") / name) for name in wanted}


def test_directory_without_dockerfile(tmp_path: Path) -> None:
    write(tmp_path / "proj" / "README.md", "hello\n")
    write(tmp_path / "proj" / "node_modules" / "Dockerfile", ADD_FILE)  # skipped, so it does not count
    assert_one_line_error(check("proj", cwd=tmp_path), "proj", "no Dockerfile")


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param(b"FROM alpine\x00\nRUN true\n", "binary", id="nul-bytes"),
        pytest.param(b"FROM alpine\nLABEL who=Jos\xe9\n", "UTF-8", id="not-utf8"),
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"  \n\t\r\n\n", "empty", id="whitespace-only"),
        pytest.param("FROM alpine\nRUN true\n".encode("utf-16"), "UTF-16", id="utf16"),
        pytest.param(b"FROM alpine\n" + b"# padding\n" * (1024 * 1024), "too large", id="10MB"),
    ],
)
def test_bad_file(tmp_path: Path, content: bytes, fragment: str) -> None:
    write(tmp_path / "Dockerfile", content)
    assert_one_line_error(check("Dockerfile", cwd=tmp_path), "Dockerfile", fragment)


def test_missing_path(tmp_path: Path) -> None:
    assert_one_line_error(check("nope/Dockerfile", cwd=tmp_path), "nope/Dockerfile", "no such file")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # as root a real `chmod 000` does not stop reads, so the failing read is simulated in-process
    path = write(tmp_path / "Dockerfile", CLEAN)

    def refuse(path: Path | str, limit: int) -> bytes:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(lintslim.files, "read_regular", refuse)
    code = lintslim.cli.main(["check", str(path), *SELECT])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.splitlines()
    assert lines == [f"lintslim: error: {path}: permission denied"]
    assert captured.out == ""


def test_fix_into_unwritable_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # as root a read-only directory still takes new files, so the failing temporary file is simulated
    path = write(tmp_path / "Dockerfile", ADD_FILE)

    def refuse(directory: Path) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied", str(directory))

    monkeypatch.setattr(lintslim.files, "_temporary_beside", refuse)
    code = lintslim.cli.main(["check", "--fix", str(path), *SELECT])
    captured = capsys.readouterr()
    assert code == 2
    message = captured.err.splitlines()[-1]
    assert message.lower() == f"lintslim: error: {path}: cannot write fix: permission denied".lower()
    assert path.read_text(encoding="utf-8") == ADD_FILE


def test_error_in_one_file_still_reports_the_others(tmp_path: Path) -> None:
    write(tmp_path / "a" / "Dockerfile", ADD_FILE)
    write(tmp_path / "b" / "Dockerfile", b"")
    result = check("--output-format", "concise", "a/Dockerfile", "b/Dockerfile", cwd=tmp_path)
    assert_one_line_error(result, "b/Dockerfile", "empty")
    assert concise_codes(result.stdout) == [("a/Dockerfile", 2, 1, "LS503")]


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        pytest.param("pyproject.toml", '[tool.lintslim]\nfail-on = "loud"\n', "fail-on", id="bad-fail-on"),
        pytest.param("pyproject.toml", '[tool.lintslim]\nselect = "LS999"\n', "LS999", id="unknown-rule-in-select"),
        pytest.param("pyproject.toml", "[tool.lintslim]\nunsafe-fixes = 1\n", "unsafe-fixes", id="bad-bool"),
        pytest.param(
            "pyproject.toml", '[tool.lintslim.rules.LS503]\nseverity = "loud"\n', "severity", id="bad-severity"
        ),
        pytest.param("pyproject.toml", "[tool.lintslim]\ncolour = true\n", "unknown key `colour`", id="unknown-key"),
        pytest.param("pyproject.toml", "[tool.lintslim\nignore = []\n", "invalid TOML", id="invalid-toml"),
        pytest.param(".lintslim.yaml", "select: [LS503\n", "invalid YAML", id="invalid-yaml"),
        pytest.param(".lintslim.yaml", "- LS503\n", "mapping", id="yaml-not-a-mapping"),
    ],
)
def test_bad_config(tmp_path: Path, name: str, content: str, fragment: str) -> None:
    write(tmp_path / name, content)
    write(tmp_path / "Dockerfile", ADD_FILE)
    result = run("check", "Dockerfile", cwd=tmp_path)
    assert_one_line_error(result, name, fragment)
    assert result.stdout == ""


def test_unknown_rule_in_select(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", ADD_FILE)
    assert_one_line_error(run("check", "--select", "LS503,LS999", "Dockerfile", cwd=tmp_path), "LS999")


def test_missing_config_file(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", ADD_FILE)
    assert_one_line_error(run("check", "--config", "nope.yaml", "Dockerfile", cwd=tmp_path), "nope.yaml")


def test_no_path(tmp_path: Path) -> None:
    assert_one_line_error(run("check", cwd=tmp_path), "no path")


@pytest.mark.parametrize(
    ("content", "line", "column"),
    [
        pytest.param("FROM alpine:3.20\nRUN <<EOF\necho hi\n", 2, None, id="unterminated-heredoc"),
        pytest.param("FROM alpine:3.20\nRUN true\nCMD [1]\n", 3, 1, id="json-array-of-non-strings"),
    ],
)
def test_unparsable_content_is_ls900(tmp_path: Path, content: str, line: int, column: int | None) -> None:
    write(tmp_path / "Dockerfile", content)
    result = check("--output-format", "concise", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == ""
    [(path, row, col, code)] = [found for found in concise_codes(result.stdout) if found[3] == "LS900"]
    assert (path, row, code) == ("Dockerfile", line, "LS900")
    if column is not None:
        assert col == column


def test_ls900_does_not_hide_other_findings(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM alpine:3.20\nADD a /a/\nCMD [1]\nWORKDIR app\n")
    result = check("--output-format", "concise", "Dockerfile", cwd=tmp_path)
    assert [(row, code) for _, row, _, code in concise_codes(result.stdout)] == [
        (2, "LS503"),
        (3, "LS900"),
        (4, "LS501"),
    ]


# --- rules, rule, --version --------------------------------------------------------------------------


def test_rules_text(tmp_path: Path) -> None:
    result = run("rules", cwd=tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    listed = {line.split()[0] for line in lines if line.startswith("LS")}
    assert listed >= BASE_CODES
    add = next(line for line in lines if line.startswith("LS503"))
    assert "prefer-copy-over-add" in add and "warning" in add and "(DL3020)" in add
    assert add.startswith("LS503 *")  # has a fix
    assert next(line for line in lines if line.startswith("LS900")).startswith("LS900  ")  # has none


def test_rules_json(tmp_path: Path) -> None:
    result = run("rules", "--output-format", "json", cwd=tmp_path)
    assert result.returncode == 0
    rows = json.loads(result.stdout)
    for row in rows:
        assert {"code", "name", "family", "severity", "fixable", "aliases"} <= set(row)
    by_code = {row["code"]: row for row in rows}
    assert set(by_code) >= BASE_CODES
    assert by_code["LS503"]["name"] == "prefer-copy-over-add"
    assert by_code["LS503"]["family"] == "hygiene"
    assert by_code["LS503"]["severity"] == "warning"
    assert by_code["LS503"]["fixable"] == "sometimes"
    assert by_code["LS503"]["aliases"] == ["DL3020"]
    assert by_code["LS502"]["aliases"] == ["DL3025", "JSONArgsRecommended"]
    assert by_code["LS900"]["family"] == "meta"
    assert by_code["LS900"]["severity"] == "error"
    assert by_code["LS900"]["fixable"] == "none"


def test_rule_documentation(tmp_path: Path) -> None:
    try:
        import lintslim.docs  # noqa: F401
    except ImportError as error:
        pytest.skip(f"`lintslim rule` needs lintslim.docs, which does not import yet: {error}")
    result = run("rule", "LS503", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "prefer-copy-over-add" in result.stdout
    by_name = run("rule", "prefer-copy-over-add", cwd=tmp_path)
    assert by_name.returncode == 0
    assert_one_line_error(run("rule", "LS999", cwd=tmp_path), "LS999")


def test_version(tmp_path: Path) -> None:
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"lintslim {lintslim.__version__}"


# --- configuration -----------------------------------------------------------------------------------

PROBLEMS = "FROM alpine:3.20\nADD app.py /app/\nWORKDIR app\nCMD python app.py\n"  # LS503, LS501, LS502


def codes_for(result: subprocess.CompletedProcess[str]) -> set[str]:
    assert result.returncode in (0, 1), result.stderr
    return {code for *_, code in concise_codes(result.stdout)}


def test_pyproject_in_parent_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.lintslim]\nselect = ["hygiene", "meta"]\nignore = ["LS503"]\n')
    write(tmp_path / "services" / "api" / "Dockerfile", PROBLEMS)
    result = run("check", "--output-format", "concise", "services/api/Dockerfile", cwd=tmp_path)
    assert codes_for(result) == {"LS501", "LS502"}
    # found from the file's directory, not the working directory
    elsewhere = run("check", "--output-format", "concise", tmp_path / "services/api/Dockerfile", cwd=Path("/"))
    assert codes_for(elsewhere) == {"LS501", "LS502"}


def test_lintslim_yaml_in_parent_directory(tmp_path: Path) -> None:
    write(tmp_path / ".lintslim.yaml", "select: [hygiene, meta]\nignore:\n  - workdir-relative-path\n")
    write(tmp_path / "a" / "b" / "Dockerfile", PROBLEMS)
    result = run("check", "--output-format", "concise", "a/b/Dockerfile", cwd=tmp_path)
    assert codes_for(result) == {"LS503", "LS502"}


def test_pyproject_without_tool_table_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path / ".lintslim.yaml", "select: [hygiene, meta]\nignore: [LS503]\n")
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "x"\n\n[tool.other]\nlintslim = 1\n')
    write(tmp_path / "sub" / "Dockerfile", PROBLEMS)
    result = run("check", "--output-format", "concise", "sub/Dockerfile", cwd=tmp_path)
    assert codes_for(result) == {"LS501", "LS502"}


def test_nearest_config_wins(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.lintslim]\nselect = ["hygiene", "meta"]\nignore = ["LS503"]\n')
    write(tmp_path / "sub" / "pyproject.toml", '[tool.lintslim]\nselect = ["hygiene", "meta"]\nignore = ["LS501"]\n')
    write(tmp_path / "sub" / "Dockerfile", PROBLEMS)
    result = run("check", "--output-format", "concise", "sub/Dockerfile", cwd=tmp_path)
    assert codes_for(result) == {"LS503", "LS502"}


def test_config_option_overrides_discovery(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.lintslim]\nselect = ["hygiene", "meta"]\nignore = ["LS503"]\n')
    write(tmp_path / "other.yaml", "select: [hygiene, meta]\nignore: [LS501]\n")
    write(tmp_path / "Dockerfile", PROBLEMS)
    result = run("check", "--output-format", "concise", "--config", "other.yaml", "Dockerfile", cwd=tmp_path)
    assert codes_for(result) == {"LS503", "LS502"}


def test_select_and_extend_select(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.lintslim]\nselect = ["LS501"]\n')
    write(tmp_path / "Dockerfile", PROBLEMS)
    result = run("check", "--output-format", "concise", "Dockerfile", cwd=tmp_path)
    assert codes_for(result) == {"LS501"}
    extended = run("check", "--output-format", "concise", "--extend-select", "LS502", "Dockerfile", cwd=tmp_path)
    assert codes_for(extended) == {"LS501", "LS502"}

    config = '[tool.lintslim]\nselect = ["LS501"]\nextend-select = ["prefer-copy-over-add"]\n'
    write(tmp_path / "pyproject.toml", config)
    assert codes_for(run("check", "--output-format", "concise", "Dockerfile", cwd=tmp_path)) == {"LS501", "LS503"}
    # `--select` on the command line replaces the configured selection (and its extend-select)
    replaced = run("check", "--output-format", "concise", "--select", "LS502", "Dockerfile", cwd=tmp_path)
    assert codes_for(replaced) == {"LS502"}


def test_ignore_on_the_command_line_adds_to_config(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.lintslim]\nselect = ["hygiene", "meta"]\nignore = ["LS503"]\n')
    write(tmp_path / "Dockerfile", PROBLEMS)
    result = run("check", "--output-format", "concise", "--ignore", "DL3025", "Dockerfile", cwd=tmp_path)
    assert codes_for(result) == {"LS501"}


def test_per_file_ignores(tmp_path: Path) -> None:
    write(
        tmp_path / ".lintslim.yaml",
        "select: [hygiene, meta]\nper-file-ignores:\n  'legacy/*': [LS503]\n  '*.dev': [LS501, LS502]\n",
    )
    write(tmp_path / "legacy" / "Dockerfile", PROBLEMS)
    write(tmp_path / "app" / "Dockerfile", PROBLEMS)
    write(tmp_path / "app" / "Dockerfile.dev", PROBLEMS)
    result = run("check", "--output-format", "concise", ".", cwd=tmp_path)
    assert result.returncode == 1
    found: dict[str, set[str]] = {}
    for path, _, _, code in concise_codes(result.stdout):
        found.setdefault(path, set()).add(code)
    assert found == {
        "app/Dockerfile": {"LS501", "LS502", "LS503"},
        "app/Dockerfile.dev": {"LS503"},
        "legacy/Dockerfile": {"LS501", "LS502"},
    }


def test_per_rule_severity_and_fail_on(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", PROBLEMS)
    write(
        tmp_path / "pyproject.toml",
        '[tool.lintslim]\nselect = ["hygiene", "meta"]\nfail-on = "error"\n\n'
        '[tool.lintslim.rules.prefer-copy-over-add]\nseverity = "error"\n',
    )
    result = run("check", "--output-format", "json", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1  # LS503 is an error now, and errors fail
    severities = {record["code"]: record["severity"] for record in json.loads(result.stdout)}
    assert severities == {"LS503": "error", "LS501": "warning", "LS502": "warning"}
    # only warnings left: below `fail-on = "error"`
    assert run("check", "--ignore", "LS503", "Dockerfile", cwd=tmp_path).returncode == 0
    # the command line's --fail-on wins over the config's
    assert run("check", "--ignore", "LS503", "--fail-on", "warning", "Dockerfile", cwd=tmp_path).returncode == 1


def test_severity_lowered_below_fail_on(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", ADD_FILE)
    write(
        tmp_path / ".lintslim.yaml",
        "select: [hygiene, meta]\nfail-on: warning\nrules:\n  LS503:\n    severity: info\n",
    )
    result = run("check", "--output-format", "concise", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 0
    assert codes_for(result) == {"LS503"}  # still reported, but does not fail


def test_exclude_applies_to_walked_files_only(tmp_path: Path) -> None:
    write(tmp_path / ".lintslim.yaml", "select: [hygiene, meta]\nexclude: ['generated/*']\n")
    write(tmp_path / "generated" / "Dockerfile", ADD_FILE)
    write(tmp_path / "Dockerfile", CLEAN)
    assert run("check", ".", cwd=tmp_path).returncode == 0
    assert run("check", "generated/Dockerfile", cwd=tmp_path).returncode == 1
    assert run("check", "--force-exclude", "generated/Dockerfile", cwd=tmp_path).returncode == 0


def test_excluded_files_are_not_read(tmp_path: Path) -> None:
    # an excluded file that could not be linted (empty, binary, too large) must not fail the run
    write(tmp_path / ".lintslim.yaml", "select: [hygiene, meta]\nexclude: ['generated/*', 'blob.Dockerfile']\n")
    write(tmp_path / "generated" / "Dockerfile", b"")
    write(tmp_path / "blob.Dockerfile", b"\x00\x01\x02")
    write(tmp_path / "Dockerfile", ADD_FILE)
    result = run("check", "--output-format", "concise", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    assert concise_codes(result.stdout) == [("Dockerfile", 2, 1, "LS503")]


# --- the build context: --context, and fixes that create files ----------------------------------------------

COPY_ALL = "FROM python:3.12-slim\nCOPY . /app\n"


def test_fix_creates_a_missing_dockerignore(tmp_path: Path) -> None:
    dockerfile = write(tmp_path / "Dockerfile", COPY_ALL)
    write(tmp_path / "app.py", "print(1)\n")
    write(tmp_path / ".env", "TOKEN=abc\n")
    safe = run("check", "--select", "LS106", "--fix", dockerfile, cwd=tmp_path)
    assert safe.returncode == 1 and not (tmp_path / ".dockerignore").exists()
    fixed = run("check", "--select", "LS106", "--fix", "--unsafe-fixes", dockerfile, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert f"Created {tmp_path / '.dockerignore'}" in fixed.stderr
    assert "Fixed 1 finding in 1 file." in fixed.stdout
    content = (tmp_path / ".dockerignore").read_text()
    assert ".git\n" in content and "**/.env\n" in content
    assert dockerfile.read_text() == COPY_ALL
    again = run("check", "--select", "LS106", "--fix", "--unsafe-fixes", dockerfile, cwd=tmp_path)
    assert again.returncode == 0 and "Created" not in again.stderr
    assert (tmp_path / ".dockerignore").read_text() == content


def test_exit_non_zero_on_fix_fails_when_a_fix_wrote_something(tmp_path: Path) -> None:
    # the lintslim-fix hook's case: pre-commit notices a changed tracked file, not a created one
    dockerfile = write(tmp_path / "Dockerfile", COPY_ALL)
    write(tmp_path / "app.py", "print(1)\n")
    flags = ("--select", "LS106,LS503", "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix")
    created = run("check", *flags, dockerfile, cwd=tmp_path)
    assert created.returncode == 1 and (tmp_path / ".dockerignore").exists(), created.stdout + created.stderr
    assert "No findings remain." in created.stdout
    assert run("check", *flags, dockerfile, cwd=tmp_path).returncode == 0  # nothing left to write
    write(tmp_path / "Dockerfile", "FROM python:3.12-slim\nADD app.py /app/\n")
    edited = run("check", *flags, dockerfile, cwd=tmp_path)
    assert edited.returncode == 1 and dockerfile.read_text() == "FROM python:3.12-slim\nCOPY app.py /app/\n"
    assert run("check", *flags, dockerfile, cwd=tmp_path).returncode == 0


def test_diff_shows_a_created_file_and_writes_nothing(tmp_path: Path) -> None:
    dockerfile = write(tmp_path / "Dockerfile", COPY_ALL)
    write(tmp_path / "app.py", "print(1)\n")
    result = run("check", "--select", "LS106", "--diff", "--unsafe-fixes", dockerfile, cwd=tmp_path)
    assert result.returncode == 1
    assert f"--- /dev/null\n+++ b/{tmp_path / '.dockerignore'}\n@@ -0,0 +1," in result.stdout
    assert "\n+.git\n" in result.stdout
    assert not (tmp_path / ".dockerignore").exists()


def test_standard_input_never_creates_files(tmp_path: Path) -> None:
    write(tmp_path / "app.py", "print(1)\n")
    args = ("check", "--select", "LS106", "--fix", "--unsafe-fixes", "-")
    result = run(*args, cwd=tmp_path, stdin=COPY_ALL.encode())
    assert result.stdout == COPY_ALL
    assert "LS106" in result.stderr and "Created" not in result.stderr
    assert not (tmp_path / ".dockerignore").exists()


def test_context_option_chooses_the_build_context(tmp_path: Path) -> None:
    dockerfile = write(tmp_path / "docker" / "Dockerfile", COPY_ALL)
    write(tmp_path / "app.py", "print(1)\n")
    write(tmp_path / "id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n")
    # by default the context is docker/, which holds nothing but the Dockerfile: nothing to say
    alone = run("check", "--select", "LS106,LS203", dockerfile, cwd=tmp_path)
    assert alone.returncode == 0, alone.stdout
    result = run("check", "--select", "LS106,LS203", "--context", tmp_path, dockerfile, cwd=tmp_path)
    assert result.returncode == 1
    assert "LS106" in result.stdout and "LS203" in result.stdout and "`id_rsa`" in result.stdout
    assert "b3Bl" not in result.stdout


def test_sam_template_supplies_the_build_context(tmp_path: Path) -> None:
    dockerfile = write(tmp_path / "docker" / "Dockerfile", COPY_ALL)
    write(tmp_path / "app.py", "print(1)\n")
    write(tmp_path / "id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n")
    write(
        tmp_path / "template.yaml",
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n"
        "    Metadata:\n      DockerContext: .\n      Dockerfile: docker/Dockerfile\n",
    )
    # `sam build` sends the template's DockerContext (the project root), so the root's files count
    result = run("check", "--select", "LS106,LS203", dockerfile, cwd=tmp_path)
    assert result.returncode == 1
    assert "LS106" in result.stdout and "`id_rsa`" in result.stdout
    # an explicit --context still wins
    chosen = run("check", "--select", "LS106,LS203", "--context", tmp_path / "docker", dockerfile, cwd=tmp_path)
    assert chosen.returncode == 0, chosen.stdout


def test_build_arg_resolves_arg_defaults(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "ARG BASE=alpine:3.20\nFROM ${BASE}\nRUN echo hi\n")
    plain = run("check", "--select", "LS304", "--output-format", "concise", "Dockerfile", cwd=tmp_path)
    assert plain.returncode == 0, plain.stdout
    given = run("check", "--select", "LS304", "--build-arg", "BASE=scratch", "Dockerfile", cwd=tmp_path)
    assert given.returncode == 1 and "LS304" in given.stdout


def test_build_arg_needs_a_name_and_a_value(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM alpine:3.20\n")
    result = run("check", "--build-arg", "BASE", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert_one_line_error(result, "--build-arg", "expected NAME=VALUE")


def test_json_lists_files_a_fix_creates(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print(1)\n", encoding="utf-8")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.12-slim\nCOPY . /app\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "lintslim", "check", "--select", "LS106", "--output-format", "json", str(dockerfile)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    (record,) = json.loads(result.stdout)
    (created,) = record["fix"]["new_files"]
    assert created["path"] == ".dockerignore"
    assert ".git\n" in created["content"]
    assert not (tmp_path / ".dockerignore").exists()  # checking writes nothing

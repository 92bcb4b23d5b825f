"""The CI formats of `lintslim check`: sarif, junit, gitlab, github and `auto`.

Each test runs the real command line on real files and reads the output back the way its consumer
does: SARIF validated against the official OASIS SARIF 2.1.0 schema (`tests/data/`, see its
README), JUnit parsed with `xml.etree`, GitLab's Code Quality report with `json`.  Secrets in the
test Dockerfiles are assembled at run time, so that this file does not look like a leak to scanners.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from lintslim.cli import main
from lintslim.output.text import github_escape

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "ddddcccbf95c7c50c037b5b07eff4140556278ca574ff374db46786b5fce7949"
SELECT = ("--select", "LS501,LS502,LS503,LS504,meta")
HYGIENE_AND_META = ["LS501", "LS502", "LS503", "LS504", "LS900", "LS901"]

API_TOKEN = "Zx9kq2" + "LmW8pR"
CURL_PASSWORD = "o2Q9E8" + "MleoDE"
GITHUB_TOKEN = "ghp_" + "WyPEA3mmRzdBC2Cc5HumpFONW2PHm3zuEiBD"
SECRETS = (API_TOKEN, CURL_PASSWORD, GITHUB_TOKEN)

FIXABLE = "FROM alpine:3.20\nADD app.py /app/\nWORKDIR app\nMAINTAINER me\n"
UNFIXABLE = "FROM alpine:3.20\nRUN true\nCMD [1]\n"  # LS900: a parse error, no fix
CLEAN = 'FROM alpine:3.20\nCOPY app.py /app/\nCMD ["python", "/app/app.py"]\n'
WITH_SECRETS = (
    "FROM node:20\n"
    f"ENV GITHUB_TOKEN={GITHUB_TOKEN}\n"
    f"ENV API_TOKEN={API_TOKEN}\n"
    "ADD app.py /app/\n"
    f"CMD curl -u admin:{CURL_PASSWORD} http://localhost:8080/health\n"
)


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests choose the format; the environment they run in (GitHub Actions, say) must not."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("LINTSLIM_OUTPUT_FORMAT", raising=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four Dockerfiles (fixable findings, a parse error, a clean one, secrets); the working directory."""
    write(tmp_path / "app" / "Dockerfile", FIXABLE)
    write(tmp_path / "broken" / "Dockerfile", UNFIXABLE)
    write(tmp_path / "clean" / "Dockerfile", CLEAN)
    write(tmp_path / "secrets" / "Dockerfile", WITH_SECRETS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def assert_no_secret(output: str) -> None:
    for secret in SECRETS:
        assert secret not in output, f"a secret was printed: {secret[:3]}…"
        assert secret[len(secret) // 2 :] not in output


# --- SARIF ---------------------------------------------------------------------------------------


def sarif_validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema validates SARIF against the official schema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)  # the draft the schema declares


def sarif_of(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, dict[str, Any]]:
    code, out, err = check(capsys, "--output-format", "sarif", *args)
    assert "Traceback" not in err
    log = json.loads(out)
    sarif_validator().validate(log)
    return code, out, log


def test_the_schema_is_the_official_one() -> None:
    """The file `tests/data/README.md` describes, unmodified."""
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    validator = sarif_validator()
    validator.check_schema(schema)
    assert not validator.is_valid({"version": "2.1.0", "runs": [{"tool": {}}]})  # it rejects a driverless run


def test_sarif_of_a_run_is_valid_and_complete(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, log = sarif_of(capsys, *SELECT, "--extend-select", "LS202", ".")
    assert code == 1
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    [run] = log["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    driver = run["tool"]["driver"]
    assert driver["name"] == "lintslim" and driver["version"] and driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == sorted([*HYGIENE_AND_META, "LS202"])  # every rule that ran

    by_id = {rule["id"]: rule for rule in rules}
    add = by_id["LS503"]
    assert add["name"] == "prefer-copy-over-add"
    assert add["shortDescription"]["text"].startswith("`ADD` copies local files")
    assert add["fullDescription"]["text"].startswith("Flags `ADD` when")  # the "What it does" text
    assert add["helpUri"].endswith("/docs/rules/LS503.md")
    assert add["help"]["markdown"].startswith("# LS503 prefer-copy-over-add")
    assert add["defaultConfiguration"]["level"] == "warning"
    assert add["properties"]["tags"] == ["hygiene"]
    assert by_id["LS504"]["defaultConfiguration"]["level"] == "note"  # info
    assert by_id["LS202"]["defaultConfiguration"]["level"] == "error"
    assert by_id["LS202"]["properties"]["tags"] == ["secrets", "security"]

    results = run["results"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        [location] = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert artifact["uri"] in {"app/Dockerfile", "broken/Dockerfile", "secrets/Dockerfile"}  # not clean/
    found = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"]) for r in results}
    assert {("app/Dockerfile", "LS503"), ("broken/Dockerfile", "LS900"), ("secrets/Dockerfile", "LS202")} <= found
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["LS503"] == "warning" and levels["LS504"] == "note" and levels["LS900"] == "error"
    assert_no_secret(out)


def test_sarif_fixes_where_a_fix_exists(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, log = sarif_of(capsys, *SELECT, "--extend-select", "LS202", ".")
    results = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"]): r
        for r in log["runs"][0]["results"]
    }
    add = results["app/Dockerfile", "LS503"]
    [fix] = add["fixes"]
    assert fix["description"]["text"] == "Replace `ADD` with `COPY`"
    assert fix["properties"]["applicability"] == "safe"
    [change] = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "app/Dockerfile", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 4},
            "insertedContent": {"text": "COPY"},
        }
    ]
    assert results["app/Dockerfile", "LS501"]["fixes"][0]["properties"]["applicability"] == "unsafe"
    assert "fixes" not in results["broken/Dockerfile", "LS900"]  # no fix to offer
    assert "fixes" not in results["secrets/Dockerfile", "LS202"]
    # the exec-form rewrite of the CMD line would carry the password: masked, it is not the fix to apply
    assert "fixes" not in results["secrets/Dockerfile", "LS502"]
    assert results["secrets/Dockerfile", "LS503"]["fixes"]
    assert_no_secret(out)


def test_sarif_regions_are_the_json_positions(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, log = sarif_of(capsys, *SELECT, "--extend-select", "LS202", ".")
    _, out, _ = check(capsys, "--output-format", "json", *SELECT, "--extend-select", "LS202", ".")
    from_json = sorted(
        (r["path"], r["code"], r["line"], r["column"], r["end_line"], r["end_column"]) for r in json.loads(out)
    )
    from_sarif = []
    for result in log["runs"][0]["results"]:
        location = result["locations"][0]["physicalLocation"]
        region = location["region"]
        where = (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"])
        from_sarif.append((location["artifactLocation"]["uri"], result["ruleId"], *where))
    assert sorted(from_sarif) == from_json
    assert len(from_json) >= 8


Where = tuple[int, int, int, int]  # line, column, end line, end column: 1-based, code points, end exclusive


def apply_at(text: str, edits: list[tuple[Where, str]]) -> str:
    """Apply edits by their line and column (code points), as a consumer of the output does, last first."""
    starts = [0] + [index + 1 for index, char in enumerate(text) if char == "\n"]

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1 if line <= len(starts) else len(text)

    spans = [
        (offset(line, column), offset(end_line, end_column), content)
        for (line, column, end_line, end_column), content in edits
    ]
    for start, end, content in sorted(spans, reverse=True):
        text = text[:start] + content + text[end:]
    return text


def sarif_edits(replacements: list[dict[str, Any]]) -> list[tuple[Where, str]]:
    edits = []
    for replacement in replacements:
        region = replacement["deletedRegion"]
        where = (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"])
        edits.append((where, replacement.get("insertedContent", {}).get("text", "")))
    return edits


def fixed_by_the_cli(capsys: pytest.CaptureFixture[str], dockerfile: Path, rule: str, applicability: str) -> str:
    unsafe = ["--unsafe-fixes"] if applicability == "unsafe" else []
    check(capsys, "--fix", *unsafe, "--select", rule, str(dockerfile))
    return dockerfile.read_bytes().decode("utf-8")


FIX_CASES = [
    pytest.param("FROM alpine:3.20\nADD app.py /app/\n", "LS503", id="replace-keyword"),
    pytest.param("FROM alpine:3.20\nWORKDIR app\n", "LS501", id="insert"),
    pytest.param("FROM alpine:3.20\nMAINTAINER Jane Doe\nRUN true\n", "LS504", id="rewrite-instruction"),
    pytest.param('FROM alpine:3.20\nCMD python -m app --port "8080"\n', "LS502", id="exec-form"),
    pytest.param("FROM alpine:3.20\r\nADD app.py /app/\r\n", "LS503", id="crlf"),
    pytest.param(
        f'FROM node:20\nENV API_TOKEN={API_TOKEN}\nRUN ./configure --token "$API_TOKEN"\n',
        "LS201",
        id="delete-a-line-and-insert-two-places",
    ),
]


@pytest.mark.parametrize(("text", "rule"), FIX_CASES)
def test_sarif_fix_applied_is_what_fix_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], text: str, rule: str
) -> None:
    dockerfile = write(tmp_path / "Dockerfile", text)
    monkeypatch.chdir(tmp_path)
    _, _, log = sarif_of(capsys, "--select", rule, "Dockerfile")
    [result] = log["runs"][0]["results"]
    [fix] = result["fixes"]
    [change] = fix["artifactChanges"]
    from_sarif = apply_at(text, sarif_edits(change["replacements"]))

    fixed = fixed_by_the_cli(capsys, dockerfile, rule, fix["properties"]["applicability"])
    assert fixed != text
    assert from_sarif == fixed


@pytest.mark.parametrize(("text", "rule"), FIX_CASES)
def test_json_fix_applied_by_line_and_column_is_what_fix_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, rule: str
) -> None:
    """The edits' positions, not only their offsets: an edit that deletes a whole line ends on the next."""
    dockerfile = write(tmp_path / "Dockerfile", text)
    _, out, _ = check(capsys, "--output-format", "json", "--select", rule, str(dockerfile))
    [finding] = json.loads(out)
    fix = finding["fix"]
    edits = [((e["line"], e["column"], e["end_line"], e["end_column"]), e["content"]) for e in fix["edits"]]
    assert not any(edit.get("redacted") for edit in fix["edits"])
    assert apply_at(text, edits) == fixed_by_the_cli(capsys, dockerfile, rule, fix["applicability"])


def test_sarif_columns_count_code_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`é` is 2 bytes in UTF-8, `𝄞` 4 bytes and 2 UTF-16 units; each is one column here."""
    line = f'ENV LABEL_TEXT="é𝄞 ok" API_TOKEN={API_TOKEN}'
    write(tmp_path / "Dockerfile", f"FROM alpine:3.20\n{line}\nADD app.py /app/\n")
    monkeypatch.chdir(tmp_path)
    _, out, log = sarif_of(capsys, "--select", "LS202", "Dockerfile")
    [result] = log["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == region["endLine"] == 2
    assert region["startColumn"] == line.index(API_TOKEN) + 1
    assert region["endColumn"] == line.index(API_TOKEN) + len(API_TOKEN) + 1
    assert_no_secret(out)


def test_sarif_of_a_clean_run_has_no_results(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, log = sarif_of(capsys, *SELECT, "clean/Dockerfile")
    assert code == 0
    [run] = log["runs"]
    assert run["results"] == []
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == HYGIENE_AND_META


def test_sarif_path_outside_the_working_directory_is_an_absolute_uri(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project / "clean")
    _, _, log = sarif_of(capsys, *SELECT, "../app/Dockerfile")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {(project / "app" / "Dockerfile").resolve().as_uri()}


def test_sarif_records_files_that_could_not_be_checked(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "utf16.Dockerfile").write_bytes("FROM alpine\n".encode("utf-16"))
    code, _, log = sarif_of(capsys, *SELECT, "app/Dockerfile", "utf16.Dockerfile", "missing/Dockerfile")
    assert code == 2
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    uris = [note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for note in notes]
    assert uris == ["utf16.Dockerfile", "missing/Dockerfile"]
    assert "UTF-16" in notes[0]["message"]["text"] and all(note["level"] == "error" for note in notes)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {"LS501", "LS503", "LS504"}  # the others still count


# --- JUnit ----------------------------------------------------------------------------------------


def test_junit_has_a_test_case_per_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "--output-format", "junit", *SELECT, "--extend-select", "LS202", ".")
    assert code == 1
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    [suite] = root
    assert suite.get("name") == "lintslim"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "3", "0")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {"app/Dockerfile", "broken/Dockerfile", "clean/Dockerfile", "secrets/Dockerfile"}
    assert list(cases["clean/Dockerfile"]) == []  # passed
    failure = cases["app/Dockerfile"].find("failure")
    assert failure is not None
    assert failure.get("message") == "3 findings: LS501, LS503, LS504"
    assert (failure.text or "").splitlines() == [
        "app/Dockerfile:2:1: LS503 [warning] `ADD` used for local file: app.py",
        "app/Dockerfile:3:9: LS501 [warning] Relative `WORKDIR app` depends on the base image's working directory",
        "app/Dockerfile:4:1: LS504 [info] `MAINTAINER` is deprecated; use a `LABEL`",
    ]
    assert_no_secret(out)


def test_junit_files_that_could_not_be_checked_are_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "utf16.Dockerfile").write_bytes("FROM alpine\n".encode("utf-16"))
    code, out, err = check(capsys, "--output-format", "junit", *SELECT, "clean/Dockerfile", "utf16.Dockerfile")
    assert code == 2 and "utf16.Dockerfile: UTF-16 encoded" in err
    [suite] = ET.fromstring(out)
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "0", "1")
    error = next(case for case in suite.iter("testcase") if case.get("name") == "utf16.Dockerfile").find("error")
    assert error is not None and "UTF-16 encoded" in (error.get("message") or "")


def test_junit_findings_below_fail_on_pass(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "--output-format", "junit", *SELECT, "--fail-on", "error", "app/Dockerfile")
    assert code == 0
    [case] = ET.fromstring(out).iter("testcase")
    assert case.find("failure") is None
    listed = case.find("system-out")
    assert listed is not None and "LS503" in (listed.text or "")


def test_junit_masks_characters_xml_cannot_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "Dockerfile", "FROM alpine:3.20\nWORKDIR app\x01dir\n")
    monkeypatch.chdir(tmp_path)
    _, out, _ = check(capsys, "--output-format", "junit", "--select", "LS501", "Dockerfile")
    failure = ET.fromstring(out).find("testsuite/testcase/failure")
    assert failure is not None and "LS501" in (failure.text or "")


# --- GitLab Code Quality ----------------------------------------------------------------------------


def gitlab_of(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, list[dict[str, Any]]]:
    _, out, _ = check(capsys, "--output-format", "gitlab", *args)
    return out, json.loads(out)


def test_gitlab_code_quality_report(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, issues = gitlab_of(capsys, *SELECT, "--extend-select", "LS202", ".")
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["description"].startswith(issue["check_name"] + ": ")
    by_key = {(i["location"]["path"], i["check_name"]): i for i in issues}
    add = by_key["app/Dockerfile", "LS503"]
    assert add["description"] == "LS503: `ADD` used for local file: app.py"
    assert add["severity"] == "major"
    assert add["location"] == {"path": "app/Dockerfile", "lines": {"begin": 2, "end": 2}}
    assert by_key["app/Dockerfile", "LS504"]["severity"] == "minor"
    assert by_key["secrets/Dockerfile", "LS202"]["severity"] == "critical"
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    assert_no_secret(out)


def test_gitlab_fingerprints_survive_moved_lines_and_tell_twins_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile = write(tmp_path / "Dockerfile", "FROM alpine:3.20\nADD a.py /a/\nADD a.py /a/\nADD b.py /b/\n")
    monkeypatch.chdir(tmp_path)
    _, before = gitlab_of(capsys, "--select", "LS503", "Dockerfile")
    assert [issue["location"]["lines"]["begin"] for issue in before] == [2, 3, 4]
    assert len({issue["fingerprint"] for issue in before}) == 3  # the twins on lines 2 and 3 differ

    dockerfile.write_text("# build the app\nFROM alpine:3.20\n\nADD a.py /a/\nADD a.py /a/\nADD b.py /b/\n")
    _, after = gitlab_of(capsys, "--select", "LS503", "Dockerfile")
    assert [issue["location"]["lines"]["begin"] for issue in after] == [4, 5, 6]
    assert [issue["fingerprint"] for issue in after] == [issue["fingerprint"] for issue in before]


def test_gitlab_fingerprints_hash_the_masked_line_not_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hash of the line as written could be guessed back to a short password: two passwords that
    mask alike give the same fingerprints."""
    dockerfile = tmp_path / "Dockerfile"
    monkeypatch.chdir(tmp_path)
    fingerprints = []
    for password in (CURL_PASSWORD, CURL_PASSWORD[:-3] + "zzz"):
        write(dockerfile, f"FROM alpine:3.20\nCMD curl -u admin:{password} http://localhost:8080/health\n")
        out, issues = gitlab_of(capsys, "--select", "LS202,LS502", "Dockerfile")
        assert password not in out
        assert sorted(issue["check_name"] for issue in issues) == ["LS202", "LS502"]
        fingerprints.append(sorted(issue["fingerprint"] for issue in issues))
    assert fingerprints[0] == fingerprints[1]


def test_gitlab_clean_run_is_an_empty_array(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert gitlab_of(capsys, *SELECT, "clean/Dockerfile")[1] == []


# --- GitHub annotations and `auto` -------------------------------------------------------------------


def test_github_escapes_property_values_and_messages() -> None:
    assert github_escape("a,b:c%d\r\ne", property_value=True) == "a%2Cb%3Ac%25d%0D%0Ae"
    assert github_escape("50% done: a, b\nnext") == "50%25 done: a, b%0Anext"


def test_github_annotation_of_an_awkward_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "a,b:c" / "Dockerfile", "FROM alpine:3.20\nADD app.py /app/\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = check(capsys, "--output-format", "github", "--select", "LS503", "a,b:c/Dockerfile")
    assert code == 1
    assert out == (
        "::warning file=a%2Cb%3Ac/Dockerfile,line=2,col=1,endLine=2,endColumn=4,"
        "title=LS503 (prefer-copy-over-add)::`ADD` used for local file: app.py\n"
    )


def test_auto_is_github_under_github_actions(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = check(capsys, *SELECT, "app/Dockerfile")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 3 and all(line.startswith(("::warning file=", "::notice file=")) for line in lines)
    assert "Found" not in out  # no summary line among the workflow commands


def test_auto_is_full_elsewhere(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = check(capsys, *SELECT, "app/Dockerfile")
    assert out.startswith("app/Dockerfile:2:1: LS503 [*] `ADD` used for local file: app.py  [warning]\n")
    assert out.rstrip().endswith("Found 3 findings (1 fixable with `--fix`, 2 more with `--fix --unsafe-fixes`).")


def test_environment_variable_and_option_choose_the_format(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("LINTSLIM_OUTPUT_FORMAT", "concise")
    _, out, _ = check(capsys, *SELECT, "app/Dockerfile")
    assert out.splitlines()[0] == "app/Dockerfile:2:1: LS503 [*] `ADD` used for local file: app.py"
    _, out, _ = check(capsys, "--output-format", "gitlab", *SELECT, "app/Dockerfile")
    assert json.loads(out)[0]["check_name"] == "LS503"


def test_unknown_format_in_the_environment_is_a_usage_error(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LINTSLIM_OUTPUT_FORMAT", "xml")
    code, out, err = check(capsys, "app/Dockerfile")
    assert code == 2 and out == ""
    assert err.startswith("lintslim: error: LINTSLIM_OUTPUT_FORMAT='xml' is not an output format")
    assert len(err.splitlines()) == 1


def test_help_lists_the_formats(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--output-format {auto,full,concise,json,github,sarif,junit,gitlab}" in out


# --- start-up cost ----------------------------------------------------------------------------------


def test_line_formats_import_nothing_the_document_formats_need(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", FIXABLE)
    probe = (
        "import sys\n"
        "from lintslim.cli import main\n"
        "main(['check', '--output-format', 'concise', 'Dockerfile'])\n"
        "heavy = ['jsonschema', 'xml.etree.ElementTree', 'lintslim.output.sarif', 'lintslim.output.junit',\n"
        "         'lintslim.output.gitlab', 'lintslim.docs', 'ruamel.yaml']\n"
        "print(sorted(name for name in heavy if name in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr
    assert "LS503" in result.stdout

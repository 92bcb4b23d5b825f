"""The audit's outputs: the terminal summary, json, jsonl and sarif, from real `lintslim audit` runs.

A tree of small repositories holds the cases every output must carry: findings of several
severities, a file BuildKit would reject, files that cannot be checked (an empty Dockerfile, a
broken config), a file the config excludes, a clean repository, and the Dockerfile of
test_redaction.py with its planted secrets.  The audit runs once per format on a real process
pool; the outputs must agree with one another record for record.  A corpus test does the same on
real repositories rebuilt from ../shared/corpus.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

import pytest
from corpus_tree import CORPUS, SKIP_REASON, build_tree
from test_redaction import DOCKERFILE as SECRET_DOCKERFILE
from test_redaction import SECRETS

from lintslim.analysis.savings import ImageProfile, Saving
from lintslim.audit.aggregate import AuditTotals
from lintslim.audit.model import FileResult, Finding
from lintslim.audit.summary import SummaryReporter
from lintslim.cli import main
from lintslim.knowledge.images import image_facts
from lintslim.syntax.image import parse_image

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
FORMATS = ("summary", "json", "jsonl", "sarif")
DISTROLESS_STATIC = "gcr.io/distroless/static-debian13"

GO_SINGLE_STAGE = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\nCMD ["/app"]\n'
GO_MOD = "module example.com/app\n\ngo 1.22\n"  # with it, LS101's fix moves to a sized base: a saving
NODE_SHELL_FORM = "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCMD node app.js\n"
UNTERMINATED_HEREDOC = "FROM alpine:3.20\nRUN <<EOF\necho never closed\n"
CLEAN = 'FROM alpine:3.20\nUSER 65534\nCMD ["true"]\n'

TREE: dict[str, dict[str, str]] = {
    "alpha": {"Dockerfile": GO_SINGLE_STAGE, "go.mod": GO_MOD, "web/Dockerfile": NODE_SHELL_FORM},
    "beta": {"Dockerfile": SECRET_DOCKERFILE},
    "gamma": {"Dockerfile": UNTERMINATED_HEREDOC, "empty/Dockerfile": "\n"},
    "delta": {".lintslim.yaml": "select: [\n", "Dockerfile": NODE_SHELL_FORM},
    "epsilon": {".lintslim.yaml": "exclude: ['legacy/**']\n", "legacy/Dockerfile": GO_SINGLE_STAGE},
    "zeta": {"Dockerfile": CLEAN},
}
UNCHECKED = {"gamma/empty/Dockerfile", "delta/Dockerfile"}


def make_tree(root: Path) -> Path:
    for repository, files in TREE.items():
        (root / repository / ".git").mkdir(parents=True)
        for relative, text in files.items():
            path = root / repository / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return root


def repositories(root: Path) -> list[Path]:
    return sorted(path for path in root.iterdir() if path.is_dir())


def audit(roots: list[Path], output_format: str, destination: Path, *extra: str) -> str:
    """`lintslim audit ROOT...` in this process; the report's text."""
    code = main(
        ["audit", *map(str, roots), "--output-format", output_format, "-o", str(destination), "--no-progress", *extra]
    )
    assert code in (0, 1, 2)  # 2 when a file could not be checked: still a whole report
    return destination.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tree(tmp_path_factory.mktemp("repositories"))


@pytest.fixture(scope="module")
def outputs(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    reports = tmp_path_factory.mktemp("reports")
    return {name: audit(repositories(tree), name, reports / f"audit.{name}", "--jobs", "2") for name in FORMATS}


@pytest.fixture(scope="module")
def records(outputs: dict[str, str]) -> list[dict[str, Any]]:
    return list(json.loads(outputs["json"]))


def _relative(record: dict[str, Any], tree: Path) -> str:
    return Path(record["path"]).relative_to(tree).as_posix()


def size(image: str) -> float:
    """The knowledge base's size for an image."""
    reference = parse_image(image)
    facts = image_facts(reference) if reference is not None else None
    assert facts is not None and facts.size_mb is not None
    return facts.size_mb


def sarif_validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema validates SARIF against the official schema")
    return jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


# json and jsonl


def test_json_and_jsonl_hold_the_same_records(outputs: dict[str, str], records: list[dict[str, Any]]) -> None:
    lines = outputs["jsonl"].splitlines()
    assert len(lines) == len(records) > 0
    assert [json.loads(line) for line in lines] == records


def test_records_carry_repository_path_finding_and_saving(tree: Path, records: list[dict[str, Any]]) -> None:
    findings = [record for record in records if "error" not in record]
    finding_keys = {"repository", "path", "code", "name", "family", "severity", "message", "line", "column"}
    finding_keys |= {"end_line", "end_column", "url", "fix", "estimated_saving_mb"}
    assert all(set(record) == finding_keys for record in findings)
    by_file = Counter(_relative(record, tree) for record in findings)
    assert {"alpha/Dockerfile", "alpha/web/Dockerfile", "beta/Dockerfile", "gamma/Dockerfile"} <= set(by_file)
    assert not {"zeta/Dockerfile", "epsilon/legacy/Dockerfile"} & set(by_file)  # clean; excluded
    assert all(record["repository"] == str(tree / _relative(record, tree).split("/")[0]) for record in records)
    go = [r for r in findings if _relative(r, tree) == "alpha/Dockerfile" and r["code"] == "LS101"]
    assert len(go) == 1 and go[0]["line"] == 4 and go[0]["fix"]["applicability"] == "unsafe"
    assert go[0]["estimated_saving_mb"] == pytest.approx(size("golang:1.22") - size(DISTROLESS_STATIC), abs=0.1)
    assert all(r["estimated_saving_mb"] is None for r in findings if r is not go[0])
    assert any(r["code"] == "LS900" for r in findings if _relative(r, tree) == "gamma/Dockerfile")


def test_files_not_checked_are_error_records(tree: Path, records: list[dict[str, Any]]) -> None:
    errors = {_relative(record, tree): record for record in records if "error" in record}
    assert set(errors) == UNCHECKED
    assert all(set(record) == {"repository", "path", "error"} for record in errors.values())
    assert "empty file" in errors["gamma/empty/Dockerfile"]["error"]
    assert ".lintslim.yaml" in errors["delta/Dockerfile"]["error"]


def test_jsonl_is_flushed_file_by_file(tree: Path, tmp_path: Path) -> None:
    """A reader following the output sees the first files' records while a later file is still being checked.

    The audit stalls on gamma's second file until this test, having read a record, says go on; the
    stall gives up after 20 s and leaves a mark, which fails the test (the records came only at the end).
    """
    go_on, gave_up = tmp_path / "go-on", tmp_path / "gave-up"
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from lintslim.audit import worker\n"
        "from lintslim.cli import main\n"
        "checked = worker.Worker.run\n"
        "def stalled(self, task):\n"
        "    if task.relative == 'empty/Dockerfile':\n"
        "        deadline = time.monotonic() + 20\n"
        f"        while not Path({str(go_on)!r}).exists():\n"
        "            if time.monotonic() > deadline:\n"
        f"                Path({str(gave_up)!r}).touch()\n"
        "                break\n"
        "            time.sleep(0.05)\n"
        "    return checked(self, task)\n"
        "worker.Worker.run = stalled\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    roots = [str(tree / name) for name in ("alpha", "gamma")]
    command = [
        sys.executable,
        "-c",
        script,
        "audit",
        *roots,
        "--output-format",
        "jsonl",
        "--jobs",
        "1",
        "--no-progress",
    ]
    environment = {
        name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"
    }  # buffered, as usual
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment) as process:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())
        go_on.touch()
        rest = [json.loads(line) for line in process.stdout]
    assert not gave_up.exists(), "no record came out before the stalled file was checked"
    assert first["path"] == str(tree / "alpha" / "Dockerfile")
    assert rest[-1] == {"repository": str(tree / "gamma"), "path": str(tree / "gamma" / "empty" / "Dockerfile"),
                        "error": f"{tree / 'gamma' / 'empty' / 'Dockerfile'}: empty file"}  # fmt: skip


# sarif


def test_sarif_validates_and_matches_the_json_records(
    tree: Path, outputs: dict[str, str], records: list[dict[str, Any]]
) -> None:
    log = json.loads(outputs["sarif"])
    sarif_validator().validate(log)
    run = log["runs"][0]
    findings = [record for record in records if "error" not in record]
    assert len(run["results"]) == len(findings)
    bases = run["originalUriBaseIds"]
    for result, record in zip(run["results"], findings, strict=True):
        location = result["locations"][0]["physicalLocation"]
        base = bases[location["artifactLocation"]["uriBaseId"]]
        path = Path(url2pathname(urlparse(base["uri"]).path)) / unquote(location["artifactLocation"]["uri"])
        assert base["description"]["text"] == record["repository"] == result["properties"]["repository"]
        assert base["uri"] == (tree / Path(record["repository"]).name).resolve().as_uri() + "/"
        assert path == Path(record["path"]).resolve()
        assert (
            location["region"]["startLine"] == record["line"] and location["region"]["startColumn"] == record["column"]
        )
        assert result["ruleId"] == record["code"] and result["message"]["text"] == record["message"]
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["properties"].get("estimatedSavingMb") == record["estimated_saving_mb"]
    assert sorted(rule["id"] for rule in run["tool"]["driver"]["rules"]) == sorted({r["code"] for r in findings})


def test_sarif_reports_files_not_checked_as_notifications(tree: Path, outputs: dict[str, str]) -> None:
    run = json.loads(outputs["sarif"])["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    located = set()
    for notification in invocation["toolExecutionNotifications"]:
        artifact = notification["locations"][0]["physicalLocation"]["artifactLocation"]
        repository = run["originalUriBaseIds"][artifact["uriBaseId"]]["description"]["text"]
        located.add(f"{Path(repository).name}/{artifact['uri']}")
        assert notification["level"] == "error" and notification["message"]["text"]
    assert located == UNCHECKED


def test_sarif_fixes_are_replacements_in_the_file(outputs: dict[str, str]) -> None:
    results = json.loads(outputs["sarif"])["runs"][0]["results"]
    fixed = [result for result in results if "fixes" in result]
    assert fixed
    for result in fixed:
        change = result["fixes"][0]["artifactChanges"][0]
        assert change["artifactLocation"] == result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert change["replacements"] and all("deletedRegion" in r for r in change["replacements"])


def test_an_empty_sarif_log_validates(tree: Path, tmp_path: Path) -> None:
    log = json.loads(audit([tree / "zeta"], "sarif", tmp_path / "clean.sarif"))
    sarif_validator().validate(log)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True


# summary


def test_summary_totals_equal_the_records(outputs: dict[str, str], records: list[dict[str, Any]]) -> None:
    summary = outputs["summary"]
    findings = sum("error" not in record for record in records)
    first = " ".join(summary.split("\n\n")[0].split())  # the totals line, however it wrapped
    assert first == (
        f"5 Dockerfiles checked in 6 repositories: {findings} findings, 2 files could not be checked, "
        "1 file with parse errors; 1 file excluded by configuration."
    )
    by_rule = Counter(record["code"] for record in records if "error" not in record)
    rule_lines = {line.split()[0]: line.split() for line in summary.splitlines() if line[:2] == "LS"}
    for code, count in by_rule.items():
        assert rule_lines[code][3] == str(count), code  # Rule Name Severity Findings ...


def test_summary_ranks_repositories_worst_first(
    tree: Path, outputs: dict[str, str], records: list[dict[str, Any]]
) -> None:
    severities = ("error", "warning", "info", "style")
    score: dict[str, list[int]] = {}
    for record in records:
        if "error" not in record:
            counts = score.setdefault(Path(record["repository"]).name, [0] * 5)
            counts[severities.index(record["severity"])] += 1
            counts[4] += 1
    expected = sorted(score, key=lambda name: ([-n for n in score[name]], name))
    lines = outputs["summary"].split("Worst repositories")[1].split("\n\n")[0].splitlines()
    rule = next(number for number, line in enumerate(lines) if set(line) == {"-"})  # under the header
    listed = [line.split()[0] for line in lines[rule + 1 :]]  # names below the roots' common directory
    assert listed == [*expected, "delta"]  # delta has no finding, one file not checked: last
    assert "zeta" not in listed and "epsilon" not in listed


def test_summary_lists_unchecked_and_rejected_files(tree: Path, outputs: dict[str, str]) -> None:
    summary = outputs["summary"]
    unchecked = " ".join(summary.split("Files that could not be checked (2)\n")[1].split("\n\n")[0].split())
    assert str(tree / "gamma" / "empty" / "Dockerfile") in unchecked and "empty file" in unchecked
    assert str(tree / "delta" / "Dockerfile") in unchecked
    rejected = summary.split("Files BuildKit would reject (LS900) (1)\n")[1].split("\n\n")[0]
    assert rejected.strip() == str(tree / "gamma" / "Dockerfile")


def test_summary_labels_savings_as_estimates(outputs: dict[str, str]) -> None:
    savings = outputs["summary"].split("Estimated savings\n")[1]
    assert "Basis: estimates from the knowledge base" in savings
    assert "Multi-stage builds: 0 of 5 files parsed (0%)" in savings
    caption = " ".join(outputs["summary"].split("Est. MB: ")[1].split("\n\n")[0].split())
    assert caption.startswith("the MB its fixes (or the runtime it suggests) would save, summed over files; estimates")


def test_summary_off_a_terminal_is_plain_80_columns(outputs: dict[str, str]) -> None:
    summary = outputs["summary"]
    assert "\x1b" not in summary
    assert all(ord(c) < 128 or c == "…" for c in summary)  # ASCII rules, no box drawing
    assert max(len(line) for line in summary.splitlines()) <= 80
    assert all(line == line.rstrip() for line in summary.splitlines())


def test_no_color_on_a_terminal_prints_no_escape_codes(tree: Path) -> None:
    """On a pseudo-terminal the summary is coloured, and with NO_COLOR it is not."""
    pty = pytest.importorskip("pty")

    def on_a_terminal(environment: dict[str, str]) -> str:
        leader, follower = pty.openpty()
        command = [sys.executable, "-m", "lintslim", "audit", str(tree / "alpha"), "--jobs", "1", "--no-progress"]
        subprocess.run(command, stdout=follower, stderr=subprocess.DEVNULL, env=environment, check=False)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is gone once it is drained
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        return b"".join(chunks).decode("utf-8")

    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    assert "\x1b[" in on_a_terminal(environment)
    plain = on_a_terminal({**environment, "NO_COLOR": "1"})
    assert "\x1b[" not in plain and "Findings by rule" in plain


# secrets


@pytest.mark.parametrize("output_format", FORMATS)
def test_no_format_shows_a_secret(outputs: dict[str, str], output_format: str) -> None:
    text = outputs[output_format]
    assert "LS202" in text or output_format == "summary"
    for secret in SECRETS:
        assert secret not in text and secret[len(secret) // 2 :] not in text, f"a secret was printed: {secret[:4]}…"


# A secret ARG default that ends up in the final base's name: the image is sized (any golang tag is)
# and its fix moves it, so the name reaches the summary's largest savings and the page's files table.
SECRET_TAG = "ghp_" + "Kq3ZrT8mWv2LxN9pBd4HsY7cJf1GtE6aUo5R"
SECRET_BASE = f"ARG TAG={SECRET_TAG}\nFROM golang:${{TAG}}\n" + GO_SINGLE_STAGE.split("\n", 1)[1]


def test_a_secret_in_the_base_images_name_is_masked(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    (repository / "Dockerfile").write_text(SECRET_BASE, encoding="utf-8")
    (repository / "go.mod").write_text(GO_MOD, encoding="utf-8")
    page = tmp_path / "report.html"
    summary = audit([repository], "summary", tmp_path / "summary.txt", "--jobs", "1", "--html", str(page))
    assert "golang:ghp_" in summary and "Largest estimated savings" in summary  # the name is shown, masked
    for text in (summary, page.read_text(encoding="utf-8")):
        assert SECRET_TAG not in text and SECRET_TAG[len(SECRET_TAG) // 2 :] not in text


# A repository's names are not ours: control characters in them are shown, not sent to the terminal.
HOSTILE_NAME = "evil\x1b]0;owned\x07\x1b[2J"  # sets the terminal's title, clears the screen


def test_summary_shows_control_characters_in_names_instead_of_sending_them(tmp_path: Path) -> None:
    repository = tmp_path / HOSTILE_NAME
    (repository / ".git").mkdir(parents=True)
    (repository / "Dockerfile").write_text(GO_SINGLE_STAGE, encoding="utf-8")
    (repository / "go.mod").write_text(GO_MOD, encoding="utf-8")
    (repository / "bad" / "Dockerfile").parent.mkdir()
    (repository / "bad" / "Dockerfile").write_bytes(b"FROM alpine\nRUN \xff\n")
    summary = audit([tmp_path], "summary", tmp_path / "summary.txt", "--jobs", "1")
    assert "Largest estimated savings" in summary and "could not be checked (1)" in summary
    assert not {"\x1b", "\x07"} & set(summary)
    unwrapped = "".join(line.strip() for line in summary.splitlines())
    assert unwrapped.count("evil\\x1b]0;owned\\x07\\x1b[2J") == 3  # worst repositories, unchecked, savings


# --fix


def test_fix_reports_what_it_wrote(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repositories")
    summary = audit([root / "alpha"], "summary", tmp_path / "fix.txt", "--fix", "--unsafe-fixes", "--jobs", "1")
    heading = next(line for line in summary.splitlines() if line.startswith("Fixes (--fix):"))
    assert heading.startswith("Fixes (--fix): ") and "2 files written" in heading
    fixed_rules = summary.split("Fixes (--fix):")[1].splitlines()
    assert any(line.split()[:2] == ["LS101", "missing-multi-stage"] for line in fixed_rules)
    assert "AS build" in (root / "alpha" / "Dockerfile").read_text(encoding="utf-8")


# totals from hand-made results


def _finding(code: str, severity: str, line: int = 1, applicability: str | None = "safe") -> Finding:
    fix = (
        None if applicability is None else {"applicability": applicability, "title": "t", "edits": [], "new_files": []}
    )
    return Finding(code, f"rule-{code}", "build", severity, "message", line, 1, line, 2, "https://x", fix)


def test_totals_skip_excluded_files_and_count_errors_apart() -> None:
    totals = AuditTotals()
    totals.add(FileResult("r/a/Dockerfile", "r", "a/Dockerfile", excluded=True))
    totals.add(FileResult("r/b/Dockerfile", "r", "b/Dockerfile", error="r/b/Dockerfile: empty file"))
    totals.add(FileResult("s/Dockerfile", "s", "Dockerfile", findings=(_finding("LS101", "warning"),)))
    assert (totals.files, totals.checked, totals.excluded, totals.findings) == (3, 1, 1, 1)
    assert totals.errors == [("r/b/Dockerfile", "r/b/Dockerfile: empty file")]
    assert [row.path for row in totals.rows] == ["r/b/Dockerfile", "s/Dockerfile"]
    assert totals.repositories["r"].files == 0 and totals.repositories["r"].errors == 1


def test_totals_take_the_largest_saving_per_file_and_sum_each_rule() -> None:
    profile = ImageProfile("golang", False, False, 850.0, "source")
    savings = (Saving("LS101", 4, "golang", "distroless", 820.0, "b"), Saving("LS301", 1, "golang", "slim", 600.0, "b"))
    findings = (_finding("LS101", "warning", 4, "unsafe"), _finding("LS301", "info", 1, "display-only"))
    totals = AuditTotals()
    totals.add(FileResult("r/Dockerfile", "r", "Dockerfile", findings=findings, image=profile, savings=savings))
    totals.add(FileResult("r/x/Dockerfile", "r", "x/Dockerfile", findings=(_finding("LS101", "warning", 4, None),)))
    assert totals.saving_mb == 820.0 and totals.repositories["r"].saving_mb == 820.0
    assert totals.rules["LS101"].saving_mb == 820.0 and totals.rules["LS301"].saving_mb == 600.0
    assert (totals.rules["LS101"].findings, totals.rules["LS101"].files, totals.rules["LS101"].fixable) == (2, 2, 1)
    assert totals.rules["LS301"].fixable == 0  # display-only is no fix to apply
    assert (totals.profiled, totals.base_known, totals.minimal_base) == (1, 1, 0)


def _render(totals: AuditTotals) -> str:
    out = io.StringIO()  # not a terminal: plain text, 80 columns
    SummaryReporter(out).finish(totals)
    return out.getvalue()


def test_summary_shows_savings_per_rule_and_largest_files_as_estimates() -> None:
    profile = ImageProfile("golang", False, False, 850.0, "source")
    totals = AuditTotals()
    for number, saved in enumerate((820.0, 12.5, 3.25)):
        saving = (Saving("LS101", 4, "golang", "gcr.io/distroless/static-debian13", saved, "b"),)
        path = f"r{number}/Dockerfile"
        totals.add(
            FileResult(
                path, f"r{number}", "Dockerfile", (_finding("LS101", "warning", 4),), image=profile, savings=saving
            )
        )
    text = _render(totals)
    assert "~836 MB in all (estimate), across 3 files" in text
    rule_line = next(line for line in text.splitlines() if line.startswith("LS101"))
    assert rule_line.split()[-1] == "~836"
    largest = text.split("Largest estimated savings\n")[1].splitlines()[:3]
    assert [line.split()[:3] for line in largest] == [["~820", "MB", "r0/Dockerfile"], ["~12", "MB", "r1/Dockerfile"],
                                                      ["~3.2", "MB", "r2/Dockerfile"]]  # fmt: skip
    assert "Minimal final bases: 0 of 3 files whose base is known (0%)" in text


def test_summary_lists_the_first_files_and_counts_the_rest() -> None:
    totals = AuditTotals()
    for number in range(13):
        totals.add(FileResult(f"r/{number:02}/Dockerfile", "r", f"{number:02}/Dockerfile", error="cannot read"))
    text = _render(totals)
    listed = text.split("Files that could not be checked (13)\n")[1].split("\n\n")[0].splitlines()
    assert listed[0] == "  r/00/Dockerfile: cannot read" and len(listed) == 11
    assert listed[-1] == "  ... and 3 more"


# the corpus


@pytest.mark.skipif(not CORPUS.is_dir(), reason=SKIP_REASON)
def test_corpus_repositories_agree_across_formats(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "corpus", files_per_repository=3)  # every repository: the first few have no finding
    roots = [str(path) for path in sorted(tree.iterdir())]

    def run(output_format: str) -> str:
        destination = tmp_path / f"corpus.{output_format}"
        main(["audit", *roots, "--output-format", output_format, "-o", str(destination), "--no-progress", "-j", "2"])
        return destination.read_text(encoding="utf-8")

    records = json.loads(run("json"))
    log = json.loads(run("sarif"))
    sarif_validator().validate(log)
    findings = [record for record in records if "error" not in record]
    assert findings and len(log["runs"][0]["results"]) == len(findings)
    assert len(log["runs"][0]["originalUriBaseIds"]) == len({record["repository"] for record in records})
    summary = run("summary")
    assert f": {len(findings):,} findings" in " ".join(summary.split())
    assert "\x1b" not in summary and max(len(line) for line in summary.splitlines()) <= 80

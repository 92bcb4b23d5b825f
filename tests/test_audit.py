"""`lintslim audit` end to end: discovery over real trees, the real process pool, --fix, progress, Ctrl-C.

Trees are built in temporary directories: nested git repositories (a `.git` directory, or a
worktree's `.git` file), `.gitignore` files with negations, vendored directories, symbolic links
out of the root, into a loop and to files inside it, and files that cannot be checked.  The audit's
findings are compared with `lintslim check`'s on the same files, and its fixes with `check --fix`.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from corpus_tree import CORPUS, SKIP_REASON, build_tree

from lintslim.audit.aggregate import AuditTotals
from lintslim.audit.discovery import discover_tasks, repositories
from lintslim.audit.engine import run_local
from lintslim.audit.model import AuditOptions, AuditTask, FileResult
from lintslim.audit.worker import audit_batch
from lintslim.cli import main
from lintslim.config import Overrides

GO_SERVICE = (  # six findings, fixes safe and unsafe, one of which creates a `.dockerignore`
    "FROM golang:1.22\nMAINTAINER someone\nWORKDIR src\nCOPY . .\nADD main.go /src/\nRUN go build -o /app .\nCMD /app\n"
)
ADD_FILE = "FROM alpine:3.20\nADD app.py /app/\nCMD python /app/app.py\n"
CLEAN = 'FROM alpine:3.20\nCOPY app.py /app/\nCMD ["python", "/app/app.py"]\n'


def write(path: Path, content: str | bytes = CLEAN) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def git_repository(path: Path) -> Path:
    (path / ".git" / "info").mkdir(parents=True, exist_ok=True)
    return path


def found(*roots: Path | str) -> list[tuple[str, str]]:
    """(repository, path relative to it) of every file the audit would check."""
    return [(task.repository, task.relative) for task in discover_tasks([str(root) for root in roots])]


def audit(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main(["audit", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def audit_records(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, list[dict[str, Any]]]:
    code, out, _ = audit(capsys, "--output-format", "json", *args)
    return code, json.loads(out)


def comparable(results: list[FileResult]) -> list[FileResult]:
    return [replace(result, seconds=0.0) for result in results]


# --- discovery -------------------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A directory of repositories, with every case discovery must get right."""
    root = tmp_path / "repos"
    write(root / "Dockerfile")  # outside any repository: the root's own
    one = git_repository(root / "one")
    write(one / ".gitignore", "ignored/\n*.Dockerfile\n!keep.Dockerfile\n")
    write(one / ".git" / "info" / "exclude", "local-only/\n")
    write(one / "Dockerfile")
    write(one / "api.Dockerfile")  # ignored by *.Dockerfile
    write(one / "keep.Dockerfile")  # re-included by the negation
    write(one / "ignored" / "Dockerfile")
    write(one / "local-only" / "Dockerfile")  # ignored by .git/info/exclude
    write(one / "svc" / ".gitignore", "Dockerfile.local\n")
    write(one / "svc" / "Dockerfile")
    write(one / "svc" / "Dockerfile.local")  # ignored by the nested .gitignore
    write(one / "svc" / "deep" / "Dockerfile.local")  # the nested pattern has no slash: any depth below svc
    for vendored in ("node_modules/pkg", "vendor", "third_party/lib", ".venv/lib/python3.12/site-packages/x"):
        write(one / vendored / "Dockerfile")
    nested = one / "tools" / "nested"
    write(nested / ".git", "gitdir: /elsewhere/.git/worktrees/nested\n")  # a worktree: .git is a file
    write(nested / "Dockerfile")
    write(nested / "b.Dockerfile")  # one's `*.Dockerfile` does not reach into a nested repository
    two = git_repository(root / "group" / "two")
    write(two / "Dockerfile-dev")
    write(two / "Dockerfile_python312")
    write(two / "Dockerfile.md", "# notes\n")  # not a Dockerfile
    outside = write(tmp_path / "outside" / "Dockerfile")
    (one / "escape").symlink_to(outside.parent, target_is_directory=True)  # a directory out of the root
    (one / "loop").symlink_to(one, target_is_directory=True)  # a loop
    (one / "Dockerfile.out").symlink_to(outside)  # a file out of the root
    (one / "Dockerfile.prod").symlink_to(one / "Dockerfile")  # the same file under a second name
    write(root / "shared" / "base-image.txt")
    (two / "Dockerfile").symlink_to(root / "shared" / "base-image.txt")  # a file found only through the link
    return root


def test_discovery_splits_repositories_honours_gitignore_and_never_follows_links(tree: Path) -> None:
    root = str(tree)
    assert found(tree) == [
        (root, "Dockerfile"),
        (f"{root}/one", "Dockerfile"),
        (f"{root}/one", "keep.Dockerfile"),
        (f"{root}/one", "svc/Dockerfile"),
        (f"{root}/one/tools/nested", "Dockerfile"),
        (f"{root}/one/tools/nested", "b.Dockerfile"),
        (f"{root}/group/two", "Dockerfile"),
        (f"{root}/group/two", "Dockerfile-dev"),
        (f"{root}/group/two", "Dockerfile_python312"),
    ]


def test_repositories_are_named_below_the_root_as_given(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree.parent)
    names = [repository.name for repository in repositories(["repos"])]
    assert names == ["repos", "repos/one", "repos/one/tools/nested", "repos/group/two"]


def test_a_root_inside_a_work_tree_gets_the_ignore_files_above_it(tree: Path) -> None:
    write(tree / "one" / "svc" / "x.Dockerfile")  # ignored by one/.gitignore, above the root
    write(tree / "one" / "svc" / "keep.Dockerfile")
    svc = str(tree / "one" / "svc")
    assert found(svc) == [(svc, "Dockerfile"), (svc, "keep.Dockerfile")]


def test_two_roots_naming_the_same_files_check_each_once(tree: Path) -> None:
    once = found(tree)
    assert found(tree, tree / "one", f"{tree}/") == once
    inner_first = found(tree / "one", tree)
    assert sorted(relative for _, relative in inner_first) == sorted(relative for _, relative in once)
    assert len(inner_first) == len(once)


def test_a_symlinked_root_is_walked(tree: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(tree, target_is_directory=True)
    assert [relative for _, relative in found(link)] == [relative for _, relative in found(tree)]


def test_sam_templates_name_dockerfiles_of_any_name(tmp_path: Path) -> None:
    repository = git_repository(tmp_path / "app")
    write(
        repository / "template.yaml",
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n"
        "    Metadata:\n      DockerContext: ./fn\n      Dockerfile: build.docker\n",
    )
    write(repository / "fn" / "build.docker")
    assert found(repository) == [(str(repository), "fn/build.docker")]


@pytest.mark.parametrize("root", ["missing", "file"])
def test_a_root_that_is_not_a_directory_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], root: str
) -> None:
    write(tmp_path / "file")
    code, out, err = audit(capsys, tmp_path / root)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("lintslim: error:")


def test_a_gitignore_pattern_git_rejects_is_skipped_as_git_skips_it(tmp_path: Path) -> None:
    """A trailing backslash makes a pattern invalid: git matches nothing with it and reads the other lines."""
    repository = git_repository(tmp_path / "repo")
    write(repository / ".gitignore", "tmp\\\nDockerfile.local\n")
    write(repository / "Dockerfile")
    write(repository / "Dockerfile.local")
    write(repository / "tmp" / "Dockerfile")
    assert found(repository) == [(str(repository), "Dockerfile"), (str(repository), "tmp/Dockerfile")]


def test_a_repository_its_parent_ignores_is_still_audited(tmp_path: Path) -> None:
    """A workspace whose .gitignore lists the repositories cloned into it (`repos/`): each is its own repository."""
    workspace = git_repository(tmp_path / "workspace")
    write(workspace / ".gitignore", "repos/\n")
    write(workspace / "Dockerfile")
    nested = git_repository(workspace / "repos" / "api")
    write(nested / "Dockerfile")
    write(workspace / "repos" / "loose" / "Dockerfile")  # ignored, and not a repository
    assert found(workspace) == [(str(workspace), "Dockerfile"), (str(nested), "Dockerfile")]


def test_discovery_does_not_import_pathspec_for_check(tmp_path: Path) -> None:
    """`lintslim check` (the pre-commit case) loads neither pathspec nor rich."""
    dockerfile = write(tmp_path / "Dockerfile", ADD_FILE)
    script = (
        "import sys\nfrom lintslim.cli import main\nmain(['check', sys.argv[1]])\n"
        "loaded = [m for m in ('rich', 'pathspec', 'lintslim.audit.discovery') if m in sys.modules]\n"
        "print(loaded, file=sys.stderr)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, str(dockerfile)], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.stderr.strip().splitlines()[-1] == "[]"


# --- the engine ------------------------------------------------------------------------------------


@pytest.fixture
def services(tmp_path: Path) -> Path:
    """Forty Dockerfiles in two repositories, with findings and fixes."""
    root = tmp_path / "services"
    for index in range(20):
        for repository, content in (("a", GO_SERVICE), ("b", ADD_FILE)):
            directory = git_repository(root / repository) / f"svc{index:02}"
            write(directory / "Dockerfile", content)
            write(directory / "main.go", "package main\n")
            write(directory / "app.py", "print(1)\n")
            write(directory / ".env", "TOKEN=1\n")
    return root


def test_results_come_in_task_order_and_one_process_or_two_agree(services: Path) -> None:
    tasks = discover_tasks([str(services)])
    alone = comparable(list(run_local(tasks, AuditOptions(), jobs=1)))
    pooled = comparable(list(run_local(tasks, AuditOptions(), jobs=2)))
    assert [result.path for result in pooled] == [task.path for task in tasks]
    assert pooled == alone
    assert sum(len(result.findings) for result in pooled) >= 40 * 2


def test_json_output_is_the_same_with_one_job_or_two(services: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = audit(capsys, services, "-j", "1", "--output-format", "json")
    two = audit(capsys, services, "-j", "2", "--output-format", "json")
    assert one == two
    assert one[0] == 1


def test_a_worker_killed_mid_run_loses_no_file(services: Path) -> None:
    tasks = discover_tasks([str(services)])
    expected = comparable(list(run_local(tasks, AuditOptions(), jobs=1)))
    results = run_local(tasks, AuditOptions(), jobs=2)
    first = next(results)  # the pool is up; the rest is not submitted until we read on
    workers = multiprocessing.active_children()
    assert workers
    os.kill(workers[0].pid or 0, signal.SIGKILL)  # as the OOM killer would
    assert comparable([first, *results]) == expected


def die_on_poison(tasks: Sequence[AuditTask], options: AuditOptions) -> list[FileResult]:
    """A batch function whose process dies on one file (module level: the pool pickles it by name)."""
    if any("poison" in task.path for task in tasks):
        os._exit(3)
    return audit_batch(tasks, options)


def test_a_file_that_kills_its_worker_is_an_error_record_and_the_others_are_checked(services: Path) -> None:
    write(services / "a" / "svc05" / "poison" / "Dockerfile", GO_SERVICE)
    tasks = discover_tasks([str(services)])
    expected = comparable(list(run_local(tasks, AuditOptions(), jobs=1)))
    results = comparable(list(run_local(tasks, AuditOptions(), jobs=2, work=die_on_poison)))
    assert [result.path for result in results] == [task.path for task in tasks]
    poisoned = [index for index, task in enumerate(tasks) if "poison" in task.path]
    assert len(poisoned) == 1
    died = results[poisoned[0]]
    assert died.error is not None
    assert "worker process" in died.error
    assert not died.findings
    assert [r for i, r in enumerate(results) if i not in poisoned] == [
        r for i, r in enumerate(expected) if i not in poisoned
    ]


def test_files_that_cannot_be_checked_are_records_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = git_repository(tmp_path / "repo")
    write(root / "ok" / "Dockerfile")
    write(root / "binary" / "Dockerfile", b"FROM alpine\x00\x01\x02\n")
    write(root / "latin1" / "Dockerfile", "FROM alpine\nLABEL author=Jos\xe9\n".encode("latin-1"))
    write(root / "empty" / "Dockerfile", "")
    write(root / "huge" / "Dockerfile", "FROM alpine\n" + "# padding\n" * 520_000)  # over 5 MB
    (root / "fifo").mkdir()
    os.mkfifo(root / "fifo" / "Dockerfile")
    (root / "dir" / "Dockerfile").mkdir(parents=True)  # a directory named Dockerfile is walked, not read
    code, records = audit_records(capsys, root, "-j", "2")
    assert code == 2  # the report is complete, and the exit code says it has holes
    errors = {Path(record["path"]).parent.name: record["error"] for record in records}
    assert set(errors) == {"binary", "latin1", "empty", "huge", "fifo"}
    assert "binary" in errors["binary"]
    assert "UTF-8" in errors["latin1"]
    assert "empty" in errors["empty"]
    assert "too large" in errors["huge"]
    assert "regular file" in errors["fifo"]
    write(root / "ok" / "Dockerfile", ADD_FILE)
    code, records = audit_records(capsys, root, "-j", "2", "--exit-zero")
    assert code == 2  # --exit-zero is about findings, not files left unchecked
    assert {record.get("code") for record in records if "error" not in record} == {"LS503", "LS502"}


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else False, reason="root reads any file")
def test_an_unreadable_file_is_an_error_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    write(root / "Dockerfile", ADD_FILE)
    locked = write(root / "locked" / "Dockerfile")
    locked.chmod(0)
    try:
        code, records = audit_records(capsys, root)
    finally:
        locked.chmod(0o644)
    assert code == 2
    assert [record["error"] for record in records if "error" in record] == [f"{locked}: permission denied"]


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
@pytest.mark.parametrize("output_format", ["json", "jsonl", "sarif", "summary"])
def test_a_file_name_that_is_not_utf8_is_checked_and_every_output_can_write_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    """An old repository's Latin-1 directory name: the file is checked and shown with U+FFFD for the byte."""
    root = tmp_path / "repo"
    latin1 = Path(os.fsdecode(bytes(root) + b"/caf\xe9"))
    write(latin1 / "Dockerfile", ADD_FILE)
    write(latin1 / "Dockerfile.empty", "")  # an error record: the summary lists it by path
    write(root / "ok" / "Dockerfile", ADD_FILE)
    report, html = tmp_path / "report", tmp_path / "report.html"
    code, out, err = audit(capsys, root, "-j", "2", "--output-format", output_format, "-o", report, "--html", html)
    assert (code, out, err) == (2, "", "")  # 2: the empty file could not be checked
    text = report.read_text(encoding="utf-8")
    assert "caf\ufffd" in text
    assert "caf\ufffd" in html.read_text(encoding="utf-8")


# --- the same answers as `lintslim check` ----------------------------------------------------------


def positions(records: list[dict[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    keyed: dict[str, list[tuple[Any, ...]]] = {}
    for record in records:
        if "code" in record:
            spot = (record["code"], record["line"], record["column"], record["end_line"], record["end_column"])
            keyed.setdefault(record["path"], []).append(spot)
    return keyed


def test_findings_are_those_of_check(services: Path, tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for root in (services, tree):
        paths = [task.path for task in discover_tasks([str(root)])]
        main(["check", "--output-format", "json", *paths])
        checked = json.loads(capsys.readouterr().out)
        _, audited = audit_records(capsys, root, "-j", "2")
        assert positions(audited) == positions(checked)
        assert [(r["path"], r["message"], r["fix"]) for r in audited] == [
            (r["path"], r["message"], r["fix"]) for r in checked
        ]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=SKIP_REASON)
def test_findings_on_corpus_repositories_are_those_of_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = build_tree(tmp_path / "corpus", repositories=3, files_per_repository=15)
    paths = [task.path for task in discover_tasks([str(root)])]
    main(["check", "--output-format", "json", *paths])
    checked = json.loads(capsys.readouterr().out)
    _, audited = audit_records(capsys, root, "-j", "2")
    assert positions(audited) == positions(checked)


# --- --fix ------------------------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(path.relative_to(root)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.parts
    }


def contents(root: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in snapshot(root).items()}


def test_without_fix_no_file_changes(services: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(services)
    code, _, _ = audit(capsys, services, "-j", "2")
    assert code == 1
    assert snapshot(services) == before


def test_fix_writes_what_check_fix_writes(services: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    by_check = tmp_path / "by-check"
    shutil.copytree(services, by_check, symlinks=True)
    before = contents(services)
    options = ("--fix", "--unsafe-fixes", "--output-format", "json")
    main(["check", *options, str(by_check)])
    capsys.readouterr()
    code, out, err = audit(capsys, services, *options, "-j", "2")
    after = contents(services)
    assert after == contents(by_check)
    assert after != before
    created = sorted(set(after) - set(before))
    assert created == [f"a/svc{index:02}/.dockerignore" for index in range(20)]
    assert json.loads(out) == []  # every finding here has a fix, safe or unsafe
    assert code == 0
    assert err == (
        "lintslim: --fix applied 160 fixes (LS101 20, LS106 20, LS501 20, LS502 40, LS503 40, LS504 20); "
        "40 files written, 20 files created\n"
    )


def test_fix_in_parallel_never_races_over_a_shared_build_context(tmp_path: Path) -> None:
    """Two Dockerfiles of one directory share its build context: the first one's fix creates the
    `.dockerignore` the second one then reads, as `check --fix` does it, in one process or two."""
    root = git_repository(tmp_path / "pairs")
    for index in range(24):  # 48 files: batches of 3, which would split the pairs
        for name in ("Dockerfile", "Dockerfile.debug"):
            write(root / f"svc{index:02}" / name, GO_SERVICE)
        write(root / f"svc{index:02}" / ".env", "TOKEN=1\n")
    tasks = discover_tasks([str(root)])
    totals = AuditTotals()
    for result in run_local(tasks, AuditOptions(Overrides(unsafe_fixes=True), fix=True), jobs=2):
        totals.add(result)
    assert totals.problems == []
    assert len(totals.created) == 24
    assert totals.fixed["LS106"] == 24  # the second file of each pair found the first one's .dockerignore


def test_fix_summary_says_what_changed(services: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tasks = discover_tasks([str(services)])
    totals = AuditTotals()
    options = AuditOptions(Overrides(unsafe_fixes=True), fix=True)
    for result in run_local(tasks, options, jobs=2):
        totals.add(result)
    assert len(totals.written) == 40
    assert sorted(totals.created) == sorted(str(services / "a" / f"svc{i:02}" / ".dockerignore") for i in range(20))
    assert totals.fixed["LS503"] == 40
    assert totals.problems == []


# --- progress and Ctrl-C ----------------------------------------------------------------------------


def test_progress_only_on_request_when_not_a_terminal(services: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = audit(capsys, services, "-j", "1", "--output-format", "jsonl")
    assert err == ""  # standard error is not a terminal here
    _, _, err = audit(capsys, services, "-j", "1", "--output-format", "jsonl", "--progress")
    assert "40/40" in err
    assert "files/s" in err
    assert "services/b" in err  # the repository last checked


def wait_until_blocked_and_idle(pid: int) -> None:
    """Until the audit waits on its full output pipe and its workers on their queue (Linux's /proc).

    A worker interrupted while it waits for work is the case that printed a traceback per worker.
    """
    proc = Path("/proc") / str(pid)
    if not (proc / "wchan").exists():
        return
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = (proc / "task" / str(pid) / "children").read_text().split()
        states = [_state(child) for child in children]
        if "pipe_write" in (proc / "wchan").read_text() and children and set(states) == {"S"}:
            return
        time.sleep(0.05)


def _state(pid: str) -> str:
    try:
        return (Path("/proc") / pid / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_ctrl_c_stops_the_pool_and_exits_130_without_a_traceback(services: Path) -> None:
    for index in range(20, 200):  # enough findings that the output cannot all fit in a pipe's buffer
        write(services / "a" / f"svc{index:03}" / "Dockerfile", GO_SERVICE)
    process = subprocess.Popen(
        [sys.executable, "-m", "lintslim", "audit", str(services), "-j", "2", "--output-format", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, which Ctrl-C on a terminal signals as a whole
    )
    assert process.stdout is not None
    assert process.stdout.readline()  # the run is under way; it will block on the full pipe
    wait_until_blocked_and_idle(process.pid)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert b"Traceback" not in err


# --- a corpus tree ----------------------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason=SKIP_REASON)
def test_every_file_of_ten_corpus_repositories_gets_a_record_and_totals_add_up(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "corpus", repositories=10, files_per_repository=12)
    tasks = discover_tasks([str(root)])
    assert len({task.repository for task in tasks}) == 10
    totals = AuditTotals()
    paths = []
    for result in run_local(tasks, AuditOptions(), jobs=2):
        totals.add(result)
        paths.append(result.path)
    assert paths == [task.path for task in tasks]
    assert totals.files == len(tasks)
    assert totals.checked + len(totals.errors) + totals.excluded == totals.files
    assert sum(r.files + r.errors for r in totals.repositories.values()) == totals.checked + len(totals.errors)
    assert sum(r.findings for r in totals.repositories.values()) == totals.findings
    assert sum(totals.by_family.values()) == sum(totals.by_severity.values()) == totals.findings
    assert sum(rule.findings for rule in totals.rules.values()) == totals.findings
    assert len(totals.rows) == totals.checked + len(totals.errors)


@pytest.mark.parametrize("output", ["missing/report.json", "."])
def test_an_output_file_that_cannot_be_written_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str
) -> None:
    write(tmp_path / "repo" / "Dockerfile", ADD_FILE)
    code, out, err = audit(capsys, tmp_path / "repo", "-j", "1", "-o", tmp_path / output)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"lintslim: error: {tmp_path / output}: cannot write the report")


def test_a_config_given_that_cannot_be_read_is_a_usage_error_not_a_record_per_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "repo" / "Dockerfile", ADD_FILE)
    write(tmp_path / "bad.yaml", "select: [LS999]\n")
    for config in (tmp_path / "missing.yaml", tmp_path / "bad.yaml"):
        code, out, err = audit(capsys, tmp_path / "repo", "-j", "1", "--config", config)
        assert (code, out) == (2, "")
        assert err.startswith(f"lintslim: error: {config}")
        assert err.count("\n") == 1


def test_each_run_reads_the_config_files_afresh(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A process that audits twice (a library user, a test) sees a config edited in between."""
    repository = tmp_path / "repo"
    write(repository / "Dockerfile", ADD_FILE)
    write(repository / "svc" / "Dockerfile", ADD_FILE)  # two files: `-j 2` runs a pool (forked from this process)
    for jobs in ("1", "2"):
        config = write(repository / ".lintslim.yaml", "ignore: []\n")
        _, before = audit_records(capsys, repository, "-j", jobs)
        config.write_text("ignore: [LS503]\n", encoding="utf-8")
        _, after = audit_records(capsys, repository, "-j", jobs)
        assert "LS503" in {record["code"] for record in before}
        assert "LS503" not in {record["code"] for record in after}


def test_an_html_report_that_cannot_be_written_stops_the_audit_before_it_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "Dockerfile").write_text("FROM alpine:3.20\n")
    assert main(["audit", str(root), "--no-progress", "--html", str(tmp_path / "missing" / "report.html")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing ran: no summary was printed
    assert captured.err.count("\n") == 1
    assert "cannot write the HTML report: no directory" in captured.err


def test_templates_are_left_out_of_walks_but_checked_when_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docker-library's `Dockerfile.template` is a jq template, not a Dockerfile: walks pass over it."""
    repository = git_repository(tmp_path / "repo")
    write(repository / "Dockerfile")
    template = write(repository / "Dockerfile-alpine.template", "FROM alpine:{{ .version }}\n{{ if .x }}\n")
    write(repository / "Dockerfile.j2", "FROM {{ base }}\n{% for p in packages %}\n")
    assert found(repository) == [(str(repository), "Dockerfile")]
    assert main(["check", "--output-format", "concise", str(repository)]) == 0
    assert main(["check", "--output-format", "concise", str(template)]) == 1  # named: checked as it is
    assert "LS900" in capsys.readouterr().out


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_without_shellcheck_the_audit_says_so_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    root = git_repository(tmp_path / "repo")
    write(root / "pyproject.toml", '[tool.lintslim.rules.LS590]\nexecutable = "/nonexistent/shellcheck"\n')
    for index in range(6):
        write(root / f"svc{index}" / "Dockerfile", "FROM alpine:3.20\nRUN echo $HOME\n")
    code, out, err = audit(capsys, root, "--select", "LS590", "--output-format", "json", "-j", jobs)
    assert (code, json.loads(out)) == (0, [])
    assert err.count("ShellCheck was not found") == 1
    _, _, quiet = audit(capsys, root, "--ignore", "LS590", "--output-format", "json", "-j", jobs)
    assert "ShellCheck" not in quiet

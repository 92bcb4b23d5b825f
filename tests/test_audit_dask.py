"""`lintslim audit --engine dask`: the same records as the local pool, from a real Dask `LocalCluster`.

One cluster (two single-threaded worker processes) serves the module.  The audits run in a
subprocess, the way users run them, so that the local pool's fork never copies the cluster's threads
and standard error shows everything a user would see (one line on an error, never a traceback).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed (lintslim[dask])")

from corpus_tree import CORPUS, SKIP_REASON, build_tree  # noqa: E402
from test_redaction import DOCKERFILE as SECRET_DOCKERFILE  # noqa: E402
from test_redaction import SECRETS  # noqa: E402

from lintslim.audit.dask_engine import QUIET_SCHEDULER, _check_workers, _collected, run_dask  # noqa: E402
from lintslim.audit.model import AuditOptions, AuditTask  # noqa: E402
from lintslim.cli import main  # noqa: E402
from lintslim.files import InputError  # noqa: E402

REPOSITORIES = {
    "api/Dockerfile": "FROM python:3.12\nRUN pip install flask\nCOPY . /app\nCMD python /app/main.py\n",
    "api/Dockerfile.dev": "FROM python:3.12\nWORKDIR /app\nCOPY . .\nCMD python main.py\n",
    "api/main.py": "print('hello')\n",
    "api/docker/worker.Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n",
    "api/secrets/Dockerfile": SECRET_DOCKERFILE,
    "web/Dockerfile": "FROM node:20\nWORKDIR /app\nADD package.json /app/\nRUN npm install\nCMD npm start\n",
    "web/broken/Dockerfile": "FROM alpine:3.20\nRUN apk add curl \\\nONBUILD\n",
    "web/legacy/Dockerfile": "FRM ubuntu\nRUN apt-get update\n",
    "tools/Containerfile": (
        "FROM debian:12\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"
    ),
}


def write_tree(root: Path) -> Path:
    for relative, text in REPOSITORIES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "web/binary/Dockerfile").parent.mkdir(parents=True)
    (root / "web/binary/Dockerfile").write_bytes(b"FROM alpine\n\xff\xfe\x00\x00RUN true\n")
    for repository in ("api", "web", "tools"):
        (root / repository / ".git").mkdir()
    return root


def audit(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LINTSLIM_", "DASK_"))}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "lintslim", "audit", *map(str, args)],
        cwd=cwd, capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip


def records(completed: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    assert completed.returncode in (0, 1, 2), completed.stderr  # 2: a file could not be checked (a record)
    assert "Traceback" not in completed.stderr
    assert "Warning" not in completed.stderr
    parsed: list[dict[str, object]] = json.loads(completed.stdout)
    return parsed


def assert_same_audit(*args: str | Path, cwd: Path, scheduler: str) -> list[dict[str, object]]:
    local = audit(*args, "--output-format", "json", "-j", "2", cwd=cwd)
    dask = audit(*args, "--output-format", "json", "--engine", "dask", "--scheduler", scheduler, cwd=cwd)
    assert records(dask) == records(local)
    assert (dask.returncode, dask.stderr) == (local.returncode, local.stderr)
    return records(local)


def one_error_line(completed: subprocess.CompletedProcess[str]) -> str:
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("lintslim: error: ")
    return lines[0]


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, silence_logs=logging.ERROR, **QUIET_SCHEDULER
    ) as local_cluster:
        yield local_cluster


@pytest.fixture(scope="module")
def scheduler(cluster: distributed.LocalCluster) -> str:
    address: str = cluster.scheduler_address
    return address


@pytest.fixture
def client(scheduler: str) -> Iterator[distributed.Client]:
    with distributed.Client(scheduler, set_as_default=False) as connected:
        yield connected


def test_records_equal_the_local_pool(tmp_path: Path, scheduler: str) -> None:
    root = write_tree(tmp_path / "repos")
    found = assert_same_audit(root / "api", root / "web", root / "tools", cwd=tmp_path, scheduler=scheduler)
    assert {record["repository"] for record in found} == {str(root / "api"), str(root / "web")}
    errors = [record for record in found if "error" in record]
    assert [record["path"] for record in errors] == [str(root / "web/binary/Dockerfile")]
    assert any(record.get("code") == "LS900" for record in found)  # the file BuildKit would reject
    text = json.dumps(found)
    assert not [secret for secret in SECRETS if secret in text]


def test_relative_roots_from_another_directory(tmp_path: Path, scheduler: str) -> None:
    """The workers' working directory is not the command's: paths go absolute, and come back as given."""
    write_tree(tmp_path / "repos")
    (tmp_path / "lint.yaml").write_text("select: [hygiene, meta]\n", encoding="utf-8")
    found = assert_same_audit("repos/api", "./repos/web", "--config", "lint.yaml", cwd=tmp_path, scheduler=scheduler)
    assert not [record for record in found if Path(str(record["path"])).is_absolute()]
    errors = [str(record["path"]) for record in found if "error" in record]
    assert [Path(path) for path in errors] == [Path("repos/web/binary/Dockerfile")]


def test_corpus_repositories_equal_the_local_pool(tmp_path: Path, scheduler: str) -> None:
    if not CORPUS.is_dir():
        pytest.skip(SKIP_REASON)
    tree = build_tree(tmp_path / "corpus", files_per_repository=10)  # every repository, a few files each
    roots = sorted(path for path in tree.iterdir() if path.is_dir())
    found = assert_same_audit(*roots, cwd=tmp_path, scheduler=scheduler)
    assert len({record["repository"] for record in found}) > 10


def test_fix_writes_the_same_bytes(tmp_path: Path, scheduler: str) -> None:
    for side in ("local", "dask"):
        write_tree(tmp_path / side / "repos")
    engines = {"local": ("-j", "2"), "dask": ("--engine", "dask", "--scheduler", scheduler)}
    outputs = {
        side: audit(
            "repos/api", "repos/web", "--fix", "--unsafe-fixes", "--output-format", "json", *engine, cwd=tmp_path / side
        )
        for side, engine in engines.items()
    }
    assert records(outputs["dask"]) == records(outputs["local"])
    assert outputs["dask"].stderr == outputs["local"].stderr  # what --fix changed: the same counts
    local_files = snapshot(tmp_path / "local")
    assert local_files == snapshot(tmp_path / "dask")
    assert local_files["repos/web/Dockerfile"] != REPOSITORIES["web/Dockerfile"].encode()  # fixes were written
    assert "repos/api/.dockerignore" in local_files  # and a file created (by the first of the directory's two)


def test_a_config_edited_between_two_audits_is_read_afresh(tmp_path: Path, scheduler: str) -> None:
    """The cluster's workers outlive an audit: they must not keep the settings it loaded."""
    write_tree(tmp_path / "repos")
    config = tmp_path / "repos/web/.lintslim.yaml"
    config.write_text("select: [hygiene, meta]\n", encoding="utf-8")
    before = assert_same_audit("repos/web", cwd=tmp_path, scheduler=scheduler)
    config.write_text("select: [LS503]\n", encoding="utf-8")
    after = assert_same_audit("repos/web", cwd=tmp_path, scheduler=scheduler)
    assert {record.get("code") for record in before} >= {"LS502", "LS503", "LS900"}
    assert {record.get("code") for record in after if "error" not in record} == {"LS503"}


def snapshot(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def test_without_a_scheduler_a_local_cluster_is_started(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repos")
    local = audit(root / "api", "--output-format", "json", "-j", "2", cwd=tmp_path)
    dask = audit(root / "api", "--output-format", "json", "--engine", "dask", cwd=tmp_path)
    assert records(dask) == records(local)


def test_ctrl_c_stops_the_local_cluster_quietly(tmp_path: Path) -> None:
    """Ctrl-C on a terminal reaches the whole process group, the cluster's worker processes too."""
    for n in range(1500):
        write_tree_file(tmp_path / "repos" / f"service{n}" / "Dockerfile", REPOSITORIES["web/Dockerfile"])
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LINTSLIM_", "DASK_"))}
    command = [sys.executable, "-m", "lintslim", "audit", "repos", "--engine", "dask", "--output-format", "jsonl"]
    with subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    ) as audit_process:
        assert audit_process.stdout is not None and audit_process.stderr is not None
        assert audit_process.stdout.readline()  # results are arriving: the cluster is at work
        os.killpg(audit_process.pid, signal.SIGINT)
        stderr = audit_process.stderr.read().decode()
        assert audit_process.wait(timeout=60) == 130
    assert stderr == ""
    deadline = time.monotonic() + 30
    while group_alive(audit_process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not group_alive(audit_process.pid)


def write_tree_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_an_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repos")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    line = one_error_line(
        audit(root / "api", "--engine", "dask", "--scheduler", f"tcp://127.0.0.1:{port}", cwd=tmp_path)
    )
    assert "no Dask scheduler answered" in line


def test_a_scheduler_without_workers_is_one_line(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repos")
    with distributed.LocalCluster(n_workers=0, silence_logs=logging.ERROR, **QUIET_SCHEDULER) as empty:
        completed = audit(root / "api", "--engine", "dask", "--scheduler", empty.scheduler_address, cwd=tmp_path)
    assert "the scheduler has no worker" in one_error_line(completed)


@pytest.mark.parametrize(
    "address", ["nonsense://host:8786", "tcp://host-without-port", "tcp://no-such-host.invalid:8786"]
)
def test_a_bad_scheduler_address_is_one_line(tmp_path: Path, address: str) -> None:
    root = write_tree(tmp_path / "repos")
    line = one_error_line(audit(root / "api", "--engine", "dask", "--scheduler", address, cwd=tmp_path))
    assert f"--scheduler {address}:" in line


def test_scheduler_needs_the_dask_engine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_tree(tmp_path / "repos")
    assert main(["audit", str(root / "api"), "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    assert "--scheduler needs --engine dask" in capsys.readouterr().err


def test_without_distributed_the_error_names_the_extra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "repos")
    monkeypatch.setitem(sys.modules, "distributed", None)  # what `import distributed` meets when it is absent
    assert main(["audit", str(root / "api"), "--engine", "dask"]) == 2
    assert "pip install 'lintslim[dask]'" in capsys.readouterr().err


def test_workers_that_cannot_see_the_files_are_refused(client: distributed.Client, scheduler: str) -> None:
    with pytest.raises(InputError, match=r"2 of 2 Dask workers .* cannot see .*a shared filesystem"):
        _check_workers(client, scheduler, "/no/such/directory/Dockerfile")


def test_a_failed_batch_becomes_error_records(client: distributed.Client) -> None:
    batch = [AuditTask("a/Dockerfile", "a", "Dockerfile"), AuditTask("b/Dockerfile", "b", "Dockerfile")]
    failing = client.submit(divmod, 1, 0, pure=False)  # raises on the worker, as a lost batch would
    results = _collected(batch, failing)
    assert [(result.path, result.error) for result in results] == [
        (task.path, f"{task.path}: not checked: its batch failed on the Dask cluster (ZeroDivisionError)")
        for task in batch
    ]


def test_stopping_early_leaves_nothing_running(tmp_path: Path, cluster: distributed.LocalCluster) -> None:
    tree = write_tree(tmp_path / "repos")
    many = [AuditTask(str(tree / "api/Dockerfile"), "api", f"copy{n}") for n in range(400)]
    results = run_dask(many, AuditOptions(), cluster.scheduler_address)
    assert next(results).path == str(tree / "api/Dockerfile")
    results.close()  # what Ctrl-C does to the consumer: the generator's cleanup cancels and disconnects
    deadline = time.monotonic() + 30
    while cluster.scheduler.tasks and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not cluster.scheduler.tasks


def test_jobs_with_a_scheduler_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_tree(tmp_path / "repos")
    arguments = ["audit", str(root / "api"), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:8786", "-j", "2"]
    assert main(arguments) == 2
    assert "--jobs sizes the local pool or cluster" in capsys.readouterr().err

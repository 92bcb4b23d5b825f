"""The language server under abuse (issue 8): malformed JSON-RPC, bursts of changes, huge documents.

These tests talk to `python -m lintslim server` over raw pipes, byte for byte, so they can send
what no well-behaved client library would: broken headers, bodies that are not JSON, params of the
wrong types.  After each, the server must still answer, print no traceback, and exit cleanly.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

pytest.importorskip("pygls", reason="the language server needs pygls (pip install 'lintslim[lsp]')")

from lintslim.files import MAX_DOCKERFILE_BYTES
from lintslim.lsp.analysis import is_config_file
from lintslim.lsp.wire import FrameReader, OneLineFormatter, content_length

WAIT_SECONDS = 120.0  # generous: the machine is shared; a healthy server answers in well under a second
Message = dict[str, Any]


class RawServer:
    """`lintslim server` in a subprocess, spoken to in raw bytes; what it sends is parsed on a thread."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lintslim", "server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
        assert self.process.stdin is not None and self.process.stdout is not None and self.process.stderr is not None
        self.stdin: IO[bytes] = self.process.stdin
        self.inbox: queue.Queue[Message | None] = queue.Queue()
        self.received: list[Message] = []  # every message, in order, once taken from the inbox
        self.stderr: list[str] = []
        self.next_id = 0
        threading.Thread(target=self._read_stdout, args=(self.process.stdout,), daemon=True).start()
        threading.Thread(target=self._read_stderr, args=(self.process.stderr,), daemon=True).start()

    def _read_stdout(self, stdout: IO[bytes]) -> None:
        reader = FrameReader(stdout)
        while (body := reader.next_body()) is not None:
            self.inbox.put(json.loads(body))
        self.inbox.put(None)

    def _read_stderr(self, stderr: IO[bytes]) -> None:
        for line in stderr:
            self.stderr.append(line.decode("utf-8", "replace"))

    def send_bytes(self, data: bytes) -> None:
        self.stdin.write(data)
        self.stdin.flush()

    def send(self, message: Message) -> None:
        body = json.dumps(message).encode("utf-8")
        self.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def ask(self, method: str, params: Any) -> int:
        """Send a request without waiting; its id."""
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id

    def request(self, method: str, params: Any) -> Message:
        """The response (a `result` or an `error`) to a request."""
        return self.answer(self.ask(method, params))

    def answer(self, request_id: int) -> Message:
        return self.wait_for(lambda m: m.get("id") == request_id and "method" not in m, f"an answer to {request_id}")

    def wait_for(self, wanted: Callable[[Message], bool], what: str) -> Message:
        for seen in self.received:
            if wanted(seen):
                return seen
        deadline = time.monotonic() + WAIT_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self.inbox.get(timeout=left)
            except queue.Empty:
                break
            if message is None:
                raise AssertionError(f"the server closed its output before {what}; stderr: {self.stderr[-5:]}")
            self.received.append(message)
            if wanted(message):
                return message
        raise AssertionError(f"no {what} within {WAIT_SECONDS} s")

    def published(self, uri: str, version: int | None) -> Message:
        """The (first) publishDiagnostics for this version of the document."""
        return self.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and m["params"].get("version") == version
            ),
            f"diagnostics for {uri} version {version}",
        )

    def publications(self, uri: str) -> list[Message]:
        """The publishDiagnostics received so far (taken from the inbox) for a document."""
        self.drain()
        return [
            m["params"]
            for m in self.received
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
        ]

    def drain(self) -> None:
        while True:
            try:
                message = self.inbox.get_nowait()
            except queue.Empty:
                return
            if message is not None:
                self.received.append(message)

    def initialize(self, root: Path, options: Message | None = None) -> None:
        params = {"processId": None, "rootUri": root.as_uri(), "capabilities": {}, "initializationOptions": options}
        assert "result" in self.request("initialize", params)
        self.notify("initialized", {})

    def open(self, path: Path, text: str, version: int = 1) -> str:
        uri = path.as_uri()
        item = {"uri": uri, "languageId": "dockerfile", "version": version, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": item})
        return uri

    def change(self, uri: str, version: int, text: str) -> None:
        params = {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}
        self.notify("textDocument/didChange", params)

    def hover(self, uri: str, line: int, character: int) -> Message:
        position = {"line": line, "character": character}
        return self.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position})

    def tracebacks(self) -> list[str]:
        return [line for line in self.stderr if "Traceback" in line or line.startswith("  File ")]

    def stop(self) -> int:
        """`shutdown`, `exit`, and the exit status."""
        assert self.request("shutdown", None).get("result", "missing") is None
        self.notify("exit", None)
        return self.process.wait(timeout=WAIT_SECONDS)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


FINDINGS = "FROM python:3.12\nWORKDIR app\nADD app.py /app/\nCMD python /app/app.py\n"


def serving(tmp_path: Path, options: Message | None = None, env: dict[str, str] | None = None) -> Iterator[RawServer]:
    server = RawServer(env)
    try:
        server.initialize(tmp_path, options)
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("abuse")


@pytest.fixture(scope="module")
def server(workspace: Path) -> Iterator[RawServer]:
    """One server for the abuse tests: each leaves it to the next, which checks it still works."""
    yield from serving(workspace, {"debounceMs": 50})


@pytest.fixture(scope="module")
def probe(server: RawServer, workspace: Path) -> str:
    """An open Dockerfile with an LS503 finding on line 2, to ask a hover about."""
    path = workspace / "probe" / "Dockerfile"
    path.parent.mkdir()
    path.write_text(FINDINGS, encoding="utf-8")
    uri = server.open(path, FINDINGS)
    server.published(uri, 1)
    return uri


def assert_still_serving(server: RawServer, probe: str) -> None:
    hover = server.hover(probe, 2, 1)
    assert "LS503" in hover["result"]["contents"]["value"]
    assert server.process.poll() is None
    assert server.tracebacks() == []


# --- framing and JSON ----------------------------------------------------------------------------

MALFORMED = {
    "content-length-not-a-number": b"Content-Length: abc\r\n\r\n{}",
    "content-length-negative": b"Content-Length: -5\r\n\r\n",
    "content-length-too-short": b'Content-Length: 5\r\n\r\n{"jsonrpc": "2.0", "method": "x"}',
    "content-length-too-long": b'Content-Length: 60\r\n\r\n{"jsonrpc": "2.0", "method": "x"}',
    "content-length-absurd": b"Content-Length: 99999999999999\r\n\r\n{}",
    "no-content-length": b"Content-Type: application/json\r\n\r\n{}",
    "header-lines-without-cr": b"Content-Length: 2\n\n{}",
    "body-not-json": b"Content-Length: 9\r\n\r\nnot json!",
    "body-not-utf8": b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc",
    "json-array": b"Content-Length: 7\r\n\r\n[1,2,3]",
    "json-number": b"Content-Length: 2\r\n\r\n42",
    "object-without-jsonrpc": b'Content-Length: 12\r\n\r\n{"method":1}',
    "method-not-a-string": b'Content-Length: 37\r\n\r\n{"jsonrpc":"2.0","id":99,"method":[]}',
    "jsonrpc-version-1": b'Content-Length: 40\r\n\r\n{"jsonrpc":"1.0","method":"initialized"}',
}


@pytest.mark.parametrize("data", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_frames_are_skipped_and_the_next_message_is_read(server: RawServer, probe: str, data: bytes) -> None:
    server.send_bytes(data)
    assert_still_serving(server, probe)


def test_an_unknown_method_is_answered_with_method_not_found(server: RawServer, probe: str) -> None:
    answer = server.request("lintslim/noSuchThing", {})
    assert answer["error"]["code"] == -32601
    server.notify("lintslim/noSuchNotification", {})
    assert_still_serving(server, probe)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"textDocument": {"uri": "x"}, "position": {"line": -1, "character": -5}}, id="negative"),
        pytest.param({"textDocument": {"uri": "x"}, "position": "top"}, id="position-a-string"),
        pytest.param({"textDocument": 7}, id="no-position"),
        pytest.param([1, 2], id="params-an-array"),
    ],
)
def test_a_request_with_params_of_the_wrong_shape_gets_an_error_answer(
    server: RawServer, probe: str, params: Any
) -> None:
    answer = server.request("textDocument/hover", params)  # pygls dropped these: the client waited for ever
    assert answer["error"]["code"] == -32602
    assert_still_serving(server, probe)


def test_positions_far_out_of_range_are_clamped(server: RawServer, probe: str) -> None:
    assert server.hover(probe, 10**9, 10**9) == {"id": server.next_id, "jsonrpc": "2.0", "result": None}
    far = {"line": 10**9, "character": 10**9}
    whole = {"start": {"line": 0, "character": 0}, "end": far}
    actions = server.request(
        "textDocument/codeAction", {"textDocument": {"uri": probe}, "range": whole, "context": {"diagnostics": []}}
    )
    assert "Fix LS503: Replace `ADD` with `COPY`" in [action["title"] for action in actions["result"]]
    assert_still_serving(server, probe)


def test_notifications_that_do_not_fit_are_ignored(server: RawServer, probe: str, workspace: Path) -> None:
    server.change((workspace / "never-opened" / "Dockerfile").as_uri(), 2, "FROM alpine\n")
    server.notify("textDocument/didOpen", {"textDocument": {"uri": 5, "languageId": "dockerfile", "version": 1}})
    item = {"uri": (workspace / "null" / "Dockerfile").as_uri(), "languageId": "dockerfile", "version": "one"}
    server.notify("textDocument/didOpen", {"textDocument": {**item, "text": None}})
    server.notify("textDocument/didClose", {"textDocument": {"uri": None}})
    assert_still_serving(server, probe)


def test_a_20_mb_message_is_read_and_its_document_is_too_large(server: RawServer, probe: str, workspace: Path) -> None:
    text = "FROM alpine\nRUN echo " + "x" * 20_000_000 + "\n"
    uri = server.open(workspace / "twenty" / "Dockerfile", text)
    [problem] = server.published(uri, 1)["params"]["diagnostics"]
    assert "too large" in problem["message"] and f"{MAX_DOCKERFILE_BYTES >> 20} MiB" in problem["message"]
    assert problem["range"]["start"] == {"line": 0, "character": 0}
    assert_still_serving(server, probe)


# --- huge documents ------------------------------------------------------------------------------


def test_a_huge_document_does_not_block_requests_about_others(server: RawServer, probe: str, workspace: Path) -> None:
    """A 1 MB line takes seconds to check: the lint runs off the event loop, so a hover on another
    document is answered before the big one's diagnostics come (and they do come)."""
    ten_mb = "FROM alpine\n" + "RUN echo hello world\n" * 500_000
    big = server.open(workspace / "ten" / "Dockerfile", ten_mb)
    [problem] = server.published(big, 1)["params"]["diagnostics"]
    assert "too large" in problem["message"]

    one_line = "FROM alpine:3.20\nRUN echo " + "x" * 1_000_000 + "\n"
    long_line = server.open(workspace / "line" / "Dockerfile", one_line)
    hover_id = server.ask(
        "textDocument/hover", {"textDocument": {"uri": probe}, "position": {"line": 2, "character": 1}}
    )
    server.answer(hover_id)
    answered_at = len(server.received)
    server.published(long_line, 1)
    published_at = next(
        index
        for index, message in enumerate(server.received)
        if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == long_line
    )
    assert answered_at <= published_at  # the hover's answer came first
    assert_still_serving(server, probe)


def test_the_abused_server_exits_cleanly(server: RawServer, probe: str) -> None:
    assert_still_serving(server, probe)
    assert server.stop() == 0
    assert server.tracebacks() == []
    assert all(line.startswith("lintslim server: ") for line in server.stderr), server.stderr


def test_a_header_then_the_end_of_input_ends_the_server_quietly(tmp_path: Path) -> None:
    server = RawServer()
    try:
        server.initialize(tmp_path)
        server.send_bytes(b"Content-Length: 50\r\n\r\n")
        server.stdin.close()
        assert server.process.wait(timeout=WAIT_SECONDS) == 0
        assert server.tracebacks() == []
    finally:
        server.kill()


def test_exit_without_shutdown_is_status_1(tmp_path: Path) -> None:
    for server in serving(tmp_path):
        server.notify("exit", None)
        assert server.process.wait(timeout=WAIT_SECONDS) == 1


# --- bursts of changes ---------------------------------------------------------------------------


def test_a_burst_of_changes_is_linted_once_at_its_last_version(tmp_path: Path) -> None:
    """500 changes, then a hover: the hover lints the newest text once, and publishes it; no lint of
    the 499 texts before it runs (the debounce is long enough that only the hover can start one)."""
    for server in serving(tmp_path, {"debounceMs": 600_000}):
        path = tmp_path / "Dockerfile"
        uri = server.open(path, FINDINGS)
        server.published(uri, 1)
        texts = {version: FINDINGS.replace("app.py", f"app{version}.py") for version in range(2, 502)}
        for version, text in texts.items():
            server.change(uri, version, text)
        hover = server.hover(uri, 2, 1)
        assert "`ADD` used for local file: app501.py" in hover["result"]["contents"]["value"]

        last = server.published(uri, 501)
        assert [p["version"] for p in server.publications(uri)] == [1, 501]
        assert {d["code"] for d in last["params"]["diagnostics"]} >= {"LS501", "LS502", "LS503"}


def test_a_burst_with_a_short_debounce_ends_with_the_last_version(tmp_path: Path) -> None:
    for server in serving(tmp_path, {"debounceMs": 20}):
        path = tmp_path / "Dockerfile"
        uri = server.open(path, FINDINGS)
        server.published(uri, 1)
        for version in range(2, 502):
            server.change(uri, version, FINDINGS.replace("app.py", f"app{version}.py"))
        server.published(uri, 501)
        assert server.stop() == 0
        versions = [p["version"] for p in server.publications(uri)]
        assert versions[-1] == 501 and versions == sorted(versions)  # never an older version after a newer


# --- ShellCheck missing, said once --------------------------------------------------------------


def test_a_missing_shellcheck_is_said_once_per_server(tmp_path: Path) -> None:
    for server in serving(tmp_path, env={"LINTSLIM_SHELLCHECK": str(tmp_path / "no-shellcheck")}):
        for name in ("one", "two"):
            path = tmp_path / name / "Dockerfile"
            path.parent.mkdir()
            uri = server.open(path, "FROM alpine:3.20\nRUN cd /opt; echo $x\n")
            server.published(uri, 1)
        server.hover(uri, 1, 1)  # anything after the second lint: its notice would have come before
        notices = [
            m["params"]
            for m in server.received
            if m.get("method") in ("window/showMessage", "window/logMessage") and "ShellCheck" in m["params"]["message"]
        ]
        assert len(notices) == 1
        assert notices[0]["type"] == 3  # Info
        assert "SC checks" in notices[0]["message"]


# --- units -------------------------------------------------------------------------------------


def test_hadolint_configs_are_config_files(tmp_path: Path) -> None:
    for name in (".hadolint.yaml", ".hadolint.yml", ".lintslim.yaml", "pyproject.toml"):
        assert is_config_file((tmp_path / name).as_uri())
    assert not is_config_file((tmp_path / "hadolint.yaml").as_uri())
    assert not is_config_file("untitled:.hadolint.yaml")


@pytest.mark.parametrize(
    ("header", "length"),
    [
        (b"Content-Length: 12", 12),
        (b"content-length:7\r\nContent-Type: x", 7),
        (b'garbage}{"x": 1}Content-Length: 30', 30),
        (b"Content-Length: 3\r\nContent-Length: 4", 4),
        (b"Content-Length: abc", None),
        (b"Content-Length: -1", None),
        (b"", None),
    ],
)
def test_content_length(header: bytes, length: int | None) -> None:
    assert content_length(header) == length


class Trickle:
    """A stream that gives at most `step` bytes a read, as a pipe may."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step = data, step

    def read1(self, size: int) -> bytes:
        chunk, self.data = self.data[: min(size, self.step)], self.data[min(size, self.step) :]
        return chunk

    def read(self, size: int) -> bytes:
        chunk, self.data = self.data[:size], self.data[size:]
        return chunk


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


@pytest.mark.parametrize("step", [1, 3, 64, 1 << 20])
def test_frame_reader_finds_frames_after_damage(step: int) -> None:
    garbage = b"x" * 100_000  # longer than any header: dropped, all but its tail
    stream = frame(b'{"a": 1}') + b"Content-Length: nope\r\n\r\n" + garbage + frame(b'{"b": 2}') + frame(b"[]")
    reader = FrameReader(Trickle(stream, step))  # type: ignore[arg-type]  # reads like a pipe
    assert [reader.next_body() for _ in range(4)] == [b'{"a": 1}', b'{"b": 2}', b"[]", None]


def test_log_lines_are_one_line_without_document_text() -> None:
    secret = "FROM alpine\nENV TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n"
    try:
        raise KeyError(secret)
    except KeyError:
        failure = sys.exc_info()
    record = logging.LogRecord("pygls", logging.ERROR, "x", 1, "Failed %r: %s", ("didOpen", secret), failure)
    assert OneLineFormatter().format(record) == "lintslim server: error: Failed 'didOpen': <…> (KeyError)"

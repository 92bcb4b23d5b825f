"""The audit's HTML report, written by the real `lintslim audit --html` and rendered in headless Chromium.

Chromium (Debian's `chromium`) is driven over the DevTools protocol on a pipe
(`--remote-debugging-pipe`: commands on its fd 3, replies and events on its fd 4, each message JSON
ended by a NUL byte), with a small client below: stdlib only, no Selenium or Playwright.  The tests
evaluate JavaScript in the loaded page (count the drawn charts and rows, click a header, read the
first row) and collect what the page logged and every request it made.  They skip when Chromium is
not installed (`.ci/run` installs it).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from corpus_tree import CORPUS, SKIP_REASON, build_tree
from test_redaction import DOCKERFILE as SECRET_DOCKERFILE
from test_redaction import SECRETS

from lintslim.analysis.savings import ImageProfile, Saving
from lintslim.audit.aggregate import AuditTotals
from lintslim.audit.html import render_html, write_html_report
from lintslim.audit.model import FileResult, Finding
from lintslim.cli import main
from lintslim.files import is_dockerfile_name

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-pipe",
)  # fmt: skip
DOCS = "https://github.com/lintslim/lintslim/blob/main/"
EVIL_NAME = '<img src=x onerror="window.pwned=1">'  # a directory name: no `/` in it, but markup


# --- a DevTools client over a pipe -----------------------------------------------------------------


class DevToolsError(Exception):
    pass


@dataclass
class Chromium:
    """One headless Chromium, spoken to over `--remote-debugging-pipe`."""

    process: subprocess.Popen[bytes]
    commands: int  # our end of the pipe Chromium reads as fd 3
    replies: int  # our end of the pipe Chromium writes as fd 4
    events: list[dict[str, Any]] = field(default_factory=list)
    buffer: bytes = b""
    last_id: int = 0

    @classmethod
    def start(cls, profile: Path) -> Chromium:
        assert CHROMIUM is not None
        to_browser, from_browser = os.pipe(), os.pipe()
        # bash (dash takes one-digit fds only) puts the pipes on fds 3 and 4, where Chromium looks, and execs it.
        wrapper = 'exec "$0" "$@" 3<&"$LS_IN" 4>&"$LS_OUT"'
        process = subprocess.Popen(
            ["bash", "-c", wrapper, CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(to_browser[0], from_browser[1]),
            env={**os.environ, "LS_IN": str(to_browser[0]), "LS_OUT": str(from_browser[1])},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser[0])
        os.close(from_browser[1])
        return cls(process, to_browser[1], from_browser[0])

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive(time.monotonic() + 60)
            if reply.get("id") != self.last_id:
                self.events.append(reply)
                continue
            if "error" in reply:
                raise DevToolsError(f"{method}: {reply['error']}")
            result: dict[str, Any] = reply["result"]
            return result

    def wait_for(self, method: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.append(self._receive(deadline))

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.replies], [], [], remaining)[0]:
                raise DevToolsError("Chromium did not answer in time")
            chunk = os.read(self.replies, 1 << 20)
            if not chunk:
                raise DevToolsError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def close(self) -> None:
        with contextlib.suppress(DevToolsError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.commands)
        os.close(self.replies)


@dataclass
class Page:
    """A loaded page: evaluate JavaScript in it, and read what it logged and requested."""

    browser: Chromium
    session: str

    def evaluate(self, expression: str) -> Any:
        result = self.browser.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, self.session
        )
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def _events(self, *methods: str) -> list[dict[str, Any]]:
        return [event for event in self.browser.events if event.get("method") in methods]

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions, and browser log entries (CSP refusals among them)."""
        found = []
        for event in self._events("Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded"):
            params = event["params"]
            if event["method"] == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning", "assert"):
                found.append(f"console.{params['type']}: {params['args']}")
            elif event["method"] == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails']}")
            elif event["method"] == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log: {params['entry']['text']}")
        return found

    def requests(self) -> list[str]:
        return [event["params"]["request"]["url"] for event in self._events("Network.requestWillBeSent")]


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    browser = Chromium.start(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield browser
    finally:
        browser.close()


def open_page(browser: Chromium, path: Path) -> Page:
    browser.events.clear()
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.send(f"{domain}.enable", session=session)
    browser.send("Page.navigate", {"url": path.resolve().as_uri()}, session)
    browser.wait_for("Page.loadEventFired")
    return Page(browser, session)


# --- the page's contents, read in the browser ------------------------------------------------------

SUMMARY_JS = """(() => {
  const rows = id => Array.from(document.querySelectorAll(`#${id} tbody tr`));
  const column = (id, n) => rows(id).map(row => row.cells[n].textContent.trim());
  return {
    donuts: document.querySelectorAll("svg.donut path").length,
    bars: document.querySelectorAll("svg.bars rect:not(.track)").length,
    charts: document.querySelectorAll("figure.chart").length,
    rules: column("rule-table", 0),
    ruleLinks: Array.from(document.querySelectorAll("#rule-table tbody a")).map(a => a.href),
    repositories: column("repository-table", 0),
    files: column("file-table", 0),
    notChecked: column("not-checked-table", 0),
    parseErrors: Array.from(document.querySelectorAll("#not-checked li")).map(li => li.textContent),
    savingBars: Array.from(document.querySelectorAll("#images svg.bars text.value")).map(t => t.textContent),
    pwned: window.pwned === undefined ? null : window.pwned,
    scripts: document.scripts.length,
    ids: Array.from(document.querySelectorAll("[id]")).map(e => e.id),
    sources: Array.from(document.querySelectorAll("[src]")).map(e => e.getAttribute("src")),
    links: Array.from(document.querySelectorAll("[href]")).map(e => e.getAttribute("href")),
  };
})()"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def audit(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, list[dict[str, Any]]]:
    """Run `lintslim audit ARGS --output-format json`: the exit code and the findings."""
    capsys.readouterr()
    code = main(["audit", "--output-format", "json", "--jobs", "2", *map(str, args)])
    captured = capsys.readouterr()
    told = [line for line in captured.err.splitlines() if not line.startswith("lintslim: --fix applied")]
    assert told == [] or code == 2, captured.err  # with --fix, one line says what it changed
    return code, json.loads(captured.out) if captured.out.strip() else []  # 2 with a report: a file was not checked


@pytest.fixture
def repositories(tmp_path: Path) -> Path:
    """Four repositories: toolchains shipped, a clean one, a parse error and an unreadable file, markup in a name."""
    root = tmp_path / "repos"
    golang = (
        'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod main.go ./\nRUN CGO_ENABLED=0 go build -o /app .\nCMD ["/app"]\n'
    )
    write(root / "alpha" / "Dockerfile", golang)
    write(root / "alpha" / "tools" / "Dockerfile.dev", "FROM python:3.12\nRUN pip install flask\nWORKDIR app\n")
    write(root / "beta" / "Dockerfile", 'FROM alpine:3.20\nCOPY app /usr/local/bin/app\nCMD ["app"]\n')
    write(root / "gamma" / "Dockerfile", "FROM alpine:3.20\nENV key\nFROBNICATE now\n")
    write(root / "gamma" / "legacy" / "Dockerfile", b"FROM alpine\nLABEL x=\xff\xfe\n")
    write(root / EVIL_NAME / "Dockerfile", "FROM node:20\nADD app.js /app/\nCMD node /app/app.js\n")
    for name in ("alpha", "beta", "gamma", EVIL_NAME):
        (root / name / ".git").mkdir()
    return root


def _report(
    capsys: pytest.CaptureFixture[str], roots: list[Path], html_path: Path, *extra: str
) -> list[dict[str, Any]]:
    code, findings = audit(capsys, *roots, "--html", html_path, *extra)
    assert code in (0, 1, 2)  # 2 when a file could not be checked: still a whole report
    assert html_path.is_file()
    return findings


@needs_chromium
def test_page_draws_its_charts_and_tables_and_logs_no_error(
    repositories: Path, tmp_path: Path, chromium: Chromium, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.html"
    findings = _report(capsys, sorted(repositories.iterdir()), report)
    records = [record for record in findings if "code" in record]
    page = open_page(chromium, report)
    shown = page.evaluate(SUMMARY_JS)

    assert page.problems() == []
    assert page.requests() == [report.resolve().as_uri()]  # the page itself, nothing else
    assert shown["charts"] == 5
    assert shown["donuts"] >= 3 and shown["bars"] >= 2  # families, the two shares; rules, repositories
    assert sorted(shown["rules"]) == sorted({record["code"] for record in records})
    assert all(link.startswith(DOCS) for link in shown["ruleLinks"]) and shown["ruleLinks"]
    assert len(shown["repositories"]) == 4 and EVIL_NAME in " ".join(shown["repositories"])
    assert len(shown["files"]) == 6
    assert [Path(path).parts[-3:] for path in shown["notChecked"]] == [("gamma", "legacy", "Dockerfile")]
    assert [Path(path).parts[-2:] for path in shown["parseErrors"]] == [("gamma", "Dockerfile")]
    savings = [record["estimated_saving_mb"] for record in records if record["estimated_saving_mb"]]
    assert len(savings) == 1  # LS101's fix moves alpha's Go binary to a static base of known size
    assert shown["savingBars"] == [f"≈ {savings[0]:,.1f} MB"]
    assert shown["pwned"] is None  # the markup in a repository's name was shown, not run
    assert shown["scripts"] == 1 and shown["sources"] == []
    assert len(set(shown["ids"])) == len(shown["ids"])  # a table's id and its section's once clashed
    assert all(link.startswith(("#", DOCS)) for link in shown["links"]), shown["links"]


def _column(page: Page, table: str, column: int) -> list[str]:
    expression = f"Array.from(document.querySelectorAll('#{table} tbody tr')).map(r => r.cells[{column}].textContent)"
    values: list[str] = page.evaluate(expression)
    return values


def _click(page: Page, table: str, column: int) -> str:
    """Click a header (a real mouse click at its centre); its aria-sort after."""
    box = page.evaluate(
        f"(() => {{ const b = document.querySelectorAll('#{table} thead th button')[{column}];"
        "b.scrollIntoView(); const r = b.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
    )
    for kind in ("mousePressed", "mouseReleased"):
        page.browser.send(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1},
            page.session,
        )
    sort: str = page.evaluate(f"document.querySelectorAll('#{table} thead th')[{column}].getAttribute('aria-sort')")
    return sort


def _press_enter_on(page: Page, table: str, column: int) -> str:
    page.evaluate(f"document.querySelectorAll('#{table} thead th button')[{column}].focus()")
    for kind in ("keyDown", "keyUp"):
        event = {"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13}
        page.browser.send(
            "Input.dispatchKeyEvent", {**event, "text": "\r"} if kind == "keyDown" else event, page.session
        )
    sort: str = page.evaluate(f"document.querySelectorAll('#{table} thead th')[{column}].getAttribute('aria-sort')")
    return sort


def _numbers(values: list[str]) -> list[float]:
    return [float(value.replace(",", "")) for value in values]


@needs_chromium
def test_headers_sort_by_mouse_and_keyboard_numbers_as_numbers(
    repositories: Path, tmp_path: Path, chromium: Chromium, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.html"
    _report(capsys, sorted(repositories.iterdir()), report)
    page = open_page(chromium, report)
    paths = _column(page, "file-table", 0)

    assert _click(page, "file-table", 0) == "ascending"
    assert _column(page, "file-table", 0) == sorted(paths, key=str.lower)
    assert _click(page, "file-table", 0) == "descending"
    assert _column(page, "file-table", 0) == sorted(paths, key=str.lower, reverse=True)

    # Findings: largest first on the first click (numbers, not text: 10 after 9).
    assert _press_enter_on(page, "file-table", 2) == "descending"
    findings = _column(page, "file-table", 2)
    known = [value for value in findings if value != "—"]
    assert _numbers(known) == sorted(_numbers(known), reverse=True)
    assert findings[len(known) :] == ["—"] * (len(findings) - len(known))  # the file not checked: last
    assert _press_enter_on(page, "file-table", 2) == "ascending"
    findings = _column(page, "file-table", 2)
    assert _numbers(findings[: len(known)]) == sorted(_numbers(known))
    assert findings[-1] == "—"  # unknown stays last both ways
    assert page.evaluate("document.querySelectorAll('#file-table thead th[aria-sort=\"none\"]').length") == 9
    assert page.problems() == []


@needs_chromium
def test_files_filter_hides_the_other_rows(
    repositories: Path, tmp_path: Path, chromium: Chromium, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.html"
    _report(capsys, sorted(repositories.iterdir()), report)
    page = open_page(chromium, report)
    page.evaluate("document.querySelector('input[data-filter=file-table]').focus()")
    page.browser.send("Input.insertText", {"text": "alpha"}, page.session)
    page.evaluate("new Promise(done => setTimeout(done, 400))")  # the filter waits for typing to pause
    rows = "Array.from(document.querySelectorAll('#file-table tbody tr'))"
    visible = page.evaluate(f"{rows}.filter(row => !row.hidden).map(row => row.cells[1].textContent)")
    assert len(visible) == 2 and all(repository.endswith("alpha") for repository in visible)
    assert page.evaluate("document.getElementById('file-table-shown').textContent") == "2 of 6 shown"


@needs_chromium
def test_report_with_no_finding(tmp_path: Path, chromium: Chromium, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "repo" / "Dockerfile", 'FROM alpine:3.20\nCOPY app /usr/local/bin/app\nCMD ["app"]\n')
    report = tmp_path / "report.html"
    code, findings = audit(capsys, tmp_path / "repo", "--select", "secrets", "--html", report)
    assert (code, findings) == (0, [])
    page = open_page(chromium, report)
    shown = page.evaluate(SUMMARY_JS)
    assert page.problems() == []
    assert shown["rules"] == [] and len(shown["files"]) == 1
    assert page.evaluate("document.querySelectorAll('#findings .empty').length") == 3  # each chart says so
    assert page.evaluate("document.querySelectorAll('#images svg.donut').length") == 2


@needs_chromium
def test_report_says_what_fix_wrote(tmp_path: Path, chromium: Chromium, capsys: pytest.CaptureFixture[str]) -> None:
    dockerfile = write(
        tmp_path / "repo" / "Dockerfile", 'FROM alpine:3.20\nADD app.py /app/\nCMD ["python", "/app/app.py"]\n'
    )
    report = tmp_path / "report.html"
    code, findings = audit(capsys, tmp_path / "repo", "--select", "hygiene", "--fix", "--html", report)
    assert (code, findings) == (0, [])  # the one finding was fixed
    assert "COPY app.py" in dockerfile.read_text(encoding="utf-8")
    page = open_page(chromium, report)
    assert page.problems() == []
    assert _column(page, "fix-table", 0) == ["LS503"] and _column(page, "fix-table", 1) == ["1"]
    written = page.evaluate("Array.from(document.querySelectorAll('#fixes li')).map(li => li.textContent)")
    assert written == [str(dockerfile)]


@needs_chromium
@pytest.mark.skipif(not CORPUS.is_dir(), reason=SKIP_REASON)
def test_corpus_repositories(tmp_path: Path, chromium: Chromium, capsys: pytest.CaptureFixture[str]) -> None:
    tree = build_tree(tmp_path / "corpus", files_per_repository=2)  # every repository: the first few have no finding
    report = tmp_path / "report.html"
    findings = _report(capsys, sorted(tree.iterdir()), report, "--exit-zero")
    assert any("code" in record for record in findings)
    page = open_page(chromium, report)
    shown = page.evaluate(SUMMARY_JS)
    assert page.problems() == []
    assert page.requests() == [report.resolve().as_uri()]
    dockerfiles = [path for path in tree.rglob("*") if path.is_file() and is_dockerfile_name(path.name)]  # no templates
    assert len(shown["files"]) == len(dockerfiles)
    assert sorted(shown["rules"]) == sorted({record["code"] for record in findings if "code" in record})
    assert len(shown["repositories"]) == len({path.relative_to(tree).parts[0] for path in dockerfiles})
    assert _click(page, "repository-table", 2) == "descending"  # a number column: largest first
    findings = _numbers(_column(page, "repository-table", 2))
    assert findings == sorted(findings, reverse=True)


# --- a large synthetic report ----------------------------------------------------------------------

SEVERITY_OF = {"LS101": "warning", "LS201": "error", "LS302": "info", "LS504": "style"}


def synthetic_totals(files: int) -> AuditTotals:
    """`files` results over 200 repositories, fed through the real totals (no audit needed)."""
    totals = AuditTotals()
    codes = sorted(SEVERITY_OF)
    for number in range(files):
        found = tuple(
            Finding(
                code, f"rule-{code}", "build", SEVERITY_OF[code], "a message", 1, 1, 1, 5, f"{DOCS}docs/rules/{code}.md"
            )
            for code in codes[: number % 5]
        )
        known = number % 3 != 0
        image = ImageProfile("python:3.12" if known else None, number % 4 == 0, False if known else None,
                             1110.0 if known else None)  # fmt: skip
        saving = (Saving("LS101", 1, "python:3.12", "python:3.12-slim", 980.5, "knowledge base"),) if found else ()
        totals.add(
            FileResult(f"repo{number % 200}/svc{number}/Dockerfile", f"repo{number % 200}", f"svc{number}/Dockerfile",
                       findings=found, image=image, savings=saving if known else ())
        )  # fmt: skip
    return totals


@needs_chromium
def test_ten_thousand_files_render_and_sort(tmp_path: Path, chromium: Chromium) -> None:
    report = tmp_path / "large.html"
    write_html_report(report, synthetic_totals(10_000))
    page = open_page(chromium, report)
    assert page.evaluate("document.querySelectorAll('#file-table tbody tr').length") == 10_000
    assert page.evaluate("document.querySelectorAll('#repository-table tbody tr').length") == 200
    assert page.evaluate("document.querySelectorAll('#images svg.bars rect.saving').length") == 1
    assert _click(page, "file-table", 8) == "descending"  # the estimated saving
    savings = _column(page, "file-table", 8)
    assert savings[0] == "980.5" and savings[-1] == "—"
    assert page.problems() == []


# --- without a browser -----------------------------------------------------------------------------


def test_every_string_is_escaped() -> None:
    totals = AuditTotals()
    hostile = "<script>window.pwned=1</script>"
    totals.add(FileResult(f"{hostile}/Dockerfile", hostile, "Dockerfile", error=f"{hostile}: not UTF-8"))
    page = render_html(totals)
    assert hostile not in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    assert len(re.findall(r"<script\b", page)) == 1  # the page's own, whose hash the policy admits


def test_the_policy_admits_only_the_pages_own_script_and_style() -> None:
    page = render_html(synthetic_totals(20))
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    directives = dict(part.strip().split(" ", 1) for part in policy.group(1).replace("&#x27;", "'").split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"].startswith("'sha256-") and directives["style-src"].startswith("'sha256-")


def test_every_figure_in_megabytes_is_labelled_an_estimate() -> None:
    page = render_html(synthetic_totals(50))
    assert re.findall(r"\bMB\b", page)
    for match in re.finditer(r"[^<>]{0,60}\bMB\b[^<>]{0,80}", page):
        context = page[max(0, match.start() - 400) : match.end() + 400].lower()
        assert "estimat" in context or "est." in context, match.group(0)


def test_no_saving_is_no_estimate_not_zero_megabytes() -> None:
    totals = AuditTotals()
    totals.add(
        FileResult("repo/Dockerfile", "repo", "Dockerfile", image=ImageProfile("example.com/app:1", False, None))
    )
    page = render_html(totals)
    assert "0.0 MB" not in page
    assert re.search(r'<span class="value">no estimate</span><span class="label">estimated MB saved', page)


def test_no_secret_reaches_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "repo" / "Dockerfile", SECRET_DOCKERFILE)
    report = tmp_path / "report.html"
    audit(capsys, tmp_path / "repo", "--html", report)
    page = report.read_text(encoding="utf-8")
    assert "LS202" in page
    for secret in SECRETS:
        assert secret not in page and secret[len(secret) // 2 :] not in page


def test_an_unwritable_report_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "repo" / "Dockerfile", 'FROM alpine:3.20\nCMD ["true"]\n')
    code = main(["audit", str(tmp_path / "repo"), "--html", str(tmp_path / "missing" / "report.html")])
    error = capsys.readouterr().err
    assert code == 2
    assert error.count("\n") == 1 and "cannot write the HTML report" in error and "Traceback" not in error

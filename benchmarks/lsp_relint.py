"""How long the language server takes to re-lint a Dockerfile after an edit.  Not a test: it prints figures.

    python benchmarks/lsp_relint.py                  # in-process re-lint, 50 runs per file
    python benchmarks/lsp_relint.py --stdio          # also didChange -> publishDiagnostics over stdio
    python benchmarks/lsp_relint.py --profile        # and a cProfile of the in-process re-lints
    python benchmarks/lsp_relint.py --abuse          # and huge documents and a burst of changes over stdio

In-process, each run edits one line of the document and times what the server does on didChange
once the debounce delay has passed: `lintslim.lsp.analysis.analyse` (config lookup, build inputs,
`check_text`, the secret redactor) and the conversion to LSP diagnostics.  The files: a generated
300-line multi-stage Dockerfile, and the three largest files of `../shared/corpus` when present.
The issue's target is 50 ms for a 300-line file.

`--abuse` (issue 8) times, over stdio: a 10 MB document (over the 4 MiB limit: one "too large"
diagnostic), a 1 MB single line (linted on the worker thread) and a hover on a small document sent
right after it (answered while that lint runs), and 500 changes sent back to back followed by a
hover (the newest text linted once; the publications counted).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import csv
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lintslim.engine.registry import default_registry
from lintslim.lsp.analysis import ConfigCache, analyse
from lintslim.lsp.convert import lsp_diagnostics

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TARGET_MS = 50.0
EDITED_LINE = 3  # the line each run rewrites (0-based): an ENV near the top, so every stage follows it


def realistic_dockerfile(lines: int = 300) -> str:
    """A multi-stage build in the shape real ones have: continued RUNs, ENVs, COPYs, a few findings."""
    head = [
        "# syntax=docker/dockerfile:1",
        "ARG PYTHON_VERSION=3.12",
        "FROM python:${PYTHON_VERSION}-slim AS base",
        "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 EDIT=0",
        "WORKDIR /app",
    ]
    block = [
        "FROM base AS build{n}",
        "RUN apt-get update \\",
        "    && apt-get install -y --no-install-recommends build-essential libpq-dev curl \\",
        "    && rm -rf /var/lib/apt/lists/*",
        "COPY requirements{n}.txt /app/",
        "RUN pip install --no-cache-dir -r /app/requirements{n}.txt",
        "ADD src{n}/ /app/src{n}/",
        "ENV SERVICE_{n}_PORT=80{n:02d} SERVICE_{n}_NAME=svc{n}",
        "LABEL org.opencontainers.image.title=svc{n} org.opencontainers.image.version=1.{n}",
        "RUN python -m compileall /app/src{n} \\",
        "    && find /app -name '*.pyc' -newer /app/requirements{n}.txt -print | wc -l",
        "WORKDIR src{n}",
        "",
    ]
    tail = [
        "FROM base AS final",
        "COPY --from=build0 /app /app",
        "USER 1000:1000",
        "EXPOSE 8000",
        "CMD python -m app",
    ]
    body: list[str] = []
    n = 0
    while len(head) + len(body) + len(block) + len(tail) <= lines:
        body += [line.format(n=n) for line in block]
        n += 1
    out = head + body + tail
    out += ["# filler"] * (lines - len(out))
    return "\n".join(out) + "\n"


def corpus_files(count: int) -> list[Path]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle, delimiter="\t"), key=lambda row: -int(row["bytes"]))
    return [CORPUS / row["corpus_path"] for row in rows[:count]]


def edited(text: str, run: int) -> str:
    """The text with one line changed, as a keystroke would (a different text every run)."""
    lines = text.split("\n")
    lines[EDITED_LINE] = f"{lines[EDITED_LINE]} RUN_{run}=x"
    return "\n".join(lines)


def relint_times(path: Path, text: str, runs: int) -> list[float]:
    """Milliseconds per re-lint, the server's didChange path (after the debounce) on `runs` edits."""
    registry = default_registry()
    configs = ConfigCache(registry)  # the server keeps one for its whole life
    uri = path.as_uri()
    lsp_diagnostics(analyse(uri, text, 0, registry, configs))  # warm-up: imports, first config lookup
    times = []
    for run in range(1, runs + 1):
        changed = edited(text, run)
        start = time.perf_counter()
        lsp_diagnostics(analyse(uri, changed, run, registry, configs))
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   max {ordered[-1]:7.1f} ms"


def profile(action: Callable[[], object], top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    action()
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(top)


async def stdio_times(path: Path, text: str, runs: int) -> list[float]:
    """Milliseconds from sending didChange to receiving its publishDiagnostics, debounce set to 0."""
    from lsprotocol import types as lsp
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("lsp-relint-benchmark", "1")
    arrived: dict[int, asyncio.Future[None]] = {}

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]  # pygls is untyped here
    def published(params: lsp.PublishDiagnosticsParams) -> None:
        future = arrived.get(params.version) if params.version is not None else None
        if future is not None and not future.done():
            future.set_result(None)

    await client.start_io(sys.executable, "-m", "lintslim", "server")
    await client.initialize_async(
        lsp.InitializeParams(capabilities=lsp.ClientCapabilities(), initialization_options={"debounceMs": 0})
    )
    client.initialized(lsp.InitializedParams())
    uri = path.as_uri()
    loop = asyncio.get_running_loop()
    arrived[0] = loop.create_future()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri=uri, language_id="dockerfile", version=0, text=text))
    )
    await asyncio.wait_for(arrived[0], 60)
    times = []
    for run in range(1, runs + 1):
        arrived[run] = loop.create_future()
        start = time.perf_counter()
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=run),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=edited(text, run))],
            )
        )
        await asyncio.wait_for(arrived[run], 60)
        times.append((time.perf_counter() - start) * 1000)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()  # type: ignore[no-untyped-call]
    return times


async def stdio_abuse() -> list[str]:
    """Figures for huge documents and a burst of changes, against a real server over stdio."""
    from lsprotocol import types as lsp
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("lsp-abuse-benchmark", "1")
    loop = asyncio.get_running_loop()
    published: dict[tuple[str, int | None], float] = {}
    counts: dict[str, int] = {}

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]  # pygls is untyped here
    def record(params: lsp.PublishDiagnosticsParams) -> None:
        published[(params.uri, params.version)] = loop.time()
        counts[params.uri] = counts.get(params.uri, 0) + 1

    async def diagnostics_of(uri: str, version: int) -> float:
        while (uri, version) not in published:
            await asyncio.sleep(0.005)
        return published[(uri, version)]

    def open_document(uri: str, text: str) -> None:
        item = lsp.TextDocumentItem(uri=uri, language_id="dockerfile", version=1, text=text)
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(item))

    def hover(uri: str) -> Any:
        position = lsp.Position(line=1, character=1)
        return client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri=uri), position))

    await client.start_io(sys.executable, "-m", "lintslim", "server")
    await client.initialize_async(
        lsp.InitializeParams(capabilities=lsp.ClientCapabilities(), initialization_options={"debounceMs": 200})
    )
    client.initialized(lsp.InitializedParams())
    lines = []
    with tempfile.TemporaryDirectory() as temporary:
        small = (Path(temporary) / "small" / "Dockerfile").as_uri()
        open_document(small, "FROM python:3.12\nADD app.py /app/\n")
        await asyncio.wait_for(diagnostics_of(small, 1), 60)

        ten = (Path(temporary) / "ten" / "Dockerfile").as_uri()
        start = loop.time()
        open_document(ten, "FROM alpine\n" + "RUN echo hello world\n" * 500_000)
        done = await asyncio.wait_for(diagnostics_of(ten, 1), 600)
        lines.append(f"10 MB document, didOpen -> 'too large' diagnostic: {(done - start) * 1000:8.0f} ms")

        line = (Path(temporary) / "line" / "Dockerfile").as_uri()
        start = loop.time()
        open_document(line, "FROM alpine:3.20\nRUN echo " + "x" * 1_000_000 + "\n")
        await asyncio.wait_for(hover(small), 600)
        answered = loop.time()
        done = await asyncio.wait_for(diagnostics_of(line, 1), 600)
        lines.append(f"1 MB single line, didOpen -> diagnostics:         {(done - start) * 1000:8.0f} ms")
        lines.append(f"  hover on a small document meanwhile answered in: {(answered - start) * 1000:8.0f} ms")

        before = counts.get(small, 0)
        start = loop.time()
        for version in range(2, 502):
            text = f"FROM python:3.12\nADD app{version}.py /app/\n"
            client.text_document_did_change(
                lsp.DidChangeTextDocumentParams(
                    text_document=lsp.VersionedTextDocumentIdentifier(uri=small, version=version),
                    content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
                )
            )
        await asyncio.wait_for(hover(small), 600)
        answered = loop.time()
        await asyncio.wait_for(diagnostics_of(small, 501), 600)
        lines.append(f"500 didChange then a hover, answered in:           {(answered - start) * 1000:8.0f} ms")
        lines.append(f"  publications for those 500 versions: {counts.get(small, 0) - before}")
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()  # type: ignore[no-untyped-call]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--runs", type=int, default=50, help="edits timed per file (default 50)")
    parser.add_argument("--corpus", type=int, default=3, help="how many of the largest corpus files (default 3)")
    parser.add_argument("--stdio", action="store_true", help="also time didChange -> publishDiagnostics over stdio")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the generated file's re-lints")
    parser.add_argument("--abuse", action="store_true", help="also time huge documents and a burst of changes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        generated = Path(temporary) / "Dockerfile"
        generated_text = realistic_dockerfile()
        generated.write_text(generated_text, encoding="utf-8")
        files = [(generated, generated_text)]
        files += [(path, path.read_text(encoding="utf-8", errors="replace")) for path in corpus_files(args.corpus)]
        if len(files) == 1:
            print(f"(no corpus at {CORPUS}: the generated file only)")
        print(f"in-process re-lint after an edit, {args.runs} runs each (target: {TARGET_MS:.0f} ms for 300 lines)")
        for path, text in files:
            name = "generated" if path == generated else str(path.relative_to(CORPUS))
            lines = text.count("\n")
            print(f"  {name:<55} {lines:5d} lines   {summary(relint_times(path, text, args.runs))}")
        if args.stdio:
            times = asyncio.run(stdio_times(generated, generated_text, args.runs))
            print(f"didChange -> publishDiagnostics over stdio (generated file, debounce 0): {summary(times)}")
        if args.abuse:
            print("abuse over stdio (issue 8):")
            for line in asyncio.run(stdio_abuse()):
                print(f"  {line}")
        if args.profile:
            profile(lambda: relint_times(generated, generated_text, args.runs), 30)
    return 0


if __name__ == "__main__":
    sys.exit(main())

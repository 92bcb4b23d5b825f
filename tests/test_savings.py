"""Image-size estimates: sourced sizes, savings per finding, `check --show-savings`, the docs table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from corpus_tree import CORPUS, SKIP_REASON, corpus_files

from lintslim.analysis.savings import (
    Saving,
    _base_regions,
    _touches_base,
    base_changes,
    estimate_savings,
    image_profile,
    suggestion,
)
from lintslim.cli import main
from lintslim.config import Settings
from lintslim.docs import fill_generated
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.registry import default_registry
from lintslim.engine.rule import Diagnostic, Severity
from lintslim.knowledge.images import image_facts, knowledge_base, size_facts
from lintslim.output.savings import size_table
from lintslim.runner import FileReport, check_text
from lintslim.syntax.image import parse_image
from lintslim.syntax.parser import parse
from lintslim.syntax.source import Span

REGISTRY = default_registry()
DOCS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "savings.md"

GO_SINGLE_STAGE = """\
FROM golang:1.22
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /app ./cmd/app
CMD ["/app"]
"""
PYTHON_FULL_FINAL = """\
FROM python:3.12 AS build
RUN pip install --prefix=/install flask

FROM python:3.12
COPY --from=build /install /usr/local
CMD ["python", "-m", "flask", "run"]
"""
UNKNOWN_FINAL = """\
FROM golang:1.22 AS build
RUN go build -o /app .

FROM example.com/mycorp/runtime:3
COPY --from=build /app /app
CMD ["/app"]
"""


def checked(tmp_path: Path, text: str, name: str = "Dockerfile") -> FileReport:
    """Lint `text` as a Dockerfile in a Go module's build context (the rules read go.mod)."""
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.22\n", encoding="utf-8")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return check_text(text, str(path), Settings(), REGISTRY, context_dir=tmp_path)


def size_of(reference: str) -> float:
    facts = image_facts(parse_image(reference))
    assert facts is not None and facts.size_mb is not None, reference
    return facts.size_mb


def source_text(key: str) -> str:
    return knowledge_base().sources[key]


# --- the data ------------------------------------------------------------------------------------


def test_every_size_has_a_source_a_date_and_the_image_measured() -> None:
    facts = size_facts()
    assert len(facts) >= 25
    for fact in facts:
        assert fact.size_mb >= 0, fact
        assert fact.source_key is not None and fact.source, f"{fact.entry}: size without a known source"
        if fact.size_mb > 0:  # only scratch is empty by definition
            assert fact.as_of and fact.image, f"{fact.entry}: a size needs its date and the image measured"


def test_the_sourced_figures() -> None:
    """The figures as their sources give them (uncompressed, linux/amd64)."""
    assert size_of("golang:1.25.12-trixie") == 847.55  # repo-info repos/golang/local/1.25-trixie.md
    assert size_of("python:3.13-slim") == 126.25
    assert size_of("gcr.io/distroless/static-debian13") == 2.0
    assert size_of("debian:trixie") == 119.92 and size_of("debian:trixie-slim") == 78.64
    assert size_of("rust:1") == 1660.0 and size_of("rust:1-slim-bookworm") == 921.07
    assert size_of("eclipse-temurin:21-jre") == 318.14 and size_of("eclipse-temurin:21-jdk") == 474.81


def test_unknown_sizes_stay_unknown() -> None:
    """No figure without a source: variants that were not measured get none, rather than their sibling's."""
    for reference in (
        "gcr.io/distroless/static-debian13:debug",  # busybox added: not the measured image
        "gcr.io/distroless/cc-debian13",
        "eclipse-temurin:21-jre-alpine",
        "maven:3.9-eclipse-temurin-21",
        "mcr.microsoft.com/dotnet/aspnet:8.0",
        "public.ecr.aws/lambda/provided:al2023",  # AWS gives "< 40 MB", a compressed figure
        "public.ecr.aws/lambda/java:11",  # an Amazon Linux 2 tag, but no figure for Java
    ):
        facts = image_facts(parse_image(reference))
        assert facts is not None and facts.size_mb is None, reference


def test_lambda_sizes_follow_the_repository_not_only_the_tag() -> None:
    assert size_of("public.ecr.aws/lambda/python:3.9") == 595.0
    assert size_of("public.ecr.aws/lambda/nodejs:16") == 485.0


# --- profiles ------------------------------------------------------------------------------------


def test_profile_names_the_base_with_its_tag_and_its_basis() -> None:
    profile = image_profile(parse('FROM golang:1.22\nCMD ["x"]\n'))
    assert profile.final_base == "golang:1.22"
    assert profile.base_size_mb == 847.55 and profile.minimal_base is False and profile.multi_stage is False
    assert profile.size_basis is not None
    assert profile.size_basis.startswith(
        "docker-library/repo-info repos/golang/local/1.25-trixie.md, 847.55 MB, 2026-08-05"
    )
    assert "golang:1.25.12-trixie measured, golang:1.22 assumed similar" in profile.size_basis


def test_the_measured_tag_itself_is_not_called_an_assumption() -> None:
    profile = image_profile(parse("FROM golang:1.25.12-trixie\n"))
    assert profile.size_basis is not None and "assumed" not in profile.size_basis


def test_multi_stage_means_another_stage_feeds_the_final_one() -> None:
    assert image_profile(parse(UNKNOWN_FINAL)).multi_stage is True
    assert image_profile(parse("FROM alpine:3.20 AS unused\nFROM alpine:3.20\n")).multi_stage is False


def test_an_arg_resolved_base_is_profiled_as_resolved() -> None:
    profile = image_profile(parse("ARG BASE=python:3.12-slim\nFROM ${BASE}\n"))
    assert profile.final_base == "python:3.12-slim" and profile.base_size_mb == 126.25
    assert profile.minimal_base is True
    unresolved = image_profile(parse("ARG BASE\nFROM $BASE\n"))
    assert unresolved.final_base is None and unresolved.base_size_mb is None


@pytest.mark.parametrize(
    ("base", "minimal"),
    [
        ("scratch", True),
        ("alpine:3.20", True),
        ("gcr.io/distroless/static-debian13", True),
        ("python:3.12-slim", True),
        ("debian:bookworm-slim", True),  # a -slim image, as the report's note says
        ("debian:bookworm", False),
        ("golang:1.22-alpine", False),  # musl, but a 215 MB toolchain: not a minimal final base
        ("rust:1-alpine", False),
        ("cgr.dev/chainguard/go:latest", False),  # a Chainguard image, but the Go toolchain
        ("rust:1-slim", False),
    ],
)
def test_a_minimal_base_is_a_small_runtime_never_a_toolchain(base: str, minimal: bool) -> None:
    assert image_profile(parse(f"FROM {base}\n")).minimal_base is minimal


def test_an_unknown_base_has_no_figure() -> None:
    profile = image_profile(parse("FROM example.com/mycorp/runtime:3\n"))
    assert profile.final_base == "example.com/mycorp/runtime:3"
    assert profile.base_size_mb is None and profile.size_basis is None and profile.minimal_base is None


# --- savings -------------------------------------------------------------------------------------


def test_go_single_stage_split_saves_golang_less_distroless_static(tmp_path: Path) -> None:
    report = checked(tmp_path, GO_SINGLE_STAGE)
    assert report.dockerfile is not None
    [saving] = estimate_savings(report.dockerfile, report.diagnostics)
    assert (saving.code, saving.line) == ("LS101", 4)
    assert (saving.from_image, saving.to_image) == ("golang:1.22", "gcr.io/distroless/static-debian13:nonroot")
    assert saving.saving_mb == round(847.55 - 2.0, 1) and saving.kind == "fix"
    assert (saving.from_mb, saving.to_mb) == (847.55, 2.0)
    for key in ("size_golang", "size_distroless_static"):  # both sizes' sources, with their dates
        assert source_text(key) in saving.basis
    assert "2026-08-05" in saving.basis and "2026-08-21" in saving.basis


def test_python_toolchain_final_base_to_slim_saves_the_difference(tmp_path: Path) -> None:
    report = checked(tmp_path, PYTHON_FULL_FINAL)
    assert report.dockerfile is not None
    [saving] = estimate_savings(report.dockerfile, report.diagnostics)
    assert (saving.code, saving.from_image, saving.to_image) == ("LS102", "python:3.12", "python:3.12-slim")
    assert saving.saving_mb == round(1110.0 - 126.25, 1) and saving.kind == "fix"
    assert "python:3.13.15-slim-trixie measured, python:3.12-slim assumed similar" in saving.basis


def test_an_arg_default_base_gets_its_saving(tmp_path: Path) -> None:
    text = "ARG BASE=golang:1.23\n" + GO_SINGLE_STAGE.replace("FROM golang:1.22", "FROM ${BASE}")
    report = checked(tmp_path, text)
    assert report.dockerfile is not None
    [saving] = estimate_savings(report.dockerfile, report.diagnostics)
    assert (saving.from_image, saving.saving_mb) == ("golang:1.23", round(847.55 - 2.0, 1))


def test_an_unknown_final_image_gives_no_saving(tmp_path: Path) -> None:
    report = checked(tmp_path, UNKNOWN_FINAL)
    assert report.dockerfile is not None
    assert image_profile(report.dockerfile).base_size_mb is None
    assert estimate_savings(report.dockerfile, report.diagnostics) == []


def test_a_new_base_of_unknown_size_gives_no_saving_but_is_a_base_change() -> None:
    """A glibc Go binary goes to distroless/cc, which has no sourced size: a change, no figure."""
    dockerfile = parse('FROM golang:1.22\nCMD ["/app"]\n')
    from_span = dockerfile.instructions[0].span
    cc = Fix.unsafe("Use cc", Edit.replace(from_span, "FROM gcr.io/distroless/cc-debian13"))
    finding = _diagnostic_with(cc, from_span)
    [change] = base_changes(dockerfile, [finding])
    assert change.after.final_base == "gcr.io/distroless/cc-debian13" and change.after.base_size_mb is None
    assert estimate_savings(dockerfile, [finding]) == []


def test_only_fixes_that_touch_a_from_line_or_add_a_stage_are_applied() -> None:
    dockerfile = parse("ARG V=1\nFROM golang:1.22\nRUN echo hi\n")
    regions = _base_regions(dockerfile)
    run = dockerfile.instructions[-1].span
    assert not _touches_base(Fix.safe("echo", Edit.replace(run, "RUN echo hello")), regions)
    assert _touches_base(Fix.safe("tag", Edit.replace(dockerfile.instructions[1].span, "FROM golang:1.23")), regions)
    assert _touches_base(Fix.safe("arg", Edit.replace(Span(0, 7), "ARG V=2")), regions)
    assert _touches_base(Fix.safe("stage", Edit.insert(run.end, "\nFROM scratch\nCOPY --from=0 /a /a")), regions)


def _diagnostic_with(fix: Fix, span: Span) -> Diagnostic:
    return Diagnostic("LS102", "build-tools-in-final-stage", "a toolchain", span, Severity.WARNING, fix)


# --- suggested savings: LS101/LS102 without a base-changing fix ---------------------------------

PYTHON_SINGLE_STAGE = """\
FROM python:3.12
RUN apt-get update && apt-get install -y gcc libpq-dev
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
CMD ["python", "app.py"]
"""
# No go.mod in the context and no `-o`: the binary's name is unknown, so LS101 offers no fix.
GO_UNNAMED_BINARY = """\
FROM golang:1.22
WORKDIR /src
COPY . .
RUN {build} go build .
CMD ["/src/app"]
"""
NODE_SINGLE_STAGE = """\
FROM node:20
WORKDIR /app
COPY . .
RUN npm ci && npm run build
RUN chown -R node /app
CMD ["node", "dist/server.js"]
"""
LAMBDA_SINGLE_STAGE = """\
FROM public.ecr.aws/lambda/python:3.9
RUN yum install -y gcc && pip install -r requirements.txt
CMD ["app.handler"]
"""
PYTHON_BUILDS_IN_FINAL = """\
FROM python:3.12 AS wheels
RUN pip wheel --wheel-dir /wheels flask

FROM python:3.12
RUN apt-get update && apt-get install -y gcc
COPY --from=wheels /wheels /wheels
RUN pip install /wheels/*.whl && gcc -o /usr/local/bin/helper helper.c
CMD ["flask", "run"]
"""


def checked_without_context_files(tmp_path: Path, text: str) -> FileReport:
    """Lint `text` as a Dockerfile whose build context holds nothing else (no go.mod, no package.json)."""
    path = tmp_path / "Dockerfile"
    path.write_text(text, encoding="utf-8")
    return check_text(text, str(path), Settings(), REGISTRY, context_dir=tmp_path)


def only_saving(report: FileReport) -> Saving:
    assert report.dockerfile is not None
    [saving] = estimate_savings(report.dockerfile, report.diagnostics)
    return saving


def test_python_single_stage_without_a_fix_gets_the_slim_runtime_as_a_suggestion(tmp_path: Path) -> None:
    """libpq-dev is a library the program may load: LS101 cannot split the build, but the base is known."""
    report = checked_without_context_files(tmp_path, PYTHON_SINGLE_STAGE)
    [ls101] = [d for d in report.diagnostics if d.code == "LS101"]
    assert ls101.fix is None
    saving = only_saving(report)
    assert (saving.kind, saving.code, saving.line) == ("suggested", "LS101", 5)
    assert (saving.from_image, saving.to_image) == ("python:3.12", "python:3.12-slim")
    assert saving.saving_mb == round(1110.0 - 126.25, 1) and (saving.from_mb, saving.to_mb) == (1110.0, 126.25)
    assert saving.basis.startswith("no fix; if the final stage ran on python:3.12-slim, the runtime LS101 suggests")
    for key in ("size_python", "size_python_slim"):  # both bases' sources and dates
        assert source_text(key) in saving.basis
    assert "2026-07-14" in saving.basis and "2026-09-01" in saving.basis


def test_go_without_go_mod_gets_a_figure_only_when_the_linkage_is_known(tmp_path: Path) -> None:
    static = checked_without_context_files(tmp_path, GO_UNNAMED_BINARY.format(build="CGO_ENABLED=0"))
    assert [d.fix for d in static.diagnostics if d.code == "LS101"] == [None]
    saving = only_saving(static)
    assert saving.kind == "suggested" and saving.to_image == "gcr.io/distroless/static-debian13:nonroot"
    assert saving.saving_mb == round(847.55 - 2.0, 1)
    assert "statically linked binaries (CGO_ENABLED=0)" in saving.basis


@pytest.mark.parametrize(
    "build",
    [
        "",  # cgo on by default (golang has gcc): glibc → distroless/cc, which has no sourced size
        ". ./build.env &&",  # a sourced file: CGO_ENABLED and so the linkage are unknown
    ],
)
def test_go_without_a_known_static_linkage_gets_no_figure(tmp_path: Path, build: str) -> None:
    report = checked_without_context_files(tmp_path, GO_UNNAMED_BINARY.format(build=build))
    assert report.dockerfile is not None
    assert [d.fix for d in report.diagnostics if d.code == "LS101"] == [None]
    assert estimate_savings(report.dockerfile, report.diagnostics) == []


def test_a_glibc_go_binary_is_suggested_distroless_cc_without_a_figure(tmp_path: Path) -> None:
    report = checked_without_context_files(tmp_path, GO_UNNAMED_BINARY.format(build=""))
    assert report.dockerfile is not None
    suggested = suggestion(report.dockerfile, report.diagnostics)
    assert suggested is not None and suggested.runtime.final_base == "gcr.io/distroless/cc-debian13:nonroot"
    assert suggested.runtime.base_size_mb is None and suggested.why.startswith("glibc-linked binaries")


def test_node_full_to_node_slim_when_both_are_sized(tmp_path: Path) -> None:
    """A RUN after the build may prepare the runtime: LS101 does not split, the suggestion stands."""
    report = checked_without_context_files(tmp_path, NODE_SINGLE_STAGE)
    assert [d.fix for d in report.diagnostics if d.code == "LS101"] == [None]
    saving = only_saving(report)
    assert (saving.kind, saving.from_image, saving.to_image) == ("suggested", "node:20", "node:20-slim")
    assert saving.saving_mb == round(1220.0 - 227.34, 1)
    assert "node:22-bookworm-slim measured, node:20-slim assumed similar" in saving.basis


def test_a_lambda_base_is_a_runtime_not_a_toolchain_so_no_figure(tmp_path: Path) -> None:
    report = checked_without_context_files(tmp_path, LAMBDA_SINGLE_STAGE)
    assert report.dockerfile is not None
    ls101 = [d for d in report.diagnostics if d.code == "LS101"]
    assert ls101 and image_profile(report.dockerfile).base_size_mb == 595.0  # sized, yet no suggestion
    assert suggestion(report.dockerfile, ls101) is None
    assert all(saving.code != "LS101" for saving in estimate_savings(report.dockerfile, report.diagnostics))


def test_one_suggested_saving_per_file_on_the_first_finding(tmp_path: Path) -> None:
    """LS102 reports the build image and the kept gcc: the base changes once, so one figure."""
    report = checked_without_context_files(tmp_path, PYTHON_BUILDS_IN_FINAL)
    assert [(d.code, d.fix) for d in report.diagnostics if d.code == "LS102"] == [("LS102", None)] * 2
    saving = only_saving(report)
    assert (saving.kind, saving.code, saving.line, saving.to_image) == ("suggested", "LS102", 4, "python:3.12-slim")


def test_no_suggestion_when_a_fix_changes_the_base(tmp_path: Path) -> None:
    report = checked(tmp_path, PYTHON_FULL_FINAL)
    assert report.dockerfile is not None
    assert [saving.kind for saving in estimate_savings(report.dockerfile, report.diagnostics)] == ["fix"]


# --- check --show-savings ------------------------------------------------------------------------


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


SAVINGS_LINE = re.compile(r"^\S+?(:\d+)?: (final base|LS\d{3} (fix|\(no fix\)))")


def savings_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if SAVINGS_LINE.match(line)]


def assert_every_figure_is_an_estimate(lines: list[str]) -> None:
    for line in lines:
        if re.search(r"\d MB", line):
            assert "estimate" in line, line


@pytest.mark.parametrize("output_format", ["full", "concise"])
def test_show_savings_prints_lines_for_people_after_the_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    path = checked(tmp_path, GO_SINGLE_STAGE).path
    code, out, err = check(capsys, "--show-savings", "--output-format", output_format, path)
    assert code == 1 and "Traceback" not in err
    base_line, saving_line = savings_lines(out)
    assert base_line.startswith(f"{path}: final base golang:1.22: ~847.55 MB (estimate, uncompressed; basis: ")
    assert "repos/golang/local/1.25-trixie.md" in base_line
    assert saving_line.startswith(f"{path}:4: LS101 fix would save ~845.5 MB: ")
    assert "golang:1.22 → gcr.io/distroless/static-debian13:nonroot (~2 MB)" in saving_line
    assert out.index("LS101 Single-stage build") < out.index(base_line)  # after the findings
    assert_every_figure_is_an_estimate(savings_lines(out))


def test_show_savings_says_so_when_no_size_is_known(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = checked(tmp_path, UNKNOWN_FINAL).path
    _, out, _ = check(capsys, "--show-savings", "--output-format", "concise", path)
    assert f"{path}: final base example.com/mycorp/runtime:3: no size known for it; no saving can be estimated" in out
    assert not re.search(r"\d MB", out)


def test_show_savings_says_a_suggested_saving_comes_from_no_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = checked_without_context_files(tmp_path, PYTHON_SINGLE_STAGE).path
    _, out, _ = check(capsys, "--show-savings", "--output-format", "concise", path)
    base_line, saving_line = savings_lines(out)
    assert base_line.startswith(f"{path}: final base python:3.12: ~1110 MB (estimate")
    assert saving_line.startswith(
        f"{path}:5: LS101 (no fix) would save ~983.8 MB (estimate) if the final stage ran on "
        "python:3.12-slim (~126.25 MB), the runtime LS101 suggests for Python; basis: "
    )
    assert "repos/python/local/3.13-slim.md" in saving_line
    assert_every_figure_is_an_estimate([base_line, saving_line])


def test_show_savings_names_a_suggested_runtime_of_unknown_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = checked_without_context_files(tmp_path, GO_UNNAMED_BINARY.format(build="")).path
    _, out, _ = check(capsys, "--show-savings", "--output-format", "concise", path)
    _, suggestion_line = savings_lines(out)
    assert suggestion_line.startswith(
        f"{path}:4: LS101 (no fix): if the final stage ran on gcr.io/distroless/cc-debian13:nonroot, the runtime LS101 "
        "suggests for glibc-linked binaries"
    )
    assert suggestion_line.endswith(": no size known for it") and not re.search(r"\d MB", suggestion_line)


def test_without_the_flag_nothing_about_sizes_is_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = checked(tmp_path, GO_SINGLE_STAGE).path
    _, out, err = check(capsys, "--output-format", "concise", path)
    assert savings_lines(out + err) == []


def test_show_savings_keeps_json_valid_and_goes_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = checked(tmp_path, GO_SINGLE_STAGE).path
    code, out, err = check(capsys, "--show-savings", "--output-format", "json", path)
    assert code == 1
    assert {record["code"] for record in json.loads(out)} == {"LS101", "LS106"}
    lines = savings_lines(err)
    assert len(lines) == 2 and "LS101 fix would save" in lines[1]
    assert_every_figure_is_an_estimate(lines)


def test_show_savings_keeps_sarif_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema validates SARIF against the official schema")
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    path = checked(tmp_path, GO_SINGLE_STAGE).path
    _, out, err = check(capsys, "--show-savings", "--output-format", "sarif", path)
    jsonschema.Draft4Validator(schema).validate(json.loads(out))
    assert "LS101 fix would save" in err


def test_show_savings_with_diff_keeps_the_diff_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = checked(tmp_path, PYTHON_FULL_FINAL).path
    _, out, err = check(capsys, "--show-savings", "--diff", "--unsafe-fixes", path)
    assert out.startswith("--- a/") and "final base" not in out
    assert "final base python:3.12-slim" in err  # the fixed file's base


# --- the docs page -------------------------------------------------------------------------------


def test_the_docs_table_matches_the_data() -> None:
    page = DOCS_PAGE.read_text(encoding="utf-8")
    assert "<!-- generated:sizes -->" in page
    assert fill_generated(page, {"sizes": size_table()}) == page, (
        "docs/savings.md is stale: refill it with lintslim.docs.fill_generated(page, {'sizes': size_table()})"
    )


# --- the corpus ----------------------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason=SKIP_REASON)
def test_corpus_estimates_never_crash_and_every_saving_is_sourced() -> None:
    settings = Settings()
    sized = changes = 0
    savings: list[Saving] = []
    for file in corpus_files():
        path = CORPUS / file.corpus_path
        text = path.read_text(encoding="utf-8", errors="replace")
        report = check_text(text, str(path), settings, REGISTRY)
        if report.dockerfile is None:
            continue
        profile = image_profile(report.dockerfile)
        if profile.base_size_mb is not None:
            sized += 1
            assert profile.final_base is not None and profile.size_basis, path
            changes += len(base_changes(report.dockerfile, report.diagnostics, profile))
        savings += estimate_savings(report.dockerfile, report.diagnostics)
    assert sized >= 1000  # most final bases are common official images
    assert changes >= 1  # LS102 and LS407 fixes change a base even without build contexts
    for saving in savings:
        assert saving.saving_mb > 0 and saving.from_mb is not None and saving.to_mb is not None, saving
        assert saving.from_image in saving.basis and saving.to_image in saving.basis
        assert saving.kind in ("fix", "suggested"), saving
        if saving.kind == "suggested":
            assert saving.code in ("LS101", "LS102") and saving.basis.startswith("no fix; "), saving

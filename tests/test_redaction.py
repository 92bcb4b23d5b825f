"""No output prints a secret: every format, `--diff`, `--fix`, messages, fix titles and fix edits.

The Dockerfile below holds secrets of every kind LS202 knows, on lines that other rules report
too (their excerpts show those lines), and in instructions that fixes rewrite (so `--diff` and the
JSON edits would show them).  The secrets are assembled at run time so that this file itself does
not look like a leak to scanners.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lintslim.cli import main
from lintslim.secrets.redact import MASK, Redactor, mask
from lintslim.syntax.source import Span

GITHUB_TOKEN = "ghp_" + "WyPEA3mmRzdBC2Cc5HumpFONW2PHm3zuEiBD"
AWS_KEY = "AKIA" + "CPQ467RCLGCYQALN"
URL_PASSWORD = "nAD9c7" + "IqWBFpYP"
CURL_PASSWORD = "o2Q9E8" + "MleoDE"
ARG_PASSWORD = "NYofJn" + "bcA9"
API_TOKEN = "Zx9kq2" + "LmW8pR"
KEY_BODY = "hOWY+VNtFym5/XpGFM+pJCV17tgz8RREBDkVGyzMzu4cfRKRzrsYbceMZOrjXg5U"
SECRETS = (GITHUB_TOKEN, AWS_KEY, URL_PASSWORD, CURL_PASSWORD, ARG_PASSWORD, API_TOKEN, KEY_BODY)

DOCKERFILE = f"""\
ARG DB_PASSWORD={ARG_PASSWORD}
FROM node:20
WORKDIR app
ENV GITHUB_TOKEN={GITHUB_TOKEN} AWS_ACCESS_KEY_ID={AWS_KEY}
ENV API_TOKEN={API_TOKEN}
RUN ./configure --token "$API_TOKEN" && git clone https://ci:{URL_PASSWORD}@git.example.com/app.git
ADD app.tar.gz.sig /tmp/
COPY <<EOF /root/.ssh/id_ed25519
-----BEGIN OPENSSH PRIVATE KEY-----
{KEY_BODY}
-----END OPENSSH PRIVATE KEY-----
EOF
CMD curl -u admin:{CURL_PASSWORD} http://localhost:8080/health
"""


@pytest.fixture
def dockerfile(tmp_path: Path) -> Path:
    path = tmp_path / "Dockerfile"
    path.write_text(DOCKERFILE, encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    main(["check", *args])
    captured = capsys.readouterr()
    return captured.out + captured.err


def _assert_no_secret(output: str) -> None:
    for secret in SECRETS:
        assert secret not in output, f"a secret was printed: {secret[:4]}…"
    for secret in SECRETS:  # not even a long piece of one
        assert secret[len(secret) // 2 :] not in output


def test_the_text_holds_the_secrets_and_rules_see_them(dockerfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = _run(capsys, str(dockerfile), "--select", "LS202", "--output-format", "concise")
    assert output.count("LS202") == len(SECRETS)
    assert all(secret in DOCKERFILE for secret in SECRETS)


@pytest.mark.parametrize("output_format", ["full", "concise", "json", "github"])
def test_no_format_prints_a_secret(dockerfile: Path, capsys: pytest.CaptureFixture[str], output_format: str) -> None:
    output = _run(capsys, str(dockerfile), "--output-format", output_format, "--select", "ALL")
    assert "LS202" in output and "LS502" in output  # the secret lines are reported, by several rules
    _assert_no_secret(output)


def test_full_format_masks_the_excerpt_and_keeps_the_rest(dockerfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = _run(capsys, str(dockerfile), "--select", "LS202,LS502")
    assert f"ghp_{MASK}" in output
    assert f"git clone https://ci:{URL_PASSWORD[:3]}{MASK}@git.example.com/app.git" in output
    assert "CMD curl -u admin:" in output  # the line is shown, only the secret is masked


def test_excerpt_is_masked_when_the_secret_rule_is_off(dockerfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = _run(capsys, str(dockerfile), "--select", "LS502,LS501", "--output-format", "full")
    assert "CMD curl -u admin:" in output
    _assert_no_secret(output)


def test_json_edits_that_carry_a_secret_are_masked_and_marked(
    dockerfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = _run(capsys, str(dockerfile), "--select", "LS502", "--output-format", "json")
    records = json.loads(output)
    edits = [edit for record in records if record["fix"] for edit in record["fix"]["edits"]]
    assert any(edit.get("redacted") for edit in edits)  # the exec-form rewrite of the CMD line
    _assert_no_secret(output)


@pytest.mark.parametrize("unsafe", [False, True])
def test_diff_prints_no_secret(dockerfile: Path, capsys: pytest.CaptureFixture[str], unsafe: bool) -> None:
    flags = ["--unsafe-fixes"] if unsafe else []
    output = _run(capsys, str(dockerfile), "--diff", "--select", "ALL", *flags)
    assert output.startswith("--- a/")  # fixes changed lines that hold secrets
    if unsafe:
        assert "-ENV API_TOKEN=" in output  # LS201 removed the line; the diff shows it, masked
    _assert_no_secret(output)


def test_fix_and_show_fixes_print_no_secret(dockerfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = _run(capsys, str(dockerfile), "--fix", "--unsafe-fixes", "--show-fixes", "--select", "ALL")
    assert "Fixed" in output
    _assert_no_secret(output)
    assert URL_PASSWORD in dockerfile.read_text(encoding="utf-8")  # the file keeps its content


def test_suppressed_secret_is_still_masked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(f"FROM node:20\n# lintslim: ignore=LS202\nCMD curl -u admin:{CURL_PASSWORD} http://x/\n")
    output = _run(capsys, str(path), "--select", "LS202,LS502")
    assert "LS502" in output and "LS202" not in output
    _assert_no_secret(output)


def test_standard_input_filter_output_is_the_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The documented exception: with `--fix -` standard output is the fixed file itself."""
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(DOCKERFILE.encode())))
    main(["check", "--fix", "-", "--select", "LS501"])
    captured = capsys.readouterr()
    assert URL_PASSWORD in captured.out
    _assert_no_secret(captured.err)


# --- the Redactor itself ------------------------------------------------------------------------------


def test_mask_shows_at_most_a_quarter() -> None:
    assert mask(GITHUB_TOKEN) == "ghp_" + MASK
    assert mask("hunter2") == "h" + MASK
    assert mask("abc") == MASK


def test_line_masks_by_span_and_maps_columns() -> None:
    text = "ENV A=1 TOKEN=abcdefghijkl B=2\n"
    start = text.index("abcdefghijkl")
    redactor = Redactor.build(text, [Span(start, start + 12)])
    line = redactor.line(0, len(text) - 1)
    assert line.text == "ENV A=1 TOKEN=abc" + MASK + " B=2"
    assert line.column(start + 1) == start + 1  # where the secret starts
    assert line.column(start + 13) == start + 1 + len("abc" + MASK)  # just past it
    after = text.index(" B=2") + 2  # the column of `B`, after the secret
    assert line.text[line.column(after) - 1] == "B"


def test_multi_line_secret_masks_every_line() -> None:
    text = "-----BEGIN RSA PRIVATE KEY-----\nline-one-of-key\nline-two-of-key\n-----END RSA PRIVATE KEY-----\n"
    body_start = text.index("line-one")
    body_end = text.index("\n-----END")
    redactor = Redactor.build(text, [Span(body_start, body_end)])
    second = text.index("line-two")
    assert redactor.line(second, second + len("line-two-of-key")).text == MASK
    assert "line-two-of-key" not in redactor.scrub(text)


def test_scrub_masks_values_anywhere_and_keeps_short_values_alone() -> None:
    redactor = Redactor.build("X=ab Y=secretvalue", [Span(2, 4), Span(7, 18)])
    assert redactor.scrub("+ENV Y=secretvalue") == "+ENV Y=se" + MASK
    assert redactor.scrub("about") == "about"  # a two-character secret is masked by span only

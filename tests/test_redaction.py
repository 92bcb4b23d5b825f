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


@pytest.mark.parametrize("output_format", ["full", "concise", "json", "github", "sarif", "junit", "gitlab"])
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


# --- leaks found by an adversarial run over every format (each was printed before its fix) ---------------

CONTINUED_PASSWORD = ("Qv7Tz2" + "Wm9Kp4", "Hx3Nb8" + "Rc5Ld1")
KEY_LINES = ("kP4xR8mW2zQ7vB1nT6yH3jL9cF5gD0sA" * 2, "Wn7Kq2Zp5Xr8Tv3Ym6Bs1Hd4Jf9Lg0Mc" * 2)
AWS_SECRET_WITH_SLASH = "/f3+rFUsiTNH1L1g" + "Z8zX3/thWxBS+GnUOHzgl83Z"
HEALTHCHECK_PASSWORD = "XVfWcb" + "t6rnjCmN"
URL_PASSWORD_CUT = "vBtR3NY" + "uMyVjP8"
OPTION_PASSWORDS = ("Tq8Wz3" + "Lm6Xp1", "Rb4Yk9" + "Nc2Vh7", "Jd5Gs1" + "Pf8Qw3")

LEAKS = {
    "value continued on the next line (--diff shows lines one by one)": (
        f"FROM node:20\nADD a.tar.gz.sig /tmp/\nENV DB_PASSWORD={CONTINUED_PASSWORD[0]}\\\n{CONTINUED_PASSWORD[1]}\n",
        CONTINUED_PASSWORD,
    ),
    "private key body in a COPY heredoc (--diff)": (
        "FROM node:20\nADD a.tar.gz.sig /tmp/\nCOPY <<EOF /root/.ssh/id_rsa\n-----BEGIN RSA PRIVATE KEY-----\n"
        f"{KEY_LINES[0]}\n{KEY_LINES[1]}\n-----END RSA PRIVATE KEY-----\nEOF\n",
        KEY_LINES,
    ),
    "AWS secret key starting with a slash (read as a path)": (
        f"FROM node:20\nENV AWS_SECRET_ACCESS_KEY={AWS_SECRET_WITH_SLASH}\nWORKDIR app\n",
        (AWS_SECRET_WITH_SLASH,),
    ),
    "curl -fu in a HEALTHCHECK (combined options; HEALTHCHECK was not read)": (
        f"FROM node:20\nARG GIT_COMMIT\nRUN npm ci\nHEALTHCHECK CMD curl -fu admin:{HEALTHCHECK_PASSWORD} http://localhost/\n",
        (HEALTHCHECK_PASSWORD,),
    ),
    "a message quoting the command cut short (LS104)": (
        f"FROM node:20\nARG GIT_COMMIT\nRUN git clone https://deploy:{URL_PASSWORD_CUT}@github.com/org/repo.git\n",
        (URL_PASSWORD_CUT,),
    ),
    "a JSON setting inside an ENV value (--diff)": (
        f'FROM node:20\nADD a.tar.gz.sig /tmp/\nENV CONFIG={{"password":"{OPTION_PASSWORDS[0]}"}}\n',
        (OPTION_PASSWORDS[0],),
    ),
    "options inside an ENV value, aws configure set, az login -p": (
        "FROM node:20\nADD a.tar.gz.sig /tmp/\n"
        f'ENV JAVA_OPTS="-Xmx1g -Dspring.datasource.password={OPTION_PASSWORDS[0]}"\n'
        f"RUN aws configure set aws_secret_access_key {OPTION_PASSWORDS[1]}\n"
        f"RUN az login -u ci -p {OPTION_PASSWORDS[2]}\n",
        OPTION_PASSWORDS,
    ),
}


def _pieces(secret: str, width: int = 8) -> list[str]:
    return [secret[start : start + width] for start in range(len(secret) - width + 1)]


@pytest.mark.parametrize(
    "flags",
    [
        ["--output-format", "full"],
        ["--output-format", "concise"],
        ["--output-format", "json"],
        ["--output-format", "github"],
        ["--output-format", "sarif"],
        ["--output-format", "sarif", "--unsafe-fixes"],
        ["--output-format", "junit"],
        ["--output-format", "gitlab"],
        ["--diff", "--unsafe-fixes"],
    ],
)
@pytest.mark.parametrize("leak", list(LEAKS), ids=list(LEAKS))
def test_found_leaks_stay_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], leak: str, flags: list[str]
) -> None:
    text, secrets = LEAKS[leak]
    path = tmp_path / "Dockerfile"
    path.write_text(text, encoding="utf-8")
    output = _run(capsys, str(path), "--select", "ALL", *flags)
    assert output.strip()  # something is reported or diffed around the secret
    for secret in secrets:
        assert secret in text
        assert not [piece for piece in _pieces(secret) if piece in output], f"a piece of {secret[:3]}… was printed"


def test_scrub_masks_a_secret_cut_short_in_a_message() -> None:
    text = f"RUN git clone https://ci:{URL_PASSWORD_CUT}@example.com/r.git"
    start = text.index(URL_PASSWORD_CUT)
    redactor = Redactor.build(text, [Span(start, start + len(URL_PASSWORD_CUT))])
    # five characters of the secret were quoted: at most a quarter of them stays
    assert redactor.scrub(f"before `{text[:30]}...`") == f"before `{text[:26]}{MASK}...`"
    assert redactor.scrub("plain text...") == "plain text..."


def test_a_rule_crash_quoting_the_text_prints_no_secret(
    dockerfile: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lintslim.rules.hygiene.workdir_relative_path import WorkdirRelativePath

    def crash(self: object, ctx: object) -> None:
        raise ValueError(f"cannot read {DOCKERFILE!r}")

    monkeypatch.setattr(WorkdirRelativePath, "check", crash)
    output = _run(capsys, str(dockerfile), "--select", "LS501")
    assert "internal error in rule LS501" in output
    _assert_no_secret(output)

"""Unit tests for the RUN-command hygiene rules (LS540–LS552) where case files are not enough."""

from __future__ import annotations

import pytest

from lintslim.config import settings_from_mapping
from lintslim.engine.linter import Linter
from lintslim.engine.registry import default_registry
from lintslim.rules.hygiene._run_helpers import _dash_release_has_pipefail, has_option, substitutions
from lintslim.syntax.shell import split_commands
from lintslim.syntax.source import Span
from lintslim.syntax.stages import under_any

UNPINNED = """\
FROM python:3.12-slim
RUN pip install --no-cache-dir flask && npm install -g pm2 && gem install rake && go install example.com/x@latest
"""
OPT_IN = ("LS541", "LS542", "LS543", "LS544")


def _codes(text: str, **raw: object) -> list[str]:
    registry = default_registry()
    linter = Linter.for_path(registry, settings_from_mapping(dict(raw), registry), None, None)
    _, diagnostics = linter.lint_text(text)
    return sorted(diagnostic.code for diagnostic in diagnostics)


def test_pinning_rules_are_off_by_default() -> None:
    found = _codes(UNPINNED)
    assert not set(found) & set(OPT_IN)


def test_pinning_rules_run_when_selected_by_alias() -> None:
    assert _codes(UNPINNED, select=["DL3013", "DL3016", "DL3028", "DL3062"]) == list(OPT_IN)


def test_pinning_rules_are_not_enabled_by_a_family_prefix() -> None:
    assert not set(_codes(UNPINNED, select=["LS5"])) & set(OPT_IN)


@pytest.mark.parametrize(
    ("name", "tag", "expected"),
    [
        ("debian", "trixie-slim", True),
        ("debian", "13.1", True),
        ("debian", "12", False),
        ("debian", "bookworm-slim", False),
        ("python", "3.13-slim-trixie", True),
        ("python", "3.12-slim", False),  # which Debian a tag follows changes over time: unknown
        ("ubuntu", "24.04", False),
        ("ubuntu", "25.04", True),
        ("ubuntu", "noble", False),
        ("node", "22-bookworm", False),
    ],
)
def test_dash_pipefail_by_release(name: str, tag: str, expected: bool) -> None:
    assert _dash_release_has_pipefail(name, tag) is expected


def test_has_option_reads_clusters_up_to_a_value_option() -> None:
    assert has_option(("-qO-", "https://x"), ("--quiet",), short="q", value_letters="O")
    assert not has_option(("-Oq", "https://x"), ("--quiet",), short="q", value_letters="O")  # `q` is the file name
    assert has_option(("--progress=dot:giga",), ("--progress",))
    assert not has_option(("--", "-q"), ("--quiet",), short="q")


def test_under_any() -> None:
    assert under_any("/root/.cache/pip", ("/root/.cache",))
    assert under_any("/root/.cache/", ("/root/.cache",))
    assert not under_any("/root/.cachedir", ("/root/.cache",))


@pytest.mark.parametrize(
    ("raw", "scripts"),
    [
        ("x=\"$(dpkg --print-architecture | awk -F- '{ print $NF }')\"", [["dpkg", "awk"]]),
        ("v=`curl -s https://example.com | jq -r .v`", [["curl", "jq"]]),
        ("n=$(( 1 | 2 ))", []),  # arithmetic: no command
        ("a='$(not run)'", []),  # single quotes: no substitution
        ('x="$(echo ")" | tr a b)"', [["echo", "tr"]]),  # a `)` inside quotes does not close it
        ("x=$(unterminated | sh", [["unterminated", "sh"]]),  # cut short: read to the end, no error
        ("x=`unterminated", [["unterminated"]]),
    ],
)
def test_substitutions_are_split_into_their_commands(raw: str, scripts: list[list[str]]) -> None:
    word = split_commands(raw, Span)[0].words[0]
    assert [[command.name for command in inner] for inner in substitutions(word)] == scripts


def test_substitution_spans_point_into_the_source() -> None:
    text = "RUN set -eux; \\\n\tx=\"$(dpkg --print-architecture | awk -F- '{ print $NF }')\"\n"
    word = split_commands(text[4:], lambda start, end: Span(4 + start, 4 + end))[1].words[0]
    first, second = next(substitutions(word))
    assert text[first.span.start : first.span.end] == "dpkg --print-architecture"
    assert text[second.span.start : second.span.end] == "awk -F- '{ print $NF }'"

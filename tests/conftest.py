"""Shared test setup."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _output_format_from_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default `--output-format auto` picks `github` under GitHub Actions, and `LINTSLIM_OUTPUT_FORMAT`
    overrides it: tests that rely on the default must see the same one wherever the suite runs."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("LINTSLIM_OUTPUT_FORMAT", raising=False)

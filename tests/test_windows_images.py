"""Which stages build on Windows images (cmd, not /bin/sh, runs their shell-form RUNs): one test,
`BuildGraph.builds_on_windows`, shared by LS525, LS550 (`run_commands._windows`) and the ShellCheck
analysis (`shellcheck._windows`), which had three versions that disagreed."""

from __future__ import annotations

import pytest

from lintslim.analysis.shellcheck import stage_shell
from lintslim.config import settings_from_mapping
from lintslim.engine.linter import Linter
from lintslim.engine.registry import default_registry
from lintslim.rules.hygiene._stage_helpers import builds_on_windows
from lintslim.syntax.parser import parse

WINDOWS = [
    "FROM mcr.microsoft.com/windows:ltsc2019",  # run_commands looked for `windows/` and missed it
    "FROM mcr.microsoft.com/windows/servercore:ltsc2022",
    "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022",
    "FROM mcr.microsoft.com/windows/servercore/iis",
    "FROM microsoft/windowsservercore",
    "FROM python:3.12-windowsservercore-ltsc2022",
    "FROM mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022",
    "FROM --platform=windows/amd64 mcr.microsoft.com/powershell:lts",  # run_commands ignored --platform
    "ARG WIN=ltsc2022\nFROM mcr.microsoft.com/windows/servercore:${WIN}",
    "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS base\nFROM base",
    "FROM --platform=windows/amd64 mcr.microsoft.com/powershell:lts AS base\nFROM base",
]
NOT_WINDOWS = [
    "FROM alpine:3.20",
    "FROM dockcross/windows-static-x64",  # a Linux image that cross-compiles for Windows
    "FROM ghcr.io/acme/windows-installer-builder:1.0",
    "FROM --platform=linux/amd64 golang:1.23",
    "FROM --platform=$TARGETPLATFORM golang:1.23",
    "FROM ${UNKNOWN_BASE}",
]


@pytest.mark.parametrize(("text", "expected"), [(t, True) for t in WINDOWS] + [(t, False) for t in NOT_WINDOWS])
def test_builds_on_windows(text: str, expected: bool) -> None:
    dockerfile = parse(text + "\nRUN dir | findstr foo\n")
    graph = dockerfile.graph
    stage = graph.stages[-1]
    assert graph.builds_on_windows(stage) is expected
    assert builds_on_windows(graph, stage) is expected  # the rules' helper asks the graph
    assert stage_shell(dockerfile, dockerfile.instructions[-1]) == (None if expected else "sh")


def _codes(text: str, code: str) -> list[str]:
    registry = default_registry()
    linter = Linter.for_path(registry, settings_from_mapping({"select": [code]}, registry), None, None)
    _, diagnostics = linter.lint_text(text)
    return [diagnostic.code for diagnostic in diagnostics]


@pytest.mark.parametrize("text", WINDOWS)
def test_pipe_without_pipefail_leaves_windows_images_alone(text: str) -> None:
    assert _codes(text + "\nRUN dir | findstr foo\n", "LS550") == []


@pytest.mark.parametrize("text", NOT_WINDOWS[:4])
def test_pipe_without_pipefail_on_linux_images(text: str) -> None:
    assert _codes(text + "\nRUN curl -fsSL https://example.com/x.tgz | tar xz\n", "LS550") == ["LS550"]

"""What the build rules say: messages must hold for every case a rule covers."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintslim.config import settings_from_mapping
from lintslim.engine.linter import Linter
from lintslim.engine.registry import default_registry


def _messages(code: str, text: str, context: Path | None = None) -> list[str]:
    registry = default_registry()
    linter = Linter.for_path(registry, settings_from_mapping({"select": [code]}, registry), None, context)
    _, diagnostics = linter.lint_text(text, None)
    return [diagnostic.message for diagnostic in diagnostics]


@pytest.mark.parametrize("name", ["VERSION", "GIT_COMMIT", "BUILD_DATE", "BUILD_NUMBER"])
def test_ls104_says_the_arg_is_usually_set_per_build(name: str) -> None:
    """`ARG VERSION` does not change on every build (it said so); all these are usually set per build."""
    (message,) = _messages("LS104", f"FROM node:20-slim\nARG {name}\nRUN npm ci\nLABEL x=${name}\n")
    assert message.startswith(f"`ARG {name}` is usually set per build and comes before `RUN npm ci` (line 3)")
    assert "every build" not in message


_PNPM_WORKSPACE = {
    "package.json": '{"name": "monorepo", "private": true}',
    "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
    "pnpm-workspace.yaml": "packages:\n  - 'packages/*'\n",
    "packages/api/package.json": '{"name": "api"}',
    "packages/api/index.js": "console.log(1)\n",
}
_PNPM_ADVICE = (
    "in a pnpm workspace the install reads every package's `package.json`: run `pnpm fetch` (it needs only "
    "`pnpm-lock.yaml`) before that `COPY`, and `pnpm install --offline` after it"
)


def _write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def test_ls103_pnpm_workspace_with_root_manifests_copied_first(tmp_path: Path) -> None:
    """It said "copy `package.json` and `pnpm-lock.yaml` first" though they were: the broad COPY that
    follows is the problem, and in a workspace the install also needs every package's manifest."""
    text = (
        "FROM node:20-slim\nWORKDIR /app\nCOPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./\n"
        "COPY . .\nRUN pnpm install --frozen-lockfile\n"
    )
    for context in (_write(tmp_path, _PNPM_WORKSPACE), None):  # the COPY names the workspace file
        (message,) = _messages("LS103", text, context)
        assert message.endswith(f"; {_PNPM_ADVICE}"), message
        assert "first" not in message


def test_ls103_pnpm_workspace_known_from_the_context_only(tmp_path: Path) -> None:
    text = "FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN pnpm install\n"
    (message,) = _messages("LS103", text, _write(tmp_path, _PNPM_WORKSPACE))
    assert message.endswith(_PNPM_ADVICE)
    (message,) = _messages("LS103", text)  # without the context, nothing says it is a workspace
    assert message.endswith("copy `package.json` and `pnpm-lock.yaml` first, install, then copy the rest")


@pytest.mark.parametrize("keyword", ["COPY", "ADD"])
def test_ls103_manifests_copied_first_then_a_broad_copy(keyword: str) -> None:
    text = f"FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\n{keyword} . .\nRUN npm ci\n"
    (message,) = _messages("LS103", text)
    assert message.endswith(f"; move that `{keyword}` after the install, unless the install reads what it copies")

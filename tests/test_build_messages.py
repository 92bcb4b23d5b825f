"""What the build rules say: messages must hold for every case a rule covers."""

from __future__ import annotations

import pytest

from lintslim.config import settings_from_mapping
from lintslim.engine.linter import Linter
from lintslim.engine.registry import default_registry


def _messages(code: str, text: str) -> list[str]:
    registry = default_registry()
    linter = Linter.for_path(registry, settings_from_mapping({"select": [code]}, registry), None)
    _, diagnostics = linter.lint_text(text, None)
    return [diagnostic.message for diagnostic in diagnostics]


@pytest.mark.parametrize("name", ["VERSION", "GIT_COMMIT", "BUILD_DATE", "BUILD_NUMBER"])
def test_ls104_says_the_arg_is_usually_set_per_build(name: str) -> None:
    """`ARG VERSION` does not change on every build (it said so); all these are usually set per build."""
    (message,) = _messages("LS104", f"FROM node:20-slim\nARG {name}\nRUN npm ci\nLABEL x=${name}\n")
    assert message.startswith(f"`ARG {name}` is usually set per build and comes before `RUN npm ci` (line 3)")
    assert "every build" not in message

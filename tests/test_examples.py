"""The example projects: the Lambda ones are clean under every rule, and each is taken for a Lambda image."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lintslim.analysis.aws_lambda import Reason, lambda_image
from lintslim.config import Settings
from lintslim.engine.linter import Linter
from lintslim.engine.registry import default_registry
from lintslim.engine.rule import RuleContext
from lintslim.runner import build_inputs

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
LAMBDA_EXAMPLES = EXAMPLES / "lambda"


def test_lambda_examples_pass_every_rule() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lintslim", "check", "--select", "ALL", str(LAMBDA_EXAMPLES)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed." in result.stdout


@pytest.mark.parametrize(
    ("project", "reasons", "language"),
    [
        ("python-aws-base", [Reason.AWS_BASE, Reason.TEMPLATE], "python"),
        ("python-slim-ric", [Reason.RUNTIME_CLIENT], "python"),
        ("rust-static", [Reason.RUNTIME_CLIENT], "rust"),
    ],
)
def test_lambda_examples_are_lambda_images(project: str, reasons: list[Reason], language: str) -> None:
    path = str(LAMBDA_EXAMPLES / project / "Dockerfile")
    inputs = build_inputs(path)
    linter = Linter.for_path(default_registry(), Settings(), path, inputs.context_dir, inputs.build_args)
    dockerfile = linter.parse(Path(path).read_text(encoding="utf-8"), path)
    context = RuleContext(
        dockerfile, build_context=linter.build_context(path), sam_templates=linter.sam_templates(path)
    )
    image = lambda_image(context)
    assert image is not None
    assert [item.reason for item in image.evidence] == reasons
    assert image.language == language


def test_the_other_examples_have_findings() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lintslim", "check", "--output-format", "concise", str(EXAMPLES / "Dockerfile")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1 and "LS503" in result.stdout

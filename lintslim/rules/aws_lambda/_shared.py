"""What every LS4xx rule says the same way."""

from __future__ import annotations

from lintslim.analysis.aws_lambda import LambdaImage


def lambda_reason(image: LambdaImage) -> str:
    """Why the image is taken for a Lambda image, for the end of a message; nothing on an AWS base
    (the base says it)."""
    return "" if image.on_aws_base else f" (a Lambda image: {image.explanation})"

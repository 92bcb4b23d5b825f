"""`lintslim check --show-savings`: the final base's estimated size and what fixes would save."""

from __future__ import annotations

from lintslim.analysis.savings import estimate_savings, image_profile
from lintslim.runner import FileReport


def render_savings(report: FileReport) -> str:
    """Lines for people; every figure labelled an estimate with its basis (first version)."""
    assert report.dockerfile is not None
    profile = image_profile(report.dockerfile)
    lines = []
    if profile.base_size_mb is not None:
        lines.append(f"{report.path}: final base {profile.final_base}: ~{profile.base_size_mb:g} MB (estimate)")
    lines += [
        f"{report.path}:{saving.line}: {saving.code} would save ~{saving.saving_mb:g} MB "
        f"({saving.from_image} → {saving.to_image}; estimate)"
        for saving in estimate_savings(report.dockerfile, report.diagnostics)
    ]
    return "".join(line + "\n" for line in lines)

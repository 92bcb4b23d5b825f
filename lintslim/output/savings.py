"""`lintslim check --show-savings`: the final base's estimated size and what fixes would save.

Lines for people, printed after a file's findings.  Every figure says it is an estimate and what
it rests on; a base lintslim has no size for says so in one line instead of staying silent.  A
saving that no fix makes (an LS101/LS102 finding on a toolchain base without a base-changing fix)
says it is the rule's suggestion: "if the final stage ran on python:3.12-slim".
"""

from __future__ import annotations

from lintslim.analysis.savings import (
    BaseChange,
    ImageProfile,
    Suggestion,
    base_changes,
    image_profile,
    saving_of,
    suggested_saving,
    suggestion,
)
from lintslim.knowledge.images import size_facts
from lintslim.output.common import report_redactor
from lintslim.runner import FileReport


def render_savings(report: FileReport) -> str:
    """The savings lines of one checked file (empty when it could not be parsed)."""
    if report.dockerfile is None:
        return ""
    path = report.path
    profile = image_profile(report.dockerfile)
    lines = [f"{path}: {_base_line(profile)}"]
    if profile.base_size_mb is not None:
        changes = base_changes(report.dockerfile, report.diagnostics, profile)
        lines += [f"{path}:{change.line}: {_change_line(profile, change)}" for change in changes]
        suggested = None if changes else suggestion(report.dockerfile, report.diagnostics)
        if suggested is not None:
            lines.append(f"{path}:{suggested.line}: {_suggestion_line(profile, suggested)}")
    text = "".join(line + "\n" for line in lines)
    # image names are not secrets, but a reference may come from an ARG a secret scan flagged
    redactor = report_redactor(report)
    return redactor.scrub(text) if redactor else text


def _base_line(profile: ImageProfile) -> str:
    if profile.final_base is None:
        return "final base image not resolved; no size can be estimated"
    if profile.base_size_mb is None:
        return f"final base {profile.final_base}: no size known for it; no saving can be estimated"
    return (
        f"final base {profile.final_base}: ~{profile.base_size_mb:g} MB "
        f"(estimate, uncompressed; basis: {profile.size_basis})"
    )


def _change_line(before: ImageProfile, change: BaseChange) -> str:
    code, after = change.diagnostic.code, change.after
    moved = f"{before.final_base} → {after.final_base}"
    saving = saving_of(before, change)
    if saving is None:
        return f"{code} fix: {moved}: no size known for {after.final_base}; no saving estimated"
    if saving.saving_mb <= 0:
        return f"{code} fix: {moved} (~{after.base_size_mb:g} MB): no saving (estimate)"
    return (
        f"{code} fix would save ~{saving.saving_mb:g} MB: {moved} (~{after.base_size_mb:g} MB) "
        f"(estimate; basis: {after.size_basis})"
    )


def _suggestion_line(before: ImageProfile, suggested: Suggestion) -> str:
    code, after = suggested.diagnostic.code, suggested.runtime
    why = f"the runtime {code} suggests for {suggested.why}"
    saving = suggested_saving(before, suggested)
    if saving is None:
        return f"{code} (no fix): if the final stage ran on {after.final_base}, {why}: no size known for it"
    if saving.saving_mb <= 0:
        return (
            f"{code} (no fix): if the final stage ran on {after.final_base} (~{after.base_size_mb:g} MB), {why}: "
            "no saving (estimate)"
        )
    return (
        f"{code} (no fix) would save ~{saving.saving_mb:g} MB (estimate) if the final stage ran on "
        f"{after.final_base} (~{after.base_size_mb:g} MB), {why}; basis: {after.size_basis}"
    )


def size_table() -> str:
    """The Markdown table of every sourced size (the `sizes` region of docs/savings.md)."""
    rows = [
        "| Knowledge-base entry | Measured image | Size (MB, uncompressed) | As of | Source |",
        "| --- | --- | --- | --- | --- |",
    ]
    for fact in size_facts():
        entry = f"`{fact.entry}`" + (f" (variant `{fact.variant}`)" if fact.variant else "")
        measured = f"`{fact.image}`" if fact.image else "(empty by definition)"
        source = (fact.source or "").replace("|", "\\|")
        rows.append(f"| {entry} | {measured} | {fact.size_mb:g} | {fact.as_of or '—'} | {source} |")
    return "\n".join(rows)

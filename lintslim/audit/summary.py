"""The audit's terminal summary (`--output-format summary`, the default): tables for people, with rich.

Colour only on a terminal and without `NO_COLOR`; otherwise plain text with ASCII rules, 80 columns
wide, so that a piped or `-o` summary diffs and greps cleanly.  Paths and messages are printed as
text, never as rich markup.  Every MB figure is an estimate and says so.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TextIO

from lintslim.audit.aggregate import SEVERITIES, AuditTotals, FileRow
from lintslim.audit.model import FileResult
from lintslim.engine.rule import Family

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table

LISTED = 10  # files listed under each heading before "and K more"
WORST_REPOSITORIES = 10
LARGEST_SAVINGS = 5
PLAIN_WIDTH = 80
SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan", "style": "dim"}
ESTIMATE_BASIS = "estimates from the knowledge base's image sizes (uncompressed, linux/amd64, each with its source)"
FAMILY_TITLES = {family.slug: family.title for family in Family}
# Control characters (C0, DEL, C1) in a path or message are shown escaped, never sent to the terminal:
# an audited repository's names are not ours, and an escape sequence in one could rewrite the screen.
CONTROL_CHARACTERS = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}


class SummaryReporter:
    """Keeps nothing per file (the totals do); prints every section at the end."""

    def __init__(self, out: TextIO, fix: bool = False) -> None:
        self.out = out
        self.fix = fix  # --fix was asked for: report the fixes even when there were none

    def write(self, result: FileResult) -> None:
        pass

    def finish(self, totals: AuditTotals) -> None:
        terminal = self.out.isatty()
        # off a terminal, render to a buffer first so that lines lose the trailing blanks tables pad them with
        buffer = None if terminal else io.StringIO()
        console = make_console(buffer or self.out, terminal)
        for position, section in enumerate(sections(totals, plain=console.color_system is None, fix=self.fix)):
            if position:
                console.print()
            console.print(section)
        if buffer is not None:
            self.out.write("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()))


def make_console(out: TextIO, terminal: bool) -> Console:
    from rich.console import Console

    color = terminal and "NO_COLOR" not in os.environ
    return Console(
        file=out,
        force_terminal=color,
        color_system="auto" if color else None,
        width=None if terminal else PLAIN_WIDTH,
        markup=False,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )


def sections(totals: AuditTotals, plain: bool, fix: bool = False) -> list[RenderableType]:
    """The summary's parts, in order; sections with nothing to say are left out."""
    parts: list[RenderableType] = [totals_line(totals)]
    if totals.findings:
        parts += [family_table(totals, plain), rule_table(totals, plain)]
    worst = worst_repositories(totals)
    if worst:
        parts.append(repository_table(totals, worst, plain))
    if totals.errors:
        parts.append(listing("Files that could not be checked", [_error_line(*item) for item in totals.errors]))
    if totals.parse_errors:
        parts.append(listing("Files BuildKit would reject (LS900)", totals.parse_errors))
    parts.append(savings_section(totals, plain))
    if fix or totals.fixed or totals.written or totals.created or totals.problems:
        parts.append(fixes_section(totals, plain))
    return parts


def totals_line(totals: AuditTotals) -> RenderableType:
    from rich.text import Text

    line = Text()
    line.append(f"{_count(totals.checked, 'Dockerfile')} checked", style="bold")
    line.append(f" in {_count(len(totals.repositories), 'repository', 'repositories')}: ")
    line.append(_count(totals.findings, "finding"), style="bold yellow" if totals.findings else "bold green")
    line.append(", ")
    line.append(f"{_count(len(totals.errors), 'file')} could not be checked", style="red" if totals.errors else "")
    line.append(", ")
    line.append(
        f"{_count(len(totals.parse_errors), 'file')} with parse errors", style="red" if totals.parse_errors else ""
    )
    if totals.excluded:
        line.append(f"; {_count(totals.excluded, 'file')} excluded by configuration")
    line.append(".")
    return line


def family_table(totals: AuditTotals, plain: bool) -> RenderableType:
    table = _table(plain)
    table.add_column("Family")
    table.add_column("Findings", justify="right")
    table.add_column("Share", justify="right")
    table.add_column("What it covers", overflow="ellipsis", no_wrap=True)
    for slug, findings in sorted(totals.by_family.items(), key=lambda item: (-item[1], item[0])):
        table.add_row(slug, f"{findings:,}", _percent(findings, totals.findings), FAMILY_TITLES.get(slug, ""))
    return _titled("Findings by family", table)


def rule_table(totals: AuditTotals, plain: bool) -> RenderableType:
    table = _table(plain)
    table.caption = (
        f"Est. MB: the MB its fixes (or the runtime it suggests) would save, summed over files; {ESTIMATE_BASIS}."
    )
    table.caption_justify = "left"
    table.add_column("Rule", no_wrap=True, min_width=5)
    table.add_column("Name", overflow="ellipsis", no_wrap=True, min_width=10)
    table.add_column("Severity", no_wrap=True, min_width=8)
    for header in ("Findings", "Files", "Fixable", "Est. MB"):
        table.add_column(header, justify="right", no_wrap=True, min_width=len(header))
    for rule in totals.ranked_rules():
        table.add_row(
            rule.code,
            rule.name,
            _severity(rule.severity),
            f"{rule.findings:,}",
            f"{rule.files:,}",
            f"{rule.fixable:,}",
            _mb(rule.saving_mb) if rule.saving_mb else "-",
        )
    return _titled("Findings by rule", table)


def worst_repositories(totals: AuditTotals) -> list[tuple[str, Sequence[int]]]:
    """The repositories with findings or unchecked files, worst first (severity counts, then findings)."""
    ranked = [r for r in totals.ranked_repositories() if r.findings or r.errors][:WORST_REPOSITORIES]
    return [(r.name, (r.files, r.findings, *(r.by_severity[s] for s in SEVERITIES), r.errors)) for r in ranked]


def common_directory(names: Iterable[str]) -> str | None:
    """The directory every repository is below (`repos/` for `lintslim audit repos/*`), if there is one."""
    names = list(names)
    if len(names) < 2:
        return None
    try:
        common = os.path.commonpath(names)
    except ValueError:  # absolute and relative names mixed
        return None
    return common if common and common not in names else None


def repository_table(totals: AuditTotals, rows: list[tuple[str, Sequence[int]]], plain: bool) -> RenderableType:
    repositories = len(totals.repositories)
    shown = f"top {len(rows)} of {repositories:,}" if repositories > len(rows) else f"{len(rows)}"
    common = common_directory(totals.repositories)
    headers = ("Files", "Findings", *(s.capitalize() for s in SEVERITIES), "Unchecked")
    # a severity (or Unchecked) column no listed repository has is left out: room for the names at 80 columns
    kept = [column for column in range(len(headers)) if column < 2 or any(counts[column] for _, counts in rows)]
    table = _table(plain)
    table.add_column("Repository", overflow="fold")
    for column in kept:
        table.add_column(headers[column], justify="right", no_wrap=True, min_width=len(headers[column]))
    for name, counts in rows:
        shown_name = os.path.relpath(name, common) if common else name
        table.add_row(
            controls_escaped(shown_name), *(f"{counts[column]:,}" if counts[column] else "-" for column in kept)
        )
    return _titled(f"Worst repositories ({shown}{f', under {common}' if common else ''})", table)


def listing(title: str, lines: Sequence[str], limit: int = LISTED) -> RenderableType:
    from rich.text import Text

    more = [Text(f"... and {len(lines) - limit:,} more", style="dim")] if len(lines) > limit else []
    return _section(f"{title} ({len(lines):,})", [*(Text(controls_escaped(line)) for line in lines[:limit]), *more])


def savings_section(totals: AuditTotals, plain: bool) -> RenderableType:
    from rich.text import Text

    body: list[RenderableType] = [Text(f"Basis: {ESTIMATE_BASIS}.")]
    saving_files = [row for row in totals.rows if row.saving_mb > 0]
    if saving_files:
        body.append(
            Text(
                f"{_mb(totals.saving_mb)} MB in all (estimate), across {_count(len(saving_files), 'file')}, "
                "if the fixes that change a final base were applied, or the final stage ran on the runtime "
                "LS101/LS102 suggest (the largest per file)"
            )
        )
        body.append(largest_savings(saving_files))
    else:
        body.append(
            Text("No estimate: no fix or suggested runtime changes a final base whose size the knowledge base knows.")
        )
    body.append(Text(f"Multi-stage builds: {_share(totals.multi_stage, totals.profiled, 'files parsed')}"))
    body.append(
        Text(f"Minimal final bases: {_share(totals.minimal_base, totals.base_known, 'files whose base is known')}")
    )
    return _section("Estimated savings", body)


def largest_savings(rows: Iterable[FileRow]) -> RenderableType:
    """The files whose fixes would save the most, one line each (paths stay whole at 80 columns)."""
    from rich.text import Text

    largest = sorted(rows, key=lambda row: (-row.saving_mb, row.path))[:LARGEST_SAVINGS]
    lines = [f"{_mb(row.saving_mb):>7} MB  {row.path} (from {row.final_base or 'an unknown base'})" for row in largest]
    return _section("Largest estimated savings", [Text(controls_escaped(line)) for line in lines])


def fixes_section(totals: AuditTotals, plain: bool) -> RenderableType:

    applied = sum(totals.fixed.values())
    heading = (
        f"Fixes (--fix): {_count(applied, 'fix', 'fixes')} applied, {_count(len(totals.written), 'file')} written, "
        f"{_count(len(totals.created), 'file')} created, {_count(len(totals.problems), 'problem')}"
    )
    body: list[RenderableType] = []
    if totals.fixed:
        table = _table(plain)
        table.add_column("Rule", no_wrap=True, min_width=5)
        table.add_column("Name", overflow="ellipsis", no_wrap=True)
        table.add_column("Fixes", justify="right", no_wrap=True)
        names = rule_names(totals.fixed)
        for code, count in sorted(totals.fixed.items(), key=lambda item: (-item[1], item[0])):
            table.add_row(code, names.get(code, ""), f"{count:,}")
        body.append(table)
    if totals.written:
        body.append(listing("Files written", totals.written))
    if totals.created:
        body.append(listing("Files created", totals.created))
    if totals.problems:
        body.append(listing("Problems", [f"{path}: {problem}" for path, problem in totals.problems]))
    return _section(heading, body)


def rule_names(codes: Iterable[str]) -> dict[str, str]:
    """The rules' names from the registry: a fixed finding is gone from the totals' rules."""
    from lintslim.engine.registry import default_registry

    registry = default_registry()
    return {code: rule.name for code in codes if (rule := registry.exact(code)) is not None}


def controls_escaped(text: str) -> str:
    """The text with its control characters escaped (`\\x1b`): one line, nothing the terminal acts on."""
    return text.translate(CONTROL_CHARACTERS)


def _section(heading: str, body: Sequence[RenderableType]) -> RenderableType:
    """A bold heading and its lines, indented by two."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.text import Text

    return Group(Text(heading, style="bold"), *(Padding(part, (0, 0, 0, 2)) for part in body))


def _table(plain: bool) -> Table:
    from rich import box
    from rich.table import Table

    head = box.Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True) if plain else box.SIMPLE_HEAD
    return Table(
        box=head,
        header_style="bold",
        show_edge=False,
        padding=(0, 1, 0, 0),  # with the box's blank divider: two spaces between columns, none at the edges
    )


def _titled(title: str, table: Table) -> RenderableType:
    """A table under its heading (a table's own title would wrap at the table's width, not the screen's)."""
    from rich.console import Group
    from rich.text import Text

    return Group(Text(title, style="bold"), table)


def _severity(severity: str) -> RenderableType:
    from rich.text import Text

    return Text(severity, style=SEVERITY_STYLES.get(severity, ""))


def _error_line(path: str, message: str) -> str:
    return message if message.startswith(path) else f"{path}: {message}"


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _share(part: int, whole: int, among: str) -> str:
    return f"{part:,} of {whole:,} {among} ({_percent(part, whole)})" if whole else f"no {among}"


def _mb(value: float) -> str:
    """An estimated size: `~` and no false precision."""
    return f"~{value:,.0f}" if value >= 10 else f"~{value:,.1f}"

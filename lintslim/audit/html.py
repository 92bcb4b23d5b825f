"""The audit's HTML report: one self-contained page, with charts and sortable tables, that needs no network.

The charts are SVG drawn here, in Python, as the page is written: the page reads with scripts off,
the drawing is tested without a browser, and no charting library ships.  The page's one script
(assets/report.js) sorts and filters the tables; a chart's tooltips are SVG `<title>` elements,
which browsers show by themselves.  Every string from the audit (paths, repository names, messages)
is escaped, and a Content-Security-Policy admits only the page's own style and script, by hash, so
a string that slipped past the escaping still could not run a script or load anything.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lintslim import __version__
from lintslim.audit.aggregate import SEVERITIES, AuditTotals, FileRow, RepositoryTotal, RuleTotal
from lintslim.engine.rule import Family
from lintslim.files import InputError

KNOWLEDGE_BASE_URL = "https://github.com/lintslim/lintslim/blob/main/lintslim/knowledge/base_images.toml"
TOP_RULES = 15
TOP_REPOSITORIES = 20
NO_ESTIMATE = "No estimate: no fix changes a final base whose size the knowledge base knows."
ESTIMATE_NOTE = (
    "Every MB figure is an estimate: the final base image's size less the size of the base the fix "
    "moves to (or, for LS101 and LS102 findings without such a fix, of the runtime image they suggest), "
    "both from the sizes in lintslim's knowledge base (uncompressed, linux/amd64, each with its source "
    "and date). A base it has no size for gives no figure, never a guess."
)


def write_html_report(path: Path, totals: AuditTotals) -> None:
    """Write the report; a path that cannot be written is an InputError (one line, exit code 2)."""
    try:
        path.write_text(render_html(totals), encoding="utf-8")
    except OSError as error:
        raise InputError(f"{path}: cannot write the HTML report: {error.strerror or error}") from None


def render_html(totals: AuditTotals) -> str:
    style, script = _asset("report.css"), _asset("report.js")
    body = "\n".join(
        (
            _header(totals),
            _findings_charts(totals),
            _image_charts(totals),
            _rules_table(totals.ranked_rules()),
            _repositories_table(totals.ranked_repositories()),
            _files_table(totals.rows),
            _not_checked(totals),
            _fixes(totals),
            f"<footer><p>Written by lintslim {_e(__version__)}. {_e(ESTIMATE_NOTE)}</p></footer>",
        )
    )
    policy = (
        f"default-src 'none'; style-src '{_digest(style)}'; script-src '{_digest(script)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(policy)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>lintslim audit: {totals.checked:,} Dockerfiles, {totals.findings:,} findings</title>\n"
        f"<style>{style}</style>\n</head>\n<body>\n{body}\n<script>{script}</script>\n</body>\n</html>\n"
    )


def _asset(name: str) -> str:
    return resources.files("lintslim.audit").joinpath("assets").joinpath(name).read_text(encoding="utf-8")


def _digest(text: str) -> str:
    """A CSP source expression that admits exactly this inline style or script."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


# --- figures ---------------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _mb(value: float) -> str:
    return f"{value:,.1f}"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "n/a"


def _shorten(text: str, limit: int, keep_end: bool = False) -> str:
    """At most `limit` characters: a path keeps its end (the file), a name its start."""
    if len(text) <= limit:
        return text
    return "…" + text[-(limit - 1) :] if keep_end else text[: limit - 1] + "…"


def _family_title(slug: str) -> str:
    return next((family.title for family in Family if family.slug == slug), slug)


def _docs_url(url: str) -> str | None:
    """A rule's docs link, when it is one (a link elsewhere, a `javascript:` one, is dropped)."""
    return url if url.startswith("https://") else None


# --- header ----------------------------------------------------------------------------------------


def _header(totals: AuditTotals) -> str:
    failing = sum(repository.failing_files for repository in totals.repositories.values())
    fixable = sum(rule.fixable for rule in totals.rules.values())
    cards = [
        (f"{len(totals.repositories):,}", "repositories"),
        (f"{totals.checked:,}", f"Dockerfiles checked (of {totals.files:,} found, {totals.excluded:,} excluded)"),
        (f"{totals.findings:,}", "findings"),
        *((f"{totals.by_severity[severity]:,}", f"{severity} findings") for severity in SEVERITIES),
        (f"{failing:,}", "files failing"),
        (f"{fixable:,}", "findings with a fix"),
        (f"{len(totals.errors):,}", "files not checked"),
        (f"{len(totals.parse_errors):,}", "files with parse errors"),
        (
            f"≈ {_mb(totals.saving_mb)} MB" if totals.saving_mb else "no estimate",
            "estimated MB saved by fixes or suggested runtimes (largest per file)",
        ),
        (_percent(totals.multi_stage, totals.profiled), "multi-stage builds (of files parsed)"),
        (_percent(totals.minimal_base, totals.base_known), "minimal final bases (of known bases)"),
    ]
    items = "".join(
        f'<div class="card"><span class="value">{_e(value)}</span><span class="label">{_e(label)}</span></div>'
        for value, label in cards
    )
    sections = ("findings", "images", "rules", "repositories", "files", "not-checked")
    toc = "".join(f'<a href="#{name}">{name.replace("-", " ").capitalize()}</a>' for name in sections)
    return (
        "<header><h1>lintslim audit report</h1>"
        f'<p class="muted">{totals.checked:,} Dockerfiles checked in {len(totals.repositories):,} repositories.</p>'
        f'<nav class="toc" aria-label="Sections">{toc}</nav>'
        f'<section class="cards" aria-label="Totals">{items}</section></header>'
    )


# --- charts ----------------------------------------------------------------------------------------

ROW_HEIGHT, BAR_HEIGHT, PADDING, VALUE_WIDTH = 22, 14, 6, 80


@dataclass(frozen=True)
class Layout:
    """A bar chart's geometry in SVG units (12px text): a chart across the page has room for longer labels."""

    width: int = 640
    label_width: int = 220

    @property
    def label_characters(self) -> int:
        return self.label_width // 7


NARROW, WIDE = Layout(), Layout(1120, 400)


@dataclass(frozen=True)
class Segment:
    value: float
    css: str  # the class that colours it
    tip: str  # its tooltip


@dataclass(frozen=True)
class Bar:
    label: str
    segments: tuple[Segment, ...]
    figure: str  # written after the bar
    href: str | None = None
    keep_end: bool = False  # a path: shorten from the start


def bar_chart(bars: Sequence[Bar], description: str, empty: str = "No findings.", layout: Layout = NARROW) -> str:
    """Horizontal bars (stacked when a bar has several segments), scaled to the largest."""
    if not bars:
        return f'<p class="empty">{_e(empty)}</p>'
    widest = max(sum(segment.value for segment in bar.segments) for bar in bars) or 1.0
    height = ROW_HEIGHT * len(bars) + 2 * PADDING
    rows = "".join(_bar_row(bar, PADDING + index * ROW_HEIGHT, widest, layout) for index, bar in enumerate(bars))
    return (
        f'<svg viewBox="0 0 {layout.width} {height}" role="img" aria-label="{_e(description)}" '
        f'xmlns="http://www.w3.org/2000/svg" class="bars">{rows}</svg>'
    )


def _bar_row(bar: Bar, top: int, widest: float, layout: Layout) -> str:
    left = layout.label_width
    span = layout.width - left - VALUE_WIDTH
    middle = top + ROW_HEIGHT / 2
    shown = _shorten(bar.label, layout.label_characters, bar.keep_end)
    label = (
        f'<text x="{left - 8}" y="{middle:.1f}" dy="0.35em" text-anchor="end">'
        f"<title>{_e(bar.label)}</title>{_e(shown)}</text>"
    )
    if bar.href:
        label = f'<a href="{_e(bar.href)}">{label}</a>'
    x = float(left)
    parts = [label, f'<rect class="track" x="{left}" y="{top + 4}" width="{span}" height="{BAR_HEIGHT}"/>']
    for segment in bar.segments:
        width = span * segment.value / widest
        if width > 0:
            parts.append(
                f'<rect class="{_e(segment.css)}" x="{x:.2f}" y="{top + 4}" width="{width:.2f}" '
                f'height="{BAR_HEIGHT}"><title>{_e(segment.tip)}</title></rect>'
            )
            x += width
    parts.append(
        f'<text class="value" x="{layout.width - VALUE_WIDTH + 6}" y="{middle:.1f}" dy="0.35em">{_e(bar.figure)}</text>'
    )
    return f'<g class="bar-row">{"".join(parts)}</g>'


def donut(segments: Sequence[Segment], centre: str, description: str) -> str:
    """A ring cut into the segments' shares, with a figure in its centre."""
    size, outer, inner = 160, 72.0, 46.0
    total = sum(segment.value for segment in segments)
    paths = []
    start = 0.0
    for segment in segments:
        if segment.value <= 0 or total <= 0:
            continue
        end = start + 2 * math.pi * segment.value / total
        paths.append(
            f'<path class="{_e(segment.css)}" d="{_ring(start, end, outer, inner, size / 2)}">'
            f"<title>{_e(segment.tip)}</title></path>"
        )
        start = end
    if not paths:
        paths.append(f'<circle class="track" cx="{size / 2}" cy="{size / 2}" r="{outer}"/>')
    return (
        f'<svg viewBox="0 0 {size} {size}" role="img" aria-label="{_e(description)}" '
        f'xmlns="http://www.w3.org/2000/svg" class="donut">{"".join(paths)}'
        f'<text class="big" x="{size / 2}" y="{size / 2}" dy="0.35em" text-anchor="middle">{_e(centre)}</text></svg>'
    )


def _ring(start: float, end: float, outer: float, inner: float, centre: float) -> str:
    """An SVG path of the ring between two angles (clockwise from the top), drawn as two half arcs
    each way so that a whole circle (one segment of 100%) draws too."""

    def point(radius: float, angle: float) -> str:
        return f"{centre + radius * math.sin(angle):.2f} {centre - radius * math.cos(angle):.2f}"

    middle = (start + end) / 2
    return (
        f"M {point(outer, start)} A {outer} {outer} 0 0 1 {point(outer, middle)} "
        f"A {outer} {outer} 0 0 1 {point(outer, end)} L {point(inner, end)} "
        f"A {inner} {inner} 0 0 0 {point(inner, middle)} A {inner} {inner} 0 0 0 {point(inner, start)} Z"
    )


def _figure(caption: str, chart: str, extra: str = "", wide: bool = False) -> str:
    css = "chart wide" if wide else "chart"
    return f'<figure class="{css}"><figcaption>{_e(caption)}</figcaption>{chart}{extra}</figure>'


def _legend(entries: Iterable[tuple[str, str]]) -> str:
    items = "".join(f'<li><span class="swatch {_e(css)}"></span>{_e(text)}</li>' for css, text in entries)
    return f'<ul class="legend">{items}</ul>'


def _findings_charts(totals: AuditTotals) -> str:
    families = sorted(totals.by_family.items(), key=lambda item: (-item[1], item[0]))
    family_chart = donut(
        [Segment(count, f"fam-{slug}", f"{_family_title(slug)}: {count:,}") for slug, count in families],
        f"{totals.findings:,}",
        "Findings by family",
    )
    family_legend = _legend((f"fam-{slug}", f"{_family_title(slug)}: {count:,}") for slug, count in families)
    rules = totals.ranked_rules()[:TOP_RULES]
    rule_bars = [
        Bar(
            f"{rule.code} {rule.name}",
            (Segment(rule.findings, f"sev-{rule.severity}", f"{rule.code}: {rule.findings:,} findings"),),
            f"{rule.findings:,}",
            _docs_url(rule.url),
        )
        for rule in rules
    ]
    ranked = totals.ranked_repositories()
    shown = [repository for repository in ranked if repository.findings][:TOP_REPOSITORIES]
    repository_bars = [_repository_bar(repository) for repository in shown]
    charts = (
        _figure("Findings by family", family_chart if families else _nothing(), family_legend),
        _figure(f"Findings by rule (top {min(len(totals.rules), TOP_RULES)} of {len(totals.rules)})",
                bar_chart(rule_bars, "Findings by rule"), _severity_legend()),
        _figure(f"Repositories by findings (worst {len(shown)} of {len(ranked)})",
                bar_chart(repository_bars, "Repositories ranked by findings, by severity", layout=WIDE),
                _severity_legend(),
                wide=True),
    )  # fmt: skip
    return f'<section id="findings"><h2>Findings</h2><div class="charts">{"".join(charts)}</div></section>'


def _nothing() -> str:
    return '<p class="empty">No findings.</p>'


def _severity_legend() -> str:
    return _legend((f"sev-{severity}", severity) for severity in SEVERITIES)


def _repository_bar(repository: RepositoryTotal) -> Bar:
    segments = tuple(
        Segment(
            repository.by_severity[severity], f"sev-{severity}", f"{severity}: {repository.by_severity[severity]:,}"
        )
        for severity in SEVERITIES
    )
    return Bar(repository.name, segments, f"{repository.findings:,}", keep_end=True)


def _image_charts(totals: AuditTotals) -> str:
    saving_rules = sorted((r for r in totals.rules.values() if r.saving_mb > 0), key=lambda r: (-r.saving_mb, r.code))
    saving_bars = [
        Bar(
            f"{rule.code} {rule.name}",
            (Segment(rule.saving_mb, "saving", f"{rule.code}: ≈ {_mb(rule.saving_mb)} MB (estimated)"),),
            f"≈ {_mb(rule.saving_mb)} MB",
            _docs_url(rule.url),
        )
        for rule in saving_rules[:TOP_RULES]
    ]
    basis = (
        f'<p class="note">{_e(ESTIMATE_NOTE)} A rule\'s figure sums its files; two fixes that change the same '
        "base overlap, so the total counts each file's largest saving once. Sizes and their sources: "
        f'<a href="{KNOWLEDGE_BASE_URL}">the knowledge base</a>.</p>'
    )
    shares = (
        '<div class="shares">'
        + _share("multi-stage builds", totals.multi_stage, totals.profiled, "of the files parsed into stages")
        + _share(
            "minimal final bases", totals.minimal_base, totals.base_known, "of the files whose final base is known"
        )
        + "</div>"
    )
    charts = (
        _figure("Estimated MB saved by fix or suggested runtime, per rule (estimated)",
                bar_chart(saving_bars, "Estimated MB saved per rule", NO_ESTIMATE), basis),
        _figure("Multi-stage builds and minimal bases", shares,
                '<p class="note">Minimal: scratch, distroless, Chainguard, Alpine or busybox, a musl or '
                "<code>-slim</code> image; never a toolchain (<code>golang:alpine</code> is not).</p>"),
    )  # fmt: skip
    return f'<section id="images"><h2>Images</h2><div class="charts">{"".join(charts)}</div></section>'


def _share(title: str, part: int, whole: int, of: str) -> str:
    chart = donut(
        [Segment(part, "share", f"{title}: {part:,}"), Segment(whole - part, "track", f"others: {whole - part:,}")],
        _percent(part, whole),
        f"Share of {title}",
    )
    return f"<figure>{chart}<figcaption>{_e(title)}: {part:,} {_e(of)} ({whole:,})</figcaption></figure>"


# --- tables ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    title: str
    numeric: bool = False
    css: str | None = None  # the cells' class (`path` wraps long paths)


@dataclass(frozen=True)
class Cell:
    text: str
    key: str | None = None  # the sort key when it is not the text; "" for unknown (sorts last)
    href: str | None = None
    badge: str | None = None  # a class: the text shown as a coloured badge
    title: str | None = None  # shown on hover: the whole of a shortened text


UNKNOWN = Cell("—", "")


def table(
    table_id: str, columns: Sequence[Column], rows: Iterable[Sequence[Cell]], sorted_by: int | None = None
) -> str:
    """A sortable table (the rows already in order of column `sorted_by`, largest first)."""
    head = "".join(_header_cell(column, index == sorted_by) for index, column in enumerate(columns))
    classes = [" ".join(filter(None, ("num" if column.numeric else None, column.css))) for column in columns]
    body = "\n".join(
        "<tr>" + "".join(_cell(cell, css) for cell, css in zip(row, classes, strict=True)) + "</tr>" for row in rows
    )
    return (
        f'<div class="scroll"><table class="sortable" id="{_e(table_id)}">'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>"
    )


def _header_cell(column: Column, sorted_here: bool) -> str:
    kind = ' data-type="number" class="num"' if column.numeric else ""
    order = "descending" if sorted_here else "none"
    return f'<th scope="col" aria-sort="{order}"{kind}><button type="button">{_e(column.title)}</button></th>'


def _cell(cell: Cell, css: str) -> str:
    attributes = (
        (f' class="{css}"' if css else "")
        + (f' data-key="{_e(cell.key)}"' if cell.key is not None else "")
        + (f' title="{_e(cell.title)}"' if cell.title else "")
    )
    content = _e(cell.text)
    if cell.badge:
        content = f'<span class="sev {_e(cell.badge)}">{content}</span>'
    if cell.href:
        content = f'<a href="{_e(cell.href)}">{content}</a>'
    return f"<td{attributes}>{content}</td>"


def _count(value: int) -> Cell:
    return Cell(f"{value:,}")  # the script reads 1,234 as a number: no sort key needed


def _megabytes(value: float | None) -> Cell:
    return Cell(_mb(value)) if value else Cell("—", "0")


def _section(section_id: str, title: str, note: str, content: str) -> str:
    return f'<section id="{section_id}"><h2>{_e(title)}</h2><p class="note">{_e(note)}</p>{content}</section>'


def _rules_table(rules: Sequence[RuleTotal]) -> str:
    columns = (
        Column("Rule"), Column("Name"), Column("Family"), Column("Severity"), Column("Findings", numeric=True),
        Column("Files", numeric=True), Column("With a fix", numeric=True), Column("Est. MB saved", numeric=True),
    )  # fmt: skip
    rows = (
        (
            Cell(rule.code, href=_docs_url(rule.url)),
            Cell(rule.name),
            Cell(_family_title(rule.family)),
            _severity(rule.severity),
            _count(rule.findings),
            _count(rule.files),
            _count(rule.fixable),
            _megabytes(rule.saving_mb),
        )
        for rule in rules
    )
    content = table("rule-table", columns, rows, sorted_by=4) if rules else _nothing()
    return _section("rules", "Rules", "Each rule's code links to its documentation.", content)


def _severity(severity: str | None) -> Cell:
    if severity is None:
        return Cell("—", "0")
    return Cell(severity, str(len(SEVERITIES) - SEVERITIES.index(severity)), badge=f"sev-{severity}")


def _repositories_table(repositories: Sequence[RepositoryTotal]) -> str:
    columns = (
        Column("Repository", css="path"), Column("Files", numeric=True), Column("Findings", numeric=True),
        *(Column(severity.capitalize(), numeric=True) for severity in SEVERITIES),
        Column("Files failing", numeric=True), Column("Not checked", numeric=True),
        Column("Est. MB saved", numeric=True),
    )  # fmt: skip
    rows = (
        (
            Cell(repository.name),
            _count(repository.files),
            _count(repository.findings),
            *(_count(repository.by_severity[severity]) for severity in SEVERITIES),
            _count(repository.failing_files),
            _count(repository.errors),
            _megabytes(repository.saving_mb),
        )
        for repository in repositories
    )
    note = "Worst first: most errors, then warnings, info and style findings."
    return _section("repositories", "Repositories", note, table("repository-table", columns, rows))


def _files_table(rows: Sequence[FileRow]) -> str:
    columns = (
        Column("Path in its repository", css="path"), Column("Repository", css="path"),
        Column("Findings", numeric=True),
        Column("Worst", numeric=True), Column("Final base"), Column("Base MB (est.)", numeric=True),
        Column("Multi-stage", numeric=True), Column("Minimal base", numeric=True),
        Column("Est. MB saved", numeric=True), Column("Error", css="path"),
    )  # fmt: skip
    ordered = sorted(rows, key=lambda row: (-row.findings, row.path))
    tools = (
        '<div class="table-tools"><input type="search" data-filter="file-table" aria-label="Filter the files" '
        'placeholder="Filter by path, repository, base…">'
        f'<span id="file-table-shown" class="muted" aria-live="polite">{len(rows):,} files</span></div>'
    )
    return _section(
        "files",
        "Files",
        "Every Dockerfile found (excluded ones aside). Base sizes and savings are estimates.",
        tools + table("file-table", columns, (_file_cells(row) for row in ordered), sorted_by=2),
    )


def _within(row: FileRow) -> Cell:
    """The path below its repository (the repository has a column of its own), the whole path on hover."""
    relative = row.relative or row.path
    return Cell(relative, title=row.path if relative != row.path else None)


def _file_cells(row: FileRow) -> tuple[Cell, ...]:
    if row.error is not None:
        return (_within(row), Cell(row.repository), *(UNKNOWN,) * 7, Cell(row.error))
    base = Cell(row.final_base) if row.final_base else UNKNOWN
    parse = "BuildKit would reject it (parse error)" if row.parse_error else ""
    return (
        _within(row),
        Cell(row.repository),
        _count(row.findings),
        _severity(row.worst),
        base,
        UNKNOWN if row.base_size_mb is None else Cell(_mb(row.base_size_mb)),
        _yes_no(row.multi_stage),
        _yes_no(row.minimal_base),
        _megabytes(row.saving_mb),
        Cell(parse),
    )


def _yes_no(value: bool | None) -> Cell:
    if value is None:
        return UNKNOWN
    return Cell("yes", "1") if value else Cell("no", "0")


def _not_checked(totals: AuditTotals) -> str:
    errors = (
        table("not-checked-table", (Column("Path", css="path"), Column("Why")),
              ((Cell(path), Cell(message)) for path, message in totals.errors))
        if totals.errors else '<p class="empty">None: every file was read and checked.</p>'
    )  # fmt: skip
    parse_errors = (
        "<ul>" + "".join(f"<li><code>{_e(path)}</code></li>" for path in totals.parse_errors) + "</ul>"
        if totals.parse_errors
        else '<p class="empty">None.</p>'
    )
    return (
        '<section id="not-checked"><h2>Files not checked</h2>'
        '<p class="note">Files that could not be read or checked (unreadable, binary, not UTF-8, too large, '
        "a bad configuration).</p>"
        f"{errors}<h3>Parse errors</h3>"
        '<p class="note">Files BuildKit would reject (LS900): checked as far as they parse.</p>'
        f"{parse_errors}</section>"
    )


def _fixes(totals: AuditTotals) -> str:
    """What `--fix` changed; nothing when it was not given."""
    if not (totals.fixed or totals.written or totals.created or totals.problems):
        return ""
    applied = table(
        "fix-table", (Column("Rule"), Column("Fixes applied", numeric=True)),
        ((Cell(code), _count(count)) for code, count in sorted(totals.fixed.items())), sorted_by=1,
    )  # fmt: skip
    lists = "".join(
        f"<h3>{_e(title)} ({len(paths):,})</h3><ul>"
        + "".join(f"<li><code>{_e(p)}</code></li>" for p in paths)
        + "</ul>"
        for title, paths in (
            ("Files rewritten", totals.written),
            ("Files created", totals.created),
            ("Problems", [f"{path}: {problem}" for path, problem in totals.problems]),
        )
        if paths
    )
    return f'<section id="fixes"><h2>Fixes written (--fix)</h2>{applied}{lists}</section>'

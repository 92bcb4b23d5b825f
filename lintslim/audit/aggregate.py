"""Totals across an audit: by family, rule, severity and repository, the files that failed, the savings.

`AuditTotals.add` takes each file's result as it arrives, so a run keeps counts and one small row
per file, never the findings themselves (those stream to the json/jsonl output).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from lintslim.audit.model import FileResult

SEVERITIES = ("error", "warning", "info", "style")  # worst first


@dataclass
class RuleTotal:
    code: str
    name: str
    family: str
    severity: str
    url: str
    findings: int = 0
    files: int = 0
    fixable: int = 0  # findings with a safe or unsafe fix on offer
    saving_mb: float = 0.0  # estimated, summed over the files where its fix changes the base


@dataclass
class RepositoryTotal:
    name: str
    files: int = 0  # Dockerfiles checked (not excluded)
    findings: int = 0
    failing_files: int = 0
    errors: int = 0  # files that could not be checked
    by_severity: Counter[str] = field(default_factory=Counter)
    saving_mb: float = 0.0

    @property
    def score(self) -> tuple[int, ...]:
        """Worst first: more errors, then warnings, ... then more findings."""
        return (*(self.by_severity[s] for s in SEVERITIES), self.findings)


@dataclass(frozen=True)
class FileRow:
    """One line of the report's table of files."""

    path: str
    repository: str
    findings: int
    worst: str | None  # the worst severity among its findings
    error: str | None
    parse_error: bool
    final_base: str | None = None
    multi_stage: bool | None = None
    minimal_base: bool | None = None
    base_size_mb: float | None = None
    saving_mb: float = 0.0  # the largest estimated saving among its findings (fixes that change the base overlap)
    relative: str = ""  # the path below its repository


@dataclass
class AuditTotals:
    files: int = 0  # found
    checked: int = 0
    excluded: int = 0
    findings: int = 0
    failing: bool = False
    by_family: Counter[str] = field(default_factory=Counter)
    by_severity: Counter[str] = field(default_factory=Counter)
    rules: dict[str, RuleTotal] = field(default_factory=dict)
    repositories: dict[str, RepositoryTotal] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, message): files not checked
    parse_errors: list[str] = field(default_factory=list)  # files BuildKit would reject
    multi_stage: int = 0
    profiled: int = 0  # files parsed into stages (the denominator of multi_stage)
    minimal_base: int = 0
    base_known: int = 0  # files whose final base the knowledge base knows (the denominator of minimal_base)
    saving_mb: float = 0.0
    fixed: Counter[str] = field(default_factory=Counter)  # fixes applied per rule (--fix)
    written: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    rows: list[FileRow] = field(default_factory=list)
    seconds: float = 0.0  # time spent in the workers, summed
    shellcheck_missing: bool = False  # some file's scripts went unchecked: say so once

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.seconds += result.seconds
        self.shellcheck_missing |= result.shellcheck_missing
        repository = self.repositories.setdefault(result.repository, RepositoryTotal(result.repository))
        if result.excluded:
            self.excluded += 1
            return
        if result.error is not None:
            self.errors.append((result.path, result.error))
            repository.errors += 1
            self.rows.append(
                FileRow(result.path, result.repository, 0, None, result.error, False, relative=result.relative)
            )
            return
        self.checked += 1
        repository.files += 1
        self._add_findings(result, repository)
        saving = max((s.saving_mb for s in result.savings), default=0.0)
        for item in result.savings:
            self.rules[item.code].saving_mb += item.saving_mb
        self.saving_mb += saving
        repository.saving_mb += saving
        self._add_image(result, saving)
        self.fixed.update(dict(result.fixed))
        if result.written:
            self.written.append(result.path)
        self.created += result.created
        self.problems += [(result.path, problem) for problem in result.problems]

    def _add_findings(self, result: FileResult, repository: RepositoryTotal) -> None:
        self.findings += len(result.findings)
        repository.findings += len(result.findings)
        self.failing = self.failing or result.failing
        repository.failing_files += result.failing
        if result.parse_error:
            self.parse_errors.append(result.path)
        codes_seen: set[str] = set()
        for finding in result.findings:
            self.by_family[finding.family] += 1
            self.by_severity[finding.severity] += 1
            repository.by_severity[finding.severity] += 1
            rule = self.rules.setdefault(
                finding.code, RuleTotal(finding.code, finding.name, finding.family, finding.severity, finding.url)
            )
            rule.findings += 1
            rule.fixable += finding.fix is not None and finding.fix["applicability"] != "display-only"
            if finding.code not in codes_seen:
                codes_seen.add(finding.code)
                rule.files += 1

    def _add_image(self, result: FileResult, saving: float) -> None:
        image = result.image
        if image is not None:
            self.profiled += 1
            self.multi_stage += image.multi_stage
            if image.minimal_base is not None:
                self.base_known += 1
                self.minimal_base += image.minimal_base
        worst = next((s for s in SEVERITIES if any(f.severity == s for f in result.findings)), None)
        self.rows.append(
            FileRow(
                result.path,
                result.repository,
                len(result.findings),
                worst,
                None,
                result.parse_error,
                image.final_base if image else None,
                image.multi_stage if image else None,
                image.minimal_base if image else None,
                image.base_size_mb if image else None,
                saving,
                result.relative,
            )
        )

    def ranked_repositories(self) -> list[RepositoryTotal]:
        return sorted(self.repositories.values(), key=lambda r: (tuple(-n for n in r.score), r.name))

    def ranked_rules(self) -> list[RuleTotal]:
        return sorted(self.rules.values(), key=lambda r: (-r.findings, r.code))

"""Running rules over a parsed Dockerfile, and fixing it round by round until it is stable."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lintslim.config import Settings
from lintslim.context.build_context import BuildContext
from lintslim.engine.fixes import Applicability, Fix, apply_fixes, select_non_overlapping
from lintslim.engine.registry import CodeSelection, Registry
from lintslim.engine.rule import Diagnostic, Rule, RuleContext
from lintslim.engine.suppress import collect
from lintslim.syntax.nodes import Dockerfile
from lintslim.syntax.parser import parse

if TYPE_CHECKING:
    from lintslim.analysis.shellcheck import ShellCheckSession
    from lintslim.context.sam import SamTemplates

MAX_FIX_ROUNDS = 10


class RuleCrash(Exception):
    """A rule raised: a bug in lintslim, reported against the file instead of aborting the run."""

    def __init__(self, rule: type[Rule], error: BaseException) -> None:
        super().__init__(f"internal error in rule {rule.code} ({rule.name}): {type(error).__name__}: {error}")
        self.rule = rule


@dataclass(frozen=True)
class Linter:
    """The rules enabled for one file with their settings.  Stateless: reuse it for many texts."""

    registry: Registry
    settings: Settings
    rules: tuple[type[Rule], ...]
    context_dir: Path | None = None
    build_args: Mapping[str, str] = field(default_factory=dict)  # `--build-arg` values, for ARG resolution
    templates: SamTemplates | None = None  # the templates around the file, when the caller has looked them up
    shellcheck: ShellCheckSession | None = None  # the run's ShellCheck, shared by its files (LS590)
    path: str | None = None  # the file the settings were chosen for (its per-file-ignores)

    @classmethod
    def for_path(
        cls,
        registry: Registry,
        settings: Settings,
        path: str | None,
        context_dir: Path | None = None,
        build_args: Mapping[str, str] | None = None,
        templates: SamTemplates | None = None,
        shellcheck: ShellCheckSession | None = None,
    ) -> Linter:
        rules = tuple(settings.enabled_rules(registry, path))
        return cls(registry, settings, rules, context_dir, dict(build_args or {}), templates, shellcheck, path)

    def parse(self, text: str, path: str | None) -> Dockerfile:
        return parse(text, path, self.build_args)

    def build_context(self, dockerfile_path: str | None) -> BuildContext | None:
        """The build context for a Dockerfile at `dockerfile_path`: cheap to make, it reads lazily."""
        if self.context_dir is None:
            return None
        return BuildContext(self.context_dir, dockerfile_path)

    def sam_templates(self, dockerfile_path: str | None) -> SamTemplates | None:
        """The SAM/CloudFormation templates around a Dockerfile (read lazily, when a rule asks).

        Only with a context directory (a real checkout); a Dockerfile without a path is taken to be
        the context's `Dockerfile`, as `docker build` does.
        """
        if self.context_dir is None:
            return None
        from lintslim.context.sam import SamTemplates

        path = Path(dockerfile_path) if dockerfile_path else self.context_dir / "Dockerfile"
        if self.templates is not None and self.templates.dockerfile_path == path:
            return self.templates
        return SamTemplates(path)

    def lint(self, dockerfile: Dockerfile, build_context: BuildContext | None = None) -> list[Diagnostic]:
        """Run every rule; they share one build context (made here from `context_dir` when not given)."""
        suppressions = collect(dockerfile, self.registry)
        if build_context is None:
            build_context = self.build_context(dockerfile.path)
        templates = self.sam_templates(dockerfile.path)
        lambda_config = self.settings.lambda_for(dockerfile.path)
        found: list[Diagnostic] = []
        for rule in self.rules:
            options = self.settings.options_for(rule)
            context = RuleContext(
                dockerfile, options, self.context_dir, suppressions, build_context, templates, lambda_config,
                self.shellcheck,
            )  # fmt: skip
            severity = self.settings.severity_for(rule)
            try:
                diagnostics = list(rule().check(context))
            except Exception as error:  # one rule's bug must not hide the other findings
                raise RuleCrash(rule, error) from error
            codes = self.code_selection(rule, dockerfile.path) if rule.code_prefix else None
            configured = self.settings.rules.get(rule.code)
            for diagnostic in diagnostics:
                adjusted = diagnostic
                if diagnostic.code != rule.code:  # another tool's code: its own severity, unless one is configured
                    if codes is not None and not codes.allows(diagnostic.code):
                        continue
                    if configured is not None and configured.severity is not None:
                        adjusted = replace(diagnostic, severity=configured.severity)
                elif severity is not rule.severity and diagnostic.severity is rule.severity:
                    adjusted = replace(diagnostic, severity=severity)
                if not suppressions.covers(adjusted):
                    found.append(adjusted)
        found.sort(key=lambda d: (d.span.start, d.span.end, d.code))
        return found

    def code_selection(self, rule: type[Rule], path: str | None) -> CodeSelection:
        """Which of `rule`'s foreign codes (SC2086…) the settings enable for the file at `path`.

        The same lists `Settings.enabled_rules` reads: `select` (or the default rules) with
        `extend-select`, and `ignore` with the file's `per-file-ignores`.
        """
        settings = self.settings
        select: list[str] | None = None
        if settings.select is not None or settings.extend_select:
            defaults = [r.code for r in self.registry.rules if r.default_enabled]
            select = [*(settings.select if settings.select is not None else defaults), *settings.extend_select]
        path = path or self.path
        ignore = list(settings.ignore)
        if path is not None and settings.per_file_ignores:
            ignore += settings.ignores_for(path)
        return self.registry.code_selection(rule, select, ignore)

    def lint_text(self, text: str, path: str | None = None) -> tuple[Dockerfile, list[Diagnostic]]:
        dockerfile = self.parse(text, path)
        return dockerfile, self.lint(dockerfile)


@dataclass
class FixOutcome:
    """What fixing did: the final text, fixes applied per rule, and why it stopped early if it did.

    `dockerfile` and `diagnostics` describe the final text, so callers need not parse and lint it again.
    """

    original: str
    text: str
    dockerfile: Dockerfile
    diagnostics: list[Diagnostic]
    applied: Counter[str] = field(default_factory=Counter)
    rounds: int = 0
    problems: list[str] = field(default_factory=list)  # rolled-back rules, non-convergence
    new_files: dict[str, str] = field(default_factory=dict)  # build-context path -> text, for fixes that create files

    @property
    def changed(self) -> bool:
        return self.text != self.original


def _fingerprint(text: str, new_files: dict[str, str]) -> bytes:
    import hashlib  # only fixing needs it

    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16)
    for path in sorted(new_files):  # creating a file is progress even when the text stays the same
        digest.update(b"\0" + path.encode("utf-8", "surrogatepass"))
    return digest.digest()


def _parse_errors(dockerfile: Dockerfile) -> int:
    return len(dockerfile.errors)


def _eligible(
    diagnostics: Sequence[Diagnostic], unsafe: bool, excluded: set[str], new_files: bool = True
) -> list[tuple[str, Fix]]:
    allowed = {Applicability.SAFE} | ({Applicability.UNSAFE} if unsafe else set())
    return [
        (d.code, d.fix)
        for d in diagnostics
        if d.fix is not None
        and d.fix.applicability in allowed
        and d.code not in excluded
        and (new_files or not d.fix.new_files)
    ]


def fix_text(
    linter: Linter, text: str, path: str | None = None, *, unsafe: bool = False, new_files: bool = True
) -> FixOutcome:
    """Apply fixes round by round (re-parsing and re-linting each time) until none applies.

    A round whose result has more parse errors than before is rolled back and the rules whose fixes
    broke it are left out.  A cycle or more than MAX_FIX_ROUNDS rounds keeps the original text.
    Files that fixes create are collected in `FixOutcome.new_files` (nothing is written here); later
    rounds see them as present in the build context.  `new_files=False` leaves out such fixes.
    """
    build_context = linter.build_context(path)
    original = current = linter.parse(text, path)
    original_diagnostics = diagnostics = _lint(linter, current, build_context)
    outcome = FixOutcome(text, text, original, original_diagnostics)

    def keep_original(problem: str) -> FixOutcome:
        problems = [*outcome.problems, problem]
        return FixOutcome(text, text, original, original_diagnostics, rounds=outcome.rounds, problems=problems)

    seen = {_fingerprint(text, outcome.new_files)}
    excluded: set[str] = set()
    for _ in range(MAX_FIX_ROUNDS):
        candidates = _eligible(diagnostics, unsafe, excluded, new_files)
        if not candidates:
            break
        chosen = select_non_overlapping(fix for _, fix in candidates)
        code_of = {id(fix): code for code, fix in candidates}
        created = {file.path: file.content for fix in chosen for file in fix.new_files}
        new_text = apply_fixes(outcome.text, chosen)
        new_document = linter.parse(new_text, path)
        if _parse_errors(new_document) > _parse_errors(current):
            broken = _rules_that_break(outcome.text, current, chosen, code_of, path)
            excluded |= broken
            outcome.problems.append(
                f"fix rolled back: {', '.join(sorted(broken))} produced a Dockerfile that does not parse"
            )
            continue
        fingerprint = _fingerprint(new_text, {**outcome.new_files, **created})
        if fingerprint in seen:
            codes = sorted({code_of[id(fix)] for fix in chosen})
            return keep_original(f"fixes did not converge (they cycle): {', '.join(codes)}; file left unchanged")
        seen.add(fingerprint)
        outcome.applied.update(code_of[id(fix)] for fix in chosen)
        outcome.text, current = new_text, new_document
        if created:
            outcome.new_files.update(created)
            build_context = build_context.with_pending(created) if build_context is not None else None
        diagnostics = _lint(linter, current, build_context)
        outcome.rounds += 1
    else:
        if _eligible(diagnostics, unsafe, excluded, new_files):
            return keep_original(f"fixes did not converge after {MAX_FIX_ROUNDS} rounds; file left unchanged")
    outcome.dockerfile, outcome.diagnostics = current, diagnostics
    return outcome


def _lint(linter: Linter, document: Dockerfile, build_context: BuildContext | None) -> list[Diagnostic]:
    """Lint with the fix loop's build context (which knows the files fixes will create), if there is one."""
    return linter.lint(document) if build_context is None else linter.lint(document, build_context)


def _rules_that_break(
    text: str, document: Dockerfile, fixes: Sequence[Fix], code_of: dict[int, str], path: str | None
) -> set[str]:
    """The rules whose fix, applied alone, adds a parse error (all of the round's rules if none does alone)."""
    baseline = _parse_errors(document)
    broken = {code_of[id(fix)] for fix in fixes if _parse_errors(parse(fix.apply(text), path)) > baseline}
    return broken or {code_of[id(fix)] for fix in fixes}

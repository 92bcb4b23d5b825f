from __future__ import annotations

from collections.abc import Iterator

from lintslim.engine.rule import Diagnostic, Rule, RuleContext, Severity


class InvalidSuppression(Rule):
    """A `# lintslim:` suppression names a rule that does not exist.

    ## What it does
    Checks the codes and names in `# lintslim: ignore=…` and `# lintslim: file-ignore=…` comments.

    ## Why is this bad?
    A misspelt code suppresses nothing, so the finding it was meant to silence keeps coming back,
    or, worse, a reader believes a rule is silenced on purpose when it is not.
    """

    code = "LS901"
    name = "invalid-suppression"
    severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        if ctx.suppressions is None:
            return
        for unknown in ctx.suppressions.unknown:
            yield self.report(unknown.span, f"Suppression names unknown rule `{unknown.reference}`")

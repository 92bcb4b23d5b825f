from __future__ import annotations

from collections.abc import Iterator

from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.syntax.nodes import Instruction

AUTHORS_LABEL = "org.opencontainers.image.authors"


def quote_label_value(value: str, escape: str) -> str:
    """A double-quoted LABEL value that BuildKit reads back as exactly `value` (no expansion)."""
    escaped = "".join(escape + ch if ch in ('"', "$", escape) else ch for ch in value)
    return f'"{escaped}"'


class MaintainerDeprecated(Rule):
    """`MAINTAINER` is deprecated.

    ## What it does
    Flags the `MAINTAINER` instruction.

    ## Why is this bad?
    Docker deprecated `MAINTAINER` in favour of labels; the OCI image spec names the label
    `org.opencontainers.image.authors`, which registries and scanners read.

    ## Fix safety
    The fix replaces the instruction with `LABEL org.opencontainers.image.authors="…"`, quoting the
    value so that it reads back unchanged.  It is unsafe because the image config's legacy `Author`
    field is no longer set; tools that read that field see nothing.
    """

    code = "LS504"
    name = "maintainer-deprecated"
    severity = Severity.INFO
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL4000", "MaintainerDeprecated")

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for instruction in ctx.dockerfile.instructions:
            if instruction.keyword == "MAINTAINER":
                yield self.report(
                    instruction.keyword_span,
                    "`MAINTAINER` is deprecated; use a `LABEL`",
                    fix=self._fix(instruction, ctx.dockerfile.escape),
                )

    @staticmethod
    def _fix(instruction: Instruction, escape: str) -> Fix | None:
        if instruction.rest is None or instruction.start_line != instruction.end_line:
            return None  # keep continued lines (and any comments between them) for a person to rewrite
        replacement = f"LABEL {AUTHORS_LABEL}={quote_label_value(instruction.rest.value, escape)}"
        span = instruction.keyword_span.cover(instruction.rest.span)
        return Fix.unsafe(f"Replace with `LABEL {AUTHORS_LABEL}`", Edit.replace(span, replacement))

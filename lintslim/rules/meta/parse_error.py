from __future__ import annotations

from collections.abc import Iterator

from lintslim.engine.rule import Diagnostic, Rule, RuleContext, Severity


class ParseError(Rule):
    """Content the build would reject.

    ## What it does
    Reports what BuildKit's parser or its instruction checks would refuse: an unterminated heredoc,
    a JSON array of non-strings, `ENV key` without a value, an invalid `# escape=` directive, a
    repeated parser directive, an unknown instruction, or a file with no instructions; and an
    instruction with the wrong number of arguments, with BuildKit's message: `FROM image as` with
    no stage name or `FROM a AS b c` ("FROM requires either one or three arguments"), a stage
    name that starts with a digit or has symbols, `COPY` or `ADD` without a destination, `USER`,
    `WORKDIR`, `EXPOSE`, `VOLUME`, `ARG` or `ONBUILD` with nothing, an `ARG`/`ENV`/`LABEL` pair
    without a name, an empty `VOLUME` path, a `HEALTHCHECK` that is neither `CMD …` nor `NONE`,
    a `SHELL` that is not a JSON array, and the triggers `ONBUILD` refuses.

    ## Why is this bad?
    `docker build` stops at the first of these.  lintslim reports each one at its line and goes on
    linting the rest of the file, so one typo does not hide every other finding.
    """

    code = "LS900"
    name = "parse-error"
    severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for error in ctx.dockerfile.errors:
            yield self.report(error.span, error.message[:1].upper() + error.message[1:])

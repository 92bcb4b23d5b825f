from __future__ import annotations

from collections.abc import Iterator

from lintslim.engine.rule import Diagnostic, FixAvailability, Option, Rule, RuleContext, Severity

# Kept here as well as in the analysis module, which is imported only for a file with a shell-form RUN.
_EXCLUDED = frozenset({"SC1090", "SC1091", "SC2187"})


class ShellCheck(Rule):
    """ShellCheck's findings on the shell scripts RUN instructions run, each with its own `SC` code.

    ## What it does
    Runs [ShellCheck](https://www.shellcheck.net) on every shell-form `RUN` (ONBUILD triggers too) and
    on every heredoc body a shell runs (`RUN <<EOF`, `RUN bash <<EOF`), with the stage's `SHELL`
    (`sh`, `bash`, `dash`, `ksh`; PowerShell, `cmd`, `zsh` and heredocs with a non-shell shebang such
    as `#!/usr/bin/env python3` are skipped), and reports each of its findings at its exact place in
    the Dockerfile, through continuation lines, CRLF line endings, the escape directive and heredoc
    bodies, under ShellCheck's own code (`SC2086`) and level (error, warning, info, style).  Each
    code's page is ShellCheck's wiki (`lintslim rule SC2086` points there).

    The ARG and ENV names in scope, the proxy variables BuildKit always passes and secrets mounted
    as variables (`--mount=type=secret,env=TOKEN`) are declared to ShellCheck, so it does not call
    them unassigned (SC2154).  As in hadolint, SC1090 and SC1091 (a `source`d file ShellCheck cannot
    see) and SC2187 are left out unless selected by code (`--select SC1091`).

    SC codes work wherever a rule does: `--select SC2086` (only that code), `--ignore SC2086`,
    `ignore = ["SC2086"]` and `per-file-ignores` in the config, `# lintslim: ignore=SC2086` or
    `# hadolint ignore=SC2086` above the RUN.  `LS590` or `shellcheck` names them all.  Each finding
    keeps ShellCheck's level unless `[tool.lintslim.rules.LS590] severity` sets one for them all.

    It is on by default when ShellCheck is installed (`pip install 'lintslim[shellcheck]'`, or a
    `shellcheck` on PATH; the `executable` option or `$LINTSLIM_SHELLCHECK` names another).  Without
    it, `lintslim check` says once that SC checks are off.  One ShellCheck process checks all of a
    file's scripts, and those of the next files of the run with them, and a script seen before in the
    run is not checked again; ShellCheck only reads them, from a private temporary directory.  When
    ShellCheck fails or times out on a file, this rule reports that once for the file (code LS590).
    Windows images (nanoserver, servercore), whose default shell is `cmd`, are skipped.

    ## Why is this bad?
    A RUN is a shell script that runs at every build: unquoted variables split and glob, `cd` that
    fails goes on in the wrong directory, a pipe hides the failure of its first command.  ShellCheck
    knows hundreds of such mistakes; a Dockerfile linter should not ask you to copy each RUN out to
    a file to find them.

    ## Fix safety
    Where ShellCheck offers a fix (quoting `$var`, `$(…)` for backticks, `cd … || exit`) and every
    replacement falls on exact source text, it is offered as an unsafe fix: it changes what the shell
    does, which is its point, and ShellCheck cannot know whether word splitting was meant.
    """

    code = "LS590"
    name = "shellcheck"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    code_prefix = "SC"
    excluded_codes = _EXCLUDED
    options = {  # noqa: RUF012 - read-only metadata, as on every rule
        "executable": Option(str, "", "the ShellCheck program to run (default: `shellcheck` on PATH)"),
        "timeout": Option(float, 30.0, "seconds one ShellCheck process may take before the file's check is given up"),
    }

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        dockerfile = ctx.dockerfile
        if not any(i.effective.keyword == "RUN" and i.effective.is_shell_form for i in dockerfile.instructions):
            return  # nothing for ShellCheck: not even its module is imported
        from lintslim.analysis.shellcheck import Failure, ShellCheckSession, findings, shell_scripts

        scripts = shell_scripts(dockerfile)
        if not scripts:
            return
        session = ctx.shellcheck or ShellCheckSession()
        executable = str(ctx.options.get("executable") or "") or None
        outcomes = session.check(scripts, dockerfile.path, executable, float(ctx.options.get("timeout", 30.0)))
        if outcomes is None:
            return  # no ShellCheck: the run says so once
        seen: set[tuple[str, int, int]] = set()
        for script, outcome in zip(scripts, outcomes, strict=True):
            if isinstance(outcome, Failure):
                instruction = dockerfile.instructions[script.instruction]
                yield self.report(instruction.keyword_span, f"{outcome.reason}: no SC finding for this file")
                return
            for finding in findings(script, outcome, dockerfile.text):
                key = (finding.code, finding.span.start, finding.span.end)
                if key in seen:  # a heredoc body checked in its RUN's script and as a script of its own
                    continue
                seen.add(key)
                yield self.report(
                    finding.span, finding.message, fix=finding.fix, severity=finding.severity, code=finding.code
                )

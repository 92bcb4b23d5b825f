"""The `lintslim` command line.

Exit codes: 0 no finding at or above `fail-on`; 1 findings remain (or, with `--diff`, there is a
diff; with `--fix --exit-non-zero-on-fix`, a file was changed or created); 2 usage, configuration or
input error.  Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from lintslim import __version__
from lintslim.audit import AUDIT_FORMATS
from lintslim.config import ConfigError, Overrides, Settings, SettingsCache, resolve_settings
from lintslim.engine.registry import Registry, UnknownRuleError, default_registry
from lintslim.engine.rule import Rule, Severity
from lintslim.files import InputError, SourceFile, create_if_absent, decode, discover, read_source, write_atomic
from lintslim.output import (
    FORMATS,
    SUMMARY_FORMATS,
    Reporter,
    ReportOptions,
    Tally,
    make_reporter,
    masked_error,
    report_redactor,
    resolve_format,
    summary,
)
from lintslim.runner import FileReport, FixMode, build_inputs, check_text

if TYPE_CHECKING:
    from lintslim.analysis.shellcheck import ShellCheckSession
    from lintslim.context.sam import TemplateCache
    from lintslim.hadolint_config import Migration

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _build_arg(value: str) -> tuple[str, str]:
    name, equals, setting = value.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, not {value!r}")
    return name.strip(), setting


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (and exit code 2), like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"lintslim: error: {message} (see `{self.prog} --help`)\n")


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, not {value!r}")
    return number


def _add_selection(command: argparse.ArgumentParser) -> None:
    command.add_argument("--select", type=_comma_list, help="rules, families or prefixes to enable (replaces config)")
    command.add_argument("--extend-select", type=_comma_list, default=[], help="enable these on top of the selection")
    command.add_argument("--ignore", type=_comma_list, default=[], help="rules, families or prefixes to disable")
    command.add_argument(
        "--fail-on", choices=[s.value for s in Severity], help="lowest severity that fails (default: style)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lintslim",
        description="Lint and fix Dockerfiles: slim images, cache-friendly layers, no leaked secrets.",
    )
    parser.add_argument("--version", action="version", version=f"lintslim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="lint Dockerfiles (and fix them with --fix)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories; `-` reads standard input")
    check.add_argument(
        "--output-format",
        choices=FORMATS,
        default=os.environ.get("LINTSLIM_OUTPUT_FORMAT", "auto"),
        help="full (source excerpts), concise (a line a finding), json, github (Actions annotations), "
        "sarif (code scanning), junit (test report), gitlab (Code Quality); "
        "default: $LINTSLIM_OUTPUT_FORMAT, else auto: github under GitHub Actions, else full",
    )
    check.add_argument("--fix", action="store_true", help="apply safe fixes and write the files")
    check.add_argument("--unsafe-fixes", action="store_true", help="also apply (and count) unsafe fixes")
    check.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    check.add_argument("--show-fixes", action="store_true", help="list the fixes applied, per rule")
    check.add_argument(
        "--show-savings", action="store_true",
        help="print the final base image's estimated size (uncompressed, from sourced figures) and what each fix "
        "that changes the base would save; estimates, after the findings (on stderr with json, sarif and other "
        "machine formats, and with --diff)",
    )  # fmt: skip
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    check.add_argument(
        "--exit-non-zero-on-fix", action="store_true",
        help="with --fix, exit 1 when a fix changed a file or created one, even if no finding remains",
    )  # fmt: skip
    _add_selection(check)
    check.add_argument("--config", type=Path, help="use this pyproject.toml or .lintslim.yaml instead of searching")
    check.add_argument(
        "--context",
        type=Path,
        help="the build context (default: a SAM template's DockerContext, else the Dockerfile's directory)",
    )
    check.add_argument(
        "--build-arg", type=_build_arg, action="append", default=[], metavar="NAME=VALUE",
        help="a build argument, as `docker build --build-arg` (resolves ARGs; repeatable)",
    )  # fmt: skip
    check.add_argument("--stdin-filename", help="the path to report (and find config from) for `-`")
    check.add_argument("--force-exclude", action="store_true", help="apply `exclude` to paths given explicitly too")

    audit = commands.add_parser("audit", help="check every Dockerfile under many repositories and report across them")
    audit.add_argument("roots", nargs="+", metavar="ROOT", help="directories: each, or each git repository below it")
    audit.add_argument(
        "--output-format", choices=AUDIT_FORMATS, default="summary",
        help="summary (tables for people), json (one record a finding), jsonl (the same, streamed), sarif",
    )  # fmt: skip
    audit.add_argument("-o", "--output", type=Path, help="write the report here instead of standard output")
    audit.add_argument("--html", type=Path, metavar="FILE", help="also write a self-contained HTML report")
    audit.add_argument("-j", "--jobs", type=_positive, help="processes to run, locally or in a local Dask cluster")
    audit.add_argument("--engine", choices=("local", "dask"), default="local", help="where the work runs")
    audit.add_argument("--scheduler", metavar="ADDRESS", help="the Dask scheduler (tcp://host:8786) for --engine dask")
    audit.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, help="a progress bar (default: on a terminal)"
    )
    audit.add_argument("--fix", action="store_true", help="apply safe fixes and write the files (never implied)")
    audit.add_argument("--unsafe-fixes", action="store_true", help="with --fix, also apply unsafe fixes")
    audit.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    _add_selection(audit)
    audit.add_argument("--config", type=Path, help="use this config for every repository instead of each one's own")

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--output-format", choices=("text", "json"), default="text")
    rule = commands.add_parser("rule", help="show a rule's documentation")
    rule.add_argument("reference", metavar="CODE|NAME")

    server = commands.add_parser("server", help="run the language server for editors (LSP over stdio)")
    server.add_argument("--stdio", action="store_true", help="talk over standard input and output (the default)")

    init = commands.add_parser("init", help="add the lintslim pre-commit hook (and, asked, a [tool.lintslim] table)")
    init.add_argument("directory", nargs="?", type=Path, default=Path("."), help="the repository (default: here)")
    init.add_argument("--fix", action="store_true", help="use the `lintslim-fix` hook, which writes safe fixes")
    init.add_argument("--rev", help="the revision of lintslim to pin (default: this version's tag)")
    init.add_argument("--pyproject", action="store_true", help="also create `[tool.lintslim]` in pyproject.toml")

    migrate = commands.add_parser(
        "migrate-hadolint", help="translate a .hadolint.yaml into lintslim's config (printed, or written with --write)"
    )
    migrate.add_argument("--config", type=Path, help="the hadolint config (default: the one lintslim would read here)")
    migrate.add_argument(
        "--write", type=Path, metavar="FILE", help="append to a pyproject.toml, or create a .lintslim.yaml"
    )
    migrate.add_argument(
        "--dry-run", action="store_true", help="with --write: print what would be written, write nothing"
    )
    return parser


# --- check -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    path: str
    explicit: bool  # named on the command line (not found by walking a directory)


def _targets(paths: Sequence[str]) -> Iterator[Target]:
    for raw in paths:
        if raw == "-":
            yield Target("-", True)
            continue
        path = Path(raw)
        if path.is_dir():
            found = list(discover(path))
            if not found:
                raise InputError(f"{raw}: no Dockerfile found in this directory")
            for file in found:
                yield Target(str(file), False)
        else:
            yield Target(raw, True)


def _overrides(args: argparse.Namespace, registry: Registry) -> Overrides:
    """The rule selection and thresholds given on the command line, every rule name checked."""
    overrides = Overrides(
        select=tuple(args.select) if args.select is not None else None,
        extend_select=tuple(args.extend_select),
        ignore=tuple(args.ignore),
        unsafe_fixes=args.unsafe_fixes,
        fail_on=Severity(args.fail_on) if args.fail_on else None,
    )
    for reference in overrides.references():
        registry.resolve(reference)  # raises UnknownRuleError with the bad name
    return overrides


def _read(target: Target, args: argparse.Namespace) -> SourceFile:
    if target.path != "-":
        return read_source(target.path)
    name = args.stdin_filename or "-"
    raw = sys.stdin.buffer.read()
    return SourceFile(name, decode(raw, name), raw)


@dataclass(frozen=True)
class CheckedFile:
    report: FileReport
    rules: Sequence[type[Rule]]  # the rules that ran on the file


@dataclass(frozen=True)
class _Run:
    """What every file of one `check` run shares: the rules, the command line's overrides, and what
    was already read (config files, SAM templates)."""

    registry: Registry
    overrides: Overrides
    settings: SettingsCache
    templates: TemplateCache
    noticed: set[Path]  # the hadolint configs already announced on stderr
    shellcheck: ShellCheckSession | None = None  # LS590's ShellCheck: one lookup, batched calls, one notice


def _announce_hadolint(settings: Settings, run: _Run) -> None:
    """Say once per run, on stderr, that a `.hadolint.yaml` stands in for a lintslim config."""
    source = settings.source
    if source is None or source in run.noticed or not settings.from_hadolint:
        return
    run.noticed.add(source)
    sys.stderr.write(
        f"lintslim: using {source.name} ({_shown(source)}); "
        "run 'lintslim migrate-hadolint' to write the lintslim equivalent\n"
    )
    if settings.notes:
        count = len(settings.notes)
        sys.stderr.write(
            f"lintslim: {count} of its settings {'does' if count == 1 else 'do'} not carry over exactly; "
            "'lintslim migrate-hadolint' lists them\n"
        )


def _shown(path: Path) -> str:
    """A path as short as it can be said: relative to the current directory when below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _check_one(target: Target, args: argparse.Namespace, run: _Run) -> CheckedFile | None:
    registry = run.registry
    name = (args.stdin_filename or "-") if target.path == "-" else target.path  # the path reported, as in _read
    path_for_config = Path(name) if name != "-" else None
    settings = run.overrides.apply(resolve_settings(path_for_config, registry, args.config, run.settings))
    _announce_hadolint(settings, run)
    if (not target.explicit or args.force_exclude) and name != "-" and settings.is_excluded(name):
        return None  # decided before reading: an excluded file is never read, so it cannot fail the run
    source = _read(target, args)
    inputs = build_inputs(source.path, args.context, dict(args.build_arg), run.templates)
    mode = FixMode(apply=args.fix or args.diff, unsafe=settings.unsafe_fixes, new_files=target.path != "-")
    report = check_text(
        source.text, source.path, settings, registry, mode, inputs.context_dir, inputs.build_args, inputs.templates,
        run.shellcheck,
    )  # fmt: skip
    if report.error is None and args.fix and not args.diff:
        if target.path == "-":
            sys.stdout.write(report.text)  # always: a filter that prints nothing would empty the file
        else:
            if report.text_changed:
                write_atomic(source.path, report.text, source.mtime_ns, original=source.raw)
            _create_files(report)
    return CheckedFile(report, settings.enabled_rules(registry, source.path))


def _create_files(report: FileReport) -> None:
    """Write the files fixes create (a missing `.dockerignore`), each only if nothing is there yet."""
    for path, content in report.new_files.items():
        try:
            created = create_if_absent(path, content)
        except OSError as error:
            raise InputError(f"{path}: cannot create: {error.strerror or error}") from None
        if created:
            sys.stderr.write(f"Created {path}\n")
        else:
            sys.stderr.write(f"lintslim: warning: {path} already exists; left as it is, not created\n")


def _print_diff(report: FileReport) -> None:
    import difflib  # only --diff needs it

    diff = difflib.unified_diff(
        report.original.splitlines(keepends=True),
        report.text.splitlines(keepends=True),
        fromfile=f"a/{report.path}",
        tofile=f"b/{report.path}",
    )
    for path, content in report.new_files.items():  # a created file: a diff from nothing
        created = difflib.unified_diff([], content.splitlines(keepends=True), fromfile="/dev/null", tofile=f"b/{path}")
        diff = itertools.chain(diff, created)
    redactor = report_redactor(report)  # a diff shows source lines: mask the secrets in them
    for line in map(redactor.scrub, diff):
        sys.stdout.write(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")


def _output_format(args: argparse.Namespace) -> str:
    """The format asked for, with `auto` resolved; a bad `LINTSLIM_OUTPUT_FORMAT` is a usage error."""
    if args.output_format not in FORMATS:  # argparse does not check a default against the choices
        choices = ", ".join(FORMATS)
        raise UsageError(f"LINTSLIM_OUTPUT_FORMAT={args.output_format!r} is not an output format ({choices})")
    return resolve_format(args.output_format, os.environ)


class _Emitter:
    """Hands each file's results to the format's reporter as soon as it is checked; keeps running totals."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.format = _output_format(args)
        # with `-` and --fix, stdout carries the fixed text, so findings go to stderr
        self.stream = sys.stderr if args.fix and args.paths == ["-"] else sys.stdout
        options = ReportOptions(unsafe=args.unsafe_fixes, color=self.stream.isatty() and "NO_COLOR" not in os.environ)
        # --diff prints the diff instead of findings
        self.reporter: Reporter | None = None if args.diff else make_reporter(self.format, self.stream, options)
        self.tally = Tally()

    def report(self, checked: CheckedFile) -> None:
        report = checked.report
        self.tally.add(report)
        if self.reporter is not None:
            self.reporter.write(report, checked.rules)
        elif report.changed:
            _print_diff(report)
        if self.args.show_savings and report.dockerfile is not None:
            from lintslim.output.savings import render_savings

            # lines for people: beside findings for people; on stderr when stdout holds a document or a diff
            people = self.reporter is not None and self.format in SUMMARY_FORMATS
            (self.stream if people else sys.stderr).write(render_savings(report))
        if self.args.show_fixes:
            for code, count in sorted(report.applied.items()):
                sys.stderr.write(f"Fixed {count} × {code} in {report.path}\n")

    def error(self, path: str, message: str) -> None:
        """A file that could not be checked: one line on stderr, and a record in the report formats."""
        sys.stderr.write(f"lintslim: error: {message}\n")
        if self.reporter is not None:
            self.reporter.error(path, message)

    def finish(self, checked: int, errors: int) -> int:
        args = self.args
        if self.reporter is not None:
            self.reporter.finish()
            if self.format in SUMMARY_FORMATS and checked:
                self.stream.write(summary(self.tally, fixing=args.fix, unsafe=args.unsafe_fixes) + "\n")
        if errors:
            return EXIT_ERROR
        if args.diff:
            return EXIT_FINDINGS if self.tally.files_changed else EXIT_OK
        if args.fix and args.exit_non_zero_on_fix and self.tally.files_changed:
            return EXIT_FINDINGS  # a hook must fail when it wrote something, a new file included
        return EXIT_FINDINGS if self.tally.failing and not args.exit_zero else EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    if not args.paths:
        raise UsageError("no path given (use `lintslim check PATH ...`, or `-` for standard input)")
    from lintslim.analysis.shellcheck import ShellCheckSession
    from lintslim.context.sam import TemplateCache  # (build_inputs imports it anyway)

    registry = default_registry()
    run = _Run(registry, _overrides(args, registry), SettingsCache(), TemplateCache(), set())
    targets = list(_targets(args.paths))
    shellcheck = ShellCheckSession(plan=_read_ahead_plan(targets, args, run))
    run = replace(run, shellcheck=shellcheck)
    emitter = _Emitter(args)
    checked = errors = 0
    for target in targets:
        try:
            result = _check_one(target, args, run)
        except InputError as error:
            emitter.error(target.path, str(error))
            errors += 1
            continue
        if result is None:
            continue
        report = result.report
        if report.error:
            emitter.error(report.path, masked_error(report))
            errors += 1
            continue
        for problem in report.problems:
            sys.stderr.write(f"lintslim: warning: {report.path}: {problem}\n")
        checked += 1
        emitter.report(result)
    if shellcheck.missing:  # once a run, on stderr: never in a machine-readable report
        from lintslim.analysis.shellcheck import notice

        sys.stderr.write(notice())
    return emitter.finish(checked, errors)


def _read_ahead_plan(targets: Sequence[Target], args: argparse.Namespace, run: _Run) -> list[str]:
    """The files ShellCheck may read ahead of their turn, to check their scripts in one process with
    the current file's: those `_check_one` will read (not standard input, not excluded)."""
    plan = []
    for target in targets:
        if target.path == "-":
            continue
        if not target.explicit or args.force_exclude:
            settings = run.overrides.apply(resolve_settings(Path(target.path), run.registry, args.config, run.settings))
            if settings.is_excluded(target.path):
                continue
        plan.append(target.path)
    return plan


# --- rules and rule -----------------------------------------------------------------------------------


def _audit(args: argparse.Namespace) -> int:
    from lintslim.audit.command import AuditRequest, run_audit
    from lintslim.audit.model import AuditOptions

    if args.scheduler and args.engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    if args.scheduler and args.jobs:
        raise UsageError("--jobs sizes the local pool or cluster; with --scheduler the cluster's workers decide")
    if args.unsafe_fixes and not args.fix:
        raise UsageError("--unsafe-fixes needs --fix (an audit never writes fixes unless asked)")
    options = AuditOptions(_overrides(args, default_registry()), str(args.config) if args.config else None, args.fix)
    request = AuditRequest(
        roots=tuple(args.roots),
        options=options,
        output_format=args.output_format,
        output=args.output,
        html=args.html,
        jobs=args.jobs,
        engine=args.engine,
        scheduler=args.scheduler,
        progress=args.progress,
        exit_zero=args.exit_zero,
    )
    return run_audit(request)


def run_rules(args: argparse.Namespace) -> int:
    registry = default_registry()
    rows: list[dict[str, Any]] = [
        {
            "code": rule.code,
            "name": rule.name,
            "family": rule.family().slug,
            "severity": rule.severity.value,
            "fixable": rule.fix_availability.value,
            "default_enabled": rule.default_enabled,
            "aliases": list(rule.aliases),
            "summary": rule.summary(),
        }
        for rule in registry.rules
    ]
    if args.output_format == "json":
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    width = max(len(str(row["name"])) for row in rows)
    for row in rows:
        aliases = f"  ({', '.join(row['aliases'])})" if row["aliases"] else ""
        fix = {"none": " ", "sometimes": "*", "always": "*"}[str(row["fixable"])]
        name = str(row["name"]).ljust(width)
        sys.stdout.write(f"{row['code']} {fix} {name} {row['severity']:<8} {row['summary']}{aliases}\n")
    sys.stdout.write("\n* = has a fix.  `lintslim rule CODE` shows a rule's documentation.\n")
    return EXIT_OK


def run_rule(args: argparse.Namespace) -> int:
    from lintslim.docs import render_terminal

    registry = default_registry()
    if registry.exact(args.reference) is None and registry.is_foreign_code(args.reference):
        from lintslim.analysis.shellcheck import code_page  # `lintslim rule SC2086`: ShellCheck documents it

        sys.stdout.write(code_page(args.reference.strip().upper()))
        return EXIT_OK
    rule = registry.get(args.reference)
    sys.stdout.write(render_terminal(rule))
    return EXIT_OK


# --- migrate-hadolint ---------------------------------------------------------------------------------


def run_migrate_hadolint(args: argparse.Namespace) -> int:
    """Print, or write with --write, the lintslim config a `.hadolint.yaml` stands for."""
    from lintslim.config import find_hadolint_config, load_yaml_mapping
    from lintslim.hadolint_config import render_toml, translate

    registry = default_registry()
    source = args.config or find_hadolint_config(Path.cwd())
    if source is None:
        raise UsageError("no .hadolint.yaml here, above, or in hadolint's per-user places (name one with --config)")
    if not source.is_file():
        raise UsageError(f"{source}: config file not found")
    source = source.resolve()
    migration = translate(load_yaml_mapping(source), registry, str(source))
    if args.write is not None:
        return _write_migration(args.write, migration, registry, source, dry_run=args.dry_run)
    if args.dry_run:
        raise UsageError("--dry-run goes with --write (without it nothing is written anyway)")
    sys.stdout.write(render_toml(migration, registry, _shown(source)))
    return EXIT_OK


def _write_migration(target: Path, migration: Migration, registry: Registry, source: Path, *, dry_run: bool) -> int:
    """Append the translation to a pyproject.toml or create a .lintslim.yaml, once it is known to load
    into the same rules, severities and options as the `.hadolint.yaml` itself."""
    from lintslim.config import find_config, settings_from_mapping
    from lintslim.hadolint_config import MigrationError, behaviour, planned_text, written_settings

    try:
        text, addition, mtime_ns = planned_text(target, migration, registry, source)
        direct = behaviour(settings_from_mapping(migration.table, registry, source=source), registry)
        if behaviour(written_settings(target, text, registry), registry) != direct:
            raise MigrationError(f"{target}: the translation would not do what {source.name} does; nothing written")
    except MigrationError as error:
        raise UsageError(str(error)) from None
    if dry_run:
        sys.stdout.write(addition)
        verb = "append this to" if mtime_ns is not None else "create"
        sys.stderr.write(f"lintslim: would {verb} {target} (dry run: nothing written)\n")
        return EXIT_OK
    try:
        if mtime_ns is not None:
            write_atomic(str(target), text, mtime_ns)
            sys.stdout.write(f"Appended the lintslim equivalent of {_shown(source)} to {target}\n")
        elif create_if_absent(target, text):
            sys.stdout.write(f"Created {target}: the lintslim equivalent of {_shown(source)}\n")
        else:
            raise UsageError(f"{target}: created by something else while lintslim ran; left as it is")
    except OSError as error:
        raise UsageError(f"{target}: cannot write: {error.strerror or error}") from None
    found = find_config(target.resolve())
    if found is not None and found != target.resolve():
        sys.stderr.write(f"lintslim: warning: {_shown(found)} is read before {target}, so {target} has no effect\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        if args.command == "check":
            return run_check(args)
        if args.command == "rules":
            return run_rules(args)
        if args.command == "audit":
            return _audit(args)
        if args.command == "server":
            from lintslim.lsp.server import serve

            return serve()
        if args.command == "init":
            from lintslim.init import run_init

            return run_init(args.directory, fix=args.fix, rev=args.rev, pyproject=args.pyproject)
        if args.command == "migrate-hadolint":
            return run_migrate_hadolint(args)
        return run_rule(args)
    except (UsageError, ConfigError, UnknownRuleError, InputError) as error:
        sys.stderr.write(f"lintslim: error: {error}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # a closed pipe (`| head`) is not an error worth a traceback
        return EXIT_OK

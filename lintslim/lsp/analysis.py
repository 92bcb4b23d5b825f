"""Linting one open document for the language server: the same `check_text` the CLI runs, in-process.

Nothing here imports pygls or lsprotocol, so the unit of work (and its cost, which
`benchmarks/lsp_relint.py` measures) is testable and timeable without a client.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from lintslim.config import CONFIG_FILES, HADOLINT_CONFIG_FILES, ConfigError, Settings, SettingsCache, resolve_settings
from lintslim.engine.registry import Registry
from lintslim.files import MAX_DOCKERFILE_BYTES, is_dockerfile_name
from lintslim.lsp.positions import UTF16, PositionMap
from lintslim.output import report_redactor
from lintslim.runner import BuildInputs, FileReport, FixMode, build_inputs, check_text
from lintslim.secrets.redact import Redactor

if TYPE_CHECKING:
    from lintslim.analysis.shellcheck import ShellCheckSession

_log = logging.getLogger(__name__)
DOCKERFILE_LANGUAGE_IDS = frozenset({"dockerfile", "containerfile"})


def uri_to_path(uri: str) -> Path | None:
    """The local path of a `file:` URI; None for `untitled:` and other schemes."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(url2pathname(parsed.path))  # url2pathname decodes the %-escapes: unquoting first would decode twice


def is_lintable(uri: str, language_id: str | None) -> bool:
    """A document to lint: the client calls it a Dockerfile, or its name says it is one."""
    if language_id is not None and language_id.lower() in DOCKERFILE_LANGUAGE_IDS:
        return True
    return is_dockerfile_name(unquote(urlparse(uri).path).rsplit("/", 1)[-1])


def is_config_file(uri: str) -> bool:
    """A file whose change can change the settings of open Dockerfiles: a lintslim config, or a
    hadolint one (read when no lintslim config is found)."""
    path = uri_to_path(uri)
    return path is not None and (path.name in CONFIG_FILES or path.name in HADOLINT_CONFIG_FILES)


def too_large(text: str) -> str | None:
    """Why a document is not linted when it is over the size `lintslim check` accepts; None when it is not."""
    if len(text) * 4 <= MAX_DOCKERFILE_BYTES:  # no UTF-8 encoding is longer than 4 bytes a code point
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    if size <= MAX_DOCKERFILE_BYTES:
        return None
    mib = 1024 * 1024
    return (
        f"lintslim: document too large to check ({size / mib:.1f} MiB; "
        f"the limit is {MAX_DOCKERFILE_BYTES // mib} MiB, as for `lintslim check`)"
    )


def _where(error: BaseException, frames: int = 3) -> str:
    """The innermost frames of an exception's traceback, on one line (`file:line in function`)."""
    summary = traceback.extract_tb(error.__traceback__)[-frames:]
    return " < ".join(f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}" for frame in reversed(summary))


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


@dataclass
class ConfigCache:
    """The server's `SettingsCache`, kept fresh while the server runs for hours.

    Each lookup walks up from the document again (a handful of `stat` calls), so a config file
    created or deleted since is noticed; loaded settings are reused while their file's modification
    time and size stay the same.
    """

    registry: Registry
    cache: SettingsCache = field(default_factory=SettingsCache)
    stamps: dict[Path, tuple[int, int] | None] = field(default_factory=dict)

    def settings_for(self, start: Path | None) -> Settings:
        """Settings for a document at (or a workspace folder) `start`; defaults without one.  May raise ConfigError."""
        if start is None:
            return Settings()
        self.cache.by_directory.clear()
        for source in list(self.cache.by_source):
            if _stamp(source) != self.stamps.get(source):
                del self.cache.by_source[source]
        settings = resolve_settings(start, self.registry, cache=self.cache)
        if settings.source is not None:
            self.stamps[settings.source] = _stamp(settings.source)
        return settings

    def clear(self) -> None:
        self.cache = SettingsCache()
        self.stamps.clear()


@dataclass
class Analysis:
    """One lint of one version of a document, and what code actions and hovers need from it."""

    uri: str
    version: int | None
    text: str
    positions: PositionMap
    path: Path | None = None  # None for documents that are not local files
    settings: Settings | None = None
    inputs: BuildInputs | None = None
    report: FileReport | None = None  # None when the document could not be checked at all
    redactor: Redactor | None = None
    problem: str | None = None  # why there are no findings: a bad config, a rule's crash

    @property
    def report_path(self) -> str:
        """The path the engine is given: the file's, or `-` (as for standard input) without one."""
        return str(self.path) if self.path is not None else "-"


def analyse(
    uri: str,
    text: str,
    version: int | None,
    registry: Registry,
    configs: ConfigCache,
    workspace_root: Path | None = None,
    encoding: str = UTF16,
    shellcheck: ShellCheckSession | None = None,
) -> Analysis:
    """Lint a document's text with the settings and build context of its path.

    A document that is not a local file (an unsaved buffer) gets the workspace's settings and no
    build context.  Never raises: a bad config, a document over the size limit or a crash becomes
    `Analysis.problem`.  `shellcheck` is the server's ShellCheck session (one lookup of the binary).
    """
    path = uri_to_path(uri)
    analysis = Analysis(uri, version, text, PositionMap(text, encoding), path)
    analysis.problem = too_large(text)
    if analysis.problem is not None:
        return analysis
    try:
        analysis.settings = configs.settings_for(path if path is not None else workspace_root)
    except ConfigError as error:
        analysis.problem = f"lintslim: configuration error: {error}"
        return analysis
    if path is not None and analysis.settings.is_excluded(str(path)):
        return analysis  # no report: no findings, no fixes
    try:
        analysis.inputs = build_inputs(str(path)) if path is not None else BuildInputs(None)
        analysis.report = lint(analysis, registry, FixMode(), shellcheck)
        analysis.redactor = report_redactor(analysis.report)
    except Exception as error:  # a bug must cost this document its findings, not the editor its server
        # the exception's text may quote the document (and a secret in it): log where, not what
        _log.error("internal error: %s at %s", type(error).__name__, _where(error))
        analysis.problem = f"lintslim: internal error ({type(error).__name__}); details are in the server's log"
        analysis.report = None
        return analysis
    if analysis.report.error is not None:
        crash = analysis.report.error.removeprefix(f"{analysis.report.path}: ")
        analysis.problem = f"lintslim: {analysis.redactor.scrub(crash)}"
    return analysis


def lint(
    analysis: Analysis, registry: Registry, mode: FixMode, shellcheck: ShellCheckSession | None = None
) -> FileReport:
    """Run `check_text` on the analysed text, as `lintslim check` would on the file (`--fix` with `mode.apply`)."""
    assert analysis.settings is not None and analysis.inputs is not None
    inputs = analysis.inputs
    return check_text(
        analysis.text,
        analysis.report_path,
        analysis.settings,
        registry,
        mode,
        inputs.context_dir,
        inputs.build_args,
        inputs.templates,
        shellcheck,
    )


def fix_all(
    analysis: Analysis, registry: Registry, *, create_files: bool, shellcheck: ShellCheckSession | None = None
) -> FileReport | None:
    """The document as `lintslim check --fix` would write it (unsafe fixes too when the settings say so).

    `create_files=False` leaves out fixes that create files in the build context.  None when the
    document cannot be fixed (excluded, or a problem).
    """
    if analysis.report is None or analysis.problem is not None:
        return None
    assert analysis.settings is not None
    new_files = create_files and analysis.inputs is not None and analysis.inputs.context_dir is not None
    mode = FixMode(apply=True, unsafe=analysis.settings.unsafe_fixes, new_files=new_files)
    report = lint(analysis, registry, mode, shellcheck)
    return None if report.error is not None else report

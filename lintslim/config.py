"""Configuration: `[tool.lintslim]` in pyproject.toml or a `.lintslim.yaml`, found upward from the file.

Precedence, lowest first: built-in defaults, the config file, command-line options.  Every key is
validated; an unknown key or a bad value is a `ConfigError` naming the key and the file.

When no lintslim config applies to a file, hadolint's `.hadolint.yaml` is read instead and translated
(`lintslim.hadolint_config`): the nearest one upward from the file, else the one hadolint itself would
read (the current directory's, then the per-user locations).
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lintslim.engine.registry import Registry, UnknownRuleError
from lintslim.engine.rule import Rule, Severity

CONFIG_FILES = (".lintslim.yaml", ".lintslim.yml", "pyproject.toml")
TOP_LEVEL_KEYS = (
    "select", "extend-select", "ignore", "per-file-ignores", "fail-on", "unsafe-fixes", "exclude", "rules", "lambda",
)  # fmt: skip


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class RuleSettings:
    severity: Severity | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fail_on: Severity = Severity.STYLE
    unsafe_fixes: bool = False
    exclude: tuple[str, ...] = ()
    rules: Mapping[str, RuleSettings] = field(default_factory=dict)  # keyed by rule code
    # Whether Dockerfiles build AWS Lambda images: True/False for all, or globs naming those that do
    # (the others are detected); None (the default) detects every file from its content.
    lambda_images: bool | tuple[str, ...] | None = None
    source: Path | None = None  # the file these settings came from
    # what a translated `.hadolint.yaml` held that lintslim has no equivalent for, one line each
    notes: tuple[str, ...] = ()

    @property
    def root(self) -> Path | None:
        return self.source.parent if self.source else None

    @property
    def from_hadolint(self) -> bool:
        """Whether these settings were translated from hadolint's config file."""
        return self.source is not None and is_hadolint_config(self.source)

    def enabled_rules(self, registry: Registry, path: str | None = None) -> list[type[Rule]]:
        """The rules for a file: the selection, less `ignore` and the file's `per-file-ignores`."""
        select: list[str] | None = None  # None: every rule enabled by default
        if self.select is not None or self.extend_select:
            base = self.select if self.select is not None else [r.code for r in registry.rules if r.default_enabled]
            select = [*base, *self.extend_select]
        ignore = list(self.ignore)
        if path is not None and self.per_file_ignores:
            ignore += self.ignores_for(path)
        return registry.select(select, ignore)

    def ignores_for(self, path: str) -> list[str]:
        relative = self.relative(path)
        found: list[str] = []
        for pattern, codes in self.per_file_ignores.items():
            if matches(pattern, relative):
                found += codes
        return found

    def is_excluded(self, path: str) -> bool:
        if not self.exclude:
            return False
        relative = self.relative(path)
        return any(matches(pattern, relative) for pattern in self.exclude)

    def relative(self, path: str) -> str:
        resolved = Path(path).resolve()
        root = self.root.resolve() if self.root else Path.cwd().resolve()
        try:
            return resolved.relative_to(root).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def lambda_for(self, path: str | None) -> bool | None:
        """True: the file builds a Lambda image; False: it does not; None: detect it from its content."""
        if self.lambda_images is None or isinstance(self.lambda_images, bool):
            return self.lambda_images
        if path is None or path == "-":
            return None
        relative = self.relative(path)
        return True if any(matches(pattern, relative) for pattern in self.lambda_images) else None

    def options_for(self, rule: type[Rule]) -> dict[str, Any]:
        options = rule.default_options()
        configured = self.rules.get(rule.code)
        if configured is not None:
            options.update(configured.options)
        return options

    def severity_for(self, rule: type[Rule]) -> Severity:
        configured = self.rules.get(rule.code)
        return configured.severity if configured and configured.severity else rule.severity


@dataclass(frozen=True)
class Overrides:
    """What the command line changes in every file's settings (`--select`, `--ignore`, ...)."""

    select: tuple[str, ...] | None = None  # replaces the configured selection
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool = False
    fail_on: Severity | None = None

    def references(self) -> tuple[str, ...]:
        return (*(self.select or ()), *self.extend_select, *self.ignore)

    def apply(self, settings: Settings) -> Settings:
        if self.select is not None:
            settings = replace(settings, select=self.select, extend_select=())
        settings = replace(
            settings,
            extend_select=(*settings.extend_select, *self.extend_select),
            ignore=(*settings.ignore, *self.ignore),
            unsafe_fixes=settings.unsafe_fixes or self.unsafe_fixes,
        )
        return replace(settings, fail_on=self.fail_on) if self.fail_on else settings


def matches(pattern: str, relative: str) -> bool:
    """A glob against a path relative to the config root; a pattern without `/` also matches a file name."""
    pattern = pattern.removeprefix("./")
    if fnmatch.fnmatchcase(relative, pattern):
        return True
    if pattern.startswith("**/") and fnmatch.fnmatchcase(relative, pattern[3:]):
        return True
    return "/" not in pattern and fnmatch.fnmatchcase(relative.rsplit("/", 1)[-1], pattern)


# --- finding and reading --------------------------------------------------------------------------


def find_config(start: Path, found: dict[Path, Path | None] | None = None) -> Path | None:
    """The nearest config file in `start` or above; a pyproject.toml counts only with `[tool.lintslim]`.

    `found` remembers the answer for every directory walked, so checking many files in one tree
    looks at each directory once.
    """
    directory = (start if start.is_dir() else start.parent).resolve()
    walked: list[Path] = []
    result: Path | None = None
    for folder in (directory, *directory.parents):
        if found is not None and folder in found:
            result = found[folder]
            break
        walked.append(folder)
        result = _config_in(folder)
        if result is not None:
            break
    if found is not None:
        found.update(dict.fromkeys(walked, result))
    return result


HADOLINT_CONFIG_FILES = (".hadolint.yaml", ".hadolint.yml")


def is_hadolint_config(path: Path) -> bool:
    """A YAML file named for hadolint (`.hadolint.yaml`, `~/.config/hadolint.yaml`, `ci/hadolint.yml`)
    or in `~/.hadolint/`, which is read in hadolint's format, not lintslim's."""
    if path.suffix not in (".yaml", ".yml"):
        return False
    return "hadolint" in path.name.lower() or path.parent.name == ".hadolint"


def hadolint_user_configs(environ: Mapping[str, str]) -> list[Path]:
    """hadolint's per-user config files, in the order it tries them (after the current directory's):
    `$XDG_CONFIG_HOME` (or `~/.config`), `~/.hadolint/`, then the home directory."""
    home = environ.get("HOME")
    if not home:
        return []
    xdg = environ.get("XDG_CONFIG_HOME", "")
    config_home = Path(xdg) if os.path.isabs(xdg) else Path(home) / ".config"
    app_data = Path(home) / ".hadolint"
    return [
        *(config_home / name for name in ("hadolint.yaml", "hadolint.yml")),
        *(app_data / name for name in ("hadolint.yaml", "hadolint.yml", "config.yaml", "config.yml")),
        *(Path(home) / name for name in HADOLINT_CONFIG_FILES),
    ]


def find_hadolint_config(start: Path, cache: SettingsCache | None = None) -> Path | None:
    """The `.hadolint.yaml` for a file that no lintslim config applies to.

    First the nearest one upward from the file, as lintslim's own configs are found (a repository
    linted from elsewhere keeps its settings); else the one hadolint would read: the current
    directory's, then the per-user files.
    """
    cache = cache if cache is not None else SettingsCache()
    directory = (start if start.is_dir() else start.parent).resolve()
    walked: list[Path] = []
    result: Path | None = None
    for folder in (directory, *directory.parents):
        if folder in cache.hadolint_by_directory:
            result = cache.hadolint_by_directory[folder]
            break
        walked.append(folder)
        result = next((folder / name for name in HADOLINT_CONFIG_FILES if (folder / name).is_file()), None)
        if result is not None:
            break
    cache.hadolint_by_directory.update(dict.fromkeys(walked, result))
    if result is not None:
        return result
    if not cache.hadolint_fallback:
        candidates = [Path.cwd() / name for name in HADOLINT_CONFIG_FILES] + hadolint_user_configs(os.environ)
        cache.hadolint_fallback.append(next((path for path in candidates if path.is_file()), None))
    return cache.hadolint_fallback[0]


def _config_in(folder: Path) -> Path | None:
    for name in CONFIG_FILES:
        candidate = folder / name
        if candidate.is_file() and (name != "pyproject.toml" or _has_tool_table(candidate)):
            return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        text = read_config_text(path)
    except ConfigError:
        return False
    return "[tool.lintslim" in text


MAX_CONFIG_BYTES = 1024 * 1024  # a pyproject.toml or .hadolint.yaml is a few KB


def read_config_for_edit(path: Path) -> tuple[str, int] | None:
    """A config file about to be edited: its text (as `read_config_text` reads it) and its
    modification time, to notice a change before writing; None when there is no such file."""
    try:
        mtime_ns = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    return read_config_text(path), mtime_ns


def read_config_text(path: Path) -> str:
    """A config file's text; ConfigError (one line) for a FIFO, device or directory, a file over
    MAX_CONFIG_BYTES, or bytes that are not UTF-8.  Opened without blocking: a FIFO named
    `pyproject.toml` is refused, never waited on."""
    from lintslim.files import NotRegularFileError, read_regular

    try:
        raw = read_regular(path, MAX_CONFIG_BYTES)
    except NotRegularFileError:
        raise ConfigError(f"{path}: not a regular file") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: too large for a config file (over {MAX_CONFIG_BYTES // 1024} KiB)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: cannot read: not valid UTF-8") from None


def parse_toml(text: str) -> dict[str, Any]:
    """A TOML document as a dict; raises ValueError (tomllib's TOMLDecodeError) when it is not TOML."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    parsed: dict[str, Any] = tomllib.loads(text)
    return parsed


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        data = parse_toml(read_config_text(path))
    except ConfigError:
        raise
    except ValueError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    tool = data.get("tool", {})
    section = tool.get("lintslim", {}) if isinstance(tool, dict) else {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.lintslim] must be a table")
    return section


def load_yaml_mapping(path: Path) -> dict[str, Any]:
    """A YAML file's top-level mapping, read in safe mode (no objects built from tags)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="safe", pure=True)
    text = read_config_text(path)
    try:
        data = yaml.load(text)
    except YAMLError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConfigError(f"{path}: invalid YAML: {first_line}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    return data


def load_file(path: Path, registry: Registry) -> Settings:
    if is_hadolint_config(path):
        from lintslim.hadolint_config import load_hadolint

        return load_hadolint(path, registry)
    raw = load_yaml_mapping(path) if path.suffix in (".yaml", ".yml") else _load_toml(path)
    return settings_from_mapping(raw, registry, source=path)


# --- validation -----------------------------------------------------------------------------------


def _string_list(value: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings")
    return tuple(value)


def _check_references(references: Sequence[str], key: str, registry: Registry, where: str) -> None:
    for reference in references:
        try:
            registry.resolve(reference)
        except UnknownRuleError:
            raise ConfigError(f"{where}: `{key}` names unknown rule or prefix `{reference}`") from None


def settings_from_mapping(raw: Mapping[str, Any], registry: Registry, source: Path | None = None) -> Settings:
    where = str(source) if source else "configuration"
    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            raise ConfigError(f"{where}: unknown key `{key}` (known: {', '.join(TOP_LEVEL_KEYS)})")
    settings = Settings(source=source)
    if "select" in raw:
        settings = replace(settings, select=_string_list(raw["select"], "select", where))
    if "extend-select" in raw:
        settings = replace(settings, extend_select=_string_list(raw["extend-select"], "extend-select", where))
    if "ignore" in raw:
        settings = replace(settings, ignore=_string_list(raw["ignore"], "ignore", where))
    if "exclude" in raw:
        settings = replace(settings, exclude=_string_list(raw["exclude"], "exclude", where))
    _check_references(settings.select or (), "select", registry, where)
    _check_references(settings.extend_select, "extend-select", registry, where)
    _check_references(settings.ignore, "ignore", registry, where)
    if "fail-on" in raw:
        try:
            settings = replace(settings, fail_on=Severity.parse(str(raw["fail-on"])))
        except ValueError as error:
            raise ConfigError(f"{where}: `fail-on`: {error}") from None
    if "unsafe-fixes" in raw:
        if not isinstance(raw["unsafe-fixes"], bool):
            raise ConfigError(f"{where}: `unsafe-fixes` must be true or false")
        settings = replace(settings, unsafe_fixes=raw["unsafe-fixes"])
    if "per-file-ignores" in raw:
        settings = replace(settings, per_file_ignores=_per_file_ignores(raw["per-file-ignores"], registry, where))
    if "rules" in raw:
        settings = replace(settings, rules=_rule_settings(raw["rules"], registry, where))
    if "lambda" in raw:
        settings = replace(settings, lambda_images=_lambda_images(raw["lambda"], where))
    return settings


def _lambda_images(value: Any, where: str) -> bool | tuple[str, ...]:
    if isinstance(value, bool):
        return value
    if isinstance(value, list) and value and all(isinstance(item, str) and item for item in value):
        return tuple(value)
    raise ConfigError(f"{where}: `lambda` must be true, false or a list of glob patterns naming Lambda Dockerfiles")


def _per_file_ignores(value: Any, registry: Registry, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `per-file-ignores` must map glob patterns to lists of rules")
    result: dict[str, tuple[str, ...]] = {}
    for pattern, codes in value.items():
        references = _string_list(codes, f"per-file-ignores.{pattern}", where)
        _check_references(references, f"per-file-ignores.{pattern}", registry, where)
        result[str(pattern)] = references
    return result


def _rule_settings(value: Any, registry: Registry, where: str) -> dict[str, RuleSettings]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `rules` must be a table of rule names")
    result: dict[str, RuleSettings] = {}
    for reference, table in value.items():
        rule = registry.exact(str(reference))
        if rule is None:
            raise ConfigError(f"{where}: `rules.{reference}`: unknown rule")
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: `rules.{reference}` must be a table")
        severity = None
        options: dict[str, Any] = {}
        for key, item in table.items():
            if key == "severity":
                try:
                    severity = Severity.parse(str(item))
                except ValueError as error:
                    raise ConfigError(f"{where}: `rules.{reference}.severity`: {error}") from None
            elif key in rule.options:
                try:
                    options[key] = rule.options[key].validate(rule.name, key, item)
                except ValueError as error:
                    raise ConfigError(f"{where}: {error}") from None
            else:
                known = ", ".join(["severity", *rule.options]) or "severity"
                raise ConfigError(f"{where}: unknown option `{key}` for rule `{rule.name}` (known: {known})")
        result[rule.code] = RuleSettings(severity, options)
    return result


@dataclass
class SettingsCache:
    """Config lookups and loaded settings for one run over many files."""

    by_directory: dict[Path, Path | None] = field(default_factory=dict)
    by_source: dict[Path, Settings] = field(default_factory=dict)
    # the same for `.hadolint.yaml`, looked for only where no lintslim config applies
    hadolint_by_directory: dict[Path, Path | None] = field(default_factory=dict)
    hadolint_fallback: list[Path | None] = field(default_factory=list)  # [answer] once looked up


def resolve_settings(
    path: Path | None, registry: Registry, explicit: Path | None = None, cache: SettingsCache | None = None
) -> Settings:
    """The settings for a file: from `--config`, else the nearest config file, else a `.hadolint.yaml`
    (translated), else the defaults."""
    cache = cache if cache is not None else SettingsCache()
    if not cache.by_directory:  # a caller that forgets the lookups (the language server) forgets these too
        cache.hadolint_by_directory.clear()
        cache.hadolint_fallback.clear()
    start = path if path is not None else Path.cwd()
    source = explicit or find_config(start, cache.by_directory) or find_hadolint_config(start, cache)
    if source is None:
        return Settings()
    if source in cache.by_source:
        return cache.by_source[source]
    if not source.exists():
        raise ConfigError(f"{source}: config file not found")
    settings = load_file(source, registry)
    cache.by_source[source] = settings
    return settings

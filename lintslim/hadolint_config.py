"""hadolint's `.hadolint.yaml`, read as lintslim settings and written out as `[tool.lintslim]`.

`translate` turns hadolint's keys into the keys of a lintslim config, naming rules by the hadolint
codes the user wrote (every lintslim rule that stands for a hadolint rule has its code as an alias).
Reading a `.hadolint.yaml` and loading what `lintslim migrate-hadolint` writes from it both go
through that one table and `config.settings_from_mapping`, so the two cannot drift apart.

What has no lintslim equivalent is left out with a note, never an error: the user did not write a
lintslim config, and hadolint itself passes over keys it does not know.  A value of the wrong type
is an error, as in lintslim's own configs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lintslim.config import ConfigError, Settings, load_yaml_mapping, settings_from_mapping
from lintslim.engine.registry import Registry, UnknownRuleError
from lintslim.engine.rule import Rule

SEVERITIES = ("error", "warning", "info", "style")  # hadolint's `override` lists, most severe first
TRUSTED_REGISTRIES = ("DL3026", "trusted-registries")  # the rule and its option
LABEL_KEYS = ("label-schema", "strict-labels")
# hadolint's output formats, and the `lintslim check --output-format` nearest to each
FORMATS = {
    "tty": "full",
    "json": "json",
    "sarif": "sarif",
    "sonarqube": "sarif",
    "junit": "junit",
    "gitlab_codeclimate": "gitlab",
    "codeclimate": "gitlab",
    "gnu": "concise",
}
KNOWN_KEYS = (
    "ignored", "override", "failure-threshold", "trustedRegistries", "no-fail", "format", "no-color", "verbose",
    "disable-ignore-pragma", *LABEL_KEYS,
)  # fmt: skip


@dataclass
class Migration:
    """A `.hadolint.yaml` as the keys of a `[tool.lintslim]` table, and what could not be carried over."""

    table: dict[str, Any] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)
    rule_keys: dict[str, str] = field(default_factory=dict)  # lintslim code -> the hadolint code naming it


def load_hadolint(path: Path, registry: Registry) -> Settings:
    """The settings a `.hadolint.yaml` stands for; raises ConfigError when it is not valid."""
    migration = translate(load_yaml_mapping(path), registry, str(path))
    settings = settings_from_mapping(migration.table, registry, source=path)
    return replace(settings, notes=tuple(migration.left_out))


def translate(raw: Mapping[str, Any], registry: Registry, where: str) -> Migration:
    migration = Migration()
    for key in raw:
        if key not in KNOWN_KEYS:
            migration.left_out.append(f"`{key}`: not a hadolint setting (hadolint passes over it too)")
    _ignored(raw, registry, where, migration)
    _override(raw, registry, where, migration)
    _trusted_registries(raw, registry, where, migration)
    _failure_threshold(raw, where, migration)
    _command_line_keys(raw, where, migration)
    return migration


# --- rules ----------------------------------------------------------------------------------------


def _codes(value: Any, key: str, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: `{key}` must be a list of rule codes")
    return [item.strip() for item in value if item.strip()]


def _not_covered(codes: list[str], key: str) -> list[str]:
    shellcheck = [code for code in codes if code.upper().startswith("SC")]
    others = [code for code in codes if code not in shellcheck]
    notes = []
    if others:
        notes.append(f"`{key}` {', '.join(others)}: no lintslim rule stands for {'it' if len(others) == 1 else 'them'}")
    if shellcheck:
        notes.append(f"`{key}` {', '.join(shellcheck)}: ShellCheck codes, which no lintslim rule reports in this run")
    return notes


def _lookup(code: str, registry: Registry) -> tuple[type[Rule] | None, bool]:
    """The rule a hadolint code names, and whether it names the whole rule (a DL alias) rather than
    one of the codes the rule reports (ShellCheck's `SC2086`, reported by lintslim's ShellCheck rule)."""
    rule = registry.exact(code)
    if rule is not None:
        return rule, True
    try:
        rules, exact = registry.resolve(code)
    except UnknownRuleError:
        return None, False
    return (rules[0], False) if exact and len(rules) == 1 else (None, False)


def _known(
    codes: list[str], key: str, registry: Registry, migration: Migration, *, per_code: bool
) -> list[tuple[str, type[Rule]]]:
    """The codes a lintslim rule stands for, with the rule, each rule once; a note for the others.

    `per_code`: also keep codes that name one of a rule's codes (SC2086), each code once.
    """
    known: list[tuple[str, type[Rule]]] = []
    unknown: list[str] = []
    for code in codes:
        rule, whole = _lookup(code, registry)
        if rule is None:
            unknown.append(code)
        elif not whole and not per_code:
            migration.left_out.append(
                f"`{key}` {code}: lintslim sets one severity for all of {rule.code} {rule.name}'s codes, not one "
                "per code; each keeps its own"
            )
        elif not _named_before(code, rule, whole, known):
            known.append((code, rule))
    if unknown:
        migration.left_out += _not_covered(unknown, key)
    return known


def _named_before(code: str, rule: type[Rule], whole: bool, known: list[tuple[str, type[Rule]]]) -> bool:
    if whole:
        return any(rule is other for _, other in known)
    return any(code.upper() == other.upper() for other, _ in known)


def _wider(named: list[tuple[str, type[Rule]]], written: list[str], key: str, migration: Migration) -> None:
    """Say when one lintslim rule stands for several hadolint codes, so naming one names them all
    (`written`: every code the setting names)."""
    upper = {code.upper() for code in written}
    for code, rule in named:
        if code.upper() not in {name.upper() for name in (rule.code, *rule.aliases)}:
            continue  # one of the codes the rule reports (SC2086), not the rule
        others = [alias for alias in rule.aliases if alias.startswith("DL") and alias.upper() not in upper]
        if others:
            migration.left_out.append(
                f"`{key}` {code} is {rule.code} {rule.name}, which also stands for {', '.join(others)}: "
                "the setting covers those too"
            )


def _ignored(raw: Mapping[str, Any], registry: Registry, where: str, migration: Migration) -> None:
    codes = _codes(raw.get("ignored"), "ignored", where)
    known = _known(codes, "ignored", registry, migration, per_code=True)
    if known:
        migration.table["ignore"] = [code for code, _ in known]
        _wider(known, codes, "ignored", migration)


def _rule_table(migration: Migration, code: str, rule: type[Rule]) -> dict[str, Any]:
    """The `rules.<code>` table for a rule, keyed by the first hadolint code that named it."""
    reference = migration.rule_keys.setdefault(rule.code, code)
    rules: dict[str, dict[str, Any]] = migration.table.setdefault("rules", {})
    return rules.setdefault(reference, {})


def _enable(migration: Migration, code: str, rule: type[Rule]) -> None:
    """Select an opt-in rule the user configured: hadolint runs every rule it has a setting for."""
    if not rule.default_enabled and rule.code not in migration.rule_keys:  # (not configured before)
        migration.table.setdefault("extend-select", []).append(code)


def _override(raw: Mapping[str, Any], registry: Registry, where: str, migration: Migration) -> None:
    override = raw.get("override")
    if override is None:
        return
    if not isinstance(override, dict):
        raise ConfigError(f"{where}: `override` must map severities (error, warning, info, style) to rule codes")
    for key in override:
        if key not in SEVERITIES:
            migration.left_out.append(f"`override.{key}`: not a hadolint severity (hadolint passes over it too)")
    given: dict[str, str] = {}  # lintslim code -> the severity it got
    for severity in SEVERITIES:
        key = f"override.{severity}"
        accepted = []
        codes = _codes(override.get(severity), key, where)
        for code, rule in _known(codes, key, registry, migration, per_code=False):
            if rule.code in given:
                migration.left_out.append(f"`{key}` {code}: already `{given[rule.code]}` above, which is kept")
                continue
            given[rule.code] = severity
            _enable(migration, code, rule)
            _rule_table(migration, code, rule)["severity"] = severity
            accepted.append((code, rule))
        _wider(accepted, codes, key, migration)


def _trusted_registries(raw: Mapping[str, Any], registry: Registry, where: str, migration: Migration) -> None:
    value = raw.get("trustedRegistries")
    if value is None:
        return
    registries = [value] if isinstance(value, str) else value
    if not isinstance(registries, list) or not all(isinstance(item, str) for item in registries):
        raise ConfigError(f"{where}: `trustedRegistries` must be a registry name or a list of them")
    if not registries:
        return
    code, option = TRUSTED_REGISTRIES
    rule = registry.exact(code)
    if rule is None or option not in rule.options:
        migration.left_out.append(f"`trustedRegistries`: no lintslim rule stands for {code} (allowed registries)")
        return
    _enable(migration, code, rule)
    _rule_table(migration, code, rule)[option] = list(registries)


# --- thresholds and command-line matters ------------------------------------------------------------


def _failure_threshold(raw: Mapping[str, Any], where: str, migration: Migration) -> None:
    value = raw.get("failure-threshold")
    if value is None:
        return
    threshold = value.lower() if isinstance(value, str) else None
    if threshold in SEVERITIES:
        migration.table["fail-on"] = threshold
    elif threshold in ("ignore", "none"):
        migration.left_out.append(
            f"`failure-threshold: {value}` (no finding fails the run): a config has no such level; "
            "pass `--exit-zero` to `lintslim check`"
        )
    else:
        raise ConfigError(f"{where}: `failure-threshold` must be one of {', '.join(SEVERITIES)}, ignore, none")


def _flag(raw: Mapping[str, Any], key: str, where: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: `{key}` must be true or false")
    return value


def _command_line_keys(raw: Mapping[str, Any], where: str, migration: Migration) -> None:
    """Keys about how hadolint runs, which lintslim takes from the command line, not the config."""
    if _flag(raw, "no-fail", where):
        migration.left_out.append("`no-fail: true`: pass `--exit-zero` to `lintslim check`")
    if _flag(raw, "no-color", where):
        migration.left_out.append("`no-color: true`: lintslim colours only a terminal; set NO_COLOR there")
    _flag(raw, "verbose", where)  # checked, and nothing to carry over
    if _flag(raw, "disable-ignore-pragma", where):
        migration.left_out.append("`disable-ignore-pragma: true`: lintslim always honours ignore pragmas")
    if "format" in raw:
        name = raw["format"]
        if not isinstance(name, str):
            raise ConfigError(f"{where}: `format` must be the name of an output format")
        nearest = FORMATS.get(name.lower())
        flag = f"pass `--output-format {nearest}` to `lintslim check`" if nearest else "lintslim has no such format"
        migration.left_out.append(f"`format: {name}`: {flag}")
    for key in LABEL_KEYS:
        if raw.get(key):
            migration.left_out.append(f"`{key}`: lintslim has no label rules (DL3049-DL3058)")


# --- writing the lintslim config ------------------------------------------------------------------


def _quoted(text: str) -> str:
    """A string as a TOML basic string, which is also a YAML double-quoted scalar."""
    return json.dumps(text, ensure_ascii=False)


def _rule_comment(reference: str, registry: Registry) -> str:
    rule = _lookup(reference, registry)[0]
    return f"{rule.code} {rule.name}" if rule is not None else ""


def _header(source: str, migration: Migration) -> list[str]:
    lines = [
        f"Translated from {source} by `lintslim migrate-hadolint`.",
        "Rules are named by their hadolint codes, which lintslim takes as aliases; the comments name",
        "the lintslim rule.",
    ]
    if migration.left_out:
        heading = "Left out or changed (no exact lintslim equivalent):"
        lines += ["", heading, *(f"- {note}" for note in migration.left_out)]
    return lines


def render_toml(migration: Migration, registry: Registry, source: str) -> str:
    """The `[tool.lintslim]` table (and its `rules.<code>` sub-tables) for a pyproject.toml."""
    table = migration.table
    out = ["[tool.lintslim]", *(f"# {line}".rstrip() for line in _header(source, migration))]
    for key in ("ignore", "extend-select"):
        if key in table:
            out.append(f"{key} = [")
            out += [f"    {_quoted(code)},  # {_rule_comment(code, registry)}" for code in table[key]]
            out.append("]")
    if "fail-on" in table:
        out.append(f"fail-on = {_quoted(table['fail-on'])}")
    for reference, settings in table.get("rules", {}).items():
        out += ["", f"[tool.lintslim.rules.{reference}]  # {_rule_comment(reference, registry)}"]
        out += [f"{key} = {_toml_value(value)}" for key, value in settings.items()]
    return "\n".join(out) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_quoted(item) for item in value) + "]"
    return _quoted(str(value))


def render_yaml(migration: Migration, registry: Registry, source: str) -> str:
    """The same settings as a `.lintslim.yaml`."""
    table = migration.table
    out = [f"# {line}".rstrip() for line in _header(source, migration)]
    for key in ("ignore", "extend-select"):
        if key in table:
            out.append(f"{key}:")
            out += [f"  - {_quoted(code)}  # {_rule_comment(code, registry)}" for code in table[key]]
    if "fail-on" in table:
        out.append(f"fail-on: {_quoted(table['fail-on'])}")
    if table.get("rules"):
        out.append("rules:")
        for reference, settings in table["rules"].items():
            out.append(f"  {reference}:  # {_rule_comment(reference, registry)}")
            out += [f"    {key}: {_toml_value(value)}" for key, value in settings.items()]
    return "\n".join(out) + "\n"


def behaviour(settings: Settings, registry: Registry) -> tuple[Any, ...]:
    """What settings change in a run: the rules enabled, their severities and options, `fail-on`, and
    the codes ignored (which may be single codes of a rule, such as ShellCheck's)."""
    rules = settings.enabled_rules(registry)
    return (
        tuple(rule.code for rule in rules),
        tuple(sorted(reference.upper() for reference in settings.ignore)),
        tuple(settings.severity_for(rule) for rule in rules),
        tuple(sorted(settings.options_for(rule).items()) for rule in rules),
        settings.fail_on,
    )


# --- `lintslim migrate-hadolint --write` ------------------------------------------------------------


class MigrationError(Exception):
    """Why a migrated config cannot be written; one line."""


def _appended(text: str, addition: str) -> str:
    """`addition` after the last byte of `text`, after a blank line, in the file's line endings."""
    newline = "\r\n" if "\r\n" in text else "\n"
    addition = addition.replace("\n", newline)
    if not text or text.endswith(newline * 2):
        return text + addition
    return text + (newline if text.endswith(newline) else newline * 2) + addition


def _lintslim_table(text: str, path: Path) -> dict[str, Any] | None:
    """The `[tool.lintslim]` table of a pyproject.toml, or None without one."""
    from lintslim.config import parse_toml

    try:
        tool = parse_toml(text).get("tool")
    except ValueError as error:
        raise MigrationError(f"{path}: invalid TOML: {error}") from None
    section = tool.get("lintslim") if isinstance(tool, dict) else None
    return section if isinstance(section, dict) else None


def planned_text(target: Path, migration: Migration, registry: Registry, source: Path) -> tuple[str, str, int | None]:
    """What `--write target` puts in the file: (the whole new text, the part lintslim adds, the
    modification time of the file it was read from, or None when it is created)."""
    try:
        label = os.path.relpath(source, target.parent.resolve())
    except ValueError:  # another drive
        label = str(source)
    if target.suffix == ".toml":
        addition = render_toml(migration, registry, label)
        existing = _read(target)
        if existing is None:
            return addition, addition, None
        text, mtime_ns = existing
        if _lintslim_table(text, target) is not None:
            raise MigrationError(f"{target}: already has [tool.lintslim]; print the translation and merge it by hand")
        return _appended(text, addition), addition, mtime_ns
    if target.suffix in (".yaml", ".yml"):
        if target.exists():
            raise MigrationError(f"{target}: already exists; print the translation and merge it by hand")
        addition = render_yaml(migration, registry, label)
        return addition, addition, None
    raise MigrationError(f"{target}: --write takes a pyproject.toml or a .lintslim.yaml")


def _read(path: Path) -> tuple[str, int] | None:
    """The text of the pyproject.toml `--write` appends to and its modification time; None when there is none."""
    from lintslim.config import read_config_for_edit

    try:
        return read_config_for_edit(path)
    except ConfigError as error:
        raise MigrationError(str(error)) from None


def written_settings(target: Path, text: str, registry: Registry) -> Settings:
    """The settings lintslim will read from `text` once it is `target`'s content."""
    if target.suffix == ".toml":
        table = _lintslim_table(text, target)
        if table is None:  # e.g. `tool = {...}` written inline, which a new table cannot extend
            raise MigrationError(f"{target}: cannot append a [tool.lintslim] table to this file; add it by hand")
        return settings_from_mapping(table, registry, source=target)
    from ruamel.yaml import YAML

    return settings_from_mapping(YAML(typ="safe", pure=True).load(text) or {}, registry, source=target)

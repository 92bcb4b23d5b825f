"""Reading hadolint's `.hadolint.yaml` and `lintslim migrate-hadolint`.

Translation is tested against a small registry of probe rules (so the tests do not depend on which
hadolint codes lintslim's rules cover today) and, through the command line, against the real rules
LS502-LS504, which stand for DL3025, DL3020 and DL4000.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from lintslim_process import run_lintslim

from lintslim.config import ConfigError, SettingsCache, find_hadolint_config, load_file, resolve_settings
from lintslim.engine.registry import Registry, default_registry
from lintslim.engine.rule import Diagnostic, Option, Rule, RuleContext, Severity
from lintslim.hadolint_config import behaviour, planned_text, render_toml, render_yaml, translate, written_settings


class _Probe(Rule):
    severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        return iter(())


class CopyProbe(_Probe):
    code, name, aliases = "LS591", "copy-probe", ("DL3020",)


class PinProbe(_Probe):  # opt-in, like lintslim's pinning rules
    code, name, aliases, default_enabled = "LS592", "pin-probe", ("DL3008",), False


class MultipleProbe(_Probe):  # one rule for two hadolint codes
    code, name, aliases = "LS593", "multiple-probe", ("DL4003", "DL4004")


class RegistryProbe(_Probe):
    code, name, aliases, default_enabled = "LS594", "registry-probe", ("DL3026",), False
    options: ClassVar = {"trusted-registries": Option(list, [], "registries FROM may use")}


PROBES = Registry((CopyProbe, PinProbe, MultipleProbe, RegistryProbe))


class ShellProbe(_Probe):  # reports ShellCheck's codes under its own, as lintslim's ShellCheck rule does
    code, name = "LS595", "shell-probe"


class ForeignCodes(Registry):
    """A registry that, like lintslim's with its ShellCheck rule, takes `SC2086` as one of LS595's codes."""

    def resolve(self, reference: str) -> tuple[list[type[Rule]], bool]:
        if reference.upper().startswith("SC") and len(reference) == 6:
            return [ShellProbe], True
        return super().resolve(reference)


WITH_SHELLCHECK = ForeignCodes((CopyProbe, ShellProbe))


def enabled(settings_registry: Registry, raw: dict[str, object]) -> tuple[list[str], list[str]]:
    migration = translate(raw, settings_registry, ".hadolint.yaml")
    from lintslim.config import settings_from_mapping

    settings = settings_from_mapping(migration.table, settings_registry)
    return [rule.code for rule in settings.enabled_rules(settings_registry)], migration.left_out


# --- translation --------------------------------------------------------------------------------------


def test_translates_ignored_override_threshold_and_registries() -> None:
    raw = {
        "ignored": ["DL3020"],
        "override": {"error": ["DL3008"], "style": ["DL4003"]},
        "failure-threshold": "Warning",
        "trustedRegistries": ["docker.io", "*.gcr.io"],
    }
    migration = translate(raw, PROBES, ".hadolint.yaml")
    assert migration.table == {
        "ignore": ["DL3020"],
        "extend-select": ["DL3008", "DL3026"],  # opt-in rules the config gives a setting are turned on
        "rules": {
            "DL3008": {"severity": "error"},
            "DL4003": {"severity": "style"},
            "DL3026": {"trusted-registries": ["docker.io", "*.gcr.io"]},
        },
        "fail-on": "warning",
    }
    # DL4003's rule also stands for DL4004: said, since the severity reaches both
    assert migration.left_out == [
        "`override.style` DL4003 is LS593 multiple-probe, which also stands for DL4004: the setting covers those too"
    ]


def test_codes_no_rule_stands_for_are_left_out_with_a_note_not_an_error() -> None:
    codes, notes = enabled(PROBES, {"ignored": ["DL3048", "SC2086", "DL3020"], "override": {"info": ["DL3057"]}})
    assert codes == ["LS593"]  # DL3020 ignored; the rest unchanged
    assert notes == [
        "`ignored` DL3048: no lintslim rule stands for it",
        "`ignored` SC2086: ShellCheck codes, which no lintslim rule reports in this run",
        "`override.info` DL3057: no lintslim rule stands for it",
    ]


def test_naming_every_code_of_a_rule_needs_no_note() -> None:
    migration = translate({"ignored": ["DL4004", "DL4003", "DL4004"]}, PROBES, "x")
    assert (migration.table, migration.left_out) == ({"ignore": ["DL4004"]}, [])
    one = translate({"ignored": ["DL4004"]}, PROBES, "x")
    assert one.left_out == [
        "`ignored` DL4004 is LS593 multiple-probe, which also stands for DL4003: the setting covers those too"
    ]


def test_shellcheck_codes_are_ignored_one_by_one_when_a_rule_reports_them() -> None:
    raw = {"ignored": ["SC2086", "SC2046", "sc2086", "DL3020"], "override": {"error": ["SC2086"]}}
    migration = translate(raw, WITH_SHELLCHECK, "x")
    assert migration.table == {"ignore": ["SC2086", "SC2046", "DL3020"]}
    assert migration.left_out == [
        "`override.error` SC2086: lintslim sets one severity for all of LS595 shell-probe's codes, not one per code; "
        "each keeps its own"
    ]
    toml = render_toml(migration, WITH_SHELLCHECK, ".hadolint.yaml")
    assert '    "SC2046",  # LS595 shell-probe\n' in toml


def test_trusted_registries_as_one_string_and_without_a_rule() -> None:
    migration = translate({"trustedRegistries": "docker.io"}, PROBES, "x")
    assert migration.table["rules"] == {"DL3026": {"trusted-registries": ["docker.io"]}}
    without = translate({"trustedRegistries": "docker.io"}, Registry((CopyProbe,)), "x")
    assert without.table == {}
    assert without.left_out == ["`trustedRegistries`: no lintslim rule stands for DL3026 (allowed registries)"]


def test_a_code_in_two_override_lists_keeps_the_more_severe() -> None:
    migration = translate({"override": {"warning": ["DL3020"], "info": ["DL3020"]}}, PROBES, "x")
    assert migration.table == {"rules": {"DL3020": {"severity": "warning"}}}
    assert migration.left_out == ["`override.info` DL3020: already `warning` above, which is kept"]


def test_command_line_keys_are_named_not_applied() -> None:
    raw = {
        "no-fail": True,
        "no-color": True,
        "format": "gitlab_codeclimate",
        "failure-threshold": "none",
        "disable-ignore-pragma": True,
        "strict-labels": True,
        "label-schema": {"author": "text"},
        "verbose": False,
        "colour": "yes",
    }
    migration = translate(raw, PROBES, "x")
    assert migration.table == {}
    assert migration.left_out == [
        "`colour`: not a hadolint setting (hadolint passes over it too)",
        "`failure-threshold: none` (no finding fails the run): a config has no such level; "
        "pass `--exit-zero` to `lintslim check`",
        "`no-fail: true`: pass `--exit-zero` to `lintslim check`",
        "`no-color: true`: lintslim colours only a terminal; set NO_COLOR there",
        "`disable-ignore-pragma: true`: lintslim always honours ignore pragmas",
        "`format: gitlab_codeclimate`: pass `--output-format gitlab` to `lintslim check`",
        "`label-schema`: lintslim has no label rules (DL3049-DL3058)",
        "`strict-labels`: lintslim has no label rules (DL3049-DL3058)",
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"ignored": "DL3020"}, "`ignored` must be a list of rule codes"),
        ({"ignored": [3020]}, "`ignored` must be a list of rule codes"),
        ({"override": ["DL3020"]}, "`override` must map severities"),
        ({"override": {"error": "DL3020"}}, "`override.error` must be a list of rule codes"),
        ({"failure-threshold": "fatal"}, "`failure-threshold` must be one of error, warning, info, style"),
        ({"trustedRegistries": {"a": 1}}, "`trustedRegistries` must be a registry name or a list"),
        ({"no-fail": "yes"}, "`no-fail` must be true or false"),
        ({"format": 1}, "`format` must be the name of an output format"),
    ],
)
def test_wrong_types_are_config_errors(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        translate(raw, PROBES, ".hadolint.yaml")


def test_yaml_is_read_in_safe_mode(tmp_path: Path) -> None:
    config = tmp_path / ".hadolint.yaml"
    config.write_text("ignored: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_file(config, default_registry())


# --- the round trip ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pyproject.toml", ".lintslim.yaml"])
def test_written_config_does_what_the_hadolint_config_does(tmp_path: Path, name: str) -> None:
    raw = {
        "ignored": ["DL4004", "DL9999"],
        "override": {"error": ["DL3008", "DL3020"]},
        "failure-threshold": "info",
        "trustedRegistries": ["quay.io", 'odd"name'],
    }
    migration = translate(raw, PROBES, "x")
    from lintslim.config import settings_from_mapping

    direct = settings_from_mapping(migration.table, PROBES)
    text, addition, mtime = planned_text(tmp_path / name, migration, PROBES, tmp_path / ".hadolint.yaml")
    assert (text, mtime) == (addition, None)
    written = written_settings(tmp_path / name, text, PROBES)
    assert behaviour(written, PROBES) == behaviour(direct, PROBES)
    assert [rule.code for rule in written.enabled_rules(PROBES)] == ["LS591", "LS592", "LS594"]
    assert written.severity_for(PinProbe) is Severity.ERROR
    assert written.options_for(RegistryProbe) == {"trusted-registries": ["quay.io", 'odd"name']}
    assert "# Translated from .hadolint.yaml" in text
    assert "# - `ignored` DL9999: no lintslim rule stands for it" in text


def test_rendered_configs_name_rules_by_hadolint_code_with_the_lintslim_rule_beside() -> None:
    migration = translate({"ignored": ["DL3020"], "override": {"info": ["DL4003"]}}, PROBES, "x")
    toml = render_toml(migration, PROBES, ".hadolint.yaml")
    assert '    "DL3020",  # LS591 copy-probe\n' in toml
    assert '[tool.lintslim.rules.DL4003]  # LS593 multiple-probe\nseverity = "info"\n' in toml
    yaml = render_yaml(migration, PROBES, ".hadolint.yaml")
    assert 'rules:\n  DL4003:  # LS593 multiple-probe\n    severity: "info"\n' in yaml


# --- where the config is found ------------------------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty home directory and an unrelated working directory, so the machine's own files do not count."""
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.chdir(work)
    return home


def _dockerfile(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Dockerfile").write_text("FROM alpine:3.20\n", encoding="utf-8")
    return directory / "Dockerfile"


def test_nearest_upward_then_working_directory_then_per_user(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dockerfile = _dockerfile(tmp_path / "repo" / "svc")
    assert find_hadolint_config(dockerfile) is None
    (home / ".hadolint.yaml").write_text("{}\n", encoding="utf-8")
    assert find_hadolint_config(dockerfile) == home / ".hadolint.yaml"
    (home / ".hadolint").mkdir()
    (home / ".hadolint" / "config.yml").write_text("{}\n", encoding="utf-8")
    assert find_hadolint_config(dockerfile) == home / ".hadolint" / "config.yml"
    (home / ".config" / "hadolint.yaml").write_text("{}\n", encoding="utf-8")
    assert find_hadolint_config(dockerfile) == home / ".config" / "hadolint.yaml"
    xdg = tmp_path / "xdg"
    xdg.mkdir()
    (xdg / "hadolint.yml").write_text("{}\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    assert find_hadolint_config(dockerfile) == xdg / "hadolint.yml"
    (Path.cwd() / ".hadolint.yml").write_text("{}\n", encoding="utf-8")
    assert find_hadolint_config(dockerfile) == Path.cwd() / ".hadolint.yml"
    (tmp_path / "repo" / ".hadolint.yaml").write_text("{}\n", encoding="utf-8")
    assert find_hadolint_config(dockerfile) == tmp_path / "repo" / ".hadolint.yaml"


def test_a_lintslim_config_anywhere_above_wins(tmp_path: Path, home: Path) -> None:
    dockerfile = _dockerfile(tmp_path / "repo" / "svc")
    (tmp_path / "repo" / "svc" / ".hadolint.yaml").write_text("failure-threshold: error\n", encoding="utf-8")
    assert resolve_settings(dockerfile, default_registry()).fail_on is Severity.ERROR
    (tmp_path / "repo" / "pyproject.toml").write_text("[tool.lintslim]\nfail-on = 'info'\n", encoding="utf-8")
    settings = resolve_settings(dockerfile, default_registry())
    assert (settings.fail_on, settings.from_hadolint) == (Severity.INFO, False)


def test_cached_lookups_are_forgotten_with_the_lintslim_ones(tmp_path: Path, home: Path) -> None:
    dockerfile = _dockerfile(tmp_path / "repo")
    cache = SettingsCache()
    assert resolve_settings(dockerfile, default_registry(), cache=cache).source is None
    (tmp_path / "repo" / ".hadolint.yaml").write_text("{}\n", encoding="utf-8")
    assert resolve_settings(dockerfile, default_registry(), cache=cache).source is None  # one run: cached
    cache.by_directory.clear()  # what the language server does before each lookup
    assert resolve_settings(dockerfile, default_registry(), cache=cache).source == tmp_path / "repo" / ".hadolint.yaml"


# --- the command line ---------------------------------------------------------------------------------


def run(*args: str | Path, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return run_lintslim(*args, cwd=cwd, env={"HOME": str(home)}, drop=("LINTSLIM_", "XDG_"))


HADOLINT_YAML = """\
ignored: [DL3025, DL3048]
override:
  error: [DL3020]
  style: [DL4000]
failure-threshold: error
no-fail: true
"""
DOCKERFILE = "FROM alpine:3.20\nADD app.py /app/\nMAINTAINER someone\nCMD python /app/app.py\n"


def _project(root: Path) -> Path:
    root.mkdir()
    (root / ".hadolint.yaml").write_text(HADOLINT_YAML, encoding="utf-8")
    for name in ("a", "b"):
        (root / name).mkdir()
        (root / name / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    return root


def test_check_reads_it_and_says_so_once_on_stderr(tmp_path: Path, home: Path) -> None:
    root = _project(tmp_path / "repo")
    done = run(
        "check", "a/Dockerfile", "b/Dockerfile", "--select", "hygiene", "--output-format", "json", cwd=root, home=home
    )
    assert done.returncode == 1  # LS503 (DL3020) is an error now, and fail-on is error
    findings = json.loads(done.stdout)  # stdout stays pure JSON
    assert sorted({(f["code"], f["severity"]) for f in findings}) == [("LS503", "error"), ("LS504", "style")]
    assert done.stderr.splitlines() == [
        "lintslim: using .hadolint.yaml (.hadolint.yaml); run 'lintslim migrate-hadolint' to write the lintslim "
        "equivalent",
        "lintslim: 2 of its settings do not carry over exactly; 'lintslim migrate-hadolint' lists them",
    ]


def test_style_only_findings_pass_the_hadolint_threshold(tmp_path: Path, home: Path) -> None:
    root = _project(tmp_path / "repo")
    (root / "a" / "Dockerfile").write_text("FROM alpine:3.20\nMAINTAINER someone\n", encoding="utf-8")
    done = run("check", "a/Dockerfile", "--select", "hygiene", "--output-format", "concise", cwd=root, home=home)
    assert done.returncode == 0, done.stdout
    assert "LS504" in done.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("ignored: [DL3020\n", "invalid YAML"),
        ("ignored: DL3020\n", "`ignored` must be a list of rule codes"),
        ("- DL3020\n", "the top level must be a mapping"),
    ],
)
def test_a_broken_hadolint_config_is_one_line_and_exit_2(
    tmp_path: Path, home: Path, content: str, message: str
) -> None:
    (tmp_path / ".hadolint.yaml").write_text(content, encoding="utf-8")
    (tmp_path / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    done = run("check", "Dockerfile", cwd=tmp_path, home=home)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(f"lintslim: error: {tmp_path / '.hadolint.yaml'}: ")
    assert message in done.stderr


def test_migrate_prints_the_table(tmp_path: Path, home: Path) -> None:
    root = _project(tmp_path / "repo")
    done = run("migrate-hadolint", cwd=root / "a", home=home)  # found upward from the working directory
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("[tool.lintslim]\n# Translated from ")
    assert '    "DL3025",  # LS502 json-args-recommended\n' in done.stdout
    assert '[tool.lintslim.rules.DL3020]  # LS503 prefer-copy-over-add\nseverity = "error"\n' in done.stdout
    assert "# - `ignored` DL3048: no lintslim rule stands for it\n" in done.stdout
    assert "# - `no-fail: true`: pass `--exit-zero` to `lintslim check`\n" in done.stdout
    assert done.stderr == ""


def test_migrate_appends_to_pyproject_keeping_every_byte(tmp_path: Path, home: Path) -> None:
    root = _project(tmp_path / "repo")
    original = b'[project]\r\nname = "x"  # a comment\r\n\r\n[tool.ruff]\r\nline-length = 120'  # CRLF, no final newline
    (root / "pyproject.toml").write_bytes(original)
    dry = run("migrate-hadolint", "--write", "pyproject.toml", "--dry-run", cwd=root, home=home)
    assert dry.returncode == 0
    assert dry.stderr == "lintslim: would append this to pyproject.toml (dry run: nothing written)\n"
    assert (root / "pyproject.toml").read_bytes() == original
    done = run("migrate-hadolint", "--write", "pyproject.toml", cwd=root, home=home)
    assert done.returncode == 0, done.stderr
    written = (root / "pyproject.toml").read_bytes()
    assert written.startswith(original + b"\r\n\r\n[tool.lintslim]\r\n")
    assert b"\n" not in written.replace(b"\r\n", b"")  # the file's line endings throughout
    assert dry.stdout.replace("\n", "\r\n").encode() == written[len(original) + 4 :]
    registry = default_registry()
    direct = load_file(root / ".hadolint.yaml", registry)
    assert behaviour(load_file(root / "pyproject.toml", registry), registry) == behaviour(direct, registry)
    # now lintslim's own config applies: no notice any more
    check = run("check", "a/Dockerfile", "--select", "hygiene", "--output-format", "concise", cwd=root, home=home)
    assert "hadolint" not in check.stderr
    again = run("migrate-hadolint", "--write", "pyproject.toml", cwd=root, home=home)
    assert again.returncode == 2
    assert again.stderr == (
        "lintslim: error: pyproject.toml: already has [tool.lintslim]; print the translation and merge it by hand\n"
    )
    assert (root / "pyproject.toml").read_bytes() == written


def test_migrate_creates_a_lintslim_yaml_and_will_not_overwrite_it(tmp_path: Path, home: Path) -> None:
    root = _project(tmp_path / "repo")
    done = run("migrate-hadolint", "--write", ".lintslim.yaml", cwd=root, home=home)
    assert done.returncode == 0, done.stderr
    registry = default_registry()
    written = load_file(root / ".lintslim.yaml", registry)
    assert behaviour(written, registry) == behaviour(load_file(root / ".hadolint.yaml", registry), registry)
    before = (root / ".lintslim.yaml").read_bytes()
    again = run("migrate-hadolint", "--write", ".lintslim.yaml", cwd=root, home=home)
    assert again.returncode == 2
    assert "already exists" in again.stderr
    assert (root / ".lintslim.yaml").read_bytes() == before


def test_migrate_errors(tmp_path: Path, home: Path) -> None:
    nothing = run("migrate-hadolint", cwd=tmp_path, home=home)
    assert nothing.returncode == 2
    assert nothing.stderr.startswith("lintslim: error: no .hadolint.yaml here")
    root = _project(tmp_path / "repo")
    other = run("migrate-hadolint", "--write", "setup.cfg", cwd=root, home=home)
    assert other.returncode == 2
    assert other.stderr == "lintslim: error: setup.cfg: --write takes a pyproject.toml or a .lintslim.yaml\n"
    assert not (root / "setup.cfg").exists()

"""Config files and templates load safely (issue 8).

A `.lintslim.yaml`, a `.hadolint.yaml` or a SAM/CloudFormation template can come with the repository
being linted: YAML tags must never build objects or run code (`!!python/object/apply:os.system`),
unknown CloudFormation tags load as plain data, alias bombs finish at once, and a FIFO or a huge
file where a config is expected gives a one-line error instead of a hang.  Commands run in a
subprocess with a timeout, so a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lintslim_process import run_lintslim

from lintslim.config import MAX_CONFIG_BYTES, ConfigError, load_file
from lintslim.context.sam import load_document, read_template
from lintslim.engine.registry import Registry
from lintslim.rules import ALL_RULES

DOCKERFILE = "FROM alpine:3.20\nUSER 65532\n"


run = run_lintslim


def payloads(marker: Path) -> list[str]:
    """YAML values that would create `marker` if a loader constructed Python objects from tags."""
    command = f"touch {marker}"
    return [
        f"!!python/object/apply:os.system [{command!r}]",
        f"!!python/object/apply:subprocess.call [[touch, {str(marker)!r}]]",
        "!!python/name:os.system",
        f"!!python/object/new:os.system [{command!r}]",
        "!!python/module:os",
    ]


def payload_ids() -> list[str]:
    return ["apply-os-system", "apply-subprocess", "name", "new", "module"]


@pytest.mark.parametrize("index", range(5), ids=payload_ids())
@pytest.mark.parametrize("name", [".lintslim.yaml", ".hadolint.yaml"])
def test_python_tags_in_a_config_are_a_one_line_error_and_run_nothing(tmp_path: Path, name: str, index: int) -> None:
    marker = tmp_path / "pwned"
    key = "select" if name == ".lintslim.yaml" else "ignored"
    (tmp_path / name).write_text(f"{key}: {payloads(marker)[index]}\n")
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    result = run("check", "Dockerfile", cwd=tmp_path)
    assert not marker.exists()
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "invalid YAML" in result.stderr and name in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("index", range(5), ids=payload_ids())
def test_python_tags_in_a_template_load_nothing(tmp_path: Path, index: int) -> None:
    marker = tmp_path / "pwned"
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        f"    Properties:\n      PackageType: Image\n      Role: {payloads(marker)[index]}\n"
        "    Metadata:\n      Dockerfile: Dockerfile\n"
    )
    assert read_template(template) is None  # not a template lintslim can read: no functions, no error
    assert not marker.exists()
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    result = run("check", "--output-format", "concise", "Dockerfile", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert not marker.exists()


def test_cloudformation_tags_load_as_plain_data() -> None:
    data = load_document(
        "Outputs:\n"
        "  A: !Sub '${AWS::StackName}-x'\n"
        "  B: !GetAtt Fn.Arn\n"
        "  C: !ImportValue shared-vpc\n"
        "  D: !Foo {bar: 1}\n"
        "  E: !python/object/apply:os.system [echo]\n"  # a local tag: data like any other
    )
    assert data["Outputs"] == {
        "A": {"Fn::Sub": "${AWS::StackName}-x"},
        "B": {"Fn::GetAtt": ["Fn", "Arn"]},
        "C": {"Fn::ImportValue": "shared-vpc"},
        "D": {"Foo": {"bar": 1}},
        "E": {"python/object/apply:os.system": ["echo"]},
    }


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]" for level in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_alias_bomb_in_a_config_is_a_clear_error(tmp_path: Path) -> None:
    """Aliases are shared, never copied: 10^10 strings by reference cost ten lists.  The keys are
    validated before anything walks the values."""
    config = tmp_path / ".lintslim.yaml"
    config.write_text(billion_laughs() + "select: *a9\n")
    with pytest.raises(ConfigError, match="unknown key `a0`"):
        load_file(config, Registry(ALL_RULES))


def test_alias_bomb_in_a_hadolint_config_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / ".hadolint.yaml"
    config.write_text("x:\n  " + billion_laughs().replace("\n", "\n  ").rstrip() + "\nignored: *a9\n")
    with pytest.raises(ConfigError, match="`ignored` must be a list of rule codes"):
        load_file(config, Registry(ALL_RULES))


def test_alias_bomb_in_a_template_is_never_expanded(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    bomb = billion_laughs().replace("\n", "\n  ").rstrip()
    template.write_text(
        f"Parameters:\n  {bomb}\n"
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      PackageType: Image\n      Environment: {Variables: {X: *a9}}\n"
        "      Architectures: *a9\n"
        "    Metadata:\n      Dockerfile: Dockerfile\n      DockerBuildArgs: {X: *a9, Y: plain}\n"
    )
    loaded = read_template(template)
    assert loaded is not None
    (function,) = loaded.functions
    assert dict(function.build_args) == {"Y": "plain"}  # a nested value is no build argument, never stringified
    assert function.architectures == ()


# --- FIFOs and huge files where a config is expected ------------------------------------------------------

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")


@needs_fifo
@pytest.mark.parametrize("name", ["pyproject.toml", ".lintslim.yaml", ".hadolint.yaml"])
def test_fifo_config_is_a_one_line_error(tmp_path: Path, name: str) -> None:
    os.mkfifo(tmp_path / name)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    result = run("check", "--config", name, "Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"lintslim: error: {name}: not a regular file"


@needs_fifo
def test_fifo_config_found_by_lookup_is_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pyproject.toml")
    os.mkfifo(tmp_path / ".hadolint.yaml")
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    result = run("check", "--output-format", "concise", "Dockerfile", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr


@needs_fifo
def test_loading_a_fifo_directly_raises_config_error(tmp_path: Path) -> None:
    """Also when the file became a FIFO after the lookup saw a regular file."""
    for name in ("pyproject.toml", ".lintslim.yaml", ".hadolint.yaml"):
        os.mkfifo(tmp_path / name)
        with pytest.raises(ConfigError, match="not a regular file"):
            load_file(tmp_path / name, Registry(ALL_RULES))


def test_huge_config_is_a_one_line_error(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.lintslim]\n" + "#" * (MAX_CONFIG_BYTES + 10) + "\n")
    with pytest.raises(ConfigError, match="too large for a config file"):
        load_file(config, Registry(ALL_RULES))

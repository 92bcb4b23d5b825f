"""The OS package-command reader behind LS530-LS537 (`lintslim/rules/hygiene/_os_packages.py`)."""

from __future__ import annotations

import pytest

from lintslim.config import settings_from_mapping
from lintslim.engine.linter import Linter
from lintslim.engine.registry import default_registry
from lintslim.rules.hygiene._os_packages import (
    PackageCommand,
    append_to_run,
    mounted_over,
    package_commands,
    parse_package_command,
    removes,
    with_nested,
)
from lintslim.syntax.parser import parse
from lintslim.syntax.shell import Command, split_commands
from lintslim.syntax.source import Span


def _commands(script: str) -> list[Command]:
    return split_commands(script, Span)


def _parsed(script: str) -> PackageCommand:
    parsed = parse_package_command(_commands(script)[0])
    assert parsed is not None
    return parsed


def _options(parsed: PackageCommand) -> list[tuple[str, str | None]]:
    return [(option.name, option.value) for option in parsed.options]


def test_short_clusters_are_split_and_quiet_levels_kept() -> None:
    parsed = _parsed("apt-get -qy install -q=2 curl")
    assert parsed.manager == "apt-get"
    assert parsed.action == "install"
    assert _options(parsed) == [("-q", None), ("-y", None), ("-q", "2")]
    assert [word.value for word in parsed.packages] == ["curl"]


def test_option_values_are_not_packages() -> None:
    parsed = _parsed("apt-get install -o Dpkg::Options::=--force-confold -t bookworm-backports --yes golang")
    assert _options(parsed) == [
        ("-o", "Dpkg::Options::=--force-confold"),
        ("-t", "bookworm-backports"),
        ("--yes", None),
    ]
    assert [word.value for word in parsed.packages] == ["golang"]


def test_apk_virtual_and_repository_values_are_not_packages() -> None:
    parsed = _parsed("apk add --no-cache --virtual .build-deps -X https://example.org/edge gcc -t.x musl-dev")
    assert parsed.values("--virtual", "-t") == [".build-deps", ".x"]
    assert parsed.values("-X") == ["https://example.org/edge"]
    assert [word.value for word in parsed.packages] == ["gcc", "musl-dev"]


def test_long_option_with_equals() -> None:
    parsed = _parsed("dnf --setopt=install_weak_deps=False install -y nginx")
    assert _options(parsed) == [("--setopt", "install_weak_deps=False"), ("-y", None)]


def test_options_before_the_subcommand_and_groups() -> None:
    parsed = _parsed("dnf -y --enablerepo crb group install 'Development Tools'")
    assert parsed.subcommand is not None and parsed.subcommand.value == "group"
    assert parsed.action == "group install"
    assert [word.value for word in parsed.packages] == ["Development Tools"]


def test_zypper_options_read_by_their_position() -> None:
    parsed = _parsed("zypper -n --root /mnt install -t pattern -n devel_basis")
    assert [(option.name, option.value, option.global_) for option in parsed.options] == [
        ("-n", None, True),
        ("--root", "/mnt", True),
        ("-t", "pattern", False),
        ("-n", None, False),
    ]
    assert [word.value for word in parsed.packages] == ["devel_basis"]


def test_double_dash_ends_options() -> None:
    parsed = _parsed("apt-get install -y -- -weird-name")
    assert [word.value for word in parsed.packages] == ["-weird-name"]


@pytest.mark.parametrize(
    ("script", "manager"),
    [
        ("sudo -u root /usr/bin/apt-get install -y curl", "apt-get"),
        ("env DEBIAN_FRONTEND=noninteractive apt-get install -y curl", "apt-get"),
        ("DEBIAN_FRONTEND=noninteractive apt install -y curl", "apt"),
        ("dnf5 install -y git", "dnf"),
        ("microdnf install git", "microdnf"),
    ],
)
def test_wrappers_paths_and_aliases(script: str, manager: str) -> None:
    assert _parsed(script).manager == manager


def test_other_programs_are_not_package_commands() -> None:
    assert parse_package_command(_commands("apt-key add key.gpg")[0]) is None
    assert parse_package_command(_commands("echo apt-get install")[0]) is None


def test_a_variable_named_like_options_is_unknown() -> None:
    assert _parsed("apt-get install $APT_OPTS curl").dynamic_options
    assert not _parsed("apt-get install -y $PACKAGES").dynamic_options


def test_word_spans_point_into_the_script() -> None:
    script = "apt-get update && apt-get install curl"
    parsed = parse_package_command(_commands(script)[1])
    assert parsed is not None
    assert script[parsed.head.start : parsed.head.end] == "apt-get install"


@pytest.mark.parametrize(
    ("script", "directory", "expected"),
    [
        ("rm -rf /var/lib/apt/lists/*", "/var/lib/apt/lists", True),
        ("rm -rf /var/lib/apt/lists/", "/var/lib/apt/lists", True),
        ("rm -rf /var/lib/apt", "/var/lib/apt/lists", True),
        ("rm -rf /var/lib/apt/lists/partial", "/var/lib/apt/lists", False),
        ("rm -rf /var/lib/apt-lists/*", "/var/lib/apt/lists", False),
        ("rm -rf /var/cache/apk/*.tar.gz", "/var/cache/apk", False),
        ("echo /var/lib/apt/lists", "/var/lib/apt/lists", False),
    ],
)
def test_removes(script: str, directory: str, expected: bool) -> None:
    assert removes(_commands(script)[0], directory) is expected


def test_nested_shell_scripts_are_read() -> None:
    commands = _commands('sudo bash -c "apt-get clean && rm -rf /var/lib/apt/lists/*"')
    assert [command.name for command in with_nested(commands)] == ["bash", "apt-get", "rm"]


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ("--mount=type=cache,target=/var/lib/apt", True),
        ("--mount=type=tmpfs,dst=/var/lib/apt/lists/", True),
        ("--mount=type=cache,target=/var/lib/apt/lists/partial", False),
        ("--mount=type=bind,target=/var/lib/apt/lists", False),
        ("--mount=type=cache,target=$UNKNOWN", False),
    ],
)
def test_mounted_over(flags: str, expected: bool) -> None:
    dockerfile = parse(f"FROM debian:bookworm\nRUN {flags} apt-get update\n")
    instruction = dockerfile.instructions[-1]
    assert mounted_over(dockerfile.graph, instruction, ("/var/lib/apt/lists",)) is expected


@pytest.mark.parametrize(
    "run",
    [
        'RUN ["apt-get", "update"]',
        "RUN if true; then apt-get update; fi",
        "RUN apt-get update # refresh",
        "RUN apt-get update &",
        "RUN <<EOF\napt-get update\nEOF",
    ],
)
def test_append_to_run_refuses_what_it_cannot_extend(run: str) -> None:
    dockerfile = parse(f"FROM debian:bookworm\n{run}\n")
    assert append_to_run(dockerfile, dockerfile.instructions[-1], "rm -rf /var/lib/apt/lists/*") is None


def test_package_commands_are_memoised_per_instruction() -> None:
    dockerfile = parse("FROM debian:bookworm\nRUN apt-get update && echo hi && apt-get install -y curl\n")
    instruction = dockerfile.instructions[-1]
    first = package_commands(dockerfile, instruction)
    assert [item.position for item in first] == [0, 2]
    assert package_commands(dockerfile, instruction) is first


def _messages(text: str, *codes: str) -> list[str]:
    registry = default_registry()
    linter = Linter.for_path(registry, settings_from_mapping({"select": list(codes)}, registry), None, None)
    _, diagnostics = linter.lint_text(text)
    return [diagnostic.message for diagnostic in diagnostics]


def test_messages_name_the_program_that_runs() -> None:
    """dnf5 is read as dnf, but the message and the clean-up it asks for name dnf5."""
    messages = _messages("FROM fedora:41\nRUN dnf5 install gcc\n", "LS530", "LS535")
    assert messages == [
        "`dnf5 install` without `-y` stops to ask for confirmation",
        "`dnf5 install` leaves its cache in the layer; run `dnf5 clean all` in the same RUN",
    ]

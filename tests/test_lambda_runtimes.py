"""The Lambda runtime table (knowledge/lambda_runtimes.toml) and the rules that read it, on fixed dates."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from lintslim.engine.rule import RuleContext, Severity
from lintslim.knowledge.lambda_runtimes import (
    DOCKER_HUB_PREFIX,
    Support,
    base_tag,
    image_name,
    runtime_of,
    runtime_table,
)
from lintslim.rules.aws_lambda.deprecated_base import LambdaDeprecatedBase
from lintslim.rules.aws_lambda.emulator_in_image import LambdaEmulatorInImage
from lintslim.rules.aws_lambda.ignored_instruction import LambdaIgnoredInstruction
from lintslim.syntax.image import parse_image
from lintslim.syntax.parser import parse

CORPUS_LAMBDA = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "lambda"
day = datetime.date


# --- the data ---------------------------------------------------------------------------------------


def test_every_runtime_cites_known_sources() -> None:
    table = runtime_table()
    for runtime in table.runtimes:
        assert runtime.sources, runtime.id
        assert set(runtime.sources) <= set(table.sources), runtime.id


def test_runtime_ids_and_tags_are_unique() -> None:
    runtimes = runtime_table().runtimes
    assert len({runtime.id for runtime in runtimes}) == len(runtimes)
    assert len({(runtime.repository, runtime.tag) for runtime in runtimes}) == len(runtimes)


def test_block_dates_follow_the_deprecation() -> None:
    for runtime in runtime_table().runtimes:
        for blocked in (runtime.block_create, runtime.block_update):
            if blocked is not None:
                assert runtime.deprecated is not None and blocked >= runtime.deprecated, runtime.id


def test_newest_first_within_each_repository() -> None:
    """The successor is the first supported runtime of its repository: the file lists newest first."""
    tags: dict[str, list[str]] = {}
    for runtime in runtime_table().runtimes:
        tags.setdefault(runtime.repository, []).append(runtime.tag)
    assert tags == {
        "python": ["3.14", "3.13", "3.12", "3.11", "3.10", "3.9", "3.8", "3.7", "3.6", "2.7"],
        "nodejs": ["24", "22", "20", "18", "16", "14", "12", "10"],
        "java": ["25", "21", "17", "11", "8.al2", "8"],
        "dotnet": ["10", "9", "8", "7", "6", "5.0", "core3.1"],
        "ruby": ["3.4", "3.3", "3.2", "2.7"],
        "provided": ["al2023", "al2", "alami"],
        "go": ["1"],
    }


def test_replacements_name_known_runtimes() -> None:
    table = runtime_table()
    for runtime in table.runtimes:
        if runtime.replacement is not None:
            assert table.get(runtime.replacement) is not None, runtime.id


def test_sourced_dates() -> None:
    table = runtime_table()
    expected = {
        "python3.9": day(2025, 12, 15),
        "nodejs18.x": day(2025, 9, 1),
        "go1.x": day(2024, 1, 8),
        "provided.al2": day(2026, 7, 31),
        "python3.11": day(2027, 6, 30),
        "dotnet6": day(2024, 12, 20),
    }
    for runtime_id, date in expected.items():
        runtime = table.get(runtime_id)
        assert runtime is not None and runtime.deprecated == date, runtime_id
    java17 = table.get("java17")
    assert java17 is not None and java17.deprecated is None  # extended in 2026; no source gives the new date


# --- reading image references -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("3.12", "3.12"),
        ("3.12-arm64", "3.12"),
        ("3.12-x86_64", "3.12"),
        ("3.12.2024.01.05.12", "3.12"),
        ("3.12.2024.01.05.12-arm64", "3.12"),
        ("1.2023.08.02.10", "1"),
        ("8.al2", "8.al2"),
        ("8.al2.2024.01.05.12", "8.al2"),
        ("al2023.2024.01.05.12-x86_64", "al2023"),
        ("latest", "latest"),
    ],
)
def test_base_tag(tag: str, expected: str) -> None:
    assert base_tag(tag) == expected


@pytest.mark.parametrize(
    ("reference", "runtime_id"),
    [
        ("public.ecr.aws/lambda/python:3.9", "python3.9"),
        ("public.ecr.aws/lambda/python:3.9-arm64", "python3.9"),
        ("public.ecr.aws/lambda/python:3.9@sha256:" + "a" * 64, "python3.9"),
        ("amazon/aws-lambda-python:3.8", "python3.8"),
        ("docker.io/amazon/aws-lambda-nodejs:18", "nodejs18.x"),
        ("public.ecr.aws/lambda/nodejs:20", "nodejs20.x"),
        ("public.ecr.aws/lambda/java:8.al2", "java8.al2"),
        ("public.ecr.aws/lambda/java:8", "java8"),
        ("public.ecr.aws/lambda/dotnet:core3.1", "dotnetcore3.1"),
        ("public.ecr.aws/lambda/dotnet:5.0", "dotnet5.0"),
        ("public.ecr.aws/lambda/provided:al2", "provided.al2"),
        ("public.ecr.aws/lambda/provided:alami.2023.03.21.19", "provided"),
        ("public.ecr.aws/lambda/go:1", "go1.x"),
        ("public.ecr.aws/lambda/python:latest", None),
        ("public.ecr.aws/lambda/python", None),
        ("public.ecr.aws/lambda/python:3.99", None),
        ("python:3.9-slim", None),
        ("public.ecr.aws/docker/library/python:3.9", None),
        ("public.ecr.aws/lambda/python-extra/x:3.9", None),
    ],
)
def test_runtime_of(reference: str, runtime_id: str | None) -> None:
    runtime = runtime_of(parse_image(reference))
    assert (runtime.id if runtime is not None else None) == runtime_id


def test_image_name_keeps_the_publisher() -> None:
    runtime = runtime_table().get("python3.14")
    assert runtime is not None
    assert image_name(runtime) == "public.ecr.aws/lambda/python:3.14"
    assert image_name(runtime, DOCKER_HUB_PREFIX) == "amazon/aws-lambda-python:3.14"


# --- the date logic -------------------------------------------------------------------------------


def test_support_around_the_deprecation_day() -> None:
    runtime = runtime_table().get("python3.12")
    assert runtime is not None and runtime.deprecated == day(2028, 10, 31)
    assert runtime.support(day(2028, 10, 30)) is Support.SUPPORTED
    assert runtime.support(day(2028, 10, 31)) is Support.DEPRECATED
    assert runtime.support(day(2031, 1, 1)) is Support.DEPRECATED
    assert runtime.support(day(2028, 7, 3), notice_days=120) is Support.ENDING  # 120 days before
    assert runtime.support(day(2028, 7, 2), notice_days=120) is Support.SUPPORTED
    assert runtime.support(day(2028, 10, 30), notice_days=0) is Support.SUPPORTED


def test_a_runtime_without_a_date_is_supported() -> None:
    runtime = runtime_table().get("java11")
    assert runtime is not None
    assert runtime.support(day(2040, 1, 1), notice_days=365) is Support.SUPPORTED


def test_successor_is_the_newest_supported_runtime_on_that_day() -> None:
    table = runtime_table()
    python39, go1, al2 = table.get("python3.9"), table.get("go1.x"), table.get("provided.al2")
    assert python39 is not None and go1 is not None and al2 is not None
    successor = table.successor(python39, day(2026, 11, 23))
    assert successor is not None and successor.id == "python3.14"
    assert table.successor(python39, day(2030, 1, 1)) is None  # every Python in the table is deprecated by then
    go_successor = table.successor(go1, day(2026, 11, 23))
    assert go_successor is not None and go_successor.id == "provided.al2023"
    al2_successor = table.successor(al2, day(2026, 11, 23))
    assert al2_successor is not None and al2_successor.id == "provided.al2023"


# --- LS407 on fixed days ----------------------------------------------------------------------------

PYTHON_312 = 'FROM public.ecr.aws/lambda/python:3.12\nCOPY app.py ${LAMBDA_TASK_ROOT}\nCMD ["app.handler"]\n'


def _ls407(text: str, today: datetime.date, **options: object) -> list[tuple[Severity, str]]:
    context = RuleContext(parse(text), options={"notice-days": 120, **options})
    return [(found.severity, found.message) for found in LambdaDeprecatedBase().findings(context, today)]


def test_ls407_silent_well_before_the_date() -> None:
    assert _ls407(PYTHON_312, day(2028, 1, 1)) == []


def test_ls407_info_within_the_notice_period() -> None:
    [(severity, message)] = _ls407(PYTHON_312, day(2028, 8, 1))
    assert severity is Severity.INFO
    assert "deprecates it on 2028-10-31 (in 91 days)" in message
    assert "`public.ecr.aws/lambda/python:3.14`" in message


def test_ls407_notice_days_zero_turns_the_notice_off() -> None:
    assert _ls407(PYTHON_312, day(2028, 8, 1), **{"notice-days": 0}) == []


def test_ls407_warning_from_the_deprecation_day() -> None:
    [(severity, message)] = _ls407(PYTHON_312, day(2028, 10, 31))
    assert severity is Severity.WARNING
    assert "deprecated on 2028-10-31: AWS no longer patches it" in message


def test_ls407_no_replacement_when_nothing_newer_is_supported() -> None:
    [(severity, message)] = _ls407(PYTHON_312, day(2031, 1, 1))
    assert severity is Severity.WARNING and "build on" not in message


# --- severities the case files cannot show ----------------------------------------------------------


def _severities(rule: LambdaEmulatorInImage | LambdaIgnoredInstruction, text: str) -> list[Severity]:
    return [found.severity for found in rule.check(RuleContext(parse(text)))]


def test_ls409_warning_when_the_emulator_is_the_command() -> None:
    text = (
        "FROM public.ecr.aws/lambda/provided:al2023\n"
        "ADD https://github.com/aws/aws-lambda-runtime-interface-emulator/releases/latest/download/aws-lambda-rie"
        " /usr/local/bin/aws-lambda-rie\n"
        'ENTRYPOINT []\nCMD ["/usr/local/bin/aws-lambda-rie", "/var/runtime/bootstrap"]\n'
    )
    assert _severities(LambdaEmulatorInImage(), text) == [Severity.WARNING]


def test_ls409_info_behind_an_entry_script() -> None:
    text = (
        "FROM python:3.12-slim\nRUN pip install awslambdaric\nCOPY aws-lambda-rie /usr/local/bin/\n"
        'ENTRYPOINT ["/entry_script.sh"]\nCMD ["app.handler"]\n'
    )
    assert _severities(LambdaEmulatorInImage(), text) == [Severity.INFO]


def test_ls409_info_with_the_aws_entry_point() -> None:
    text = 'FROM public.ecr.aws/lambda/python:3.12\nCOPY aws-lambda-rie /usr/local/bin/\nCMD ["app.handler"]\n'
    assert _severities(LambdaEmulatorInImage(), text) == [Severity.INFO]


def test_ls406_is_info() -> None:
    text = 'FROM public.ecr.aws/lambda/python:3.12\nEXPOSE 8080\nCMD ["app.handler"]\n'
    assert _severities(LambdaIgnoredInstruction(), text) == [Severity.INFO]


@pytest.mark.skipif(not CORPUS_LAMBDA.is_dir(), reason="the shared corpus is not beside the checkout")
def test_ls406_leaves_the_sam_build_images_alone() -> None:
    """The SAM build images build on Lambda bases but are CI environments (`ENTRYPOINT []`, `CMD ["/bin/bash"]`)."""
    paths = sorted((CORPUS_LAMBDA / "aws__aws-sam-build-images").glob("build-image-src__Dockerfile-*"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8") + "USER nobody\nEXPOSE 8080\n"
        assert _severities(LambdaIgnoredInstruction(), text) == [], path.name

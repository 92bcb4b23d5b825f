"""SAM / CloudFormation templates: short tags, Globals, JSON, broken files, and which Dockerfile a function builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lintslim.context.sam import (
    MAX_TEMPLATE_BYTES,
    SamTemplates,
    load_document,
    read_template,
    template_paths,
)

SAM_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: orders service

Globals:
  Function:
    Timeout: 30
    MemorySize: 512
    Architectures:
      - arm64

Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Or [!Condition NotProd, !Condition IsProd]]

Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      Role: !GetAtt OrdersRole.Arn
      VpcConfig:
        SubnetIds: !Split [",", !ImportValue shared-subnets]
        SecurityGroupIds: [!Select [0, !GetAZs ""]]
      Environment:
        Variables:
          TABLE: !Ref OrdersTable
          BUCKET: !Sub "${AWS::StackName}-orders"
          REGION_MAP: !FindInMap [RegionMap, !Ref "AWS::Region", Bucket]
          MODE: !If [IsProd, strict, !Join ["-", [loose, !Ref Stage]]]
          BLOB: !Base64 "hello"
          CIDRS: !Cidr ["10.0.0.0/16", 4, 8]
      ImageConfig:
        Command: ["orders.app.handler"]
        EntryPoint: ["/usr/local/bin/python", "-m", "awslambdaric"]
        WorkingDirectory: /function
    Metadata:
      Dockerfile: Dockerfile.lambda
      DockerContext: ./orders
      DockerTag: python3.12-v1
      DockerBuildArgs:
        PYTHON_VERSION: "3.12"
        BUILD_NUMBER: 7
        COMPUTED: !Ref BuildNumber

  ReportsFunction:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      Architectures: [x86_64]
    Metadata:
      DockerContext: reports

  ZipFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: zipped/

  OrdersTable:
    Type: AWS::DynamoDB::Table
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_short_tags_load_as_long_form_data() -> None:
    data = load_document(SAM_TEMPLATE)
    variables = data["Resources"]["OrdersFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["TABLE"] == {"Ref": "OrdersTable"}
    assert variables["BUCKET"] == {"Fn::Sub": "${AWS::StackName}-orders"}
    assert variables["MODE"] == {"Fn::If": ["IsProd", "strict", {"Fn::Join": ["-", ["loose", {"Ref": "Stage"}]]}]}
    assert data["Resources"]["OrdersFunction"]["Properties"]["Role"] == {"Fn::GetAtt": ["OrdersRole", "Arn"]}
    assert data["Conditions"]["NotProd"] == {"Fn::Not": [{"Condition": "IsProd"}]}


def test_image_functions_and_their_settings(tmp_path: Path) -> None:
    template = read_template(write(tmp_path / "template.yaml", SAM_TEMPLATE))
    assert template is not None
    orders, reports = template.functions  # the zip function and the table are not image functions
    assert orders.logical_id == "OrdersFunction"
    assert orders.resource_type == "AWS::Serverless::Function"
    assert orders.dockerfile == "Dockerfile.lambda"
    assert orders.docker_context == "./orders"
    assert orders.docker_tag == "python3.12-v1"
    assert orders.build_args == {"PYTHON_VERSION": "3.12", "BUILD_NUMBER": "7"}  # the computed one is unknown
    assert orders.command == ("orders.app.handler",)
    assert orders.entry_point == ("/usr/local/bin/python", "-m", "awslambdaric")
    assert orders.working_directory == "/function"
    assert orders.architectures == ("arm64",)  # from Globals.Function
    assert orders.dockerfile_path.resolve() == (tmp_path / "orders" / "Dockerfile.lambda").resolve()
    assert reports.architectures == ("x86_64",)  # its own setting wins over Globals
    assert reports.dockerfile_path.resolve() == (tmp_path / "reports" / "Dockerfile").resolve()
    assert reports.command is None and reports.entry_point is None
    assert template.dockerfiles() == (orders.dockerfile_path, reports.dockerfile_path)


def test_plain_lambda_function_ignores_sam_globals(tmp_path: Path) -> None:
    text = json.dumps(
        {
            "Globals": {"Function": {"Architectures": ["arm64"]}},
            "Resources": {
                "Fn": {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {"PackageType": "Image", "ImageConfig": {"Command": ["index.handler"]}},
                    "Metadata": {"DockerContext": ".", "Dockerfile": "Dockerfile"},
                }
            },
        }
    )
    template = read_template(write(tmp_path / "template.json", text))
    assert template is not None
    (function,) = template.functions
    assert function.resource_type == "AWS::Lambda::Function"
    assert function.architectures == ("x86_64",)
    assert function.command == ("index.handler",)


def test_computed_command_is_unknown(tmp_path: Path) -> None:
    text = SAM_TEMPLATE.replace('Command: ["orders.app.handler"]', "Command: [!Ref HandlerName]")
    template = read_template(write(tmp_path / "template.yml", text))
    assert template is not None
    assert template.functions[0].command is None


@pytest.mark.parametrize(
    "content",
    [
        "Resources: [unclosed",
        "Resources:\n  Fn: {Type: AWS::Serverless::Function, Properties: {PackageType: Image}\n",
        "{not json",
        "- just\n- a list\n",
        "Resources: 42\n",
        "Resources:\n  Fn: 7\n  Other: {Type: AWS::Serverless::Function, Properties: 3}\n",
        b"\x89PNG\r\n\x1a\n\0\0\0binary",
        b"Resources: \xff\xfe\n",
        "a: &a [*a, *a]\n",
        "[" * 5000 + "]" * 5000,
        "",
    ],
)
def test_broken_templates_give_no_functions(tmp_path: Path, content: str | bytes) -> None:
    name = "template.json" if isinstance(content, str) and content.startswith("{") else "template.yaml"
    template = read_template(write(tmp_path / name, content))
    assert template is None or template.functions == ()


def test_huge_template_is_not_read(tmp_path: Path) -> None:
    path = write(tmp_path / "template.yaml", SAM_TEMPLATE + "#" * MAX_TEMPLATE_BYTES)
    assert read_template(path) is None


def test_templates_found_in_parents_up_to_the_repository_root(tmp_path: Path) -> None:
    write(tmp_path / "template.yaml", "Resources: {}\n")  # above the repository: never read
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo / "template.yaml", SAM_TEMPLATE)
    write(repo / "orders" / "template.json", "{}")
    found = template_paths(repo / "orders")
    assert found == [(repo / "orders" / "template.json").resolve(), (repo / "template.yaml").resolve()]


def test_search_is_bounded(tmp_path: Path) -> None:
    write(tmp_path / "template.yaml", SAM_TEMPLATE)
    deep = tmp_path / "a" / "b" / "c" / "d" / "e"
    deep.mkdir(parents=True)
    assert template_paths(deep) == []
    assert template_paths(deep, levels=5) == [(tmp_path / "template.yaml").resolve()]


def test_sam_templates_pick_the_functions_built_from_this_dockerfile(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / "template.yaml", SAM_TEMPLATE)
    orders = write(tmp_path / "orders" / "Dockerfile.lambda", "FROM public.ecr.aws/lambda/python:3.12\n")
    reports = write(tmp_path / "reports" / "Dockerfile", "FROM public.ecr.aws/lambda/nodejs:20\n")
    other = write(tmp_path / "orders" / "Dockerfile", "FROM python:3.12\n")
    orders_function = SamTemplates(orders).function
    assert orders_function is not None and orders_function.logical_id == "OrdersFunction"
    reports_function = SamTemplates(str(reports)).function
    assert reports_function is not None and reports_function.logical_id == "ReportsFunction"
    assert SamTemplates(other).functions == ()
    assert SamTemplates(None).functions == ()
    assert SamTemplates("-").templates == ()


def test_function_without_build_metadata_points_at_no_dockerfile(tmp_path: Path) -> None:
    text = """\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/fn:latest
"""
    write(tmp_path / "template.yaml", text)
    dockerfile = write(tmp_path / "Dockerfile", "FROM scratch\n")
    templates = SamTemplates(dockerfile)
    assert len(templates.templates[0].functions) == 1
    assert templates.functions == ()


def test_build_inputs_take_the_template_context_and_build_args(tmp_path: Path) -> None:
    from lintslim.runner import build_inputs

    (tmp_path / "functions" / "api").mkdir(parents=True)
    dockerfile = tmp_path / "functions" / "api" / "Dockerfile"
    dockerfile.write_text("ARG PYTHON=3.12\nFROM public.ecr.aws/lambda/python:${PYTHON}\n", encoding="utf-8")
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Api:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n"
        "    Metadata:\n      Dockerfile: functions/api/Dockerfile\n      DockerContext: .\n"
        "      DockerBuildArgs:\n        PYTHON: '3.13'\n        TAG: !Ref Tag\n",
        encoding="utf-8",
    )
    inputs = build_inputs(str(dockerfile))
    assert inputs.context_dir == tmp_path
    assert inputs.build_args == {"PYTHON": "3.13"}  # a value that needs a parameter is unknown: left out
    given = build_inputs(str(dockerfile), tmp_path / "functions", {"PYTHON": "3.14"})
    assert given.context_dir == tmp_path / "functions" and given.build_args == {"PYTHON": "3.14"}
    other = tmp_path / "other" / "Dockerfile"
    other.parent.mkdir()
    other.write_text("FROM alpine:3.20\n", encoding="utf-8")
    assert build_inputs(str(other)).context_dir == other.parent and build_inputs(str(other)).build_args == {}


def test_directory_walk_finds_dockerfiles_through_templates(tmp_path: Path) -> None:
    from lintslim.files import discover

    project = tmp_path / "project"
    (project / "docker").mkdir(parents=True)
    (project / "docker" / "lambda.df").write_text("FROM public.ecr.aws/lambda/python:3.12\n", encoding="utf-8")
    (project / "Dockerfile").write_text("FROM alpine:3.20\n", encoding="utf-8")
    (tmp_path / "outside.df").write_text("FROM alpine:3.20\n", encoding="utf-8")
    (project / "template.yaml").write_text(
        "Resources:\n"
        "  Api:\n    Type: AWS::Serverless::Function\n    Properties: {PackageType: Image}\n"
        "    Metadata: {DockerContext: docker, Dockerfile: lambda.df}\n"
        "  Root:\n    Type: AWS::Serverless::Function\n    Properties: {PackageType: Image}\n"
        "    Metadata: {DockerContext: ., Dockerfile: Dockerfile}\n"
        "  Escapes:\n    Type: AWS::Serverless::Function\n    Properties: {PackageType: Image}\n"
        "    Metadata: {DockerContext: .., Dockerfile: outside.df}\n",
        encoding="utf-8",
    )
    found = [path.relative_to(project).as_posix() for path in discover(project)]
    assert found == ["Dockerfile", "docker/lambda.df"]  # each once; nothing outside the walked root

"""AWS SAM / CloudFormation templates next to a Dockerfile: the image functions they build from it.

`sam build` builds an image function (`PackageType: Image`) from `Metadata.DockerContext` (relative
to the template's directory) and `Metadata.Dockerfile` (relative to that context, default
`Dockerfile`), passing `Metadata.DockerBuildArgs`; `ImageConfig` overrides the image's CMD,
ENTRYPOINT and WORKDIR, and `Architectures` picks x86_64 or arm64 (default x86_64, also settable
in `Globals.Function`).  Templates are looked up in the Dockerfile's directory and its parents
(bounded, stopping at a repository root).

Reading never raises: a template that is too big, binary, not YAML/JSON, or shaped unexpectedly
contributes no functions.  CloudFormation short tags (`!Ref`, `!GetAtt`, `!Sub`...) load as the
long form's plain data (`{"Ref": ...}`, `{"Fn::GetAtt": ...}`), so nothing depends on them resolving.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lintslim.files import TEMPLATE_NAMES, read_regular

if TYPE_CHECKING:
    from ruamel.yaml import YAML

MAX_TEMPLATE_BYTES = 1024 * 1024  # CloudFormation's own limit for a template uploaded through S3
MAX_PARENT_LEVELS = 4  # the Dockerfile's directory and at most this many parents
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
DEFAULT_ARCHITECTURES = ("x86_64",)
# Short tag -> the key of the long form it abbreviates.
SHORT_TAGS = {
    "Ref": "Ref", "Condition": "Condition", "GetAtt": "Fn::GetAtt", "Sub": "Fn::Sub", "Join": "Fn::Join",
    "If": "Fn::If", "FindInMap": "Fn::FindInMap", "Select": "Fn::Select", "Split": "Fn::Split",
    "ImportValue": "Fn::ImportValue", "GetAZs": "Fn::GetAZs", "Base64": "Fn::Base64", "Cidr": "Fn::Cidr",
    "Not": "Fn::Not", "Equals": "Fn::Equals", "And": "Fn::And", "Or": "Fn::Or", "Transform": "Fn::Transform",
    "Length": "Fn::Length", "ToJsonString": "Fn::ToJsonString",
}  # fmt: skip


@dataclass(frozen=True)
class ImageFunction:
    """One `PackageType: Image` function of a template, with what it says about its image."""

    logical_id: str
    resource_type: str
    template: Path
    dockerfile: str = "Dockerfile"  # Metadata.Dockerfile, relative to the context
    docker_context: str = "."  # Metadata.DockerContext, relative to the template's directory
    build_args: Mapping[str, str] = field(default_factory=dict)
    docker_tag: str | None = None
    command: tuple[str, ...] | None = None  # ImageConfig.Command (overrides CMD)
    entry_point: tuple[str, ...] | None = None  # ImageConfig.EntryPoint (overrides ENTRYPOINT)
    working_directory: str | None = None  # ImageConfig.WorkingDirectory (overrides WORKDIR)
    architectures: tuple[str, ...] = DEFAULT_ARCHITECTURES  # empty when the template's value cannot be read
    has_metadata: bool = False  # False: the template does not say how the image is built

    @property
    def context_path(self) -> Path:
        return self.template.parent / self.docker_context

    @property
    def dockerfile_path(self) -> Path:
        return self.context_path / self.dockerfile

    def builds(self, dockerfile: Path) -> bool:
        """Whether this function's image is built from `dockerfile` (paths compared after resolving)."""
        return self.has_metadata and _same_file(self.dockerfile_path, dockerfile)


@dataclass(frozen=True)
class Template:
    path: Path
    functions: tuple[ImageFunction, ...]

    def dockerfiles(self) -> tuple[Path, ...]:
        """The Dockerfiles its image functions are built from, once each, in document order."""
        found = dict.fromkeys(function.dockerfile_path for function in self.functions if function.has_metadata)
        return tuple(found)


def _same_file(first: Path, second: Path) -> bool:
    return os.path.realpath(first) == os.path.realpath(second)


# --- loading ----------------------------------------------------------------------------------------


def _yaml_loader() -> YAML:
    """A safe ruamel.yaml loader that turns CloudFormation tags into their long form's plain data."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

    class CloudFormationConstructor(SafeConstructor):
        pass

    def construct_tag(constructor: SafeConstructor, suffix: str, node: Node) -> Any:
        if isinstance(node, ScalarNode):
            value: Any = constructor.construct_scalar(node)
            if suffix == "GetAtt" and isinstance(value, str):
                value = value.split(".", 1)  # `!GetAtt Res.Attr` is `Fn::GetAtt: [Res, Attr]`
        elif isinstance(node, SequenceNode):
            value = constructor.construct_sequence(node, deep=True)
        elif isinstance(node, MappingNode):
            value = constructor.construct_mapping(node, deep=True)
        else:  # pragma: no cover - ruamel has no other node kinds
            value = None
        return {SHORT_TAGS.get(suffix, suffix): value}

    CloudFormationConstructor.add_multi_constructor("!", construct_tag)
    loader = YAML(typ="safe", pure=True)
    loader.Constructor = CloudFormationConstructor
    return loader


def _decode(raw: bytes) -> str | None:
    if len(raw) > MAX_TEMPLATE_BYTES or b"\0" in raw:
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def load_document(text: str, json_only: bool = False) -> Any:
    """The template's data, or None when it is not YAML/JSON (or nests beyond reason)."""
    import json

    try:
        if json_only or text.lstrip().startswith("{"):
            return json.loads(text)
    except (ValueError, RecursionError):
        if json_only:
            return None
    try:
        return _yaml_loader().load(text)
    except Exception:  # ruamel raises many error types (and RecursionError); a bad template is just no template
        return None


def read_template(path: Path) -> Template | None:
    """The template at `path` and its image functions, or None when it cannot be read as a template."""
    try:
        if path.is_symlink():
            return None
        raw = read_regular(path, MAX_TEMPLATE_BYTES)
    except OSError:
        return None
    if len(raw) > MAX_TEMPLATE_BYTES:
        return None
    text = _decode(raw)
    if text is None:
        return None
    data = load_document(text, json_only=path.suffix == ".json")
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        return None
    return Template(path, tuple(image_functions(data, path)))


# --- what a template says ---------------------------------------------------------------------------


def image_functions(data: Mapping[str, Any], template: Path) -> Iterator[ImageFunction]:
    """The `PackageType: Image` functions of a loaded template, in document order."""
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        return
    global_architectures = _architectures(_mapping(_mapping(data.get("Globals")).get("Function")))
    for logical_id, raw_resource in resources.items():
        resource = _mapping(raw_resource)
        kind = resource.get("Type")
        properties = _mapping(resource.get("Properties"))
        if kind not in FUNCTION_TYPES or properties.get("PackageType") != "Image":
            continue
        architectures = _architectures(properties)
        if architectures is None and kind == "AWS::Serverless::Function":
            architectures = global_architectures  # Globals apply to SAM functions only
        yield _image_function(str(logical_id), str(kind), template, resource, properties, architectures)


def _image_function(
    logical_id: str,
    kind: str,
    template: Path,
    resource: Mapping[str, Any],
    properties: Mapping[str, Any],
    architectures: tuple[str, ...] | None,
) -> ImageFunction:
    metadata = _mapping(resource.get("Metadata"))
    image_config = _mapping(properties.get("ImageConfig"))
    build_args = _mapping(metadata.get("DockerBuildArgs"))
    return ImageFunction(
        logical_id=logical_id,
        resource_type=kind,
        template=template,
        dockerfile=_string(metadata.get("Dockerfile")) or "Dockerfile",
        docker_context=_string(metadata.get("DockerContext")) or ".",
        build_args={str(key): str(value) for key, value in build_args.items() if _is_plain(value)},
        docker_tag=_string(metadata.get("DockerTag")),
        command=_strings(image_config.get("Command")),
        entry_point=_strings(image_config.get("EntryPoint")),
        working_directory=_string(image_config.get("WorkingDirectory")),
        architectures=architectures if architectures is not None else DEFAULT_ARCHITECTURES,
        has_metadata=bool(metadata.get("Dockerfile") or metadata.get("DockerContext")),
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _is_plain(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _string(value: Any) -> str | None:
    """A literal string (an intrinsic function such as `!Ref` is not one)."""
    return str(value) if _is_plain(value) and str(value) else None


def _strings(value: Any) -> tuple[str, ...] | None:
    """A list of literal strings, or None when absent or when an item is computed."""
    if not isinstance(value, list) or not all(_is_plain(item) for item in value):
        return None
    return tuple(str(item) for item in value)


def _architectures(properties: Mapping[str, Any]) -> tuple[str, ...] | None:
    """None when absent; empty when set to something we cannot read (`!Ref Arch`)."""
    if "Architectures" not in properties:
        return None
    return _strings(properties["Architectures"]) or ()


# --- finding templates ------------------------------------------------------------------------------


def template_paths(directory: Path, levels: int = MAX_PARENT_LEVELS) -> list[Path]:
    """Template files in `directory` and up to `levels` parents, nearest first; stops at a repository root."""
    found: list[Path] = []
    try:
        current = directory.resolve()
    except (OSError, RuntimeError):
        return found
    for _ in range(levels + 1):
        for name in TEMPLATE_NAMES:
            candidate = current / name
            if candidate.is_file():
                found.append(candidate)
        if (current / ".git").exists() or current.parent == current:
            break
        current = current.parent
    return found


@dataclass
class TemplateCache:
    """Templates already read in a run over many Dockerfiles: one template serves all those near it."""

    read: dict[Path, Template | None] = field(default_factory=dict)

    def template(self, path: Path) -> Template | None:
        if path not in self.read:
            self.read[path] = read_template(path)
        return self.read[path]


class SamTemplates:
    """The templates around one Dockerfile, read lazily once (for all rules of a lint run).

    With a `TemplateCache`, a template is read once for the whole run (the CLI and the audit share
    one across files); without, on every lint (the language server, which must see edits).
    """

    def __init__(self, dockerfile_path: str | Path | None, cache: TemplateCache | None = None) -> None:
        self.dockerfile_path = Path(dockerfile_path) if dockerfile_path not in (None, "", "-") else None
        self.cache = cache

    @cached_property
    def templates(self) -> tuple[Template, ...]:
        if self.dockerfile_path is None:
            return ()
        reader = self.cache.template if self.cache is not None else read_template
        read = (reader(path) for path in template_paths(self.dockerfile_path.parent))
        return tuple(template for template in read if template is not None)

    @cached_property
    def functions(self) -> tuple[ImageFunction, ...]:
        """The image functions built from this Dockerfile, nearest template first."""
        path = self.dockerfile_path
        if path is None:
            return ()
        return tuple(
            function for template in self.templates for function in template.functions if function.builds(path)
        )

    @property
    def function(self) -> ImageFunction | None:
        """The first function built from this Dockerfile (several functions may share one image)."""
        return self.functions[0] if self.functions else None

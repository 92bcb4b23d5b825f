"""Build stages: their bases (with global ARGs resolved), variable scopes and links between stages, and
what rules ask of that graph: which stages are images, what each builds on, what reaches it."""

from __future__ import annotations

import bisect
import enum
import posixpath
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TypeVar

from lintslim.syntax.image import ImageRef, parse_image
from lintslim.syntax.nodes import Dockerfile, Flag, Instruction
from lintslim.syntax.shellwords import ShellWordError, process_word

# ARGs BuildKit defines for every build; their values depend on the builder, so they stay unknown.
AUTOMATIC_ARGS = frozenset(
    {
        "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
        "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
        "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
        "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
    }
)  # fmt: skip


# Microsoft's Windows bases, in a path (`mcr.microsoft.com/windows/servercore`, `microsoft/nanoserver`)
# or a variant tag (`python:3.12-windowsservercore-ltsc2022`, `golang:1.23-nanoserver-ltsc2022`).
_WINDOWS_BASES = ("nanoserver", "servercore")


@dataclass(frozen=True)
class Scope:
    """Variables visible at one point: known values, and names declared without a value we can know.

    In a stage's scopes, `values` and `unknown` are read-only views of the stage's `_ScopeHistory` at one
    instruction (nothing is copied per instruction); elsewhere they are plain dicts and sets.
    """

    values: Mapping[str, str] = field(default_factory=dict)
    unknown: AbstractSet[str] = frozenset()

    def knows(self, name: str) -> bool:
        return name in self.values or name in self.unknown


class _Absent(enum.Enum):
    """A name not in scope at a version (distinct from None: declared with no value we can know)."""

    ABSENT = enum.auto()


_ABSENT = _Absent.ABSENT


_Item = TypeVar("_Item")
_State = str | None | _Absent  # a name's value, None (declared, value unknown) or absent


class _ScopeHistory:
    """A stage's variables over its instructions, recorded once as changes per name.

    Version 0 is what the stage starts with: the ENV of the stage it builds on (`FROM <stage>`; ARGs do
    not carry over), read through `parent` rather than copied.  Version v is the scope after its first v
    ARG/ENV instructions.  For each name: the versions at which it changed, and what it became.  A
    scope at a version is a lookup by bisection, so no instruction pays for a copy of the whole scope
    (5,000 ARGs in a stage were 5,000 dict copies) and no stage for a copy of its parent's.
    """

    __slots__ = ("_changes", "_env", "_finals", "_inheritable", "_parent", "_visible", "version")

    def __init__(self, parent: _ScopeHistory | None, inheritable: frozenset[str]) -> None:
        self._changes: dict[str, tuple[list[int], list[str | None]]] = {}
        self._env: set[str] = set()  # names an ENV of this stage sets
        self._parent = parent
        self._inheritable = inheritable  # names some ENV of the file sets: no other name can carry over
        self._finals: dict[str, tuple[_State, bool]] = {}  # see `_final`, memoised for the stages built on this
        self._visible: frozenset[str] | None = None
        self.version = 0  # the version being written

    def declare(self, name: str, value: str | None, *, env: bool) -> None:
        versions, states = self._changes.setdefault(name, ([], []))
        if versions and versions[-1] == self.version:
            states[-1] = value  # declared twice by one instruction (`ARG A=1 A=2`): the last one counts
        else:
            versions.append(self.version)
            states.append(value)
        if env:
            self._env.add(name)

    def state(self, name: str, version: int) -> _State:
        found = self._changes.get(name)
        if found is not None:
            position = bisect.bisect_right(found[0], version) - 1
            if position >= 0:
                return found[1][position]
        if self._parent is None or name not in self._inheritable:
            return _ABSENT
        state, carried = self._parent._final(name)
        return state if carried else _ABSENT

    def _final(self, name: str) -> tuple[_State, bool]:
        """The name's state at the end of this stage, and whether it carries over to a stage built on
        this one (an ENV of this stage or of one it builds on sets it).

        Walks up only to the nearest stage that sets it with ENV or already knows (no recursion, and
        each stage of a long chain answers a name once).
        """
        pending: list[_ScopeHistory] = []
        current: _ScopeHistory | None = self
        answer: tuple[_State, bool] = (_ABSENT, False)
        while current is not None:
            known = current._finals.get(name)
            if known is not None:
                answer = known
                break
            if name in current._env:
                answer = current._finals[name] = (current._changes[name][1][-1], True)
                break
            pending.append(current)
            current = current._parent
        for history in reversed(pending):  # root first
            own = history._changes.get(name)
            state = own[1][-1] if own is not None else (answer[0] if answer[1] else _ABSENT)
            answer = history._finals[name] = (state, answer[1])
        return answer

    def names(self) -> frozenset[str]:
        """Every name that may be in scope at some version: its own and those carried over from its parent."""
        carried = self._parent.visible_names() if self._parent is not None else frozenset()
        return carried | self._changes.keys()

    def visible_names(self) -> frozenset[str]:
        """The names that carry over to a stage built on this one: set by ENV here or up the chain."""
        if self._visible is None:
            pending: list[_ScopeHistory] = []
            current: _ScopeHistory | None = self
            while current is not None and current._visible is None:
                pending.append(current)
                current = current._parent
            names = current._visible if current is not None and current._visible is not None else frozenset()
            for history in reversed(pending):
                names = history._visible = names | history._env
        return self._visible if self._visible is not None else frozenset()

    def scope(self, version: int) -> Scope:
        return Scope(_ValuesAt(self, version), _UnknownAt(self, version))


class _ValuesAt(Mapping[str, str]):
    """The known values of a `_ScopeHistory` at one version (a read-only view)."""

    __slots__ = ("_history", "_materialized", "_version")

    def __init__(self, history: _ScopeHistory, version: int) -> None:
        self._history = history
        self._version = version
        self._materialized: dict[str, str] | None = None

    def __getitem__(self, name: str) -> str:
        state = self._history.state(name, self._version)
        if isinstance(state, str):
            return state
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and isinstance(self._history.state(name, self._version), str)

    def _all(self) -> dict[str, str]:
        if self._materialized is None:  # only callers that list every name pay for the list, once per view
            states = ((name, self._history.state(name, self._version)) for name in self._history.names())
            self._materialized = {name: state for name, state in states if isinstance(state, str)}
        return self._materialized

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return repr(self._all())


class _UnknownAt(AbstractSet[str]):
    """The names of a `_ScopeHistory` declared with no value we can know, at one version (a read-only view)."""

    __slots__ = ("_history", "_materialized", "_version")

    def __init__(self, history: _ScopeHistory, version: int) -> None:
        self._history = history
        self._version = version
        self._materialized: frozenset[str] | None = None

    @classmethod
    def _from_iterable(cls, items: Iterable[_Item]) -> frozenset[_Item]:  # what `-`, `&`, `|` return
        return frozenset(items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._history.state(name, self._version) is None

    def _all(self) -> frozenset[str]:
        if self._materialized is None:
            names = self._history.names()
            self._materialized = frozenset(name for name in names if self._history.state(name, self._version) is None)
        return self._materialized

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return repr(set(self._all()))


@dataclass(frozen=True)
class Resolved:
    """A word after variable expansion; `complete` is False when an unknown variable took part."""

    value: str
    complete: bool
    unresolved: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Stage:
    index: int
    name: str | None  # lower-case, as BuildKit compares stage names
    from_instruction: Instruction
    instructions: tuple[Instruction, ...]  # the FROM and everything up to the next FROM
    base: Resolved  # the FROM reference with global ARGs expanded
    image: ImageRef | None  # None when the base is another stage, or cannot be resolved
    base_stage: int | None  # the stage this one builds on
    platform: str | None

    @property
    def label(self) -> str:
        return self.name or str(self.index)

    @property
    def reference(self) -> str:
        """How `COPY --from=` names the stage: its name as written (`FROM image AS Name`), or its index."""
        return self.from_instruction.args[2].value if self.name is not None else str(self.index)


@dataclass(frozen=True)
class StageLink:
    """`COPY --from=…` or `RUN --mount=…,from=…`: an instruction that reads another stage or image."""

    instruction: Instruction
    stage: int  # the stage the instruction is in
    reference: str
    source_stage: int | None
    source_image: ImageRef | None


def mount_options(flag: Flag) -> dict[str, str]:
    """The options of a `--mount` flag (`type=cache,target=/root/.cache`); bare keys map to "true"."""
    options: dict[str, str] = {}
    for part in (flag.value or "").split(","):
        key, equals, value = part.partition("=")
        key = key.strip().lower()
        if key:
            options[key] = value.strip() if equals else "true"
    options.setdefault("type", "bind")
    return options


def cache_mount_targets(graph: BuildGraph, instruction: Instruction) -> tuple[str, ...]:
    """Where a RUN mounts a cache or a tmpfs: absolute, normalised, variables resolved.

    Files written there stay out of the layer, so a cache kept there costs the image nothing.
    A target that cannot be resolved, or is relative, is left out.
    """
    targets: list[str] = []
    for flag in instruction.effective.flags_named("mount"):
        options = mount_options(flag)
        if options["type"] not in ("cache", "tmpfs"):
            continue
        target = options.get("target") or options.get("dst") or options.get("destination")
        if not target:
            continue
        resolved = graph.resolve(target, instruction)
        if resolved.complete and resolved.value.startswith("/"):
            targets.append(posixpath.normpath(resolved.value))
    return tuple(targets)


def under_any(path: str, roots: tuple[str, ...]) -> bool:
    """Whether `path` is one of `roots` or inside one of them."""
    path = path.rstrip("/") or "/"
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


@dataclass(frozen=True)
class BuildGraph:
    """A Dockerfile's stages and the links between them (`FROM <stage>`, `COPY --from`, `RUN --mount=from`)."""

    dockerfile: Dockerfile
    global_scope: Scope
    stages: tuple[Stage, ...]
    links: tuple[StageLink, ...]

    @property
    def final(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    # Indexes built on first use: rules ask these questions per instruction, and a generated
    # Dockerfile can have thousands of stages (a linear scan each time made the run quadratic).

    @cached_property
    def _stage_starts(self) -> list[int]:
        return [stage.from_instruction.index for stage in self.stages]

    @cached_property
    def _stages_by_name(self) -> dict[str, Stage]:
        named: dict[str, Stage] = {}
        for stage in self.stages:
            if stage.name is not None:
                named.setdefault(stage.name, stage)  # the first of duplicate names, as before
        return named

    @cached_property
    def _link_sources(self) -> dict[int, list[int]]:
        """Stage index to the stages its links copy or mount from, in link order."""
        sources: dict[int, list[int]] = {}
        for link in self.links:
            if link.source_stage is not None:
                sources.setdefault(link.stage, []).append(link.source_stage)
        return sources

    @cached_property
    def _links_by_instruction(self) -> dict[int, list[StageLink]]:
        found: dict[int, list[StageLink]] = {}
        for link in self.links:
            found.setdefault(link.instruction.index, []).append(link)
        return found

    def stage_named(self, reference: str) -> Stage | None:
        found = self._stages_by_name.get(reference.lower())
        if found is not None:
            return found
        if reference.isdigit() and int(reference) < len(self.stages):
            return self.stages[int(reference)]
        return None

    def stage_of(self, instruction: Instruction) -> Stage | None:
        position = bisect.bisect_right(self._stage_starts, instruction.index)
        return self.stages[position - 1] if position else None

    def links_of(self, instruction: Instruction) -> list[StageLink]:
        """The stage links an instruction makes (`COPY --from`, each `RUN --mount=from`), in order."""
        return self._links_by_instruction.get(instruction.index, [])

    def reaching_final(self) -> frozenset[int]:
        """Stages whose content can end up in the final image: its base chain and what it copies from."""
        final = self.final
        return frozenset() if final is None else frozenset({final.index, *self.reaching(final)})

    def reaching(self, stage: Stage) -> list[int]:
        """Stages whose content can end up in `stage`'s image, nearest links first (the stage excluded):
        the stages it builds on and copies or mounts from, and theirs in turn."""
        order: list[int] = []
        seen: set[int] = set()
        todo = deque([stage.index])
        while todo:
            index = todo.popleft()
            if index in seen:
                continue
            seen.add(index)
            order.append(index)
            item = self.stages[index]
            if item.base_stage is not None:
                todo.append(item.base_stage)
            todo.extend(self._link_sources.get(index, ()))
        return order[1:]

    def build_only(self) -> frozenset[int]:
        """Non-final stages that another stage builds on or copies from: steps of the build, not images."""
        used = {stage.base_stage for stage in self.stages if stage.base_stage is not None}
        used |= {link.source_stage for link in self.links if link.source_stage is not None}
        return frozenset(used - {len(self.stages) - 1})

    def images(self) -> list[Stage]:
        """Stages that are images: the final stage and any other stage no stage builds on or copies from."""
        build_only = self.build_only()
        return [stage for stage in self.stages if stage.index not in build_only]

    def image_stages(self) -> frozenset[int]:
        """Stages that can become images, and the stages they build on (whose CMD, ENV... they inherit)."""
        return self._image_stages

    @cached_property
    def _image_stages(self) -> frozenset[int]:  # many rules ask, once per document is enough
        # Walk up from each image only to the first stage already marked: its ancestry is marked too,
        # so many images on one long chain cost the chain once (building each ancestry was quadratic).
        marked: set[int] = set()
        for stage in self.images():
            current: Stage | None = stage
            while current is not None and current.index not in marked:
                marked.add(current.index)
                base = current.base_stage
                current = self.stages[base] if base is not None else None
        return frozenset(marked)

    def in_images(self, keyword: str) -> Iterator[Instruction]:
        """The `keyword` instructions of the image stages (see `image_stages`), in file order.

        ONBUILD triggers are not included: they run in another build.
        """
        images = self._image_stages
        for stage in self.stages:
            if stage.index in images:
                yield from (instruction for instruction in stage.instructions if instruction.keyword == keyword)

    def reads_other_stages(self, stage: Stage) -> bool:
        """Whether a stage (or a stage it builds on) copies or mounts files from another stage of the file."""
        chain = {item.index for item in self.ancestry(stage)}
        return any(
            link.stage in chain and link.source_stage is not None and link.source_stage not in chain
            for link in self.links
        )

    @cached_property
    def _root_stages(self) -> list[int]:
        roots: list[int] = []
        for stage in self.stages:  # a stage builds only on an earlier one, whose root is known by now
            base = stage.base_stage
            roots.append(roots[base] if base is not None and base < stage.index else stage.index)
        return roots

    @cached_property
    def _platform_stages(self) -> list[int | None]:
        """Per stage, the nearest stage of its ancestry whose FROM has a `--platform` (None: none has)."""
        found: list[int | None] = []
        for stage in self.stages:
            base = stage.base_stage
            inherited = found[base] if base is not None and base < stage.index else None
            found.append(stage.index if stage.platform else inherited)
        return found

    def root_stage(self, stage: Stage) -> Stage:
        """The first stage of its chain: the one whose FROM names an image, not a stage."""
        return self.stages[self._root_stages[stage.index]]

    def root_image(self, stage: Stage) -> ImageRef | None:
        """The image a stage ultimately builds on, following `FROM <stage>` links."""
        return self.root_stage(stage).image

    def ancestry(self, stage: Stage) -> list[Stage]:
        """The stage and the stages it builds on (`FROM <stage>`), nearest first."""
        chain = [stage]
        seen = {stage.index}
        while stage.base_stage is not None and stage.base_stage not in seen:
            stage = self.stages[stage.base_stage]
            seen.add(stage.index)
            chain.append(stage)
        return chain

    def chain(self, stage: Stage) -> list[Stage]:
        """The stage and the stages it builds on, root first: the stages whose layers make its image."""
        return list(reversed(self.ancestry(stage)))

    def chain_instructions(self, stage: Stage) -> tuple[Instruction, ...]:
        """Every instruction after the FROMs of the stage's chain, in build order (ONBUILD included)."""
        return tuple(instruction for item in self.chain(stage) for instruction in item.instructions[1:])

    def descendants(self, stage: Stage) -> frozenset[int]:
        """The stages built on `stage`, directly or through others (`FROM <stage>`)."""
        children: dict[int, list[int]] = {}
        for candidate in self.stages:
            if candidate.base_stage is not None:
                children.setdefault(candidate.base_stage, []).append(candidate.index)
        found: set[int] = set()
        todo = list(children.get(stage.index, ()))
        while todo:
            index = todo.pop()
            if index not in found and index != stage.index:
                found.add(index)
                todo.extend(children.get(index, ()))
        return frozenset(found)

    def builds_on_scratch(self, stage: Stage) -> bool:
        """Whether the image a stage ultimately builds on is `scratch`."""
        image = self.root_image(stage)
        return image is not None and image.is_scratch

    def builds_on_windows(self, stage: Stage) -> bool:
        """Whether a stage builds on a Windows image, whose default shell is `cmd`, not `/bin/sh`: by the
        image its chain starts from, or a `--platform` of the stage or of that root stage naming Windows."""
        root = self.root_stage(stage)
        platforms = (stage.platform or "", root.platform or "")
        if any(platform.split("/", 1)[0].strip().lower() == "windows" for platform in platforms):
            return True
        return root.image is not None and _windows_image(root.image)

    def platform(self, stage: Stage) -> Resolved | None:
        """The `--platform` of the nearest FROM in the stage's ancestry that has one, with global ARGs
        expanded; None when none has one."""
        index = self._platform_stages[stage.index]
        platform = None if index is None else self.stages[index].platform
        return None if platform is None else expand(platform, self.global_scope, self.dockerfile.escape)

    def scope_at(self, instruction: Instruction) -> Scope:
        """ARG and ENV values visible to `instruction` (global ARGs only if redeclared in the stage)."""
        stage = self.stage_of(instruction)
        if stage is None:
            return self.global_scope
        return self.stage_scope(stage, until=instruction.index)

    def stage_scope(self, stage: Stage, until: int) -> Scope:
        """The scope of `stage` before instruction index `until` (past its end: the stage's final scope)."""
        return self._scopes_of(stage).before(until)

    def _scopes_of(self, stage: Stage) -> _StageScopes:
        memo = self.dockerfile.memo
        found = memo.get(("stage-scopes", stage.index))
        if found is None:  # every scope of the stage in one pass, once per document: rules ask often
            # A stage's scopes start from its parent's end: compute the missing ones root first, walking
            # up only to the nearest stage already known (no recursion, linear on long chains).
            pending: list[Stage] = []
            current: Stage | None = stage
            while current is not None and ("stage-scopes", current.index) not in memo:
                pending.append(current)
                current = None if current.base_stage is None else self.stages[current.base_stage]
            for item in reversed(pending):
                memo[("stage-scopes", item.index)] = _compute_stage_scopes(self, item)
            found = memo[("stage-scopes", stage.index)]
        assert isinstance(found, _StageScopes)
        return found

    def resolve(self, word: str, instruction: Instruction) -> Resolved:
        return expand(word, self.scope_at(instruction), self.dockerfile.escape)


def _windows_image(image: ImageRef) -> bool:
    """An image of Windows: `mcr.microsoft.com/windows[/…]`, a nanoserver or servercore base, or a tag
    naming Windows.  A path that merely starts with `windows` (`dockcross/windows-static-x64`, Linux
    images that cross-compile for Windows) is not one."""
    components = image.path.lower().split("/")
    tag = (image.tag or "").lower()
    return (
        "windows" in components
        or any(base in part for part in components for base in _WINDOWS_BASES)
        or "windows" in tag
        or any(base in tag for base in _WINDOWS_BASES)
    )


def expand(word: str, scope: Scope, escape: str = "\\") -> Resolved:
    """Expand variables in `word`; names that are unknown leave the result incomplete."""
    if not any(c in word for c in ("$", "'", '"', escape)):
        return Resolved(word, True)  # nothing to expand, unquote or unescape
    try:
        result = process_word(word, scope.values, escape=escape)
    except ShellWordError:
        return Resolved(word, False)
    # Unknown variables are unset in a build without --build-arg, so `${V:-3.12}` still resolves;
    # a bare `$V` without a value we can know leaves the result incomplete.
    unresolved = frozenset(result.unset_without_default)
    return Resolved(result.value, not unresolved, unresolved)


def _declare(values: dict[str, str], unknown: set[str], name: str, value: str | None) -> None:
    if value is None:
        unknown.add(name)
        values.pop(name, None)
    else:
        values[name] = value
        unknown.discard(name)


def _arg_declarations(instruction: Instruction) -> Iterator[tuple[str, str | None]]:
    for pair in instruction.key_values:
        yield pair.key.value, pair.value.value if pair.value is not None else None


def _known(resolved: Resolved) -> str | None:
    return resolved.value if resolved.complete else None


def _global_scope(dockerfile: Dockerfile) -> Scope:
    values: dict[str, str] = {}
    unknown: set[str] = set(AUTOMATIC_ARGS)
    given = _given_build_args(dockerfile)
    live = Scope(values, unknown)  # a view of the dicts filled below: each default sees the ARGs before it
    for instruction in dockerfile.instructions:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword != "ARG":
            continue
        for name, default in _arg_declarations(instruction):
            if name in given:
                _declare(values, unknown, name, given[name])
            else:
                known = _known(expand(default, live, dockerfile.escape)) if default is not None else None
                _declare(values, unknown, name, known)
    return Scope(values, frozenset(unknown))


def _given_build_args(dockerfile: Dockerfile) -> Mapping[str, str]:
    """The `--build-arg` values that apply: BuildKit sets the automatic platform ARGs itself."""
    if not dockerfile.build_args:
        return dockerfile.build_args
    return {name: value for name, value in dockerfile.build_args.items() if name not in AUTOMATIC_ARGS}


@dataclass(frozen=True)
class _StageScopes:
    """A stage's scopes: its history, and the indexes of its ARG/ENV instructions (each makes a version)."""

    history: _ScopeHistory
    changes: list[int]  # instruction indexes, in order

    def before(self, until: int) -> Scope:
        """The scope before instruction index `until`: after every ARG/ENV of the stage above it."""
        return self.history.scope(bisect.bisect_left(self.changes, until))


def _compute_stage_scopes(graph: BuildGraph, stage: Stage) -> _StageScopes:
    """Every scope of `stage`, recorded as changes (see `_ScopeHistory`).

    Expansion follows BuildKit's dispatch (frontend/dockerfile/dockerfile2llb/convert.go): `dispatchArg`
    expands each ARG default with the state left by the pairs before it, then sets it, so in
    `ARG A=1 B=$A` B is "1"; ENV is expanded as a whole before `dispatchEnv` runs (`dispatch` calls the
    command's `Expand` first, and `EnvCommand.Expand` expands every pair with the environment from before
    the instruction), so in `ENV A=2 B=$A` B gets the earlier A.  Values are expanded as written, quotes
    included: ProcessWord removes the quotes, so `'$A'` stays literal.
    """
    parent = None if stage.base_stage is None else graph._scopes_of(graph.stages[stage.base_stage]).history
    history = _ScopeHistory(parent, _env_names(graph.dockerfile))
    given = _given_build_args(graph.dockerfile)
    escape = graph.dockerfile.escape
    changes: list[int] = []
    for instruction in stage.instructions[1:]:
        if instruction.keyword not in ("ARG", "ENV"):
            continue
        changes.append(instruction.index)
        before = history.scope(history.version)
        history.version += 1
        if instruction.keyword == "ARG":
            for name, default in _arg_declarations(instruction):
                if name in given:  # a build argument beats the default and the global value
                    history.declare(name, given[name], env=False)
                elif default is None:
                    history.declare(name, graph.global_scope.values.get(name), env=False)
                else:  # the pairs to its left are set already: the current version, not `before`
                    value = _known(expand(default, history.scope(history.version), escape))
                    history.declare(name, value, env=False)
        else:
            expanded = [
                (pair.key.value, _known(expand(pair.value.value if pair.value is not None else "", before, escape)))
                for pair in instruction.key_values
            ]
            for name, value in expanded:
                history.declare(name, value, env=True)
    return _StageScopes(history, changes)


def _env_names(dockerfile: Dockerfile) -> frozenset[str]:
    """Every name an ENV of the file sets (once per document): only these can carry over between stages."""
    found = dockerfile.memo.get(("env-names",))
    if not isinstance(found, frozenset):
        found = dockerfile.memo[("env-names",)] = frozenset(
            pair.key.value
            for instruction in dockerfile.instructions
            if instruction.keyword == "ENV"
            for pair in instruction.key_values
        )
    return found


def _split_stages(dockerfile: Dockerfile) -> list[list[Instruction]]:
    groups: list[list[Instruction]] = []
    for instruction in dockerfile.instructions:
        if instruction.keyword == "FROM":
            groups.append([instruction])
        elif groups:
            groups[-1].append(instruction)
    return groups


def build_graph(dockerfile: Dockerfile) -> BuildGraph:
    global_scope = _global_scope(dockerfile)
    stages: list[Stage] = []
    names: dict[str, int] = {}
    for index, instructions in enumerate(_split_stages(dockerfile)):
        from_instruction = instructions[0]
        words = from_instruction.values
        reference = words[0] if words else ""
        name = words[2].lower() if len(words) == 3 and words[1].lower() == "as" else None
        base = expand(reference, global_scope, dockerfile.escape)
        base_stage = names.get(base.value.lower()) if base.complete else None
        image = parse_image(base.value) if base.complete and base_stage is None else None
        platform_flag = from_instruction.flag("platform")
        platform = platform_flag.value if platform_flag is not None else None
        stages.append(Stage(index, name, from_instruction, tuple(instructions), base, image, base_stage, platform))
        if name is not None:
            names[name] = index
    without_links = BuildGraph(dockerfile, global_scope, tuple(stages), ())
    return replace(without_links, links=tuple(_links(without_links)))  # links resolve words in stage scopes


def _links(graph: BuildGraph) -> Iterator[StageLink]:
    for stage in graph.stages:
        for instruction in stage.instructions[1:]:
            target = instruction  # ONBUILD triggers run in a later build, so they link nothing here
            references = [flag.value for flag in target.flags_named("from") if flag.value]
            references += [
                options["from"] for flag in target.flags_named("mount") if "from" in (options := mount_options(flag))
            ]
            for reference in references:
                resolved = graph.resolve(reference, instruction)
                source = graph.stage_named(resolved.value) if resolved.complete else None
                if source is not None and source.index >= stage.index:
                    source = None  # BuildKit only lets a stage read stages defined before it
                image = parse_image(resolved.value) if source is None and resolved.complete else None
                yield StageLink(instruction, stage.index, reference, source.index if source else None, image)

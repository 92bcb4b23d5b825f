from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.secrets.detect import is_public_key_id
from lintslim.secrets.names import secret_word
from lintslim.secrets.values import is_path_or_url, is_switch
from lintslim.syntax.nodes import Dockerfile, Instruction, KeyValue, LineKind
from lintslim.syntax.shellwords import ShellWordError, process_word
from lintslim.syntax.source import BOM, Span
from lintslim.syntax.stages import BuildGraph, mount_options

SYNTAX_LINE = "# syntax=docker/dockerfile:1"
_DIRECTIVES = frozenset({"syntax", "escape", "check"})
# `RUN --mount=type=secret,env=…` needs the Dockerfile frontend 1.10 or later.
_FRONTEND = re.compile(r"(?:docker\.io/)?docker/dockerfile(?:-upstream)?:(?P<tag>[\w.-]{1,64})")
_VERSION = re.compile(r"([0-9]{1,6})\.([0-9]{1,6})")
_MIN_FRONTEND = (1, 10)


@dataclass(frozen=True)
class Declaration:
    """One `ARG NAME` or `ENV NAME=…` pair; `stage` is None for a global ARG (before the first FROM)."""

    instruction: Instruction
    pair: KeyValue
    stage: int | None

    @property
    def name(self) -> str:
        return self.pair.key.value

    @property
    def keyword(self) -> str:
        return self.instruction.effective.keyword


class SecretInArgEnv(Rule):
    """A build argument or environment variable whose name says it holds a secret.

    ## What it does
    Flags `ARG` and `ENV` whose name says it holds a credential: a password, passphrase, token,
    secret, credentials, or an API, access, private or client key (`NPM_TOKEN`, `DB_PASSWORD`,
    `AWS_SECRET_ACCESS_KEY`, `apiKey`).  Names are read word by word (split at `_`, `-`, `.` and
    camelCase), so `KEYCLOAK_VERSION` or `TOKENIZERS_PARALLELISM` hold no secret word.  A name that
    is about a secret rather than the secret is left alone: `PUBLIC_KEY_URL`, `GITHUB_TOKEN_FILE`,
    `SECRET_NAME`, `PASSWORD_MIN_LENGTH`, `GPG_KEY`, `AWS_ACCESS_KEY_ID`, and so is a value that is
    a path, a URL or an on/off switch (`MYSQL_ALLOW_EMPTY_PASSWORD=yes`).

    `ARG` is reported in every stage: whichever stage declares it, the value given with
    `--build-arg` is recorded for the whole build (`docker history` of the image, provenance
    attestations in `mode=max`, build logs).  `ENV` is reported in the stages whose environment an
    image keeps: a stage used only to build others does not ship its `ENV`.

    The literal value of such a variable is also a hardcoded secret (LS202).

    ## Why is this bad?
    Build arguments are not secret: `docker history` shows the values a RUN step used, and
    `mode=max` provenance records every build argument.  `ENV` is worse: it is stored in the image
    configuration, readable by anyone who can pull the image, and inherited by every image built
    from it.  BuildKit's secret mounts give a RUN step the secret without recording it anywhere.

    ## Fix safety
    The fix is unsafe.  It removes the `ARG`/`ENV` (in every stage), adds
    `--mount=type=secret,id=<name in lower case>,env=<NAME>` to the RUN steps that read the
    variable (every RUN step in its scope when none names it: tools such as npm read it from the
    environment), and adds `# syntax=docker/dockerfile:1` when there is no `syntax` directive:
    the `env` option needs Dockerfile 1.10.  Builds must then pass the secret, for example
    `docker build --secret id=npm_token,env=NPM_TOKEN .`; the fix title says how.

    No fix is offered when something other than a RUN step reads the variable (`COPY`, `FROM`,
    `LABEL`, `WORKDIR`, another `ENV`…): a secret mount exists only while a RUN step runs.  An
    `ENV` that no RUN step reads is left alone too: the application probably reads it at run time,
    and must get it from the container's environment instead.  Neither is there a fix inside
    `ONBUILD`, or when a `syntax` directive names a frontend older than 1.10 or not Docker's.
    """

    code = "LS201"
    name = "secret-in-arg-env"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3064", "SecretsUsedInArgOrEnv")

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        images = graph.image_stages()
        declarations = list(_declarations(ctx.dockerfile, graph))
        fixes: dict[str, Fix | None] = {}
        for declaration in declarations:
            if not _reported(declaration, images, graph):
                continue
            name = declaration.name
            if name not in fixes:
                fixes[name] = _fix(ctx.dockerfile, graph, name, [d for d in declarations if d.name == name])
            yield self.report(declaration.pair.key.span, _message(declaration), fix=fixes[name])


def _message(declaration: Declaration) -> str:
    name = declaration.name
    if declaration.keyword == "ARG":
        return f"Build argument `{name}` holds a secret: build arguments are recorded in the image history"
    return f"`ENV {name}` holds a secret: environment variables are stored in the image for anyone to read"


def _declarations(dockerfile: Dockerfile, graph: BuildGraph) -> Iterator[Declaration]:
    for instruction in dockerfile.instructions:
        if instruction.effective.keyword not in ("ARG", "ENV"):
            continue
        stage = graph.stage_of(instruction)
        for pair in instruction.effective.key_values:
            if secret_word(pair.key.value) is not None:
                yield Declaration(instruction, pair, stage.index if stage is not None else None)


def _reported(declaration: Declaration, images: frozenset[int], graph: BuildGraph) -> bool:
    if declaration.keyword == "ENV" and declaration.stage not in images:
        return False  # a build stage's ENV stays in that stage
    value = declaration.pair.value
    if value is None:
        return True  # `ARG NPM_TOKEN`: a slot for `--build-arg`
    if declaration.keyword == "ENV" and not value.value.strip("'\""):
        return False  # `ENV PASSWORD=""` clears it
    text = _unquoted(value.value, graph.dockerfile.escape)
    if declaration.keyword == "ENV":
        expanded = _without_undeclared(graph, declaration.instruction, value.value)
        if expanded is not None:
            if not expanded.strip():
                return False  # `ENV SECRET_KEY=${SECRET_KEY}` with no ARG of that name: empty in this build
            text = expanded
    return not (is_path_or_url(text) or is_switch(text) or is_public_key_id(declaration.name, text))


def _without_undeclared(graph: BuildGraph, instruction: Instruction, raw: str) -> str | None:
    """The value when every variable it names is known or not declared at all (BuildKit expands those
    to nothing); None when it takes a value from an `ARG` or `ENV` whose value is not known here."""
    resolved = graph.resolve(raw, instruction)
    scope = graph.scope_at(instruction)
    if any(scope.knows(name) for name in resolved.unresolved):
        return None
    return resolved.value


def _unquoted(raw: str, escape: str) -> str:
    try:
        return process_word(raw, {}, escape=escape).value
    except ShellWordError:
        return raw


# --- the fix ----------------------------------------------------------------------------------------


def _fix(dockerfile: Dockerfile, graph: BuildGraph, name: str, declarations: list[Declaration]) -> Fix | None:
    if any(d.instruction.inner is not None for d in declarations) or not _frontend_supports_env(dockerfile):
        return None
    if not graph.stages:
        return None  # no FROM: not a Dockerfile BuildKit builds, and removing the ARG would leave it empty
    scope = _scope(graph, declarations)
    reference = _reference(name)
    if any(d.stage is None for d in declarations):
        scope += [stage.from_instruction for stage in graph.stages]  # a global ARG may be read by FROM
    readers: list[Instruction] = []
    for instruction in scope:
        if not reference.search(dockerfile.text, instruction.span.start, instruction.span.end):
            continue
        if instruction.keyword != "RUN":
            return None  # read by COPY, LABEL, CMD…: a secret mount cannot serve it
        readers.append(instruction)
    if any(_read_beside(declaration, reference) for declaration in declarations):
        return None
    if not readers:
        if any(d.keyword == "ENV" for d in declarations):
            return None  # nothing in the build reads it: the application does, at run time
        readers = [instruction for instruction in scope if instruction.keyword == "RUN"]
    deletions = _merged([edit for d in _unique_pairs(declarations) for edit in _deletion(dockerfile, d)])
    if any(_promotes_directives(dockerfile, edit) for edit in deletions):
        return None
    if not readers:
        return Fix.unsafe(f"Remove the unused build argument `{name}`", *deletions)
    secret_id = name.lower()
    mounts = [_mount(instruction, secret_id, name) for instruction in readers if not _has_mount(instruction, name)]
    if dockerfile.directive("syntax") is None:
        mounts.append(_syntax_directive(dockerfile))
    title = f"Pass `{name}` with a secret mount (build with `--secret id={secret_id},env={name}`)"
    return Fix.unsafe(title, *deletions, *mounts)


def _frontend_supports_env(dockerfile: Dockerfile) -> bool:
    directive = dockerfile.directive("syntax")
    if directive is None:
        return True  # the fix adds `# syntax=docker/dockerfile:1`
    match = _FRONTEND.fullmatch(directive.value.strip().split("@", 1)[0])
    if match is None:
        return False
    tag = match.group("tag")
    if tag in ("1", "latest", "labs", "1-labs"):
        return True
    numbers = _VERSION.match(tag)
    return numbers is not None and (int(numbers.group(1)), int(numbers.group(2))) >= _MIN_FRONTEND


def _reference(name: str) -> re.Pattern[str]:
    return re.compile(r"\$\{?" + re.escape(name) + r"(?![A-Za-z0-9_])")


def _scope(graph: BuildGraph, declarations: list[Declaration]) -> list[Instruction]:
    """Instructions that see the variable: after an ARG in its stage; after an ENV in its stage and
    in the stages built on it.  The declarations themselves are left out."""
    declared = {id(d.instruction) for d in declarations}
    seen: dict[int, Instruction] = {}
    for declaration in declarations:
        if declaration.stage is None:
            continue  # a global ARG reaches stages only through their own `ARG NAME`
        stages = {declaration.stage}
        if declaration.keyword == "ENV":
            stages |= graph.descendants(graph.stages[declaration.stage])
        for stage in stages:
            for instruction in graph.stages[stage].instructions[1:]:
                after = stage != declaration.stage or instruction.index > declaration.instruction.index
                if after and id(instruction) not in declared:
                    seen[instruction.index] = instruction
    return [seen[index] for index in sorted(seen)]


def _read_beside(declaration: Declaration, reference: re.Pattern[str]) -> bool:
    """Another pair of the same instruction uses the variable (`ENV URL=https://$TOKEN@host TOKEN=…`)."""
    for pair in declaration.instruction.effective.key_values:
        if pair is not declaration.pair and pair.value is not None and reference.search(pair.value.value):
            return True
    return False


def _unique_pairs(declarations: list[Declaration]) -> list[Declaration]:
    seen: set[int] = set()
    unique = []
    for declaration in declarations:
        if id(declaration.pair) not in seen:
            seen.add(id(declaration.pair))
            unique.append(declaration)
    return unique


def _deletion(dockerfile: Dockerfile, declaration: Declaration) -> list[Edit]:
    """Remove the pair; remove the whole instruction (and its line break) when it is the only one."""
    instruction, pair = declaration.instruction, declaration.pair
    pairs = instruction.effective.key_values
    if len(pairs) == 1:
        return _keeping_comments(dockerfile, instruction, _whole_lines(dockerfile, instruction))
    index = next(i for i, candidate in enumerate(pairs) if candidate is pair)
    end = _pair_end(pair)
    if index + 1 < len(pairs):
        return _keeping_comments(dockerfile, instruction, Span(pair.key.span.start, pairs[index + 1].key.span.start))
    return _keeping_comments(dockerfile, instruction, Span(_pair_end(pairs[index - 1]), end))


def _promotes_directives(dockerfile: Dockerfile, edit: Edit) -> bool:
    """Whether the edit leaves only parser directives above a comment such as `# escape=...`, which
    would then become a directive too (`ARG TOKEN` on line 1 with such a comment below it)."""
    lines = dockerfile.lines
    first = lines.position(edit.span.start).line
    if lines.line_start(first) != edit.span.start and edit.span.start != len(BOM):
        return False  # the edit starts inside a line: the lines that follow stay where they are
    if any(kind is not LineKind.DIRECTIVE for kind in dockerfile.line_kinds[: first - 1]):
        return False
    following = (edit.content + dockerfile.text[edit.span.end :]).split("\n", 1)[0].strip(" \t\r")
    name, equals, _ = following[1:].partition("=")
    return following.startswith("#") and bool(equals) and name.strip(" \t").lower() in _DIRECTIVES


def _merged(edits: list[Edit]) -> list[Edit]:
    """Join edits that overlap: removing the last line of a file without a final newline takes the
    line break before it, which the removal of the line above already takes (`ARG T` twice)."""
    merged: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end)):
        if merged and edit.span.start < merged[-1].span.end:
            last = merged[-1]
            merged[-1] = Edit.replace(last.span.cover(edit.span), last.content + edit.content)
        else:
            merged.append(edit)
    return merged


def _keeping_comments(dockerfile: Dockerfile, instruction: Instruction, span: Span) -> list[Edit]:
    """Delete `span`, but keep the comment lines inside it (`ARG \\ # why \\ TOKEN`): they move to
    just above the instruction, whole lines as written."""
    lines = dockerfile.lines
    inside = [c for c in dockerfile.comments if span.start <= c.span.start and c.span.end <= span.end]
    if not inside:
        return [Edit.delete(span)]
    text = dockerfile.text
    kept = "".join(text[lines.line_start(c.line) : lines.line_end(c.line, keep_newline=True)] for c in inside)
    above = lines.line_start(instruction.start_line)
    if span.start <= above:
        return [Edit.replace(Span(above, max(above, span.end)), kept if kept.endswith("\n") else kept + "\n")]
    return [Edit.insert(above, kept), Edit.delete(span)]


def _pair_end(pair: KeyValue) -> int:
    return pair.value.span.end if pair.value is not None else pair.key.span.end


def _whole_lines(dockerfile: Dockerfile, instruction: Instruction) -> Span:
    """The instruction's lines with their line break (the one before it when it ends the file without one)."""
    lines, text = dockerfile.lines, dockerfile.text
    start = lines.line_start(instruction.start_line)
    end = lines.line_end(instruction.end_line, keep_newline=True)
    if end == len(text) and not text.endswith("\n") and instruction.start_line > 1:
        start = lines.line_end(instruction.start_line - 1)
    if start == 0 and text.startswith(BOM):
        start = len(BOM)  # the byte-order mark stays (and the syntax directive goes after it)
    return Span(start, end)


def _mount(instruction: Instruction, secret_id: str, name: str) -> Edit:
    return Edit.insert(instruction.keyword_span.end, f" --mount=type=secret,id={secret_id},env={name}")


def _has_mount(instruction: Instruction, name: str) -> bool:
    for flag in instruction.flags_named("mount"):
        options = mount_options(flag)
        if options.get("type") == "secret" and options.get("env") == name:
            return True
    return False


def _syntax_directive(dockerfile: Dockerfile) -> Edit:
    newline = "\r\n" if "\r\n" in dockerfile.text.split("\n", 1)[0] + "\n" else "\n"
    offset = 1 if dockerfile.text.startswith(BOM) else 0
    return Edit.insert(offset, SYNTAX_LINE + newline)

from __future__ import annotations

from collections.abc import Iterator

from lintslim.analysis.dependencies import ContextCopy, context_copy, working_directories
from lintslim.analysis.paths import below_copy_source, join
from lintslim.context.build_context import BuildContext, Entry, context_path
from lintslim.context.credentials import credential_kind, holds_credential
from lintslim.context.dockerignore import IgnoreError, IgnoreMatcher
from lintslim.context.gopath import has_wildcards
from lintslim.context.sources import ContextSource, context_sources
from lintslim.engine.rule import Diagnostic, Rule, RuleContext, Severity
from lintslim.syntax.stages import BuildGraph

MAX_NAMED = 4  # files named in one message; the rest are counted
# Directories whose keys are conventionally fake test material: a broad copy does not report them.
FIXTURE_DIRECTORIES = frozenset({"testdata", "fixtures", "__fixtures__", "test-fixtures"})


class CredentialFileCopied(Rule):
    """`COPY` or `ADD` puts a credential file from the build context into the image.

    ## What it does
    Flags `COPY` and `ADD` sources that are credential files: SSH keys (`id_rsa`, `id_ed25519`,
    `.ssh/`), `.aws/`, `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `.docker/config.json`,
    kubeconfig files, private keys (`*.pem`, `*.key`, `*.p12`) and `.env` files.  A source that
    names one is reported as written.  With a build context (`--context`, default the Dockerfile's
    directory), broad sources are checked too: `COPY . .`, `COPY ./ /app` or `COPY config/ …` are
    reported when the context holds such a file that the ignore file (`.dockerignore`, or BuildKit's
    `<Dockerfile name>.dockerignore`) lets through, with its exact semantics.

    Public material is not flagged: `*.pub`, `*.crt`, CA bundles, `.pem` files that hold only
    certificates, example environment files (`.env.example`, `.env.sample`, `.env.template`).  When
    the context has the file, its content is checked: an `.npmrc` whose token is `${NPM_TOKEN}` or a
    Docker `config.json` with a credential helper holds no credential.  Keys under `testdata/` or
    `fixtures/` directories are test material and not reported for broad copies.

    The finding is an error in a stage that can become an image, and a warning in a build stage
    that another stage only copies from: the final image does not carry the file then, but that
    stage's layers and the build cache do.  Messages name files, never their content.

    ## Why is this bad?
    Whatever `COPY` puts into a layer stays in the image, even if a later `RUN rm` deletes it:
    anyone who can pull the image can read the key or token.  Pass credentials to the build with
    `RUN --mount=type=secret` or `--mount=type=ssh`, and keep them out of the context with
    `.dockerignore`.
    """

    code = "LS203"
    name = "credential-file-copied"
    severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        context = ctx.build_context
        if context is not None and (not context.usable or context.holds_only_dockerfiles()):
            context = None  # not the context this Dockerfile was written for: go by names only
        if context is not None and context.ignore_file is not None and context.ignore_file.matcher is None:
            return  # BuildKit rejects the ignore file: the build fails before any COPY
        for source in context_sources(ctx.dockerfile):
            found = _credentials(context, source)
            if found:
                yield self._finding(graph, source, found)

    def _finding(self, graph: BuildGraph, source: ContextSource, found: list[tuple[str, str]]) -> Diagnostic:
        stage = graph.stage_of(source.instruction)
        in_image = stage is None or stage.index in graph.image_stages()
        if in_image:
            where = "into the image"
        elif stage is not None and (carried := _carried_into_image(graph, source, [p for p, _ in found])) is not None:
            in_image = True
            line, paths = carried
            what = "it" if len(found) == 1 else ", ".join(f"`{path}`" for path in paths[:MAX_NAMED])
            where = f"into build stage `{stage.label}`, and line {line} copies {what} from there into the image"
        else:
            label = stage.label if stage is not None else "?"
            where = f"into build stage `{label}` (not the final image, but that stage's layers and the build cache)"
        severity = Severity.ERROR if in_image else Severity.WARNING
        if len(found) == 1 and found[0][0] == source.path:  # the source itself names the credential
            path, kind = found[0]
            what = f"files matching `{path}` ({kind}, by the name)" if has_wildcards(path) else f"`{path}` ({kind})"
            return self.report(source.token.span, f"`{source.keyword}` puts {what} {where}", severity=severity)
        named = ", ".join(f"`{path}` ({kind})" for path, kind in found[:MAX_NAMED])
        if len(found) > MAX_NAMED:
            named += f" and {len(found) - MAX_NAMED} more"
        what = "a credential file" if len(found) == 1 else "credential files"
        message = f"`{source.keyword} {source.token.value}` puts {what} from the build context {where}: {named}"
        return self.report(source.token.span, message, severity=severity)


def _carried_into_image(graph: BuildGraph, source: ContextSource, paths: list[str]) -> tuple[int, list[str]] | None:
    """The line of a `COPY --from` in an image stage that takes credential files out of their build
    stage (`COPY --from=build /app/.env.docker .`), and which of `paths` it takes; None if none does."""
    stage = graph.stage_of(source.instruction)
    if stage is None:
        return None
    copy = context_copy(graph, source.instruction, working_directories(graph, stage)[source.instruction.index])
    if copy is None:
        return None
    landed = {path: _landing(copy, source, path) for path in paths}
    images = graph.image_stages()
    for link in graph.links:
        if link.stage not in images or link.source_stage is None or link.instruction.keyword not in ("COPY", "ADD"):
            continue
        if all(ancestor.index != stage.index for ancestor in graph.ancestry(graph.stages[link.source_stage])):
            continue
        taken_from = [graph.resolve(word.value, link.instruction) for word in link.instruction.args[:-1]]
        roots = [join("/", resolved.value) for resolved in taken_from if resolved.complete]
        taken = [path for path, image_path in landed.items() if any(_takes(root, image_path) for root in roots)]
        if taken:
            return link.instruction.start_line, taken
    return None


def _landing(copy: ContextCopy, source: ContextSource, path: str) -> str:
    """Where the context file `path`, copied by `source`, is in the stage's filesystem."""
    if path == source.path or has_wildcards(source.path):
        return copy.landing(path, is_directory=False)
    return join(copy.landing(source.path, is_directory=True), _below(path, source.path))


def _below(path: str, directory: str) -> str:
    return path if directory == "." else path[len(directory) + 1 :]


def _takes(taken: str, path: str) -> bool:
    """Whether a `COPY --from` source (an absolute path or a pattern) includes `path`."""
    return below_copy_source(path, taken) is not None


def _credentials(context: BuildContext | None, source: ContextSource) -> list[tuple[str, str]]:
    """(path, kind) of each credential file the source copies; by name alone without a context."""
    named = credential_kind(source.path)
    if context is None:
        return [(source.path, named)] if named is not None else []
    excludes = _exclude_matcher(source)
    matched = context.files_matching(source.path)
    found = []
    for entry in matched:
        relative = _below_source(entry, source.path)
        if excludes is not None and excludes.excluded(relative):
            continue
        kind = credential_kind(entry.path)
        if kind is None or (named is None and _is_fixture(entry.path)):
            continue
        if holds_credential(kind, context.read_text(entry.path)):
            found.append((entry.path, kind))
    if not matched and named is not None and _made_at_build_time(context, source.path):
        found.append((source.path, named))
    return found


def _made_at_build_time(context: BuildContext, path: str) -> bool:
    """A credential the source names but the context lacks: CI writes such files into the context
    before `docker build`.  Not when the ignore file keeps it out: the COPY fails, nothing leaks."""
    return not context.exists(path) and context.included(path)


def _below_source(entry: Entry, source: str) -> str:
    """An entry's path relative to the copied source, which `--exclude` patterns are matched against."""
    if source == ".":
        return entry.path
    if entry.path.startswith(source + "/"):
        return entry.path[len(source) + 1 :]
    return entry.path.rpartition("/")[2]  # the source itself, or what a wildcard matched: its name


def _exclude_matcher(source: ContextSource) -> IgnoreMatcher | None:
    if not source.excludes:
        return None
    try:
        return IgnoreMatcher([context_path(pattern) for pattern in source.excludes])
    except IgnoreError:
        return None


def _is_fixture(path: str) -> bool:
    return any(part.lower() in FIXTURE_DIRECTORIES for part in path.split("/")[:-1])

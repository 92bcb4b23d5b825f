from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lintslim.context.build_context import DOCKERIGNORE, BuildContext
from lintslim.context.credentials import credential_kind, holds_credential
from lintslim.context.dockerignore import IgnoreMatcher
from lintslim.context.sources import ContextSource, bind_mount_sources, context_sources
from lintslim.engine.fixes import Fix, NewFile
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.rules._wording import and_list
from lintslim.syntax.nodes import Dockerfile

ENVIRONMENT_FILE = "an environment file"
HEADER = (
    "# Written by lintslim (LS106): paths the image build does not need.\n"
    "# A broad `COPY .` no longer sees them; review before committing.\n"
)
# Credential files no build step needs: left out whether or not they exist now.
ALWAYS_SECRET = (
    "**/.aws", "**/.ssh", "**/id_rsa", "**/id_dsa", "**/id_ecdsa", "**/id_ed25519", "**/.git-credentials",
    "**/.netrc", "**/.pypirc", "**/.docker/config.json", "**/.kube",
)  # fmt: skip
BUILD_LEFTOVERS = ("**/node_modules", "**/__pycache__", "**/*.pyc", ".venv")
ENV_EXAMPLES = (".env.example", ".env.sample", ".env.template", ".env.dist")


class MissingDockerignore(Rule):
    """`COPY .` copies a build context that has no `.dockerignore`, or one that lets `.git` or `.env` in.

    ## What it does
    Looks at the first `COPY` or `ADD` that takes the whole build context (`.`, `./` or `*`) and
    checks the ignore file in force: `<Dockerfile name>.dockerignore` beside the Dockerfile if there
    is one (BuildKit prefers it), else `.dockerignore` at the context root.  It reports a context
    without any, and one whose ignore file lets an existing `.git` or `.env` file into the build.
    A `.dockerignore` that is a directory counts as none (BuildKit reads no patterns from it), but
    is reported without a fix: no file can be created in its place.

    The build context is the directory given with `--context` (default: the Dockerfile's
    directory).  Without one, or when that directory holds nothing but Dockerfiles (so the real
    context is elsewhere), the rule says nothing.

    ## Why is this bad?
    Everything in the context is sent to the builder, and `COPY .` puts it into a layer: the git
    history, local `.env` files and keys, `node_modules` and build outputs.  That leaks secrets into
    the image, makes the context slow to send, and busts the layer cache whenever any of those files
    changes.

    ## Fix safety
    Unsafe, and offered only when there is no ignore file at all: it creates `.dockerignore` at the
    context root (never overwriting one) with `.git`, `.env` files, credential files (those with
    credential names, and keys and `.npmrc` files in the context that hold a credential), dependency
    and cache directories, `target` for a Cargo project, and the Dockerfiles and the ignore file
    themselves.  An entry that would exclude a path a `COPY`, `ADD` or `RUN --mount` of this
    Dockerfile names is left out, but a broad `COPY .` may still have relied on an excluded file.
    """

    code = "LS106"
    name = "missing-dockerignore"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        context = ctx.build_context
        if context is None or not context.usable:
            return
        whole = next((source for source in context_sources(ctx.dockerfile) if source.is_whole_context), None)
        if whole is None or context.holds_only_dockerfiles():
            return
        copied = f"`{whole.keyword} {whole.token.value}`"
        ignore = context.ignore_file
        if ignore is None:
            leaks = _sensitive_top_level(context)
            also = f": {_names(leaks)} {'goes' if len(leaks) == 1 else 'go'} in too" if leaks else ""
            if context.ignore_path_is_directory:  # nothing is ignored, and no file can be created there
                message = (
                    f"{copied} copies the whole build context, whose `{DOCKERIGNORE}` is a directory: "
                    f"BuildKit reads no patterns from it and ignores nothing{also}"
                )
                yield self.report(whole.token.span, message)
                return
            fix = Fix.unsafe(
                f"Create `{DOCKERIGNORE}`",
                new_files=[NewFile(DOCKERIGNORE, suggested_dockerignore(context, ctx.dockerfile))],
            )
            message = f"{copied} copies the whole build context, which has no `{DOCKERIGNORE}`{also}"
            yield self.report(whole.token.span, message, fix=fix)
            return
        if ignore.matcher is None:
            return  # BuildKit rejects this ignore file: the build fails before any COPY
        leaks = [name for name in _sensitive_top_level(context) if context.included(name)]
        if leaks:
            message = f"`{ignore.name}` lets {_names(leaks)} into the build context that {copied} copies"
            yield self.report(whole.token.span, message)


def _sensitive_top_level(context: BuildContext) -> list[str]:
    """`.git` and environment files (not examples) at the top of the context."""
    return [name for name in context.top_level if name == ".git" or credential_kind(name) == ENVIRONMENT_FILE]


def _names(names: list[str]) -> str:
    return and_list([f"`{name}`" for name in names])


def suggested_dockerignore(context: BuildContext, dockerfile: Dockerfile) -> str:
    """The `.dockerignore` the fix writes: entries that exclude nothing this Dockerfile names."""
    needed = _needed_paths(context, dockerfile)
    entries = [entry for entry in _candidates(context, dockerfile) if not _excludes_any(entry, needed)]
    return HEADER + "".join(f"{entry}\n" for entry in entries)


def _candidates(context: BuildContext, dockerfile: Dockerfile) -> list[str]:
    entries = [".git", "**/.env", "**/.env.*"]
    entries += [f"!{name}" for name in ENV_EXAMPLES if name in context.top_level]
    entries += ALWAYS_SECRET
    entries += _credential_files_found(context)
    entries += BUILD_LEFTOVERS
    if "Cargo.toml" in context.top_level:
        entries.append("target")
    entries += ["Dockerfile*", DOCKERIGNORE]
    own = _dockerfile_in_context(context, dockerfile)
    if own is not None and not _excludes_any("Dockerfile*", [own]):
        entries.append(own)
    return entries


def _credential_files_found(context: BuildContext) -> list[str]:
    """Keys and `.npmrc` files of the context that hold a credential (their names alone do not tell)."""
    by_name = IgnoreMatcher(list(ALWAYS_SECRET))
    found = []
    for entry in context.files_under("."):
        kind = credential_kind(entry.path)
        if kind is None or kind == ENVIRONMENT_FILE or by_name.excluded(entry.path):
            continue
        if holds_credential(kind, context.read_text(entry.path)):
            found.append(entry.path)
    return found


def _dockerfile_in_context(context: BuildContext, dockerfile: Dockerfile) -> str | None:
    """The Dockerfile's path relative to the context root, when it is inside the context."""
    if dockerfile.path in (None, "-"):
        return None
    root = context.root.resolve()
    try:
        return Path(dockerfile.path or "").resolve().relative_to(root).as_posix()
    except (OSError, ValueError):
        return None


def _needed_paths(context: BuildContext, dockerfile: Dockerfile) -> list[str]:
    """Paths this Dockerfile copies or mounts by name, and the files under or matching them."""
    needed: list[str] = []
    sources: list[ContextSource] = [source for source in context_sources(dockerfile) if not source.is_whole_context]
    paths = [source.path for source in sources] + [path for path in bind_mount_sources(dockerfile) if path != "."]
    for path in paths:
        needed.append(path)
        needed += [entry.path for entry in context.files_matching(path)]
    return needed


def _excludes_any(entry: str, paths: list[str]) -> bool:
    if entry.startswith("!"):
        return False  # an exception brings paths back
    matcher = IgnoreMatcher([entry])
    return any(matcher.excluded(path) for path in paths)

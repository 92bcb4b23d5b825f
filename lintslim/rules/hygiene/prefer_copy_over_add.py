from __future__ import annotations

from collections.abc import Iterator

from lintslim.analysis.paths import REMOTE
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.rules._edits import keyword_case
from lintslim.syntax.nodes import Dockerfile, Instruction

# ADD unpacks local tar archives, plain or compressed (identity, gzip, bzip2, xz; zstd in newer
# BuildKit).  A compressed file may be a tar, so every compression suffix counts as an archive.
_ARCHIVE_SUFFIXES = (".tar", ".tgz", ".tbz", ".tbz2", ".txz", ".tzst", ".gz", ".bz2", ".xz", ".zst", ".lz", ".lzma")
ADD_ONLY_FLAGS = frozenset({"checksum", "keep-git-dir", "unpack"})


def is_remote(source: str) -> bool:
    return bool(REMOTE.match(source))


def is_archive(source: str) -> bool:
    return source.lower().endswith(_ARCHIVE_SUFFIXES)


def may_match_archive(pattern: str) -> bool:
    """True when a wildcard source can match an archive name: `ADD` unpacks every matching archive."""
    last = max(pattern.rfind(ch) for ch in "*?[]")
    if last < 0:
        return False
    tail = pattern[last + 1 :].lower()  # every match ends with this literal text
    return any(suffix.endswith(tail) for suffix in _ARCHIVE_SUFFIXES)


def is_plain_local(source: str) -> bool:
    """A local source that `COPY` copies the same way: not a URL or git repository, not an archive."""
    return not (is_remote(source) or is_archive(source) or may_match_archive(source))


class PreferCopyOverAdd(Rule):
    """`ADD` copies local files that `COPY` would copy the same way.

    ## What it does
    Flags `ADD` when every source is a local path that is not an archive: no URL, no git
    repository, no tar file (which `ADD` would unpack), no wildcard that could match one, and no
    variable lintslim cannot resolve.

    ## Why is this bad?
    `ADD` also downloads URLs and unpacks archives.  Used for plain files it makes a reader wonder
    which of those it does here, and a later rename of a file to `.tar.gz` silently changes what the
    image contains.  `COPY` does one thing.

    ## Fix safety
    Safe: for local non-archive sources `COPY` produces the same layer.  No fix is offered when the
    instruction uses an option only `ADD` has (`--checksum`, `--keep-git-dir`, `--unpack`).
    """

    code = "LS503"
    name = "prefer-copy-over-add"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3020",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        for instruction in ctx.dockerfile.instructions:
            target = instruction.effective
            if target.keyword != "ADD" or len(target.args) < 2:
                continue
            sources = [token.value for token in target.args[:-1]]
            resolved = [graph.resolve(source, instruction) for source in sources]
            if not all(r.complete and is_plain_local(r.value) for r in resolved):
                continue
            yield self.report(
                target.keyword_span,
                f"`ADD` used for local {'file' if len(sources) == 1 else 'files'}: {', '.join(sources)}",
                fix=self._fix(ctx.dockerfile, target),
            )

    @staticmethod
    def _fix(dockerfile: Dockerfile, target: Instruction) -> Fix | None:
        if any(flag.name in ADD_ONLY_FLAGS for flag in target.flags):
            return None
        copy = keyword_case(dockerfile, target, "COPY")
        return Fix.safe("Replace `ADD` with `COPY`", Edit.replace(target.keyword_span, copy))

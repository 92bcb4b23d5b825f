"""Inline suppressions.  In a Dockerfile a trailing `#` is an argument, so pragmas are whole-line comments.

- `# lintslim: ignore=LS501,prefer-copy-over-add` in the comment block directly above an instruction
  covers that instruction (all its lines); `ignore=all` covers every rule.
- `# lintslim: stage-ignore=LS501` above an instruction covers it and the rest of its stage (above a
  FROM: the whole stage).
- `# lintslim: file-ignore=LS501` anywhere covers the whole file.
- Foreign pragmas work through rule aliases: `# hadolint ignore=DL3020`, `# hadolint stage ignore=…`,
  `# hadolint global ignore=…`, and BuildKit's `# check=skip=JSONArgsRecommended` directive
  (`skip=all` covers every rule that stands for a BuildKit check).
- ShellCheck codes name themselves: `ignore=SC2086` covers that code only, `ignore=LS590` every SC code.
A reason may follow the codes after ` -- ` or `#`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lintslim.engine.registry import Registry
from lintslim.engine.rule import Diagnostic
from lintslim.syntax.nodes import Comment, Dockerfile, Instruction
from lintslim.syntax.source import Span

_LINTSLIM = re.compile(
    r"lintslim\s*:\s*(ignore|stage-ignore|file-ignore)\s*=\s*([^\s#,]+(?:\s*,\s*[^\s#,]+)*)", re.IGNORECASE
)
_HADOLINT = re.compile(r"hadolint\s+(?:(global|stage)\s+)?ignore\s*=\s*([A-Za-z0-9, ]+)", re.IGNORECASE)
ALL = "*"


@dataclass(frozen=True)
class UnknownReference:
    reference: str
    span: Span


@dataclass
class Suppressions:
    file_codes: set[str] = field(default_factory=set)
    # (start, end) offsets of an instruction and the codes ignored there
    ranges: list[tuple[int, int, frozenset[str]]] = field(default_factory=list)
    unknown: list[UnknownReference] = field(default_factory=list)

    def covers(self, diagnostic: Diagnostic) -> bool:
        names = {ALL, diagnostic.code, diagnostic.rule_code}
        if not names.isdisjoint(self.file_codes):
            return True
        start = diagnostic.span.start
        return any(lo <= start <= hi and not names.isdisjoint(codes) for lo, hi, codes in self.ranges)


def _codes(references: str, registry: Registry, comment: Comment, out: Suppressions, *, own: bool) -> set[str]:
    codes: set[str] = set()
    for reference in (part.strip() for part in references.split(",")):
        if not reference:
            continue
        if reference.lower() == "all":
            codes.add(ALL)
            continue
        rule = registry.exact(reference)
        if rule is not None:
            codes.add(rule.code)
        elif registry.is_foreign_code(reference):
            codes.add(reference.upper())
        elif own:
            out.unknown.append(UnknownReference(reference, comment.span))
    return codes


_LINTSLIM_SCOPES = {"ignore": "next", "stage-ignore": "stage", "file-ignore": "file"}
_HADOLINT_SCOPES = {None: "next", "stage": "stage", "global": "file"}


def _pragma(comment: Comment, registry: Registry, out: Suppressions) -> tuple[str, set[str]] | None:
    """("next"|"stage"|"file", codes) for a pragma comment, else None."""
    text = comment.text
    match = _LINTSLIM.match(text)
    if match:
        scope = _LINTSLIM_SCOPES[match.group(1).lower()]
        return scope, _codes(match.group(2), registry, comment, out, own=True)
    match = _HADOLINT.match(text)
    if match:
        scope = _HADOLINT_SCOPES[match.group(1).lower() if match.group(1) else None]
        return scope, _codes(match.group(2), registry, comment, out, own=False)
    return None


def ignore_codes_end(comment: Comment, source: str) -> int | None:
    """Where the code list of a `# lintslim: ignore=…` pragma ends in `source` (where one more code
    can be added, before any reason), or None when the comment is not such a pragma."""
    match = _LINTSLIM.match(comment.text)
    if match is None or match.group(1).lower() != "ignore":
        return None
    return source.index(comment.text, comment.span.start) + match.end(2)  # `text` follows `#` and spaces


def _check_directive(dockerfile: Dockerfile, registry: Registry) -> set[str]:
    directive = dockerfile.directive("check")
    if directive is None:
        return set()
    codes: set[str] = set()
    for part in directive.value.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() != "skip":
            continue
        for name in (part.strip() for part in value.split(",")):
            if name.lower() == "all":
                codes |= {rule.code for rule in registry.rules if rule.buildkit_checks()}
            elif (rule := registry.exact(name)) is not None:
                codes.add(rule.code)
    return codes


def _stage_end(dockerfile: Dockerfile, instruction: Instruction) -> int:
    """Where the stage `instruction` stands in ends (the instruction's own end before the first FROM)."""
    stage = dockerfile.graph.stage_of(instruction)
    return instruction.span.end if stage is None else stage.instructions[-1].span.end


def collect(dockerfile: Dockerfile, registry: Registry) -> Suppressions:
    out = Suppressions()
    out.file_codes |= _check_directive(dockerfile, registry)
    attached: set[int] = set()
    for instruction in dockerfile.instructions:
        scoped: dict[str, set[str]] = {"next": set(), "stage": set()}
        for comment in instruction.comments:
            attached.add(comment.span.start)
            pragma = _pragma(comment, registry, out)
            if pragma is None:
                continue
            scope, found = pragma
            if scope == "file":
                out.file_codes |= found
            else:
                scoped[scope] |= found
        if scoped["next"]:
            out.ranges.append((instruction.span.start, instruction.span.end, frozenset(scoped["next"])))
        if scoped["stage"]:
            end = _stage_end(dockerfile, instruction)
            out.ranges.append((instruction.span.start, end, frozenset(scoped["stage"])))
    for comment in dockerfile.comments:  # file-wide pragmas may stand anywhere
        if comment.span.start in attached:
            continue
        pragma = _pragma(comment, registry, out)
        if pragma is not None and pragma[0] == "file":
            out.file_codes |= pragma[1]
    return out

"""Go's `path/filepath` behaviour on Linux, which BuildKit's context and COPY handling build on.

`clean` is `filepath.Clean`; `match` is `filepath.Match` (`*` and `?` never cross `/`, `[...]`
classes, `\\` escapes), including its validation of the whole pattern after a mismatch.  Written
from the documented algorithm; Go's own tests are the reference for `tests/test_dockerignore.py`.
"""

from __future__ import annotations

SEPARATOR = "/"
WILDCARDS = frozenset("*?[")


class BadPattern(ValueError):
    """Go's `filepath.ErrBadPattern`: the pattern is malformed (the build would fail on it)."""

    def __init__(self, pattern: str) -> None:
        super().__init__(f"syntax error in pattern {pattern!r}")
        self.pattern = pattern


def clean(path: str) -> str:
    """`filepath.Clean`: one slash between elements, no `.` elements, `..` resolved lexically."""
    if not path:
        return "."
    rooted = path.startswith(SEPARATOR)
    parts: list[str] = []
    for element in path.split(SEPARATOR):
        if element in ("", "."):
            continue
        if element == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")  # a relative path may climb above its start; a rooted one cannot
            continue
        parts.append(element)
    joined = SEPARATOR.join(parts)
    if rooted:
        return SEPARATOR + joined
    return joined or "."


def has_wildcards(path: str) -> bool:
    """True when `path` has an unescaped `*`, `?` or `[` (fsutil's `containsWildcards`)."""
    index = 0
    while index < len(path):
        char = path[index]
        if char == "\\":
            index += 2
            continue
        if char in WILDCARDS:
            return True
        index += 1
    return False


def split_wildcards(path: str) -> tuple[str, str]:
    """fsutil's `splitWildcards` for a clean path: the literal leading components, and the rest from
    the first component with a wildcard on ("" when there is none).  `/app/*/bin` is (`/app`, `*/bin`);
    an empty literal part is `/` for an absolute path and `.` for a relative one."""
    parts = path.split(SEPARATOR)
    for index, part in enumerate(parts):
        if has_wildcards(part):
            literal = SEPARATOR.join(parts[:index]) or (SEPARATOR if path.startswith(SEPARATOR) else ".")
            return literal, SEPARATOR.join(parts[index:])
    return path, ""


def match(pattern: str, name: str) -> bool:
    """`filepath.Match(pattern, name)`; raises BadPattern for a malformed pattern."""
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return SEPARATOR not in name  # a trailing `*` takes the rest unless it holds a `/`
        rest = _match_chunk(chunk, name)
        if rest is not None and (not rest or pattern):
            name = rest
            continue
        skipped = _skip_to_match(chunk, name, last=not pattern) if star else None
        if skipped is not None:
            name = skipped
            continue
        _validate(pattern)
        return False
    return not name


def _skip_to_match(chunk: str, name: str, *, last: bool) -> str | None:
    """After a star: skip 1, 2, ... characters (never a `/`) until `chunk` matches; the rest of `name`."""
    for skip in range(len(name)):
        if name[skip] == SEPARATOR:
            break
        rest = _match_chunk(chunk, name[skip + 1 :])
        if rest is not None and not (last and rest):  # the last chunk must use up the name
            return rest
    return None


def validate(pattern: str) -> None:
    """Raise BadPattern when Go would reject `pattern` (BuildKit checks each pattern this way)."""
    match(pattern, ".")


def _validate(pattern: str) -> None:
    """After a mismatch Go still checks that the remaining chunks are well formed."""
    while pattern:
        _, chunk, pattern = _scan_chunk(pattern)
        _match_chunk(chunk, "")


def _scan_chunk(pattern: str) -> tuple[bool, str, str]:
    """Split off leading stars and the run of single-character terms up to the next unbracketed `*`."""
    stripped = pattern.lstrip("*")
    star = len(stripped) != len(pattern)
    in_class = False
    index = 0
    while index < len(stripped):
        char = stripped[index]
        if char == "\\":
            if index + 1 < len(stripped):
                index += 1
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "*" and not in_class:
            break
        index += 1
    return star, stripped[:index], stripped[index:]


def _match_chunk(chunk: str, name: str) -> str | None:
    """What is left of `name` after `chunk` matched its beginning, or None.

    After the first mismatch the rest of the chunk is still parsed so that a malformed pattern
    raises BadPattern whatever the name (Go's `failed` flag).
    """
    original = chunk
    failed = False
    while chunk:
        if not failed and not name:
            failed = True
        head = chunk[0]
        if head == "[":
            char = "" if failed else name[0]
            if not failed:
                name = name[1:]
            chunk = chunk[1:]
            negated = chunk.startswith("^")
            if negated:
                chunk = chunk[1:]
            matched = False
            ranges = 0
            while True:
                if chunk.startswith("]") and ranges > 0:
                    chunk = chunk[1:]
                    break
                low, chunk = _class_char(chunk, original)
                high = low
                if chunk.startswith("-"):
                    high, chunk = _class_char(chunk[1:], original)
                if not failed and low <= char <= high:
                    matched = True
                ranges += 1
            if matched == negated:
                failed = True
        elif head == "?":
            if not failed:
                if name[0] == SEPARATOR:
                    failed = True
                name = name[1:]
            chunk = chunk[1:]
        else:
            if head == "\\":
                chunk = chunk[1:]
                if not chunk:
                    raise BadPattern(original)
            if not failed:
                if chunk[0] != name[0]:
                    failed = True
                name = name[1:]
            chunk = chunk[1:]
    return None if failed else name


def _class_char(chunk: str, pattern: str) -> tuple[str, str]:
    """One possibly escaped character of a `[...]` class, and the rest (which must not be empty)."""
    if not chunk or chunk[0] in "-]":
        raise BadPattern(pattern)
    if chunk[0] == "\\":
        chunk = chunk[1:]
        if not chunk:
            raise BadPattern(pattern)
    char, rest = chunk[0], chunk[1:]
    if not rest:
        raise BadPattern(pattern)
    return char, rest

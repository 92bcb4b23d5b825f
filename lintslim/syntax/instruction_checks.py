"""What BuildKit's instructions package rejects in an instruction its line parser accepted.

`docker build` parses the file (moby/buildkit `frontend/dockerfile/parser`), then turns each node into a
typed command (`frontend/dockerfile/instructions/parse.go`, `ParseInstruction`).  The second step checks
how many arguments each instruction has, stage names, HEALTHCHECK types, the JSON form of SHELL, blank
names and the ONBUILD triggers; a file that fails one never builds.  The messages are BuildKit's, so a
user can search for them.  Flags (`Unknown flag: …`) and the checks made while dispatching (a signal name,
a port range) are not covered here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lintslim.syntax.nodes import KNOWN_INSTRUCTIONS, Instruction

# parseBuildStageName's validStageName, matched against the lower-cased name.
_STAGE_NAME = re.compile(r"[a-z][a-z0-9_.-]*")
# errNotJSON's hint: a quoted Windows drive path (`"c:\…`), which is not valid JSON unless escaped.
_DRIVE_PATH = re.compile(r'"[a-z]:\\')
_SPACE = "\t\n\v\f\r \x85\xa0"  # Go's strings.TrimSpace, for VOLUME paths (the ASCII and Latin-1 part)


def instruction_error(instruction: Instruction) -> str | None:
    """BuildKit's error for an instruction its instructions package rejects, None when it accepts it."""
    keyword = instruction.keyword
    if keyword not in KNOWN_INSTRUCTIONS:
        return f"unknown instruction: {keyword}" if keyword else "empty instruction"
    check = _CHECKS.get(keyword)
    return check(instruction) if check is not None else None


def _go_quote(text: str) -> str:
    """Go's `%q` for the plain words these messages quote."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _at_least_one(instruction: Instruction) -> str | None:
    return f"{instruction.keyword} requires at least one argument" if not instruction.args else None


def _exactly_one(instruction: Instruction) -> str | None:
    return f"{instruction.keyword} requires exactly one argument" if len(instruction.args) != 1 else None


def _from(instruction: Instruction) -> str | None:
    words = instruction.values
    if len(words) == 3 and words[1].lower() == "as":
        if _STAGE_NAME.fullmatch(words[2].lower()) is None:
            name = _go_quote(words[2])
            return f"invalid name for build stage: {name}, name can't start with a number or contain symbols"
        return None
    return "FROM requires either one or three arguments" if len(words) != 1 else None


def _copy(instruction: Instruction) -> str | None:
    if len(instruction.args) >= 2:
        return None
    keyword = instruction.keyword
    return f"{keyword} requires at least two arguments, but only one was provided. Destination could not be determined"


def _onbuild(instruction: Instruction) -> str | None:
    trigger = instruction.inner
    if trigger is None:
        return "ONBUILD requires at least one argument"
    if trigger.keyword == "ONBUILD":
        return "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"
    if trigger.keyword in ("FROM", "MAINTAINER"):
        return f"{trigger.keyword} isn't allowed as an ONBUILD trigger"
    # BuildKit parses the trigger only in the build that runs it, where it fails the same way.
    return trigger.error


def _healthcheck(instruction: Instruction) -> str | None:
    if not instruction.args:
        return "HEALTHCHECK requires at least one argument"
    kind = instruction.args[0].value.upper()
    if kind == "NONE":
        return "HEALTHCHECK NONE takes no arguments" if len(instruction.args) > 1 else None
    if kind == "CMD":
        return "Missing command after HEALTHCHECK CMD" if len(instruction.args) == 1 else None
    return f"Unknown type {_go_quote(kind)} in HEALTHCHECK (try CMD)"


def _volume(instruction: Instruction) -> str | None:
    if not instruction.args:
        return "VOLUME requires at least one argument"
    if any(not token.value.strip(_SPACE) for token in instruction.args):
        return "VOLUME specified can not be an empty string"
    return None


def _blank_names(instruction: Instruction) -> str | None:
    """ARG, ENV and LABEL: `=value` with no name (ENV and LABEL without arguments fail in the parser step)."""
    if instruction.keyword == "ARG" and not instruction.args:
        return "ARG requires at least one argument"
    if any(not pair.key.value for pair in instruction.key_values):
        return f"{instruction.keyword} names can not be blank"
    return None


def _shell(instruction: Instruction) -> str | None:
    if not instruction.args:
        return "SHELL requires at least one argument"
    if instruction.is_json:
        return None
    return "SHELL requires the arguments to be in JSON form" + _windows_path_hint(instruction)


def _windows_path_hint(instruction: Instruction) -> str:
    """errNotJSON's hint for a JSON array whose Windows paths have single backslashes (invalid JSON)."""
    written = (instruction.rest.value if instruction.rest is not None else "").lower()
    if _DRIVE_PATH.search(written) is None or "\\\\" in written or "[" not in written or "]" not in written:
        return ""
    return (
        f". It looks like '{written}' includes a file path without an escaped back-slash. "
        'JSON requires back-slashes to be escaped such as ["c:\\\\path\\\\to\\\\file.exe", "/parameter"]'
    )


_CHECKS: dict[str, Callable[[Instruction], str | None]] = {
    "FROM": _from,
    "MAINTAINER": _exactly_one,
    "WORKDIR": _exactly_one,
    "USER": _exactly_one,
    "STOPSIGNAL": _exactly_one,
    "ADD": _copy,
    "COPY": _copy,
    "ONBUILD": _onbuild,
    "HEALTHCHECK": _healthcheck,
    "EXPOSE": _at_least_one,
    "VOLUME": _volume,
    "ARG": _blank_names,
    "ENV": _blank_names,
    "LABEL": _blank_names,
    "SHELL": _shell,
}

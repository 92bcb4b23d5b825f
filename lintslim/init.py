"""`lintslim init`: add the lintslim pre-commit hook to a repository, and a `[tool.lintslim]` table if asked.

The hook goes into `.pre-commit-config.yaml` without reformatting the file.  ruamel.yaml's round-trip
parser tells where the last entry of `repos` ends and how the entries are indented, and the new
entry's lines are inserted right there, so every existing byte (comments, quoting, indentation, order)
stays.  A file whose `repos` is not a non-empty block list (absent, `[]`, flow style) is re-emitted by
ruamel.yaml's round-trip dumper instead, which keeps comments and order.  Either way the new text is
parsed again and must equal the old configuration plus the new entry before anything is written.

An existing entry for the lintslim repository is never changed (not its hooks, not its `rev`: that is
`pre-commit autoupdate`'s job): `init` says what is there and exits 0, so running it twice is harmless.
The `[tool.lintslim]` table is appended to pyproject.toml after its last byte; when lintslim is already
configured there or in a `.lintslim.yaml`, `init` leaves it and says so (exit 0).  Errors: one line on
stderr and exit code 2, with nothing written.
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lintslim import __version__
from lintslim.config import CONFIG_FILES, parse_toml
from lintslim.files import InputError, create_if_absent, write_atomic

if TYPE_CHECKING:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

EXIT_OK, EXIT_ERROR = 0, 2
HOOK_REPOSITORY = "https://github.com/lintslim/lintslim"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
PYPROJECT = "pyproject.toml"
LINTSLIM_CONFIGS = tuple(name for name in CONFIG_FILES if name != "pyproject.toml")  # these win over pyproject.toml
MANUAL = "https://github.com/lintslim/lintslim/blob/main/docs/pre-commit.md"

STARTER_TABLE = """\
[tool.lintslim]
# Written by `lintslim init`.  Every key is explained in
# https://github.com/lintslim/lintslim/blob/main/docs/configuration.md
#
# Rules to run: codes ("LS503"), names ("prefer-copy-over-add"), families ("hygiene", "secrets",
# "build", "runtime", "lambda", "meta"), prefixes ("LS5"), or "ALL" (every rule that is on by default).
select = ["ALL"]
# Rules to leave out, named the same ways or by their hadolint code ("DL3020").
ignore = []
# The lowest severity that fails a check (exit code 1): "style", "info", "warning" or "error".
fail-on = "style"
# Files to skip: globs relative to this directory.  The pre-commit hook skips them too.
exclude = []
# Rules to leave out in some files only, e.g. { "legacy/*.Dockerfile" = ["LS502"] }.
per-file-ignores = {}
# true: `lintslim check --fix` applies the unsafe fixes too (read the diff before committing).
unsafe-fixes = false
"""


class InitError(Exception):
    """Why `init` cannot go on; one line, fit for the terminal."""


@dataclass(frozen=True)
class Change:
    path: Path
    text: str | None  # the new content; None: leave the file as it is
    mtime_ns: int | None  # when the file was read; None: it did not exist
    message: str


def run_init(directory: Path, *, fix: bool, rev: str | None, pyproject: bool) -> int:
    hook_id = "lintslim-fix" if fix else "lintslim"
    try:
        if not directory.is_dir():
            raise InitError(f"{directory}: not a directory")
        pinned = _checked_rev(rev if rev is not None else f"v{__version__}")
        changes = [plan_hook(directory, hook_id, pinned)]
        if pyproject:
            changes.append(plan_pyproject(directory))
        for change in changes:  # every file is planned (and checked) before the first is written
            _write(change)
            sys.stdout.write(change.message + "\n")
    except InitError as error:
        sys.stderr.write(f"lintslim: error: {error}\n")
        return EXIT_ERROR
    if changes[0].text is not None:
        sys.stdout.write(
            "Run `pre-commit install` to check each commit, or `pre-commit run lintslim --all-files` now.\n"
            if hook_id == "lintslim"
            else "Run `pre-commit install` to fix each commit, or `pre-commit run lintslim-fix --all-files` now.\n"
        )
    return EXIT_OK


def _read(path: Path) -> tuple[str, int] | None:
    """The file's text and modification time; None when there is no such file (read as config files are)."""
    from lintslim.config import ConfigError, read_config_for_edit

    try:
        return read_config_for_edit(path)
    except ConfigError as error:
        raise InitError(str(error)) from None


def _write(change: Change) -> None:
    if change.text is None:
        return
    path = change.path
    try:
        if change.mtime_ns is not None:
            write_atomic(str(path), change.text, change.mtime_ns)
        elif not create_if_absent(path, change.text):
            raise InitError(f"{path}: created by something else while lintslim ran; left as it is")
    except InputError as error:
        raise InitError(str(error)) from None
    except OSError as error:
        raise InitError(f"{path}: cannot write: {error.strerror or error}") from None


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _appended(text: str, addition: str) -> str:
    """`addition` after the last byte of `text`, on a line of its own, in the file's line endings."""
    newline = _newline(text)
    if newline != "\n":
        addition = addition.replace("\n", newline)
    if not text or text.endswith(newline * 2):
        return text + addition
    return text + (newline if text.endswith(newline) else newline * 2) + addition


# --- the pre-commit hook ------------------------------------------------------------------------------


def _checked_rev(rev: str) -> str:
    if not rev.strip() or any(ord(character) < 32 for character in rev):
        raise InitError(f"--rev: {rev!r} is not a revision (a tag such as v{__version__}, or a commit)")
    return rev


def _yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as this string (`1.0` or `yes` would not, plain)."""
    from ruamel.yaml import YAML

    plain_safe = re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.+/@-]*", value) is not None
    if plain_safe and YAML(typ="safe", pure=True).load(f"key: {value}\n") == {"key": value}:
        return value
    return json.dumps(value)  # a JSON string is a YAML double-quoted scalar


def _entry_lines(dash: int, content: int, hook_dash: int, hook_content: int, hook_id: str, rev: str) -> list[str]:
    """A `repos` entry for lintslim: its `-` at column `dash`, its keys at `content`; the `hooks` list's
    dash and content columns relative to the `hooks:` key."""
    hooks = content + hook_dash
    return [
        " " * dash + "-" + " " * (content - dash - 1) + f"repo: {HOOK_REPOSITORY}",
        " " * content + f"rev: {_yaml_scalar(rev)}",
        " " * content + "hooks:",
        " " * hooks + "-" + " " * (hook_content - hook_dash - 1) + f"id: {hook_id}",
    ]


def _repos_block(hook_id: str, rev: str) -> str:
    return "repos:\n" + "".join(line + "\n" for line in _entry_lines(2, 4, 2, 4, hook_id, rev))


def _fresh_config(hook_id: str, rev: str) -> str:
    return "# pre-commit's configuration: https://pre-commit.com\n" + _repos_block(hook_id, rev)


def _is_lintslim_repository(url: object) -> bool:
    if not isinstance(url, str):
        return False
    normalized = url.strip().lower().rstrip("/").removesuffix(".git")
    return normalized.endswith(("github.com/lintslim/lintslim", "github.com:lintslim/lintslim"))


def _hook_ids(entry: dict[str, Any]) -> list[str]:
    hooks = entry.get("hooks")
    if not isinstance(hooks, list):
        return []
    return [str(hook["id"]) for hook in hooks if isinstance(hook, dict) and "id" in hook]


def _load_round_trip(text: str, path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML().load(text)
    except YAMLError as error:
        raise InitError(f"{path}: invalid YAML: {_yaml_problem(error)}") from None


def _yaml_problem(error: Exception) -> str:
    """What the parser found wrong, and where; the first line of its message is often only the
    context ("while scanning for the next token")."""
    problem = getattr(error, "problem", None)
    if not problem:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    mark = getattr(error, "problem_mark", None)
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else str(problem)


def plan_hook(directory: Path, hook_id: str, rev: str) -> Change:
    """The change that adds the hook to `directory`'s pre-commit config (None as text: nothing to do)."""
    from ruamel.yaml.comments import CommentedMap

    path = directory / PRE_COMMIT_CONFIG
    added = f"Added the {hook_id} hook (rev {rev}) to {path}"
    existing = _read(path)
    if existing is None:
        return Change(path, _fresh_config(hook_id, rev), None, f"Created {path} with the {hook_id} hook (rev {rev})")
    text, mtime_ns = existing
    data = _load_round_trip(text, path)
    if data is None:  # empty, or nothing but comments
        return Change(path, _appended(text, _fresh_config(hook_id, rev)), mtime_ns, added)
    if not isinstance(data, CommentedMap):
        raise InitError(f"{path}: the top level must be a mapping (with a `repos` list)")
    repos = data.get("repos")
    if "repos" in data and not isinstance(repos, list):
        raise InitError(f"{path}: `repos` must be a list")
    for entry in repos or ():
        if isinstance(entry, dict) and _is_lintslim_repository(entry.get("repo")):
            return Change(path, None, mtime_ns, _already_there(path, entry, hook_id))
    new_text = _inserted(text, data, hook_id, rev)
    if new_text is None:
        new_text = _redumped(text, hook_id, rev)
    _verify_hook_added(text, new_text, hook_id, rev, path)
    return Change(path, new_text, mtime_ns, added)


def _already_there(path: Path, entry: dict[str, Any], hook_id: str) -> str:
    ids = _hook_ids(entry)
    hooks = ", ".join(ids) or "none"
    message = f"{path} already has lintslim (hooks: {hooks}; rev {entry.get('rev')}); left unchanged"
    if hook_id not in ids:
        message += f" (to use {hook_id}, change the hook id there)"
    return message


def _lines(text: str) -> list[str]:
    """Lines with their endings, split where YAML breaks lines (the positions ruamel.yaml reports count these)."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _dash_column(line: str, content_column: int) -> int | None:
    """Where the `-` of a block list item is, given where the item's content starts on that line."""
    before = line[:content_column].rstrip(" ")
    if before.endswith("-") and not before[:-1].strip(" "):
        return len(before) - 1
    return None


def _end_of_item(lines: Sequence[str], first: int, content_column: int) -> int:
    """The index of the line after the last one of a list item whose content starts at `content_column`.

    Lines indented less than the content end the item; comment lines indented less stay with what follows.
    """
    end = first + 1
    for index in range(first + 1, len(lines)):
        stripped = lines[index].strip()
        if not stripped:
            continue
        deep_enough = _indent(lines[index]) >= content_column
        if stripped.startswith("#"):
            end = index + 1 if deep_enough else end
            continue
        if not deep_enough:
            break
        end = index + 1
    return end


def _hook_list_indent(repos: CommentedSeq, lines: Sequence[str]) -> tuple[int, int] | None:
    """How an existing entry indents its `hooks` list: dash and content columns, relative to `hooks:`."""
    for entry in reversed(repos):
        hooks = entry.get("hooks") if isinstance(entry, dict) else None
        if not hooks or not isinstance(hooks, list) or hooks.fa.flow_style():  # type: ignore[attr-defined]
            continue
        key_column = entry.lc.key("hooks")[1]
        line, content_column = hooks.lc.item(0)  # type: ignore[attr-defined]
        dash_column = _dash_column(lines[line], content_column)
        if dash_column is not None and dash_column >= key_column:
            return dash_column - key_column, content_column - key_column
    return None


def _inserted(text: str, data: CommentedMap, hook_id: str, rev: str) -> str | None:
    """The text with the new entry added after the last line of `repos` (or a `repos` list added at the end);
    None when the file is not laid out in blocks that way."""
    if data.fa.flow_style():
        return None
    if "repos" not in data:
        return _appended(text, _repos_block(hook_id, rev))
    repos = data["repos"]
    if not repos or repos.fa.flow_style():
        return None
    lines = _lines(text)
    first_line, content_column = repos.lc.item(len(repos) - 1)
    dash_column = _dash_column(lines[first_line], content_column)
    if dash_column is None:
        return None
    repos_column = data.lc.key("repos")[1]
    own_style = (dash_column - repos_column, content_column - repos_column)  # as `repos` indents its list
    hook_dash, hook_content = _hook_list_indent(repos, lines) or own_style
    entry = _entry_lines(dash_column, content_column, hook_dash, max(hook_content, hook_dash + 2), hook_id, rev)
    at = _end_of_item(lines, first_line, content_column)
    newline = _newline(text)
    before = lines[:at]
    if before and not before[-1].endswith(("\n", "\r")):
        before[-1] += newline
    return "".join([*before, *(line + newline for line in entry), *lines[at:]])


def _redumped(text: str, hook_id: str, rev: str) -> str:
    """The whole file re-emitted by ruamel.yaml's round-trip dumper, with the entry appended to `repos`."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line the file has
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # keep `[{id: a}]` as written, not `[id: a]`
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(text)
    repos = data.get("repos")
    if repos is None:
        repos = data["repos"] = CommentedSeq()
    if not repos:
        repos.fa.set_block_style()
    hooks = CommentedSeq([CommentedMap([("id", hook_id)])])
    repos.append(CommentedMap([("repo", HOOK_REPOSITORY), ("rev", rev), ("hooks", hooks)]))
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue().replace("\n", _newline(text))


def _verify_hook_added(old: str, new: str, hook_id: str, rev: str, path: Path) -> None:
    """The new text must hold exactly the old configuration plus the new entry; else write nothing."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="safe", pure=True)
    before = yaml.load(old) or {}
    expected = dict(before)
    expected["repos"] = [
        *(before.get("repos") or []),
        {"repo": HOOK_REPOSITORY, "rev": rev, "hooks": [{"id": hook_id}]},
    ]
    try:
        after = yaml.load(new)
    except YAMLError:
        after = None
    if after != expected:
        raise InitError(
            f"{path}: cannot add the hook without changing the rest of this file; add it by hand ({MANUAL})"
        )


# --- [tool.lintslim] in pyproject.toml ----------------------------------------------------------------


def _toml_error(text: str) -> str | None:
    """Why `text` is not valid TOML (the parser's message), or None."""
    try:
        parse_toml(text)
    except ValueError as error:  # tomllib.TOMLDecodeError is a ValueError
        return str(error)
    return None


def _has_lintslim_table(text: str) -> bool:
    tool = parse_toml(text).get("tool")
    return isinstance(tool, dict) and "lintslim" in tool


def plan_pyproject(directory: Path) -> Change:
    """The change that puts a starter `[tool.lintslim]` table in `directory`'s pyproject.toml."""
    path = directory / PYPROJECT
    for name in LINTSLIM_CONFIGS:
        if (directory / name).exists():  # it would win over pyproject.toml: a table there would do nothing
            message = f"{directory / name} already configures lintslim; {path} left unchanged"
            return Change(path, None, None, message)
    existing = _read(path)
    if existing is None:
        return Change(path, STARTER_TABLE, None, f"Created {path} with a [tool.lintslim] table")
    text, mtime_ns = existing
    error = _toml_error(text)
    if error is not None:
        raise InitError(f"{path}: invalid TOML: {error}")
    if _has_lintslim_table(text):
        return Change(path, None, mtime_ns, f"{path} already has [tool.lintslim]; left unchanged")
    new_text = _appended(text, STARTER_TABLE)
    if _toml_error(new_text) is not None or not _has_lintslim_table(new_text):  # `tool = {…}` cannot be extended
        raise InitError(f"{path}: cannot append a [tool.lintslim] table to this file; add it by hand")
    return Change(path, new_text, mtime_ns, f"Added a [tool.lintslim] table to {path}")

"""Reading Dockerfiles and build-context files safely, finding Dockerfiles, writing fixes and new files atomically."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_DOCKERFILE_BYTES = 4 * 1024 * 1024  # the largest real Dockerfile in the corpus is under 100 KB
MAX_CONTEXT_FILE_BYTES = 2 * 1024 * 1024
SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".svn", "node_modules", "vendor", "__pycache__", ".venv", ".tox"})


class InputError(Exception):
    """A file that cannot be linted; the message is one line, fit for the terminal."""


@dataclass(frozen=True)
class SourceFile:
    path: str  # as given (or the --stdin-filename)
    text: str
    raw: bytes
    mtime_ns: int | None = None  # to notice a file that changed on disk before a fix is written


# Not Dockerfiles though named like them: ignore files, docs, leftovers of patches and editors, and
# templates a generator turns into Dockerfiles (docker-library's `Dockerfile.template`, Jinja, ERB):
# BuildKit would reject most of them.  A file named on the command line is checked whatever its name.
NOT_DOCKERFILE_SUFFIXES = (
    ".dockerignore", ".md", ".orig", ".rej", ".swp", ".bak",
    ".template", ".tmpl", ".tpl", ".j2", ".jinja", ".jinja2", ".erb",
)  # fmt: skip
# `Dockerfile-*` / `Dockerfile_*` are also the names of code about Dockerfiles (`Dockerfile_test.go`)
_CODE_SUFFIXES = (".py", ".go", ".js", ".ts", ".rs", ".java", ".rb", ".sh", ".json", ".yaml", ".yml", ".toml", ".txt")


def is_dockerfile_name(name: str) -> bool:
    """Dockerfile, Containerfile, *.Dockerfile, *.dockerfile, Dockerfile.*, Containerfile.*, and
    Dockerfile-* / Dockerfile_* (also Containerfile-*; capitalised only).

    The dashed variants are common in real repositories (docker-library's `Dockerfile-alpine.template`,
    AWS's `Dockerfile-python312`).
    """
    lowered = name.lower()
    if lowered in ("dockerfile", "containerfile"):
        return True
    if lowered.endswith(".dockerfile") and len(lowered) > len(".dockerfile"):
        return True
    if name.startswith(("Dockerfile.", "Containerfile.", "dockerfile.", "containerfile.")):
        return not lowered.endswith(NOT_DOCKERFILE_SUFFIXES)
    if name.startswith(("Dockerfile-", "Dockerfile_", "Containerfile-", "Containerfile_")):
        return not lowered.endswith(NOT_DOCKERFILE_SUFFIXES + _CODE_SUFFIXES)
    return False


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _too_large(path: str, size: int) -> str:
    mib = 1024 * 1024
    return f"{path}: file too large ({size / mib:.1f} MiB; the limit is {MAX_DOCKERFILE_BYTES // mib} MiB)"


def decode(raw: bytes, path: str) -> str:
    if len(raw) > MAX_DOCKERFILE_BYTES:
        raise InputError(_too_large(path, len(raw)))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path}: UTF-16 encoded; lintslim reads UTF-8 Dockerfiles (as BuildKit does)")
    if b"\x00" in raw:
        raise InputError(f"{path}: binary file (contains NUL bytes), not a Dockerfile")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise InputError(f"{path}: not valid UTF-8 (byte 0x{raw[error.start]:02x} on line {line})") from None
    if not text.strip().strip("\ufeff"):
        raise InputError(f"{path}: empty file")
    return text


class NotRegularFileError(OSError):
    """A path that is a FIFO, a socket, a device or a directory where a file was expected."""


def read_regular(path: Path | str, limit: int) -> bytes:
    """The first `limit` bytes of a regular file (more means the caller's size check fails).

    The file is opened without blocking and checked on the open descriptor, so a FIFO or a device
    planted where a file is expected (a `.dockerignore`, a template) raises NotRegularFileError
    instead of hanging the run, even when it replaced a regular file after a `stat`.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with open(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise NotRegularFileError(f"{path}: not a regular file")
        return handle.read(limit + 1)


def read_source(path: str) -> SourceFile:
    file = Path(path)
    try:
        info = file.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file or directory") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {_reason(error)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: not a regular file")
    if info.st_size > MAX_DOCKERFILE_BYTES:
        raise InputError(_too_large(path, info.st_size))
    try:
        raw = read_regular(file, MAX_DOCKERFILE_BYTES)
    except NotRegularFileError:
        raise InputError(f"{path}: not a regular file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {_reason(error)}") from None
    return SourceFile(path, decode(raw, path), raw, info.st_mtime_ns)


TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")  # SAM's defaults (context/sam.py reads them)


def discover(root: Path) -> Iterator[Path]:
    """Dockerfiles below a directory, in a stable order, skipping VCS, vendored and dependency trees.

    Besides files named like Dockerfiles, a SAM/CloudFormation template's image functions name theirs
    (`Metadata.Dockerfile`, any name); those inside `root` are found too, right after the template's
    directory.  Each file is yielded once.
    """
    seen: set[str] = set()
    for directory, subdirectories, files in os.walk(root, followlinks=False):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRECTORIES)
        found = [Path(directory) / name for name in sorted(files) if is_dockerfile_name(name)]
        if any(name in TEMPLATE_NAMES for name in files):
            found += template_dockerfiles(Path(directory), root)
        for candidate in found:
            key = os.path.realpath(candidate)
            if key not in seen and candidate.is_file():
                seen.add(key)
                yield candidate


def template_dockerfiles(directory: Path, root: Path) -> list[Path]:
    """The Dockerfiles the templates in `directory` build image functions from, when they are inside `root`."""
    from lintslim.context.sam import read_template

    inside = os.path.realpath(root)
    found: list[Path] = []
    for name in TEMPLATE_NAMES:
        template = read_template(directory / name)
        for dockerfile in template.dockerfiles() if template is not None else ():
            real = os.path.realpath(dockerfile)
            if os.path.commonpath([real, inside]) == inside and not os.path.islink(dockerfile):
                found.append(Path(os.path.normpath(dockerfile)))
    return found


def write_atomic(path: str, text: str, expected_mtime_ns: int | None = None, *, original: bytes | None = None) -> None:
    """Write `text` next to `path` and rename it over the original, keeping its permission bits.

    Raises InputError, leaving the original untouched, when the file changed on disk since it was
    read or anything fails before the rename.  "Changed" is judged on its modification time
    (`expected_mtime_ns`) and, when given, on its bytes (`original`, what was read): a rewrite within
    the same mtime tick is caught only by the bytes.  Both are checked once the new text is on disk
    beside the file, just before the rename, to keep the window for a change that goes unseen short.

    Killed at any point, this leaves the original whole or the new file whole (the rename is atomic),
    and at worst a temporary `.<name>.<random>.lintslim` beside it: hidden, never named like a
    Dockerfile (so `discover` skips it), and left alone by later runs, which cannot tell whether
    another lintslim is still writing it.
    """
    target = Path(os.path.realpath(path))  # through a symlink: fix the file it points to, keep the link
    try:
        info = target.stat()
    except OSError as error:
        raise InputError(f"{path}: cannot write fix: {_reason(error)}") from None
    _refuse_if_changed(path, target, info, expected_mtime_ns, original)
    try:
        handle, temporary = _temporary_beside(target)
    except OSError as error:  # a read-only directory, a full disk: nothing was written
        raise InputError(f"{path}: cannot write fix: {_reason(error)}") from None
    try:
        _fill(handle, temporary, text.encode("utf-8"), stat.S_IMODE(info.st_mode))
        _refuse_if_changed(path, target, None, expected_mtime_ns, original)
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise InputError(f"{path}: cannot write fix: {_reason(error)}") from None
        raise


def _refuse_if_changed(
    path: str, target: Path, info: os.stat_result | None, expected_mtime_ns: int | None, original: bytes | None
) -> None:
    """InputError when the file on disk is no longer the one that was read (by mtime, then by bytes)."""
    changed = InputError(f"{path}: changed on disk while lintslim ran; fix not written")
    try:
        info = info or target.stat()
        if expected_mtime_ns is not None and info.st_mtime_ns != expected_mtime_ns:
            raise changed
        if original is not None and (info.st_size != len(original) or read_regular(target, len(original)) != original):
            raise changed
    except OSError as error:  # deleted or made unreadable meanwhile
        raise InputError(f"{path}: cannot write fix: {_reason(error)}") from None


def create_if_absent(path: Path, content: str) -> bool:
    """Write a new file at `path` (a file a fix adds); False, and nothing written, when something is there.

    The text goes to a temporary file in the same directory, which is then hard-linked into place:
    linking refuses to replace an existing name, so a file created meanwhile is never overwritten,
    and readers see either no file or the whole of it.  Where hard links are not supported, an
    exclusive create is the fallback.  The new file gets the permissions the umask allows.
    """
    data = content.encode("utf-8")
    handle, temporary = _temporary_beside(path)
    try:
        _fill(handle, temporary, data, 0o666 & ~_umask())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError:
            return _create_exclusive(path, data)
        return True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _temporary_beside(path: Path) -> tuple[int, str]:
    """A new hidden temporary file in `path`'s directory (so that a rename or link into place is atomic)."""
    import tempfile  # only writing fixes needs it

    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".lintslim", dir=path.parent)


def _fill(handle: int, temporary: str, data: bytes, mode: int) -> None:
    """Write `data` to the temporary file, flush it to disk and give it the permission bits `mode`."""
    with os.fdopen(handle, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(temporary, mode)


def _create_exclusive(path: Path, data: bytes) -> bool:
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return False
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    return True


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def read_context_file(context: Path, relative: str) -> str | None:
    """A build-context file as text; None if missing, outside the context (also via symlinks), too big or binary."""
    try:
        root = context.resolve(strict=True)
        candidate = (root / relative.lstrip("/")).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if candidate != root and root not in candidate.parents:
        return None
    try:
        raw = read_regular(candidate, MAX_CONTEXT_FILE_BYTES)
    except OSError:
        return None
    if len(raw) > MAX_CONTEXT_FILE_BYTES or b"\x00" in raw:
        return None
    return raw.decode("utf-8", errors="replace")

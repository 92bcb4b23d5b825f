"""Creating the files that fixes add to the build context: atomically, and never over an existing file."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def create_if_absent(path: Path, content: str) -> bool:
    """Write a new file at `path`; False (and nothing written) when something is already there.

    The text goes to a temporary file in the same directory, which is then hard-linked into place:
    linking refuses to replace an existing name, so a file created meanwhile is never overwritten,
    and readers see either no file or the whole of it.  Where hard links are not supported, an
    exclusive create is the fallback.  The new file gets the permissions the umask allows.
    """
    import tempfile  # only writing fixes needs it

    data = content.encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".lintslim", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
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

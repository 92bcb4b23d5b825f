"""`lintslim server`: the language server over standard input and output."""

from __future__ import annotations

import importlib.util
import sys

MISSING_PYGLS = "lintslim: error: the language server needs pygls: pip install 'lintslim[lsp]'\n"


def serve() -> int:
    """Run the server until the client says `exit`; 2 when pygls is not installed."""
    try:
        missing = importlib.util.find_spec("pygls") is None or importlib.util.find_spec("lsprotocol") is None
    except ValueError:  # a module entry set to None (how tests hide a package) counts as missing
        missing = True
    if missing:
        sys.stderr.write(MISSING_PYGLS)
        return 2
    from lintslim.lsp.features import build_server

    build_server().start_io()
    return 0

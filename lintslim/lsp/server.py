"""`lintslim server`: the language server over standard input and output."""

from __future__ import annotations

import importlib.util
import sys

MISSING_PYGLS = "lintslim: error: the language server needs pygls: pip install 'lintslim[lsp]'\n"


def serve() -> int:
    """Run the server until the client says `exit` or closes its end; 2 when pygls is not installed.

    The exit status is 0, or 1 when the client said `exit` without `shutdown` first (as LSP asks).
    """
    try:
        missing = importlib.util.find_spec("pygls") is None or importlib.util.find_spec("lsprotocol") is None
    except ValueError:  # a module entry set to None (how tests hide a package) counts as missing
        missing = True
    if missing:
        sys.stderr.write(MISSING_PYGLS)
        return 2
    from lintslim.lsp.features import build_server
    from lintslim.lsp.wire import one_line_logging

    one_line_logging(sys.stderr)  # pygls logs with tracebacks, and sometimes a whole message, otherwise
    server = build_server()
    server.start_io()
    return server.exit_code

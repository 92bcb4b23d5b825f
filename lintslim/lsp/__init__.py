"""The language server (`lintslim server`): diagnostics, quick fixes, fix all and hover for editors.

`server.serve` is the entry point; it needs pygls (`pip install 'lintslim[lsp]'`).  `positions`,
`analysis`, `convert` and `actions` are plain functions over lintslim's own types (the last two build
lsprotocol objects) and are tested without a client; `features` wires them into pygls.
"""

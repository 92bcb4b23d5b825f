"""Secret detection shared by the LS2xx rules and by every output that prints source text.

- `names`: whether a variable or option name says it holds a secret (`NPM_TOKEN`, `dbPassword`).
- `values`: whether a value is a placeholder, a reference or a path rather than a credential.
- `patterns`: credential formats with a recognisable shape (AWS keys, GitHub tokens, private keys…),
  read from `token_formats.toml`.
- `detect`: every literal credential in a Dockerfile, with the exact span of its value.
- `files`: file names that hold credentials (`.npmrc`, `id_rsa`, `*.pem`…).
- `redact`: masking secret values in text that is shown to people.
"""

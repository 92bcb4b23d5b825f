"""Which files of a build context are credentials: by their name, then (when readable) by their content.

The name decides what a file would be (`id_rsa`: an SSH private key; `.npmrc`: npm credentials).
When the text is at hand, the content can clear it: a `.pem` holding only certificates, an `.npmrc`
whose token is a `${NPM_TOKEN}` reference, a Docker `config.json` that uses a credential helper.
Unknown content (no context, a file written at build time, binary) keeps the name's verdict.  Public
material is never a credential: `*.pub`, `*.crt`, `*.cer`, CA bundles, PGP public keys, and example
environment files (`.env.example`, `.env.sample`, `.env.template`, `.env.dist`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

_SSH_KEY_NAME = re.compile(r"id_(rsa|dsa|ecdsa|ed25519)(_sk)?([._-].*)?", re.ASCII)
_PUBLIC_SUFFIXES = (".pub", ".crt", ".cer", ".csr", ".asc", ".gpg", ".sig")
_SSH_PUBLIC_FILES = frozenset({"known_hosts", "known_hosts.old", "authorized_keys", "authorized_keys2", "config"})
_ENV_EXAMPLE_WORDS = frozenset({"example", "examples", "sample", "samples", "template", "tmpl", "tpl", "dist"})
# words in a key or certificate file name that say it is public (`rds-ca-root.pem`, `repo.gpg.key`):
# whole words, and parts of words (`ca2cert.pem`, `fullchain.pem`, `rsapub.pem`, `rootCA.pem`)
_PUBLIC_KEY_WORDS = frozenset({"ca", "root", "public", "signing", "archive", "release", "repo"})
_PUBLIC_KEY_WORD_PARTS = ("cert", "chain", "bundle", "pub", "trust", "gpg", "pgp", "keyring")
_KUBE_DIRECTORIES = frozenset({".kube", "kube"})
_CONFIG_NAMES = frozenset({"config", "config.yaml", "config.yml"})
_CREDENTIAL_DIRECTORIES = {".ssh": "an SSH directory", ".aws": "AWS credentials", ".kube": "a kubeconfig directory"}

_PEM_PRIVATE = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
_PEM_PUBLIC = re.compile(r"-----BEGIN (CERTIFICATE|TRUSTED CERTIFICATE|X509 CRL|[A-Z0-9 ]*PUBLIC KEY)[A-Z ]*-----")
_REFERENCE = re.compile(r"""["']?\$\{?[A-Za-z_][A-Za-z0-9_]*\}?["']?""")  # `${NPM_TOKEN}`, `$TOKEN`


def credential_kind(path: str) -> str | None:
    """What credential a context path names ("an SSH private key"), or None.  By the name alone."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if not parts:
        return None
    name, parents = parts[-1], parts[:-1]
    lowered = name.lower()
    if lowered.endswith(_PUBLIC_SUFFIXES) or "ca-certificates" in (part.lower() for part in parts):
        return None
    if ".ssh" in parents:
        return None if lowered in _SSH_PUBLIC_FILES else "an SSH key"
    if ".aws" in parents:
        return "AWS credentials"
    if name in _CREDENTIAL_DIRECTORIES:
        return _CREDENTIAL_DIRECTORIES[name]
    return _by_name(name, lowered, parents)


def _by_name(name: str, lowered: str, parents: list[str]) -> str | None:
    exact = {
        ".npmrc": "npm credentials",
        ".pypirc": "PyPI credentials",
        ".netrc": "netrc credentials",
        "_netrc": "netrc credentials",
        ".git-credentials": "git credentials",
    }
    if name in exact:
        return exact[name]
    if _SSH_KEY_NAME.fullmatch(name):
        return "an SSH private key"
    if name == "config.json" and parents and parents[-1] == ".docker":
        return "Docker registry credentials"
    if lowered == "kubeconfig" or lowered.endswith(".kubeconfig"):
        return "a kubeconfig"
    if lowered in _CONFIG_NAMES and parents and parents[-1].lower() in _KUBE_DIRECTORIES:
        return "a kubeconfig"
    if name == ".env" or (name.startswith(".env.") and not _ENV_EXAMPLE_WORDS & set(name.lower().split(".")[2:])):
        return "an environment file"
    return _by_key_suffix(lowered)


def _by_key_suffix(lowered: str) -> str | None:
    stem, dot, suffix = lowered.rpartition(".")
    if not dot or suffix not in ("pem", "key", "p12", "pfx"):
        return None
    if _names_public_material(stem):
        return None
    return {"pem": "a PEM private key", "key": "a private key"}.get(suffix, "a PKCS #12 key store")


def _names_public_material(stem: str) -> bool:
    """A key file stem with a certificate word and no private-key word (`rootCA-key` is a key)."""
    words = [word for word in re.split(r"[^a-z0-9]+", stem) if word]
    if any(word.endswith("key") or word.startswith("priv") or "secret" in word for word in words):
        return False
    return any(
        word in _PUBLIC_KEY_WORDS
        or (word.endswith("ca") and len(word) <= 6)  # `rootca`, `netca`, `myca`
        or any(part in word for part in _PUBLIC_KEY_WORD_PARTS)
        for word in words
    )


def holds_credential(kind: str, text: str | None) -> bool:
    """Whether a file of that kind with that text holds a credential; True when the text is unknown."""
    if text is None:
        return True  # unknown, written at build time, or binary: the name decides
    if not text.strip():
        return False
    check = _CONTENT_CHECKS.get(kind)
    return True if check is None else check(text)


def _pem_key(text: str) -> bool:
    if _PEM_PRIVATE.search(text):
        return True
    return not _PEM_PUBLIC.search(text) and "PGP PUBLIC KEY BLOCK" not in text and not text.startswith("ssh-")


def assignment_line(keys: str) -> re.Pattern[str]:
    """A line's start up to the separator after one of `keys`: `key = `, `key: `, `key value`.

    The value is taken with string methods, not the expression: `(\\S.*?)\\s*$` there took time
    quadratic in a long run of spaces inside a line (a 2 MB context file), and `\\s` let the
    separator run on into the next lines.
    """
    return re.compile(rf"^[ \t]*(?:{keys})(?:[ \t]*[=:]|[ \t])", re.MULTILINE | re.IGNORECASE)


def _assignment_with_value(keys: str) -> Callable[[str], bool]:
    """A check for lines `key = value` (or `key value`) whose value is literal, not a variable reference."""
    line = assignment_line(keys)

    def check(text: str) -> bool:
        for found in line.finditer(text):
            end = text.find("\n", found.end())
            value = text[found.end() : None if end < 0 else end].strip()
            if value and not _REFERENCE.fullmatch(value):
                return True
        return False

    return check


def _environment_file(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and "=" in stripped:
            key, _, value = stripped.removeprefix("export ").partition("=")
            if key.strip() and value.strip().strip("'\""):
                return True
    return False


def _docker_config(text: str) -> bool:
    return re.search(r'"(auth|identitytoken|password)"\s*:\s*"[^"]+"', text) is not None


# The keys whose literal value makes a file of that kind hold a credential.
ASSIGNMENT_KEYS = {
    "npm credentials": r"\S*_authToken|\S*_auth|\S*_password|\S*:password",
    "PyPI credentials": r"password",
    "AWS credentials": r"aws_secret_access_key|aws_session_token",
}
_CONTENT_CHECKS: dict[str, Callable[[str], bool]] = {
    "an SSH private key": _pem_key,
    "an SSH key": _pem_key,
    "a PEM private key": _pem_key,
    "a private key": _pem_key,
    "npm credentials": _assignment_with_value(ASSIGNMENT_KEYS["npm credentials"]),
    "PyPI credentials": _assignment_with_value(ASSIGNMENT_KEYS["PyPI credentials"]),
    "netrc credentials": lambda text: re.search(r"(^|\s)password\s+\S", text) is not None,
    "AWS credentials": _assignment_with_value(ASSIGNMENT_KEYS["AWS credentials"]),
    "Docker registry credentials": _docker_config,
    "a kubeconfig": lambda text: re.search(r"^\s*(client-key-data|token|password)\s*:\s*\S", text, re.M) is not None,
    "an environment file": _environment_file,
}

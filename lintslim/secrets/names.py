"""Does a name say that it holds a secret?  Decided on the name's words, never on substrings.

A name is cut into words at every non-alphanumeric character and at camelCase boundaries
(`AWS_SECRET_ACCESS_KEY` → aws secret access key, `dbPassword` → db password), so `KEYCLOAK_VERSION`
and `TOKENIZERS_PARALLELISM` hold no secret word at all.  A name holds a secret when one of its
words is a secret noun (password, token, secret, credentials, api key, private key…), unless:

- a word marks it public or a file, as in BuildKit's `SecretsUsedInArgOrEnv` (`PUBLIC_KEY`,
  `GITHUB_TOKEN_FILE`, `TOKEN_VERSION`);
- its last word says it names *something about* a secret rather than the secret itself: a path,
  URL, id, name, length, expiry, mode… (`PUBLIC_KEY_URL`, `SECRET_NAME`, `PASSWORD_MIN_LENGTH`);
- the only secret word is `key`, and another word makes it a public or data-structure key
  (`GPG_KEY`, `SWIFT_SIGNING_KEY`, `GHC_RELEASE_KEY`, `CACHE_KEY`) with no word that makes it a
  credential again (`JWT_SIGNING_KEY`, `API_KEY`).

Weak words count only as the last word of a longer name: `pass` (`DB_PASS`, but not `PASS_THROUGH`),
`pwd` (`DB_PWD`, but not the shell's `PWD`), `auth` (`BASIC_AUTH`, but not `AUTH_PROVIDER`) and `pat`.
"""

from __future__ import annotations

import functools
import re

# runs of capitals, Capitalised words and lower-case words, each with the digits that follow it (`SHA512`)
_WORD = re.compile(r"[A-Z]{1,64}[0-9]{0,16}(?![a-z])|[A-Z]?[a-z]{1,64}[0-9]{0,16}|[0-9]{1,64}")
_SEPARATOR = re.compile(r"[^A-Za-z0-9]{1,256}")

# Words that name a secret wherever they stand (plural forms included).
STRONG_WORDS = frozenset(
    {
        "password", "passwords", "passwd", "passphrase", "pword", "secret", "secrets", "token", "tokens",
        "credential", "credentials", "cred", "creds", "apikey", "apikeys", "privatekey", "accesskey", "secretkey",
        "authtoken", "accesstoken", "clientsecret", "sessiontoken",
    }
)  # fmt: skip
# A single word that ends in one of these is a run-together secret name (`PGPASSWORD`).
COMPOUND_ENDINGS = ("password", "passwd", "passphrase", "secret", "token", "apikey", "credentials")
# Words that name a secret only as the last word of a name of two words or more.
WEAK_LAST_WORDS = frozenset({"pass", "pwd", "auth", "pat"})
KEY_WORDS = frozenset({"key", "keys"})

# BuildKit's exclusions: any of these words and the name is not a secret.
EXCLUDING_WORDS = frozenset({"public", "pub", "publishable", "file", "files", "version"})
# A name ending in one of these names a property of a secret or where to find it, not the secret.
NON_SECRET_LAST_WORDS = frozenset(
    {
        "path", "paths", "filename", "dir", "directory", "folder", "location", "mount", "url", "urls", "uri",
        "endpoint", "host", "hostname", "server", "port", "id", "ids", "name", "names", "arn", "ref",
        "type", "kind", "mode", "method", "enabled", "enable", "disabled", "disable", "required", "length",
        "size", "expiry", "expires", "expiration", "ttl", "timeout", "lifetime", "header", "prefix",
        "suffix", "format", "algorithm", "alg", "env", "var", "region", "provider", "policy", "scope",
        "scopes", "user", "usr", "username", "login", "fingerprint", "count", "min", "max", "pattern", "field",
        "param", "manager", "store", "vault", "hash", "checksum", "sha", "sha1", "sha256", "sha512", "md5",
        "digest", "stdin", "source", "src", "label", "tag", "level", "strength", "validation", "check",
        "set", "exists", "generator", "rotation", "issuer", "audience", "cmd", "command", "script",
    }
)  # fmt: skip
# Words that make a `key` a key that is no secret: public-key material, data-structure keys.
NON_SECRET_KEY_QUALIFIERS = frozenset(
    {
        "gpg", "pgp", "gnupg", "gpgkey", "site", "apt", "signing", "release", "releases", "maintainer",
        "repo", "repository", "keyserver", "cache",
        "sort", "primary", "foreign", "partition", "routing", "range", "idempotency", "lookup", "index",
        "map", "s3", "object", "bucket", "dedup", "hotkey", "shortcut", "key", "recv", "receive", "import",
        "export", "fetch", "search", "list", "trusted", "default", "root", "ca",
    }
)  # fmt: skip
# Words that make a `key` a secret wherever it is named loosely (options, config-file settings).
SECRET_KEY_QUALIFIERS = frozenset(
    {
        "api", "access", "secret", "private", "client", "auth", "master", "encryption", "license", "licence",
        "app", "application", "service", "account", "session", "ssh", "deploy", "admin", "subscription",
        "integration", "webhook", "hmac", "jwt", "cookie", "storage", "encrypt", "crypto", "token",
    }
)  # fmt: skip
# Names that hold a path by convention although their words say otherwise.
PATH_NAMES = frozenset({"GOOGLE_APPLICATION_CREDENTIALS"})


def name_words(name: str) -> tuple[str, ...]:
    """The lower-case words of a name: split at non-alphanumerics and camelCase boundaries."""
    words: list[str] = []
    for part in _SEPARATOR.split(name):
        words.extend(word.lower() for word in _WORD.findall(part))
    return tuple(words)


@functools.lru_cache(maxsize=4096)  # the same names recur in every file (a pure function: safe to share)
def secret_word(name: str) -> str | None:
    """The word that makes `name` the name of a secret (`password`, `token`, `key`…), or None."""
    if name.upper() in PATH_NAMES:
        return None
    words = name_words(name)
    if not words or any(word in EXCLUDING_WORDS for word in words) or _ends_in_non_secret_word(name, words):
        return None
    for word in words:
        if word in STRONG_WORDS:
            return word
    for word in words:  # run-together capitals: PGPASSWORD, GHTOKEN
        if (compound := next((strong for strong in COMPOUND_ENDINGS if word.endswith(strong)), None)) is not None:
            return compound
    if len(words) >= 2 and words[-1] in WEAK_LAST_WORDS:
        return words[-1]
    if len(words) >= 2 and any(word in KEY_WORDS for word in words):
        qualifiers = [word for word in words if word not in KEY_WORDS]
        if any(word in SECRET_KEY_QUALIFIERS for word in qualifiers):
            return "key"
        if not any(word in NON_SECRET_KEY_QUALIFIERS for word in qualifiers):
            return "key"
    return None


def _ends_in_non_secret_word(name: str, words: tuple[str, ...]) -> bool:
    """`…_PATH`, `…_URL`; the last part is also read whole, for odd casing such as `CHANGE_URl`."""
    last_part = _SEPARATOR.split(name.strip("_-. "))[-1].lower()
    return words[-1] in NON_SECRET_LAST_WORDS or last_part in NON_SECRET_LAST_WORDS


def strong_secret_word(name: str) -> str | None:
    """Like `secret_word`, for names written loosely (command options, config-file keys), where a
    `key` counts only beside a word that makes it a credential (`--api-key`, `client_key`)."""
    word = secret_word(name)
    if word == "key" and not any(part in SECRET_KEY_QUALIFIERS for part in name_words(name)):
        return None
    return word

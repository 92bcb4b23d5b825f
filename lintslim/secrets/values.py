"""Is a value a credential, or a placeholder, a reference, a path or a switch?

Placeholders and well-known default values (`changeme`, `<token>`, `xxxx`, `your-api-key`, `password`,
`root`, AWS's documented `AKIAIOSFODNN7EXAMPLE`…) are not reported as leaked secrets: they protect
nothing, and reporting them would bury the real leaks.  A reference (`$TOKEN`, `${TOKEN}`,
`$(cat /run/secrets/token)`, `%TOKEN%`, `{{ .token }}`) is not a literal value at all.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from lintslim.secrets.names import name_words

# Words that make up placeholder or default values (`my-secret-password`, `changeme`, `root`).
PLACEHOLDER_WORDS = frozenset(
    {
        "change", "changeme", "changeit", "replace", "replaceme", "example", "examples", "sample", "dummy",
        "fake", "placeholder", "redacted", "masked", "hidden", "todo", "tbd", "fixme", "none", "null", "nil",
        "undefined", "unset", "empty", "nothing", "default", "defaults", "your", "yours", "my", "our", "insert", "here",
        "enter", "put", "set", "me", "secret", "secrets", "password", "passwd", "pass", "pwd", "passphrase",
        "token", "key", "apikey", "api", "auth", "access", "private", "admin", "administrator", "root",
        "user", "username", "guest", "test", "testing", "tests", "demo", "dev", "development", "local",
        "localhost", "foo", "bar", "baz", "qux", "abc", "abcd", "abcdef", "xyz", "qwerty", "letmein",
        "hello", "world", "welcome", "super", "some", "very", "strong", "new", "old", "app", "db",
        "database", "postgres", "postgresql", "mysql", "mariadb", "mongo", "mongodb", "redis", "rabbitmq",
        "sa", "oracle", "docker", "jenkins", "gitlab", "github", "npm", "value", "string", "s3cr3t",
        "p4ssw0rd", "passw0rd", "pa55word", "secure",
    }
)  # fmt: skip
# Substrings that mark a value as made up whatever surrounds them.
PLACEHOLDER_MARKERS = ("example", "changeme", "change_me", "change-me", "placeholder", "dummy", "redacted",
                       "your_", "your-", "yourtoken", "yourpassword", "xxxx", "****", "....", "<", ">")  # fmt: skip
BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "0", "1", "y", "n", "enabled", "disabled"})
MIN_SECRET_LENGTH = 3
_HEX = frozenset("0123456789abcdefABCDEF")
_LETTERS_OR_DIGITS = re.compile(r"[a-z]{1,64}|[0-9]{1,64}")  # `password123` → password, 123

_REFERENCE = re.compile(r"\$[A-Za-z_{(]|%[A-Za-z_][A-Za-z0-9_]{0,100}%|\{\{|#\{")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,20}://")
_WINDOWS_PATH = re.compile(r"[A-Za-z]:[\\/]")
_BASE64 = re.compile(r"[A-Za-z0-9+/=_-]{1,512}")
MIN_KEY_LENGTH = 20
MAX_SEGMENTED_WORD = 40  # longer words are not run-together placeholder words (and segmenting is quadratic)


def is_reference(value: str) -> bool:
    """True when the value takes part of its text from a variable, a command or a template."""
    return bool(_REFERENCE.search(value))


def is_path_or_url(value: str) -> bool:
    """A file path or a URL: where a secret is, not the secret (URLs with a password are found apart)."""
    if value.startswith("/") and _looks_like_base64_key(value):
        return False  # an AWS secret access key may start with `/`: `/f3+rFUsiTNH1L1gZ…`
    return (
        value.startswith(("/", "./", "../", "~/", "file:"))
        or bool(_WINDOWS_PATH.match(value))
        or (bool(_URL.match(value)) and "@" not in value)
    )


def _looks_like_base64_key(value: str) -> bool:
    """Random base64 that happens to contain `/`: no dot, a long part mixing cases and digits, and high
    entropy (a path's parts are words: `/opt/MyApp2/lib`)."""
    if not MIN_KEY_LENGTH <= len(value) <= 512 or not _BASE64.fullmatch(value):
        return False
    parts = value.split("/")
    mixed = any(
        len(part) >= 12
        and any(c.isupper() for c in part)
        and any(c.islower() for c in part)
        and any(c.isdigit() for c in part)
        for part in parts
    )
    return mixed and shannon_entropy(value) >= 4.2


def is_switch(value: str) -> bool:
    """`true`, `no`, `1`…: a setting such as `MYSQL_ALLOW_EMPTY_PASSWORD=yes`, not a credential."""
    return value.strip().lower() in BOOLEAN_WORDS


def _segments_into_words(word: str) -> bool:
    """Whether a run-together word is made of placeholder words only (`mysecretpassword`)."""
    if len(word) > MAX_SEGMENTED_WORD:
        return False
    reachable = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        reachable[end] = any(reachable[start] and word[start:end] in PLACEHOLDER_WORDS for start in range(end))
    return reachable[-1]


def is_placeholder(value: str) -> bool:
    """True for values that stand in for a secret: made-up, default, repeated or too short to be one."""
    stripped = value.strip().strip("'\"")
    lowered = stripped.lower()
    if len(stripped) < MIN_SECRET_LENGTH or len(set(lowered)) <= 2:
        return True  # "", "xx", "aaaaaa", "******", "0000"
    if lowered in PLACEHOLDER_WORDS or any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        return True
    words = [part for word in name_words(stripped) for part in _LETTERS_OR_DIGITS.findall(word)]
    if not words:
        return False
    digits_only = all(word.isdigit() for word in words)
    if digits_only:
        return stripped in ("123", "1234", "12345", "123456", "1234567", "12345678", "123456789", "1234567890")
    return all((word.isdigit() and len(word) <= 4) or _segments_into_words(word) for word in words)


def is_key_fingerprint(value: str) -> bool:
    """A PGP key ID or fingerprint (8, 16 or 40 hex digits, maybe `0x` and spaced in groups): public."""
    compact = value.strip().removeprefix("0x").removeprefix("0X").replace(" ", "")
    return len(compact) in (8, 16, 40) and all(ch in _HEX for ch in compact)


def shannon_entropy(text: str) -> float:
    """Bits of information per character, from the character frequencies of `text`."""
    if not text:
        return 0.0
    total = len(text)
    return -sum(count / total * math.log2(count / total) for count in Counter(text).values())

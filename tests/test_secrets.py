"""lintslim.secrets: name classification, placeholder values, credential formats (and their linear
time), detection in Dockerfiles, and the LS201 / LS204 helpers the case files do not reach."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from lintslim.rules.secrets import secret_in_arg_env, secret_removed_in_later_layer
from lintslim.secrets import detect, names, patterns, values
from lintslim.secrets.detect import find_secrets
from lintslim.secrets.names import name_words, secret_word, strong_secret_word
from lintslim.secrets.patterns import find_tokens, token_formats
from lintslim.secrets.values import is_key_fingerprint, is_placeholder, is_reference
from lintslim.syntax.parser import parse
from lintslim.syntax.shell import shell_commands

if sys.version_info >= (3, 11):
    from re import _constants as sre_constants
    from re import _parser as sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_constants
    import sre_parse

# --- names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("AWS_SECRET_ACCESS_KEY", ("aws", "secret", "access", "key")),
        ("dbPassword", ("db", "password")),
        ("APIKey", ("api", "key")),
        ("KEY_SHA512", ("key", "sha512")),
        ("//registry.npmjs.org/:_authToken", ("registry", "npmjs", "org", "auth", "token")),
    ],
)
def test_name_words(name: str, words: tuple[str, ...]) -> None:
    assert name_words(name) == words


SECRET_NAMES = [
    "NPM_TOKEN", "GITHUB_TOKEN", "DB_PASSWORD", "MYSQL_ROOT_PASSWORD", "PGPASSWORD", "API_KEY", "apiKey",
    "APIKEY", "PRIVATE_KEY", "SSH_PRIVATE_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "SECRET_KEY_BASE",
    "DJANGO_SECRET_KEY", "JWT_SIGNING_KEY", "CLIENT_SECRET", "GOOGLE_DEFAULT_CLIENT_SECRET", "SECRET", "TOKEN",
    "PASSWORD", "DB_PASS", "DB_PWD", "BASIC_AUTH", "GITHUB_PAT", "SSH_KEY_PASSPHRASE", "LICENSE_KEY",
    "ENCRYPTION_KEY", "CREDENTIALS", "ACCESSTOKEN", "SLACK_WEBHOOK_TOKEN", "GITHUB_CRED", "NEXTAUTH_SECRET",
]  # fmt: skip
NOT_SECRET_NAMES = [
    "KEYCLOAK_VERSION", "TOKENIZERS_PARALLELISM", "PUBLIC_KEY_URL", "AWS_REGION", "GITHUB_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "MYSQL_ROOT_PASSWORD_FILE", "GOOGLE_APPLICATION_CREDENTIALS", "AWS_ACCESS_KEY_ID",
    "GPG_KEY", "GPG_KEYS", "SWIFT_SIGNING_KEY", "GHC_RELEASE_KEY", "RABBITMQ_PGP_KEY_ID", "KEY_SHA512", "CACHE_KEY",
    "PASSWORD_MIN_LENGTH", "SECRET_NAME", "TOKEN_URL", "SECRETS_DIR", "POSTGRES_HOST_AUTH_METHOD", "AUTH_PROVIDER",
    "PASS_THROUGH", "PWD", "KEY", "USERNAME", "GOPRIVATE", "NEXT_PUBLIC_API_KEY", "STRIPE_PUBLISHABLE_KEY",
    "TOKEN_EXPIRY", "PGP_KEYSERVER", "OAUTH2_PROXY_VERSION", "KEEPASSXC_VERSION", "VITE_OIDC_PASSWORD_CHANGE_URl",
    "CREDIT_CARD_TYPE", "ACCESS_TOKEN_USR",
]  # fmt: skip


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_secret_names(name: str) -> None:
    assert secret_word(name) is not None


@pytest.mark.parametrize("name", NOT_SECRET_NAMES)
def test_names_that_are_not_secrets(name: str) -> None:
    assert secret_word(name) is None


@pytest.mark.parametrize(
    ("name", "strong"), [("api-key", True), ("recv-keys", False), ("key", False), ("foo_key", False)]
)
def test_strong_names_need_a_credential_word_beside_key(name: str, strong: bool) -> None:
    assert (strong_secret_word(name) is not None) is strong


# --- values ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["changeme", "<token>", "xxxxxxxx", "your-api-key", "password", "root", "postgres", "mysecretpassword",
     "Password123", "AKIAIOSFODNN7EXAMPLE", "********", "ab", "my_secret_token", "s3cr3t", "123456", "none",
     "nothing"],
)  # fmt: skip
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["hunter2", "nAD9c7IqWBFpYP", "kdloedMFGdGla2P1zacGjAQh", "4821-ZX"])
def test_credentials_are_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize("value", ["$TOKEN", "${TOKEN}", "$(cat /run/secrets/t)", "%TOKEN%", "{{ .token }}", "a${B}c"])
def test_references(value: str) -> None:
    assert is_reference(value)


def test_fingerprints() -> None:
    assert is_key_fingerprint("A62AE125BBBFBB96A6E042EC925CC1CCED3D1561")
    assert is_key_fingerprint("0x4E4A0F5B7E9D2C3B")
    assert is_key_fingerprint("B42F 6819 007F 00F8 8E36  4FD4 036A 9C25 BF35 7DD4")
    assert not is_key_fingerprint("e09fa32f0a0eab2b879ccbbc4d0e4fb9")  # 32 hex digits: an API key, maybe


# --- credential formats: every pattern runs in linear time ---------------------------------------------

ALPHABET = frozenset(chr(code) for code in range(0x250))
MAXREPEAT = sre_constants.MAXREPEAT


def _category(category: Any) -> frozenset[str]:
    tests = {
        sre_constants.CATEGORY_DIGIT: str.isdecimal,
        sre_constants.CATEGORY_SPACE: str.isspace,
        sre_constants.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
    }
    for positive, test in tests.items():
        if category == positive:
            return frozenset(ch for ch in ALPHABET if test(ch))
        if str(category) == str(positive).replace("CATEGORY_", "CATEGORY_NOT_"):
            return frozenset(ch for ch in ALPHABET if not test(ch))
    raise AssertionError(f"unexpected category {category}")


def _class(items: list[tuple[Any, Any]]) -> frozenset[str]:
    chars: set[str] = set()
    negate = False
    for op, arg in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            chars.add(chr(arg))
        elif op is sre_constants.RANGE:
            chars |= {chr(code) for code in range(arg[0], arg[1] + 1)}
        elif op is sre_constants.CATEGORY:
            chars |= _category(arg)
        else:
            raise AssertionError(f"unexpected class item {op}")
    return ALPHABET - chars if negate else frozenset(chars)


class Shape:
    """What a parsed node can match: its first characters, every character, whether it can be empty."""

    def __init__(self, first: frozenset[str], chars: frozenset[str], nullable: bool) -> None:
        self.first, self.chars, self.nullable = first, chars, nullable


def _shape(node: tuple[Any, Any], problems: list[str], inside_repeat: bool) -> Shape:
    op, arg = node
    if op is sre_constants.LITERAL:
        return Shape(frozenset(chr(arg)), frozenset(chr(arg)), False)
    if op is sre_constants.NOT_LITERAL:
        chars = ALPHABET - {chr(arg)}
        return Shape(chars, chars, False)
    if op is sre_constants.ANY:
        return Shape(ALPHABET, ALPHABET, False)
    if op is sre_constants.IN:
        chars = _class(arg)
        return Shape(chars, chars, False)
    if op is sre_constants.AT:
        return Shape(frozenset(), frozenset(), True)
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        inner = _sequence(list(arg[1]), frozenset(), problems, inside_repeat=True)
        if len(arg[1]) != 1 or inner.nullable:
            problems.append("a lookaround wider than one character")
        return Shape(frozenset(), frozenset(), True)
    if op is sre_constants.SUBPATTERN:
        return _sequence(list(arg[3]), None, problems, inside_repeat)
    if op is sre_constants.BRANCH:
        shapes = [_sequence(list(branch), None, problems, inside_repeat) for branch in arg[1]]
        return Shape(
            frozenset().union(*(s.first for s in shapes)),
            frozenset().union(*(s.chars for s in shapes)),
            any(s.nullable for s in shapes),
        )
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        low, high, body = arg
        if high is MAXREPEAT:
            problems.append("an unbounded quantifier")
        if inside_repeat:
            problems.append("a quantifier inside a quantifier")
        inner = _sequence(list(body), None, problems, inside_repeat=True)
        return Shape(inner.first, inner.chars, low == 0 or inner.nullable)
    problems.append(f"a construct the check does not allow: {op}")
    return Shape(ALPHABET, ALPHABET, True)


def _sequence(nodes: list[Any], follow: frozenset[str] | None, problems: list[str], inside_repeat: bool) -> Shape:
    """Check one sequence; `follow` is what may come after it (None: checked by the caller)."""
    shapes = [_shape(node, problems, inside_repeat) for node in nodes]
    for index, (node, shape) in enumerate(zip(nodes, shapes, strict=True)):
        op, arg = node
        # a part that is optional (at most once) can be tried two ways only: no more to check
        variable = op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and arg[0] != arg[1] and arg[1] > 1
        if not variable:
            continue
        after: set[str] = set()
        for later in shapes[index + 1 :]:
            after |= later.first
            if not later.nullable:
                break
        else:
            after |= follow or frozenset()
        if after & shape.chars:
            problems.append(f"a variable quantifier followed by what it can match: {sorted(after & shape.chars)[:5]}")
    first: set[str] = set()
    for shape in shapes:
        first |= shape.first
        if not shape.nullable:
            break
    chars = frozenset().union(*(shape.chars for shape in shapes)) if shapes else frozenset()
    return Shape(frozenset(first), chars, all(shape.nullable for shape in shapes))


def linear_time_problems(pattern: re.Pattern[str]) -> list[str]:
    """Why `pattern` might backtrack more than linearly (empty when it cannot)."""
    problems: list[str] = []
    if pattern.flags & re.IGNORECASE:
        problems.append("case-insensitive matching (the check reads exact characters)")
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    _sequence(list(parsed), frozenset(), problems, inside_repeat=False)
    return problems


def _module_patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    for module in (detect, names, patterns, values, secret_in_arg_env):
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield f"{module.__name__}.{name}", value
    for token_format in token_formats():
        yield f"token_formats.toml:{token_format.id}", token_format.regex
    yield "LS201 reference", secret_in_arg_env._reference("NPM_TOKEN")


ALL_PATTERNS = list(_module_patterns())


@pytest.mark.parametrize(("where", "pattern"), ALL_PATTERNS, ids=[where for where, _ in ALL_PATTERNS])
def test_pattern_is_linear_time(where: str, pattern: re.Pattern[str]) -> None:
    assert linear_time_problems(pattern) == []


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (r"(a+)+b", "unbounded"),
        (r"(?:[a-z]{1,5}){1,5}x", "inside a quantifier"),
        (r"[a-z]{1,50}[a-c]", "followed by what it can match"),
        (r"[a-z]{0,9}(?:x|[0-9])", "followed by what it can match"),
        (r"(a)\1", "does not allow"),
        (r"(?<=ab)c", "lookaround"),
    ],
)
def test_the_linearity_check_rejects_backtracking_shapes(pattern: str, problem: str) -> None:
    assert any(problem in found for found in linear_time_problems(re.compile(pattern)))


def test_adversarial_input_stays_fast() -> None:
    """A smoke test of the structural proof: long runs of each format's own prefix and alphabet."""
    text = "".join(keyword * 2000 + "a" * 3000 + " " for fmt in token_formats() for keyword in fmt.keywords[:1])
    text += "-----BEGIN RSA PRIVATE KEY-----" * 3000 + "https://a:" * 3000 + "eyJ" * 5000
    started = time.perf_counter()
    list(find_tokens(text))
    find_secrets(parse("FROM alpine\nRUN echo " + text[:200_000].replace("\n", " ") + "\n"))
    assert time.perf_counter() - started < 10


def test_every_format_has_keywords_found_in_its_own_regex() -> None:
    for token_format in token_formats():
        assert token_format.keywords, token_format.id
        assert all(keyword == keyword.lower() for keyword in token_format.keywords), token_format.id
        assert token_format.source, token_format.id


@pytest.mark.parametrize(
    ("token", "format_id"),
    [
        ("ghp_" + "WyPEA3mmRzdBC2Cc5HumpFONW2PHm3zuEiBD", "github-token"),
        ("AKIA" + "CPQ467RCLGCYQALN", "aws-access-key-id"),
        ("glpat-" + "Xk2Lm9Qp4Rs7Tv1Wy3Za", "gitlab-token"),
        ("xoxb-315233634534-4573509366895-" + "wAkpJ4w4whmLuaf9QGyKugs6", "slack-token"),
        ("sk_live_" + "Vkq3MRF9TtPP84iJlQJDiCd4", "stripe-secret-key"),
        ("npm_" + "alwUPCDVMibFgmKZkOa4dZP39fFyaxmHRRYf", "npm-token"),
        ("AIza" + "SyCkfPOPZXDKNn8hhgu3JrA62wIgC93d44k", "google-api-key"),
        (
            "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0." + "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "jwt",
        ),
        ("dckr_pat_" + "Q2xk9Vb7Lm3Np8Rt4Ws6Yz1Ac", "docker-hub-pat"),
    ],
)
def test_formats_find_their_tokens(token: str, format_id: str) -> None:
    found = list(find_tokens(f"ENV X={token}\n"))
    assert [(match.format_id, 6, 6 + len(token)) for match in found] == [
        (format_id, match.start, match.end) for match in found
    ]
    assert len(found) == 1


@pytest.mark.parametrize(
    "text",
    [
        "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  # placeholder
        "AKIAIOSFODNN7EXAMPLE",  # AWS's documented example
        "xghp_WyPEA3mmRzdBC2Cc5HumpFONW2PHm3zuEiBD",  # part of a longer word
        "sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d",
    ],
)
def test_formats_ignore_placeholders_and_parts_of_words(text: str) -> None:
    assert list(find_tokens(text)) == []


def test_private_key_block_body_is_the_span() -> None:
    text = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBk5Q2pX7rN0vZ8mYt3Lw\n-----END EC PRIVATE KEY-----\n"
    [match] = list(find_tokens(text))
    assert text[match.start : match.end] == "MHcCAQEEIBk5Q2pX7rN0vZ8mYt3Lw"
    assert match.description == "EC private key"


def test_unterminated_private_keys_are_linear_and_found() -> None:
    text = "-----BEGIN RSA PRIVATE KEY-----MIIEowIBAAKCAQEAx7abcdefgh\n" * 2000
    assert len(list(find_tokens(text))) == 2000


# --- detection in a Dockerfile --------------------------------------------------------------------------


def _found(text: str) -> list[tuple[str, str]]:
    dockerfile = parse(text)
    return [(text[s.span.start : s.span.end], s.detector) for s in find_secrets(dockerfile)]


def test_overlapping_findings_keep_the_most_specific() -> None:
    token = "ghp_" + "WyPEA3mmRzdBC2Cc5HumpFONW2PHm3zuEiBD"
    assert _found(f"FROM a\nENV GITHUB_TOKEN={token}\n") == [(token, "format:github-token")]


def test_detection_in_exec_form_and_cmd() -> None:
    text = 'FROM a\nCMD ["curl", "-u", "admin:Tr0ub4dor9", "http://x/"]\nENTRYPOINT ["app", "--api-key=Zx9kq2LmW8pR"]\n'
    assert _found(text) == [("Tr0ub4dor9", "command"), ("Zx9kq2LmW8pR", "command")]


def test_options_that_take_no_secret() -> None:
    text = (
        "FROM a\n"
        "RUN docker buildx build --secret id=npm,src=.npmrc . \\\n"
        " && gpg --batch --recv-keys B42F6819007F00F88E364FD4036A9C25BF357DD4 \\\n"
        " && keytool -importcert -storepass changeit -file ca.crt \\\n"
        " && htpasswd -c /etc/nginx/.htpasswd admin\n"
    )
    assert _found(text) == []


def test_keytool_openssl_and_htpasswd_passwords() -> None:
    text = (
        "FROM a\n"
        "RUN keytool -genkey -storepass Vb7Lm3Np8R -keystore k.jks \\\n"
        " && openssl pkcs12 -export -passout pass:Q2xk9Vb7Lm -out c.p12 \\\n"
        " && htpasswd -bc /etc/nginx/.htpasswd admin Ws6Yz1Ac4T\n"
    )
    assert [value for value, _ in _found(text)] == ["Vb7Lm3Np8R", "Q2xk9Vb7Lm", "Ws6Yz1Ac4T"]


def test_config_file_heredoc_settings() -> None:
    text = (
        "FROM a\n"
        "COPY <<EOF /app/config.yml\n"
        "database:\n"
        "  password: Q2xk9Vb7Lm\n"
        "  password_file: /run/secrets/db\n"
        "EOF\n"
        "COPY <<EOF /root/.netrc\n"
        "machine github.com login ci password Ws6Yz1Ac4T\n"
        "EOF\n"
    )
    assert [value for value, _ in _found(text)] == ["Q2xk9Vb7Lm", "Ws6Yz1Ac4T"]


def test_results_are_computed_once_per_document() -> None:
    dockerfile = parse("FROM a\nENV DB_PASSWORD=Q2xk9Vb7Lm\n")
    assert find_secrets(dockerfile) is find_secrets(dockerfile)


# --- LS201 and LS204 helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("directive", "supported"),
    [
        ("docker/dockerfile:1", True),
        ("docker/dockerfile:1.10", True),
        ("docker/dockerfile:1.12.0", True),
        ("docker.io/docker/dockerfile:1-labs", True),
        ("docker/dockerfile:1.9", False),
        ("docker/dockerfile:1.4.3", False),
        ("example.com/custom/frontend:2", False),
        ("docker/dockerfile:1@sha256:" + "a" * 64, True),
    ],
)
def test_frontend_versions_for_secret_env(directive: str, supported: bool) -> None:
    dockerfile = parse(f"# syntax={directive}\nFROM a\n")
    assert secret_in_arg_env._frontend_supports_env(dockerfile) is supported


@pytest.mark.parametrize(
    ("path", "cwd", "home", "resolved"),
    [
        (".npmrc", "/app", "/root", "/app/.npmrc"),
        ("../.npmrc", "/app/sub", "/root", "/app/.npmrc"),
        ("~/.npmrc", "/app", "/root", "/root/.npmrc"),
        ("$HOME/.npmrc", "/app", "/home/node", "/home/node/.npmrc"),
        ("${HOME}/.netrc", "/", "/root", "/root/.netrc"),
        (".npmrc", None, "/root", None),
        ("$DIR/.npmrc", "/app", "/root", None),
        (".npmrc", "<workdir>", "/root", "<workdir>/.npmrc"),
    ],
)
def test_paths_resolve_against_workdir_and_home(path: str, cwd: str | None, home: str, resolved: str | None) -> None:
    assert secret_removed_in_later_layer._resolve(path, cwd, home) == resolved


def test_removal_of_a_parent_directory_or_a_glob() -> None:
    removes = secret_removed_in_later_layer._removes
    assert removes("/root/.ssh", "/root/.ssh/id_rsa", recursive=True)
    assert removes("/root/.ssh/", "/root/.ssh/id_rsa", recursive=True)
    assert not removes("/root/.ssh", "/root/.ssh/id_rsa", recursive=False)  # `rm` without `-r` keeps directories
    assert removes("/certs/*.key", "/certs/client.key", recursive=False)
    assert not removes("/certs/*.key", "/certs/old/client.key", recursive=True)  # `*` stays in its directory
    assert not removes("/root/*", "/root/.npmrc", recursive=True)  # nor does it match a leading dot
    assert removes("/root/*", "/root/keys/id_rsa", recursive=True)
    assert not removes("/root/*", "/root/keys/id_rsa", recursive=False)
    assert not removes("/root/.ss", "/root/.ssh/id_rsa", recursive=True)


@pytest.mark.parametrize(
    ("run", "recursive"),
    [("rm -rf x", True), ("rm -fR x", True), ("rm x --recursive", True), ("rm -f x", False), ("rm -- -r", False)],
)
def test_recursive_removal(run: str, recursive: bool) -> None:
    dockerfile = parse(f"FROM alpine\nRUN {run}\n")
    (command,) = shell_commands(dockerfile, dockerfile.instructions[1])
    assert secret_removed_in_later_layer._recursive(command) is recursive

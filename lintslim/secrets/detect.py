"""Every literal credential in a Dockerfile, with the exact span of the secret value.

Detectors, most specific first (when two find overlapping text, the first one's finding stands):

1. credential formats anywhere in the text, comments and heredocs included (`patterns`);
2. passwords in URLs (`scheme://user:password@host`) anywhere in the text;
3. ENV, ARG and LABEL values whose key names a secret (`ENV DB_PASSWORD=…`);
4. in the commands a RUN (or CMD, ENTRYPOINT) executes: assignments (`TOKEN=… cmd`, `export TOKEN=…`), `key=value`
   words and options with a secret name (`--password=…`, `--api-key …`), `curl -u user:password`,
   `mysql -p…`, `sshpass -p …`, `htpasswd -b … password`, `echo user:password | chpasswd`;
5. config-file lines in heredocs the shell does not run (`COPY <<EOF .npmrc`, `cat <<EOF > .env`):
   `key = value`, `key: value`, npm's `//registry/:_authToken=…` and netrc's `password …`.

Values that are references, placeholders, paths or switches are not credentials (`values`).  The
result is computed once per document: LS202 reports it and every output format masks it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lintslim.secrets.names import secret_word, strong_secret_word
from lintslim.secrets.patterns import find_tokens
from lintslim.secrets.values import is_key_fingerprint, is_path_or_url, is_placeholder, is_reference, is_switch
from lintslim.syntax.nodes import Dockerfile, Heredoc, Instruction, Token
from lintslim.syntax.shell import Command, Word, shell_commands
from lintslim.syntax.shellwords import ShellWordError, process_word
from lintslim.syntax.source import Span

# `scheme://user:password@host`: user without `:` or `@`, password without `@` (linear: see patterns)
_URL_CREDENTIALS = re.compile(
    r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}://([^\s:/@'\"`<>]{1,256}):([^\s/@'\"`<>]{1,256})@(?=[A-Za-z0-9\[])"
)
# Fixed words some hosts want in the password field when the token is the user name:
# GitHub's `https://<token>:x-oauth-basic@github.com/`.
_URL_PASSWORD_CONSTANTS = frozenset({"x-oauth-basic"})
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,200}")
_ENV_VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9]{0,100}_[A-Z0-9_]{1,100}")  # `--password=DB_PASSWORD`
_MYSQL_CLIENTS = frozenset(
    {"mysql", "mysqladmin", "mysqldump", "mysqlimport", "mysqlcheck", "mysqlshow", "mysqlpump", "mariadb",
     "mariadb-admin", "mariadb-dump", "mariadb-import", "mariadb-check"}
)  # fmt: skip
_FLOW_SEPARATORS = re.compile(r"[{},\[\]]")
_KEY_VALUE_LIST = re.compile(r"[a-z]{1,20}=")
# curl's short options combine: `-fsSu user:password`; the letters before `u` take no value
_CURL_USER_CLUSTER = re.compile(r"-[fsSLkvIiqgGNj46]{0,12}u")
# keytool's password options, and openssl's `-passin pass:…` / `-passout pass:…`
_KEYTOOL_PASSWORDS = frozenset(
    {"-storepass", "-keypass", "-srcstorepass", "-deststorepass", "-srckeypass", "-destkeypass", "-new"}
)
_OPENSSL_PASSWORDS = frozenset({"-passin", "-passout", "-pass", "-password"})
_SHELL_DECLARATIONS = frozenset({"export", "declare", "readonly", "local", "typeset"})
_NETRC_PASSWORD = frozenset({"password", "passwd"})
_ECHO_LINES = re.compile(r"\\n|\n")  # real line breaks and the `\n` that `echo -e` and `printf` turn into them
MEMO_KEY = ("secrets", -1)


@dataclass(frozen=True)
class Secret:
    """A literal credential: `span` is the secret value itself, `what` says what it is (never the value)."""

    span: Span
    what: str  # "GitHub token", "secret in `DB_PASSWORD`", "password in a URL"
    detector: str  # "format:<id>", "url", "name", "command", "config"


def find_secrets(dockerfile: Dockerfile) -> tuple[Secret, ...]:
    """Every literal credential in the document, in source order, overlapping findings merged."""
    cached = dockerfile.memo.get(MEMO_KEY)
    if cached is None:
        cached = dockerfile.memo[MEMO_KEY] = _merge(_all_findings(dockerfile))
    assert isinstance(cached, tuple)
    return cached


def _all_findings(dockerfile: Dockerfile) -> Iterator[Secret]:
    text = dockerfile.text
    for token in find_tokens(text):
        yield Secret(Span(token.start, token.end), token.description, f"format:{token.format_id}")
    yield from _url_credentials(text)
    for instruction in dockerfile.instructions:
        target = instruction.effective
        if target.keyword in ("ENV", "ARG", "LABEL"):
            yield from _key_values(dockerfile, target)
            yield from _options_in_values(dockerfile, target)
        if target.keyword in ("RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK"):
            commands = shell_commands(dockerfile, instruction)
            yield from _commands(commands)
            yield from _data_heredocs(text, target, commands)
        elif target.keyword in ("COPY", "ADD"):
            for heredoc in target.heredocs:
                yield from _config_text(text, heredoc.body.start, heredoc.content)


def _merge(findings: Iterator[Secret]) -> tuple[Secret, ...]:
    """Keep the first finding for any stretch of text (detectors run most specific first)."""
    kept: list[Secret] = []
    for finding in findings:
        if len(finding.span) == 0:
            continue
        if not any(finding.span.start < other.span.end and other.span.start < finding.span.end for other in kept):
            kept.append(finding)
    return tuple(sorted(kept, key=lambda finding: finding.span))


def is_public_key_id(name: str, value: str) -> bool:
    """`LLVM_KEY=6084F3CF…`: a name whose only secret word is `key`, holding a PGP key ID or fingerprint."""
    return secret_word(name) == "key" and is_key_fingerprint(value)


def is_credential(value: str) -> bool:
    """A literal that can be a credential: no reference, placeholder, path, URL or on/off switch."""
    return not (
        is_reference(value)
        or is_placeholder(value)
        or is_path_or_url(value)
        or is_switch(value)
        or _ENV_VARIABLE_NAME.fullmatch(value)
    )


# --- URLs -----------------------------------------------------------------------------------------


def _url_credentials(text: str) -> Iterator[Secret]:
    if "://" not in text:
        return
    for match in _URL_CREDENTIALS.finditer(text):
        user, password = match.group(1), match.group(2)
        if password.lower() in _URL_PASSWORD_CONSTANTS:  # the token is the user name
            if not is_reference(user) and not is_placeholder(user):
                yield Secret(Span(match.start(1), match.end(1)), "token in a URL", "url")
        elif not is_reference(password) and not is_placeholder(password):
            yield Secret(Span(match.start(2), match.end(2)), "password in a URL", "url")


# --- ENV, ARG, LABEL --------------------------------------------------------------------------------


def _key_values(dockerfile: Dockerfile, instruction: Instruction) -> Iterator[Secret]:
    for pair in instruction.key_values:
        key = pair.key.value.strip("'\"")
        if pair.value is None or secret_word(key) is None:
            continue
        literal = _literal(pair.value, dockerfile.escape)
        if literal is not None and is_credential(literal) and not is_public_key_id(key, literal):
            yield Secret(_inside_quotes(pair.value), f"secret in `{key}`", "name")


def _options_in_values(dockerfile: Dockerfile, instruction: Instruction) -> Iterator[Secret]:
    """Options and settings inside a value: `ENV JAVA_OPTS="-Dspring.datasource.password=…"`,
    `ENV CONFIG='{"db": {"password": "…"}}'`."""
    for pair in instruction.key_values:
        if pair.value is None or not ("=" in pair.value.value or "{" in pair.value.value):
            continue
        if secret_word(pair.key.value.strip("'\"")) is not None:
            continue
        literal = _literal(pair.value, dockerfile.escape)
        if literal is None:
            continue
        if "{" in literal:
            yield from _flow_mapping(pair.value, literal)
            continue
        if " " not in literal.strip() and not literal.startswith("-"):
            continue
        raw, span = pair.value.value, pair.value.span
        for option in literal.split():
            key, equals, assigned = option.partition("=")
            name = key.removeprefix("-D") if key.startswith("-D") else key.lstrip("-")
            if not equals or not key.startswith("-") or strong_secret_word(name) is None or not is_credential(assigned):
                continue
            position = raw.find(option)
            where = (
                span
                if position < 0 or len(span) != len(raw)
                else Span(span.start + position + len(key) + 1, span.start + position + len(option))
            )
            yield Secret(where, f"secret in `{name}`", "name")


def _flow_mapping(token: Token, literal: str) -> Iterator[Secret]:
    """`key: value` entries of a JSON or YAML flow mapping held in a value (quotes already gone when
    the value was not quoted: BuildKit removes them)."""
    raw, span = token.value, token.span
    for entry in _FLOW_SEPARATORS.split(literal):
        key, colon, value = entry.partition(":")
        key, value = key.strip().strip("'\""), value.strip().strip("'\"")
        if not colon or not key or not _is_secret_key(key) or not is_credential(value):
            continue
        position = raw.find(value)
        where = (
            span
            if position < 0 or len(span) != len(raw)
            else Span(span.start + position, span.start + position + len(value))
        )
        yield Secret(where, f"secret in `{key}`", "name")


def _literal(token: Token, escape: str) -> str | None:
    """The value with quotes removed, or None when it refers to a variable."""
    try:
        expansion = process_word(token.value, {}, escape=escape)
    except ShellWordError:
        return None
    return None if expansion.used else expansion.value


def _inside_quotes(token: Token) -> Span:
    raw, span = token.value, token.span
    if len(raw) >= 2 and raw[0] in "'\"" and raw[-1] == raw[0] and len(span) == len(raw):
        return Span(span.start + 1, span.end - 1)
    return span


# --- RUN commands -----------------------------------------------------------------------------------


def _commands(commands: tuple[Command, ...]) -> Iterator[Secret]:
    previous: tuple[str, tuple[Word, ...]] = ("", ())  # the program and argv of the command before
    for command in commands:
        argv = command.argv  # computed on each access: read it once
        program = argv[0].value.rsplit("/", 1)[-1] if argv else ""
        yield from _assignments(command.words[: len(command.words) - len(argv)], argv)
        if program in ("echo", "printf"):
            for word in argv[1:]:
                yield from _echoed(word)
        elif program:
            yield from _arguments(program, argv[1:])
            yield from _program_specific(program, argv[1:])
        if program == "chpasswd" and command.operator == "|" and previous[0] in ("echo", "printf"):
            yield from _chpasswd_input(previous[1])
        previous = (program, argv)


def _assignments(leading: tuple[Word, ...], argv: tuple[Word, ...]) -> Iterator[Secret]:
    """`TOKEN=… cmd`, and `export TOKEN=…` (or declare, readonly, local, typeset)."""
    words = list(leading)
    if argv and argv[0].value in _SHELL_DECLARATIONS:
        words += [word for word in argv[1:] if not word.value.startswith("-")]
    for word in words:
        name, equals, value = word.value.partition("=")
        if (
            equals
            and _IDENTIFIER.fullmatch(name)
            and secret_word(name) is not None
            and is_credential(value)
            and not is_public_key_id(name, value)
        ):
            yield Secret(_value_span(word, value), f"secret in `{name}`", "command")


def _arguments(program: str, args: tuple[Word, ...]) -> Iterator[Secret]:
    """`key=value` words and `--option value` pairs whose key or option names a secret."""
    for index, word in enumerate(args):
        value = word.value
        key, equals, assigned = value.partition("=")
        if equals:
            name = _config_key(key.removeprefix("-D") if key.startswith("-D") else key.lstrip("-"))
            if name and strong_secret_word(name) is not None and is_credential(assigned):
                yield Secret(_value_span(word, assigned), f"secret in `{name}`", "command")
            continue
        if not value.startswith("--") or index + 1 >= len(args):
            continue
        option = value[2:]
        following = args[index + 1]
        if _takes_secret_value(option) and _option_value(following.value):
            yield Secret(_value_span(following, following.value), f"secret after `{value}`", "command")


def _option_value(value: str) -> bool:
    """A plausible secret after `--option`: not another option, not `id=…,src=…` (`--secret` of buildx)."""
    return not value.startswith("-") and not _KEY_VALUE_LIST.match(value) and is_credential(value)


def _takes_secret_value(option: str) -> bool:
    word = strong_secret_word(option)
    return word is not None and not option.lower().startswith("no-")


def _program_specific(program: str, args: tuple[Word, ...]) -> Iterator[Secret]:
    if program in ("curl", "wget"):
        yield from _curl_user(args)
    elif program in _MYSQL_CLIENTS:
        yield from _short_option_value(args, "-p", attached_only=True, what="MySQL password (`-p`)")
    elif program == "sshpass":
        yield from _short_option_value(args, "-p", attached_only=False, what="password given to `sshpass -p`")
    elif program in ("docker", "podman", "buildah", "skopeo") and any(word.value == "login" for word in args):
        yield from _short_option_value(args, "-p", attached_only=False, what="registry password (`login -p`)")
    elif program == "az" and any(word.value == "login" for word in args):
        yield from _short_option_value(args, "-p", attached_only=False, what="password given to `az login -p`")
    elif program == "aws" and [word.value for word in args[:2]] == ["configure", "set"] and len(args) >= 4:
        yield from _aws_configure_set(args[2], args[3])
    elif program == "keytool":
        yield from _option_then_value(args, _KEYTOOL_PASSWORDS, "", "password given to `keytool`")
    elif program == "openssl":
        yield from _option_then_value(args, _OPENSSL_PASSWORDS, "pass:", "password given to `openssl`")
    elif program == "htpasswd" and _htpasswd_batch(args) and is_credential(args[-1].value):
        yield Secret(_value_span(args[-1], args[-1].value), "password given to `htpasswd -b`", "command")


def _aws_configure_set(setting: Word, value: Word) -> Iterator[Secret]:
    """`aws configure set aws_secret_access_key …` (or `profile.x.aws_session_token …`)."""
    name = setting.value.rsplit(".", 1)[-1]
    if strong_secret_word(name) is not None and is_credential(value.value):
        yield Secret(_value_span(value, value.value), f"secret in `{name}`", "command")


def _htpasswd_batch(args: tuple[Word, ...]) -> bool:
    """`htpasswd -b` (or `-nb`, `-cb`…) takes the password as its last argument."""
    options = [word.value for word in args if word.value.startswith("-") and not word.value.startswith("--")]
    return len(args) >= 2 and any("b" in option for option in options)


def _curl_user(args: tuple[Word, ...]) -> Iterator[Secret]:
    for index, word in enumerate(args):
        value = word.value
        if value in ("-u", "--user", "--proxy-user", "-U") and index + 1 < len(args):
            holder, credentials = args[index + 1], args[index + 1].value
        elif value.startswith(("--user=", "--proxy-user=")):
            holder, credentials = word, value.split("=", 1)[1]
        elif (cluster := _CURL_USER_CLUSTER.match(value)) is not None:  # `-fsSu user:pw`, `-uuser:pw`
            attached = value[cluster.end() :]
            if attached.startswith("-"):
                continue
            if attached:
                holder, credentials = word, attached
            elif index + 1 < len(args):
                holder, credentials = args[index + 1], args[index + 1].value
            else:
                continue
        else:
            continue
        _, colon, password = credentials.partition(":")
        if colon and is_credential(password):
            yield Secret(_value_span(holder, password), "password in `curl -u user:password`", "command")


def _short_option_value(args: tuple[Word, ...], flag: str, *, attached_only: bool, what: str) -> Iterator[Secret]:
    for index, word in enumerate(args):
        value = word.value
        if value.startswith(flag) and len(value) > len(flag) and not value.startswith("--"):
            holder, secret = word, value[len(flag) :]
        elif value == flag and not attached_only and index + 1 < len(args):
            holder, secret = args[index + 1], args[index + 1].value
        else:
            continue
        if is_credential(secret):
            yield Secret(_value_span(holder, secret), what, "command")


def _option_then_value(args: tuple[Word, ...], options: frozenset[str], prefix: str, what: str) -> Iterator[Secret]:
    for option, following in itertools.pairwise(args):
        if option.value in options and following.value.startswith(prefix):
            secret = following.value[len(prefix) :]
            if is_credential(secret):
                yield Secret(_value_span(following, secret), what, "command")


def _chpasswd_input(argv: tuple[Word, ...]) -> Iterator[Secret]:
    """`echo user:password | chpasswd`: the words the echo before the pipe prints."""
    for word in argv[1:]:
        user, colon, password = word.value.partition(":")
        if colon and user and not user.startswith("-") and is_credential(password.strip()):
            yield Secret(_value_span(word, password.strip()), "password piped to `chpasswd`", "command")


def _echoed(word: Word) -> Iterator[Secret]:
    """Text an `echo` or `printf` writes, usually into a config file: settings and netrc lines."""
    for line in _ECHO_LINES.split(word.value):
        setting = _setting(line)
        if setting is not None:
            key, start, end = setting
            value = line[start:end]
            if _is_secret_key(key) and is_credential(value) and not is_public_key_id(_config_key(key), value):
                yield Secret(_value_span(word, value), f"secret in `{_config_key(key)}`", "command")
            continue
        parts = line.split()
        for index, part in enumerate(parts[:-1]):
            if part in _NETRC_PASSWORD and is_credential(parts[index + 1]):
                yield Secret(_value_span(word, parts[index + 1]), "password in a netrc entry", "command")


def _value_span(word: Word, value: str) -> Span:
    """Where `value` (a part of the word's unquoted text) is in the source; the whole word if unsure."""
    raw, span = word.raw, word.span
    position = raw.rfind(value) if value else -1
    if len(span) == len(raw) + 2 and word.quoted:  # a JSON string of exec form: the span has the quotes
        span = Span(span.start + 1, span.end - 1)
    if position < 0 or len(span) != len(raw):
        return word.span
    return Span(span.start + position, span.start + position + len(value))


# --- heredocs and config files ------------------------------------------------------------------------


def _data_heredocs(text: str, instruction: Instruction, commands: tuple[Command, ...]) -> Iterator[Secret]:
    """Heredocs of a RUN that the shell does not run: the data of `cat <<EOF > file`."""
    for heredoc in instruction.heredocs:
        if not _is_script(heredoc, commands):
            yield from _config_text(text, heredoc.body.start, heredoc.content)


def _is_script(heredoc: Heredoc, commands: tuple[Command, ...]) -> bool:
    body = heredoc.body
    return any(command.in_heredoc and body.start <= command.span.start < body.end for command in commands)


def _config_text(text: str, base: int, content: str) -> Iterator[Secret]:
    """Secret-named settings in config-file text that starts at `base` in the source."""
    if text[base : base + len(content)] != content:
        return  # a body whose text differs from the source (tab-stripped): no exact spans
    offset = 0
    for line in content.splitlines(keepends=True):
        yield from _config_line(line, base + offset)
        offset += len(line)


def _config_line(line: str, start: int) -> Iterator[Secret]:
    stripped = line.strip()
    if not stripped or stripped.startswith(("#", ";", "//") if "=" not in stripped else ("#", ";")):
        return
    setting = _setting(line)
    if setting is not None:
        key, value_start, value_end = setting
        value = line[value_start:value_end]
        if _is_secret_key(key) and is_credential(value):
            yield Secret(Span(start + value_start, start + value_end), f"secret in `{key}`", "config")
        return
    words = stripped.split()
    for index, word in enumerate(words[:-1]):
        if word in _NETRC_PASSWORD and is_credential(words[index + 1]):
            position = line.find(words[index + 1], line.find(word) + len(word))
            yield Secret(Span(start + position, start + position + len(words[index + 1])), "netrc password", "config")


def _setting(line: str) -> tuple[str, int, int] | None:
    """(key, value start, value end) of `key = value`, `key: value`, `export KEY=value`, `"key": "value",`."""
    equals = line.find("=")
    colon = min((i for i in (line.find(": "), line.find(":\t")) if i >= 0), default=-1)
    separator = min((i for i in (equals, colon) if i >= 0), default=-1)
    if separator <= 0:
        return None
    key = line[:separator].strip().removeprefix("export ").strip().strip("'\"")
    if not key or " " in key or len(key) > 200:
        return None
    start, end = separator + 1, len(line.rstrip("\r\n"))
    while start < end and line[start] in " \t":
        start += 1
    while end > start and line[end - 1] in " \t,;":
        end -= 1
    if end - start >= 2 and line[start] in "'\"" and line[end - 1] == line[start]:
        start, end = start + 1, end - 1
    return key, start, end


def _is_secret_key(key: str) -> bool:
    name = _config_key(key)
    return bool(name) and (strong_secret_word(name) is not None or name.lstrip("_").lower() in ("auth", "password"))


def _config_key(key: str) -> str:
    """The setting's own name: npm's `//registry.example.com/:_authToken` is `_authToken`."""
    return key.rsplit(":", 1)[-1] if key.startswith("//") else key

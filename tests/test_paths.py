"""Image and context paths compared as text (lintslim.analysis.paths)."""

from __future__ import annotations

import pytest

from lintslim.analysis.paths import (
    REMOTE,
    absolute,
    below_copy_source,
    below_shell_pattern,
    context_join,
    copies_into,
    has_glob,
    is_absolute,
    join,
    relative_to,
    within,
)


def test_join_cleans_and_reads_windows_paths() -> None:
    assert join("/app", "./src/") == "/app/src"
    assert join("/app", "/srv") == "/srv"
    assert join("/app", "..") == "/"
    assert join("/", "//a//b/../c/") == "/a/c"
    assert join("/app", "C:\\app\\bin") == "/C:/app/bin"
    assert is_absolute("C:\\app") and is_absolute("/app") and not is_absolute("app")


def test_absolute_needs_a_known_directory_for_relative_paths() -> None:
    assert absolute("out/app", "/src") == "/src/out/app"
    assert absolute("/out//app/", None) == "/out/app"
    assert absolute("out/app", None) is None
    assert absolute("C:\\app", "/src") == "/src/C:\\app"  # POSIX paths only


def test_within_and_relative_to() -> None:
    assert within("/app/src", "/app") and within("/app", "/app") and within("/x", "/")
    assert not within("/application", "/app")
    assert relative_to("/app/src/main.go", "/app") == "src/main.go" and relative_to("/app", "/app") == "."


def test_context_paths_urls_and_globs() -> None:
    assert context_join(".", "./app/") == "app" and context_join("src", "../x") == "x"
    assert context_join("src", "a/b") == "src/a/b"
    assert REMOTE.match("https://example.com/a.tgz") and REMOTE.match("git@github.com:o/r.git")
    assert not REMOTE.match("./https") and not REMOTE.match("/srv")
    assert has_glob("*.txt") and has_glob("a?") and has_glob("[ab]") and not has_glob("a/b")


def test_copy_destinations_that_are_directories() -> None:
    assert copies_into("/app/", 1) and copies_into(".", 1) and copies_into("./", 1) and copies_into("/app", 2)
    assert not copies_into("/app", 1) and not copies_into("app.py", 1)


@pytest.mark.parametrize(
    ("path", "source", "below"),
    [
        ("/app", "/app", ""),
        ("/app/bin/server", "/app", "bin/server"),
        ("/application", "/app", None),
        ("/srv/x", "/", "srv/x"),
        # Go's filepath.Match has no dotfile rule: `*` takes `.npmrc` (BuildKit copies it)
        ("/root/.npmrc", "/root/*", ""),
        ("/root/keys/a/id_rsa", "/root/*", "a/id_rsa"),  # a matching directory is taken whole
        ("/app/certs/server.key", "/app/*.key", None),  # `*` stays within one component
        ("/app/server.key", "/app/*.key", ""),
        ("/app/cmd/api/main", "/app/*/api", "main"),
        ("/app", "/app/*", None),  # the directory the pattern is matched in is not a match
        ("/app/a", "/app/[^b]", ""),  # Go negates with `^`
        ("/app/!", "/app/[!b]", ""),  # ... and `!` is a plain character
        ("/app/a", "/app/[!b]", None),
        ("/app/x", "/app/[", None),  # a bad pattern: the build fails, nothing is taken
    ],
)
def test_below_copy_source(path: str, source: str, below: str | None) -> None:
    assert below_copy_source(path, source) == below


@pytest.mark.parametrize(
    ("path", "pattern", "below"),
    [
        ("/root/.npmrc", "/root/.npmrc", ""),
        ("/root/.ssh/id_rsa", "/root/.ssh", "id_rsa"),
        # the shell's `*`, `?` and `[...]` never match a leading dot
        ("/root/.npmrc", "/root/*", None),
        ("/root/.npmrc", "/root/?npmrc", None),
        ("/root/.npmrc", "/root/[.]npmrc", None),
        ("/root/.npmrc", "/root/.*", ""),  # unless the pattern's component starts with one
        ("/root/.ssh/id_rsa", "/root/.ssh/*", ""),
        ("/root/.ssh/id_rsa", "/root/*/id_rsa", None),
        ("/root/keys/a/id_rsa", "/root/*", "a/id_rsa"),  # the directory matched; `rm -r` takes its content
        ("/app/certs/server.key", "/app/*.key", None),
        ("/app/a", "/app/[^b]", ""),  # bash negates with `^` as with `!`
        ("/app/b", "/app/[^b]", None),
        ("/app/a", "/app/[!b]", ""),
        ("<workdir>/.env", "<workdir>/*", None),
        ("<workdir>/key.pem", "<workdir>/*.pem", ""),
    ],
)
def test_below_shell_pattern(path: str, pattern: str, below: str | None) -> None:
    assert below_shell_pattern(path, pattern) == below

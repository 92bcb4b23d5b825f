"""The build context: which ignore file applies, what the build receives, what COPY sources take,
which files are credentials, and the context-reading rules (LS106, LS203) on real directories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lintslim.config import settings_from_mapping
from lintslim.context import build_context as build_context_module
from lintslim.context.build_context import BuildContext, context_path
from lintslim.context.credentials import credential_kind, holds_credential
from lintslim.context.sources import bind_mount_sources, context_sources
from lintslim.engine.linter import Linter, fix_text
from lintslim.engine.registry import default_registry
from lintslim.files import create_if_absent
from lintslim.rules.build.missing_dockerignore import suggested_dockerignore
from lintslim.syntax.parser import parse

PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ\n-----END PRIVATE KEY-----\n"
CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ0\n-----END CERTIFICATE-----\n"


def make(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def paths(entries: list[build_context_module.Entry]) -> list[str]:
    return sorted(entry.path for entry in entries)


# --- the ignore file in force --------------------------------------------------------------------------


def test_no_ignore_file(tmp_path: Path) -> None:
    context = BuildContext(make(tmp_path, {"app.py": ""}))
    assert context.ignore_file is None
    assert context.included(".env")


def test_context_dockerignore(tmp_path: Path) -> None:
    context = BuildContext(make(tmp_path, {".dockerignore": ".env\n", "app.py": ""}))
    assert context.ignore_file is not None and context.ignore_file.name == ".dockerignore"
    assert not context.included(".env")
    assert context.included("app.py")


def test_dockerfile_specific_ignore_file_wins(tmp_path: Path) -> None:
    make(tmp_path, {".dockerignore": "app.py\n", "docker/api.Dockerfile.dockerignore": ".env\n"})
    context = BuildContext(tmp_path, str(tmp_path / "docker" / "api.Dockerfile"))
    assert context.ignore_file is not None and context.ignore_file.name == "docker/api.Dockerfile.dockerignore"
    assert context.included("app.py")
    assert not context.included(".env")


def test_empty_dockerfile_specific_ignore_file_still_wins(tmp_path: Path) -> None:
    # BuildKit takes the file when it can read it, even empty: then nothing is excluded
    make(tmp_path, {".dockerignore": ".env\n", "Dockerfile.dockerignore": ""})
    context = BuildContext(tmp_path, str(tmp_path / "Dockerfile"))
    assert context.ignore_file is not None and context.ignore_file.name == "Dockerfile.dockerignore"
    assert context.included(".env")


def test_other_dockerfiles_ignore_file_does_not_apply(tmp_path: Path) -> None:
    make(tmp_path, {".dockerignore": ".env\n", "Dockerfile.dev.dockerignore": ""})
    context = BuildContext(tmp_path, str(tmp_path / "Dockerfile"))
    assert context.ignore_file is not None and context.ignore_file.name == ".dockerignore"


def test_ignore_file_buildkit_rejects(tmp_path: Path) -> None:
    context = BuildContext(make(tmp_path, {".dockerignore": "!\n"}))
    assert context.ignore_file is not None and context.ignore_file.matcher is None
    assert context.ignore_file.error is not None and "exclusion" in context.ignore_file.error
    assert context.included(".env")  # nothing is known to be excluded


def test_pending_ignore_file_counts(tmp_path: Path) -> None:
    context = BuildContext(make(tmp_path, {".env": "A=1\n"})).with_pending({".dockerignore": ".env\n"})
    assert context.exists(".dockerignore")
    assert not context.included(".env")
    assert not (tmp_path / ".dockerignore").exists()


# --- what the build receives -----------------------------------------------------------------------------


def test_listing_leaves_out_ignored_paths_and_keeps_exceptions(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            ".dockerignore": "docs\n!docs/README.md\n*.log\n",
            "docs/README.md": "",
            "docs/guide.md": "",
            "app.py": "",
            "error.log": "",
            "logs/app.log": "",
        },
    )
    files = paths(BuildContext(tmp_path).files_under("."))
    assert files == [".dockerignore", "app.py", "docs/README.md", "logs/app.log"]


def test_listing_does_not_enter_opaque_directories_or_follow_symlinks(tmp_path: Path) -> None:
    outside = make(tmp_path / "outside", {"id_rsa": PRIVATE_KEY})
    root = make(tmp_path / "context", {".git/config": "", "node_modules/pkg/key.pem": PRIVATE_KEY, "app.py": ""})
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "key.pem").symlink_to(outside / "id_rsa")
    listing = BuildContext(root).listing
    by_path = listing.by_path
    assert by_path[".git"].is_dir and by_path["node_modules"].is_dir
    assert ".git/config" not in by_path and "node_modules/pkg/key.pem" not in by_path
    assert by_path["linked"].is_symlink and "linked/id_rsa" not in by_path
    assert by_path["key.pem"].is_symlink and not by_path["key.pem"].is_file
    assert paths(BuildContext(root).files_under(".")) == ["app.py"]


def test_listing_stops_at_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_context_module, "MAX_ENTRIES", 5)
    make(tmp_path, {f"file{index}.txt": "" for index in range(10)} | {"z/.env": "A=1\n"})
    context = BuildContext(tmp_path)
    assert not context.listing.complete
    assert len(context.listing.entries) == 5
    # a named file is still found after the walk stopped short
    assert paths(context.files_matching("z/.env")) == ["z/.env"]


def test_unreadable_directory_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(tmp_path, {"app.py": "", "private/key.pem": PRIVATE_KEY})
    real_scandir = os.scandir

    def scandir(path: Path) -> object:
        if Path(path).name == "private":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert paths(BuildContext(tmp_path).files_under(".")) == ["app.py"]


def test_missing_context_directory(tmp_path: Path) -> None:
    context = BuildContext(tmp_path / "missing")
    assert not context.usable
    assert context.listing.entries == ()
    assert context.holds_only_dockerfiles()


def test_paths_outside_the_context_are_not_read(tmp_path: Path) -> None:
    make(tmp_path, {"secret.txt": "x", "context/app.py": ""})
    context = BuildContext(tmp_path / "context")
    assert not context.exists("../secret.txt")
    assert context.read_text("../secret.txt") is None


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"Dockerfile": "", "Dockerfile.dev": "", "app.Dockerfile": "", ".dockerignore": ""}, True),
        ({"Dockerfile": "", "Containerfile": ""}, True),
        ({"Dockerfile": "", "app.py": ""}, False),
        ({"Dockerfile": "", ".git/HEAD": ""}, False),
    ],
)
def test_holds_only_dockerfiles(tmp_path: Path, files: dict[str, str], expected: bool) -> None:
    assert BuildContext(make(tmp_path, files)).holds_only_dockerfiles() is expected


# --- COPY sources ------------------------------------------------------------------------------------------

TREE = {
    "app.py": "",
    "README.md": "",
    "config/app.yml": "",
    "config/prod/.env": "",
    "certs/a.pem": "",
    "certs/sub/b.pem": "",
    "conf.d/x.conf": "",
    "file[1].txt": "",
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (".", sorted(TREE)),
        ("./", sorted(TREE)),
        ("/", sorted(TREE)),
        ("app.py", ["app.py"]),
        ("/app.py", ["app.py"]),
        ("./config/", ["config/app.yml", "config/prod/.env"]),
        ("*.py", ["app.py"]),
        ("certs/*.pem", ["certs/a.pem"]),  # `*` stays in its directory
        ("certs/*", ["certs/a.pem", "certs/sub/b.pem"]),  # a matching directory is taken whole
        ("conf*", ["conf.d/x.conf", "config/app.yml", "config/prod/.env"]),
        ("*/prod", ["config/prod/.env"]),
        ("c?rts/a.pem", ["certs/a.pem"]),
        ("file[[]1].txt", ["file[1].txt"]),  # a class holding `[` matches a literal bracket
        ("missing.txt", []),
        ("config/[", []),  # a bad pattern takes nothing (the build fails)
    ],
)
def test_files_matching(tmp_path: Path, source: str, expected: list[str]) -> None:
    assert paths(BuildContext(make(tmp_path, TREE)).files_matching(source)) == expected


def test_files_matching_respects_the_ignore_file(tmp_path: Path) -> None:
    context = BuildContext(make(tmp_path, TREE | {".dockerignore": "**/.env\ncerts/sub\n"}))
    assert paths(context.files_matching("config")) == ["config/app.yml"]
    assert paths(context.files_matching("certs/*")) == ["certs/a.pem"]


@pytest.mark.parametrize(("source", "expected"), [("./app/", "app"), ("/", "."), ("a/../b", "b"), ("", ".")])
def test_context_path(source: str, expected: str) -> None:
    assert context_path(source) == expected


def test_context_sources_resolve_and_skip_what_is_not_the_context() -> None:
    dockerfile = parse(
        "ARG DIR=src\n"
        "FROM alpine AS build\n"
        "ARG DIR\n"
        "COPY ${DIR}/ ./app.py /app/\n"
        "COPY --from=build /x /y\n"
        "ADD https://example.com/a.tgz git@github.com:a/b.git /z/\n"
        "COPY <<EOF /etc/x\nhi\nEOF\n"
        "ONBUILD COPY . /app\n"
        'COPY ["conf dir/", "/etc/"]\n'
        "COPY $UNKNOWN /u/\n"
        "RUN --mount=type=bind,source=requirements.txt,target=/r.txt --mount=type=cache,target=/c true\n"
        "RUN --mount=type=bind,from=build,source=/x,target=/x true\n"
    )
    assert [source.path for source in context_sources(dockerfile)] == ["src", "app.py", "conf dir"]
    assert list(bind_mount_sources(dockerfile)) == ["requirements.txt"]


# --- credentials -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("id_rsa", "an SSH private key"),
        ("keys/id_ed25519", "an SSH private key"),
        ("id_ed25519_sk", "an SSH private key"),
        ("id_rsa.pub", None),
        ("home/.ssh/deploy", "an SSH key"),
        (".ssh/known_hosts", None),
        (".ssh/config", None),
        (".ssh", "an SSH directory"),
        (".aws", "AWS credentials"),
        (".aws/credentials", "AWS credentials"),
        (".npmrc", "npm credentials"),
        (".pypirc", "PyPI credentials"),
        (".netrc", "netrc credentials"),
        (".git-credentials", "git credentials"),
        (".docker/config.json", "Docker registry credentials"),
        ("config.json", None),
        ("kubeconfig", "a kubeconfig"),
        ("prod.kubeconfig", "a kubeconfig"),
        ("config/kube/config", "a kubeconfig"),
        (".kube/config", "a kubeconfig"),
        ("config/app/config", None),
        ("server.pem", "a PEM private key"),
        ("tls.key", "a private key"),
        ("store.p12", "a PKCS #12 key store"),
        ("fullchain.pem", None),
        ("ca2cert.pem", None),
        ("rsapub.pem", None),
        ("rootCA.pem", None),
        ("sks-keyservers.netCA.pem", None),
        ("rootCA-key.pem", "a PEM private key"),  # a private-key word wins over a CA word
        ("cert-key.pem", "a PEM private key"),
        ("rds-ca-2019-root.pem", None),
        ("certs/server.crt", None),
        ("nodesource.gpg.key", None),
        ("usr/share/ca-certificates/x.pem", None),
        (".env", "an environment file"),
        (".env.production", "an environment file"),
        (".env.local", "an environment file"),
        (".env.example", None),
        (".env.sample", None),
        (".env.template", None),
        (".env.dist", None),
        ("app/.env.example.local", None),
        ("environment.py", None),
        ("README.md", None),
    ],
)
def test_credential_kind(path: str, kind: str | None) -> None:
    assert credential_kind(path) == kind


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("a PEM private key", PRIVATE_KEY, True),
        ("a PEM private key", CERTIFICATE, False),
        ("a PEM private key", CERTIFICATE + PRIVATE_KEY, True),
        ("a private key", "-----BEGIN PGP PUBLIC KEY BLOCK-----\nx\n", False),
        ("an SSH private key", "ssh-ed25519 AAAAC3Nz user@host\n", False),
        ("a private key", None, True),  # unknown content: the name decides
        ("a private key", "  \n", False),  # an empty file holds nothing
        ("npm credentials", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n", False),
        ("npm credentials", "//registry.npmjs.org/:_authToken=npm_abcdef\n", True),
        ("npm credentials", "_auth = dXNlcjpwYXNz\n", True),
        ("npm credentials", "registry=https://npm.example.com/\n", False),
        ("PyPI credentials", "[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc\n", True),
        ("PyPI credentials", "[distutils]\nindex-servers = pypi\n", False),
        ("netrc credentials", "machine github.com login x password ghp_abc\n", True),
        ("netrc credentials", "machine example.com login anonymous\n", False),
        ("AWS credentials", "[default]\naws_access_key_id = AKIA\naws_secret_access_key = abc\n", True),
        ("AWS credentials", "[default]\nregion = eu-west-1\n", False),
        ("Docker registry credentials", '{"auths": {"r.io": {"auth": "dXNlcjpw"}}}', True),
        ("Docker registry credentials", '{"credsStore": "desktop"}', False),
        ("a kubeconfig", "users:\n- name: a\n  user:\n    token: abc\n", True),
        ("a kubeconfig", "users:\n- name: a\n  user:\n    exec:\n      command: aws\n", False),
        ("an environment file", "# nothing set\nexport EMPTY=\n", False),
        ("an environment file", "DB_PASSWORD=hunter2\n", True),
        ("git credentials", "https://user:token@github.com\n", True),
    ],
)
def test_holds_credential(kind: str, text: str | None, expected: bool) -> None:
    assert holds_credential(kind, text) is expected


# --- the rules on real directories --------------------------------------------------------------------------


def lint(code: str, text: str, context: Path | None, dockerfile_path: str | None = None) -> list[tuple[str, str]]:
    registry = default_registry()
    linter = Linter.for_path(registry, settings_from_mapping({"select": [code]}, registry), None, context)
    _, diagnostics = linter.lint_text(text, dockerfile_path)
    return [(diagnostic.severity.value, diagnostic.message) for diagnostic in diagnostics]


def test_ls203_severity_follows_the_stage(tmp_path: Path) -> None:
    text = (
        "FROM golang:1.22 AS build\n"
        "COPY id_rsa /root/.ssh/id_rsa\n"
        "FROM alpine:3.20\n"
        "COPY --from=build /etc/hostname /x\n"
        "COPY .npmrc /root/\n"
    )
    found = lint("LS203", text, None)
    assert [severity for severity, _ in found] == ["warning", "error"]
    assert "build stage `build`" in found[0][1]
    assert "into the image" in found[1][1]


def test_ls203_build_stage_file_that_an_image_copies_out_is_in_the_image(tmp_path: Path) -> None:
    """Found in a public NestJS Dockerfile: the final stage copies the env file out of the build stage."""
    text = (
        "FROM node:20-alpine AS build\n"
        "WORKDIR /usr/src/app\n"
        "COPY .env.docker ./.env.docker\n"
        "COPY . .\n"
        "FROM node:20-alpine\n"
        "COPY --from=build /usr/src/app/dist ./dist\n"
        "COPY --from=build /usr/src/app/.env.docker ./.env.docker\n"
    )
    [(severity, message)] = lint("LS203", text, None)
    assert severity == "error"
    assert "line 7 copies it from there into the image" in message
    make(tmp_path, {".env": "A=1\n", "main.py": ""})
    whole = "FROM python:3.12 AS build\nWORKDIR /app\nCOPY . .\nFROM python:3.12-slim\nCOPY --from=build /app /srv\n"
    assert [severity for severity, _ in lint("LS203", whole, tmp_path)] == ["error"]
    only_dist = whole.replace("--from=build /app ", "--from=build /app/dist ")
    assert [severity for severity, _ in lint("LS203", only_dist, tmp_path)] == ["warning"]
    (tmp_path / ".npmrc").write_text("//registry.npmjs.org/:_authToken=npm_Tq8Wz3Lm6Xp1Rb4Yk9Nc2Vh7Jd5Gs1Pf8Qw3\n")
    only_env = whole.replace("--from=build /app ", "--from=build /app/.env ")
    [(_, message)] = lint("LS203", only_env, tmp_path)
    assert "line 5 copies `.env` from there into the image" in message and "`.npmrc`" in message


def test_ls203_copy_from_patterns_match_as_buildkit_does() -> None:
    """A `COPY --from` pattern is Go's filepath.Match per component (`*` did cross `/` here): `*` stays
    in its directory, a matching directory is taken whole, and dotfiles match `*` (no dotfile rule)."""

    def severities(taken: str, key: str = "/app/certs/server.key") -> list[str]:
        build = f"FROM alpine:3.20 AS build\nCOPY deploy/server.key {key}\n"
        text = f"{build}FROM alpine:3.20\nCOPY --from=build {taken} /srv/\n"
        return [severity for severity, _ in lint("LS203", text, None)]

    assert severities("/app/*.key") == ["warning"]  # /app/certs is not `*.key`: the key stays behind
    assert severities("/app/*") == ["error"]  # /app/certs matches and comes whole
    assert severities("/app/c[a-z]rts/*.key") == ["error"]
    assert severities("/app/*", key="/app/.server.key") == ["error"]  # BuildKit's `*` takes dotfiles


def test_ls203_never_shows_file_content(tmp_path: Path) -> None:
    make(tmp_path, {".env": "API_TOKEN=tok_live_abcdef123456\n", "id_rsa": PRIVATE_KEY, "app.py": ""})
    found = lint("LS203", "FROM alpine\nCOPY . /app\n", tmp_path)
    assert len(found) == 1
    message = found[0][1]
    assert "`.env`" in message and "`id_rsa`" in message
    assert "tok_live" not in message and "MC4CAQ" not in message


def test_ls203_dockerfile_specific_ignore_file(tmp_path: Path) -> None:
    make(tmp_path, {".env": "A=1\n", "app.py": "", "api.Dockerfile.dockerignore": ".env\n"})
    text = "FROM alpine\nCOPY . /app\n"
    assert lint("LS203", text, tmp_path, str(tmp_path / "api.Dockerfile")) == []
    assert len(lint("LS203", text, tmp_path, str(tmp_path / "Dockerfile"))) == 1


def test_ls203_names_at_most_four_files(tmp_path: Path) -> None:
    make(tmp_path, {f"k{index}.pem": PRIVATE_KEY for index in range(6)})
    (message,) = [message for _, message in lint("LS203", "FROM alpine\nCOPY . /app\n", tmp_path)]
    assert message.endswith("and 2 more")


def test_ls106_dockerfile_specific_ignore_file_counts(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": "", "Dockerfile.dockerignore": ".git\n"})
    text = "FROM alpine\nCOPY . /app\n"
    assert lint("LS106", text, tmp_path, str(tmp_path / "Dockerfile")) == []
    assert len(lint("LS106", text, tmp_path, str(tmp_path / "other.Dockerfile"))) == 1


def test_ls106_fix_creates_the_file_once_and_converges(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": "", ".env": "A=1\n", "Cargo.toml": "[package]\n"})
    registry = default_registry()
    linter = Linter.for_path(registry, settings_from_mapping({"select": ["LS106"]}, registry), None, tmp_path)
    text = "FROM rust:1.80\nCOPY . .\n"
    safe = fix_text(linter, text)
    assert safe.new_files == {} and [d.code for d in safe.diagnostics] == ["LS106"]
    outcome = fix_text(linter, text, unsafe=True)
    assert outcome.problems == [] and outcome.text == text
    assert outcome.applied == {"LS106": 1} and outcome.diagnostics == []
    assert list(outcome.new_files) == [".dockerignore"]
    lines = outcome.new_files[".dockerignore"].splitlines()
    assert {".git", "**/.env", "**/.env.*", "**/node_modules", "target", "Dockerfile*", ".dockerignore"} <= set(lines)
    assert not (tmp_path / ".dockerignore").exists()  # fixing only computes; the CLI writes
    assert fix_text(linter, text, unsafe=True, new_files=False).new_files == {}


def test_ls106_fix_keeps_what_the_dockerfile_copies(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "app.py": "",
            ".env.production": "A=1\n",
            "node_modules/x/index.js": "",
            "Dockerfile.base": "",
            "requirements.txt": "",
            "secrets/service.key": PRIVATE_KEY,
            "certs/ca.pem": CERTIFICATE,
            ".npmrc": "//r/:_authToken=${T}\n",
        },
    )
    text = (
        "FROM python:3.12\n"
        "COPY .env.production /app/.env\n"
        "COPY node_modules /app/node_modules\n"
        "COPY Dockerfile.base /meta/\n"
        "RUN --mount=type=bind,source=requirements.txt,target=/r.txt pip install -r /r.txt\n"
        "COPY . /app\n"
    )
    lines = suggested_dockerignore(BuildContext(tmp_path), parse(text)).splitlines()
    assert "**/.env.*" not in lines and "**/node_modules" not in lines and "Dockerfile*" not in lines
    assert "**/.env" in lines and ".git" in lines
    assert "secrets/service.key" in lines  # a key in the context: listed by its path
    assert not any("ca.pem" in line or ".npmrc" in line for line in lines)  # a certificate, a token reference


def test_ls106_fix_lists_the_dockerfile_itself(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": "", "docker/api.dockerfile": ""})
    dockerfile = parse("FROM alpine\nCOPY . /app\n", str(tmp_path / "docker" / "api.dockerfile"))
    assert "docker/api.dockerfile" in suggested_dockerignore(BuildContext(tmp_path), dockerfile).splitlines()


# --- creating files ----------------------------------------------------------------------------------------


def test_create_if_absent(tmp_path: Path) -> None:
    target = tmp_path / ".dockerignore"
    assert create_if_absent(target, ".git\n")
    assert target.read_text() == ".git\n"
    assert not create_if_absent(target, "other\n")
    assert target.read_text() == ".git\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [".dockerignore"]  # no temporary left


def test_create_if_absent_follows_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        create_if_absent(tmp_path / "new", "x")
    finally:
        os.umask(previous)
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o640


def test_named_sources_do_not_list_the_whole_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(tmp_path, {"app.py": "", "src/a/main.py": "", "src/b.key": PRIVATE_KEY, "big/x.txt": ""})
    walked: list[str] = []
    real_walk = build_context_module._walk

    def walk(root: Path, matcher: object, start: str) -> tuple[list[build_context_module.Entry], bool]:
        walked.append(start)
        return real_walk(root, matcher, start)  # type: ignore[arg-type]

    monkeypatch.setattr(build_context_module, "_walk", walk)
    context = BuildContext(tmp_path)
    assert paths(context.files_matching("app.py")) == ["app.py"]
    assert walked == []  # a file is looked up directly
    assert paths(context.files_matching("src")) == ["src/a/main.py", "src/b.key"]
    assert paths(context.files_matching("src/*.key")) == ["src/b.key"]
    assert walked == ["src"]  # one walk of that subtree, reused
    lint_found = lint("LS203", "FROM alpine\nCOPY app.py /app/\n", tmp_path)
    assert lint_found == [] and "" not in walked


def test_the_context_root_exists_and_is_a_directory(tmp_path: Path) -> None:
    context = BuildContext(tmp_path)
    assert context.exists(".") and context.is_dir(".")
    assert context.exists("./") and not context.exists("missing")


def test_binary_dockerignore_is_still_the_ignore_file(tmp_path: Path) -> None:
    """A `.dockerignore` with a NUL byte was taken for no ignore file, and LS106 offered to create one
    over it (found by fuzzing build contexts)."""
    make(tmp_path, {"app.py": "", ".env": "A=1\n"})
    (tmp_path / ".dockerignore").write_bytes(b"\x00\n.env\n")
    context = BuildContext(tmp_path, None)
    assert context.ignore_file is not None and not context.included(".env")
    assert lint("LS106", "FROM python:3.12\nCOPY . /app\n", tmp_path) == []


def test_dockerignore_directory_ignores_nothing_and_blocks_creating_one(tmp_path: Path) -> None:
    """BuildKit's frontend ignores the error reading a `.dockerignore` that is a directory and applies
    no patterns.  LS106 took it for an unreadable ignore file and said nothing, LS203 stopped
    checking, and before that LS106 offered to create the file where the directory is."""
    make(tmp_path, {"app.py": "", ".env": "A=1\n", ".dockerignore/patterns": ".env\n"})
    context = BuildContext(tmp_path, None)
    assert context.ignore_file is None and context.ignore_path_is_directory
    assert context.included(".env") and ".dockerignore/patterns" in context.listing.by_path
    text = "FROM python:3.12\nCOPY . /app\n"
    [(_, message)] = lint("LS106", text, tmp_path)
    assert "`.dockerignore` is a directory" in message and "`.env` goes in too" in message
    assert [severity for severity, _ in lint("LS203", text, tmp_path)] == ["error"]  # the `.env` is copied


def test_dockerfile_specific_ignore_directory_falls_back_to_the_context_one(tmp_path: Path) -> None:
    """BuildKit reads `<Dockerfile>.dockerignore` and, when that fails, the context's `.dockerignore`."""
    make(tmp_path, {"app.py": "", ".env": "A=1\n", ".dockerignore": ".env\n", "api.Dockerfile.dockerignore/x": ""})
    context = BuildContext(tmp_path, str(tmp_path / "api.Dockerfile"))
    ignore = context.ignore_file
    assert ignore is not None and ignore.name == ".dockerignore" and not context.included(".env")


# --- LS107: sources that leave the context ---------------------------------------------------------------


def outside_with_traps(tmp_path: Path) -> Path:
    """A directory outside the context whose files must never be read: a FIFO (a read would block)
    and a file nobody may read (a read would fail)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    os.mkfifo(outside / "app.yaml")
    secret = outside / "secret.txt"
    secret.write_text("do not read\n")
    secret.chmod(0)
    return outside


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo") or not hasattr(os, "symlink"), reason="needs POSIX")


@needs_fifo
def test_ls107_symlinked_directory_out_of_the_context_is_reported_never_read(tmp_path: Path) -> None:
    outside = outside_with_traps(tmp_path)
    context = make(tmp_path / "context", {"app.py": "print(1)\n"})
    (context / "config").symlink_to(outside)
    (context / "secret").symlink_to("../outside/secret.txt")
    text = "FROM alpine:3.20\nCOPY config/app.yaml /etc/app.yaml\nCOPY secret /run/secret\nCOPY config/*.yaml /etc/\n"
    found = lint("LS107", text, context)
    assert [message.split(":", 1)[0] for _, message in found] == [
        f"`COPY config/app.yaml` goes through `config`, a symlink to `{outside}` outside the build context",
        "`COPY secret` goes through `secret`, a symlink to `../outside/secret.txt` outside the build context",
        f"`COPY config/*.yaml` goes through `config`, a symlink to `{outside}` outside the build context",
    ]


@needs_fifo
def test_ls107_links_inside_the_context_and_loops_are_not_findings(tmp_path: Path) -> None:
    context = make(tmp_path / "context", {"real/app.yaml": "a: 1\n"})
    (context / "config").symlink_to("real")
    (context / "nested").mkdir()
    (context / "nested" / "up").symlink_to("../real/app.yaml")
    (context / "loop").symlink_to("loop")
    (context / "absolute").symlink_to(context / "real")  # BuildKit roots it at the context: not this rule's case
    text = "FROM alpine:3.20\nCOPY config/app.yaml nested/up loop absolute/app.yaml /etc/\n"
    assert lint("LS107", text, context) == []


@needs_fifo
def test_ls107_chain_of_links_ending_outside(tmp_path: Path) -> None:
    outside = outside_with_traps(tmp_path)
    context = make(tmp_path / "context", {"app.py": "print(1)\n"})
    (context / "first").symlink_to("second")
    (context / "second").symlink_to(str(outside / "app.yaml"))
    found = lint("LS107", "FROM alpine:3.20\nCOPY first /x\n", context)
    assert len(found) == 1 and "`second`, a symlink to" in found[0][1]


def test_climbs_out() -> None:
    dockerfile = parse("FROM a\nCOPY ../x a/../../y a/../z /./../w ./.. /abs /d/\n")
    assert [(source.resolved, source.climbs_out) for source in context_sources(dockerfile)] == [
        ("../x", True), ("a/../../y", True), ("a/../z", False), ("/./../w", True), ("./..", True), ("/abs", False),
    ]  # fmt: skip

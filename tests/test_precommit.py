"""The pre-commit hooks, run by the real pre-commit on a real git repository.

pre-commit installs the hook from a git repository at a revision.  The fixture `lintslim_repository`
commits a snapshot of this checkout's working tree (tracked files as they are on disk, and untracked
ones git does not ignore), so the hooks under test are the code under test, committed or not.

`pre-commit try-repo` builds the hook's virtualenv in a temporary store on every call (~5 s with a
local package index), so it runs twice: once per hook.  The other runs go through `pre-commit run`
with a `.pre-commit-config.yaml` written by `lintslim init`, as a user's would be; they share one
module-scoped PRE_COMMIT_HOME, so that virtualenv is built once.  Building it pip-installs lintslim
and its dependencies: the package index must be reachable.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from lintslim.cli import main

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
HAS_PRE_COMMIT = importlib.util.find_spec("pre_commit") is not None or shutil.which("pre-commit") is not None

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(not HAS_PRE_COMMIT, reason="pre-commit is not installed (it is in the `test` extra)"),
]

CLEAN = "FROM alpine:3.20\nRUN echo hello\n"
UNFIXABLE = "FROM alpine:3.20\n# lintslim: ignore=LS999\nRUN echo hello\n"  # LS901, which has no fix
FIXABLE = 'FROM alpine:3.20\nADD run.sh /usr/local/bin/run.sh\nCMD ["run.sh"]\n'  # LS503, a safe fix
FIXED = 'FROM alpine:3.20\nCOPY run.sh /usr/local/bin/run.sh\nCMD ["run.sh"]\n'
PROJECT_FILES = {
    "Dockerfile": CLEAN,
    "services/bad.Dockerfile": UNFIXABLE,
    "Dockerfile.fixable": FIXABLE,
    "run.sh": "#!/bin/sh\necho hello\n",
    # identify tags this name `dockerfile` too; the hooks' `exclude` must keep it out (linted, it is LS900s)
    "Dockerfile.dockerignore": "node_modules\n*.log\n",
    # excluded by the project's config: the hooks pass --force-exclude, as pre-commit names every file
    "legacy/Dockerfile": UNFIXABLE,
    "pyproject.toml": '[tool.lintslim]\nexclude = ["legacy/*"]\n',
}


def _pre_commit() -> list[str]:
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]  # the one installed beside these tests
    return [str(shutil.which("pre-commit"))]


def _run(command: Sequence[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False)


def _git(cwd: Path, env: dict[str, str], *arguments: str) -> str:
    result = _run(["git", *arguments], cwd, env)
    assert result.returncode == 0, f"git {' '.join(arguments)}: {result.stderr}"
    return result.stdout


def _output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """git that commits on a clean machine (no user config, no signing), and one PRE_COMMIT_HOME for the module."""
    home = tmp_path_factory.mktemp("git-home")
    gitconfig = home / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = lintslim tests\n\temail = tests@lintslim.invalid\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n"
    )
    # inherited GIT_* variables (GIT_DIR, GIT_INDEX_FILE when run from a git hook) would aim at another repository
    env = {name: value for name, value in os.environ.items() if not name.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")),
        PRE_COMMIT_COLOR="never",
        NO_COLOR="1",
    )
    return env


@pytest.fixture(scope="module")
def lintslim_repository(tmp_path_factory: pytest.TempPathFactory, environment: dict[str, str]) -> tuple[Path, str]:
    """A git repository holding this checkout's working tree, committed; its path and the commit."""
    listing = _run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPOSITORY_ROOT, environment
    )
    if listing.returncode != 0:
        pytest.skip(f"{REPOSITORY_ROOT} is not a git checkout; pre-commit installs hooks from git repositories")
    snapshot = tmp_path_factory.mktemp("lintslim-snapshot")
    for relative in filter(None, listing.stdout.split("\0")):
        source = REPOSITORY_ROOT / relative
        if source.is_file() or source.is_symlink():  # a file deleted but not yet staged is listed too
            target = snapshot / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)
    _git(snapshot, environment, "init", "-q")
    _git(snapshot, environment, "add", "-A")
    _git(snapshot, environment, "commit", "-q", "-m", "snapshot of the working tree")
    return snapshot, _git(snapshot, environment, "rev-parse", "HEAD").strip()


@pytest.fixture
def project(tmp_path: Path, environment: dict[str, str]) -> Path:
    """A git repository with a clean Dockerfile, one with a finding that has no fix, one that fixes cleanly."""
    root = tmp_path / "project"
    for relative, text in PROJECT_FILES.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    _git(root, environment, "init", "-q")
    _git(root, environment, "add", "-A")
    _git(root, environment, "commit", "-q", "-m", "Dockerfiles")
    return root


def _try_repo(project: Path, env: dict[str, str], repository: tuple[Path, str], hook: str) -> str:
    path, commit = repository
    command = [*_pre_commit(), "try-repo", str(path), hook, "--ref", commit, "--all-files", "--color", "never"]
    result = _run(command, project, env)
    assert result.returncode == 1, _output(result)  # findings, or files the hook modified
    return _output(result)


def _configure(project: Path, repository: tuple[Path, str], *, fix: bool) -> None:
    """The config `lintslim init` writes, pointed at the snapshot instead of GitHub."""
    path, commit = repository
    assert main(["init", str(project), "--rev", commit, *(["--fix"] if fix else [])]) == 0
    config = project / ".pre-commit-config.yaml"
    config.write_text(config.read_text().replace("https://github.com/lintslim/lintslim", str(path)))


def _run_hook(project: Path, env: dict[str, str], hook: str, *files: str) -> subprocess.CompletedProcess[str]:
    return _run([*_pre_commit(), "run", hook, "--color", "never", "--files", *files], project, env)


def test_the_check_hook_fails_on_findings_and_shows_each_on_one_line(
    project: Path, environment: dict[str, str], lintslim_repository: tuple[Path, str]
) -> None:
    output = _try_repo(project, environment, lintslim_repository, "lintslim")
    assert "services/bad.Dockerfile:2:1: LS901 Suppression names unknown rule `LS999`" in output
    assert "Dockerfile.fixable:2:1: LS503 [*] `ADD` used for local file: run.sh" in output
    assert "Found 2 findings (1 fixable with `--fix`)." in output
    reported = [line.split(":", 1)[0] for line in output.splitlines() if ": LS" in line]
    assert sorted(reported) == ["Dockerfile.fixable", "services/bad.Dockerfile"]  # not the clean, ignored or excluded
    assert (project / "Dockerfile.fixable").read_text() == FIXABLE  # checking writes nothing


def test_the_check_hook_passes_a_clean_file(
    project: Path, environment: dict[str, str], lintslim_repository: tuple[Path, str]
) -> None:
    _configure(project, lintslim_repository, fix=False)
    result = _run_hook(project, environment, "lintslim", "Dockerfile")
    assert result.returncode == 0, _output(result)
    assert "lintslim" in result.stdout
    assert "Passed" in result.stdout


def test_the_fix_hook_rewrites_the_fixable_file_and_a_second_run_passes(
    project: Path, environment: dict[str, str], lintslim_repository: tuple[Path, str]
) -> None:
    output = _try_repo(project, environment, lintslim_repository, "lintslim-fix")
    assert "files were modified by this hook" in output
    assert "Fixed 1 × LS503 in Dockerfile.fixable" in output
    assert "services/bad.Dockerfile:2:1: LS901 Suppression names unknown rule `LS999`" in output
    assert (project / "Dockerfile.fixable").read_text() == FIXED
    assert (project / "services/bad.Dockerfile").read_text() == UNFIXABLE  # no fix: left as it was
    assert (project / "legacy/Dockerfile").read_text() == UNFIXABLE

    _configure(project, lintslim_repository, fix=True)
    again = _run_hook(project, environment, "lintslim-fix", "Dockerfile.fixable")
    assert again.returncode == 0, _output(again)
    assert (project / "Dockerfile.fixable").read_text() == FIXED
    config = project / ".pre-commit-config.yaml"  # now the check hook, on the fixed file
    config.write_text(config.read_text().replace("id: lintslim-fix", "id: lintslim"))
    check = _run_hook(project, environment, "lintslim", "Dockerfile.fixable")
    assert check.returncode == 0, _output(check)


def test_the_hooks_exclude_what_directory_walks_pass_over() -> None:
    """pre-commit names files explicitly, so its `exclude` must leave out the names `check DIR` skips."""
    import re

    from ruamel.yaml import YAML

    from lintslim.files import NOT_DOCKERFILE_SUFFIXES

    hooks = YAML(typ="safe").load((REPOSITORY_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for hook in hooks:
        exclude = re.compile(hook["exclude"])
        for suffix in NOT_DOCKERFILE_SUFFIXES:
            assert exclude.search(f"Dockerfile{suffix}"), (hook["id"], suffix)
        assert not exclude.search("Dockerfile.dev")

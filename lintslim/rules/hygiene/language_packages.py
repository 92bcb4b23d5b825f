"""Language package managers in RUN: pip's cache, yarn's cache, and version pins (LS540–LS545)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lintslim.analysis.dependencies import PIP_PROGRAM, PIP_VALUE_OPTIONS, PYTHON_PROGRAM, pip_install
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Option, Rule, RuleContext, Severity
from lintslim.rules.hygiene._run_helpers import chain_before, scripts
from lintslim.syntax.nodes import Instruction
from lintslim.syntax.shell import Command, Word, iter_run_commands, shell_commands
from lintslim.syntax.stages import BuildGraph, cache_mount_targets, under_any

_ALLOW_RANGES = Option(bool, False, "Accept version ranges (`>=1.2`, `^1.2`) as pins, as hadolint does")
_RANGE_SYMBOLS = (">=", "<=", "~=", "!=", "<", ">")


# --- reading command lines ------------------------------------------------------------------------


def operands(words: tuple[Word, ...], value_options: frozenset[str]) -> tuple[list[Word], set[str]]:
    """The operand words (not options, not option values) and the option names present (`--opt=v` → `--opt`)."""
    found: list[Word] = []
    options: set[str] = set()
    skip_value = False
    for index, word in enumerate(words):
        value = word.value
        if skip_value:
            skip_value = False
        elif value == "--":
            found += words[index + 1 :]
            break
        elif value.startswith("-") and len(value) > 1:
            name = value.split("=", 1)[0]
            options.add(name)
            skip_value = "=" not in value and name in value_options
        else:
            found.append(word)
    return found, options


def _has_variable(word: Word) -> bool:
    return "$" in word.value or "`" in word.value


# --- LS540 pip cache --------------------------------------------------------------------------------


def _pip_cache_disabled(graph: BuildGraph, instruction: Instruction, command: Command, earlier: list[Command]) -> bool:
    """`PIP_NO_CACHE_DIR` set by ENV/ARG, on the command, or exported earlier in the script (any value: pip
    disables the cache whatever the value says, see pip's `_handle_no_cache_dir`)."""
    if "PIP_NO_CACHE_DIR" in command.assignments or "PIP_NO_CACHE_DIR" in graph.scope_at(instruction).values:
        return True
    return any(
        previous.name == "export" and any(arg.startswith("PIP_NO_CACHE_DIR=") for arg in previous.args)
        for previous in earlier
    )


def _clears_pip_cache(command: Command) -> bool:
    """`pip cache purge`, or an `rm` of a home's pip cache (`rm -rf ~/.cache/pip`, `/root/.cache`): the
    cache is gone before the layer is written."""
    if command.name == "rm":
        return any(_is_pip_cache_path(word.value) for word in command.argv[1:] if not word.value.startswith("-"))
    argv = [word.value for word in command.argv]
    if PYTHON_PROGRAM.fullmatch(command.name or "") and argv[1:2] == ["-m"]:
        argv = argv[2:]
    return (
        bool(argv) and PIP_PROGRAM.fullmatch(argv[0].rsplit("/", 1)[-1]) is not None and argv[1:3] == ["cache", "purge"]
    )


def _is_pip_cache_path(path: str) -> bool:
    """`~/.cache/pip`, `$HOME/.cache`, `/root/.cache/pip/*`, `/home/app/.cache`…: pip's default cache or the
    cache directory holding it."""
    trimmed = path.removesuffix("/*").rstrip("/")
    return trimmed.endswith(("/.cache/pip", "/.cache")) and trimmed.startswith(
        ("~", "$HOME", "${HOME}", "/root", "/home/")
    )


def _pip_cache_mounted(graph: BuildGraph, instruction: Instruction, command: Command, args: tuple[str, ...]) -> bool:
    """A cache or tmpfs mount at pip's cache directory: `--cache-dir`, `$PIP_CACHE_DIR`, else `~/.cache/pip`
    of whichever home (root's or the USER's), or `$XDG_CACHE_HOME`."""
    targets = cache_mount_targets(graph, instruction)
    if not targets:
        return False
    scope = graph.scope_at(instruction).values
    explicit = (
        _option_value(args, "--cache-dir") or command.assignments.get("PIP_CACHE_DIR") or scope.get("PIP_CACHE_DIR")
    )
    if explicit:
        resolved = graph.resolve(explicit, instruction)
        return resolved.complete and under_any(resolved.value, targets)
    candidates = [target for target in targets if target.endswith(("/.cache/pip", "/.cache"))]
    xdg = scope.get("XDG_CACHE_HOME")
    return bool(candidates) or (xdg is not None and under_any(xdg + "/pip", targets))


def _option_value(args: tuple[str, ...], name: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg[len(name) + 1 :]
    return None


class PipNoCacheDir(Rule):
    """`pip install` keeps its download cache in the image.

    ## What it does
    Flags `pip install` (and `python -m pip install`) without `--no-cache-dir` in the stages that
    become images and the stages they build on.  It stays quiet when the cache cannot end up in the
    image:

    - the `RUN` mounts a cache or tmpfs at pip's cache directory (`--mount=type=cache,target=/root/.cache/pip`,
      `~/.cache` of another user, `$PIP_CACHE_DIR`, the `--cache-dir` given): there `--no-cache-dir`
      would only defeat the mount, which is what hadolint asks for (hadolint#497);
    - `PIP_NO_CACHE_DIR` is set, by `ENV`, on the command or with `export` earlier in the script (pip
      turns the cache off whatever its value);
    - the same script empties the cache after the install (`pip cache purge`, `rm -rf ~/.cache/pip`,
      `/root/.cache`), which hadolint does not see;
    - the stage is only a build step whose files other stages copy from: its cache is thrown away.

    `uv pip`, `poetry` and `pipenv` are other tools with other caches and flags (`uv --no-cache`);
    `pip download` and `pip wheel` write files meant to be copied elsewhere and are not flagged.

    ## Why is this bad?
    pip keeps every wheel it downloads or builds under `~/.cache/pip`.  In a `RUN`, that cache
    becomes part of the layer: tens to hundreds of megabytes that nothing in the image reads again.

    ## Fix safety
    The fix inserts `--no-cache-dir` after `install`.  It is safe: the same packages are installed,
    only the cache is not written.  No fix is offered for exec-form `RUN`.
    """

    code = "LS540"
    name = "pip-no-cache-dir"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3042",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        for instruction in graph.in_images("RUN"):
            for script in scripts(ctx.dockerfile, instruction):
                for position, command in enumerate(script):
                    diagnostic = self._check_command(graph, instruction, command, script, position)
                    if diagnostic is not None:
                        yield diagnostic

    def _check_command(
        self, graph: BuildGraph, instruction: Instruction, command: Command, script: list[Command], position: int
    ) -> Diagnostic | None:
        found = pip_install(command, uv=False)
        if found is None:
            return None
        install, _ = found
        args = command.args
        if "--no-cache-dir" in args or _pip_cache_disabled(graph, instruction, command, script[:position]):
            return None
        if any(_clears_pip_cache(later) for later in script[position + 1 :]):
            return None
        if _pip_cache_mounted(graph, instruction, command, args):
            return None
        fix = None
        if not instruction.is_json:
            fix = Fix.safe("Add `--no-cache-dir`", Edit.insert(install.span.end, " --no-cache-dir"))
        return self.report(
            command.argv[0].span.cover(install.span),
            "`pip install` without `--no-cache-dir` keeps pip's download cache in the image",
            fix=fix,
        )


# --- LS541–LS544 version pins -------------------------------------------------------------------------

_PIP_LOCAL_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2")
_EXTRAS_AND_MARKERS = re.compile(r"\[[^\]]*\]|;.*$")


def _pip_word_pin(value: str, allow_ranges: bool) -> str | None:
    """Why a pip requirement word is not pinned, or None when it is (or is not a package name at all)."""
    if value.startswith((".", "/", "~", "file:")) or value.endswith(_PIP_LOCAL_SUFFIXES):
        return None  # a local path, wheel or archive: a fixed file
    if "://" in value or value.startswith(("git+", "hg+", "svn+", "bzr+")):
        if not value.startswith(("git+", "hg+", "svn+", "bzr+")):
            return None  # a URL to an archive: a fixed file
        path = value.split("://", 1)[-1].split("/", 1)[-1].split("#", 1)[0]
        return None if "@" in path else "a VCS URL without `@<ref>`"
    if "/" in value or "@" in value:
        return None  # a path, or `name@ url` (a direct reference)
    spec = _EXTRAS_AND_MARKERS.sub("", value)
    if "==" in spec:
        return None
    if any(symbol in spec for symbol in _RANGE_SYMBOLS):
        return None if allow_ranges else "a version range, not a pin"
    return "no version"


class PipUnpinned(Rule):
    """`pip install` of a package without a pinned version (opt-in).

    ## What it does
    Flags each package that `pip install` (also `python -m pip` and `uv pip`) names without `==`:
    `pip install requests` or `pip install "django>=4"`.  Not flagged: installs from requirement or
    constraint files (`-r`, `-c`: the file pins), local paths, wheels and archives, VCS URLs with
    `@<ref>`, direct references (`name @ https://…`), and package words that hold a variable (the
    version is chosen elsewhere).  With the option `allow-ranges`, ranges (`>=`, `~=`, `<`) count as
    pinned, as in hadolint.

    ## Why is this bad?
    An unpinned package installs whatever is newest on the day of the build: two builds of the same
    Dockerfile can differ, and a release that breaks your code breaks the build without any change
    on your side.

    This rule is **off by default**: select it (`--select LS541` or `DL3013`) to use it.  Pinning in
    the Dockerfile is one way to get reproducible builds, not the only one (a lock file or a
    constraints file is usually better), and pins in a Dockerfile go stale quietly and miss
    transitive dependencies, which is why many projects disable hadolint's DL3013.
    """

    code = "LS541"
    name = "pip-unpinned"
    severity = Severity.WARNING
    aliases = ("DL3013",)
    options = {"allow-ranges": _ALLOW_RANGES}  # noqa: RUF012 - read-only metadata, as on every rule
    default_enabled = False

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        allow_ranges = bool(ctx.options.get("allow-ranges", False))
        for _, command in iter_run_commands(ctx.dockerfile, ctx.dockerfile.instructions):
            found = pip_install(command)
            if found is None:
                continue
            words, options = operands(found[1], PIP_VALUE_OPTIONS)
            if options & {"-r", "--requirement", "-c", "--constraint"}:
                continue
            index = 0
            while index < len(words):
                word = words[index]
                if index + 1 < len(words) and words[index + 1].value == "@":
                    index += 3  # `name @ url`: a direct reference
                    continue
                index += 1
                reason = None if _has_variable(word) else _pip_word_pin(word.value, allow_ranges)
                if reason is not None:
                    yield self.report(word.span, f"`{word.value}` is not pinned ({reason}): use `name==<version>`")


_NPM_INSTALL = frozenset({"install", "i", "in", "add", "isntall"})
_NPM_VALUE_OPTIONS = frozenset(
    {"--prefix", "--registry", "--cache", "--tag", "-w", "--workspace", "--omit", "--include", "--userconfig",
     "--loglevel", "--install-strategy", "--before", "--otp", "-C", "--location"}
)  # fmt: skip
_EXACT_VERSION = re.compile(r"=?v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?")
_NPM_RANGE = re.compile(r"[\^~<>=*xX| ]|^\d+(\.\d+)?$")


def _npm_word_pin(value: str, allow_ranges: bool) -> str | None:
    """Why an npm package word is not pinned, or None when it is (or is not a registry package)."""
    if value.startswith((".", "/", "~", "file:")) or value.endswith((".tgz", ".tar.gz", ".tar")):
        return None
    if ":" in value or ("/" in value and not value.startswith("@")):
        # git URLs, `github:user/repo`, `user/repo`: pinned by `#<ref>`; other URLs are tarballs
        if value.startswith(("git", "github:", "gitlab:", "bitbucket:")) or "://" not in value:
            return None if "#" in value else "a git source without `#<ref>`"
        return None
    name_end = value.find("@", 1)
    if name_end == -1:
        return "no version"
    version = value[name_end + 1 :]
    if _EXACT_VERSION.fullmatch(version):
        return None
    if _NPM_RANGE.search(version) or not version:
        return None if allow_ranges else "a version range, not a pin"
    return f"the dist-tag `{version}`, which moves"


class NpmUnpinned(Rule):
    """`npm install` of a package without a pinned version (opt-in).

    ## What it does
    Flags each package that `npm install` (`npm i`, `npm add`) names without an exact version:
    `npm install -g typescript`, `npm install express@latest`, `npm install lodash@^4`.  Not
    flagged: `npm ci` and `npm install` without package names (they install what the lock file
    says), local folders and tarballs, git sources with `#<ref>`, and words that hold a variable.
    With the option `allow-ranges`, ranges (`^4.1.0`, `~4.1`, `4`) count as pinned, as in hadolint.

    ## Why is this bad?
    An unpinned package installs whatever is newest on the day of the build, so two builds of the
    same Dockerfile can differ.  A dist-tag such as `latest` moves with every release.

    This rule is **off by default**: select it (`--select LS542` or `DL3016`) to use it.  A
    `package.json` with a lock file and `npm ci` pins better than versions written in the
    Dockerfile, which go stale quietly.
    """

    code = "LS542"
    name = "npm-unpinned"
    severity = Severity.WARNING
    aliases = ("DL3016",)
    options = {"allow-ranges": _ALLOW_RANGES}  # noqa: RUF012 - read-only metadata, as on every rule
    default_enabled = False

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        allow_ranges = bool(ctx.options.get("allow-ranges", False))
        for _, command in iter_run_commands(ctx.dockerfile, ctx.dockerfile.instructions):
            if command.name != "npm":
                continue
            words, _ = operands(command.argv[1:], _NPM_VALUE_OPTIONS)
            if not words or words[0].value not in _NPM_INSTALL:
                continue
            for word in words[1:]:
                reason = None if _has_variable(word) else _npm_word_pin(word.value, allow_ranges)
                if reason is not None:
                    yield self.report(word.span, f"`{word.value}` is not pinned ({reason}): use `name@<version>`")


_GEM_VALUE_OPTIONS = frozenset(
    {"-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--platform", "-s", "--source", "-P",
     "--trust-policy", "-g", "--file", "--build-root", "-B", "--bulk-threshold", "-p", "--http-proxy"}
)  # fmt: skip


class GemUnpinned(Rule):
    """`gem install` of a gem without a pinned version (opt-in).

    ## What it does
    Flags each gem that `gem install` names without a version: neither `name:version` nor a
    `-v`/`--version` option on the command.  Local `.gem` files and words holding a variable are not
    flagged; `bundle install` reads `Gemfile.lock` and is not concerned.

    ## Why is this bad?
    An unpinned gem installs whatever is newest on the day of the build, so two builds of the same
    Dockerfile can differ, and a new major version can break the build without any change on your side.

    This rule is **off by default**: select it (`--select LS543` or `DL3028`) to use it.  A
    `Gemfile.lock` pins better, and pins written in a Dockerfile go stale quietly.
    """

    code = "LS543"
    name = "gem-unpinned"
    severity = Severity.WARNING
    aliases = ("DL3028",)
    default_enabled = False

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for _, command in iter_run_commands(ctx.dockerfile, ctx.dockerfile.instructions):
            if command.name != "gem":
                continue
            words, options = operands(command.argv[1:], _GEM_VALUE_OPTIONS)
            if not words or words[0].value not in ("install", "i") or options & {"-v", "--version"}:
                continue
            for word in words[1:]:
                value = word.value
                if ":" in value or value.endswith(".gem") or _has_variable(word):
                    continue
                yield self.report(word.span, f"`{value}` is not pinned: use `gem install {value}:<version>` or `-v`")


_GO_VALUE_OPTIONS = frozenset(
    {"-ldflags", "-gcflags", "-asmflags", "-tags", "-mod", "-modfile", "-overlay", "-pkgdir", "-toolexec", "-p",
     "-buildmode", "-compiler", "-installsuffix", "-C", "-pgo", "-coverpkg", "-covermode", "-gccgoflags"}
)  # fmt: skip
# Module queries that name no fixed version: they resolve to whatever is newest when the build runs.
_GO_MOVING_QUERIES = frozenset({"latest", "upgrade", "patch", "master", "main", "HEAD", "head", "trunk", "develop"})


class GoInstallUnpinned(Rule):
    """`go install pkg@latest` or `go get pkg` installs whatever version is newest (opt-in).

    ## What it does
    Flags `go install` and `go get` of a package whose version query moves: `@latest`, `@upgrade`,
    `@patch` or a branch name such as `@master` or `@main`; and `go get pkg` without a version, which
    fetches the newest one (unless the `RUN` then runs `git checkout`, the GOPATH-era way to pin).
    `pkg@v1.2.3` and `@<commit>` are pins.  `go install` without `@` builds packages of the current
    module at the versions its `go.mod` lists, so it is not flagged.

    ## Why is this bad?
    `@latest` resolves to the newest release on the day of the build: two builds of the same
    Dockerfile can install different tools, and a breaking release breaks the build.

    This rule is **off by default**: select it (`--select LS544` or `DL3062`) to use it, like the
    other version-pinning rules (see `pip-unpinned`).
    """

    code = "LS544"
    name = "go-install-unpinned"
    severity = Severity.WARNING
    aliases = ("DL3062",)
    default_enabled = False

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for instruction, command in iter_run_commands(ctx.dockerfile, ctx.dockerfile.instructions):
            if command.name != "go" or command.args[:1] not in (("install",), ("get",)):
                continue
            get = command.args[0] == "get"
            if get and any(
                c.name == "git" and "checkout" in c.args for c in shell_commands(ctx.dockerfile, instruction)
            ):
                continue  # `go get` to fetch the source, then `git checkout <version>`: pinned by the checkout
            words, _ = operands(command.argv[2:], _GO_VALUE_OPTIONS)
            for word in words:
                value = word.value
                package, at, query = value.rpartition("@")
                if at and query in _GO_MOVING_QUERIES:
                    yield self.report(word.span, f"`{value}` is not pinned: use `{package}@<version>`")
                elif get and not at and not value.startswith((".", "/")) and not _has_variable(word):
                    yield self.report(
                        word.span, f"`go get {value}` fetches the newest version: use `{value}@<version>`"
                    )


# --- LS545 yarn cache -----------------------------------------------------------------------------------

_YARN_VALUE_OPTIONS = frozenset(
    {"--cwd", "--cache-folder", "--modules-folder", "--network-timeout", "--mutex", "--registry",
     "--global-folder", "--link-folder", "--mode"}
)  # fmt: skip
# Options only Yarn 2+ (berry) knows: its cache is the package store, not a throw-away download cache.
_BERRY_OPTIONS = frozenset({"--immutable", "--immutable-cache", "--check-cache", "--mode", "--inline-builds"})
_YARN_CACHES = ("/usr/local/share/.cache/yarn", "/root/.cache/yarn", "/root/.yarn")


def _yarn_install(command: Command) -> tuple[Word, set[str]] | None:
    """The word naming the install (`install`, or `yarn` itself when bare) and the options given."""
    if command.name != "yarn":
        return None
    words, options = operands(command.argv[1:], _YARN_VALUE_OPTIONS)
    if not words:
        return None if options & {"--version", "-v", "--help", "-h"} else (command.argv[0], options)
    return (words[0], options) if words[0].value == "install" else None


def _cleans_yarn_cache(command: Command) -> bool:
    if command.name == "yarn":
        return command.args[:2] == ("cache", "clean")
    if command.name == "rm":
        return any("yarn" in arg and "cache" in arg for arg in command.args)
    return False


def _uses_berry(graph: BuildGraph, instruction: Instruction, commands: tuple[Command, ...]) -> bool:
    """Signs of Yarn 2+ before or in this RUN: `yarn set version`, `.yarnrc.yml` copied in."""
    for candidate in chain_before(graph, instruction):
        if candidate.keyword in ("COPY", "ADD") and any(".yarnrc.yml" in token.value for token in candidate.args):
            return True
    runs = [
        c for i in chain_before(graph, instruction) if i.keyword == "RUN" for c in shell_commands(graph.dockerfile, i)
    ]
    return any(command.name == "yarn" and command.args[:2] == ("set", "version") for command in (*runs, *commands))


def _yarn_cache_mounted(graph: BuildGraph, instruction: Instruction, command: Command) -> bool:
    targets = cache_mount_targets(graph, instruction)
    if not targets:
        return False
    if any("yarn" in target for target in targets):
        return True
    folder = _option_value(command.args, "--cache-folder") or command.assignments.get("YARN_CACHE_FOLDER")
    folder = folder or graph.scope_at(instruction).values.get("YARN_CACHE_FOLDER")
    caches = (folder,) if folder else _YARN_CACHES
    return any(under_any(cache, targets) for cache in caches)


class YarnCacheNotCleaned(Rule):
    """`yarn install` without `yarn cache clean` in the same `RUN`.

    ## What it does
    Flags `yarn install` (or a bare `yarn`) in a `RUN` that does not also run `yarn cache clean`
    (or remove the yarn cache with `rm`), in the stages that become images and those they build on.
    Not flagged:

    - a `RUN` that mounts a cache or tmpfs at the yarn cache (`--mount=type=cache,target=/usr/local/share/.cache/yarn`,
      any target with `yarn` in it, or `$YARN_CACHE_FOLDER`);
    - build-only stages, whose files are thrown away;
    - Yarn 2+ ("berry"): an install with a berry-only option (`--immutable`, `--immutable-cache`,
      `--check-cache`, `--mode`), or a stage that ran `yarn set version` or copied a `.yarnrc.yml`.
      Berry's cache is not a throw-away download cache: with Plug'n'Play the application loads its
      packages from the cache's zip files, so `yarn cache clean` would break it.

    ## Why is this bad?
    Yarn 1 keeps a copy of every package it downloads in its global cache
    (`/usr/local/share/.cache/yarn` for root), which doubles the size of `node_modules` in the
    layer.  Removing it in a later `RUN` does not shrink the image: the layer is already written.
    """

    code = "LS545"
    name = "yarn-cache-not-cleaned"
    severity = Severity.INFO
    aliases = ("DL3060",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        for instruction in graph.in_images("RUN"):
            commands = shell_commands(ctx.dockerfile, instruction)
            if not commands or any(_cleans_yarn_cache(command) for command in commands):
                continue
            for command in commands:
                found = _yarn_install(command)
                if found is None or found[1] & _BERRY_OPTIONS or _yarn_cache_mounted(graph, instruction, command):
                    continue
                if _uses_berry(graph, instruction, commands):
                    break
                span = command.argv[0].span.cover(found[0].span)
                yield self.report(span, "`yarn install` without `yarn cache clean` in the same `RUN`")

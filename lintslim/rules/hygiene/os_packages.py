"""OS package-manager hygiene (LS530, LS531, LS534, LS536, LS537): prompts, recommends, `apt`,
`zypper dist-upgrade` and version pins.  The cache rules (LS532, LS533, LS535) are in
`os_package_caches.py`; both read commands through `_os_packages.py`."""

from __future__ import annotations

from collections.abc import Iterator

from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.rules.hygiene._os_packages import (
    PackageCommand,
    apt_config_written,
    insert_after,
    is_dynamic,
    package_commands,
    run_instructions,
)
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.shell import shell_commands
from lintslim.syntax.source import Span
from lintslim.syntax.stages import BuildGraph

# Subcommands that ask "Do you want to continue?" unless told not to.
_APT_PROMPTING = frozenset(
    {"install", "upgrade", "dist-upgrade", "full-upgrade", "remove", "purge", "autoremove", "autopurge", "build-dep",
     "reinstall", "satisfy"}
)  # fmt: skip
_RPM_PROMPTING = frozenset(
    {"install", "groupinstall", "localinstall", "update", "upgrade", "remove", "erase", "reinstall", "downgrade",
     "distro-sync", "autoremove", "swap", "builddep", "update-minimal", "upgrade-minimal", "groupupdate",
     "groupremove", "group install", "groups install", "group update", "group upgrade", "group remove",
     "module install", "module enable", "module reset", "module remove", "module switch-to"}
)  # fmt: skip
_ZYPPER_PROMPTING = frozenset(
    {"install", "in", "remove", "rm", "update", "up", "dist-upgrade", "dup", "patch", "source-install", "si",
     "install-new-recommends", "inr"}
)  # fmt: skip
_PROMPTING = {"apt-get": _APT_PROMPTING, "apt": _APT_PROMPTING, "yum": _RPM_PROMPTING, "dnf": _RPM_PROMPTING,
              "zypper": _ZYPPER_PROMPTING}  # fmt: skip
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


# apt-get(8): "No action; perform a simulation of events that would occur": nothing to confirm.
_APT_SIMULATE = ("-s", "--simulate", "--just-print", "--dry-run", "--recon", "--no-act")


def _apt_assumes_yes(parsed: PackageCommand) -> bool:
    """`-y`, `--yes`, `--assume-yes`, quiet level 2 (`-qq`, `-q=2`: apt-get(8) says it implies `-y`)
    or `-o APT::Get::Assume-Yes=true`; a simulation (`-s`) asks nothing."""
    if parsed.has("-y", "--yes", "--assume-yes", *_APT_SIMULATE):
        return True
    levels = [int(value) for value in parsed.values("-q", "--quiet") if value.isdigit()]
    if parsed.count("-q") + parsed.count("--quiet") >= 2 or any(level >= 2 for level in levels):
        return True
    return any(_option_is(value, "apt::get::assume-yes", _TRUE) for value in parsed.values("-o", "--option"))


def _option_is(setting: str, key: str, accepted: frozenset[str]) -> bool:
    name, _, value = setting.partition("=")
    return name.strip().lower() == key and value.strip().strip("\"'").lower() in accepted


def _rpm_assumes_yes(parsed: PackageCommand) -> bool:
    return parsed.has("-y", "--assumeyes") or any(
        _option_is(value, "assumeyes", _TRUE) for value in parsed.values("--setopt")
    )


def _zypper_assumes_yes(parsed: PackageCommand) -> bool:
    """Global `-n`/`--non-interactive` before the subcommand, or the subcommand's `-y`/`--no-confirm`.
    After `install`, `-n` is `--name` (zypper(8)), which answers nothing."""
    return any(
        option.name in ("-n", "--non-interactive") if option.global_ else option.name in ("-y", "--no-confirm")
        for option in parsed.options
    )


def _piped_yes(dockerfile: Dockerfile, instruction: Instruction, parsed: PackageCommand) -> bool:
    """`yes | apt-get install …` or `echo y | …`: the answer comes from the pipe (the managers ask once)."""
    if parsed.command.operator != "|" or parsed.position == 0:
        return False
    producer = shell_commands(dockerfile, instruction)[parsed.position - 1]
    return producer.name == "yes" or (producer.name == "echo" and producer.args in (("y",), ("Y",), ("yes",)))


class PackageManagerMayPrompt(Rule):
    """A package manager may stop to ask for confirmation.

    ## What it does
    Flags `apt-get`/`apt` (`install`, `upgrade`, `remove`…), `yum` and `dnf` (`install`, `update`,
    `group install`…) without `-y`, and `zypper` (`install`, `remove`, `update`, `dup`, `patch`…)
    without the global `-n`/`--non-interactive` or the subcommand's `-y`/`--no-confirm`, in every
    stage.

    These count as the answer too: apt's `--yes`, `--assume-yes`, quiet level 2 (`-qq`, `-q=2`,
    which apt-get(8) says implies `-y`), `-o APT::Get::Assume-Yes=true` or an earlier
    `APT::Get::Assume-Yes "true";` written by a RUN of the stage chain; `--assumeyes` and
    `--setopt=assumeyes=1` for yum and dnf; `yes |` or `echo y |` piped in; apt's simulation
    options (`-s`, `--dry-run`), which change nothing and ask nothing.  `DEBIAN_FRONTEND=noninteractive` does
    not: it silences debconf's questions, not apt-get's "Do you want to continue?".  `microdnf` never
    asks and is not flagged.  Options in a variable (`$APT_OPTS`) are unknown and not flagged.

    Unlike hadolint, `zypper install -n` is flagged: after the subcommand `-n` means `--name`.

    ## Why is this bad?
    A build has no terminal: the question reads end-of-file, the tool aborts, and the build fails —
    only when the transaction needs more than you asked (a new dependency, a removal), so the
    failure comes later, when the package repository changes.

    ## Fix safety
    The fix adds `-y` after the subcommand (`-y` after the program for `dnf group install`, `-n`
    after `zypper`).  It is safe: a build that did not stop gets the same answer, and one that
    stopped now goes on as the author meant.  Exec-form RUNs get no fix.
    """

    code = "LS530"
    name = "package-manager-may-prompt"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3014", "DL3030", "DL3038", "DL3034")

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        dockerfile, graph = ctx.dockerfile, ctx.graph
        for instruction in run_instructions(dockerfile):
            for parsed in package_commands(dockerfile, instruction):
                prompting = _PROMPTING.get(parsed.manager)
                if prompting is None or parsed.action not in prompting or parsed.dynamic_options:
                    continue
                if self._answered(dockerfile, graph, instruction, parsed):
                    continue
                flag = "-n" if parsed.manager == "zypper" else "-y"
                yield self.report(
                    parsed.head,
                    f"`{parsed.program} {parsed.action}` without `{flag}` stops to ask for confirmation",
                    fix=self._fix(instruction, parsed, flag),
                )

    @staticmethod
    def _answered(dockerfile: Dockerfile, graph: BuildGraph, instruction: Instruction, parsed: PackageCommand) -> bool:
        if _piped_yes(dockerfile, instruction, parsed):
            return True
        if parsed.manager == "zypper":
            return _zypper_assumes_yes(parsed)
        if parsed.manager in ("yum", "dnf"):
            return _rpm_assumes_yes(parsed)
        return _apt_assumes_yes(parsed) or apt_config_written(dockerfile, graph, instruction, "APT::Get::Assume-Yes")

    @staticmethod
    def _fix(instruction: Instruction, parsed: PackageCommand, flag: str) -> Fix | None:
        after_program = parsed.manager == "zypper" or " " in parsed.action or parsed.subcommand is None
        anchor = parsed.command.argv[0] if after_program else parsed.subcommand
        assert anchor is not None
        edit = insert_after(instruction, anchor, f" {flag}")
        return None if edit is None else Fix.safe(f"Add `{flag}`", edit)


def _recommends_off(parsed: PackageCommand) -> bool:
    if parsed.has("--no-install-recommends"):
        return True
    if any(value.lower() in _FALSE for value in parsed.values("--install-recommends")):
        return True
    return any(_option_is(value, "apt::install-recommends", _FALSE) for value in parsed.values("-o", "--option"))


def _completes_dpkg_install(dockerfile: Dockerfile, instruction: Instruction, parsed: PackageCommand) -> bool:
    """`dpkg -i app.deb || apt-get -f install`: apt installs the dependencies dpkg could not (and their
    recommended packages); without an earlier `dpkg -i` it has nothing to fix."""
    if not parsed.has("-f", "--fix-broken"):
        return False
    earlier = shell_commands(dockerfile, instruction)[: parsed.position]
    return any(command.name == "dpkg" and {"-i", "--install"} & set(command.args) for command in earlier)


class AptInstallRecommends(Rule):
    """`apt-get install` without `--no-install-recommends`.

    ## What it does
    Flags `apt-get install` and `apt install` that install packages (or, with `-f` after a
    `dpkg -i` in the same RUN, the missing dependencies of the package) without
    `--no-install-recommends` (or `-o APT::Install-Recommends=false`), in the stages that become
    images.  Not flagged when an earlier RUN of the stage chain (or this one) writes
    `APT::Install-Recommends "false";` into apt's configuration, nor in stages used only to build
    others, whose files do not ship.

    ## Why is this bad?
    apt installs every package's "Recommends" by default: documentation tools, X11 libraries,
    compilers — often tens or hundreds of megabytes the container never uses.

    ## Fix safety
    The fix adds `--no-install-recommends` after `install`.  It is unsafe: fewer packages get
    installed, and a program that relied on a recommended package (a `ca-certificates` pulled in by
    `curl`, say) can fail at run time.  Add what you need by name.
    """

    code = "LS531"
    name = "apt-install-recommends"
    severity = Severity.INFO
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3015",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        dockerfile, graph = ctx.dockerfile, ctx.graph
        for instruction in graph.in_images("RUN"):
            for parsed in package_commands(dockerfile, instruction):
                if parsed.manager not in ("apt-get", "apt") or parsed.action != "install":
                    continue
                if not parsed.packages and not _completes_dpkg_install(dockerfile, instruction, parsed):
                    continue
                if _recommends_off(parsed) or parsed.dynamic_options:
                    continue
                if apt_config_written(dockerfile, graph, instruction, "APT::Install-Recommends"):
                    continue
                assert parsed.subcommand is not None
                edit = insert_after(instruction, parsed.subcommand, " --no-install-recommends")
                yield self.report(
                    parsed.head,
                    f"`{parsed.manager} install` without `--no-install-recommends` also installs recommended packages",
                    fix=None if edit is None else Fix.unsafe("Add `--no-install-recommends`", edit),
                )


# `apt` subcommands and the `apt-get`/`apt-cache` command that does the same.
_APT_GET_SAME = frozenset(
    {"install", "remove", "purge", "autoremove", "autopurge", "update", "clean", "autoclean", "source", "build-dep",
     "download", "changelog", "check", "satisfy"}
)  # fmt: skip
_APT_CACHE_SAME = frozenset({"search", "show", "showsrc", "policy", "depends", "rdepends"})
# Subcommands that download packages: `apt` deletes the .deb files afterwards
# (Binary::apt::APT::Keep-Downloaded-Packages is false), `apt-get` keeps them unless configured.
_DOWNLOADING = frozenset({"install", "full-upgrade", "build-dep", "satisfy"})


class AptInsteadOfAptGet(Rule):
    """`apt` used in a RUN instead of `apt-get` or `apt-cache`.

    ## What it does
    Flags every `apt` command in a RUN (heredoc scripts included), in every stage.

    ## Why is this bad?
    `apt` is the interactive front end: its output and options may change between releases, and it
    says so itself ("WARNING: apt does not have a stable CLI interface.  Use with caution in
    scripts.").  `apt-get` and `apt-cache` are the stable interfaces for scripts.

    ## Fix safety
    The fix renames the command where one does the same: `apt install`, `remove`, `purge`,
    `update`, `autoremove`… become `apt-get …`; `apt full-upgrade` becomes `apt-get dist-upgrade`;
    `apt search`, `show`, `policy`, `depends`… become `apt-cache …`.  `apt upgrade` (which also
    installs new dependencies, unlike `apt-get upgrade`), `apt list` and `apt edit-sources` get no fix.

    The fix is safe, except for the downloading subcommands (`install`, `full-upgrade`, `build-dep`,
    `satisfy`) on a base image lintslim does not know as Debian or Ubuntu: `apt` deletes the
    downloaded `.deb` files after installing, `apt-get` keeps them in `/var/cache/apt/archives`
    unless configured otherwise.  The Debian and Ubuntu images (and those built on them) configure
    that clean-up (`/etc/apt/apt.conf.d/docker-clean`), so there the image is the same; elsewhere the
    fix is unsafe.
    """

    code = "LS534"
    name = "apt-instead-of-apt-get"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3027",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        dockerfile = ctx.dockerfile
        for instruction in run_instructions(dockerfile):
            for parsed in package_commands(dockerfile, instruction):
                if parsed.manager != "apt" or parsed.subcommand is None:
                    continue
                program = parsed.command.argv[0]
                yield self.report(
                    program.span,
                    f"`apt {parsed.action}` in a script: use `apt-get` or `apt-cache`, whose interface is stable",
                    fix=self._fix(ctx, instruction, parsed),
                )

    @staticmethod
    def _fix(ctx: RuleContext, instruction: Instruction, parsed: PackageCommand) -> Fix | None:
        program, action = parsed.command.argv[0], parsed.action
        assert parsed.subcommand is not None
        if instruction.is_json or not program.raw.endswith("apt") or len(program.span) != len(program.raw):
            return None
        name = Span(program.span.end - 3, program.span.end)
        if action in _APT_CACHE_SAME:
            return Fix.safe(f"Use `apt-cache {action}`", Edit.replace(name, "apt-cache"))
        edits = [Edit.replace(name, "apt-get")]
        if action == "full-upgrade":
            edits.append(Edit.replace(parsed.subcommand.span, "dist-upgrade"))
            title = "Use `apt-get dist-upgrade`"
        elif action in _APT_GET_SAME:
            title = f"Use `apt-get {action}`"
        else:
            return None
        if action in _DOWNLOADING and not _cleans_downloads(ctx, instruction):
            return Fix.unsafe(title, *edits)
        return Fix.safe(title, *edits)


def _cleans_downloads(ctx: RuleContext, instruction: Instruction) -> bool:
    """Whether the base image is a Debian or Ubuntu image (their docker-clean deletes downloaded .debs)."""
    from lintslim.knowledge.images import stage_facts  # the knowledge base loads only when a fix asks

    stage = ctx.graph.stage_of(instruction)
    facts = None if stage is None else stage_facts(ctx.graph, stage)
    return facts is not None and facts.package_manager == "apt"


class ZypperDistUpgrade(Rule):
    """`zypper dist-upgrade` in a RUN.

    ## What it does
    Flags `zypper dist-upgrade` (`zypper dup`) in every stage, except on openSUSE Tumbleweed, a
    rolling release whose documented way to update is `zypper dup`.

    ## Why is this bad?
    `dist-upgrade` may move the image to whatever the configured repositories hold now — a new
    distribution release, vendor changes, removed packages — so two builds of the same Dockerfile
    differ in more than security fixes.  Build on a newer base image instead, or use
    `zypper update` / `zypper patch` for fixes within the release.

    `apt-get upgrade` and `dist-upgrade` are not flagged: hadolint dropped that rule (DL3005)
    because Docker's own best practices came to recommend upgrading packages for security fixes.
    """

    code = "LS536"
    name = "zypper-dist-upgrade"
    severity = Severity.WARNING
    aliases = ("DL3035",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        dockerfile, graph = ctx.dockerfile, ctx.graph
        for instruction in run_instructions(dockerfile):
            for parsed in package_commands(dockerfile, instruction):
                if parsed.manager != "zypper" or parsed.action not in ("dist-upgrade", "dup"):
                    continue
                stage = graph.stage_of(instruction)
                image = None if stage is None else graph.root_image(stage)
                if image is not None and "tumbleweed" in image.repository.lower():
                    continue
                assert parsed.subcommand is not None
                yield self.report(
                    parsed.subcommand.span,
                    "`zypper dist-upgrade` may upgrade the image to another release; use a newer base image",
                )


# --- version pins -------------------------------------------------------------------------------

_PINNING = {"apt-get": ("install",), "apt": ("install",), "apk": ("add",),
            "yum": ("install", "localinstall", "module install"), "dnf": ("install", "module install"),
            "microdnf": ("install", "module install"), "zypper": ("install", "in")}  # fmt: skip


def _is_file_or_url(value: str) -> bool:
    return value.startswith(("/", "./", "../", "~")) or "://" in value or value.endswith((".deb", ".apk", ".rpm"))


def _pinned(manager: str, action: str, value: str) -> bool:
    if manager in ("apt-get", "apt"):
        return "=" in value
    if manager == "apk":
        return any(ch in value for ch in "=~<>")
    if action == "module install":
        return ":" in value  # `nodejs:20` names a stream
    if manager == "zypper" and any(ch in value for ch in "=<>"):
        return True
    # rpm's name-version[-release]: what follows the last `-` starts with a digit (`openssl-1.1.1k`,
    # `nodejs-18.19.0-1.el9`); `java-17-openjdk` and `python3-pip` are names.
    head, dash, tail = value.rpartition("-")
    return bool(dash and head) and tail[:1].isdigit()


def _skipped_word(manager: str, value: str) -> bool:
    """Words that are not package names to pin: files, URLs, groups, patterns, apt removals (`pkg-`), globs."""
    if not value or _is_file_or_url(value) or value.startswith(("@", "-")):
        return True
    if manager in ("apt-get", "apt") and value.endswith("-"):
        return True
    if "*" in value or "?" in value:
        return True
    return manager == "zypper" and ":" in value  # `pattern:devel_basis`, `patch:…`


class OsPackageUnpinned(Rule):
    """An OS package installed without a version pin (opt-in).

    ## What it does
    Flags each package name given to `apt-get install` / `apt install` without `=version`,
    `apk add` without `=`, `~`, `<` or `>`, `yum`/`dnf`/`microdnf install` without a
    `-version` suffix (`module install` without a `:stream`), and `zypper install` without `=`, `<`,
    `>` or a `-version` suffix.

    Not flagged, where hadolint gets it wrong: local or remote package files (`./app.deb`,
    `/tmp/x.apk`, `https://…/x.rpm`), packages given through a variable (`$PACKAGES` is unknown,
    not unpinned), the value of `apk add --virtual .build-deps` and `-X <repository>`, apt's
    `-t <release>`, dnf groups (`@development`, `group install`) and zypper patterns.  Flagged,
    where hadolint takes any dash for a version: rpm names such as `java-17-openjdk` or
    `python3-pip` (a pin is a last dash followed by a digit: `openssl-1.1.1k`).

    This rule is off by default; select it (`--select LS537`, or one of its hadolint codes).

    ## Why is this bad?
    Without a pin, the same Dockerfile builds a different image whenever the repository moves on.

    It is off by default because pinning OS packages breaks builds more often than it protects
    them: Debian and Ubuntu keep only the current version of a package in their archive, so a
    pinned version "will eventually go away and your image build becomes broken" (hadolint PR #1253,
    which proposes disabling DL3008 by default).  A pin does not pin the package's dependencies
    either.  For reproducible builds, pin the base image by digest and use a snapshot repository
    (snapshot.debian.org, `SOURCE_DATE_EPOCH`) instead.  Sourcegraph removed its apt pins after
    "Ubuntu removed an old version of curl when a security patch was released, which broke our
    Dockerfiles" (sourcegraph/lsp-adapter PR #73).
    """

    code = "LS537"
    name = "os-package-unpinned"
    severity = Severity.WARNING
    aliases = ("DL3008", "DL3018", "DL3033", "DL3041", "DL3037")
    default_enabled = False

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        dockerfile = ctx.dockerfile
        for instruction in run_instructions(dockerfile):
            for parsed in package_commands(dockerfile, instruction):
                if parsed.action not in _PINNING.get(parsed.manager, ()):
                    continue
                if parsed.manager == "zypper" and any(value != "package" for value in parsed.values("-t", "--type")):
                    continue
                for word in parsed.packages:
                    value = word.value
                    if is_dynamic(word) or _skipped_word(parsed.manager, value):
                        continue
                    if not _pinned(parsed.manager, parsed.action, value):
                        yield self.report(word.span, f"`{value}` is installed without a version pin ({parsed.manager})")

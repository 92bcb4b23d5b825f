"""Package-manager caches left in an image layer (LS532 apt lists, LS533 apk, LS535 yum/dnf/zypper)."""

from __future__ import annotations

from collections.abc import Iterator

from lintslim.engine.fixes import Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.rules.hygiene._os_packages import (
    PackageCommand,
    append_to_run,
    insert_after,
    mounted_over,
    package_commands,
    removes,
    with_nested,
)
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.shell import Command, shell_commands
from lintslim.syntax.stages import BuildGraph

APT_LISTS = "/var/lib/apt/lists"
APK_CACHES = ("/var/cache/apk", "/etc/apk/cache")
_RPM_CACHES = ("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5")
_ZYPPER_CACHES = ("/var/cache/zypp",)


def _uncleaned(
    parsed: tuple[PackageCommand, ...], commands: tuple[Command, ...], fills: set[int], cleans: set[int]
) -> PackageCommand | None:
    """The first command that fills the cache after the last one that cleans it (positions in `commands`)."""
    last_clean = max(cleans, default=-1)
    return next((item for item in parsed if item.position in fills and item.position > last_clean), None)


def _removes_in(command: Command, directories: tuple[str, ...]) -> bool:
    """Whether the command, or a shell script it runs (`bash -c "…"`), removes one of `directories`."""
    return any(removes(item, directory) for item in with_nested((command,)) for directory in directories)


class AptListsNotRemoved(Rule):
    """`apt-get update` without removing `/var/lib/apt/lists` in the same RUN.

    ## What it does
    Flags `apt-get update` (or `apt update`) in a RUN that does not remove the package lists after
    it (`rm -rf /var/lib/apt/lists/*`, or `apt-get distclean`), in the stages that become images.
    Not flagged when the RUN mounts a cache or a tmpfs at `/var/lib/apt/lists` or a directory
    above it (`--mount=type=cache,target=/var/lib/apt`): the lists then never reach the layer.
    Stages used only to build others are not flagged either: their files do not ship.

    The removal must be in the same RUN: each RUN is a layer, and deleting the lists in a later RUN
    hides them without taking them out of the earlier layer, which the image still carries.

    ## Why is this bad?
    The lists are tens of megabytes of package indexes, useless at run time and stale by the time
    anyone would use them.

    ## Fix safety
    The fix appends `&& rm -rf /var/lib/apt/lists/*` to the RUN (on a new line when the RUN
    is written over several), when it is a plain shell command
    (not exec form, no heredoc, nothing such as `fi` or `)` after its last command).  It is unsafe:
    a later RUN that runs `apt-get install` without `apt-get update` first fails after the fix.
    """

    code = "LS532"
    name = "apt-lists-not-removed"
    severity = Severity.INFO
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3009",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        dockerfile, graph = ctx.dockerfile, ctx.graph
        for instruction in graph.in_images("RUN"):
            parsed = package_commands(dockerfile, instruction)
            fills = {item.position for item in parsed if item.manager in ("apt-get", "apt") and item.action == "update"}
            if not fills or mounted_over(graph, instruction, (APT_LISTS,)):
                continue
            commands = shell_commands(dockerfile, instruction)
            cleans = {position for position, command in enumerate(commands) if _removes_in(command, (APT_LISTS,))}
            cleans |= {item.position for item in parsed if item.action in ("distclean", "dist-clean")}
            found = _uncleaned(parsed, commands, fills, cleans)
            if found is None:
                continue
            edit = append_to_run(dockerfile, instruction, "rm -rf /var/lib/apt/lists/*")
            yield self.report(
                found.head,
                f"`{found.program} update` leaves the package lists in the layer; remove `{APT_LISTS}` in the same RUN",
                fix=None if edit is None else Fix.unsafe("Remove the apt lists at the end of the RUN", edit),
            )


class ApkAddWithoutNoCache(Rule):
    """`apk add` without `--no-cache`.

    ## What it does
    Flags `apk add` without `--no-cache` in the stages that become images.  Not flagged when the
    RUN removes `/var/cache/apk` after it (`rm -rf /var/cache/apk/*`), when it mounts a cache or a
    tmpfs at `/var/cache/apk` or `/etc/apk/cache`, nor in stages used only to build others: the
    cache is in their layers too, but those do not ship.

    ## Why is this bad?
    Without `--no-cache`, the package index that `apk add --update` or `apk update` fetched stays
    in `/var/cache/apk` in the layer: a few megabytes of no use at run time.  `--no-cache` fetches
    the index, uses it and keeps nothing.

    ## Fix safety
    The fix adds `--no-cache` after `add`.  It is safe when the command already has `--update`
    (`-U`): apk fetched a fresh index anyway, and now does not keep it.  Otherwise it is unsafe:
    `--no-cache` ignores the index an earlier `apk update` left, fetches a new one, and may install
    newer versions.  An `apk update` before it in the same RUN still leaves its index: drop it.
    """

    code = "LS533"
    name = "apk-add-without-no-cache"
    severity = Severity.INFO
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3019",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        dockerfile, graph = ctx.dockerfile, ctx.graph
        for instruction in graph.in_images("RUN"):
            adds = [item for item in package_commands(dockerfile, instruction) if self._keeps_cache(item)]
            if not adds or mounted_over(graph, instruction, APK_CACHES):
                continue
            commands = shell_commands(dockerfile, instruction)
            for item in adds:
                if any(_removes_in(command, APK_CACHES[:1]) for command in commands[item.position + 1 :]):
                    continue
                assert item.subcommand is not None
                edit = insert_after(instruction, item.subcommand, " --no-cache")
                fix = None
                if edit is not None:
                    make = Fix.safe if item.has("-U", "--update") else Fix.unsafe
                    fix = make("Add `--no-cache`", edit)
                yield self.report(
                    item.head, "`apk add` without `--no-cache` keeps the package index in the layer", fix=fix
                )

    @staticmethod
    def _keeps_cache(item: PackageCommand) -> bool:
        return (
            item.manager == "apk" and item.action == "add" and not item.has("--no-cache") and not item.dynamic_options
        )


# What fills each manager's cache (packages and repository metadata).
_RPM_FILLING = frozenset(
    {"install", "groupinstall", "localinstall", "update", "upgrade", "reinstall", "downgrade", "distro-sync",
     "makecache", "builddep", "swap", "update-minimal", "upgrade-minimal", "groupupdate", "group install",
     "groups install", "group update", "group upgrade", "module install", "module enable"}
)  # fmt: skip
_ZYPPER_FILLING = frozenset(
    {"install", "in", "update", "up", "dist-upgrade", "dup", "patch", "source-install", "si", "refresh", "ref",
     "install-new-recommends", "inr"}
)  # fmt: skip
_RPM_MANAGERS = ("yum", "dnf", "microdnf")


def _family(manager: str) -> str | None:
    return "rpm" if manager in _RPM_MANAGERS else "zypper" if manager == "zypper" else None


def _fills(item: PackageCommand, family: str) -> bool:
    if family == "rpm":
        return item.manager in _RPM_MANAGERS and item.action in _RPM_FILLING
    return item.manager == "zypper" and item.action in _ZYPPER_FILLING


def _cleans(item: PackageCommand, family: str) -> bool:
    """`yum clean all`, `dnf clean all`, `microdnf clean all` (any of them: on RHEL 8 and later yum is
    dnf); `zypper clean` / `zypper cc` with any options (hadolint's DL3036 asks no more)."""
    if family == "rpm":
        return item.manager in _RPM_MANAGERS and item.action == "clean" and any(w.value == "all" for w in item.operands)
    return item.manager == "zypper" and item.action in ("clean", "cc")


class PackageCacheNotCleaned(Rule):
    """`yum`, `dnf`, `microdnf` or `zypper` leaves its cache in the layer.

    ## What it does
    Flags a RUN that installs or updates packages with `yum`, `dnf` or `microdnf` without a
    `… clean all` after it, or with `zypper` without `zypper clean` after it, in the stages that
    become images.  Removing the cache directory (`rm -rf /var/cache/yum/*`, `/var/cache/dnf`,
    `/var/cache/libdnf5`, `/var/cache/zypp`) counts as cleaning.  Not flagged when the RUN mounts a
    cache or a tmpfs at that directory, nor in stages used only to build others.  The clean-up must
    be in the same RUN: a later RUN cannot take files out of an earlier layer.

    ## Why is this bad?
    Repository metadata (often 50–200 MB for the RHEL, Fedora and openSUSE repositories) and any
    kept packages stay in the image and are of no use at run time.

    ## Fix safety
    The fix appends ` && yum clean all` (`dnf`, `microdnf`: the same; zypper: ` && zypper clean
    --all`) to the RUN when it is a plain shell command and the manager is run without a wrapper
    such as `sudo`.  It is safe for yum, dnf and microdnf, which download the metadata again when a
    later command needs it.  It is unsafe for zypper: a repository without auto-refresh is not
    refreshed by itself after its metadata is gone.
    """

    code = "LS535"
    name = "package-cache-not-cleaned"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3032", "DL3040", "DL3036")

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        dockerfile, graph = ctx.dockerfile, ctx.graph
        for instruction in graph.in_images("RUN"):
            parsed = package_commands(dockerfile, instruction)
            families = {family for item in parsed if (family := _family(item.manager)) is not None}
            for family in sorted(families):
                diagnostic = self._check_family(dockerfile, graph, instruction, parsed, family)
                if diagnostic is not None:
                    yield diagnostic

    def _check_family(
        self,
        dockerfile: Dockerfile,
        graph: BuildGraph,
        instruction: Instruction,
        parsed: tuple[PackageCommand, ...],
        family: str,
    ) -> Diagnostic | None:
        fills = {item.position for item in parsed if _fills(item, family)}
        directories = _RPM_CACHES if family == "rpm" else _ZYPPER_CACHES
        if not fills or mounted_over(graph, instruction, directories):
            return None
        commands = shell_commands(dockerfile, instruction)
        cleans = {item.position for item in parsed if _cleans(item, family)}
        cleans |= {position for position, command in enumerate(commands) if _removes_in(command, directories)}
        found = _uncleaned(parsed, commands, fills, cleans)
        if found is None:
            return None
        clean = "zypper clean --all" if family == "zypper" else f"{found.command.name} clean all"
        return self.report(
            found.head,
            f"`{found.program} {found.action}` leaves its cache in the layer; run `{clean}` in the same RUN",
            fix=self._fix(dockerfile, instruction, found, family, clean),
        )

    @staticmethod
    def _fix(
        dockerfile: Dockerfile, instruction: Instruction, found: PackageCommand, family: str, clean: str
    ) -> Fix | None:
        if found.command.words[0] is not found.command.argv[0]:
            return None  # `sudo yum …`, `env … dnf …`: the clean-up would need the same wrapper
        edit = append_to_run(dockerfile, instruction, clean)
        if edit is None:
            return None
        make = Fix.unsafe if family == "zypper" else Fix.safe
        return make(f"Run `{clean}` at the end of the RUN", edit)

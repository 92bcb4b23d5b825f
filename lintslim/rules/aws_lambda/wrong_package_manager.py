from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lintslim.analysis.aws_lambda import lambda_image
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.knowledge.images import ImageFacts, stage_facts
from lintslim.rules.aws_lambda._shared import lambda_reason
from lintslim.syntax.nodes import Instruction
from lintslim.syntax.shell import Command, Word, shell_commands
from lintslim.syntax.stages import BuildGraph, Stage

_RPM_MANAGERS = frozenset({"yum", "dnf", "microdnf"})
_FOREIGN_MANAGERS = ("apt-get", "apt", "apk")  # Debian and Alpine tools: never on Amazon Linux
_AMAZON_FAMILIES = frozenset({"aws-lambda", "amazonlinux"})
_LOOKUPS = frozenset({"which", "type", "hash"})  # `which yum && …`: the RUN checks before it runs

# What microdnf (the AL2023 Lambda images' `dnf`) accepts, from rpm-software-management/microdnf
# (dnf/dnf-main.c global options; dnf/plugins/*: install, remove, reinstall, update, upgrade, and
# `clean all` only).  `-y` is accepted and does nothing: microdnf never asks.
_MICRODNF_SUBCOMMANDS = frozenset({"install", "remove", "reinstall", "update", "upgrade", "clean"})
_MICRODNF_FLAGS = frozenset({"-y", "--assumeyes", "--nodocs", "--best", "--nobest"})
_MICRODNF_VALUE_OPTIONS = frozenset({"--enablerepo", "--disablerepo", "--releasever", "--setopt"})
_MICRODNF_SETOPTS = frozenset(
    {"tsflags=nodocs", "install_weak_deps=0", "install_weak_deps=1", "install_weak_deps=False",
     "install_weak_deps=True"}
)  # fmt: skip
# What yum 3 on Amazon Linux 2 accepts among the options people give dnf: no `--nodocs`, no
# `--allowerasing`, no `--best`.
_YUM_SUBCOMMANDS = frozenset({"install", "remove", "reinstall", "update", "upgrade", "clean", "makecache"})
_YUM_FLAGS = frozenset({"-y", "--assumeyes", "-q", "--quiet", "--nogpgcheck"})
_YUM_VALUE_OPTIONS = frozenset({"--enablerepo", "--disablerepo", "--releasever", "--setopt"})


@dataclass(frozen=True)
class _Mismatch:
    """A package manager the image does not have, and the one to use instead (None: no mechanical swap)."""

    program: str
    replacement: str | None
    reason: str  # "… runs on Amazon Linux 2023 and has `microdnf` (also run as `dnf`)"
    advice: str  # "use `dnf`"


class LambdaWrongPackageManager(Rule):
    """A RUN calls a package manager the Amazon Linux generation of the image does not have.

    ## What it does
    In a Lambda image (see LS4xx detection), flags the package manager program of a RUN command
    when the image it runs in does not have it:

    - `yum` on an AWS Lambda base built on Amazon Linux 2023 (`python:3.12`+, `nodejs:20`+,
      `java:21`+, `dotnet:8`+, `provided:al2023`): those images carry `microdnf`, also installed
      as `dnf`, and no `yum`;
    - `dnf` or `microdnf` on an Amazon Linux 2 based image (the earlier Lambda runtime tags,
      `provided:al2`, or `amazonlinux:2` as the final image's base): AL2 has only `yum`;
    - `apt-get`, `apt` or `apk` on any Amazon Linux based image (AWS Lambda bases,
      `amazonlinux`).

    It looks at the stages of the final image and at build stages that build on an AWS Lambda base
    too: a command that does not exist fails the build wherever it runs.  A build stage on another
    base (`FROM amazonlinux:2023 AS build` using `dnf`) is left alone, and so is an image whose
    generation is unknown (for `yum` and `dnf`).  A RUN that first checks which tool exists
    (`command -v yum`, `which dnf`) or also calls the right one (`yum … || dnf …`) is not
    flagged, nor a tool an earlier command installs (`microdnf install -y dnf yum`).  `yum` on
    `amazonlinux:2023` works (its `yum` package runs dnf) and is not flagged.

    ## Why is this bad?
    The command does not exist in the image, so the build stops with `yum: command not found`
    (exit code 127).  It typically appears when a Dockerfile moves to a newer runtime tag, which
    moved to Amazon Linux 2023: "AL2023-based images use microdnf (symlinked as dnf) as the
    package manager instead of yum" (AWS Lambda Java image guide; aws/aws-lambda-base-images#124).

    ## Fix safety
    The fix swaps the program name: `yum` becomes `dnf` on AL2023 Lambda images, `dnf` or
    `microdnf` becomes `yum` on AL2.  It is offered only for subcommands and options the other
    tool accepts the same way (`install`, `remove`, `reinstall`, `update`, `upgrade`,
    `clean all`; `-y`, `--nodocs`, `--enablerepo`…), so microdnf's smaller command set (no
    `groupinstall`, `clean` only takes `all`) and yum's lack of `--nodocs` get no fix.  It is safe:
    both tools install the packages named from the image's own repositories.  Package names
    that differ between generations are not changed: check them.  `apt-get` and `apk` get no fix.
    """

    code = "LS408"
    name = "lambda-wrong-package-manager"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        image = lambda_image(ctx)
        if image is None:
            return
        graph = ctx.graph
        final_chain = {stage.index for stage in graph.chain(image.stage)}
        for stage in graph.stages:
            in_final = stage.index in final_chain
            facts = image.base if in_final else _lambda_base(graph, stage)
            mismatches = _mismatches(facts)
            if facts is None or not mismatches:
                continue
            suffix = lambda_reason(image) if in_final else ""
            label = _image_label(graph, stage)
            for instruction, word, mismatch, fixable in _wrong_calls(graph, stage, mismatches):
                message = f"`{word.value}` is not in `{label}`, which {mismatch.reason}: the build fails here; "
                message += mismatch.advice + suffix
                fix = None
                if fixable and mismatch.replacement is not None and not instruction.is_json:
                    fix = Fix.safe(f"Use `{mismatch.replacement}`", Edit.replace(word.span, mismatch.replacement))
                yield self.report(word.span, message, fix=fix)


def _lambda_base(graph: BuildGraph, stage: Stage) -> ImageFacts | None:
    """Facts of a build stage's base when it is an AWS Lambda base image (other bases are not ours)."""
    facts = stage_facts(graph, stage)
    return facts if facts is not None and facts.lambda_ else None


def _mismatches(facts: ImageFacts | None) -> dict[str, _Mismatch]:
    """The package managers the image does not have, by program name."""
    if facts is None or facts.family not in _AMAZON_FAMILIES:
        return {}
    manager = {"al2": "yum", "al2023": "dnf"}.get(facts.distro or "")
    generation = {"al2": "Amazon Linux 2", "al2023": "Amazon Linux 2023"}.get(facts.distro or "", "Amazon Linux")
    use = f"`{manager}`" if manager else "`dnf` or `yum`"
    found = {
        program: _Mismatch(program, None, f"is {generation} based", f"install with {use} (package names differ)")
        for program in _FOREIGN_MANAGERS
    }
    if facts.distro == "al2023" and facts.family == "aws-lambda":
        reason = "runs on Amazon Linux 2023 and has `microdnf` (also run as `dnf`) instead"
        found["yum"] = _Mismatch("yum", "dnf", reason, "use `dnf`")
    elif facts.distro == "al2":
        reason = "runs on Amazon Linux 2, whose package manager is `yum`"
        for program in ("dnf", "microdnf"):
            found[program] = _Mismatch(program, "yum", reason, "use `yum`")
    return found


def _image_label(graph: BuildGraph, stage: Stage) -> str:
    image = graph.root_image(stage)
    if image is not None:
        return image.raw
    root = graph.ancestry(stage)[-1]
    return root.base.value


def _wrong_calls(
    graph: BuildGraph, stage: Stage, mismatches: dict[str, _Mismatch]
) -> Iterator[tuple[Instruction, Word, _Mismatch, bool]]:
    """(RUN, program word, mismatch, whether the swap is mechanical) for each wrong call in the stage's
    own instructions; what earlier stages of its chain installed counts."""
    dockerfile = graph.dockerfile
    installed: set[str] = set()
    for instruction in graph.chain_instructions(stage):
        if instruction.keyword != "RUN":
            continue
        commands = shell_commands(dockerfile, instruction)
        guarded = _checks_for_managers(commands, mismatches)
        for command in commands:
            mismatch = mismatches.get(command.name or "")
            ours = graph.stage_of(instruction) is stage
            if ours and mismatch is not None and not guarded and not _available(mismatch.program, installed):
                yield instruction, command.argv[0], mismatch, _mechanical(command, mismatch)
            installed |= _installed_managers(command)


def _checks_for_managers(commands: Iterable[Command], mismatches: dict[str, _Mismatch]) -> bool:
    """Whether a RUN looks a manager up (`command -v yum`, `which dnf`) or also calls one that works
    (`yum install … || dnf install …`): then it picks what exists, and we do not second-guess it."""
    for command in commands:
        name = command.name or ""
        if _is_command_lookup(command):
            return True
        if name in _LOOKUPS and any(arg in _RPM_MANAGERS or arg in _FOREIGN_MANAGERS for arg in command.args):
            return True
        if name in _RPM_MANAGERS and name not in mismatches:
            return True
        if name in ("test", "[") and any(arg.rsplit("/", 1)[-1] in _RPM_MANAGERS for arg in command.args):
            return True
    return False


def _is_command_lookup(command: Command) -> bool:
    """`command -v yum`: the splitter takes `command` for a wrapper, so `yum` looks like the program."""
    if not command.argv:
        return False
    words = [word.value for word in command.words]
    position = len(words) - len(command.argv)
    before = words[:position]
    return "command" in before and any(word.startswith(("-v", "-V")) for word in before)


def _installed_managers(command: Command) -> set[str]:
    """Package managers an install command adds (`microdnf install -y dnf`, `yum install -y dnf`)."""
    if command.name not in _RPM_MANAGERS or "install" not in command.args:
        return set()
    return {arg for arg in command.args if arg in _RPM_MANAGERS}


def _available(program: str, installed: set[str]) -> bool:
    """Whether an earlier command installed the tool (full dnf may bring `yum` with it: we do not guess)."""
    return program in installed or (program == "yum" and "dnf" in installed)


def _mechanical(command: Command, mismatch: _Mismatch) -> bool:
    """Whether the other tool takes this command line as it is (subcommand and options)."""
    if command.argv[0].raw != mismatch.program:
        return False  # `/usr/bin/yum`, quoted: left as written
    if mismatch.replacement == "dnf":
        subcommands, flags, value_options = _MICRODNF_SUBCOMMANDS, _MICRODNF_FLAGS, _MICRODNF_VALUE_OPTIONS
    else:
        subcommands, flags, value_options = _YUM_SUBCOMMANDS, _YUM_FLAGS, _YUM_VALUE_OPTIONS
    subcommand: str | None = None
    positionals: list[str] = []
    args = list(command.args)
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        name, equals, value = arg.partition("=")
        if not arg.startswith("-"):
            if subcommand is None:
                subcommand = arg
            else:
                positionals.append(arg)
        elif arg in flags:
            continue
        elif name in value_options:
            if not equals:
                if index >= len(args):
                    return False
                value = args[index]
                index += 1
            if name == "--setopt" and mismatch.replacement == "dnf" and value not in _MICRODNF_SETOPTS:
                return False
        else:
            return False
    if subcommand not in subcommands:
        return False
    return not (subcommand == "clean" and mismatch.replacement == "dnf" and positionals != ["all"])

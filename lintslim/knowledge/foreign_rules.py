"""Other linters' rules that lintslim's rules stand for: hadolint's DL rules and BuildKit's build checks.

Data only, for the tables of `docs/migrating-from-hadolint.md` (rendered by `lintslim.docs`).
Which lintslim rule covers one is not recorded here: it comes from the rules' `aliases`, so a new
rule that names an alias shows up in the tables by itself.  `tests/test_rule_docs.py` checks the
codes, severities and check names against the project's research notes (`../shared/reference/`).

Sources:
- hadolint: the rule table of hadolint's README (hadolint/hadolint at 8f936c5, v2.15.x: 71 DL rules;
  DL3005, DL3017, DL3031 and DL3039 were removed before).  The severity is hadolint's default;
  `ignore` means off unless enabled.  Titles are the README's, cut to their first sentence, and
  reworded where the original ran long.
- BuildKit: `frontend/dockerfile/linter/ruleset.go` in moby/buildkit (at 73ed682: 22 checks) and
  docs.docker.com/build/checks/; titles shortened from each check's description.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HadolintRule:
    code: str  # DLxxxx
    severity: str  # hadolint's default: error, warning, info, style, or ignore (off by default)
    title: str


@dataclass(frozen=True)
class BuildkitCheck:
    name: str  # as in `# check=skip=<name>`
    title: str
    experimental: bool = False


HADOLINT_RULES: tuple[HadolintRule, ...] = (
    HadolintRule("DL1001", "ignore", "Please refrain from using inline ignore pragmas `# hadolint ignore=DLxxxx`"),
    HadolintRule("DL3000", "error", "Use absolute WORKDIR"),
    HadolintRule(
        "DL3001",
        "info",
        "Commands that make no sense in a container (ssh, vim, shutdown, service, ps, top, kill, mount…)",
    ),
    HadolintRule("DL3002", "warning", "Last user should not be root"),
    HadolintRule("DL3003", "warning", "Use WORKDIR to switch to a directory"),
    HadolintRule("DL3004", "error", "Do not use sudo as it leads to unpredictable behavior"),
    HadolintRule("DL3006", "warning", "Always tag the version of an image explicitly"),
    HadolintRule("DL3007", "warning", "Do not use the `latest` tag; pin the version explicitly"),
    HadolintRule("DL3008", "warning", "Pin versions in `apt-get install`"),
    HadolintRule("DL3009", "info", "Delete the apt-get lists after installing something"),
    HadolintRule("DL3010", "info", "Use ADD for extracting archives into an image"),
    HadolintRule("DL3011", "error", "Valid UNIX ports range from 0 to 65535"),
    HadolintRule("DL3012", "error", "Multiple `HEALTHCHECK` instructions"),
    HadolintRule("DL3013", "warning", "Pin versions in pip"),
    HadolintRule("DL3014", "warning", "Use the `-y` switch"),
    HadolintRule("DL3015", "info", "Avoid additional packages by specifying `--no-install-recommends`"),
    HadolintRule("DL3016", "warning", "Pin versions in `npm`"),
    HadolintRule("DL3018", "warning", "Pin versions in `apk add`"),
    HadolintRule("DL3019", "info", "Use the `--no-cache` switch with `apk add`"),
    HadolintRule("DL3020", "error", "Use `COPY` instead of `ADD` for files and folders"),
    HadolintRule("DL3021", "error", "`COPY` with more than 2 arguments requires the last argument to end with `/`"),
    HadolintRule("DL3022", "warning", "`COPY --from` should reference a previously defined `FROM` alias"),
    HadolintRule("DL3023", "error", "`COPY --from` cannot reference its own `FROM` alias"),
    HadolintRule("DL3024", "error", "`FROM` aliases (stage names) must be unique"),
    HadolintRule("DL3025", "warning", "Use arguments JSON notation for CMD and ENTRYPOINT arguments"),
    HadolintRule("DL3026", "error", "Use only an allowed registry in the `FROM image`"),
    HadolintRule(
        "DL3027",
        "warning",
        "Do not use `apt` as it is meant to be an end-user tool, use `apt-get` or `apt-cache` instead",
    ),
    HadolintRule("DL3028", "warning", "Pin versions in `gem install`"),
    HadolintRule("DL3029", "warning", "Do not use the `--platform` flag with `FROM`"),
    HadolintRule("DL3030", "warning", "Use the `-y` switch to avoid manual input `yum install -y <package>`"),
    HadolintRule("DL3032", "warning", "`yum clean all` missing after yum command"),
    HadolintRule("DL3033", "warning", "Specify version with `yum install -y <package>-<version>`"),
    HadolintRule("DL3034", "warning", "Non-interactive switch missing from `zypper` command: `zypper install -y`"),
    HadolintRule("DL3035", "warning", "Do not use `zypper dist-upgrade`"),
    HadolintRule("DL3036", "warning", "`zypper clean` missing after zypper use"),
    HadolintRule("DL3037", "warning", "Specify version with `zypper install -y <package>[=]<version>`"),
    HadolintRule("DL3038", "warning", "Use the `-y` switch to avoid manual input `dnf install -y <package>`"),
    HadolintRule("DL3040", "warning", "`dnf clean all` missing after dnf command"),
    HadolintRule("DL3041", "warning", "Specify version with `dnf install -y <package>-<version>`"),
    HadolintRule("DL3042", "warning", "Avoid cache directory with `pip install --no-cache-dir <package>`"),
    HadolintRule("DL3043", "error", "`ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction"),
    HadolintRule(
        "DL3044", "error", "Do not refer to an environment variable within the same `ENV` statement where it is defined"
    ),
    HadolintRule("DL3045", "warning", "`COPY` to a relative destination without `WORKDIR` set"),
    HadolintRule("DL3046", "warning", "`useradd` without `-l` and a high UID makes an excessively large image"),
    HadolintRule("DL3047", "info", "`wget` without `--progress` bloats the build log"),
    HadolintRule("DL3048", "style", "Invalid Label Key"),
    HadolintRule("DL3049", "info", "Label `<label>` is missing"),
    HadolintRule("DL3050", "info", "Superfluous label(s) present"),
    HadolintRule("DL3051", "warning", "Label `<label>` is empty"),
    HadolintRule("DL3052", "warning", "Label `<label>` is not a valid URL"),
    HadolintRule("DL3053", "warning", "Label `<label>` is not a valid time format - must conform to RFC3339"),
    HadolintRule("DL3054", "warning", "Label `<label>` is not a valid SPDX license identifier"),
    HadolintRule("DL3055", "warning", "Label `<label>` is not a valid git hash"),
    HadolintRule("DL3056", "warning", "Label `<label>` does not conform to semantic versioning"),
    HadolintRule("DL3057", "ignore", "`HEALTHCHECK` instruction missing"),
    HadolintRule("DL3058", "warning", "Label `<label>` is not a valid email format - must conform to RFC5322"),
    HadolintRule("DL3059", "info", "Multiple consecutive `RUN` instructions"),
    HadolintRule("DL3060", "info", "`yarn cache clean` missing after `yarn install` was run"),
    HadolintRule("DL3061", "error", "Invalid instruction order: a Dockerfile begins with `FROM`, `ARG` or a comment"),
    HadolintRule("DL3062", "warning", "Pin versions in `go install`"),
    HadolintRule("DL3063", "warning", "Stage name should not be a reserved word"),
    HadolintRule("DL3064", "warning", "Potentially sensitive data should not be used in the `ARG` or `ENV` commands"),
    HadolintRule("DL3065", "warning", "`FROM --platform=$TARGETPLATFORM` is redundant (it is the default)"),
    HadolintRule("DL3066", "info", "Non-numeric user-id may not be resolvable by host system"),
    HadolintRule("DL3067", "warning", "Do not copy an entire filesystem from another stage"),
    HadolintRule("DL4000", "error", "`MAINTAINER` is deprecated"),
    HadolintRule("DL4001", "warning", "Either use Wget or Curl but not both"),
    HadolintRule("DL4003", "warning", "Multiple `CMD` instructions found"),
    HadolintRule("DL4004", "error", "Multiple `ENTRYPOINT` instructions found"),
    HadolintRule("DL4005", "warning", "Use `SHELL` to change the default shell"),
    HadolintRule("DL4006", "warning", "Set the `SHELL` option -o pipefail before `RUN` with a pipe in it"),
)

BUILDKIT_CHECKS: tuple[BuildkitCheck, ...] = (
    BuildkitCheck("StageNameCasing", "Stage names should be lowercase"),
    BuildkitCheck("FromAsCasing", "The `AS` keyword should match the case of the `FROM` keyword"),
    BuildkitCheck("NoEmptyContinuation", "Empty continuation lines will become errors"),
    BuildkitCheck("ConsistentInstructionCasing", "All instructions should use the same casing"),
    BuildkitCheck("DuplicateStageName", "Stage names should be unique"),
    BuildkitCheck("ReservedStageName", "Reserved words should not be used as stage names"),
    BuildkitCheck("JSONArgsRecommended", "JSON arguments recommended for `ENTRYPOINT`/`CMD` (OS signals)"),
    BuildkitCheck("MaintainerDeprecated", "`MAINTAINER` is deprecated; use a label"),
    BuildkitCheck("UndefinedArgInFrom", "`FROM` must use declared `ARG`s"),
    BuildkitCheck("WorkdirRelativePath", "Relative `WORKDIR` without an absolute one before it"),
    BuildkitCheck("UndefinedVar", "Variables should be defined before their use"),
    BuildkitCheck("MultipleInstructionsDisallowed", "Several `CMD`/`ENTRYPOINT`/`HEALTHCHECK` in one stage"),
    BuildkitCheck("LegacyKeyValueFormat", "Legacy `ENV key value` format (whitespace separator)"),
    BuildkitCheck("InvalidBaseImagePlatform", "Base image platform does not match the target platform"),
    BuildkitCheck("RedundantTargetPlatform", "`FROM --platform=$TARGETPLATFORM` is redundant"),
    BuildkitCheck("SecretsUsedInArgOrEnv", "Sensitive data should not be used in `ARG` or `ENV`"),
    BuildkitCheck("InvalidDefaultArgInFrom", "A global `ARG` default gives an empty or invalid base image name"),
    BuildkitCheck("FromPlatformFlagConstDisallowed", "`FROM --platform` should not use a constant value"),
    BuildkitCheck("CopyIgnoredFile", "`COPY` of a file that `.dockerignore` excludes"),
    BuildkitCheck(
        "InvalidDefinitionDescription", "Stage or argument comment not in `# <name> <description>` form", True
    ),
    BuildkitCheck("ExposeProtoCasing", "Protocol in `EXPOSE` should be lowercase"),
    BuildkitCheck("ExposeInvalidFormat", "IP address or host-port mapping in `EXPOSE`"),
)

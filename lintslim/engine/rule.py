"""What a rule is: metadata, options, and a check that reads the model and yields diagnostics."""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from lintslim.engine.fixes import Fix
from lintslim.files import read_context_file
from lintslim.syntax.nodes import Dockerfile
from lintslim.syntax.source import Span
from lintslim.syntax.stages import BuildGraph

if TYPE_CHECKING:
    from lintslim.analysis.shellcheck import ShellCheckSession
    from lintslim.context.build_context import BuildContext
    from lintslim.context.sam import SamTemplates
    from lintslim.engine.suppress import Suppressions

_HADOLINT_CODE = re.compile(r"DL\d{4}")
_SHELLCHECK_CODE = re.compile(r"SC\d{4}")
DOCS_URL = "https://github.com/lintslim/lintslim/blob/main/docs/rules/{code}.md"
SHELLCHECK_URL = "https://www.shellcheck.net/wiki/{code}"


class Severity(enum.Enum):
    STYLE = "style"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls(value.lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r} (choose from {choices})") from None


class Family(enum.Enum):
    """Rule families; the hundreds digit of a code names its family."""

    BUILD = ("1", "build", "build structure and layer cache")
    SECRETS = ("2", "secrets", "secrets and credentials")
    RUNTIME = ("3", "runtime", "minimal runtime bases")
    LAMBDA = ("4", "lambda", "AWS Lambda container images")
    HYGIENE = ("5", "hygiene", "general hygiene")
    META = ("9", "meta", "lintslim itself: parse errors and suppressions")

    def __init__(self, digit: str, slug: str, title: str) -> None:
        self.digit = digit
        self.slug = slug
        self.title = title

    @classmethod
    def of_code(cls, code: str) -> Family:
        for family in cls:
            if code[2:3] == family.digit:
                return family
        raise ValueError(f"no family for code {code}")


class FixAvailability(enum.Enum):
    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


@dataclass(frozen=True)
class Option:
    """A rule option: its type, default and a one-line description (validated strictly)."""

    kind: type
    default: Any
    help: str
    choices: tuple[Any, ...] = ()

    def validate(self, rule: str, name: str, value: Any) -> Any:
        expected = self.kind
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if expected is list and isinstance(value, (list, tuple)):
            if not all(isinstance(item, str) for item in value):
                raise ValueError(f"option `{name}` of rule `{rule}` must be a list of strings")
            return list(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ValueError(f"option `{name}` of rule `{rule}` must be {expected.__name__}, not {value!r}")
        if self.choices and value not in self.choices:
            raise ValueError(f"option `{name}` of rule `{rule}` must be one of {list(self.choices)}, not {value!r}")
        return value


@dataclass(frozen=True)
class Diagnostic:
    """One finding: which rule, where (a span into the source), what, and an optional fix.

    `redact` holds the spans of secret values in the source: every output that shows source text
    masks them (and the message and fix title never contain them).  `reporter` is the code of the
    rule that made the finding when `code` is another tool's (LS590 reports ShellCheck's `SC2086`).
    """

    code: str
    name: str
    message: str
    span: Span
    severity: Severity
    fix: Fix | None = None
    redact: tuple[Span, ...] = ()
    reporter: str | None = None

    @property
    def rule_code(self) -> str:
        """The code of the rule that made this finding (its own `code`, unless that is another tool's)."""
        return self.reporter or self.code

    @property
    def url(self) -> str:
        if _SHELLCHECK_CODE.fullmatch(self.code):
            return SHELLCHECK_URL.format(code=self.code)
        return DOCS_URL.format(code=self.code)


@dataclass(frozen=True)
class RuleContext:
    """What a check may look at.  Context files are read through here, inside the build context only.

    `build_context` is None without a context directory.  One object serves every rule of a lint
    run and reads nothing until a rule asks (the ignore file, the listing of the context).
    `sam_templates` (SAM/CloudFormation templates above the Dockerfile) is shared and lazy the same way.
    `lambda_config` is what the configuration says about the file being an AWS Lambda image.
    `shellcheck` is the run's ShellCheck (binary, results, files to read ahead), when the caller has one.
    """

    dockerfile: Dockerfile
    options: Mapping[str, Any] = field(default_factory=dict)
    context_dir: Path | None = None
    suppressions: Suppressions | None = None
    build_context: BuildContext | None = None
    sam_templates: SamTemplates | None = None
    lambda_config: bool | None = None  # the `lambda` config key for this file: True, False or None (detect)
    shellcheck: ShellCheckSession | None = None

    @property
    def graph(self) -> BuildGraph:
        return self.dockerfile.graph

    @property
    def text(self) -> str:
        return self.dockerfile.text

    def read_context_file(self, relative: str) -> str | None:
        """A file of the build context as text, or None (missing, outside the context, too big, binary)."""
        if self.context_dir is None:
            return None
        return read_context_file(self.context_dir, relative)


class Rule:
    """Base class of every rule.  Subclasses set the metadata and implement `check`.

    The class docstring is the rule's documentation: a summary line, then `## What it does`,
    `## Why is this bad?` and, for fixable rules, `## Fix safety`.  Examples come from the rule's
    case file in `rules/`, which the tests run.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    aliases: ClassVar[tuple[str, ...]] = ()  # hadolint codes (DLxxxx) and BuildKit check names
    options: ClassVar[Mapping[str, Option]] = {}
    default_enabled: ClassVar[bool] = True  # opt-in rules are enabled only when selected by exact name
    # Another tool's codes this rule reports besides its own: the prefix of `<prefix>` and four digits
    # (LS590 reports ShellCheck's `SC2086`).  Each such code is selected, ignored and suppressed on its own.
    code_prefix: ClassVar[str] = ""
    # Of those codes, the ones left out unless named (`--select SC1091`): ShellCheck's that mean nothing here.
    excluded_codes: ClassVar[frozenset[str]] = frozenset()

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        raise NotImplementedError

    @classmethod
    def family(cls) -> Family:
        return Family.of_code(cls.code)

    @classmethod
    def summary(cls) -> str:
        return cls.documentation().split("\n", 1)[0].strip()

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def default_options(cls) -> dict[str, Any]:
        return {name: option.default for name, option in cls.options.items()}

    @classmethod
    def hadolint_codes(cls) -> tuple[str, ...]:
        return tuple(alias for alias in cls.aliases if _HADOLINT_CODE.fullmatch(alias))

    @classmethod
    def buildkit_checks(cls) -> tuple[str, ...]:
        """Aliases that name BuildKit build checks (PascalCase, such as `JSONArgsRecommended`)."""
        return tuple(a for a in cls.aliases if not _HADOLINT_CODE.fullmatch(a) and not _SHELLCHECK_CODE.fullmatch(a))

    def report(
        self,
        span: Span,
        message: str,
        *,
        fix: Fix | None = None,
        severity: Severity | None = None,
        redact: tuple[Span, ...] = (),
        code: str | None = None,
    ) -> Diagnostic:
        """A finding of this rule; `code` gives another tool's code for it (one the rule's `code_prefix` names)."""
        reporter = self.code if code is not None and code != self.code else None
        return Diagnostic(code or self.code, self.name, message, span, severity or self.severity, fix, redact, reporter)

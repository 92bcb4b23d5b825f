from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator

from lintslim.analysis.aws_lambda import (
    AWS_BASE_ENV,
    AWS_ENTRYPOINT,
    LambdaImage,
    final_workdir,
    is_handler,
    lambda_image,
)
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.rules._wording import and_list, shortened
from lintslim.rules.aws_lambda._entry import (
    cmd_in_force,
    command_words,
    exec_form_edit,
    handler_entrypoint,
)
from lintslim.rules.aws_lambda._shared import lambda_reason
from lintslim.rules.runtime._shared import env_setting
from lintslim.syntax.nodes import Instruction, Token
from lintslim.syntax.shell import POSIX_SHELLS
from lintslim.syntax.stages import BuildGraph

# `${NAME}` (with or without an operator such as `:-default`) or `$NAME`.
# The operator starts with a character the name cannot take: one way to split `${name…}`, so no
# backtracking over the name when the closing brace is missing.
_VARIABLE = re.compile(r"\$\{(?P<braced>[A-Za-z_]\w*)(?P<operator>[^}\w][^}]*)?\}|\$(?P<plain>[A-Za-z_]\w*)")
_ENV_STYLE = re.compile(r"[A-Z_][A-Z0-9_]*")


class EntrypointInvalid(Rule):
    """The ENTRYPOINT or CMD of a Lambda image cannot start the function as written.

    ## What it does
    Runs on the final image when it is a Lambda function image (see LS401 for how that is decided),
    on the `ENTRYPOINT` and `CMD` that Lambda starts (a SAM/CloudFormation template's `ImageConfig`
    overrides them; its values have no place in the Dockerfile, so an overridden instruction is not
    checked).  It flags:

    - a shell-form `ENTRYPOINT` while a `CMD` is set: it runs as `/bin/sh -c "<command>"`, and the
      shell drops the CMD, so the handler never reaches the runtime interface client
      (`ENTRYPOINT python -m awslambdaric` with `CMD ["app.handler"]`);
    - a shell-form `CMD` given to an entrypoint that takes the handler as its one argument (the AWS
      base images' `/lambda-entrypoint.sh`, or a runtime interface client run as the ENTRYPOINT):
      it receives `/bin/sh`, `-c` and the command instead (`/lambda-entrypoint.sh` exits with
      "entrypoint requires the handler name to be the first argument");
    - a variable (`${LAMBDA_TASK_ROOT}`, `$PORT`) in an exec-form `ENTRYPOINT` or `CMD`: no shell
      runs exec form, so the process receives the literal text.  The script of `["sh", "-c", "…"]`
      is left alone (that shell expands it), and so is `${NAME}` in a `--key=value` argument of
      `java` (Spring Boot resolves such placeholders itself); `$Name` in mixed case is taken for
      part of a name (Java inner classes) unless an `ARG` or `ENV` declares it;
    - a relative program path (`["./main"]`, `["bin/bootstrap"]`) in an exec-form `ENTRYPOINT`,
      or `CMD` when nothing else is the entrypoint: AWS asks for an absolute path, and a relative
      one runs only while the function's working directory is the one it was written for.  This is
      a warning (AWS's own SAM Go template runs `./lambda-handler` from `/var/task`), and an error when the
      template's `WorkingDirectory` differs from the image's `WORKDIR`.  A bare name
      (`["npx", "aws-lambda-ric"]`) is looked up in `PATH`, and arguments (`["java", "-jar",
      "./app.jar"]`) are read by the program from its working directory: neither is flagged.

    A shell-form `ENTRYPOINT` without a `CMD`, and a shell-form `CMD` on an image whose
    entrypoint is the author's own program (a web app behind the Lambda Web Adapter), run as
    intended and are left to LS502 (`json-args-recommended`).

    ## Why is this bad?
    Lambda starts the ENTRYPOINT with the CMD as its arguments, without a shell of its own.  Each
    of these makes the function fail at its first cold start (`Runtime.InvalidEntrypoint`,
    `Runtime.ExitError`, or a handler that cannot be found), which no local `docker build` shows.
    AWS: "When you specify ENTRYPOINT or CMD … make sure that you enter the absolute path."

    ## Fix safety
    A shell-form `CMD` that is a plain word list is written in exec form; the fix is safe when it is
    a single handler word, since the shell form cannot work with such an entrypoint, and unsafe
    otherwise.  A shell-form `ENTRYPOINT` is written in exec form as an unsafe fix: the program then
    receives the CMD as arguments, which it never did.  A relative program path is made absolute
    under the function's working directory, the directory it is resolved against now (safe).
    `${LAMBDA_TASK_ROOT}` and `${LAMBDA_RUNTIME_DIR}` on an AWS base are replaced by their values,
    which Lambda reserves (safe); a variable set by `ENV` is replaced by its value as an unsafe fix,
    as the function's configuration may set it to something else at run time.
    """

    code = "LS405"
    name = "lambda-entrypoint-invalid"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        image = lambda_image(ctx)
        if image is None:
            return
        graph = ctx.graph
        yield from self._shell_forms(ctx, graph, image)
        for instruction in _exec_form_commands(graph, image):
            yield from self._variables(graph, image, instruction)
        relative = self._relative_program(graph, image)
        if relative is not None:
            yield relative

    # --- shell form -----------------------------------------------------------------------------

    def _shell_forms(self, ctx: RuleContext, graph: BuildGraph, image: LambdaImage) -> Iterator[Diagnostic]:
        entrypoint, cmd = image.entrypoint_instruction, image.cmd_instruction
        passed = _passed_cmd(graph, image)
        if entrypoint is not None and not entrypoint.is_json and entrypoint.rest is not None and passed:
            converted = exec_form_edit(ctx.dockerfile, entrypoint)
            fix = Fix.unsafe(f"Use exec form: `{converted[1]}`", converted[0]) if converted else None
            yield self.report(
                entrypoint.rest.span,
                f'Shell-form `ENTRYPOINT` runs as `/bin/sh -c "{shortened(entrypoint.rest.value)}"`, which drops '
                f"the CMD: `{shortened(passed)}` never reaches it, so the function starts without its handler"
                f"{lambda_reason(image)}",
                fix=fix,
            )
        taker = handler_entrypoint(image)
        if taker is None or cmd is None or cmd.is_json or cmd.rest is None or not cmd_in_force(graph, image):
            return
        converted = exec_form_edit(ctx.dockerfile, cmd)
        fix = None
        if converted is not None:
            single = (command_words(cmd) or ())[:2]
            make = Fix.safe if len(single) == 1 and is_handler(single[0]) else Fix.unsafe
            fix = make(f"Use exec form: `{converted[1]}`", converted[0])
        yield self.report(
            cmd.rest.span,
            f'Shell-form `CMD` is passed as `/bin/sh -c "{shortened(cmd.rest.value)}"`: {taker} takes the handler '
            f"as its only argument and gets `/bin/sh` instead{lambda_reason(image)}",
            fix=fix,
        )

    # --- variables in exec form -----------------------------------------------------------------

    def _variables(self, graph: BuildGraph, image: LambdaImage, instruction: Instruction) -> Iterator[Diagnostic]:
        script = _shell_script_index(graph, image, instruction)
        argv, _ = _argv(graph, image)
        java = bool(argv) and posixpath.basename(argv[0]) == "java"
        for position, token in enumerate(instruction.args):
            if position == script:
                continue
            # Spring Boot resolves `${NAME}` placeholders in `--key=value` arguments itself.
            placeholders = java and token.value.startswith("--")
            names = _unexpanded(graph, instruction, token.value, placeholders_resolved=placeholders)
            if not names:
                continue
            shown = and_list([f"`{name}`" for name in names])
            yield self.report(
                token.span,
                f"{shown} in exec-form `{instruction.keyword}` is not expanded (no shell runs exec form): the "
                f"process receives the literal text{lambda_reason(image)}",
                fix=_substitution_fix(graph, image, token),
            )

    # --- relative program path ------------------------------------------------------------------

    def _relative_program(self, graph: BuildGraph, image: LambdaImage) -> Diagnostic | None:
        token = _program_token(graph, image)
        if token is None:
            return None
        word = token.value
        if "/" not in word or word.startswith("/") or "$" in word:
            return None
        workdir = final_workdir(graph, image.stage, on_aws_base=image.on_aws_base)
        template_dir = image.template_function.working_directory if image.template_function else None
        if template_dir is not None and workdir is not None and template_dir != workdir:
            return self.report(
                token.span,
                f"`{word}` is a relative path, resolved against the template's WorkingDirectory `{template_dir}`, "
                f"not the image's WORKDIR `{workdir}`: write the absolute path{lambda_reason(image)}",
            )
        where = f"`{image.function_directory}`" if _usable_directory(image.function_directory) else "the WORKDIR"
        fix = None
        if _usable_directory(image.function_directory):
            assert image.function_directory is not None
            absolute = posixpath.normpath(posixpath.join(image.function_directory, word))
            fix = Fix.safe(f"Use the absolute path `{absolute}`", Edit.replace(token.span, json.dumps(absolute)))
        return self.report(
            token.span,
            f"`{word}` is a relative path, resolved against {where} at run time: Lambda asks for an absolute path, "
            f"and a WorkingDirectory override breaks it{lambda_reason(image)}",
            fix=fix,
            severity=Severity.WARNING,
        )


# --- what runs ------------------------------------------------------------------------------------


def _passed_cmd(graph: BuildGraph, image: LambdaImage) -> str | None:
    """The CMD Lambda passes to the entrypoint, as text: the template's Command or the image's CMD."""
    if image.cmd_instruction is None:
        return " ".join(image.cmd) if image.cmd else None
    if not cmd_in_force(graph, image):
        return None
    if image.cmd_instruction.is_json:
        return " ".join(token.value for token in image.cmd_instruction.args) or None
    rest = image.cmd_instruction.rest
    return rest.value if rest is not None and rest.value else None


def _exec_form_commands(graph: BuildGraph, image: LambdaImage) -> Iterator[Instruction]:
    """The exec-form ENTRYPOINT and CMD instructions whose words reach the process."""
    entrypoint, cmd = image.entrypoint_instruction, image.cmd_instruction
    if entrypoint is not None and entrypoint.is_json:
        yield entrypoint
    shell_entrypoint = entrypoint is not None and not entrypoint.is_json
    if cmd is not None and cmd.is_json and not shell_entrypoint and cmd_in_force(graph, image):
        yield cmd


def _argv(graph: BuildGraph, image: LambdaImage) -> tuple[list[str], int]:
    """The words the process starts with (ENTRYPOINT then CMD, as far as known), and how many of
    them come from the ENTRYPOINT."""
    if image.entrypoint is not None:
        entry = list(image.entrypoint)
    elif image.on_aws_base and image.entrypoint_instruction is None:
        entry = [AWS_ENTRYPOINT]
    else:
        entry = []
    cmd = image.cmd_instruction
    if cmd is None:
        words = list(image.cmd or ())
    elif cmd.is_json and cmd_in_force(graph, image):
        words = [token.value for token in cmd.args]
    else:
        words = []
    return entry + words, len(entry)


def _shell_script_index(graph: BuildGraph, image: LambdaImage, instruction: Instruction) -> int | None:
    """The position, among `instruction`'s words, of the script a `sh -c` runs (its shell expands it)."""
    argv, from_entrypoint = _argv(graph, image)
    if not argv or posixpath.basename(argv[0]) not in POSIX_SHELLS:
        return None
    position = 1
    reads_script = False
    while position < len(argv) and argv[position].startswith("-") and argv[position] != "--":
        reads_script = reads_script or ("c" in argv[position] and not argv[position].startswith("--"))
        position += 1
    if not reads_script or position >= len(argv):
        return None
    if instruction is image.entrypoint_instruction:
        return position if position < from_entrypoint else None
    return position - from_entrypoint if position >= from_entrypoint else None


def _unexpanded(graph: BuildGraph, instruction: Instruction, word: str, *, placeholders_resolved: bool) -> list[str]:
    """The variable references in an exec-form word that a reader would take for expanded."""
    found: list[str] = []
    scope = graph.scope_at(instruction)
    for match in _VARIABLE.finditer(word):
        if placeholders_resolved and match.group("braced"):
            continue
        name = match.group("braced") or match.group("plain")
        if match.group("plain") and not _ENV_STYLE.fullmatch(name) and not scope.knows(name):
            continue
        if match.group(0) not in found:
            found.append(match.group(0))
    return found


def _substitution_fix(graph: BuildGraph, image: LambdaImage, token: Token) -> Fix | None:
    """The word with its variables replaced by values the image certainly gives them at run time."""
    unsafe = False
    replacements: dict[str, str] = {}
    for match in _VARIABLE.finditer(token.value):
        if match.group("operator"):
            return None
        name = match.group("braced") or match.group("plain")
        value, reserved = _runtime_value(graph, image, name)
        if value is None:
            return None
        unsafe = unsafe or not reserved
        replacements[match.group(0)] = value
    if not replacements:
        return None
    word = _VARIABLE.sub(lambda match: replacements[match.group(0)], token.value)
    title = f"Write the value{'s' if len(replacements) > 1 else ''}: `{shortened(word, 60)}`"
    edit = Edit.replace(token.span, json.dumps(word, ensure_ascii=False))
    return Fix.unsafe(title, edit) if unsafe else Fix.safe(title, edit)


def _runtime_value(graph: BuildGraph, image: LambdaImage, name: str) -> tuple[str | None, bool]:
    """A variable's value in the running function, and whether Lambda reserves it (no override)."""
    setting = env_setting(graph, image.stage, name)
    if setting is None:
        # Lambda reserves these ("cannot be set in your function configuration"), as the AWS bases set them.
        reserved = AWS_BASE_ENV.get(name) if image.on_aws_base else None
        return reserved, reserved is not None
    value = setting[2]
    return (None if value is None or "$" in value else value), False


# --- relative paths -------------------------------------------------------------------------------


def _program_token(graph: BuildGraph, image: LambdaImage) -> Token | None:
    """The word naming the program Lambda starts, when it is written in the Dockerfile in exec form."""
    entrypoint, cmd = image.entrypoint_instruction, image.cmd_instruction
    if entrypoint is not None:
        if entrypoint.is_json and entrypoint.args:
            return entrypoint.args[0]
        if not entrypoint.is_json or image.entrypoint:
            return None
    elif image.entrypoint is not None or image.on_aws_base:
        return None  # the template's EntryPoint, or the base's /lambda-entrypoint.sh, runs
    if cmd is not None and cmd.is_json and cmd.args and cmd_in_force(graph, image):
        return cmd.args[0]
    return None


def _usable_directory(directory: str | None) -> bool:
    return directory is not None and directory.startswith("/") and "$" not in directory

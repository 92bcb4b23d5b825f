from __future__ import annotations

from collections.abc import Iterator

from lintslim.engine.rule import Diagnostic, Rule, RuleContext, Severity
from lintslim.secrets.detect import find_secrets


class HardcodedSecret(Rule):
    """A credential written into the Dockerfile.

    ## What it does
    Flags literal credentials anywhere in the file: tokens with a recognisable format (AWS access
    keys, GitHub, GitLab, Slack, Stripe, npm and PyPI tokens, JWTs, Google and OpenAI API keys,
    private key blocks and about forty more), passwords in URLs (`https://user:password@host`), the
    values of ENV, ARG and LABEL keys that name a secret (`ENV DB_PASSWORD=…`), and, in RUN
    commands, secret assignments (`export API_TOKEN=…`), secret options (`--password=…`,
    `--api-key …`, `curl -u user:password`, `mysql -p…`, `sshpass -p`, `docker login -p`,
    `htpasswd -b`, `echo user:password | chpasswd`) and secret settings written to files by
    heredocs (`COPY <<EOF .npmrc`, `cat <<EOF > .env`).

    The token formats come from gitleaks' curated rule set (see `lintslim/secrets/token_formats.toml`
    for each format's source).  Placeholders and well-known defaults are not reported: references
    (`$TOKEN`, `${TOKEN}`, `$(cat /run/secrets/token)`), paths, `<token>`, `changeme`, `xxxx`,
    `your-api-key`, `password`, `root`, `example`, and AWS's documented example keys.  Generic
    high-entropy strings are not reported either: checksums and digests would drown the real leaks.

    Every stage counts, build stages included: the credential is in the Dockerfile's text, so in
    version control, in build logs and in the build cache, whether or not it reaches the image.

    Messages say what was found and where, never the value; every output format masks it.

    ## Why is this bad?
    Anyone who can read the Dockerfile, the image or its history has the credential: image layers
    and `docker history` keep ENV values and RUN command lines for good, and the file itself is in
    version control.  Rotate the credential, then pass it at build time with a secret mount
    (`RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci`, built with
    `docker build --secret id=npm_token,env=NPM_TOKEN`) or at run time from the environment.
    """

    code = "LS202"
    name = "hardcoded-secret"
    severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for secret in find_secrets(ctx.dockerfile):
            yield self.report(secret.span, f"Hardcoded {secret.what}", redact=(secret.span,))

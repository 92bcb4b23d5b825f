"""What the instruction rules (LS560–LS572) share: base images' WORKDIR and ENV, EXPOSE port specs.

The two tables hold facts about Docker Official Images (and AWS Lambda's base images) read from
their Dockerfiles in docker-library and aws/aws-lambda-base-images.  An image they do not list is
unknown: rules then assume nothing about its WORKDIR or its environment.
"""

from __future__ import annotations

from lintslim.knowledge.images import lookup_key
from lintslim.syntax.stages import BuildGraph, Stage

# WORKDIR set by the image itself.  php sets /var/www/html in its apache and fpm variants only.
_WORKDIRS = {
    "golang": "/go",  # docker-library/golang: WORKDIR $GOPATH
    "httpd": "/usr/local/apache2",  # docker-library/httpd: WORKDIR $HTTPD_PREFIX
    "tomcat": "/usr/local/tomcat",  # docker-library/tomcat: WORKDIR $CATALINA_HOME
    "wordpress": "/var/www/html",
}
_LAMBDA_PREFIX = "public.ecr.aws/lambda/"  # aws-lambda-base-images: WORKDIR /var/task
# aws-sam-build-images: every build image is FROM public.ecr.aws/lambda/<runtime>, so works in /var/task too
_SAM_BUILD_PREFIX = "public.ecr.aws/sam/build-"
_LAMBDA_ENV = frozenset({"LANG", "TZ", "PATH", "LD_LIBRARY_PATH", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"})

# Every ENV name the image sets (BuildKit adds PATH to any image without one, scratch included).
_ENV_NAMES = {
    "scratch": frozenset({"PATH"}),
    "alpine": frozenset({"PATH"}),
    "busybox": frozenset({"PATH"}),
    "debian": frozenset({"PATH"}),
    "ubuntu": frozenset({"PATH"}),
    "golang": frozenset({"PATH", "GOLANG_VERSION", "GOPATH", "GOTOOLCHAIN"}),
    "node": frozenset({"PATH", "NODE_VERSION", "YARN_VERSION"}),
    "python": frozenset(
        {
            "PATH",
            "LANG",
            "GPG_KEY",
            "PYTHON_VERSION",
            "PYTHON_SHA256",
            "PYTHON_PIP_VERSION",
            "PYTHON_SETUPTOOLS_VERSION",
            "PYTHON_GET_PIP_URL",
            "PYTHON_GET_PIP_SHA256",
        }
    ),
    "rust": frozenset({"PATH", "RUSTUP_HOME", "CARGO_HOME", "RUST_VERSION"}),
}


def _repository_and_tag(graph: BuildGraph, stage: Stage) -> tuple[str, str] | None:
    image = graph.root_image(stage)
    if image is None:
        return None
    repository, _, tag = lookup_key(image).rpartition(":")
    return repository, tag


def base_workdir(graph: BuildGraph, stage: Stage) -> str | None:
    """The WORKDIR the stage's root image sets, when it is known to set one."""
    found = _repository_and_tag(graph, stage)
    if found is None:
        return None
    repository, tag = found
    if repository.startswith((_LAMBDA_PREFIX, _SAM_BUILD_PREFIX)):
        return "/var/task"
    if repository == "php" and ("apache" in tag or "fpm" in tag):
        return "/var/www/html"
    return _WORKDIRS.get(repository)


def base_env_names(graph: BuildGraph, stage: Stage) -> frozenset[str] | None:
    """Every ENV name the stage's root image sets, or None when that is not known."""
    found = _repository_and_tag(graph, stage)
    if found is None:
        return None
    repository = found[0]
    if repository.startswith(_LAMBDA_PREFIX):
        return _LAMBDA_ENV
    return _ENV_NAMES.get(repository)


def split_port_spec(spec: str) -> tuple[str, str, str, str]:
    """An EXPOSE word as BuildKit reads it: (ip, host port, container port, protocol).

    `[ip:]host:container[/proto]`: the last two `:`-separated parts are the ports, anything before
    is the IP (an IPv6 address holds colons).  The protocol is the part between the first `/` and
    the next one: BuildKit (go-connections' SplitProtoPort) ignores the rest, so `80/tcp/x` is tcp.
    """
    parts = spec.split(":")
    ip = ":".join(parts[:-2])
    host = parts[-2] if len(parts) >= 2 else ""
    container, *protocol = parts[-1].split("/")
    return ip, host, container, protocol[0] if protocol else ""


def port_range_problem(ports: str) -> str | None:
    """Why `80` or `8000-8010` is not a valid port range for BuildKit, or None when it is."""
    start, dash, end = ports.partition("-")
    for number in (start, end) if dash else (start,):
        if not number.isascii() or not number.isdigit():
            return f"`{number}` is not a port number" if number else "a port number is missing"
        if int(number) > 65535:
            return f"port {number} is out of range (0-65535)"
    if dash and start != end and int(end) < int(start):
        return f"the range {ports} ends before it starts"
    return None

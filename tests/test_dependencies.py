"""Dependency installs, the files they read, and where COPY puts context files (lintslim.analysis.dependencies)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from lintslim.analysis.dependencies import (
    UNKNOWN_WORKDIR,
    Install,
    context_copy,
    looks_like_directory,
    recognise_install,
    requirement_file_needs,
    resolve_install,
    working_directories,
)
from lintslim.syntax.parser import parse
from lintslim.syntax.shell import split_commands
from lintslim.syntax.source import Span


def _install(line: str) -> Install | None:
    commands = split_commands(line, Span)
    found = [install for command in commands if (install := recognise_install(command)) is not None]
    return found[0] if found else None


@dataclass
class _View:
    """A project directory held in memory."""

    files: dict[str, str] = field(default_factory=dict)

    def read(self, relative: str) -> str | None:
        return self.files.get(relative)

    def exists(self, relative: str) -> bool:
        return any(path == relative or path.startswith(relative + "/") for path in self.files)

    def names(self, relative: str) -> tuple[str, ...]:
        prefix = "" if relative == "." else relative + "/"
        return tuple(sorted({path[len(prefix) :].split("/")[0] for path in self.files if path.startswith(prefix)}))


# --- recognising installs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "tool", "manifests"),
    [
        ("pip install -r requirements.txt", "pip install", ("requirements.txt",)),
        ("pip3 install --no-cache-dir -r requirements/prod.txt", "pip install", ("requirements/prod.txt",)),
        (
            "python3 -m pip install --requirement=reqs.txt -c constraints.txt",
            "pip install",
            ("reqs.txt", "constraints.txt"),
        ),
        ("pip install -Ur requirements.txt", "pip install", ("requirements.txt",)),
        ("uv pip install --system -r requirements.txt", "uv pip install", ("requirements.txt",)),
        ("poetry install --no-root --only main", "poetry install", ("pyproject.toml",)),
        ("uv sync --frozen --no-install-project", "uv sync", ("pyproject.toml",)),
        ("pipenv install --deploy --system", "pipenv install", ("Pipfile",)),
        ("npm ci --omit=dev", "npm ci", ("package.json",)),
        ("npm install --production", "npm install", ("package.json",)),
        ("yarn --frozen-lockfile", "yarn", ("package.json",)),
        ("yarn install --immutable", "yarn install", ("package.json",)),
        ("pnpm install --frozen-lockfile --prod", "pnpm install", ("package.json",)),
        ("pnpm fetch --prod", "pnpm fetch", ("pnpm-lock.yaml",)),
        ("bun install --frozen-lockfile", "bun install", ("package.json",)),
        ("go mod download -x", "go mod download", ("go.mod",)),
        ("cargo fetch --locked", "cargo fetch", ("Cargo.toml",)),
        ("mvn -B -q dependency:go-offline -DskipTests", "mvn dependency:go-offline", ("pom.xml",)),
        ("./mvnw -f backend/pom.xml dependency:resolve", "./mvnw dependency:resolve", ("backend/pom.xml", "mvnw")),
        ("bundle install --jobs 4 --retry 3", "bundle install", ("Gemfile",)),
        ("composer install --no-dev --no-scripts", "composer install", ("composer.json",)),
        ("php composer.phar install", "composer install", ("composer.json",)),
        ("dotnet restore", "dotnet restore", ("*.csproj",)),
        ("dotnet restore src/Api/Api.csproj", "dotnet restore", ("src/Api/Api.csproj",)),
        ("dotnet restore src/Api", "dotnet restore", ("src/Api/*.csproj",)),
    ],
)
def test_recognises_installs_and_their_manifests(line: str, tool: str, manifests: tuple[str, ...]) -> None:
    install = _install(line)
    assert install is not None
    assert (install.tool, install.manifests) == (tool, manifests)


@pytest.mark.parametrize(
    "line",
    [
        "pip install flask gunicorn",
        "pip install --upgrade pip setuptools",
        "pip download -r requirements.txt",
        "npm install -g pnpm",
        "npm install express",
        "npm run build",
        "yarn build",
        "yarn add left-pad",
        "go build ./...",
        "go mod tidy",
        "cargo build --release",
        "mvn -B package",
        "mvn dependency:go-offline package",
        "bundle exec rake assets:precompile",
        "composer require monolog/monolog",
        "dotnet publish -c Release",
        "python manage.py migrate",
    ],
)
def test_other_commands_are_not_installs(line: str) -> None:
    assert _install(line) is None


def test_project_installs_need_the_source() -> None:
    assert _install("pip install .").whole_project  # type: ignore[union-attr]
    assert _install("pip install -e '.[dev]'").whole_project  # type: ignore[union-attr]
    assert _install("poetry install --only main").whole_project  # type: ignore[union-attr]
    assert _install("uv sync --frozen").whole_project  # type: ignore[union-attr]
    assert not _install("poetry install --no-root").whole_project  # type: ignore[union-attr]


def test_install_details() -> None:
    pip = _install("pip install --no-index --find-links ./wheels -r requirements.txt --target /opt/deps")
    assert pip is not None
    assert pip.inputs == ("./wheels",)
    assert pip.outputs == ("/opt/deps",)
    npm = _install("npm ci --prefix web --ignore-scripts")
    assert npm is not None
    assert (npm.directory, npm.runs_scripts, npm.outputs) == ("web", False, ("node_modules",))
    cargo = _install("cargo fetch")
    assert cargo is not None and cargo.limitation is not None


def test_installs_inside_shell_structure() -> None:
    commands = split_commands("set -eux; if [ -f go.mod ]; then go mod download; fi && sudo -E npm ci", Span)
    tools = [install.tool for command in commands if (install := recognise_install(command)) is not None]
    assert tools == ["go mod download", "npm ci"]


# --- what an install reads ----------------------------------------------------------------------


def test_requirements_includes_are_followed() -> None:
    view = _View(
        {
            "requirements.txt": (
                "-r requirements/base.txt\n--constraint=constraints.txt\nflask==3.0 ; python_version > '3'\n"
            ),
            "requirements/base.txt": "-r common.txt  # shared\nrequests\n",
            "requirements/common.txt": "-r ../requirements.txt\n",
            "constraints.txt": "urllib3<3\n",
        }
    )
    files, problem = requirement_file_needs("requirements.txt", view)
    assert problem is None
    assert files == ["requirements.txt", "requirements/base.txt", "requirements/common.txt", "constraints.txt"]


@pytest.mark.parametrize(
    "line",
    [
        "-e .",
        "--editable ./libs/core",
        ".",
        "./vendor/pkg.whl",
        "mypkg @ file:///src/mypkg",
        "-f ./wheels",
        "../shared",
    ],
)
def test_requirements_with_local_paths_need_the_source(line: str) -> None:
    files, problem = requirement_file_needs("requirements.txt", _View({"requirements.txt": f"flask\n{line}\n"}))
    assert files == [] and problem is not None and line in problem


def test_remote_requirements_are_fine() -> None:
    text = "-e git+https://github.com/org/pkg.git#egg=pkg\n-r https://example.com/reqs.txt\nhttps://example.com/x.whl\n"
    assert requirement_file_needs("requirements.txt", _View({"requirements.txt": text})) == (["requirements.txt"], None)


def test_resolve_collects_lock_and_configuration_files() -> None:
    install = _install("npm ci")
    assert install is not None
    view = _View({"package.json": '{"name": "x"}', "package-lock.json": "{}", ".npmrc": "fund=false\n"})
    needs = resolve_install(install, view)
    assert (needs.files, needs.problem) == (("package.json", "package-lock.json", ".npmrc"), None)


@pytest.mark.parametrize(
    ("line", "files", "problem"),
    [
        ("npm ci", {"package-lock.json": "{}"}, "`package.json` is not in the build context"),
        ("npm ci", {"package.json": "[1]"}, "`package.json` is not a JSON object"),
        ("npm ci", {"package.json": '{"workspaces": ["a"]}'}, "the project has workspaces"),
        ("npm ci", {"package.json": '{"scripts": {"prepare": "husky"}}'}, "has a `prepare` script"),
        ("yarn", {"package.json": '{"dependencies": {"ui": "file:../ui"}}'}, "installs `ui` from a local path"),
        ("npm ci", {"package.json": "{}", "node_modules/a/index.js": ""}, "the context holds `node_modules`"),
        ("go mod download", {"go.mod": "module x\nreplace y => ../y\n"}, "replaces a module"),
        ("go mod download", {"go.mod": "module x\n", "go.work": "go 1.22\n"}, "`go.work` workspace"),
        ("mvn dependency:go-offline", {"pom.xml": "<modules><module>a</module></modules>"}, "has modules"),
        ("bundle install", {"Gemfile": "gem 'x', path: 'vendor/x'\n"}, "reads local files"),
        ("composer install", {"composer.json": '{"scripts": {"post-install-cmd": ["x"]}}'}, "install scripts"),
        ("composer install -o --no-scripts", {"composer.json": "{}"}, "autoloader"),
        ("dotnet restore", {"A.csproj": "<Project/>", "B.csproj": "<Project/>"}, "`*.csproj` is not in"),
        ("dotnet restore", {"App.sln": "", "A.csproj": ""}, "`*.csproj` is not in"),
        ("poetry install --no-root", {"pyproject.toml": 'lib = { path = "../lib" }\n'}, "local path dependency"),
        ("cargo fetch", {"Cargo.toml": ""}, "cargo-chef"),
        ("pip install .", {"pyproject.toml": ""}, "installs the project itself"),
    ],
)
def test_resolve_problems(line: str, files: dict[str, str], problem: str) -> None:
    install = _install(line)
    assert install is not None
    found = resolve_install(install, _View(files)).problem
    assert found is not None and problem in found


def test_dotnet_settings_are_looked_up_in_parent_directories() -> None:
    install = _install("dotnet restore src/Api/Api.csproj")
    assert install is not None
    view = _View(
        {"src/Api/Api.csproj": "<Project/>", "Directory.Build.props": "<Project/>", "src/NuGet.Config": "<c/>"}
    )
    needs = resolve_install(install, view)
    assert needs.problem is None
    assert needs.files == ("src/Api/Api.csproj", "src/NuGet.Config", "Directory.Build.props")


def test_yarn_directory_is_read_when_present() -> None:
    install = _install("yarn install --immutable")
    assert install is not None
    view = _View({"package.json": "{}", "yarn.lock": "", ".yarnrc.yml": "", ".yarn/releases/yarn.cjs": ""})
    needs = resolve_install(install, view)
    assert (needs.files, needs.directories) == (("package.json", "yarn.lock", ".yarnrc.yml"), (".yarn",))


# --- paths, working directories and copies ----------------------------------------------------------


def test_directories_by_name() -> None:
    assert looks_like_directory(".") and looks_like_directory("src") and looks_like_directory(".yarn")
    assert not looks_like_directory("Gemfile") and not looks_like_directory("package.json")
    assert not looks_like_directory(".npmrc") and not looks_like_directory("*.txt")


def test_working_directories_follow_workdir_and_parent_stages() -> None:
    dockerfile = parse(
        "FROM python:3.12 AS base\nWORKDIR /app\nWORKDIR src\nRUN true\n"
        "FROM base\nRUN true\nWORKDIR $UNKNOWN\nRUN true\nFROM alpine\nRUN true\n"
    )
    graph = dockerfile.graph
    first, second, third = (working_directories(graph, stage) for stage in graph.stages)
    assert first[1] == UNKNOWN_WORKDIR and first[2] == "/app" and first[3] == "/app/src"
    assert second[5] == "/app/src" and second[7] is None
    assert third[9] == UNKNOWN_WORKDIR


@pytest.mark.parametrize(
    ("line", "sources", "destination", "into"),
    [
        ("COPY . .", (".",), "/app", True),
        ("COPY ./ /srv/app/", (".",), "/srv/app", True),
        ("COPY src ./src", ("src",), "/app/src", False),  # a directory fills it; a file would be renamed
        ("COPY requirements.txt .", ("requirements.txt",), "/app", True),
        ("COPY requirements.txt /tmp/reqs.txt", ("requirements.txt",), "/tmp/reqs.txt", False),
        ("COPY package.json yarn.lock ./", ("package.json", "yarn.lock"), "/app", True),
        ('COPY ["a b.txt", "/data/"]', ("a b.txt",), "/data", True),
    ],
)
def test_context_copies(line: str, sources: tuple[str, ...], destination: str, into: bool) -> None:
    dockerfile = parse(f"FROM alpine\nWORKDIR /app\n{line}\n")
    copy = context_copy(dockerfile.graph, dockerfile.instructions[2], "/app")
    assert copy is not None
    assert (copy.sources, copy.destination, copy.into_directory) == (sources, destination, into)


@pytest.mark.parametrize(
    "line", ["COPY --from=build /out /app", "ADD https://example.com/x.tgz /tmp/", "COPY $UNSET /app", "COPY <<EOF /x"]
)
def test_copies_that_do_not_read_the_context(line: str) -> None:
    text = f"FROM alpine\n{line}\n" + ("hello\nEOF\n" if "<<" in line else "")
    dockerfile = parse(text)
    assert context_copy(dockerfile.graph, dockerfile.instructions[1], "/") is None


def test_where_copied_files_come_from() -> None:
    dockerfile = parse(
        "FROM alpine\nCOPY . /app\nCOPY config/ /etc/app/\nCOPY *.json /app/\nCOPY --parents src/a.txt /x/\n"
        "COPY --exclude=*.md docs /docs\n"
    )
    graph = dockerfile.graph
    copies = [context_copy(graph, instruction, "/") for instruction in dockerfile.instructions[1:]]
    assert all(copy is not None for copy in copies)
    everything, config, json_files, parents, docs = copies  # type: ignore[misc]
    is_dir = looks_like_directory
    assert everything.context_path_of("/app/requirements.txt", is_dir) == "requirements.txt"
    assert everything.context_path_of("/app", is_dir) == "."
    assert everything.context_path_of("/srv/x", is_dir) is None
    assert config.context_path_of("/etc/app/site.conf", is_dir) == "config/site.conf"
    assert json_files.context_path_of("/app/package.json", is_dir) == "package.json"
    assert json_files.context_path_of("/app/sub/package.json", is_dir) is None
    assert parents.context_path_of("/x/src/a.txt", is_dir) == "src/a.txt"
    assert docs.context_path_of("/docs/guide.txt", is_dir) == "docs/guide.txt"
    assert docs.context_path_of("/docs/README.md", is_dir) is None

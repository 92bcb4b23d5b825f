"""The artifact model: what stages build, how it is linked, and where copies carry it."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from lintslim.analysis.artifacts import Artifact, Artifacts, _links_statically, analyze, target_arch
from lintslim.syntax.parser import parse


def _analyze(text: str, context: Mapping[str, str] | None = None) -> Artifacts:
    reader = None if context is None else context.get
    return analyze(parse(text), reader)


def _built(text: str, context: Mapping[str, str] | None = None, stage: int = 0) -> list[Artifact]:
    return list(_analyze(text, context).built_in(stage))


def _one(text: str, context: Mapping[str, str] | None = None) -> Artifact:
    built = _built(text, context)
    assert len(built) == 1, built
    return built[0]


# --- Go ----------------------------------------------------------------------------------------


def test_go_on_a_debian_toolchain_links_glibc_by_default() -> None:
    artifact = _one("FROM golang:1.22-bookworm\nWORKDIR /src\nRUN go build -o /out/app ./cmd/app\n")
    assert (artifact.language, artifact.path, artifact.linkage, artifact.cgo) == ("go", "/out/app", "glibc", True)
    assert artifact.cgo_by_default
    assert "C compiler" in artifact.reason
    assert artifact.arch is None and artifact.os == "linux"


def test_go_on_alpine_has_no_compiler_so_cgo_is_off() -> None:
    artifact = _one("FROM golang:1.22-alpine\nWORKDIR /src\nRUN go build -o app .\n")
    assert (artifact.path, artifact.linkage, artifact.cgo) == ("/src/app", "static", False)


def test_installing_gcc_on_alpine_turns_cgo_on_and_links_musl() -> None:
    artifact = _one("FROM golang:1.22-alpine\nRUN apk add --no-cache gcc musl-dev\nRUN go build -o /app .\n")
    assert (artifact.linkage, artifact.cgo) == ("musl", True)


@pytest.mark.parametrize(
    "text",
    [
        "FROM golang:1.22\nRUN CGO_ENABLED=0 go build -o /app .\n",
        "FROM golang:1.22\nENV CGO_ENABLED=0\nRUN go build -o /app .\n",
        "FROM golang:1.22\nARG CGO_ENABLED=0\nRUN go build -o /app .\n",
        "FROM golang:1.22\nRUN export CGO_ENABLED=0 && go build -o /app .\n",
        "FROM golang:1.22\nRUN go env -w CGO_ENABLED=0\nRUN go build -o /app .\n",
        "FROM golang:1.22\nRUN env CGO_ENABLED=0 go build -o /app .\n",
        "FROM golang:1.22 AS base\nENV CGO_ENABLED=0\nFROM base\nRUN go build -o /app .\n",
    ],
)
def test_cgo_disabled_by_every_means_gives_a_static_binary(text: str) -> None:
    artifact = _built(text, stage=len(parse(text).graph.stages) - 1)[0]
    assert (artifact.path, artifact.linkage, artifact.cgo) == ("/app", "static", False)


def test_environment_beats_go_env_file() -> None:
    text = "FROM golang:1.22\nRUN go env -w CGO_ENABLED=0\nRUN CGO_ENABLED=1 go build -o /app .\n"
    artifact = _one(text)
    assert artifact.linkage == "glibc" and not artifact.cgo_by_default


def test_unset_and_bare_assignments_in_the_shell() -> None:
    unset = _one("FROM golang:1.22\nENV CGO_ENABLED=0\nRUN unset CGO_ENABLED && go build -o /app .\n")
    assert unset.linkage == "glibc"
    reassigned = _one("FROM golang:1.22\nENV CGO_ENABLED=1\nRUN CGO_ENABLED=0; go build -o /app .\n")
    assert reassigned.linkage == "static"  # an exported variable changed by a bare assignment
    local = _one("FROM golang:1.22\nRUN CGO_ENABLED=0; go build -o /app .\n")
    assert local.linkage == "glibc"  # not exported: go does not see it


@pytest.mark.parametrize(
    "flags",
    ["-ldflags '-extldflags \"-static\"'", "-ldflags=-linkmode=external -ldflags='-extldflags=-static'",
     "-tags netgo,osusergo", "-tags 'osusergo netgo'"],
)  # fmt: skip
def test_cgo_binaries_made_static(flags: str) -> None:
    artifact = _one(f"FROM golang:1.22\nRUN go build {flags} -o /app .\n")
    assert (artifact.cgo, artifact.linkage) == (True, "static")


@pytest.mark.parametrize(
    ("ldflags", "static"),
    [
        ('-s -w -extldflags "-static"', True),
        ("-extldflags=-static-pie", True),
        ("-extldflags '-lm -static'", True),
        ('-extldflags "-lfoo" -static', False),  # after the value's closing quote: a Go linker flag, not the C linker's
        ("-extldflags -staticx", False),
        ("-extldflags" + " " * 50_000 + "x", False),  # a long near miss, read in linear time
    ],
)
def test_extldflags_static_is_read_in_the_flag_s_value(ldflags: str, static: bool) -> None:
    assert _links_statically(ldflags) is static


def test_netgo_alone_still_links_glibc() -> None:
    assert _one("FROM golang:1.22\nRUN go build -tags netgo -o /app .\n").linkage == "glibc"


@pytest.mark.parametrize(
    "text",
    [
        "FROM mycorp/go-builder:1\nRUN go build -o /app .\n",  # unknown image: compiler unknown
        "FROM golang:1.22\nARG CGO_ENABLED\nRUN go build -o /app .\n",  # a build argument without default
        "FROM golang:1.22\nRUN . ./build.env && go build -o /app .\n",  # a sourced file may set it
        "FROM golang:1.22\nARG FLAGS\nRUN go build $FLAGS -o /app .\n",  # an argument may hold -ldflags
        "FROM golang:1.22\nRUN xx-go build -o /app .\n",
        "FROM golang:1.22\nRUN GOARCH=arm64 go build -o /app .\n",  # cross or not depends on the builder
    ],
)
def test_unknowns_stay_unknown(text: str) -> None:
    artifact = _one(text)
    assert artifact.linkage is None
    assert artifact.path == "/app"


def test_goarch_sets_the_architecture_and_cross_compiling_on_a_pinned_platform_turns_cgo_off() -> None:
    artifact = _one("FROM --platform=linux/amd64 golang:1.22\nRUN GOOS=linux GOARCH=arm64 go build -o /app .\n")
    assert (artifact.arch, artifact.cgo, artifact.linkage) == ("arm64", False, "static")
    native = _one("FROM --platform=linux/amd64 golang:1.22\nRUN go build -o /app .\n")
    assert native.arch == "amd64"


def test_goarch_from_arg_default_and_target_arch_is_unknown() -> None:
    assert _one("FROM golang:1.22\nARG ARCH=arm64\nRUN GOARCH=${ARCH} go build -o /app .\n").arch == "arm64"
    assert _one("FROM golang:1.22\nARG TARGETARCH\nRUN GOARCH=$TARGETARCH go build -o /app .\n").arch is None


def test_go_windows_builds_are_not_linux() -> None:
    assert _one("FROM golang:1.22\nRUN GOOS=windows CGO_ENABLED=0 go build -o /app.exe .\n").os == "windows"


@pytest.mark.parametrize(
    ("command", "path"),
    [
        ("go build ./cmd/server", "/src/server"),
        ("go build ../tools/gen", "/src/gen"),  # written to the working directory
        ("go build main.go", "/src/main"),
        ("go build -o bin/ ./cmd/api", "/src/bin/api"),
        ("go build -o /out/svc", "/out/svc"),
        ("cd cmd/worker && go build -o w .", "/src/cmd/worker/w"),
        ("go build -C cmd/worker -o /w .", "/w"),
        ("go install ./cmd/tool", "/go/bin/tool"),
        ("GOBIN=/build go install github.com/x/y/cmd/linter@v1.2.0", "/build/linter"),
        ("go install example.com/mod/v2", "/go/bin/mod"),
    ],
)
def test_go_output_paths(command: str, path: str) -> None:
    artifact = _one(f"FROM golang:1.22\nWORKDIR /src\nRUN {command}\n")
    assert artifact.path == path


@pytest.mark.parametrize(
    ("command", "path"),
    [
        ("(cd /tmp && true) && go build -o app .", "/src/app"),  # the `cd` ends with its subshell
        ("(cd /tmp) ; (cd /opt && true) && go build -o app .", "/src/app"),
        ("(cd /tmp && (cd /opt) && go build -o app .)", "/tmp/app"),  # the inner one only
        ("(cd /tmp && go build -o app .)", "/tmp/app"),  # inside its subshell, it counts
        ("( (cd /tmp) ) && cd cmd && go build -o app .", "/src/cmd/app"),
        ("{ cd /tmp; } && go build -o app .", "/tmp/app"),  # a brace group is no subshell
    ],
)
def test_cd_in_a_subshell_stays_there(command: str, path: str) -> None:
    artifact = _one(f"FROM golang:1.22\nWORKDIR /src\nRUN {command}\n")
    assert artifact.path == path


def test_variables_set_in_a_subshell_stay_there() -> None:
    text = "FROM golang:1.22\nRUN (export CGO_ENABLED=0) && go build -o /app .\n"
    assert _one(text).linkage == "glibc"  # cgo stays on: the export ended with its subshell
    inside = "FROM golang:1.22\nRUN (export CGO_ENABLED=0 && go build -o /app .)\n"
    assert _one(inside).linkage == "static"


def test_go_module_name_from_the_context_go_mod() -> None:
    text = "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nCOPY . .\nRUN go build .\n"
    unnamed = _one(text)  # no context: the module name is unknown
    assert (unnamed.directory, unnamed.name) == ("/src", None)
    assert _one(text, {"go.mod": "module github.com/acme/widget/v3\n\ngo 1.22\n"}).path == "/src/widget"


def test_go_several_packages_without_output_write_nothing() -> None:
    assert _built("FROM golang:1.22\nRUN go build ./...\n") == []
    many = _built("FROM golang:1.22\nRUN go build -o /out/ ./cmd/a ./cmd/b\n")
    assert [artifact.path for artifact in many] == ["/out/a", "/out/b"]


def test_go_libraries_are_not_binaries() -> None:
    assert _built("FROM golang:1.22\nRUN go build -buildmode=c-shared -o /lib.so .\n") == []


def test_unknown_workdir_leaves_relative_outputs_unplaced() -> None:
    artifact = _one("FROM golang:1.22\nARG DIR\nWORKDIR $DIR\nRUN go build -o app .\n")
    assert artifact.directory is None and artifact.linkage == "glibc"


# --- Rust --------------------------------------------------------------------------------------

_CARGO = {"Cargo.toml": '[package]\nname = "web-api"\nversion = "0.1.0"\n'}


def test_cargo_default_gnu_target_links_glibc_and_names_come_from_cargo_toml() -> None:
    text = "FROM rust:1.80\nWORKDIR /usr/src/app\nCOPY . .\nRUN cargo build --release\n"
    artifact = _one(text, _CARGO)
    assert (artifact.path, artifact.linkage, artifact.target) == ("/usr/src/app/target/release/web-api", "glibc", None)
    unnamed = _one(text)
    assert (unnamed.directory, unnamed.name, unnamed.owned_directory) == ("/usr/src/app/target/release", None, True)


def test_cargo_musl_target_is_static_and_lands_under_the_triple() -> None:
    text = "FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN cargo build --release --target aarch64-unknown-linux-musl\n"
    artifact = _one(text, _CARGO)
    assert artifact.path == "/app/target/aarch64-unknown-linux-musl/release/web-api"
    assert (artifact.linkage, artifact.arch) == ("static", "arm64")


@pytest.mark.parametrize(
    "setup",
    [
        "ENV RUSTFLAGS='-C target-feature=+crt-static'",
        'ENV CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C target-feature=+crt-static"',
    ],
)
def test_crt_static_makes_gnu_targets_static(setup: str) -> None:
    text = f"FROM rust:1.80\nWORKDIR /app\n{setup}\nRUN cargo build --release --target x86_64-unknown-linux-gnu\n"
    assert _one(text).linkage == "static"


def test_cargo_config_in_the_context_sets_target_and_flags() -> None:
    context = {
        **_CARGO,
        ".cargo/config.toml": '[build]\ntarget = "x86_64-unknown-linux-gnu"\n'
        '[target.x86_64-unknown-linux-gnu]\nrustflags = ["-C", "target-feature=+crt-static"]\n',
    }
    artifact = _one("FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\n", context)
    assert artifact.path == "/app/target/x86_64-unknown-linux-gnu/release/web-api"
    assert artifact.linkage == "static"


def test_cargo_bins_and_workspace_members() -> None:
    context = {
        "Cargo.toml": '[package]\nname = "tool"\n[[bin]]\nname = "server"\npath = "src/bin/server.rs"\n',
        "src/main.rs": "fn main() {}\n",
    }
    built = _built("FROM rust:1.80\nWORKDIR /w\nCOPY . .\nRUN cargo build --release\n", context)
    assert sorted(artifact.name or "" for artifact in built) == ["server", "tool"]
    only = _one("FROM rust:1.80\nWORKDIR /w\nRUN cargo build -r --bin cli\n")
    assert only.path == "/w/target/release/cli"
    debug = _one("FROM rust:1.80\nWORKDIR /w\nRUN cargo build -p member\n")
    assert debug.path == "/w/target/debug/member"


def test_cargo_install_root_and_rust_alpine() -> None:
    artifact = _one(
        "FROM rust:1.80-alpine\nWORKDIR /src\nCOPY . .\nRUN cargo install --path . --root /usr/local\n", _CARGO
    )
    assert (artifact.path, artifact.linkage) == ("/usr/local/bin/web-api", "static")
    registry = _one("FROM rust:1.80\nRUN cargo install ripgrep\n")
    assert (registry.directory, registry.name) == ("/usr/local/cargo/bin", None)


def test_cargo_target_from_a_variable_is_unknown() -> None:
    artifact = _one("FROM rust:1.80\nWORKDIR /a\nARG TARGET\nRUN cargo build --release --target $TARGET\n")
    assert (artifact.linkage, artifact.directory) == (None, None)


# --- C -----------------------------------------------------------------------------------------


def test_c_compilers() -> None:
    text = (
        "FROM gcc:13\nWORKDIR /src\n"
        "RUN gcc -O2 -o hello hello.c && g++ -static -o /out/tool tool.cpp && gcc -c lib.c -o lib.o\n"
        "RUN aarch64-linux-gnu-gcc -o hello-arm hello.c\n"
    )
    built = {artifact.path: artifact for artifact in _built(text)}
    assert sorted(built) == ["/out/tool", "/src/hello", "/src/hello-arm"]
    assert (built["/src/hello"].language, built["/src/hello"].linkage) == ("c", "glibc")
    assert (built["/out/tool"].language, built["/out/tool"].linkage) == ("c++", "static")
    assert (built["/src/hello-arm"].arch, built["/src/hello-arm"].target) == ("arm64", "aarch64-linux-gnu")


def test_c_on_alpine_and_musl_gcc() -> None:
    assert _one("FROM alpine:3.20\nRUN apk add build-base && cc -o /hi hi.c\n").linkage == "musl"
    assert _one("FROM debian:12\nRUN musl-gcc -o /hi hi.c\n").linkage == "musl"
    assert _one("FROM debian:12\nRUN musl-gcc -static -o /hi hi.c\n").linkage == "static"


# --- where artifacts go ------------------------------------------------------------------------

_TWO_STAGES = "FROM golang:1.22 AS build\nWORKDIR /src\nRUN go build -o /out/bin/app ./cmd/app\nFROM alpine:3.20\n"


@pytest.mark.parametrize(
    ("copy", "path"),
    [
        ("COPY --from=build /out/bin/app /usr/local/bin/app", "/usr/local/bin/app"),
        ("COPY --from=build /out/bin/app /usr/local/bin", "/usr/local/bin/app"),  # an existing directory
        ("COPY --from=build /out/bin/app /srv/", "/srv/app"),
        ("COPY --from=build /out/bin/app /server", "/server"),
        ("COPY --from=build out/bin/app .", "/app"),  # relative to the source stage's root
        ("COPY --from=build /out /opt", "/opt/bin/app"),  # a directory's contents
        ("COPY --from=build /out/bin/ /usr/bin/", "/usr/bin/app"),
        ("COPY --from=build /out/*/app /x/", "/x/app"),
        ("COPY --from=build /out/* /x/", "/x/app"),  # a matched directory's contents
        ("COPY --from=build / /root-copy", "/root-copy/out/bin/app"),
        ("COPY --from=0 /out/bin/app /a", "/a"),
    ],
)
def test_copy_from_carries_files_directories_and_globs(copy: str, path: str) -> None:
    dockerfile = parse(_TWO_STAGES + copy + "\n")
    carried = analyze(dockerfile).carried(dockerfile.instructions[-1])
    assert [artifact.path for artifact in carried] == [path]
    assert carried[0].trail[-1].source_text == copy.split()[2]


@pytest.mark.parametrize("copy", ["COPY --from=build /out/bin/other /x", "COPY --from=build /src /x"])
def test_copy_from_not_carrying(copy: str) -> None:
    dockerfile = parse(_TWO_STAGES + copy + "\n")
    assert analyze(dockerfile).carried(dockerfile.instructions[-1]) == ()


def test_copies_through_an_intermediate_stage_and_from_inheritance() -> None:
    text = (
        "FROM golang:1.22 AS build\nRUN go build -o /out/app .\n"
        "FROM alpine:3.20 AS pack\nCOPY --from=build /out/app /pkg/app\n"
        "FROM pack AS final\nRUN mv /pkg/app /usr/bin/app\n"
        "FROM scratch\nCOPY --from=final /usr/bin /bin\n"
    )
    found = _analyze(text)
    assert [artifact.path for artifact in found.in_stage(1)] == ["/pkg/app"]
    assert [artifact.path for artifact in found.in_stage(2)] == ["/usr/bin/app"]  # moved, not copied
    last = found.in_stage(3)
    assert [artifact.path for artifact in last] == ["/bin/app"]
    assert last[0].stage == 0 and last[0].linkage == "glibc"
    assert [placement.source_text for placement in last[0].trail] == ["/out/app", "/pkg/app", "/usr/bin"]


def test_cp_install_and_mount_targets() -> None:
    text = (
        "FROM rust:1.80 AS build\nWORKDIR /app\nCOPY . .\n"
        "RUN --mount=type=cache,target=/app/target cargo build --release && "
        "cp target/release/web-api /usr/local/bin/ && install -m 755 target/release/web-api /srv/api\n"
    )
    found = _analyze(text, _CARGO)
    paths = sorted(artifact.path or "" for artifact in found.in_stage(0))
    assert paths == ["/srv/api", "/usr/local/bin/web-api"]  # the cache mount's content is not in the stage


def test_cp_globs_expand_as_the_shell_does_and_copy_globs_as_buildkit_does() -> None:
    """The shell's `*` skips dotfiles; BuildKit's COPY `*` takes them; neither crosses a `/`."""
    build = "FROM golang:1.22 AS build\nRUN go build -o /out/.agent . && go build -o /out/bin/app ./cmd/app\n"
    shell = _analyze(build + "RUN cp -r /out/* /usr/local/bin/\n")
    assert sorted(artifact.path or "" for artifact in shell.in_stage(0)) == [
        "/out/.agent",
        "/out/bin/app",
        "/usr/local/bin/bin/app",  # the matched directory goes inside, whole
    ]
    copied = _analyze(build + "FROM alpine:3.20\nCOPY --from=build /out/* /srv/\n")
    assert sorted(artifact.path or "" for artifact in copied.in_stage(1)) == ["/srv/.agent", "/srv/app"]
    named = _analyze(build + "FROM alpine:3.20\nCOPY --from=build /out/*app /srv/\n")
    assert [artifact.path for artifact in named.in_stage(1)] == []  # `*app` does not reach /out/bin/app


def test_cargo_owned_directory_names_the_binary_a_copy_takes() -> None:
    text = (
        "FROM rust:1.80 AS build\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\n"
        "FROM debian:12-slim\nCOPY --from=build /app/target/release/server /usr/local/bin/server\n"
        "COPY --from=build /app/target/release/server.d /tmp/\n"
    )
    found = _analyze(text)  # no context: the name comes from the copy
    assert [(artifact.path, artifact.linkage) for artifact in found.in_stage(1)] == [("/usr/local/bin/server", "glibc")]


def test_bind_mount_from_a_stage() -> None:
    text = (
        "FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /out/app .\n"
        "FROM alpine:3.20\nRUN --mount=type=bind,from=build,source=/out,target=/mnt cp /mnt/app /usr/bin/app\n"
    )
    assert [(artifact.path, artifact.linkage) for artifact in _analyze(text).in_stage(1)] == [
        ("/usr/bin/app", "static")
    ]


def test_heredoc_and_onbuild() -> None:
    text = (
        "FROM golang:1.22\nWORKDIR /s\n"
        "RUN <<EOF\nset -e\nCGO_ENABLED=0 go build -o /app .\nEOF\n"
        "ONBUILD RUN go build -o /late .\n"
    )
    assert [(artifact.path, artifact.linkage) for artifact in _built(text)] == [("/app", "static")]


def test_copy_from_an_image_carries_nothing() -> None:
    found = _analyze("FROM scratch\nCOPY --from=golang:1.22 /usr/local/go/bin/go /go\n")
    assert found.in_stage(0) == ()


# --- helpers -----------------------------------------------------------------------------------


def test_target_arch() -> None:
    assert target_arch("aarch64-unknown-linux-musl") == "arm64"
    assert target_arch("x86_64-unknown-linux-gnu") == "amd64"
    assert target_arch("wasm32-wasi") is None

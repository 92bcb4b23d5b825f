"""`.dockerignore` semantics: reading the file, Go's filepath.Match and Clean, and BuildKit's matcher.

The tables come from the behaviour of moby/patternmatcher, its ignorefile reader and Go's
path/filepath (their tests state the expected results); the comments say which rule each row shows.
"""

from __future__ import annotations

import pytest

from lintslim.context.dockerignore import IgnoreError, IgnoreMatcher, IgnorePattern, MatchKind, read_patterns
from lintslim.context.gopath import BadPattern, clean, has_wildcards, match, split_wildcards

# --- Go's filepath.Match -------------------------------------------------------------------------------

GO_MATCH = [
    ("abc", "abc", True),
    ("*", "abc", True),
    ("*c", "abc", True),
    ("a*", "a", True),
    ("a*", "abc", True),
    ("a*", "ab/c", False),  # `*` never crosses `/`
    ("a*/b", "abc/b", True),
    ("a*/b", "a/c/b", False),
    ("a*b*c*d*e*/f", "axbxcxdxe/f", True),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/f", True),
    ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", False),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", False),
    ("a*b?c*x", "abxbbxdbxebxczzx", True),
    ("a*b?c*x", "abxbbxdbxebxczzy", False),
    ("ab[c]", "abc", True),
    ("ab[b-d]", "abc", True),
    ("ab[e-g]", "abc", False),
    ("ab[^c]", "abc", False),
    ("ab[^b-d]", "abc", False),
    ("ab[^e-g]", "abc", True),
    ("a\\*b", "a*b", True),  # `\` escapes on Linux
    ("a\\*b", "ab", False),
    ("a?b", "a☺b", True),  # `?` is one character, not one byte
    ("a[^a]b", "a☺b", True),
    ("a???b", "a☺b", False),
    ("[a-ζ]*", "α", True),
    ("*[a-ζ]", "A", False),
    ("a?b", "a/b", False),  # `?` never matches `/`
    ("a*b", "a/b", False),
    ("[\\]a]", "]", True),
    ("[\\-]", "-", True),
    ("[x\\-]", "x", True),
    ("[x\\-]", "-", True),
    ("[x\\-]", "z", False),
    ("[\\-x]", "x", True),
    ("[\\-x]", "a", False),
    ("*x", "xxx", True),
    (".*", ".env", True),  # a leading dot is not special
]

GO_BAD_PATTERNS = ["[]a]", "[-]", "[x-]", "[-x]", "\\", "[a-b-c]", "[", "[^", "[^bc", "a[", "dir/[", "x\\"]


@pytest.mark.parametrize(("pattern", "name", "expected"), GO_MATCH)
def test_go_match(pattern: str, name: str, expected: bool) -> None:
    assert match(pattern, name) is expected


@pytest.mark.parametrize("pattern", GO_BAD_PATTERNS)
def test_go_match_rejects_malformed_patterns_whatever_the_name(pattern: str) -> None:
    for name in ("a", "ab", ".", "x"):
        with pytest.raises(BadPattern):
            match(pattern, name)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", "."),
        (".", "."),
        ("a//b", "a/b"),
        ("./a/", "a"),
        ("a/./b/../c", "a/c"),
        ("a/../..", ".."),
        ("../../a", "../../a"),
        ("/../a", "/a"),  # a rooted path cannot climb above the root
        ("/", "/"),
        ("//x//", "/x"),
    ],
)
def test_go_clean(path: str, expected: str) -> None:
    assert clean(path) == expected


@pytest.mark.parametrize(
    ("path", "expected"), [("a/b", False), ("*.pem", True), ("a?", True), ("[ab]", True), ("a\\*b", False)]
)
def test_has_wildcards(path: str, expected: bool) -> None:
    assert has_wildcards(path) is expected


# --- reading the file --------------------------------------------------------------------------------


def test_read_patterns_like_ignorefile_readall() -> None:
    content = "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! "
    assert read_patterns(content) == ["test1", "test2", "a/file/here", "lastfile", "!inverted/abs/path", "!", "!"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("\ufeffnode_modules\n", ["node_modules"]),  # BOM dropped on the first line
        ("a\r\nb\r\n", ["a", "b"]),  # CRLF
        ("  # not a comment\n", ["# not a comment"]),  # `#` only at the very start of a line
        ("#comment\n\t\n   \n", []),
        ("  build/  \n", ["build"]),  # trimmed and cleaned: the trailing slash goes
        ("./node_modules\n", ["node_modules"]),
        ("a//b/../c\n", ["a/c"]),
        ("/\n", ["/"]),  # a lone `/` stays (and matches nothing)
        ("!  /keep\n", ["!keep"]),
        ("last", ["last"]),  # no final newline
    ],
)
def test_read_patterns(content: str, expected: list[str]) -> None:
    assert read_patterns(content) == expected


# --- one pattern (patternmatcher's table) ---------------------------------------------------------------

EXACT, PARENT, FAIL = "exact", "parent", "fail"  # matches the path itself / only through a parent / not at all

PATTERN_TABLE = [
    ("**", "file", EXACT),
    ("**", "file/", EXACT),
    ("**/", "file", EXACT),
    ("**/", "file/", EXACT),
    ("**", "/", EXACT),
    ("**", "dir/file", EXACT),
    ("**/", "dir/file", EXACT),
    ("**", "dir/file/", EXACT),
    ("**/**", "dir/file", EXACT),
    ("**/**", "dir/file/", EXACT),
    ("dir/**", "dir/file", EXACT),
    ("dir/**", "dir/file/", EXACT),
    ("dir/**", "dir/dir2/file", EXACT),
    ("**/dir", "dir", EXACT),
    ("**/dir", "dir/file", PARENT),
    ("**/dir2/*", "dir/dir2/file", EXACT),
    ("**/dir2/*", "dir/dir2/file/", PARENT),
    ("**/dir2/**", "dir/dir2/dir3/file", EXACT),
    ("**file", "file", EXACT),
    ("**file", "dir/file", EXACT),
    ("**/file", "dir/file", EXACT),
    ("**file", "dir/dir/file", EXACT),
    ("**/file", "dir/dir/file", EXACT),
    ("**/file*", "dir/dir/file", EXACT),
    ("**/file*", "dir/dir/file.txt", EXACT),
    ("**/file*txt", "dir/dir/file.txt", EXACT),
    ("**/file*.txt", "dir/dir/file.txt", EXACT),
    ("**/file*.txt*", "dir/dir/file.txt", EXACT),
    ("**/**/*.txt", "dir/dir/file.txt", EXACT),
    ("**/**/*.txt2", "dir/dir/file.txt", FAIL),
    ("**/*.txt", "file.txt", EXACT),
    ("**/**/*.txt", "file.txt", EXACT),
    ("a**/*.txt", "a/file.txt", EXACT),
    ("a**/*.txt", "a/dir/file.txt", EXACT),
    ("a**/*.txt", "a/dir/dir/file.txt", EXACT),
    ("a/*.txt", "a/dir/file.txt", FAIL),
    ("a/*.txt", "a/file.txt", EXACT),
    ("a/*.txt**", "a/file.txt", EXACT),
    ("a[b-d]e", "ae", FAIL),
    ("a[b-d]e", "ace", EXACT),
    ("a[b-d]e", "aae", FAIL),
    ("a[^b-d]e", "aze", EXACT),
    (".*", ".foo", EXACT),
    (".*", "foo", FAIL),
    ("abc.def", "abcdef", FAIL),  # `.` is literal
    ("abc.def", "abc.def", EXACT),
    ("abc.def", "abcZdef", FAIL),
    ("abc?def", "abcZdef", EXACT),
    ("abc?def", "abcdef", FAIL),
    ("**/foo/bar", "foo/bar", EXACT),
    ("**/foo/bar", "dir/foo/bar", EXACT),
    ("**/foo/bar", "dir/dir2/foo/bar", EXACT),
    ("abc/**", "abc", FAIL),  # `dir/**` is what is under dir, not dir
    ("abc/**", "abc/def", EXACT),
    ("abc/**", "abc/def/ghi", EXACT),
    ("**/.foo", ".foo", EXACT),
    ("**/.foo", "bar.foo", FAIL),
    ("a(b)c/def", "a(b)c/def", EXACT),
    ("a(b)c/def", "a(b)c/xyz", FAIL),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", EXACT),  # regexp characters are literal
    ("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", EXACT),
    ("a\\\\", "a\\", EXACT),  # an escaped backslash is a backslash in the name
    ("a\\*b", "a*b", EXACT),
    # our own rows
    ("*.md", "docs/guide.md", FAIL),  # `*` stays in its directory
    ("**foo", "barfoo", EXACT),  # `**` at the start is a plain suffix test
    ("node_modules", "app/node_modules", FAIL),  # patterns are anchored at the context root
    ("**/node_modules", "app/node_modules/x/y.js", PARENT),
    ("build", "build/out/app.bin", PARENT),  # a directory pattern takes everything under it
    ("[*]", "x", FAIL),  # patternmatcher turns the class into `[[^/]*]`: it matches `[`, `^`, `/` runs then `]`
]


@pytest.mark.parametrize(("pattern", "path", "expected"), PATTERN_TABLE)
def test_one_pattern(pattern: str, path: str, expected: str) -> None:
    compiled = IgnoreMatcher([pattern]).patterns[0]
    assert compiled.matches(path) is (expected == EXACT)
    if not path.endswith("/"):  # excluded() takes clean paths
        assert IgnoreMatcher([pattern]).excluded(path) is (expected != FAIL)


@pytest.mark.parametrize(
    ("pattern", "kind"),
    [
        ("**", MatchKind.SUFFIX),
        ("**/**", MatchKind.REGEX),
        ("dir/**", MatchKind.PREFIX),
        ("**/dir", MatchKind.SUFFIX),
        ("**/dir2/*", MatchKind.REGEX),
        ("**file", MatchKind.SUFFIX),
        ("abc.def", MatchKind.EXACT),
        ("a[b-d]e", MatchKind.REGEX),
        ("a\\.b", MatchKind.REGEX),
    ],
)
def test_match_kinds(pattern: str, kind: MatchKind) -> None:
    assert IgnorePattern.compile(pattern, False).kind is kind


# --- several patterns: order, exceptions, parents ------------------------------------------------------


@pytest.mark.parametrize(
    ("patterns", "path", "excluded"),
    [
        (["**", "!util/docker/web"], "util/docker/web/foo", False),
        (["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", True),
        (["**", "!dist/*.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", False),
        (["*.go"], "fileutils.go", True),
        (["!fileutils.go", "*.go"], "fileutils.go", True),  # the last match wins
        (["*.go", "!fileutils.go"], "fileutils.go", False),
        (["docs", "!docs/README.md"], "docs/README.md", False),  # an exception inside an excluded dir
        (["docs", "!docs/README.md"], "docs/guide.md", True),
        (["docs/", "!docs/README.md"], "docs/README.md", False),
        (["docs/*", "!docs/README.md"], "docs/README.md", False),
        (["*", "!src"], "src/app/main.py", False),  # re-including a directory re-includes its subtree
        (["*", "!src"], "README.md", True),
        (["*", "!src", "src/secrets"], "src/secrets/key.pem", True),
        ([".env*", "!.env.example"], ".env.example", False),
        (["!.env.example", ".env*"], ".env.example", True),
        (["**/*.pyc", "!keep/*.pyc"], "keep/a.pyc", False),
        (["**/*.pyc", "!keep/*.pyc"], "other/keep/a.pyc", True),
        (["/.env"], ".env", False),  # the reader drops a leading slash, the matcher does not
        (["build/"], "build", True),  # the trailing slash goes: a file named `build` is excluded too
        ([".git"], ".git/config", True),
        (["*/.git"], ".git/config", False),
        (["."], "anything", False),  # `.` never matches a path (the root is never excluded)
        ([], ".env", False),
    ],
)
def test_patterns(patterns: list[str], path: str, excluded: bool) -> None:
    matcher = IgnoreMatcher(patterns)
    assert matcher.excluded(path) is excluded
    assert matcher.included(path) is not excluded


def test_parse_applies_the_file_reading_rules() -> None:
    matcher = IgnoreMatcher.parse("# build outputs\n/dist\n  *.log  \n!keep.log\n")
    assert [pattern.text for pattern in matcher.patterns] == ["dist", "*.log", "keep.log"]
    assert matcher.excluded("dist/app.js")
    assert matcher.excluded("error.log")
    assert not matcher.excluded("keep.log")
    assert not matcher.excluded("logs/error.log")
    assert IgnoreMatcher.parse("/.env\n").excluded(".env")


@pytest.mark.parametrize(
    "path",
    ["docs/build", "docs\\build", "build"],
)
def test_windows_separators_do_not_separate_on_linux(path: str) -> None:
    # `\b` is an escape (a regexp word boundary in patternmatcher): this pattern matches nothing
    assert not IgnoreMatcher.parse("docs\\build\n").excluded(path)


def test_escaped_backslash_matches_a_backslash_in_a_name() -> None:
    matcher = IgnoreMatcher.parse("docs\\\\build\n")
    assert matcher.excluded("docs\\build")
    assert not matcher.excluded("docs/build")


@pytest.mark.parametrize(
    "content",
    [
        "!\n",  # an exception of nothing
        "[\n",  # an unclosed class
        "node_modules\\\n",  # a trailing backslash escapes nothing (a Windows-style `dir\`)
        "a[b-\n",
        "logs/[]x]\n",
        "x\\1\n",  # an escape RE2 rejects
    ],
)
def test_invalid_ignore_files(content: str) -> None:
    with pytest.raises(IgnoreError):
        IgnoreMatcher.parse(content)


def test_root_is_never_excluded() -> None:
    matcher = IgnoreMatcher(["**"])
    assert not matcher.excluded(".")
    assert not matcher.excluded("")
    assert matcher.excluded("x")


@pytest.mark.parametrize(
    ("patterns", "directory", "expected"),
    [
        (["docs"], "docs", False),  # no exception at all: skip the directory
        (["docs", "!docs/README.md"], "docs", True),
        (["docs", "!other/file"], "docs", False),
        (["docs", "!*.md"], "docs", True),  # a wildcard exception could match anywhere
        (["*", "!src/app"], "src", True),
    ],
)
def test_may_include_under(patterns: list[str], directory: str, expected: bool) -> None:
    assert IgnoreMatcher(patterns).may_include_under(directory) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("app/src", ("app/src", "")),
        ("app/*/bin", ("app", "*/bin")),  # the literal part stops at the first wildcard component
        ("*.txt", (".", "*.txt")),
        ("/app/*.key", ("/app", "*.key")),
        ("/*", ("/", "*")),
        ("a\\*b/c", ("a\\*b/c", "")),  # an escaped star is no wildcard
    ],
)
def test_split_wildcards(path: str, expected: tuple[str, str]) -> None:
    assert split_wildcards(path) == expected

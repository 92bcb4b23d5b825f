"""The fix engine: edits and fixes, choosing non-overlapping fixes, the fix loop, and atomic writes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from lintslim import files
from lintslim.config import Settings
from lintslim.engine import linter as linter_module
from lintslim.engine.fixes import Applicability, Edit, Fix, NewFile, apply_edits, apply_fixes, select_non_overlapping
from lintslim.engine.linter import MAX_FIX_ROUNDS, Linter, fix_text
from lintslim.engine.registry import Registry, default_registry
from lintslim.engine.rule import Diagnostic, Rule, RuleContext, Severity
from lintslim.files import InputError, read_source, write_atomic
from lintslim.syntax.nodes import Instruction
from lintslim.syntax.source import Span

# --- Edit, Fix, selection ------------------------------------------------------------------------------


def test_apply_edits_keeps_everything_outside_the_edits() -> None:
    text = "FROM a\r\nADD x /x  \r\n"
    edits = [Edit.replace(Span(8, 11), "COPY"), Edit.insert(0, "# hi\r\n"), Edit.delete(Span(16, 18))]
    assert apply_edits(text, sorted(edits, key=lambda e: e.span)) == "# hi\r\nFROM a\r\nCOPY x /x\r\n"


def test_fix_sorts_its_edits() -> None:
    fix = Fix.safe("two", Edit.replace(Span(5, 6), "b"), Edit.replace(Span(0, 1), "a"))
    assert [edit.span.start for edit in fix.edits] == [0, 5]
    assert fix.span == Span(0, 6)
    assert fix.apply("xxxxxx") == "axxxxb"


@pytest.mark.parametrize(
    "edits",
    [
        pytest.param((Edit.replace(Span(0, 5), "a"), Edit.replace(Span(3, 8), "b")), id="overlapping"),
        pytest.param((Edit.replace(Span(2, 4), "a"), Edit.replace(Span(0, 6), "b")), id="nested"),
        pytest.param((Edit.replace(Span(2, 4), "a"), Edit.replace(Span(2, 4), "a")), id="same-span-twice"),
    ],
)
def test_fix_rejects_overlapping_edits(edits: tuple[Edit, ...]) -> None:
    with pytest.raises(ValueError, match="overlapping edits"):
        Fix("bad", edits)


def test_fix_accepts_adjacent_edits() -> None:
    fix = Fix.safe("adjacent", Edit.replace(Span(0, 2), "A"), Edit.replace(Span(2, 4), "B"))
    assert fix.apply("xxyyzz") == "ABzz"


def test_fix_constructors_set_applicability() -> None:
    edit = Edit.insert(0, "x")
    assert Fix.safe("s", edit).applicability is Applicability.SAFE
    assert Fix.unsafe("u", edit).applicability is Applicability.UNSAFE
    assert Fix.display_only("d", edit).applicability is Applicability.DISPLAY_ONLY


def test_overlapping_fixes_keep_the_first_in_source_order() -> None:
    first = Fix.safe("first", Edit.replace(Span(0, 5), "a"))
    overlapping = Fix.safe("overlapping", Edit.replace(Span(3, 8), "b"))
    later = Fix.safe("later", Edit.replace(Span(10, 12), "c"))
    assert select_non_overlapping([later, overlapping, first]) == [first, later]


def test_touching_fixes_count_as_conflicting() -> None:
    # an insertion at the very end of another fix's range would make the result depend on the order
    replace = Fix.safe("replace", Edit.replace(Span(0, 3), "abc"))
    insert = Fix.safe("insert", Edit.insert(3, "!"))
    assert select_non_overlapping([insert, replace]) == [replace]


def test_identical_edits_are_applied_once() -> None:
    one = Fix.safe("same change", Edit.replace(Span(0, 3), "COPY"))
    two = Fix.safe("same change, other title", Edit.replace(Span(0, 3), "COPY"))
    chosen = select_non_overlapping([one, two])
    assert len(chosen) == 1
    assert apply_fixes("ADD a /a/", chosen) == "COPY a /a/"


def test_apply_fixes_applies_every_chosen_fix() -> None:
    text = "ADD a /a/\nADD b /b/\n"
    fixes = [Fix.safe("2", Edit.replace(Span(10, 13), "COPY")), Fix.safe("1", Edit.replace(Span(0, 3), "COPY"))]
    assert apply_fixes(text, select_non_overlapping(fixes)) == "COPY a /a/\nCOPY b /b/\n"


# --- the fix loop, with test-only rules ----------------------------------------------------------------


def instructions(ctx: RuleContext, keyword: str) -> Iterator[Instruction]:
    return (instruction for instruction in ctx.dockerfile.instructions if instruction.keyword == keyword)


def label_rewriter(key: str, code: str) -> type[Rule]:
    """A test rule that rewrites the whole `LABEL` argument to set `<key>=2`: two of them overlap."""

    class LabelRewriter(Rule):
        name = f"test-label-{key}"
        severity = Severity.WARNING

        def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
            for instruction in instructions(ctx, "LABEL"):
                assert instruction.rest is not None
                if f"{key}=1" in instruction.rest.value:
                    new = instruction.rest.value.replace(f"{key}=1", f"{key}=2")
                    fix = Fix.safe(key, Edit.replace(instruction.rest.span, new))
                    yield self.report(instruction.rest.span, key, fix=fix)

    LabelRewriter.code = code
    return LabelRewriter


LabelAToTwo = label_rewriter("a", "LS590")
LabelBToTwo = label_rewriter("b", "LS591")


def keyword_swapper(old: str, new: str, code: str) -> type[Rule]:
    """A test rule whose fix turns the keyword `old` into `new` (two of them, crossed, make a cycle)."""

    class KeywordSwapper(Rule):
        name = f"test-{old.lower()}-to-{new.lower()}-{code}"
        severity = Severity.WARNING

        def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
            for instruction in instructions(ctx, old):
                span = instruction.keyword_span
                yield self.report(span, old.lower(), fix=Fix.safe(f"to {new}", Edit.replace(span, new)))

    KeywordSwapper.code = code
    return KeywordSwapper


AddToCopy = keyword_swapper("ADD", "COPY", "LS592")
AddToCopyAgain = keyword_swapper("ADD", "COPY", "LS593")  # the same change, from another rule
CopyToAdd = keyword_swapper("COPY", "ADD", "LS594")  # undoes AddToCopy


class BreaksParsing(Rule):
    """Test rule: its fix turns a `LABEL` into an unterminated heredoc."""

    code = "LS595"
    name = "test-breaks-parsing"
    severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for instruction in instructions(ctx, "LABEL"):
            fix = Fix.safe("break it", Edit.replace(instruction.span, "RUN <<EOF"))
            yield self.report(instruction.keyword_span, "label", fix=fix)


class NeverDone(Rule):
    """Test rule: always finds something to append to a `LABEL` value."""

    code = "LS596"
    name = "test-never-done"
    severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for instruction in instructions(ctx, "LABEL"):
            assert instruction.rest is not None
            end = instruction.rest.span.end
            yield self.report(instruction.rest.span, "grow", fix=Fix.safe("grow", Edit.insert(end, "x")))


class AddsThreeLabels(Rule):
    """Test rule: appends `x` to a `LABEL` value until it ends in `xxx` (three rounds)."""

    code = "LS597"
    name = "test-three-rounds"
    severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for instruction in instructions(ctx, "LABEL"):
            assert instruction.rest is not None
            if not instruction.rest.value.endswith("xxx"):
                end = instruction.rest.span.end
                yield self.report(instruction.rest.span, "grow", fix=Fix.safe("grow", Edit.insert(end, "x")))


class UnsafeAndDisplayOnly(Rule):
    """Test rule: an unsafe fix for `ADD`, a display-only one for `WORKDIR`."""

    code = "LS598"
    name = "test-applicability"
    severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for instruction in instructions(ctx, "ADD"):
            span = instruction.keyword_span
            yield self.report(span, "add", fix=Fix.unsafe("to COPY", Edit.replace(span, "COPY")))
        for instruction in instructions(ctx, "WORKDIR"):
            assert instruction.rest is not None
            span = instruction.rest.span
            yield self.report(span, "workdir", fix=Fix.display_only("absolute", Edit.insert(span.start, "/")))


def make_linter(*rules: type[Rule]) -> Linter:
    return Linter(Registry(rules), Settings(), rules=rules)


def test_overlapping_fixes_are_picked_up_in_the_next_round() -> None:
    text = "FROM alpine\nLABEL a=1 b=1\n"
    outcome = fix_text(make_linter(LabelAToTwo, LabelBToTwo), text)
    assert outcome.text == "FROM alpine\nLABEL a=2 b=2\n"
    assert outcome.applied == {"LS590": 1, "LS591": 1}
    assert outcome.rounds == 2
    assert outcome.problems == []


def test_identical_fixes_from_two_rules_are_applied_once() -> None:
    outcome = fix_text(make_linter(AddToCopy, AddToCopyAgain), "FROM alpine\nADD a /a/\n")
    assert outcome.text == "FROM alpine\nCOPY a /a/\n"
    assert sum(outcome.applied.values()) == 1
    assert outcome.rounds == 1


def test_a_fix_that_breaks_parsing_is_rolled_back() -> None:
    text = "FROM alpine\nLABEL a=1\nADD a /a/\n"
    outcome = fix_text(make_linter(BreaksParsing, AddToCopy), text)
    # the good fix of the same round is redone; the breaking one is left out
    assert outcome.text == "FROM alpine\nLABEL a=1\nCOPY a /a/\n"
    assert outcome.applied == {"LS592": 1}
    assert len(outcome.problems) == 1
    assert "rolled back" in outcome.problems[0]
    assert "LS595" in outcome.problems[0]
    assert "LS592" not in outcome.problems[0]


def test_a_breaking_fix_alone_leaves_the_text() -> None:
    text = "FROM alpine\nLABEL a=1\n"
    outcome = fix_text(make_linter(BreaksParsing), text)
    assert outcome.text == text
    assert not outcome.changed
    assert outcome.applied == {}
    assert outcome.problems == ["fix rolled back: LS595 produced a Dockerfile that does not parse"]


def test_a_cycle_keeps_the_original_text() -> None:
    text = "FROM alpine\nADD a /a/\n"
    outcome = fix_text(make_linter(AddToCopy, CopyToAdd), text)
    assert outcome.text == text
    assert outcome.applied == {}
    assert len(outcome.problems) == 1
    assert "did not converge" in outcome.problems[0]


def test_at_most_ten_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    assert MAX_FIX_ROUNDS == 10
    text = "FROM alpine\nLABEL a=1\n"
    rounds_run: list[int] = []
    original_lint = Linter.lint

    def counting_lint(self: Linter, dockerfile: object) -> list[Diagnostic]:
        rounds_run.append(1)
        return original_lint(self, dockerfile)  # type: ignore[arg-type]

    monkeypatch.setattr(linter_module.Linter, "lint", counting_lint)
    outcome = fix_text(make_linter(NeverDone), text)
    assert outcome.text == text
    assert outcome.rounds == MAX_FIX_ROUNDS
    assert outcome.applied == {}
    assert outcome.problems == [f"fixes did not converge after {MAX_FIX_ROUNDS} rounds; file left unchanged"]
    assert len(rounds_run) == MAX_FIX_ROUNDS + 1  # ten rounds, then one look to see that more is on offer


def test_a_fix_needing_several_rounds_converges() -> None:
    outcome = fix_text(make_linter(AddsThreeLabels), "FROM alpine\nLABEL a=1\n")
    assert outcome.text == "FROM alpine\nLABEL a=1xxx\n"
    assert outcome.rounds == 3
    assert outcome.applied == {"LS597": 3}
    assert outcome.problems == []


def test_applicability_decides_what_is_applied() -> None:
    text = "FROM alpine\nADD a /a/\nWORKDIR app\n"
    linter = make_linter(UnsafeAndDisplayOnly)
    assert fix_text(linter, text).text == text
    # display-only fixes are never applied, not even with unsafe fixes on
    assert fix_text(linter, text, unsafe=True).text == "FROM alpine\nCOPY a /a/\nWORKDIR app\n"


def test_real_rules_fix_loop() -> None:
    registry = default_registry()
    settings = Settings(select=("hygiene", "meta"))
    linter = Linter.for_path(registry, settings, None)
    text = "FROM alpine\r\nADD a /a/\r\nWORKDIR app\r\nCMD python app.py"
    safe = fix_text(linter, text)
    assert safe.text == "FROM alpine\r\nCOPY a /a/\r\nWORKDIR app\r\nCMD python app.py"
    unsafe = fix_text(linter, text, unsafe=True)
    assert unsafe.text == 'FROM alpine\r\nCOPY a /a/\r\nWORKDIR /app\r\nCMD ["python", "app.py"]'
    assert unsafe.applied == {"LS503": 1, "LS501": 1, "LS502": 1}


# --- atomic writes -------------------------------------------------------------------------------------


def leftovers(directory: Path, name: str) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name != name)


def test_write_atomic_writes_and_keeps_permission_bits(tmp_path: Path) -> None:
    for mode in (0o640, 0o755, 0o600):
        path = tmp_path / "Dockerfile"
        path.write_bytes(b"FROM a\nADD x /x\n")
        path.chmod(mode)
        source = read_source(str(path))
        write_atomic(str(path), "FROM a\r\nCOPY x /x\n\ufeff", source.mtime_ns)
        assert path.read_bytes() == "FROM a\r\nCOPY x /x\n\ufeff".encode()
        assert stat.S_IMODE(path.stat().st_mode) == mode
        assert leftovers(tmp_path, "Dockerfile") == []


def test_write_atomic_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.Dockerfile"
    real.write_bytes(b"FROM a\nADD x /x\n")
    real.chmod(0o640)
    link = tmp_path / "Dockerfile"
    link.symlink_to(real.name)
    source = read_source(str(link))
    write_atomic(str(link), "FROM a\nCOPY x /x\n", source.mtime_ns)
    assert link.is_symlink()  # the link stays a link ...
    assert real.read_bytes() == b"FROM a\nCOPY x /x\n"  # ... and the file it points to is fixed
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile", "real.Dockerfile"]


def test_write_atomic_failure_before_rename_keeps_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\nADD x /x\n")
    path.chmod(0o640)

    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(InputError, match="cannot write fix: No space left on device"):
        write_atomic(str(path), "FROM a\nCOPY x /x\n")
    assert path.read_bytes() == b"FROM a\nADD x /x\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert leftovers(tmp_path, "Dockerfile") == []  # the temporary file is removed


def test_write_atomic_failure_while_writing_keeps_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\n")

    def fail(_fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files.os, "fsync", fail)
    with pytest.raises(InputError, match="cannot write fix"):
        write_atomic(str(path), "FROM b\n")
    assert path.read_bytes() == b"FROM a\n"
    assert leftovers(tmp_path, "Dockerfile") == []


def test_write_atomic_refuses_a_file_changed_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\nADD x /x\n")
    source = read_source(str(path))
    assert source.mtime_ns is not None
    # someone else saves the file after lintslim read it
    path.write_bytes(b"FROM a\nADD y /y\n")
    os.utime(path, ns=(source.mtime_ns + 5_000_000_000, source.mtime_ns + 5_000_000_000))
    with pytest.raises(InputError, match="changed on disk"):
        write_atomic(str(path), "FROM a\nCOPY x /x\n", source.mtime_ns)
    assert path.read_bytes() == b"FROM a\nADD y /y\n"
    assert leftovers(tmp_path, "Dockerfile") == []


def test_write_atomic_refuses_a_same_size_rewrite_within_the_mtime_tick(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\nADD x /x\n")
    source = read_source(str(path))
    assert source.mtime_ns is not None
    path.write_bytes(b"FROM a\nADD y /y\n")  # same size, and the same mtime as far as a coarse clock can tell
    os.utime(path, ns=(source.mtime_ns, source.mtime_ns))
    with pytest.raises(InputError, match="changed on disk"):
        write_atomic(str(path), "FROM a\nCOPY x /x\n", source.mtime_ns, original=source.raw)
    assert path.read_bytes() == b"FROM a\nADD y /y\n"
    assert leftovers(tmp_path, "Dockerfile") == []


def test_write_atomic_refuses_a_change_made_while_it_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\nADD x /x\n")
    source = read_source(str(path))
    fill = files._fill

    def fill_while_an_editor_saves(handle: int, temporary: str, data: bytes, mode: int) -> None:
        fill(handle, temporary, data, mode)
        path.write_bytes(b"FROM a\nADD z /z\n")
        assert source.mtime_ns is not None
        os.utime(path, ns=(source.mtime_ns, source.mtime_ns))

    monkeypatch.setattr(files, "_fill", fill_while_an_editor_saves)
    with pytest.raises(InputError, match="changed on disk"):
        write_atomic(str(path), "FROM a\nCOPY x /x\n", source.mtime_ns, original=source.raw)
    assert path.read_bytes() == b"FROM a\nADD z /z\n"
    assert leftovers(tmp_path, "Dockerfile") == []


def test_write_atomic_with_the_original_bytes_writes_an_unchanged_file(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\r\nADD x /x\r\n")
    source = read_source(str(path))
    write_atomic(str(path), "FROM a\r\nCOPY x /x\r\n", source.mtime_ns, original=source.raw)
    assert path.read_bytes() == b"FROM a\r\nCOPY x /x\r\n"


def test_write_atomic_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write fix"):
        write_atomic(str(tmp_path / "gone"), "FROM a\n")


def test_write_atomic_does_not_swallow_interrupts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\n")

    def interrupt(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(path), "FROM b\n")
    assert path.read_bytes() == b"FROM a\n"
    assert leftovers(tmp_path, "Dockerfile") == []


# --- fixes that create files ------------------------------------------------------------------------------


def test_fix_needs_an_edit_or_a_new_file() -> None:
    with pytest.raises(ValueError, match="changes nothing"):
        Fix.safe("nothing")
    fix = Fix.unsafe("create", new_files=[NewFile(".dockerignore", ".git\n")])
    assert fix.edits == () and fix.span == Span(0, 0)
    assert fix.apply("FROM a\n") == "FROM a\n"


def test_file_creating_fixes_conflict_only_on_the_same_path() -> None:
    edit = Fix.safe("edit", Edit.insert(0, "# x\n"))
    one = Fix.safe("one", new_files=[NewFile(".dockerignore", "a\n")])
    same_path = Fix.safe("same path", new_files=[NewFile(".dockerignore", "b\n")])
    other_path = Fix.safe("other path", new_files=[NewFile("other", "c\n")])
    assert not one.conflicts_with(edit) and not edit.conflicts_with(one)
    assert one.conflicts_with(same_path)
    assert select_non_overlapping([edit, one, same_path, other_path]) == [edit, one, other_path]


def test_identical_new_files_are_created_once() -> None:
    one = Fix.safe("create", new_files=[NewFile("x", "1\n")])
    two = Fix.safe("create again", new_files=[NewFile("x", "1\n")])
    assert select_non_overlapping([one, two]) == [one]


class CreatesIgnoreFile(Rule):
    """Test rule: asks for `.dockerignore` until the build context has one (pending files count)."""

    code = "LS594"
    name = "test-creates-ignore-file"
    severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        context = ctx.build_context
        if context is not None and not context.exists(".dockerignore"):
            fix = Fix.safe("create it", new_files=[NewFile(".dockerignore", ".git\n")])
            yield self.report(Span(0, 4), "no ignore file", fix=fix)


def test_fix_loop_collects_new_files_and_sees_them_next_round(tmp_path: Path) -> None:
    linter = replace(make_linter(CreatesIgnoreFile, LabelAToTwo), context_dir=tmp_path)
    outcome = fix_text(linter, "FROM alpine\nLABEL a=1\n")
    assert outcome.text == "FROM alpine\nLABEL a=2\n"
    assert outcome.new_files == {".dockerignore": ".git\n"}
    assert outcome.applied == {"LS594": 1, "LS590": 1}
    assert outcome.problems == [] and outcome.diagnostics == []
    assert not (tmp_path / ".dockerignore").exists()


def test_fix_loop_without_new_files_leaves_those_fixes(tmp_path: Path) -> None:
    linter = replace(make_linter(CreatesIgnoreFile), context_dir=tmp_path)
    outcome = fix_text(linter, "FROM alpine\n", new_files=False)
    assert outcome.new_files == {} and outcome.applied == {}
    assert [d.code for d in outcome.diagnostics] == ["LS594"]


def test_rules_share_one_build_context_per_lint(tmp_path: Path) -> None:
    seen: list[object] = []

    def recorder(code: str) -> type[Rule]:
        class Records(Rule):
            name = f"test-records-{code}"
            severity = Severity.WARNING

            def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
                seen.append(ctx.build_context)
                return iter(())

        Records.code = code
        return Records

    linter = replace(make_linter(recorder("LS592"), recorder("LS593")), context_dir=tmp_path)
    linter.lint_text("FROM alpine\n")
    assert len(seen) == 2 and seen[0] is seen[1] and seen[0] is not None
    seen.clear()
    make_linter(recorder("LS592")).lint_text("FROM alpine\n")
    assert seen == [None]


@pytest.mark.parametrize("command", ["check", "audit"])
def test_fix_leaves_a_file_rewritten_during_the_run_within_the_mtime_tick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """Another program saves the file (same size, same mtime) while lintslim lints it: not overwritten."""
    from lintslim import runner
    from lintslim.cli import main

    (tmp_path / ".git").mkdir()
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM alpine:3.20\nADD x /x\n")
    theirs = b"FROM alpine:3.20\nADD y /y\n"
    real_check_text = runner.check_text

    def edited_meanwhile(*args: object, **kwargs: object) -> object:
        report = real_check_text(*args, **kwargs)  # type: ignore[arg-type]
        mtime = path.stat().st_mtime_ns
        path.write_bytes(theirs)
        os.utime(path, ns=(mtime, mtime))
        return report

    for module in ("lintslim.cli", "lintslim.audit.worker"):
        monkeypatch.setattr(f"{module}.check_text", edited_meanwhile)
    code = main([command, "--fix", "--select", "LS503", str(tmp_path if command == "audit" else path)])
    captured = capsys.readouterr()
    assert path.read_bytes() == theirs
    assert "changed on disk while lintslim ran; fix not written" in captured.out + captured.err
    assert code == 2  # an error for that file, as for any file that could not be fixed

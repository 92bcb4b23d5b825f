"""Every rule is documented the same way, has a case file, and `docs/rules/` matches what it renders."""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from lintslim.docs import (
    PAGES_WITH_TABLES,
    docstring_sections,
    fill_generated,
    fix_safety,
    generated_tables,
    load_case_file,
    render_buildkit_table,
    render_hadolint_table,
    render_index,
    render_markdown,
    render_terminal,
)
from lintslim.engine.registry import default_registry
from lintslim.engine.rule import Family, FixAvailability, Rule
from lintslim.knowledge.foreign_rules import BUILDKIT_CHECKS, HADOLINT_RULES

ROOT = Path(__file__).resolve().parent.parent
SHARED_REFERENCE = ROOT.parent / "shared" / "reference"
CASES_DIR = ROOT / "rules"
RULES = default_registry().rules
REQUIRED_HEADINGS = ("What it does", "Why is this bad?")
KEBAB_CASE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")

by_rule = pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])


def _cases(rule: type[Rule]) -> list[dict[str, Any]]:
    return list(load_case_file(CASES_DIR / f"{rule.code}.yml").values())


def _fixable(rule: type[Rule]) -> bool:
    return rule.fix_availability is not FixAvailability.NONE


def _has_fix(case: dict[str, Any]) -> bool:
    return "fix" in case or "unsafe_fix" in case or "new_files" in case


def _block(text: str) -> str:
    return "```dockerfile\n" + text.replace("\r\n", "\n").rstrip("\n") + "\n```"


@by_rule
def test_code_names_a_family(rule: type[Rule]) -> None:
    assert re.fullmatch(r"LS\d{3}", rule.code)
    assert rule.family() is Family.of_code(rule.code)


@by_rule
def test_name_is_kebab_case(rule: type[Rule]) -> None:
    assert KEBAB_CASE.fullmatch(rule.name), f"{rule.code}: `{rule.name}` is not kebab-case"


@by_rule
def test_summary_line(rule: type[Rule]) -> None:
    summary = rule.summary()
    assert summary, f"{rule.code} has no docstring summary"
    assert not summary.startswith("#") and summary.endswith("."), f"{rule.code}: summary `{summary}`"


@by_rule
def test_docstring_headings(rule: type[Rule]) -> None:
    sections = docstring_sections(rule)
    for heading in REQUIRED_HEADINGS:
        assert sections.get(heading), f"{rule.code}: missing or empty `## {heading}`"


@by_rule
def test_fix_safety_only_for_fixable_rules(rule: type[Rule]) -> None:
    documented = bool(docstring_sections(rule).get("Fix safety"))
    assert documented == _fixable(rule), f"{rule.code}: `## Fix safety` must be there if and only if it has a fix"


@by_rule
def test_case_file_has_pass_and_fail_cases(rule: type[Rule]) -> None:
    assert (CASES_DIR / f"{rule.code}.yml").is_file(), f"no case file rules/{rule.code}.yml"
    kinds = Counter("pass" if "pass" in case else "fail" for case in _cases(rule))
    assert kinds["pass"] >= 1 and kinds["fail"] >= 1, f"{rule.code}: cases {dict(kinds)}"


@by_rule
def test_cases_match_fix_availability(rule: type[Rule]) -> None:
    failing = [case for case in _cases(rule) if "fail" in case]
    assert any(_has_fix(case) for case in failing) == _fixable(rule), f"{rule.code}: fix cases vs fix_availability"
    if rule.fix_availability is FixAvailability.ALWAYS:
        assert all(_has_fix(case) for case in failing), f"{rule.code} always fixes, but a fail case has no fix"


@by_rule
def test_at_most_one_doc_case_of_each_kind(rule: type[Rule]) -> None:
    marked = Counter("pass" if "pass" in case else "fail" for case in _cases(rule) if case.get("doc"))
    assert max(marked.values(), default=0) <= 1, f"{rule.code}: several `doc: true` cases {dict(marked)}"


def test_every_case_file_names_a_rule() -> None:
    codes = {rule.code for rule in RULES}
    orphans = sorted(path.name for path in CASES_DIR.glob("*.yml") if path.stem not in codes)
    assert not orphans, f"case files without a rule: {orphans}"


def test_codes_names_and_aliases_are_unique() -> None:
    keys = Counter(key.lower() for rule in RULES for key in (rule.code, rule.name, *rule.aliases))
    assert [key for key, count in keys.items() if count > 1] == []


@by_rule
def test_markdown_shows_the_example(rule: type[Rule]) -> None:
    page = render_markdown(rule)
    failing = [case for case in _cases(rule) if "fail" in case]
    documented = [case for case in failing if case.get("doc")] or failing
    shown = [case for case in documented if "## Example\n\n" + _block(case["fail"]) in page]
    assert shown, f"{rule.code}: the page shows none of the fail cases as its example"
    instead = page.split("## Use instead", 1)[-1]
    fixed = shown[0].get("fix", shown[0].get("unsafe_fix"))
    if fixed is not None:
        assert _block(fixed) in instead, f"{rule.code}: `Use instead` lacks the fix"
    elif "new_files" in shown[0]:
        created = instead.split("Created in the build context:", 1)
        assert len(created) == 2, f"{rule.code}: `Use instead` does not say which files the fix creates"
        assert all(f"`{path}`:" in created[1] for path in shown[0]["new_files"])


@by_rule
def test_terminal_page_is_plain_text(rule: type[Rule]) -> None:
    page = render_terminal(rule)
    assert page.startswith(f"{rule.code} {rule.name}\n{rule.summary()}\n")
    assert "```" not in page and "\n## " not in page and "\x1b" not in page
    assert all(f"\n{heading}\n" in page for heading in REQUIRED_HEADINGS)


def _generator() -> ModuleType:
    """`docs/generate_rules.py`, which is a script beside the pages rather than a module of the package."""
    spec = importlib.util.spec_from_file_location("generate_rules", ROOT / "docs" / "generate_rules.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_docs_are_up_to_date() -> None:
    """What `python docs/generate_rules.py --check` checks: every rule page, the index and the tables."""
    generator = _generator()
    stale = [str(path.relative_to(ROOT)) for path in generator.stale(generator.expected_files())]
    assert stale == [], f"stale: {', '.join(stale)}: run `python docs/generate_rules.py`"


def test_pages_with_generated_tables_have_their_markers() -> None:
    """Without its markers a table would silently stop being filled."""
    for name in PAGES_WITH_TABLES:
        page = (ROOT / "docs" / name).read_text(encoding="utf-8")
        for region in generated_tables(RULES):
            assert f"<!-- generated:{region} -->" in page, f"docs/{name} lacks the `{region}` markers"


def test_fill_generated_replaces_only_the_marked_region() -> None:
    page = "intro\n<!-- generated:t -->\nold\n<!-- end generated:t -->\noutro\n"
    assert (
        fill_generated(page, {"t": "new"}) == "intro\n<!-- generated:t -->\n\nnew\n\n<!-- end generated:t -->\noutro\n"
    )
    with pytest.raises(ValueError, match="no generated table named `u`"):
        fill_generated(page.replace(":t", ":u"), {"t": "new"})


@by_rule
def test_fix_safety_matches_fix_availability(rule: type[Rule]) -> None:
    kinds = fix_safety(rule)
    assert bool(kinds) == _fixable(rule), f"{rule.code}: its cases show {kinds or 'no'} fixes"


def test_index_has_a_section_per_family_listing_its_rules() -> None:
    index = render_index(RULES)
    sections = index.split("\n## ")[1:]
    families = [family for family in Family if any(rule.family() is family for rule in RULES)]
    assert len(sections) == len(families)
    for family, section in zip(families, sections, strict=True):
        assert f"(`{family.slug}`, LS{family.digit}xx)" in section.splitlines()[0]
        listed = re.findall(r"^\| \[(LS\d{3})\]", section, re.MULTILINE)
        assert listed == [rule.code for rule in RULES if rule.family() is family]


def test_every_alias_is_a_known_foreign_rule() -> None:
    """A hadolint code or BuildKit check named by a rule must be in the data the migration tables list."""
    known = {item.code for item in HADOLINT_RULES} | {check.name for check in BUILDKIT_CHECKS}
    unknown = sorted({alias for rule in RULES for alias in (*rule.hadolint_codes(), *rule.buildkit_checks())} - known)
    assert unknown == []


def test_migration_tables_map_aliases_to_rules() -> None:
    hadolint = render_hadolint_table(RULES)
    assert "| DL3020 | error | Use `COPY` instead of `ADD` for files and folders | [LS503](rules/LS503.md) " in hadolint
    assert len(re.findall(r"^\| DL\d{4} ", hadolint, re.MULTILINE)) == len(HADOLINT_RULES)
    buildkit = render_buildkit_table(RULES)
    assert re.search(r"^\| `JSONArgsRecommended` \|.*\[LS502\]\(rules/LS502\.md\)", buildkit, re.MULTILINE)
    assert len(re.findall(r"^\| `\w+`", buildkit, re.MULTILINE)) == len(BUILDKIT_CHECKS)


needs_reference = pytest.mark.skipif(
    not SHARED_REFERENCE.is_dir(), reason="../shared/reference (the project's research notes) is absent"
)


@needs_reference
def test_hadolint_data_matches_the_reference() -> None:
    """Every DL code of hadolint's README table, with its default severity."""
    table = (SHARED_REFERENCE / "hadolint-rules.md").read_text(encoding="utf-8")
    referenced = {code: severity.lower() for code, severity in re.findall(r"^\| (DL\d{4}) \| (\w+) \|", table, re.M)}
    assert {item.code: item.severity for item in HADOLINT_RULES} == referenced


@needs_reference
def test_buildkit_data_matches_the_reference() -> None:
    """Every check of BuildKit's ruleset.go, as the notes list them, experimental ones marked."""
    notes = (SHARED_REFERENCE / "peers.md").read_text(encoding="utf-8")
    table = notes.split("| Check | Meaning (rule Description) |", 1)[1].split("\n\n", 1)[0]
    referenced = re.findall(r"^\| (\w+)( \(\*\*experimental\*\*\))? \|", table, re.M)
    assert [(check.name, check.experimental) for check in BUILDKIT_CHECKS] == [
        (name, bool(experimental)) for name, experimental in referenced
    ]


def test_readme_lists_every_rule() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [rule.code for rule in RULES if f"| {rule.code} | `{rule.name}` |" not in readme]
    assert missing == [], f"README's rule table lacks {missing}"

"""Looking rules up by code, name, alias, family or code prefix."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lintslim.engine.rule import Family, Rule

# Codes that were renamed keep working here (ruff's rule_redirects).  Empty until a code moves.
REDIRECTS: dict[str, str] = {}
_FOREIGN_CODE = re.compile(r"([A-Z]+)(\d{0,4})")  # `SC2086`, or a prefix of such codes: `SC20`, `SC`


@dataclass(frozen=True)
class CodeSelection:
    """Which of a rule's foreign codes (ShellCheck's `SC2086` from LS590) a file's selection enables.

    `broad`: the rule itself was selected (by default, code, name, family, prefix or `ALL`), which
    enables every code but `excluded`.  `named`: codes or code prefixes selected by themselves; a
    full code named brings back an excluded one.  `ignored` codes or prefixes always win.
    """

    broad: bool
    named: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    excluded: frozenset[str] = frozenset()

    def allows(self, code: str) -> bool:
        if code.startswith(self.ignored):
            return False
        if code in self.named:
            return True
        if code in self.excluded:
            return False
        return self.broad or code.startswith(self.named)


class UnknownRuleError(ValueError):
    def __init__(self, reference: str) -> None:
        super().__init__(f"unknown rule or prefix `{reference}`")
        self.reference = reference


@dataclass(frozen=True)
class Registry:
    rules: tuple[type[Rule], ...]
    # every code, name and alias, lower-cased, to its rule (built once; a clash is an error)
    by_key: dict[str, type[Rule]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[str, type[Rule]] = {}
        for rule in self.rules:
            for key in (rule.code, rule.name, *rule.aliases):
                other = by_key.setdefault(key.lower(), rule)
                if other is not rule:
                    raise ValueError(f"`{key}` names both {other.code} and {rule.code}")
        object.__setattr__(self, "by_key", by_key)

    def get(self, reference: str) -> type[Rule]:
        """Exact lookup: code, kebab-case name, alias (hadolint code or BuildKit check name)."""
        found = self.exact(reference)
        if found is None:
            raise UnknownRuleError(reference)
        return found

    def exact(self, reference: str) -> type[Rule] | None:
        return self.by_key.get(REDIRECTS.get(reference.upper(), reference).lower())

    def code_owner(self, reference: str) -> type[Rule] | None:
        """The rule that reports another tool's code named by `reference` (`SC2086`, or a prefix: `SC20`)."""
        match = _FOREIGN_CODE.fullmatch(reference.strip().upper())
        if match is None:
            return None
        return next((rule for rule in self.rules if rule.code_prefix == match.group(1)), None)

    def is_foreign_code(self, reference: str) -> bool:
        """A full foreign code (`SC2086`), which pragmas and `lintslim rule` take as a rule reference."""
        match = _FOREIGN_CODE.fullmatch(reference.strip().upper())
        return match is not None and len(match.group(2)) == 4 and self.code_owner(reference) is not None

    def code_selection(self, rule: type[Rule], select: Sequence[str] | None, ignore: Iterable[str]) -> CodeSelection:
        """What `select` and `ignore` (as `select` takes them) say about `rule`'s foreign codes."""
        named: list[str] = []
        broad = select is None
        for reference in select or ():
            if self.code_owner(reference) is rule:
                named.append(reference.strip().upper())
            elif not broad:
                broad = rule in self.resolve(reference)[0]
        ignored = tuple(reference.strip().upper() for reference in ignore if self.code_owner(reference) is rule)
        return CodeSelection(broad, tuple(named), ignored, rule.excluded_codes)

    def resolve(self, reference: str) -> tuple[list[type[Rule]], bool]:
        """Rules a selector names, and whether it named one rule exactly (which enables opt-in rules).

        Order: code, name and alias first; then `ALL`, a family slug (`secrets`) or a code prefix (`LS2`).
        """
        exact = self.exact(reference)
        if exact is not None:
            return [exact], True
        owner = self.code_owner(reference)
        if owner is not None:  # a foreign code enables its rule, opt-in or not; its own selection says which codes
            return [owner], True
        key = reference.strip()
        if key.upper() == "ALL":
            return list(self.rules), False
        for family in Family:
            if key.lower() == family.slug:
                return [rule for rule in self.rules if rule.family() is family], False
        if len(key) >= 2 and key.upper().startswith("LS"):
            matched = [rule for rule in self.rules if rule.code.startswith(key.upper())]
            if matched:
                return matched, False
        # a hadolint prefix such as DL30 selects the rules that alias codes under it
        if key.upper().startswith(("DL", "SC")):
            matched = [rule for rule in self.rules if any(a.startswith(key.upper()) for a in rule.aliases)]
            if matched:
                return matched, False
        raise UnknownRuleError(reference)

    def select(self, select: Sequence[str] | None, ignore: Iterable[str] = ()) -> list[type[Rule]]:
        """The rules enabled by `select` (default: every default-enabled rule) minus `ignore`."""
        chosen: dict[str, type[Rule]] = {}
        if select is None:
            chosen = {rule.code: rule for rule in self.rules if rule.default_enabled}
        else:
            for reference in select:
                rules, exact = self.resolve(reference)
                for rule in rules:
                    if exact or rule.default_enabled:
                        chosen[rule.code] = rule
        for reference in ignore:
            if self.code_owner(reference) is not None:
                continue  # ignoring `SC2086` leaves LS590 on for the other codes (see `code_selection`)
            for rule in self.resolve(reference)[0]:
                chosen.pop(rule.code, None)
        return sorted(chosen.values(), key=lambda rule: rule.code)


def default_registry() -> Registry:
    from lintslim.rules import ALL_RULES

    return Registry(ALL_RULES)

"""Every rule, found by walking the family packages below.

Adding a rule means adding one module here (a `Rule` subclass) and its case file `rules/<CODE>.yml`.
Modules named with a leading underscore are helpers, never searched for rules.
"""

from __future__ import annotations

import importlib
import pkgutil

from lintslim.engine.rule import Rule

FAMILY_PACKAGES = ("build", "secrets", "runtime", "aws_lambda", "hygiene", "meta")


def _discover() -> tuple[type[Rule], ...]:
    found: dict[str, type[Rule]] = {}
    for family in FAMILY_PACKAGES:
        try:
            package = importlib.import_module(f"{__name__}.{family}")
        except ModuleNotFoundError as error:
            if error.name == f"{__name__}.{family}":
                continue  # a family with no rules yet
            raise
        for module_info in pkgutil.iter_modules(package.__path__):
            if module_info.name.startswith("_"):
                continue  # helpers, imported by the rules that use them (some only when they need them)
            module = importlib.import_module(f"{package.__name__}.{module_info.name}")
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, Rule) and value.__module__ == module.__name__:
                    if value.code in found:
                        raise ValueError(f"rule code {value.code} defined twice")
                    found[value.code] = value
    return tuple(sorted(found.values(), key=lambda rule: rule.code))


ALL_RULES: tuple[type[Rule], ...] = _discover()

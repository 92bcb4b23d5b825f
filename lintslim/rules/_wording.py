"""How messages list and shorten things, the same way in every rule."""

from __future__ import annotations

from collections.abc import Sequence


def and_list(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def shortened(text: str, limit: int = 40) -> str:
    """`text` cut to `limit` characters, ending in `...` when it was longer."""
    return text if len(text) <= limit else text[: limit - 3] + "..."

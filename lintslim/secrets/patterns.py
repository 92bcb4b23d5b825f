"""Credentials with a recognisable shape, found anywhere in a text.

The formats are data (`token_formats.toml`, written in a restricted regular-expression form that
Python's `re` runs in linear time; `tests/test_secrets.py` checks each one).  Private key blocks are
found in code: their header is one short line, and the block runs to its `-----END` line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lintslim.secrets.values import is_placeholder, shannon_entropy

# `-----BEGIN RSA PRIVATE KEY-----`, `-----BEGIN OPENSSH PRIVATE KEY-----`, `… PGP PRIVATE KEY BLOCK-----`
_PEM_HEADER = re.compile(r"-----BEGIN ([A-Z0-9 _]{1,40})-----")
_PEM_END = "-----END "


@dataclass(frozen=True)
class TokenFormat:
    id: str
    description: str
    pattern: str
    keywords: tuple[str, ...]
    entropy: float
    source: str

    @property
    def regex(self) -> re.Pattern[str]:
        """Compiled on first use (`re` keeps it): a text whose keywords never appear needs no compiling."""
        return re.compile(self.pattern)


@dataclass(frozen=True)
class TokenMatch:
    """A credential found in a text: which format, and where (offsets into the text scanned)."""

    format_id: str
    description: str
    start: int
    end: int


@functools.cache
def token_formats() -> tuple[TokenFormat, ...]:
    """The formats of `token_formats.toml`, read once per process (the data is immutable)."""
    from lintslim.knowledge._data import load_toml  # its JSON snapshot, when current: no TOML parsing

    return tuple(
        TokenFormat(
            id=raw["id"],
            description=raw["description"],
            pattern=raw["regex"],
            keywords=tuple(raw["keywords"]),
            entropy=float(raw.get("entropy", 0.0)),
            source=raw["source"],
        )
        for raw in load_toml(Path(__file__).with_name("token_formats.toml"))["format"]
    )


def _looks_real(token: str, minimum_entropy: float) -> bool:
    return shannon_entropy(token) >= minimum_entropy and not is_placeholder(token)


def find_tokens(text: str) -> Iterator[TokenMatch]:
    """Every match of a token format in `text`, placeholders and low-entropy strings left out."""
    lowered = text.lower()
    for token_format in token_formats():
        if not any(keyword in lowered for keyword in token_format.keywords):
            continue
        for match in token_format.regex.finditer(text):
            if _looks_real(match.group(), token_format.entropy):
                yield TokenMatch(token_format.id, token_format.description, match.start(), match.end())
    yield from find_private_keys(text)


def find_private_keys(text: str) -> Iterator[TokenMatch]:
    """Private key blocks: the span is the key's body, from after the header to the `-----END` line
    (or to the end of the header's line when the block never ends, as in `echo "…" > key`)."""
    if "-----BEGIN " not in text:
        return
    # Each search runs once per block, not once per header; a body stops at the next `-----` (its
    # END line, or another header), so bodies never overlap and the scan stays linear.
    next_dashes = _After(text, "-----")
    next_newline = _After(text, "\n")
    for match in _PEM_HEADER.finditer(text):
        label = match.group(1).strip()
        if not label.endswith(("PRIVATE KEY", "PRIVATE KEY BLOCK")):
            continue
        end = next_dashes.at(match.end())
        if end is None or not text.startswith(_PEM_END, end):  # never ended: the header's line holds it
            line_end = next_newline.at(match.end())
            end = min(end or len(text), line_end or len(text))
        raw = text[match.end() : end]
        body = raw.strip()
        if len(body) >= 16 and not is_placeholder(body):
            kind = label.removesuffix(" BLOCK").removesuffix("PRIVATE KEY").strip()
            start = match.end() + len(raw) - len(raw.lstrip())
            yield TokenMatch("private-key", f"{kind} private key".strip(), start, start + len(body))


class _After:
    """The next occurrence of `needle` at or after a growing offset, found with one scan in all."""

    def __init__(self, text: str, needle: str) -> None:
        self.text, self.needle, self.found = text, needle, -1

    def at(self, offset: int) -> int | None:
        if self.found < offset and self.found != len(self.text) + 1:
            found = self.text.find(self.needle, offset)
            self.found = len(self.text) + 1 if found < 0 else found
        return None if self.found > len(self.text) else self.found

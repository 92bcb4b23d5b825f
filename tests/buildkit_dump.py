"""Render a parsed Dockerfile the way BuildKit's `Node.Dump()` does, to compare with its conformance files."""

from __future__ import annotations

from lintslim.syntax.nodes import Dockerfile, Instruction


def go_quote(value: str) -> str:
    """Go's strconv.Quote."""
    out = ['"']
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def dump_instruction(instruction: Instruction) -> str:
    text = instruction.keyword.lower()
    if instruction.flags:
        text += " [" + " ".join(go_quote(flag.text) for flag in instruction.flags) + "]"
    if instruction.inner is not None:
        text += " (" + dump_instruction(instruction.inner) + ")"
    for token in instruction.args:
        text += " " + go_quote(token.value)
    return text.strip()


def dump(dockerfile: Dockerfile) -> str:
    return "".join("(" + dump_instruction(i) + ")\n" for i in dockerfile.instructions)

"""lintslim: a Dockerfile linter and fixer for slim, fast-rebuilding and safe images."""

from __future__ import annotations

__version__ = "0.1.0"

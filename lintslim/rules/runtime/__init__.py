"""Minimal runtime bases (LS3xx)."""

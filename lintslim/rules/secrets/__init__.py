"""Credential leaks (LS2xx)."""

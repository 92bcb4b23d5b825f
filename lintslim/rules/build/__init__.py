"""Build structure and layer cache (LS1xx)."""

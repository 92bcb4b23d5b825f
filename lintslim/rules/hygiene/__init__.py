"""General hygiene rules (LS5xx)."""

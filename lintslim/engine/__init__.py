"""The rule engine: rules, diagnostics, fixes, suppressions and the lint/fix loop."""

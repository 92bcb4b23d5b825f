"""`lintslim audit`: check every Dockerfile in many repositories, in parallel, and report across them."""

AUDIT_FORMATS = ("summary", "json", "jsonl", "sarif")  # here, so that `lintslim check` need not import the audit

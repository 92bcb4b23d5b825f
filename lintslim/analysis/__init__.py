"""Questions about what stages build and ship, shared by rules."""

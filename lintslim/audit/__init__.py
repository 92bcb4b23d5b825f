"""`lintslim audit`: check every Dockerfile in many repositories, in parallel, and report across them."""

"""The build context: `.dockerignore` semantics and what COPY and ADD take from the context directory."""

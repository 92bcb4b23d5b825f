"""Questions rules ask about a build, answered in one place for all of them.

- `artifacts`: the binaries stages build, how they are linked and for which architecture, and where
  `cp`, `mv` and `COPY --from` carry them;
- `toolchain`: which steps compile or bundle, which package installs bring a toolchain and whether a
  removal in the same RUN takes it out, and whether an image is meant to be a toolchain;
- `dependencies`: dependency installs, the manifests they read, and where COPY and ADD put the files
  of the build context;
- `paths`: image and context paths, compared as BuildKit compares them.
- `subshells`: where a RUN's commands enter and leave subshells, which a `cd` or a variable does not outlive.
"""

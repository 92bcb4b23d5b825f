"""The audit's progress bar on standard error: files done of found, files a second, the repository.

Shown when standard error is a terminal (`--progress` / `--no-progress` decide otherwise).  This
module imports rich; `lintslim.audit.command` imports it only when the bar is shown.

The bar is redrawn as results arrive (at most ten times a second), never from a timer thread: the
engine may start worker processes mid-run (after a worker dies), and forking while another thread
holds a lock is how a child deadlocks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from lintslim.audit.model import FileResult

Advance = Callable[[FileResult], None]
REDRAW_SECONDS = 0.1
NAME_WIDTH = 24


class FilesPerSecond(ProgressColumn):
    """The rate over the whole run so far (steadier than rich's recent-samples speed)."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        rate = task.completed / elapsed if elapsed > 0 else 0.0
        return Text(f"{rate:,.0f} files/s", style="progress.data.speed")


def shown_name(repository: str) -> str:
    """The repository's name, its end kept when it is too long for the bar."""
    return repository if len(repository) <= NAME_WIDTH else "…" + repository[-(NAME_WIDTH - 1) :]


@contextmanager
def progress_bar(total: int, stream: TextIO) -> Iterator[Advance]:
    """A bar over `total` files; the function given counts one file done."""
    columns = (
        TextColumn(f"{{task.description:<{NAME_WIDTH}}}"),
        BarColumn(bar_width=None),  # whatever width the terminal leaves
        MofNCompleteColumn(),
        FilesPerSecond(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(file=stream), auto_refresh=False, expand=True) as bar:
        task = bar.add_task("", total=total)
        drawn = 0.0
        done = 0

        def advance(result: FileResult) -> None:
            nonlocal drawn, done
            done += 1
            bar.update(task, advance=1, description=shown_name(result.repository))
            now = time.monotonic()
            if now - drawn >= REDRAW_SECONDS or done == total:
                bar.refresh()
                drawn = now

        yield advance

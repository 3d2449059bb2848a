"""An import's progress on a terminal, and its summary in words."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from app.importers.service import ImportSummary


@contextmanager
def byte_progress(total: int | None, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error over ``total`` bytes, when that is a terminal; the
    function it gives takes the bytes done so far. Elsewhere (a log, a pipe) it stays quiet."""
    if not sys.stderr.isatty():
        yield lambda _done: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda done: progress.update(task, completed=done)


def summary_lines(summary: ImportSummary, *, dry_run: bool) -> list[str]:
    """What happened (or, in a dry run, would have), first line the counts."""
    counts = (
        f"created {summary.created}, updated {summary.updated}, "
        f"skipped {summary.skipped}, failed {summary.failed}"
    )
    lines = [f"dry run, nothing written: would have {counts}" if dry_run else counts]
    if summary.revisions:
        lines.append(f"  earlier states of posts kept as their revisions: {summary.revisions}")
    lines += [f"  skipped {count}: {reason}" for reason, count in summary.skip_reasons.items()]
    if summary.new_sources:
        lines.append(f"  new sources: {', '.join(summary.new_sources)}")
    return lines

"""A WordPress export read in a second process, ahead of the writing.

Reading the XML, finding each post's origin and rendering its body is about 40 % of an
import, and none of it needs the database. A second process does it while this one writes,
so an import uses two cores. The reader sends items in chunks through a bounded queue: it is
at most a few chunks ahead, and memory stays that of those chunks.

The rendering (the body's HTML and the post's language) is shared by the two processes as
their speeds ask: the reader renders a chunk while the writer has chunks waiting (it is
behind, so the reader's time is free), and otherwise sends it as read, for the writer to
render before its batch's transaction, in time it would spend waiting for the reader. On
SQLite the writer is the faster of the two, and would wait for a reader rendering everything;
where the writer is behind (PostgreSQL), the reader renders every chunk, as before. A post
arriving rendered (``body_html``) is stored with that HTML only for the very body it was made
from. What the reader raises comes across too: a damaged file ends the items at the same point
as reading in this process would, with the same error.
"""

import multiprocessing
import queue
import signal
import traceback
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any, Self
from zoneinfo import ZoneInfo

from app.core.errors import InvalidInput
from app.core.html import make_excerpt, render_markdown
from app.importers import limits
from app.importers.records import ImportedPost, ItemFailure
from app.importers.wxr import read_wxr
from app.search.languages import detect_language

_CHUNK_ITEMS = 100
_CHUNKS_AHEAD = 8
# Chunks waiting for the writer from which on the reader renders the next one itself.
_WRITER_BEHIND_CHUNKS = 2
# How often a writer waiting for items checks that the reader still lives.
_WAIT_SECONDS = 1.0


class WxrReadAhead:
    """Iterate for the items of the export at ``path``, as ``WxrExport`` gives them, each
    post's body rendered or left to the writer to render (``rendered_ahead``). ``bytes_read`` and ``skipped`` are as ``WxrExport``'s (the
    skipped counts once the items are all read); each post's language is detected among
    ``languages``."""

    def __init__(self, path: Path, *, site_zone: ZoneInfo, languages: Sequence[str]) -> None:
        # A new interpreter, not a fork: this process may run threads (the progress bar).
        context = multiprocessing.get_context("spawn")
        self._queue: Queue[tuple[Any, ...]] = context.Queue(_CHUNKS_AHEAD)
        self._reader: BaseProcess = context.Process(
            target=_read, args=(str(path), site_zone, tuple(languages), self._queue), daemon=True
        )
        self._reader.start()
        self.bytes_read = 0
        self.skipped: Counter[str] = Counter()

    def __iter__(self) -> Iterator[ImportedPost | ItemFailure]:
        while True:
            kind, *values = self._next_message()
            if kind == "items":
                items, self.bytes_read = values
                yield from items
            elif kind == "end":
                self.skipped, self.bytes_read = values
                return
            elif kind == "invalid":
                items, detail = values
                yield from items
                raise InvalidInput(detail)
            elif kind == "os-error":
                raise OSError(*values)
            else:
                raise RuntimeError(f"Reading the export failed:\n{values[0]}")

    def _next_message(self) -> tuple[Any, ...]:
        while True:
            # Asked before waiting: a reader that had ended by then had sent all it would.
            ended = not self._reader.is_alive()
            try:
                return self._queue.get(timeout=_WAIT_SECONDS)
            except queue.Empty:
                if ended:
                    raise RuntimeError(
                        f"The export's reader stopped (exit code {self._reader.exitcode})."
                    ) from None

    def close(self) -> None:
        if self._reader.is_alive():
            self._reader.terminate()
        self._reader.join()
        self._queue.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def rendered_ahead(
    item: ImportedPost | ItemFailure, languages: Sequence[str]
) -> ImportedPost | ItemFailure:
    """``item`` with its body rendered (its excerpt derived, unless it has one written by hand)
    and, for a post, its language detected among
    ``languages`` (none given: it keeps the one it has), for the writer to store without
    that CPU work while it holds the write lock; an item the writer refuses is left as it
    is, which costs with its size. An item rendered already (by the reader process) is
    done."""
    if not isinstance(item, ImportedPost) or item.body_html is not None:
        return item
    if limits.refusal(item) is not None:
        return item
    language = item.language
    if language is None and item.revision_of is None:
        language = detect_language(f"{item.title}\n{item.body}", languages)
    html = render_markdown(item.body)
    # Derived here too, for the writer not to: it reads the rendered HTML's first blocks.
    derived = None if item.excerpt else make_excerpt(item.body, rendered=html)
    return replace(item, body_html=html, derived_excerpt=derived, language=language)


def _rendered_if_behind(
    chunk: list[ImportedPost | ItemFailure],
    languages: Sequence[str],
    out: "Queue[tuple[Any, ...]]",
) -> list[ImportedPost | ItemFailure]:
    """``chunk`` rendered here when the writer has chunks waiting, else as it was read."""
    try:
        behind = out.qsize() >= _WRITER_BEHIND_CHUNKS
    except NotImplementedError:  # no count of a queue's items (macOS): all rendered here
        behind = True
    return [rendered_ahead(item, languages) for item in chunk] if behind else chunk


def _read(
    path: str, site_zone: ZoneInfo, languages: Sequence[str], out: "Queue[tuple[Any, ...]]"
) -> None:
    """The reader process: every item in chunks, then the end (or what went wrong)."""
    # Ctrl-C reaches the whole process group: the import stops this process itself, and
    # a traceback from here would only bury its message.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    chunk: list[ImportedPost | ItemFailure] = []
    try:
        with read_wxr(path, site_zone=site_zone) as export:
            for item in export:
                chunk.append(item)
                if len(chunk) == _CHUNK_ITEMS:
                    out.put(
                        ("items", _rendered_if_behind(chunk, languages, out), export.bytes_read)
                    )
                    chunk = []
            out.put(("items", _rendered_if_behind(chunk, languages, out), export.bytes_read))
            out.put(("end", export.skipped, export.bytes_read))
    except InvalidInput as error:
        out.put(("invalid", chunk, error.detail))  # the items before the damage, then it
    except OSError as error:
        out.put(("os-error", error.errno, error.strerror, error.filename))
    except Exception:
        out.put(("failed", traceback.format_exc()))

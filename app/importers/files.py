"""Importing a file as the command line names it: which reader, and one summary."""

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from app.core.config import DEFAULT_SEARCH_LANGUAGES
from app.core.db import Database
from app.importers.ahead import WxrReadAhead
from app.importers.archive_html import looks_like_html, parse_archive_html
from app.importers.archive_page import archive_posts, parse_archive_text
from app.importers.records import ImportedAuthor
from app.importers.service import DEFAULT_AUTHOR, ImportSummary, PostImporter, Progress
from app.importers.wxr import WxrExport, read_wxr

# From this size on, a second process reads the export ahead of the writing. A smaller one is
# imported in about as long as that process takes to start.
READ_AHEAD_BYTES = 4_000_000


def import_wxr(
    database: Database,
    source: Path | BinaryIO,
    *,
    zone: ZoneInfo,
    language: str,
    languages: Sequence[str] = DEFAULT_SEARCH_LANGUAGES,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """A WordPress export; ``progress`` is told the bytes read so far. Each post's language
    is detected among ``languages`` (the site's search languages), else it is ``language``."""
    importer = PostImporter(
        database, zone=zone, language=language, languages=languages, dry_run=dry_run
    )
    with _export(source, zone, importer.languages) as export:

        def report(_items: int) -> None:
            if progress is not None:
                progress(export.bytes_read)

        summary = importer.run(export, report)
        # Pages, attachments, trash: the reader leaves them out, the summary counts them.
        summary.skip_reasons.update(export.skipped)
    return summary


def _export(
    source: Path | BinaryIO, zone: ZoneInfo, languages: Sequence[str]
) -> WxrExport | WxrReadAhead:
    if isinstance(source, Path) and source.stat().st_size >= READ_AHEAD_BYTES:
        return WxrReadAhead(source, site_zone=zone, languages=languages)
    return read_wxr(source, site_zone=zone)


def import_archive_page(
    database: Database,
    text: str,
    *,
    zone: ZoneInfo,
    language: str,
    languages: Sequence[str] = DEFAULT_SEARCH_LANGUAGES,
    author: ImportedAuthor = DEFAULT_AUTHOR,
    dry_run: bool = False,
) -> ImportSummary:
    """A day-archive page saved as text or as HTML; languages as for ``import_wxr``."""
    page = parse_archive_html(text, zone) if looks_like_html(text) else parse_archive_text(text)
    importer = PostImporter(
        database,
        zone=zone,
        language=language,
        languages=languages,
        default_author=author,
        dry_run=dry_run,
    )
    return importer.run(archive_posts(page, zone))

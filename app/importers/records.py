"""What every importer reads a post as, whatever the file: one shape for the import service."""

from dataclasses import dataclass, field
from datetime import datetime

from app.posts.models import PostStatus


@dataclass(frozen=True, slots=True)
class ImportedAuthor:
    login: str  # the user name in Presseschau
    display_name: str | None = None


@dataclass(frozen=True, slots=True)
class ImportedPost:
    """A post as a file describes it, before sources are recognised or anything is written.

    ``title`` is as published: a source suffix ("Title (TASS)") is still on it. The body is
    Markdown or HTML (HTML passes through the Markdown renderer), with the original link and
    a credit line already taken out into their fields.
    """

    position: str  # where the file has it, for reports: "entry 3", "item 17 (post 412)"
    title: str
    body: str
    status: PostStatus
    # Aware; None for a draft that was never dated.
    published_at: datetime | None
    # Identifies the post across imports of the same file: a WordPress GUID, a page's entry.
    import_key: str | None = None
    slug: str | None = None
    original_url: str | None = None
    credit: str | None = None
    tags: list[str] = field(default_factory=list)
    # Categories are publications or topics: the importer decides which (sources or tags).
    categories: list[str] = field(default_factory=list)
    author: ImportedAuthor | None = None
    # When the post was last changed where it comes from; a newer one updates an import.
    modified_at: datetime | None = None
    created_at: datetime | None = None
    # A summary written by hand where the file has one (plain text); else derived as usual.
    excerpt: str | None = None
    # The body rendered ahead, by a reader in a second process (app.importers.ahead).
    body_html: str | None = None
    # The excerpt derived from ``body_html`` along with it, for a post without one written
    # by hand.
    derived_excerpt: str | None = None
    # The post's language (ISO 639), detected from its title and body when the body was
    # rendered ahead; None: too short to tell, and the site's is stored.
    language: str | None = None
    # An earlier state of the post with this import key (a WordPress revision), not a post:
    # its title, body and excerpt, saved at ``created_at``.
    revision_of: str | None = None
    # A post in the trash (status trashed): the status it had before, and since when.
    trashed_from: PostStatus | None = None
    trashed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ItemFailure:
    """An item a file has that could not be imported: where it is, and why."""

    position: str
    reason: str

"""Writing imported posts: sources recognised, duplicates found, a transaction per batch.

Every importer hands over ``ImportedPost`` items (or ``ItemFailure`` for items it could not
read). Each batch is one transaction, so a run killed half-way leaves whole batches behind;
running it again skips what is there (a post is the same post when its import key or its
original URL matches) and completes the rest. A bad item is reported and the others go on.

An import changes only posts an import made from the same item (found by its import key):
a post found only by its original URL, written by hand or imported from another item, is
skipped and left as it is. Every value is checked against the limits the API and the restore
apply, before anything is written, so that whatever an import stores exports and restores.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session, col

from app.auth.models import Role
from app.auth.service import user_named
from app.core.config import DEFAULT_SEARCH_LANGUAGES
from app.core.db import Database
from app.core.errors import DomainError, InvalidInput, first_error
from app.core.html import make_excerpt
from app.importers import limits
from app.importers.ahead import rendered_ahead
from app.importers.archive_page import is_archive_key
from app.importers.defaults import DEFAULT_AUTHOR_LOGIN
from app.importers.records import ImportedAuthor, ImportedPost, ItemFailure
from app.posts import imports as post_imports
from app.posts.documents import store_all_at_commit
from app.posts.models import Post
from app.posts.schemas import PostCreate
from app.revisions.earlier import add_earlier
from app.sources.matching import (
    KnownSources,
    SourceMatch,
    decide_source,
    host_of,
    known_sources_of_all,
    learn_domain,
)
from app.sources.schemas import SourceCreate, SourceRef
from app.sources.service import create_source

BATCH_SIZE = 500
# What the database may refuse of one post although it was checked (a key taken meanwhile):
# that post fails, the others go in.
_REFUSED = (IntegrityError, DataError)


DEFAULT_AUTHOR = ImportedAuthor(login=DEFAULT_AUTHOR_LOGIN)


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    # Earlier states of posts (WordPress revisions) put among their revisions.
    revisions: int = 0
    new_sources: list[str] = field(default_factory=list)
    failures: list[ItemFailure] = field(default_factory=list)
    # Why items were skipped ("imported before", "an attachment, not a post"), and how often.
    skip_reasons: Counter[str] = field(default_factory=Counter)

    @property
    def skipped(self) -> int:
        return sum(self.skip_reasons.values())

    @property
    def failed(self) -> int:
        return len(self.failures)


Progress = Callable[[int], None]  # given how many items were handled so far


def _batches(
    items: Iterable[ImportedPost | ItemFailure], size: int
) -> Iterator[list[ImportedPost | ItemFailure]]:
    """The items in lists of ``size``. A file damaged part-way ends them with the items
    read before the damage, then its error."""
    batch: list[ImportedPost | ItemFailure] = []
    try:
        for item in items:
            batch.append(item)
            if len(batch) == size:
                yield batch
                batch = []
    except InvalidInput:
        if batch:
            yield batch
        raise
    if batch:
        yield batch


@dataclass
class _Existing:
    post_id: int
    updated_at: datetime
    import_key: str | None

    def skip_reason(self) -> str:
        """Why an item found only by this post's original URL leaves it as it is."""
        if self.import_key is None:
            return f"a post written by hand has this original URL: post {self.post_id}"
        return "imported before"

    def same_post_as(self, item: ImportedPost) -> bool:
        """Found by the item's original URL: the same post, unless both came from WordPress
        under different GUIDs (two posts there that link one article)."""
        return not (
            self.import_key
            and item.import_key
            and self.import_key != item.import_key
            and not is_archive_key(self.import_key)
            and not is_archive_key(item.import_key)
        )


@dataclass(frozen=True, slots=True)
class _New:
    """An item that becomes a new post, once its batch is read."""

    item: ImportedPost
    entry: post_imports.PostImport
    source: SourceRef | None


class PostImporter:
    """Imports items batch by batch; with ``dry_run`` everything is rolled back at the end,
    after the summary says what would have happened."""

    def __init__(
        self,
        database: Database,
        *,
        zone: ZoneInfo,
        language: str,
        languages: Sequence[str] = DEFAULT_SEARCH_LANGUAGES,
        default_author: ImportedAuthor = DEFAULT_AUTHOR,
        dry_run: bool = False,
    ) -> None:
        self.database = database
        self.zone = zone
        # The site's language, for posts whose own detection among ``languages`` (the
        # site's search languages) cannot tell.
        self.language = language
        self.languages = tuple(languages)
        # Checked before anything is written: it is the author of posts that name none.
        self.default_author = replace(
            default_author, login=limits.author_name(default_author.login)
        )
        self.dry_run = dry_run
        self.summary = ImportSummary()
        self._authors: dict[str, int] = {}
        self._seen_keys: set[str] = set()
        # (source id, host) a source did not learn (it is at its limit of domains): learning
        # is best effort, and asking again for every post that links there costs two queries.
        self._not_learnt: set[tuple[int, str]] = set()

    def run(
        self, items: Iterable[ImportedPost | ItemFailure], progress: Progress | None = None
    ) -> ImportSummary:
        handled = 0
        if self.dry_run:
            # One transaction for the whole run, never committed: later batches see the
            # sources earlier ones would have created, as a real run would.
            with self.database.session() as session:
                for batch in _batches(items, BATCH_SIZE):
                    handled += self._import_batch(
                        session, [rendered_ahead(i, self.languages) for i in batch]
                    )
                    if progress:
                        progress(handled)
                session.rollback()
            return self.summary
        for batch in _batches(items, BATCH_SIZE):
            # Rendered before the batch's transaction takes the write lock (a large export's
            # reader process has done it already).
            batch = [rendered_ahead(item, self.languages) for item in batch]
            with self.database.session() as session:
                handled += self._import_batch(session, batch)
            if progress:
                progress(handled)
        return self.summary

    def _import_batch(self, session: Session, batch: list[ImportedPost | ItemFailure]) -> int:
        # A batch's posts are all stored as it commits, more than a write's bound: an import
        # ends with its documents current, in a transaction per batch, as it always did.
        store_all_at_commit(session.connection())
        # Read in each batch's transaction: sources other writers add meanwhile count too.
        known = known_sources_of_all(session)
        posts_in_batch = [
            item for item in batch if isinstance(item, ImportedPost) and item.revision_of is None
        ]
        existing = self._existing(session, posts_in_batch)
        new: list[_New] = []
        revisions: list[ImportedPost] = []
        for item in batch:
            if isinstance(item, ItemFailure):
                self.summary.failures.append(item)
            elif item.revision_of is not None:
                revisions.append(item)
            else:
                self._import_one(session, known, existing, item, new)
        self._create(session, known, new)
        # After the posts: a revision follows its post in the file, often in the same batch.
        self._add_revisions(session, known, revisions)
        return len(batch)

    def _add_revisions(
        self, session: Session, known: KnownSources, revisions: list[ImportedPost]
    ) -> None:
        """Put earlier states of imported posts among their revisions, by their time."""
        keys = {item.revision_of for item in revisions if item.revision_of}
        if not keys:
            return
        found: dict[str | None, int] = {
            row.import_key: row.id
            for row in session.execute(
                select(col(Post.id), col(Post.import_key)).where(col(Post.import_key).in_(keys))
            )
        }
        for item in revisions:
            post_id = found.get(item.revision_of)
            if post_id is None or item.created_at is None:
                self._skip("a revision of a post not imported")
                continue
            if (refused := limits.refusal(item)) is not None:
                self._fail(item, refused)
                continue
            # Its title and body as the post's are written: cleaned, the source's name off.
            match = decide_source(known, title=item.title, url=None)
            try:
                data = PostCreate.model_validate(
                    {"title": match.title or item.title, "body": item.body}
                ).cleaned()
            except ValidationError as error:
                self._fail(item, first_error(error.errors()))
                continue
            rendered, derived = _ahead(item, data)
            added = add_earlier(
                session.connection(), post_id, title=data.title, body=data.body,
                excerpt=derived or make_excerpt(data.body, rendered=rendered),
                saved_at=item.created_at,
            )  # fmt: skip
            if added:
                self.summary.revisions += 1
            else:
                self._skip("a revision imported before")

    def _fail(self, item: ImportedPost, reason: str) -> None:
        self.summary.failures.append(ItemFailure(item.position, reason))

    def _skip(self, reason: str) -> None:
        self.summary.skip_reasons[reason] += 1

    def _existing(
        self, session: Session, items: list[ImportedPost]
    ) -> tuple[dict[str, _Existing], dict[str, _Existing]]:
        """Posts imported before, by import key and by original URL: one query per batch."""
        keys = [item.import_key for item in items if item.import_key]
        urls = [item.original_url for item in items if item.original_url]
        by_key: dict[str, _Existing] = {}
        by_url: dict[str, _Existing] = {}
        if not keys and not urls:
            return by_key, by_url
        rows = session.execute(
            select(
                col(Post.id), col(Post.import_key), col(Post.original_url), col(Post.updated_at)
            ).where(or_(col(Post.import_key).in_(keys), col(Post.original_url).in_(urls)))
        )
        for row in rows:
            found = _Existing(row.id, row.updated_at, row.import_key)
            if row.import_key:
                by_key[row.import_key] = found
            if row.original_url:
                by_url.setdefault(row.original_url, found)
        return by_key, by_url

    def _import_one(
        self,
        session: Session,
        known: KnownSources,
        existing: tuple[dict[str, _Existing], dict[str, _Existing]],
        item: ImportedPost,
        new: list[_New],
    ) -> None:
        """Update a post imported before, or add the item to ``new``, the batch's posts to
        create; or skip it, or report it as failed."""
        by_key, by_url = existing
        if (refused := limits.refusal(item)) is not None:
            self._fail(item, refused)
            return
        if item.import_key and item.import_key in self._seen_keys:
            self._skip("appears twice in the file")
            return
        if item.import_key:
            self._seen_keys.add(item.import_key)
        before = by_key.get(item.import_key) if item.import_key else None
        if before is None and item.original_url:
            found = by_url.get(item.original_url)
            if found is not None and found.same_post_as(item):
                # Not made from this item: never changed by it, however much newer it is.
                self._skip(found.skip_reason())
                return
        if before is not None and (
            item.modified_at is None or item.modified_at <= before.updated_at
        ):
            self._skip("imported before")
            return
        match = decide_source(known, title=item.title, url=item.original_url)
        source, new_source, topics = self._source_and_topics(known, item, match)
        try:
            # The file's slug is not validated as an editor's would be: the post gets one
            # from it in any case (see post_imports.import_posts).
            data = PostCreate.model_validate(
                {
                    "title": match.title or item.title,
                    "body": item.body,
                    "original_url": item.original_url,
                    "credit": item.credit,
                    "tags": list(dict.fromkeys([*topics, *item.tags])),
                    "status": item.status,
                    "published_at": item.published_at,
                    "language": item.language,
                }
            ).cleaned()
        except ValidationError as error:
            self._fail(item, first_error(error.errors()))
            return
        # Made only now, for a post that is going in: a bad item leaves no source behind.
        if new_source is not None:
            try:
                source = self._new_source(session, known, new_source)
            except ValidationError as error:
                self._fail(item, f"its source's name: {first_error(error.errors())}")
                return
            except DomainError as error:
                self._fail(item, error.detail)
                return
        data.source_id = source.id if source else None
        if before is not None:
            self._update(session, before.post_id, data, item)
            return
        body_html, excerpt = _ahead(item, data)
        entry = post_imports.PostImport(
            data=data,
            author_id=self._author_id(session, item.author),
            slug_hint=item.slug,
            import_key=item.import_key,
            created_at=item.created_at,
            modified_at=item.modified_at,
            excerpt=excerpt,
            body_html=body_html,
            trashed_from=item.trashed_from,
            trashed_at=item.trashed_at,
        )
        new.append(_New(item, entry, source))

    def _source_and_topics(
        self, known: KnownSources, item: ImportedPost, match: SourceMatch
    ) -> tuple[SourceRef | None, str | None, list[str]]:
        """The post's known source or the name of a new one, and the categories that are
        topics (tags), not publications."""
        source = match.source
        topics: list[str] = []
        for category in item.categories:
            named = known.find(category)
            if named is not None and (source is None or named.id == source.id):
                source = named
            elif (
                source is None
                and match.suggested_name is not None
                and category.lower() == match.suggested_name.lower()
            ):
                continue  # the title's publication: the new source
            else:
                topics.append(category)
        return source, match.suggested_name if source is None else None, topics

    def _new_source(self, session: Session, known: KnownSources, name: str) -> SourceRef:
        """A source made as an editor would make it (``ValidationError`` for a name that is
        not one, e.g. too long)."""
        created = create_source(session, data=SourceCreate(name=name))
        ref = SourceRef(id=created.id, slug=created.slug, name=created.name)
        known.by_name[created.name.lower()] = ref
        self.summary.new_sources.append(created.name)
        return ref

    def _author_id(self, session: Session, author: ImportedAuthor | None) -> int:
        """The user an imported author is: by the name posts show (the display name, else
        the login, whichever is a valid user name first), made on first sight."""
        author = author or self.default_author
        name = limits.user_name(author.display_name) or limits.user_name(author.login)
        name = name or self.default_author.login
        if name not in self._authors:
            # Imported authors become users without tokens: their names show on their posts,
            # and an admin can give them a token and a role later.
            user = user_named(session, name, role=Role.author)
            assert user.id is not None
            self._authors[name] = user.id
        return self._authors[name]

    def _create(self, session: Session, known: KnownSources, new: list[_New]) -> None:
        """The batch's new posts together; when that fails (a slug or key taken by a post
        written meanwhile, a title out of numbers), one by one, so only the post concerned
        fails."""
        if not new:
            return
        try:
            with session.begin_nested():
                self._add(session, new)
            created = new
        except (*_REFUSED, DomainError):
            created = []
            for one in new:
                try:
                    with session.begin_nested():
                        self._add(session, [one])
                    created.append(one)
                except IntegrityError:
                    self._fail(one.item, "it conflicts with a post written at the same time")
                except DataError as error:
                    self._fail(one.item, limits.database_refusal(error))
                except DomainError as error:
                    self._fail(one.item, error.detail)
        self.summary.created += len(created)
        for one in created:
            url = one.entry.data.original_url
            if one.source is not None and url is not None:
                self._learn(session, known, one.source, str(url))

    def _add(self, session: Session, new: list[_New]) -> None:
        entries = [one.entry for one in new]
        post_imports.import_posts(session, entries, zone=self.zone, language=self.language)

    def _update(self, session: Session, post_id: int, data: PostCreate, item: ImportedPost) -> None:
        assert item.modified_at is not None  # only a newer item updates a post
        body_html, excerpt = _ahead(item, data)
        try:
            # A savepoint: an update another writer's change refuses (say, its import key
            # taken meanwhile) fails alone, and leaves the post as it was.
            with session.begin_nested():
                post_imports.reimport_post(
                    session,
                    post_id=post_id,
                    data=data,
                    zone=self.zone,
                    import_key=item.import_key,
                    modified_at=item.modified_at,
                    excerpt=excerpt,
                    body_html=body_html,
                    trash=post_imports.trash_columns(
                        data.status, item.trashed_from, item.trashed_at
                    ),
                )
        except DomainError as error:
            self._fail(item, error.detail)
            return
        except _REFUSED as error:
            self._fail(item, limits.database_refusal(error))
            return
        self.summary.updated += 1

    def _learn(self, session: Session, known: KnownSources, source: SourceRef, url: str) -> None:
        host = host_of(url)
        if (
            host is None
            or known.for_host(host) is not None
            or (source.id, host) in self._not_learnt
        ):
            return
        if learn_domain(session, source_id=source.id, url=url):
            known.by_domain[host] = source
        else:
            self._not_learnt.add((source.id, host))


def _ahead(item: ImportedPost, data: PostCreate) -> tuple[str | None, str | None]:
    """The body's HTML as rendered ahead, and the excerpt: the file's, else the one derived
    ahead; each None where it is to be made of the stored body, since validation changed it."""
    # Validation keeps a body as it is or refuses it; this checks that it did.
    if data.body != item.body:
        return None, item.excerpt
    return item.body_html, item.excerpt or item.derived_excerpt

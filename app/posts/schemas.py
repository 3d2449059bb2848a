import datetime as dt
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, NamedTuple, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    model_validator,
)

from app.core.errors import InvalidInput
from app.core.html import TooDeeplyNested, make_excerpt, render_markdown
from app.core.inputs import TextInput
from app.core.pagination import Page
from app.core.text import MAX_ID, CleanText, Line, Moment, Slug, SlugRef
from app.posts.models import BODY_MAX, CREDIT_MAX, TAG_MAX, TAGS_PER_POST_MAX, TITLE_MAX, PostStatus
from app.search.languages import detect_language
from app.search.terms import QUERY_HELP, QueryText
from app.sources.schemas import HttpUrl, Language, SourceMatchPublic, SourceRef

Title = Annotated[Line, StringConstraints(min_length=1, max_length=TITLE_MAX)]
Body = Annotated[CleanText, StringConstraints(max_length=BODY_MAX)]
Credit = Annotated[Line, StringConstraints(max_length=CREDIT_MAX)]
TagName = Annotated[Line, StringConstraints(min_length=1, max_length=TAG_MAX)]
Tags = Annotated[list[TagName], Field(max_length=TAGS_PER_POST_MAX)]
TAGS_WRITE_HELP = (
    "Tag names, as WordPress and Ghost take them: a name whose slug a tag has already gives "
    "the post that tag (with its own spelling of the name), any other makes a new tag. Reads "
    "show each tag as an object, {slug, name}."
)
SourceId = Annotated[int, Field(ge=1, le=MAX_ID)]

PUBLISHED_AT_HELP = (
    "RFC 3339. Without a UTC offset it is read as the site's local time. "
    "Publishing without it uses the current time; publishing with a future time stores the "
    "post as scheduled, and the worker publishes it at that time. Scheduling needs a time; "
    "one already past publishes the post at once."
)
STATUS_HELP = (
    "draft, pending (handed in for review), scheduled or published; authors may write only "
    "draft and pending. published with a future published_at is stored as scheduled. The "
    "trash is reached by DELETE, never by this field."
)


class Rendered(NamedTuple):
    html: str
    excerpt: str


class _PostInput(TextInput):
    """A post's content; preparing it renders its body, when it has one."""

    _rendered: Rendered | None = PrivateAttr(default=None)

    @property
    def rendered(self) -> Rendered | None:
        """The body's HTML and excerpt, once prepared (None without a body)."""
        return self._rendered

    def prepared(self) -> Self:
        cleaned = self.cleaned()
        body: str | None = getattr(cleaned, "body", None)
        if body is None or cleaned._rendered is not None:
            return cleaned
        try:
            body_html = render_markdown(body, strict=True)
        except TooDeeplyNested as error:
            raise InvalidInput(f"body: {error}") from error
        cleaned._rendered = Rendered(body_html, make_excerpt(body, rendered=body_html))
        return cleaned

    def with_excerpt(self, excerpt: str) -> Self:
        """This input, prepared, storing ``excerpt`` (unless empty) rather than the one made
        from its body: a post's excerpt as it was written, brought back."""
        prepared = self.prepared()
        if not excerpt or prepared._rendered is None:
            return prepared
        kept = prepared.model_copy()
        kept._rendered = Rendered(prepared._rendered.html, excerpt)
        return kept


class PostCreate(_PostInput):
    model_config = ConfigDict(extra="forbid")

    title: Title = Field(description="Without the '(Source)' suffix.")
    body: Body = Field("", description="Markdown; bare URLs become links.")
    slug: Slug | None = Field(None, description="Generated from the title when left out.")
    source_id: SourceId | None = Field(
        None, description="The source; when left out, it is recognised (see recognize_source)."
    )
    original_url: HttpUrl | None = Field(None, description="The original article.")
    credit: Credit | None = Field(None, description="E.g. a translation credit.")
    language: Language | None = Field(
        None,
        description="ISO 639 code, e.g. en. When left out, it is detected from the title and "
        "body among the site's search languages (so the post's words are stemmed by that "
        "language's rules), and is the site language when the text is too short to tell. "
        "An edit (PATCH) never detects it again: it changes only when sent.",
    )
    tags: Tags = Field(default_factory=list, description=TAGS_WRITE_HELP)
    status: PostStatus = Field(PostStatus.draft, description=STATUS_HELP)
    published_at: Moment | None = Field(None, description=PUBLISHED_AT_HELP)
    recognize_source: bool = Field(
        True,
        description="Without a source_id, recognise the source as imports do: a known "
        "source that the title's end names ('Title (TASS)', which then loses the suffix), "
        "else the source owning original_url's host. The response's source_match says "
        "which rule matched. false: keep the title as sent, with no source.",
    )

    # The languages preparing detects the post's among when it names none (see detecting).
    _detect_among: tuple[str, ...] = PrivateAttr(default=())

    def detecting(self, languages: Sequence[str]) -> Self:
        """This input, whose preparing detects its language among ``languages`` when it
        names none (the site's search languages); without this its language stays unset,
        and the post gets the site's."""
        copy = self.model_copy()
        copy._detect_among = tuple(languages)
        return copy

    def prepared(self) -> Self:
        """As ``_PostInput.prepared``, with the language detected from the cleaned title and
        body when asked for: CPU work, done here before the write transaction begins. A
        language detection cannot tell is left unset, once (it is not asked again)."""
        among = self._detect_among
        prepared = super().prepared()
        if not among or prepared.language is not None:
            return prepared
        detected = detect_language(f"{prepared.title}\n{prepared.body}", among)
        done = prepared.model_copy(update={"language": detected} if detected else None)
        done._detect_among = ()
        return done


class PostUpdate(_PostInput):
    """Only the fields sent change; null clears an optional field."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    body: Body | None = None
    slug: Slug | None = None
    source_id: SourceId | None = None
    original_url: HttpUrl | None = None
    credit: Credit | None = None
    language: Language | None = Field(
        None,
        description="ISO 639 code. Only what is sent changes it: an edit of the title or "
        "body never detects the language again.",
    )
    tags: Tags | None = Field(
        None, description=TAGS_WRITE_HELP + " Sent, they replace all the post's tags."
    )
    status: PostStatus | None = Field(
        None,
        description=STATUS_HELP + " Setting draft unpublishes a post; an editor sends a "
        "pending post back to its author so.",
    )
    published_at: Moment | None = Field(None, description=PUBLISHED_AT_HELP)


class AuthorRef(BaseModel):
    id: int
    name: str


class TagRef(BaseModel):
    """A tag as a post shows it."""

    slug: str = Field(
        description="The tag's slug: GET /api/v1/tags/{slug} reads the tag, and "
        "/api/v1/posts?tag={slug} lists its posts. It follows the name when the tag is renamed."
    )
    name: str


class PostPublic(BaseModel):
    id: int
    slug: str
    title: str
    status: PostStatus = Field(
        description="As stored: only published posts are public; a scheduled one goes public "
        "at its published_at."
    )
    published_at: datetime | None = Field(description="RFC 3339 with the site's UTC offset.")
    date: dt.date | None = Field(description="The site-local day of published_at.")
    source: SourceRef | None
    original_url: str | None
    credit: str | None
    language: str
    tags: list[TagRef] = Field(
        description="The post's tags, ordered by name as the database sorts them. Writes take "
        "names (see tags of PostCreate)."
    )
    body: str = Field(description="Markdown, as written.")
    body_html: str = Field(description="The body rendered to sanitised HTML.")
    excerpt: str
    likes: int
    author: AuthorRef
    created_at: datetime
    updated_at: datetime


class PostPage(Page[PostPublic]):
    """A page of posts."""

    page: int | None = Field(  # type: ignore[assignment]
        description="The page's number; null on a page reached by cursor."
    )
    next_cursor: str | None = Field(
        description="The next page's cursor: the same request with cursor=this (and without "
        "page) gives the posts after this page, however many are added or removed "
        "meanwhile. Null on the last page."
    )
    total_exact: bool = Field(
        description="false when a list narrowed by q matches more posts than are counted "
        "(10,000, as search counts them): total is then that limit, and the list holds the "
        "newest matches, in its order, so far.",
    )


class PostCreated(PostPublic):
    """A new post, and how its source was recognised."""

    source_match: SourceMatchPublic | None = Field(
        description="The recognition's result (its reason names the rule that matched, or "
        "none); null when source_id was sent or recognize_source was false."
    )


class PostSort(StrEnum):
    newest = "-published_at"
    oldest = "published_at"
    by_title = "title"


class PostFilters(BaseModel):
    source: list[SlugRef] = Field(
        default_factory=list, description="Source slugs; repeat for several."
    )
    tag: SlugRef | None = Field(None, description="A tag's slug.")
    date: dt.date | None = Field(None, description="A site-local day, YYYY-MM-DD.")
    after: Moment | None = Field(None, description="Published after this time.")
    before: Moment | None = Field(None, description="Published before this time.")
    q: QueryText | None = Field(None, description=f"Search: only matching posts. {QUERY_HELP}")
    sort: PostSort = PostSort.newest
    status: list[PostStatus] = Field(
        default_factory=lambda: [PostStatus.published],
        description="Statuses to list; repeat for several (status=draft&status=pending). "
        "Anything but published needs a token: authors see their own such posts, editors "
        "all of them. Trashed posts are listed only when asked for with status=trashed.",
    )


class Likes(BaseModel):
    likes: int = Field(description="The post's like count after this like.")


BULK_MAX = 100
ETAG_MAX = 100
PostId = Annotated[int, Field(ge=1, le=MAX_ID)]


class BulkAction(StrEnum):
    publish = "publish"
    unpublish = "unpublish"
    schedule = "schedule"
    trash = "trash"
    restore = "restore"
    retag = "retag"


class BulkRequest(BaseModel):
    """One action on up to 100 posts, all or nothing."""

    model_config = ConfigDict(extra="forbid")

    action: BulkAction = Field(
        description="publish, unpublish (back to draft) and schedule change the status as "
        "PATCH with status does; trash and restore as DELETE and POST .../restore do; retag "
        "adds add_tags and removes remove_tags."
    )
    ids: Annotated[list[PostId], Field(min_length=1, max_length=BULK_MAX)] = Field(
        description="The posts, each once."
    )
    published_at: Moment | None = Field(
        None, description="schedule only (and required there): " + PUBLISHED_AT_HELP
    )
    add_tags: Tags = Field(
        default_factory=list, description="retag only. Tag names, as a post's tags are written."
    )
    remove_tags: Tags = Field(
        default_factory=list,
        description="retag only. Tag names: the tags with these names' slugs are taken off.",
    )
    if_match: dict[str, Annotated[str, StringConstraints(max_length=ETAG_MAX)]] = Field(
        default_factory=dict,
        max_length=BULK_MAX,
        description="Post id → the ETag it must still have (from a read or a write), as "
        "If-Match is for one post; posts left out are changed whatever their version.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("ids: each post may be named once")
        scheduling = self.action is BulkAction.schedule
        if scheduling != (self.published_at is not None):
            raise ValueError("published_at: required to schedule, and for nothing else")
        retagging = self.action is BulkAction.retag
        if retagging != bool(self.add_tags or self.remove_tags):
            raise ValueError(
                "add_tags, remove_tags: retag needs one of them, nothing else takes them"
            )
        unknown = set(self.if_match) - {str(post_id) for post_id in self.ids}
        if unknown:
            raise ValueError(
                f"if_match: names posts that ids does not: {', '.join(sorted(unknown))}"
            )
        return self


class BulkItem(BaseModel):
    id: int
    status: PostStatus = Field(description="The post's status after the action.")
    etag: str = Field(description="The post's new ETag, for the next If-Match.")


class BulkResult(BaseModel):
    action: BulkAction
    items: list[BulkItem] = Field(description="Every post, in the order of ids.")

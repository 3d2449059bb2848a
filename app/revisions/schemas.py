"""What the revisions endpoints answer."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.events.actor import ActorKind


class RevisionActor(BaseModel):
    kind: ActorKind = Field(
        description="`token` (an API request), `cli` (the command line, an import or a "
        "restore run there), `worker` (background work) or `anonymous`."
    )
    user_id: int | None = Field(description="The user, for a token; it may be gone since.")
    name: str | None = Field(description="The user's name when it wrote the revision.")


class RevisionSummary(BaseModel):
    number: int = Field(description="From 1 (the state the post was created in), per post.")
    created_at: datetime = Field(description="When the change was written (UTC).")
    actor: RevisionActor
    changed: list[str] = Field(
        description="The fields that differ from the revision before (for the first: every "
        "field that has a value)."
    )


class RevisionSnapshot(BaseModel):
    """The post's content in this revision."""

    title: str
    slug: str
    status: str
    published_at: datetime | None = Field(description="UTC.")
    source_id: int | None
    original_url: str | None
    credit: str | None
    language: str
    tags: list[str] = Field(
        description="The tags' names, as writes take them and a restore writes them back (a "
        "tag may have been renamed or merged since; posts show theirs as {slug, name})."
    )
    excerpt: str
    body: str = Field(description="Markdown, as written.")


class FieldChange(BaseModel):
    field: str
    old: Any = Field(description="The value in the revision before (null for the first).")
    new: Any = Field(description="The value in this revision.")


class HunkPublic(BaseModel):
    old_start: int = Field(description="The hunk's first line in the old body, from 1.")
    old_lines: int = Field(description="Lines of the old body the hunk shows.")
    new_start: int = Field(description="The hunk's first line in the new body, from 1.")
    new_lines: int = Field(description="Lines of the new body the hunk shows.")
    lines: list[str] = Field(
        description="The hunk's lines, each its kind's mark and then its text (without the "
        "line feed): ' ' kept, '-' removed, '+' added, as in a unified diff."
    )


class BodyDiff(BaseModel):
    """The body's changes as hunks of lines, ready to render line by line: a unified diff's
    hunks, already split up, so a frontend needs no parser (line[0] is the kind, line[1:] the
    text) and the headers' numbers come as fields."""

    hunks: list[HunkPublic]
    minimal: bool = Field(
        description="false when part of the diff is shown as replaced whole rather than "
        "line by line: the bodies' shape would have made an exact diff too costly."
    )


class RevisionDetail(RevisionSummary):
    previous: int | None = Field(
        description="The number of the revision the differences are from: the one before, "
        "if it is still kept (see PRESSESCHAU_REVISIONS_KEEP); null: from an empty post."
    )
    snapshot: RevisionSnapshot
    changes: list[FieldChange] = Field(
        description="The changed fields but the body, each with its value before and in "
        "this revision."
    )
    body_diff: BodyDiff | None = Field(
        description="The body's line diff from the revision before; null when the body did "
        "not change."
    )

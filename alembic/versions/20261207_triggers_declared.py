"""the triggers that keep derived state made from their declaration (app.derived.triggers)

Revision ID: e3a9c5f1b7d2
Revises: 4c7e9a2b1d63
Created: 2026-12-07 06:00:00+00:00

Until this revision each trigger family lived only as SQL inside the migration that made it
(content_state, published_counts, post_documents). From here on they are declared once in
``app.derived.triggers`` and made from the declaration: this migration makes each family anew
from it, whatever the earlier migrations (or an older release, or a hand) left in its place.

The earlier migrations are kept as they are: they describe the schema as it was at their
revision, and a database migrated by them is brought here by this one. The declarations keep
those triggers' names and behaviour, so going back needs nothing: the migrations before this
one drop what this one made as they would drop their own.

A family declared differently later gets a migration of its own that calls
``replace_family`` with the new fingerprint; the call here, naming the fingerprint the family
had when this was written, then does nothing, so no migration renders SQL for a schema that
does not exist yet at its point in the history.
"""

from collections.abc import Sequence

from alembic import op
from app.derived.live_triggers import replace_family

revision: str = "e3a9c5f1b7d2"
down_revision: str | None = "4c7e9a2b1d63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    replace_family(connection, "content_version", "1a25f9981f222a9a")
    replace_family(connection, "published_counts", "0ff9a480d1329a72")
    replace_family(connection, "post_documents", "2aa61451c6bd91b8")


def downgrade() -> None:
    pass

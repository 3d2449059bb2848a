from sqlalchemy import BigInteger, CheckConstraint, Column, Double, Integer
from sqlmodel import Field, SQLModel

# Every table whose rows show up in a public response. Database triggers (see the migration
# that creates content_state) bump the version whenever one of them changes, whoever writes:
# the API, the command line, an import or SQL typed by hand.
CONTENT_TABLES = ("posts", "post_tags", "tags", "sources", "source_domains", "users")


class ContentState(SQLModel, table=True):
    """A single row: how often public content has changed, and when it last did."""

    __tablename__ = "content_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, sa_column=Column(Integer, primary_key=True, autoincrement=False))
    version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    # Seconds since the epoch, as the database's own clock saw the latest change.
    changed_at: float = Field(default=0.0, sa_column=Column(Double, nullable=False))

"""The tables of derived state that belong to no domain package."""

from sqlalchemy import BigInteger, CheckConstraint, Column, Double, Integer
from sqlmodel import Field, SQLModel


class ContentState(SQLModel, table=True):
    """A single row: how often public content has changed, and when it last did.

    Database triggers keep it (the ``content_version`` family of ``app.derived.triggers``,
    which names the tables it watches): whoever writes, the API, the command line, an import
    or SQL typed by hand, every change to a table shown in public responses bumps it."""

    __tablename__ = "content_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, sa_column=Column(Integer, primary_key=True, autoincrement=False))
    version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    # Seconds since the epoch, as the database's own clock saw the latest change.
    changed_at: float = Field(default=0.0, sa_column=Column(Double, nullable=False))

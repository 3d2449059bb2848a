from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Text
from sqlmodel import Field, SQLModel

from app.core.text import SLUG_MAX_LENGTH
from app.core.types import UTCDateTime, ids_never_reused, utcnow
from app.derived.versions import FIRST_VERSION, version_column

SOURCE_NAME_MAX = 200
DOMAIN_MAX = 253
URL_MAX = 2048
DESCRIPTION_MAX = 5000
LANGUAGE_MAX = 35


_SOURCE_VERSION = version_column()


class Source(SQLModel, table=True):
    __tablename__ = "sources"
    __table_args__ = (ids_never_reused(),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(SLUG_MAX_LENGTH), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(SOURCE_NAME_MAX), nullable=False, unique=True))
    homepage_url: str | None = Field(default=None, sa_column=Column(String(URL_MAX)))
    language: str | None = Field(default=None, sa_column=Column(String(LANGUAGE_MAX)))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # One up with every write of the source or its domains (app.derived.versions); the ORM
    # steps it and guards its updates with it, as a post's.
    version: int = Field(default=FIRST_VERSION, sa_column=_SOURCE_VERSION)

    __mapper_args__ = {"version_id_col": _SOURCE_VERSION}


class SourceDomain(SQLModel, table=True):
    """A host name that identifies a source's links; each host belongs to one source."""

    __tablename__ = "source_domains"

    domain: str = Field(sa_column=Column(String(DOMAIN_MAX), primary_key=True))
    source_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )

"""Secrets a database keeps for itself, made at random once (by its migration, or on first use
if the row went missing), so every process on the database uses the same ones."""

import secrets

from sqlalchemy import Column, String
from sqlmodel import Field, Session, SQLModel, col, select

from app.core.db import Database, insert_ignoring_duplicates

CLIENT_HASH_KEY = "client_hash"
# Signs preview links (``app.previews.links``); never exported, never shown.
PREVIEW_LINK_KEY = "preview_link"


class InstanceKey(SQLModel, table=True):
    __tablename__ = "instance_keys"

    name: str = Field(sa_column=Column(String(40), primary_key=True))
    secret: str = Field(sa_column=Column(String(128), nullable=False))


def new_secret() -> str:
    return secrets.token_bytes(32).hex()


def kept_key(session: Session, *, name: str) -> str | None:
    """The database's secret called ``name``, if it has one."""
    query = select(col(InstanceKey.secret)).where(col(InstanceKey.name) == name)
    return session.exec(query).first()


def stored_key(session: Session, *, name: str) -> str:
    """The database's secret called ``name``; made now if it has none (in a write
    transaction: two processes doing this at once end up with the same one)."""
    query = select(col(InstanceKey.secret)).where(col(InstanceKey.name) == name)
    secret = session.exec(query).first()
    if secret is None:
        insert_ignoring_duplicates(session, InstanceKey, name=name, secret=new_secret())
        secret = session.exec(query).one()
    return secret


class DatabaseKey:
    """One of the database's secrets as this process uses it: ``configured`` when set, else
    the stored one, read on first use and kept (every process on the database reads the same
    one, so what one signs or hashes another checks)."""

    def __init__(self, database: Database, name: str, configured: str = "") -> None:
        self._database = database
        self._name = name
        self._key = configured.encode() if configured else None

    async def value(self) -> bytes:
        if self._key is None:
            # Read first: public reads need the key too (their cursors), and should not wait
            # for the write lock. A write only if the row went missing, to make the key.
            secret = await self._database.read(kept_key, name=self._name)
            if secret is None:
                secret = await self._database.write(stored_key, name=self._name)
            self._key = secret.encode()
        return self._key

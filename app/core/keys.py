"""Secrets a database keeps for itself, made at random once (by its migration, or on first use
if the row went missing), so every process on the database uses the same ones."""

import secrets

from sqlalchemy import Column, String
from sqlmodel import Field, Session, SQLModel, col, select

from app.core.db import insert_ignoring_duplicates

CLIENT_HASH_KEY = "client_hash"


class InstanceKey(SQLModel, table=True):
    __tablename__ = "instance_keys"

    name: str = Field(sa_column=Column(String(40), primary_key=True))
    secret: str = Field(sa_column=Column(String(128), nullable=False))


def new_secret() -> str:
    return secrets.token_bytes(32).hex()


def stored_key(session: Session, *, name: str) -> str:
    """The database's secret called ``name``; made now if it has none (in a write
    transaction: two processes doing this at once end up with the same one)."""
    query = select(col(InstanceKey.secret)).where(col(InstanceKey.name) == name)
    secret = session.exec(query).first()
    if secret is None:
        insert_ignoring_duplicates(session, InstanceKey, name=name, secret=new_secret())
        secret = session.exec(query).one()
    return secret

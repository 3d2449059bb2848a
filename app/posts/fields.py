"""``fields=``: a post read narrowed to some of its top-level fields.

A client that shows a list of titles need not download twenty bodies. ``fields`` names
PostPublic's top-level fields, comma-separated (``fields=id,slug,title``; given more than once,
the lists are joined); the items keep the post's own order of keys, whatever the request's
order, and each value is written as the full read writes it. Unknown names and an empty list
are refused (422) rather than ignored, as unknown parameters are.

Posts are narrowed without being validated again: a stored document (app.posts.documents), as
the direct reads and search serve them, is parsed, its other keys dropped and the rest written
again; a page the framework path made of models is written by pydantic leaving the other keys
out.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel

from app.core.encoding import encode_json
from app.core.errors import InvalidInput
from app.posts.schemas import PostPublic

# The names ``fields`` takes, in the order a post's JSON has them.
POST_FIELDS: tuple[str, ...] = tuple(PostPublic.model_fields)
_KNOWN = frozenset(POST_FIELDS)

FIELDS_HELP = (
    "Narrow each post to these top-level fields, comma-separated (e.g. "
    "id,slug,title,published_at,source); the keys keep the post's own order. Unknown names "
    "or an empty list: 422. The response schema still lists every field: a narrowed post "
    f"has only those asked for. Names: {', '.join(POST_FIELDS)}."
)


@dataclass(frozen=True, slots=True)
class Fields:
    """The fields a request keeps of each post."""

    names: frozenset[str]

    def narrow(self, post: Mapping[str, Any]) -> dict[str, Any]:
        """``post`` (a post's JSON object, parsed) with only these fields, in its order."""
        return {name: value for name, value in post.items() if name in self.names}

    def narrow_json(self, document: bytes) -> bytes:
        """A post's JSON (a stored document) narrowed, as JSON."""
        return encode_json(self.narrow(orjson.loads(document)))

    def narrow_items(self, page: BaseModel) -> Response:
        """The JSON response of ``page`` (a model whose ``items`` are posts) with each item
        narrowed: the bytes the framework would write for it, but for the dropped keys."""
        # Written by pydantic as the framework writes it, leaving the other keys out as it
        # goes: no second parse and write of twenty bodies.
        kept: dict[str, Any] = dict.fromkeys(type(page).model_fields, True)
        kept["items"] = {"__all__": set(self.names)}
        return Response(page.model_dump_json(include=kept), media_type="application/json")

    def narrow_post(self, post: BaseModel) -> Response:
        """The JSON response of one post, narrowed."""
        return Response(
            post.model_dump_json(include=set(self.names)), media_type="application/json"
        )


class UnknownFields(ValueError):
    """``fields`` named nothing, or names a post does not have."""


def parse_fields(values: list[str]) -> Fields:
    """The ``fields`` parameter's values (one per time it was given) as a selection."""
    names = [name.strip() for value in values for name in value.split(",")]
    if not any(names):
        raise UnknownFields(f"fields names no field: give some of {', '.join(POST_FIELDS)}.")
    if not all(names):
        raise UnknownFields("fields has an empty name: two commas in a row, or one at an end.")
    unknown = [name for name in dict.fromkeys(names) if name not in _KNOWN]
    if unknown:
        raise UnknownFields(
            f"A post has no field {', '.join(map(repr, unknown[:20]))}; fields takes "
            f"{', '.join(POST_FIELDS)}."
        )
    return Fields(frozenset(names))


async def fields_asked(
    request: Request,
    fields: Annotated[str | None, Query(description=FIELDS_HELP)] = None,
) -> Fields | None:
    """The request's ``fields``, all of its values (None without it); 422 when invalid."""
    if fields is None:
        return None
    try:
        return parse_fields(request.query_params.getlist("fields"))
    except UnknownFields as exc:
        raise InvalidInput(str(exc)) from exc


FieldsQuery = Annotated[Fields | None, Depends(fields_asked)]

# What a read that takes ``fields`` returns: its model, or narrowed, a Response of its JSON.
# Any rather than the union, which FastAPI cannot make a response model of: each route names
# its own response_model, and one mounted without it serialises whatever it is given.
Narrowable = Any

"""Kinds of response: which of the API's answers a request gets, by its method and URL.

The bare app answers each kind with the bytes the API gave for one URL of that kind, and the
benchmark fetches one representative per kind, so both sides use this one classification.
"""

from urllib.parse import parse_qs

API = "/api/v1"


# The kinds whose gzip representation is recorded too, for the compressed hot scenarios.
GZIPPED = ("list", "post", "day", "feed")
GZIP_SUFFIX = "+gzip"


def coded(kind: str, headers: list[tuple[bytes, bytes]]) -> str:
    """``kind`` as the request asks for it: its gzip representation's kind when the request
    accepts gzip and the kind has one (the scenarios send exactly ``gzip`` or nothing)."""
    if kind in GZIPPED and any(
        name == b"accept-encoding" and b"gzip" in value for name, value in headers
    ):
        return kind + GZIP_SUFFIX
    return kind


def kind_of(method: str, path: str, query: bytes, conditional: bool) -> str | None:
    """list, list_source, list_fields (a list narrowed by fields=), search (a list with q),
    search_api (the search endpoint),
    not_modified, post, day, sources, source, feed, created or edited; None for a URL no scenario
    requests. Only the post list is requested with
    If-None-Match."""
    if not path.startswith(API + "/"):
        return None
    parts = path.removeprefix(API).strip("/").split("/")
    if method == "POST":
        return "created" if parts == ["posts"] else None
    if method == "PATCH":
        return "edited" if len(parts) == 2 and parts[0] == "posts" else None
    if method != "GET":
        return None
    if parts == ["posts"]:
        params = parse_qs(query.decode("latin-1"))
        if conditional:
            return "not_modified"
        if "q" in params:
            return "search"
        if "fields" in params:
            return "list_fields"
        return "list_source" if "source" in params else "list"
    if parts == ["search"]:
        return "search_api"
    if len(parts) == 2 and parts[0] == "posts":
        return "post"
    if len(parts) == 4 and parts[0] == "archives":
        return "day"
    if parts == ["sources"]:
        return "sources"
    if len(parts) == 2 and parts[0] == "feeds":
        return "feed"
    if len(parts) == 2 and parts[0] == "sources":
        return "source"
    return None

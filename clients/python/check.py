"""The five things a frontend does, through the client openapi-python-client generates from
openapi.json (importable as ``presseschau_client``): page through posts by cursor, search,
create a post, edit it with If-Match (and be refused with a stale ETag), read a day archive.
Prints one JSON object for tests/test_client_python.py to check; type-checked with mypy
--strict together with the generated package."""

import json
import sys

from presseschau_client import AuthenticatedClient
from presseschau_client.api.archives import day_archive
from presseschau_client.api.posts import create_post, get_post, list_posts, update_post
from presseschau_client.api.search import search
from presseschau_client.models import (
    DayArchive,
    PostCreate,
    PostCreated,
    PostPage,
    PostPublic,
    PostUpdate,
    PreconditionProblem,
    SearchPage,
)
from presseschau_client.types import UNSET, Unset


def main(base_url: str, token: str) -> None:
    # Public reads declare the token optional, which this generator reads as needed: the
    # editor's client reads too.
    client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)
    listed: list[str] = []
    pages: list[int] = []
    cursor: str | Unset = UNSET
    while True:
        page = list_posts.sync(client=client, per_page=2, cursor=cursor)
        assert isinstance(page, PostPage), page
        listed += [post.title for post in page.items]
        pages.append(len(page.items))
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    found = search.sync(client=client, q="Fundstück")
    assert isinstance(found, SearchPage), found

    created = create_post.sync(client=client, body=PostCreate(title="Hallo"))
    assert isinstance(created, PostCreated), created
    post_id = str(created.id)

    read = get_post.sync_detailed(post_id, client=client)
    etag = read.headers["ETag"]
    edited = update_post.sync(
        post_id, client=client, body=PostUpdate(title="Hallo, Welt"), if_match=etag
    )
    assert isinstance(edited, PostPublic), edited
    stale = update_post.sync_detailed(
        post_id, client=client, body=PostUpdate(title="Zu spät"), if_match=etag
    )
    refused = stale.parsed
    assert isinstance(refused, PreconditionProblem), refused

    day = day_archive.sync(2022, 1, 10, client=client)
    assert isinstance(day, DayArchive), day

    print(
        json.dumps(
            {
                "listed": listed,
                "pages": pages,
                "search": [hit.title for hit in found.items],
                "created": {"title": created.title, "status": str(created.status)},
                "edited": edited.title,
                "stale": {"status": int(stale.status_code), "detail": refused.detail},
                "day": {
                    "label": day.label,
                    "count": day.count,
                    "titles": [post.title for post in day.items],
                },
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

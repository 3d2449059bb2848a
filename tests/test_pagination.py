"""Page links keep every other query parameter a caller sent, as Starlette would."""

import pytest
from starlette.datastructures import URL

from app.core.pagination import page_headers


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=3",
        "per_page=5&page=3&source=tass",
        "source=a&source=b&tag=%C3%B6konomie&q=Stra%C3%9Fe+und+Weg",
        "flag=&page=3&x=%26%3D",
    ],
)
def test_links_equal_starlettes_include_query_params(query: str) -> None:
    url = URL(
        f"https://example.org/api/v1/posts?{query}" if query else "https://example.org/api/v1/posts"
    )
    headers = page_headers(url, total=95, page=3, per_page=10)
    expected = [
        f'<{url.include_query_params(page=number, per_page=10)}>; rel="{rel}"'
        for rel, number in (("first", 1), ("prev", 2), ("next", 4), ("last", 10))
    ]
    assert headers == {"X-Total-Count": "95", "Link": ", ".join(expected)}


def test_an_empty_list_links_to_its_one_page() -> None:
    headers = page_headers(URL("http://h/p?page=2"), total=0, page=2, per_page=20)
    assert headers["Link"] == (
        '<http://h/p?page=1&per_page=20>; rel="first", '
        '<http://h/p?page=1&per_page=20>; rel="prev", '
        '<http://h/p?page=1&per_page=20>; rel="last"'
    )

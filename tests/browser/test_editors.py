"""What editors do in a browser: read a draft through its preview link on the site, and
write a post from Swagger UI with a token."""

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site


def _write(site: Site, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    answer = httpx.request(
        method,
        f"{site.api}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {site.token}"},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()


def test_a_preview_link_shows_the_draft_marked_and_nothing_else_does(
    site: Site, page: Page
) -> None:
    draft = _write(
        site,
        "POST",
        "/posts",
        {
            "title": "Vorschau Leuchtfeuerkonzert",
            "body": "Noch geheim: Xylophonregatta.",
            "status": "draft",
        },
    )
    link = _write(site, "POST", f"/posts/{draft['id']}/preview-link")["url"]
    api_link = urlsplit(link)
    # The API's link names the post and carries the signature; the site serves the same path.
    preview = f"{site.url}/preview/{draft['id']}?{api_link.query}"
    page.goto(preview)
    expect(page.locator("h1.post-title .title")).to_have_text("Vorschau Leuchtfeuerkonzert")
    marker = page.locator(".status-marker")
    expect(marker).to_contain_text("Entwurf")
    expect(marker).to_contain_text("nicht veröffentlicht")
    expect(page.locator("meta[name=robots]")).to_have_attribute("content", "noindex")
    expect(page.locator("button.like-button")).to_have_count(0)
    site.shot(page, "preview")

    # A link whose signature was changed shows nothing of the post.
    forged = preview.replace("signature=", "signature=x")
    answer = page.goto(forged)
    assert answer is not None
    assert answer.status == 403
    expect(page.locator(".preview-refused")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Leuchtfeuerkonzert")
    # Nor does anything else on the site: search, its address, the front page.
    page.goto(f"{site.url}/search?q=Xylophonregatta")
    expect(page.locator(".search-count")).to_have_text("0 Treffer")
    answer = page.goto(f"{site.url}/post/{draft['slug']}/")
    assert answer is not None
    assert answer.status == 404
    page.goto(f"{site.url}/")
    expect(page.locator("body")).not_to_contain_text("Leuchtfeuerkonzert")


def test_swagger_ui_authorises_with_a_token_and_creates_a_post(site: Site, page: Page) -> None:
    page.goto(f"{site.api}/docs")
    page.locator("button.authorize").first.click()
    dialog = page.locator(".modal-ux")
    # The first of the two schemes is the API token's (the second is /metrics' own).
    bearer = dialog.locator(".auth-container").first
    expect(bearer.locator("h4")).to_contain_text("bearer")
    bearer.locator("input").fill(site.token)
    bearer.locator("button.authorize").click()
    expect(bearer.locator("button", has_text="Logout")).to_be_visible()
    dialog.locator("button.close-modal").click()

    operation = page.locator("#operations-posts-create_post")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    body = {
        "title": "Aus Swagger UI: Hafenfest verschoben",
        "body": "Wegen Sturm.",
        "status": "published",
    }
    operation.locator("textarea.body-param__text").fill(json.dumps(body))
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("201")
    site.shot(page, "swagger-create")

    created = json.loads(
        operation.locator(".live-responses-table tbody .microlight").first.inner_text()
    )
    assert created["title"] == body["title"]
    assert created["author"]["name"] == "Redakteurin"
    # Published, so readers see it on the site.
    page.goto(f"{site.url}/")
    expect(page.locator("article.post .post-title .title").first).to_have_text(body["title"])

"""What a reader of the demo blog sees and clicks through, in a real browser."""

import json
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site


def _api(site: Site, path: str, **params: Any) -> Any:
    answer = httpx.get(f"{site.api}/api/v1{path}", params=params, timeout=10)
    answer.raise_for_status()
    return answer.json()


def test_the_day_archive_shows_each_post_as_the_blog_does(site: Site, page: Page) -> None:
    archive = _api(site, "/archives/2026/11/02")
    page.goto(f"{site.url}/2026/11/02/")
    expect(page.locator("h1")).to_have_text("Archive for November 2nd, 2026")
    expect(page.locator(".archive-count")).to_have_text(f"{archive['count']} Beiträge")
    posts = page.locator("article.post")
    # Newest first, as the API orders the day, each under the day's German date line.
    expect(posts.locator(".post-title .title")).to_have_text([p["title"] for p in archive["items"]])
    expect(posts.locator(".date-line")).to_have_text(["2. November 2026"] * archive["count"])
    for index, item in enumerate(archive["items"]):
        post = posts.nth(index)
        if item["source"]:
            source = post.locator(".post-title .source a")
            expect(source).to_have_text(item["source"]["name"])
            expect(source).to_have_attribute("href", f"/source/{item['source']['slug']}/")
        else:
            expect(post.locator(".post-title .source")).to_have_count(0)
        if item["original_url"]:
            expect(post.locator("a.weiterlesen")).to_have_attribute("href", item["original_url"])
        if item["credit"]:
            expect(post.locator(".credit")).to_have_text(item["credit"])
        expect(post.locator(".likes-count")).to_have_text("Noch keinem Blogger gefällt das")
    assert any(item["credit"] for item in archive["items"])  # the day shows a credit
    # The feeds are announced for feed readers, and they answer.
    feeds = page.locator('head link[rel="alternate"]')
    expect(feeds).to_have_count(3)
    for href in feeds.evaluate_all("links => links.map(link => link.href)"):
        assert httpx.get(href, timeout=10).status_code == 200
    site.shot(page, "day-archive")


def test_the_calendar_and_the_day_links_lead_through_the_archive(site: Site, page: Page) -> None:
    month = _api(site, "/archives/2026/11")
    page.goto(f"{site.url}/2026/11/04/")
    calendar = page.locator("table.calendar")
    expect(calendar.locator("caption")).to_have_text("November 2026")
    linked = calendar.locator("tbody a")
    expect(linked).to_have_count(len(month["days"]))
    for day in month["days"]:
        cell = calendar.locator(f'a[data-date="{day["date"]}"] .count')
        expect(cell).to_have_text(str(day["count"]))
    expect(calendar.locator("td.selected a")).to_have_attribute("data-date", "2026-11-04")

    page.locator("a.next-day").click()
    expect(page).to_have_url(f"{site.url}/2026/11/05/")
    expect(page.locator("h1")).to_have_text("Archive for November 5th, 2026")
    page.locator("a.previous-day").click()
    page.locator("a.previous-day").click()  # 3 November has no posts: straight to the 2nd
    expect(page).to_have_url(f"{site.url}/2026/11/02/")

    calendar.locator("tfoot a[rel=prev]").click()
    expect(page).to_have_url(f"{site.url}/2026/10/")
    expect(page.locator("h1")).to_have_text("Archive for Oktober 2026")
    site.shot(page, "month")
    page.locator('table.calendar a[data-date="2026-10-28"]').click()
    expect(page.locator("h1")).to_have_text("Archive for Oktober 28th, 2026")
    expect(page.locator("article.post")).to_have_count(_api(site, "/archives/2026/10/28")["count"])


def test_post_source_and_tag_pages_are_reached_from_the_archive(site: Site, page: Page) -> None:
    page.goto(f"{site.url}/2026/11/04/")
    first = page.locator("article.post").filter(has=page.locator(".source")).first
    title = first.locator(".post-title .title").inner_text()
    source = first.locator(".post-title .source a").inner_text()
    first.locator(".post-title .title").click()
    expect(page.locator("h1.post-title .title")).to_have_text(title)
    expect(page.locator("h1.post-title .source")).to_have_text(f"({source})")
    site.shot(page, "post")

    page.locator("h1.post-title .source a").click()
    expect(page.locator("h1")).to_have_text(source)
    listed = page.locator("article.post")
    expect(listed.first).to_be_visible()
    count = listed.count()
    expect(page.locator(".post-count")).to_have_text(f"{count} Beiträge")
    expect(listed.locator(".post-title .source a")).to_have_text([source] * count)
    site.shot(page, "source")

    tag = listed.first.locator(".tags a").first
    name = tag.inner_text()
    tag.click()
    expect(page.locator("h1")).to_have_text(f"Schlagwort: {name}")
    tagged = page.locator("article.post")
    expect(tagged.first).to_be_visible()
    for index in range(tagged.count()):
        expect(tagged.nth(index).locator(".tags a", has_text=name)).to_have_count(1)
    site.shot(page, "tag")


def test_search_highlights_facets_and_suggestion(site: Site, page: Page) -> None:
    page.goto(f"{site.url}/2026/11/04/")
    page.locator("#search-q").fill("Bahn")
    page.locator("#search-q").press("Enter")
    expect(page.locator("h1")).to_have_text("Suche: Bahn")
    hits = page.locator(".search-hit")
    expect(hits.first).to_be_visible()
    total = _api(site, "/search", q="Bahn")["total"]
    expect(hits).to_have_count(total)
    expect(page.locator(".search-hit mark").first).to_be_visible()
    site.shot(page, "search")

    facet = page.locator(".facet-sources a").first
    name = facet.inner_text()
    facet.click()
    expect(facet).to_have_attribute("aria-pressed", "true")
    narrowed = page.locator(".search-hit .source")
    expect(narrowed.first).to_be_visible()
    expect(narrowed).to_have_text([f"({name})"] * narrowed.count())
    assert narrowed.count() < total

    page.locator("#search-q").fill("Bahnn")
    page.locator("#search-q").press("Enter")
    expect(page.locator(".search-count")).to_have_text("0 Treffer")
    page.locator(".suggestion a").click()
    expect(page.locator("h1")).to_have_text("Suche: Bahn")
    expect(hits).to_have_count(total)


def test_a_like_counts_at_once_and_stays(site: Site, page: Page) -> None:
    page.goto(f"{site.url}/2026/11/05/")
    post = page.locator("article.post").first
    post_id = post.get_attribute("data-post-id")
    expect(post.locator(".likes-count")).to_have_text("Noch keinem Blogger gefällt das")
    post.locator("button.like-button").click()
    expect(post.locator(".likes-count")).to_have_text("Einem Blogger gefällt das")
    expect(post.locator("button.like-button")).to_have_attribute("aria-pressed", "true")
    site.shot(page, "liked")
    assert _api(site, f"/posts/{post_id}")["likes"] == 1
    page.reload()
    expect(page.locator("article.post").first.locator(".likes-count")).to_have_text(
        "Einem Blogger gefällt das"
    )


def test_the_site_asks_again_with_the_etag_and_reuses_its_copy_on_304(
    site: Site, page: Page
) -> None:
    for _ in range(2):
        page.goto(f"{site.url}/2026/10/30/")
        expect(page.locator("h1")).to_have_text("Archive for Oktober 30th, 2026")
    # The API's access log: the second rendering got a 304 for the day, and the page is whole.
    answers = [
        json.loads(line)
        for line in site.api_log.read_text().splitlines()
        if '"/api/v1/archives/2026/10/30"' in line
    ]
    assert [answer["status"] for answer in answers] == [200, 304]
    expect(page.locator("article.post")).to_have_count(_api(site, "/archives/2026/10/30")["count"])

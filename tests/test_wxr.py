"""Reading WordPress exports (WXR): every field a user sees after an import, bad items, bad files."""

import io
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.core.errors import InvalidInput
from app.importers.html_body import body_and_origin
from app.importers.records import ImportedAuthor, ImportedPost, ItemFailure
from app.importers.wxr import read_wxr
from app.posts.models import PostStatus

BLOG = Path(__file__).parent / "data" / "blog.wxr"
BERLIN = ZoneInfo("Europe/Berlin")
WXR_1_2 = "http://wordpress.org/export/1.2/"


def read_all(source: Path | bytes) -> list[ImportedPost | ItemFailure]:
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    with read_wxr(stream, site_zone=BERLIN) as wxr:
        return list(wxr)


def posts_by_id(entries: list[ImportedPost | ItemFailure]) -> dict[str, ImportedPost]:
    return {
        entry.position.rsplit(" ", 1)[-1].rstrip(")"): entry
        for entry in entries
        if isinstance(entry, ImportedPost)
    }


@pytest.fixture(scope="module")
def blog() -> dict[str, ImportedPost]:
    return posts_by_id(read_all(BLOG))


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def item(
    post_id: int = 1,
    *,
    status: str = "publish",
    post_type: str = "post",
    title: str = "Ein Titel",
    content: str = "Ein Absatz.",
    date: str = "2022-07-10 08:15:00",
    date_gmt: str = "2022-07-10 06:15:00",
    password: str = "",
) -> str:
    return f"""<item><title><![CDATA[{title}]]></title>
<dc:creator><![CDATA[anna]]></dc:creator>
<guid isPermaLink="false">https://blog.example/?p={post_id}</guid>
<content:encoded><![CDATA[{content}]]></content:encoded>
<wp:post_id>{post_id}</wp:post_id>
<wp:post_date><![CDATA[{date}]]></wp:post_date>
<wp:post_date_gmt><![CDATA[{date_gmt}]]></wp:post_date_gmt>
<wp:status><![CDATA[{status}]]></wp:status>
<wp:post_type><![CDATA[{post_type}]]></wp:post_type>
<wp:post_password><![CDATA[{password}]]></wp:post_password>
</item>
"""


def export(*items: str, namespace: str = WXR_1_2, version: str = "1.2") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{namespace}">\n'
        f"<channel><title>Test</title><link>https://blog.example/</link>"
        f"<wp:wxr_version>{version}</wp:wxr_version>\n{''.join(items)}</channel></rss>\n"
    ).encode()


# The hand-written export.


def test_posts_come_in_file_order_and_a_bad_item_does_not_stop_the_rest() -> None:
    entries = read_all(BLOG)
    assert [entry.position for entry in entries] == [
        "item 2 (post 412)",
        "item 3 (post 415)",
        "item 4 (post 418)",
        "item 5 (post 420)",
        "item 6 (post 421)",
        "item 7 (post 422)",
        "item 8 (post 423)",
    ]
    failure = entries[3]
    assert isinstance(failure, ItemFailure)
    assert failure.reason == "its wp:post_date_gmt '2022-01-32 11:00:00' is not a date"


def test_attachments_and_pages_are_counted_as_skipped() -> None:
    with read_wxr(BLOG, site_zone=BERLIN) as wxr:
        titles = [entry.title for entry in wxr if isinstance(entry, ImportedPost)]
        assert wxr.skipped == {"an attachment, not a post": 1, "a page, not a post": 1}
        assert wxr.bytes_read == BLOG.stat().st_size
    assert "Impressum" not in titles


def test_a_post_in_the_trash_is_trashed_with_its_former_status_and_time(
    blog: dict[str, ImportedPost],
) -> None:
    post = blog["423"]
    assert post.title == "Doppelt eingestellt (Global Times China)"
    assert (post.status, post.trashed_from) == (PostStatus.trashed, PostStatus.published)
    assert post.trashed_at == utc(2022, 1, 10, 15, 10)
    assert post.published_at == utc(2022, 1, 10, 15, 0)
    assert post.slug == "doppelt-eingestellt"  # without WordPress's "__trashed"


def test_classic_post_with_weiterlesen_link(blog: dict[str, ImportedPost]) -> None:
    post = blog["412"]
    assert post.title == (
        "Führung aus einer Hand: Astana ordnet seine Bahnen neu german-foreign-policy.com"
    )
    assert post.status == PostStatus.published
    assert post.published_at == utc(2022, 1, 10, 7, 15)
    assert post.modified_at == utc(2022, 1, 10, 8, 2, 30)
    assert post.slug == "führung-aus-einer-hand"
    assert post.import_key == "https://blog.example/?p=412"
    assert post.original_url == "https://www.german-foreign-policy.com/news/detail/9001/"
    assert post.credit is None
    assert post.body == (
        "(Eigener Bericht) – Die kasachische Regierung will die Bahnstrecken zum Kaspischen "
        "Meer in einer einzigen Gesellschaft bündeln. Berliner Logistikfirmen hoffen auf "
        "Aufträge &amp; auf einen schnelleren Weg für ihre Container.\n\n"
        "Ob das Vorhaben gelingt, hängt nach Ansicht von Beobachtern\n"
        "vor allem an den Zolltarifen der Nachbarstaaten."
    )
    assert post.categories == ["Kasachstan"]
    assert post.tags == ["Bahn", "Handel & Wandel"]
    assert post.author == ImportedAuthor(login="redaktion", display_name="Redaktion")


def test_block_editor_post_with_link_on_top_and_credit_at_the_end(
    blog: dict[str, ImportedPost],
) -> None:
    post = blog["415"]
    assert post.title == "Güterzüge nach Europa rollen wieder nach Fahrplan (Global Times China)"
    assert post.original_url == "https://www.globaltimes.cn/page/202201/1250001.shtml"
    assert post.credit == "Übersetzung Linke Zeitung"
    assert "wp:" not in post.body
    paragraphs = post.body.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith('<p class="has-drop-cap">Nach zwei Wochen Stillstand')
    assert "<strong>Xi'an</strong>" in paragraphs[0]
    assert paragraphs[1].startswith('<figure class="wp-block-image size-large"><img ')
    assert "<figcaption>(Foto: Xinhua)</figcaption>" in paragraphs[1]
    assert paragraphs[2] == "<p>Die Umschlagplätze in Khorgos melden wieder volle Gleise.</p>"
    # Late on 9 January in UTC, 10 January on the site.
    assert post.published_at == utc(2022, 1, 9, 23, 30)
    assert post.categories == ["Global Times China", "Kasachstan"]
    assert post.tags == ["Seidenstraße"]  # the post format is no tag
    assert post.author == ImportedAuthor(login="juergen", display_name="Jürgen Çelik")


def test_undated_draft_keeps_no_publication_date(blog: dict[str, ImportedPost]) -> None:
    post = blog["418"]
    assert post.status == PostStatus.draft
    assert post.published_at is None
    assert post.created_at == utc(2022, 1, 10, 8, 45)  # 09:45 in Berlin
    assert post.slug is None
    assert post.import_key == "https://blog.example/?p=418"  # its GUID is empty


def test_scheduled_post_is_scheduled_with_its_future_date(blog: dict[str, ImportedPost]) -> None:
    post = blog["421"]
    assert post.status == PostStatus.scheduled
    assert post.published_at == utc(2030, 2, 1, 6, 0)
    assert post.original_url == "https://tass.ru/politika/1234567?utm_source=blog&ref=1"
    assert post.body == "<p>Die Wahlkommission hat den Termin bestätigt.</p>"


def test_private_post_becomes_a_draft(blog: dict[str, ImportedPost]) -> None:
    post = blog["422"]
    assert post.status == PostStatus.draft
    assert post.body == "<ul>\n<li>Kazinform</li>\n<li>Gazeta.uz</li>\n</ul>"
    assert post.author == ImportedAuthor(login="ehemalig")  # no wp:author entry for them


# Statuses, dates and versions.


@pytest.mark.parametrize(
    ("status", "password", "expected"),
    [
        ("publish", "", PostStatus.published),
        ("pending", "", PostStatus.pending),
        ("draft", "", PostStatus.draft),
        ("future", "", PostStatus.scheduled),
        ("private", "", PostStatus.draft),
        ("publish", "geheim", PostStatus.draft),
        ("trash", "", PostStatus.trashed),
    ],
)
def test_status(status: str, password: str, expected: PostStatus) -> None:
    (post,) = read_all(export(item(status=status, password=password)))
    assert isinstance(post, ImportedPost)
    assert post.status == expected


def test_a_trashed_post_without_its_former_status_goes_back_to_a_draft() -> None:
    (post,) = read_all(export(item(status="trash")))
    assert isinstance(post, ImportedPost)
    assert (post.status, post.trashed_from, post.trashed_at) == (
        PostStatus.trashed, PostStatus.draft, None,
    )  # fmt: skip


def test_automatic_drafts_and_menu_entries_are_skipped() -> None:
    data = export(item(1, status="auto-draft"), item(2, post_type="nav_menu_item"), item(3))
    with read_wxr(io.BytesIO(data), site_zone=BERLIN) as wxr:
        assert [entry.position for entry in wxr] == ["item 3 (post 3)"]
        assert wxr.skipped == {"an automatic draft": 1, "a menu entry, not a post": 1}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"status": "archived"}, "its status 'archived' is unknown: publish, future, draft, "
         "pending, private and trash are imported"),
        ({"title": "", "content": "<!-- wp:paragraph --><!-- /wp:paragraph -->"},
         "it has neither a title nor a text"),
        ({"date": "0000-00-00 00:00:00", "date_gmt": "0000-00-00 00:00:00"},
         "a publish post needs a date, and wp:post_date is empty"),
        ({"date_gmt": "gestern"}, "its wp:post_date_gmt 'gestern' is not a date"),
        ({"date": "0001-01-01 00:30:00", "date_gmt": "0000-00-00 00:00:00"},
         "its wp:post_date '0001-01-01 00:30:00' is not a date"),
        ({"post_type": ""}, "it has no wp:post_type, so it is no item of a WordPress export"),
    ],
)  # fmt: skip
def test_bad_items_are_reported_with_position_and_reason(
    changes: dict[str, str], reason: str
) -> None:
    entries = read_all(export(item(7, **changes), item(8)))
    assert entries[0] == ItemFailure(position="item 1 (post 7)", reason=reason)
    assert isinstance(entries[1], ImportedPost)


def test_published_post_without_gmt_date_is_read_in_the_site_zone() -> None:
    (post,) = read_all(export(item(date="2022-07-10 08:15:00", date_gmt="0000-00-00 00:00:00")))
    assert isinstance(post, ImportedPost)
    assert post.published_at == utc(2022, 7, 10, 6, 15)  # summer time: UTC+2


@pytest.mark.parametrize("version", ["1.1", "1.0"])
def test_older_wxr_versions_are_read(version: str) -> None:
    data = export(item(5), namespace=f"http://wordpress.org/export/{version}/", version=version)
    (post,) = read_all(data)
    assert isinstance(post, ImportedPost)
    assert post.published_at == utc(2022, 7, 10, 6, 15)


def test_control_characters_in_a_post_do_not_end_the_import() -> None:
    (post,) = read_all(export(item(content="Ein\x0b Absatz\x02.")))
    assert isinstance(post, ImportedPost)
    assert post.body == "Ein Absatz."


# Broken files.


def test_truncated_file_yields_the_items_before_the_break_then_fails() -> None:
    data = export(item(1), item(2), item(3))
    cut = data[: data.rindex(b"<item>") + 40]  # inside the third item's title
    entries: list[ImportedPost | ItemFailure] = []
    with pytest.raises(InvalidInput) as raised:
        entries.extend(read_wxr(io.BytesIO(cut), site_zone=BERLIN))
    assert [entry.position for entry in entries] == ["item 1 (post 1)", "item 2 (post 2)"]
    last_line = cut.count(b"\n") + 1
    assert f"line {last_line}, column" in raised.value.detail
    assert "not well-formed XML" in raised.value.detail


def test_mismatched_tag_names_its_line() -> None:
    data = export(item(1), item(2).replace("</title>", "</titel>"), item(3))
    line = data.decode()[: data.decode().index("</titel>")].count("\n") + 1
    entries: list[ImportedPost | ItemFailure] = []
    with pytest.raises(InvalidInput, match=f"line {line}, column .*mismatched tag"):
        entries.extend(read_wxr(io.BytesIO(data), site_zone=BERLIN))
    assert [entry.position for entry in entries] == ["item 1 (post 1)"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>Nein</body></html>", "its root element is <html>"),
        (b"<rss><channel><item><title>x</title></item></channel></rss>", "no wp:wxr_version"),
        (b"<rss/>", "no wp:wxr_version"),
        (b"", "line 1, column 0"),
    ],
)
def test_a_file_that_is_no_export_is_rejected(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        read_all(data)


# The body and its origin.


@pytest.mark.parametrize(
    ("content", "body", "url"),
    [
        # A lone URL at the bottom, classic editor.
        ("Text.\n\nhttps://tass.ru/a/1", "Text.", "https://tass.ru/a/1"),
        # A "Weiterlesen" link, its label not a URL.
        ('<p>Text.</p><p><a href="https://tass.ru/a/2">Weiterlesen …</a></p>',
         "<p>Text.</p>", "https://tass.ru/a/2"),
        # A shortened label stands for the whole address.
        ('<p><a href="https://tass.ru/a/3?x=1">https://tass.ru/a/…</a></p>\n<p>Text.</p>',
         "<p>Text.</p>", "https://tass.ru/a/3?x=1"),
        ('<p><a href="https://tass.ru/a/3">www.tass.ru/a/3</a></p>\n<p>Text.</p>',
         "<p>Text.</p>", "https://tass.ru/a/3"),
        # A link labelled with words is no origin line.
        ('<p>Text.</p>\n<p><a href="https://tass.ru/a/5">Die Quelle</a></p>',
         '<p>Text.</p>\n\n<p><a href="https://tass.ru/a/5">Die Quelle</a></p>', None),
        # An embedded video at the end is content, not the origin.
        ('<!-- wp:embed {"url":"https://www.youtube.com/watch?v=x"} -->\n'
         '<figure class="wp-block-embed"><div>\nhttps://www.youtube.com/watch?v=x\n</div></figure>\n'
         "<!-- /wp:embed -->",
         '<figure class="wp-block-embed"><div>\nhttps://www.youtube.com/watch?v=x\n</div></figure>',
         None),
        # Self-closing blocks and the "more" marker leave nothing behind.
        ("<p>Vorne.</p>\n<!--more-->\n<!-- wp:separator /-->\n<p>Hinten.</p>",
         "<p>Vorne.</p>\n\n<p>Hinten.</p>", None),
        # A link inside a sentence stays where it is.
        ('Siehe <a href="https://tass.ru/a/4">https://tass.ru/a/4</a> dazu.',
         'Siehe <a href="https://tass.ru/a/4">https://tass.ru/a/4</a> dazu.', None),
    ],
)  # fmt: skip
def test_body_and_origin(content: str, body: str, url: str | None) -> None:
    assert body_and_origin(content)[:2] == (body, url)


# Size.


def big_export(path: Path, items: int) -> None:
    paragraph = "Ein Absatz über Güterzüge, Häfen und Zölle in Zentralasien. " * 16
    content = (
        '<!-- wp:paragraph --><p><a href="https://tass.ru/a/{n}">https://tass.ru/a/{n}</a></p>'
        f"<!-- /wp:paragraph -->\n\n<p>{paragraph}</p>"
    )
    with path.open("wb") as file:
        head, tail = export("@").split(b"@")
        file.write(head)
        for number in range(1, items + 1):
            file.write(item(number, content=content.format(n=number)).encode())
        file.write(tail)


def test_a_large_export_is_read_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.wxr"
    big_export(path, 20_000)
    size = path.stat().st_size
    assert size > 30_000_000
    read = 0
    last_url: str | None = None
    progress: list[int] = []
    tracemalloc.start()
    try:
        with read_wxr(path, site_zone=BERLIN) as wxr:
            for entry in wxr:
                assert isinstance(entry, ImportedPost)
                read += 1
                last_url = entry.original_url
                if read % 5_000 == 0:
                    progress.append(wxr.bytes_read)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read == 20_000
    assert last_url == "https://tass.ru/a/20000"
    # Progress grows with the items read, not all at once.
    assert progress[0] < size / 3
    assert peak < 2_000_000, f"peak {peak} bytes for a file of {size}"

"""A post's language, detected when none is given: on the API's create, on imports (a
WordPress export, a day-archive page), and never again on an edit."""

import asyncio
import io
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from py3langid.langid import MODEL_FILE, LanguageIdentifier
from pydantic import ValidationError
from sqlalchemy import text

from app.core.config import Settings
from app.core.db import Database
from app.importers import files
from app.importers.archive_page import parse_archive_text
from app.search import languages
from app.search.languages import STEMMERS, SUPPORTED, detect_language
from tests.conftest import SEED_DIR, empty_all_tables
from tests.factories import BERLIN, make_account
from tests.test_transfer import export_bytes, restore_bytes
from tests.test_wxr import export
from tests.write_lock import write_lock_free

SEARCH = ("de", "en", "fr", "es", "it", "ru")

# Texts written for these tests.
ENGLISH_TITLE = "Farmers block the motorways in a dispute over diesel subsidies"
ENGLISH_BODY = (
    "Thousands of tractors stood still on the roads around the capital on Monday. The "
    "farmers say the government broke its promise to keep the price of fuel stable, and "
    "they will not leave before the minister meets them."
)
GERMAN_TITLE = "Bauern blockieren die Autobahnen im Streit um Dieselsubventionen"
GERMAN_BODY = (
    "Tausende Traktoren standen am Montag auf den Straßen rund um die Hauptstadt still. Die "
    "Bauern sagen, die Regierung habe ihr Versprechen gebrochen, den Preis für Treibstoff "
    "stabil zu halten, und sie würden erst gehen, wenn der Minister sie empfängt."
)


# The detector itself.


def test_english_and_german_texts_are_told_apart() -> None:
    assert detect_language(f"{ENGLISH_TITLE}\n{ENGLISH_BODY}", SEARCH) == "en"
    assert detect_language(f"{GERMAN_TITLE}\n{GERMAN_BODY}", SEARCH) == "de"
    assert detect_language("Die Regierung hat heute neue Regeln beschlossen", SEARCH) == "de"
    assert detect_language("The government agreed on new rules today", SEARCH) == "en"


@pytest.mark.parametrize(
    "short",
    [
        "Oil prices",  # two words: the model says French
        "Ölpreise",
        "10. Januar 2022",
        "https://www.example.org/news/2022/01/10/oil-prices-rise-again",
        "",
        "   \n ",
    ],
)
def test_a_text_too_short_to_tell_has_no_language(short: str) -> None:
    assert detect_language(short, SEARCH) is None


def test_only_the_allowed_languages_are_answered() -> None:
    spanish = "El gobierno aprobó hoy un nuevo presupuesto para las escuelas públicas del país"
    assert detect_language(spanish, SEARCH) == "es"
    assert detect_language(spanish, ("de", "en")) != "es"
    assert detect_language(spanish, ("es",)) == "es"
    assert detect_language(f"{GERMAN_TITLE}\n{GERMAN_BODY}", ()) is None


def test_detection_reads_only_the_start_of_a_long_text() -> None:
    # A German start (500 characters), then pages of English: the start decides, and it is
    # all that is read.
    german_start = " ".join([GERMAN_BODY] * 2)
    assert detect_language(german_start + " " + ENGLISH_BODY * 200, SEARCH) == "de"


@pytest.mark.parametrize(
    "hostile",
    [
        "ä" * 200_000,
        "a " * 100_000,
        "Wort " * 40_000,
        ("https://example.org/" + "x" * 60 + " ") * 2_500,
        "\u0301" * 200_000,
        "Kasachstan und die Energiewende, " * 6_000,
    ],
    ids=["one-letter", "one-letter-words", "one-word", "addresses", "marks", "phrase"],
)
def test_a_hostile_body_costs_little(hostile: str) -> None:
    detect_language("warm up the model once", SEARCH)  # loading is not the cost measured
    assert len(hostile) >= 190_000
    started = time.thread_time()
    for _ in range(10):
        detect_language(hostile, SEARCH)
    # Each is well under a millisecond; the bound only catches a text read whole.
    assert (time.thread_time() - started) / 10 < 0.05


def test_the_model_is_loaded_once_by_threads_detecting_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(languages, "_base", None)
    monkeypatch.setattr(languages, "_restricted", {})
    loads: list[int] = []
    load_base = languages._load_base

    def counted() -> Any:
        loads.append(1)
        return load_base()

    monkeypatch.setattr(languages, "_load_base", counted)
    start = threading.Barrier(8)
    found: list[str | None] = []

    def detect() -> None:
        start.wait()
        found.append(detect_language(ENGLISH_BODY, SEARCH))

    threads = [threading.Thread(target=detect) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == ["en"] * 8
    assert len(loads) == 1


def test_the_supported_languages_are_those_stemmed_and_detected() -> None:
    labels = set(LanguageIdentifier.from_model_file(MODEL_FILE).labels)
    assert set(SUPPORTED) == set(STEMMERS) & labels
    assert "yi" in STEMMERS
    assert "yi" not in SUPPORTED


def test_search_languages_the_detector_cannot_tell_are_refused() -> None:
    with pytest.raises(ValidationError, match="search languages must be some of") as refused:
        Settings(search_languages="de,xx")
    assert "unknown: xx" in str(refused.value)
    with pytest.raises(ValidationError, match="unknown: yi"):
        Settings(search_languages="de,yi")
    assert Settings(search_languages=" DE, en ").search_languages == ["de", "en"]


# The API.


@pytest.fixture
def detections(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, bool]]:
    """For each detection, wherever it runs: whether the write lock was free, and whether
    it ran off the event loop."""
    seen: list[tuple[bool, bool]] = []

    def recording(text: str, allowed: Sequence[str]) -> str | None:
        try:
            asyncio.get_running_loop()
            off_loop = False
        except RuntimeError:
            off_loop = True
        seen.append((write_lock_free(db), off_loop))
        return detect_language(text, allowed)

    for module in ("app.posts.schemas", "app.importers.ahead"):
        monkeypatch.setattr(f"{module}.detect_language", recording)
    return seen


def _create(app: FastAPI, client: TestClient, headers: dict[str, str], **fields: Any) -> Any:
    body = {"status": "published", **fields}
    response = client.post(app.url_path_for("create_post"), headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _stored_language(db: Database, post_id: int) -> str:
    with db.engine.connect() as connection:
        found = connection.scalar(
            text("SELECT language FROM posts WHERE id = :id"), {"id": post_id}
        )
    return str(found)


def test_a_post_created_without_a_language_gets_its_texts(
    app: FastAPI, client: TestClient, db: Database, detections: list[tuple[bool, bool]]
) -> None:
    editor = make_account(db)
    english = _create(app, client, editor.headers, title=ENGLISH_TITLE, body=ENGLISH_BODY)
    german = _create(app, client, editor.headers, title=GERMAN_TITLE, body=GERMAN_BODY)
    # The title alone is enough when it is a sentence.
    titled = _create(app, client, editor.headers, title="Why the port workers went on strike")
    assert (english["language"], german["language"], titled["language"]) == ("en", "de", "en")
    assert _stored_language(db, english["id"]) == "en"
    fetched = client.get(app.url_path_for("get_post", id_or_slug=english["slug"]))
    assert fetched.json()["language"] == "en"
    # Each ran on a worker thread, before the write transaction began.
    assert detections == [(True, True)] * 3


def test_a_short_title_gets_the_site_language_and_a_given_one_wins(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    short = _create(app, client, editor.headers, title="Oil prices")
    assert short["language"] == "de"  # the site's: two words tell nothing
    given = _create(
        app, client, editor.headers, title=GERMAN_TITLE, body=GERMAN_BODY, language="en"
    )
    assert given["language"] == "en"
    assert _stored_language(db, given["id"]) == "en"


def test_an_edit_does_not_detect_the_language_again(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    post = _create(app, client, editor.headers, title=GERMAN_TITLE, body=GERMAN_BODY)
    assert post["language"] == "de"
    path = app.url_path_for("update_post", id_or_slug=str(post["id"]))
    edited = client.patch(
        path, headers=editor.headers, json={"title": ENGLISH_TITLE, "body": ENGLISH_BODY}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["language"] == "de"
    changed = client.patch(path, headers=editor.headers, json={"language": "en"})
    assert changed.json()["language"] == "en"


def test_the_api_documents_when_the_language_is_detected(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    assert "detected" in schemas["PostCreate"]["properties"]["language"]["description"]
    assert "never detects" in schemas["PostUpdate"]["properties"]["language"]["description"]


def test_a_restore_keeps_each_posts_stored_language(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    given = _create(app, client, editor.headers, title=ENGLISH_TITLE, language="it")
    detected = _create(app, client, editor.headers, title=GERMAN_TITLE, body=ENGLISH_BODY)
    assert detected["language"] == "en"
    document = export_bytes(db)
    empty_all_tables(db)
    restore_bytes(db, document)
    assert _stored_language(db, given["id"]) == "it"
    assert _stored_language(db, detected["id"]) == "en"


# Imports.


def _item(number: int, title: str, body: str) -> str:
    return f"""<item><title>{title}</title>
<guid isPermaLink="false">https://blog.example/?p={number}</guid>
<content:encoded><![CDATA[<p>{body}</p>]]></content:encoded>
<wp:post_id>{number}</wp:post_id>
<wp:post_date_gmt>2022-01-10 08:00:00</wp:post_date_gmt>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
</item>
"""


def _languages_by_title(db: Database) -> dict[str, str]:
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT title, language FROM posts")).all()
    return {row.title: row.language for row in rows}


EXPORT = export(
    _item(1, ENGLISH_TITLE, ENGLISH_BODY),
    _item(2, GERMAN_TITLE, GERMAN_BODY),
    _item(3, "Oil prices", ""),
)


@pytest.mark.parametrize("read_ahead", [False, True], ids=["in-process", "read-ahead"])
def test_a_wordpress_export_detects_each_posts_language(
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    detections: list[tuple[bool, bool]],
    read_ahead: bool,
) -> None:
    path = tmp_path / "export.wxr"
    path.write_bytes(EXPORT)
    monkeypatch.setattr(files, "READ_AHEAD_BYTES", 0 if read_ahead else len(EXPORT) + 1)
    summary = files.import_wxr(db, path, zone=BERLIN, language="de", languages=SEARCH)
    assert summary.created == 3
    assert _languages_by_title(db) == {ENGLISH_TITLE: "en", GERMAN_TITLE: "de", "Oil prices": "de"}
    if not read_ahead:  # (the reader process's own detections are not seen from here)
        assert detections == [(True, True)] * 3


def test_a_site_in_another_language_falls_back_to_its_own(db: Database) -> None:
    summary = files.import_wxr(
        db, io.BytesIO(EXPORT), zone=BERLIN, language="fr", languages=("de", "en", "fr")
    )
    assert summary.created == 3
    assert _languages_by_title(db)["Oil prices"] == "fr"


def test_an_import_again_keeps_a_posts_language(db: Database) -> None:
    files.import_wxr(db, io.BytesIO(EXPORT), zone=BERLIN, language="de", languages=SEARCH)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE posts SET language = 'it' WHERE title = 'Oil prices'"))
    newer = _item(3, "Oil prices", "").replace(
        "<wp:status>", "<wp:post_modified_gmt>2022-02-01 08:00:00</wp:post_modified_gmt>\n"
        "<wp:status>",
    )  # fmt: skip
    assert files.import_wxr(db, io.BytesIO(export(newer)), zone=BERLIN, language="de").updated
    assert _languages_by_title(db)["Oil prices"] == "it"


PAGE = f"""10. Januar 2022

{ENGLISH_TITLE} (Farm Weekly)

{ENGLISH_BODY}

10. Januar 2022

{GERMAN_TITLE}

{GERMAN_BODY}
"""


def test_a_day_archive_page_detects_each_posts_language(
    db: Database, detections: list[tuple[bool, bool]]
) -> None:
    summary = files.import_archive_page(db, PAGE, zone=BERLIN, language="de", languages=SEARCH)
    assert summary.created == 2
    languages = _languages_by_title(db)
    assert languages[ENGLISH_TITLE] == "en"
    assert languages[GERMAN_TITLE] == "de"
    assert detections == [(True, True)] * 2


DUTCH_TITLE = "Boeren blokkeren de snelwegen in een ruzie over dieselsubsidies"
DUTCH_PAGE = f"""10. Januar 2022

{DUTCH_TITLE}

Duizenden trekkers stonden maandag stil op de wegen rond de hoofdstad. De boeren zeggen dat
de regering haar belofte heeft gebroken om de prijs van brandstof stabiel te houden.
"""


def test_the_command_line_detects_among_the_configured_languages(
    db: Database,
    database_url: str,
    command_line: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = tmp_path / "dag.txt"
    page.write_text(DUTCH_PAGE, encoding="utf-8")
    # Dutch is no default search language: the site has to name it.
    monkeypatch.setenv("PRESSESCHAU_SEARCH_LANGUAGES", "de,nl")
    result = command_line(database_url, "import", "archive", str(page))
    assert result.exit_code == 0, result.output
    assert _languages_by_title(db) == {DUTCH_TITLE: "nl"}


SEED = SEED_DIR / "000_274c5883fd8f2946.txt"


def test_the_real_day_archive_has_its_english_posts_marked_english(db: Database) -> None:
    if not SEED.exists():
        pytest.skip(f"the real day archive is not here ({SEED.name} under ../shared/seeds)")
    text_ = SEED.read_text(encoding="utf-8")
    assert len(parse_archive_text(text_).entries) == 11
    summary = files.import_archive_page(db, text_, zone=BERLIN, language="de", languages=SEARCH)
    assert (summary.created, summary.failed) == (11, 0)
    languages = _languages_by_title(db)
    english = sorted(title for title, language in languages.items() if language == "en")
    assert [title[:20] for title in english] == ["China’s Tianjin figh", "Talk World Radio: Ro"]
    assert set(languages.values()) == {"de", "en"}

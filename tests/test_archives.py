from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.db import Database
from tests.factories import make_account, make_post, make_source


def _day(app: FastAPI, year: int, month: int, day: int) -> str:
    return app.url_path_for("day_archive", year=str(year), month=str(month), day=str(day))


def test_days_are_local_days_across_midnight_and_daylight_saving(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    # 23:30 UTC on 9 January is 00:30 in Berlin on the 10th.
    late = make_post(db, editor, published_at="2022-01-09T23:30:00Z")
    early = make_post(db, editor, published_at="2022-01-09T22:59:00Z")
    # 27 March 2022 has 23 hours in Berlin: 22:30 UTC is 00:30 on the 28th (summer time).
    summer = make_post(db, editor, published_at="2022-03-27T22:30:00Z")
    # 30 October 2022 has 25 hours: 22:30 UTC is 23:30 on the 30th (winter time again).
    autumn = make_post(db, editor, published_at="2022-10-30T22:30:00Z")
    assert client.get(_day(app, 2022, 1, 10)).json()["items"][0]["id"] == late.id
    assert client.get(_day(app, 2022, 1, 9)).json()["items"][0]["id"] == early.id
    assert client.get(_day(app, 2022, 3, 28)).json()["items"][0]["id"] == summer.id
    assert client.get(_day(app, 2022, 10, 30)).json()["items"][0]["id"] == autumn.id


def test_day_archive_lists_newest_first_with_neighbours(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    make_post(db, editor, published_at="2022-01-08T10:00:00Z")
    first = make_post(db, editor, published_at="2022-01-10T08:00:00Z")
    second = make_post(db, editor, published_at="2022-01-10T09:00:00Z")
    make_post(db, editor, published_at="2022-01-10T10:00:00Z", status="draft")
    make_post(db, editor, published_at="2022-01-15T10:00:00Z")
    make_post(db, editor, published_at="2022-01-15T11:00:00Z")
    response = client.get(_day(app, 2022, 1, 10))
    assert response.status_code == 200
    archive = response.json()
    assert archive["date"] == "2022-01-10"
    assert archive["label"] == "10. Januar 2022"
    assert archive["count"] == 2
    assert [post["id"] for post in archive["items"]] == [second.id, first.id]
    assert archive["previous"] == {"date": "2022-01-08", "count": 1}
    assert archive["next"] == {"date": "2022-01-15", "count": 2}
    assert response.headers["x-total-count"] == "2"
    paged = client.get(_day(app, 2022, 1, 10), params={"per_page": 1, "page": 2}).json()
    assert [post["id"] for post in paged["items"]] == [first.id]
    assert paged["count"] == 2


def test_a_day_without_posts_is_empty_and_an_impossible_day_is_422(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    editor = make_account(db)
    make_post(db, editor, published_at="2022-01-10T08:00:00Z")
    empty = client.get(_day(app, 2022, 1, 12))
    assert empty.status_code == 200
    assert empty.json()["count"] == 0
    assert empty.json()["items"] == []
    assert empty.json()["previous"] == {"date": "2022-01-10", "count": 1}
    assert empty.json()["next"] is None
    for year, month, day in ((2022, 2, 30), (2022, 13, 1), (2021, 2, 29)):
        impossible = client.get(_day(app, year, month, day))
        assert impossible.status_code == 422
        assert impossible.headers["content-type"] == "application/problem+json"
    assert "2022-02-30" in client.get(_day(app, 2022, 2, 30)).json()["detail"]


def test_month_archive_and_index(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    make_post(db, editor, published_at="2021-12-24T10:00:00Z")
    make_post(db, editor, published_at="2022-01-10T08:00:00Z")
    make_post(db, editor, published_at="2022-01-10T09:00:00Z")
    make_post(db, editor, published_at="2022-01-31T23:30:00Z")  # 1 February in Berlin
    make_post(db, editor, published_at="2022-03-01T09:00:00Z", status="draft")
    month = client.get(app.url_path_for("month_archive", year="2022", month="1")).json()
    assert month["label"] == "Januar 2022"
    assert month["count"] == 2
    assert month["days"] == [{"date": "2022-01-10", "count": 2}]
    assert month["previous"] == {"year": 2021, "month": 12, "label": "Dezember 2021", "count": 1}
    assert month["next"] == {"year": 2022, "month": 2, "label": "Februar 2022", "count": 1}
    index = client.get(app.url_path_for("archive_index")).json()
    assert index == {
        "years": [
            {"year": 2022, "count": 3, "months": [
                {"year": 2022, "month": 2, "label": "Februar 2022", "count": 1},
                {"year": 2022, "month": 1, "label": "Januar 2022", "count": 2}]},
            {"year": 2021, "count": 1, "months": [
                {"year": 2021, "month": 12, "label": "Dezember 2021", "count": 1}]},
        ]
    }  # fmt: skip


def test_archives_narrow_to_one_source(app: FastAPI, client: TestClient, db: Database) -> None:
    editor = make_account(db)
    tass = make_source(db, name="TASS")
    mine = make_post(db, editor, source_id=tass.id, published_at="2022-01-10T08:00:00Z")
    make_post(db, editor, published_at="2022-01-10T09:00:00Z")
    make_post(db, editor, published_at="2022-01-11T09:00:00Z")
    day = client.get(_day(app, 2022, 1, 10), params={"source": "tass"}).json()
    assert [post["id"] for post in day["items"]] == [mine.id]
    assert day["next"] is None
    month = client.get(
        app.url_path_for("month_archive", year="2022", month="1"), params={"source": "tass"}
    ).json()
    assert month["count"] == 1
    index = client.get(app.url_path_for("archive_index"), params={"source": "tass"}).json()
    assert index["years"][0]["count"] == 1

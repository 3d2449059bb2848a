"""What a revision costs on disk, on SQLite: bytes per revision for posts of a few lengths.

    .venv/bin/python -m bench.revision_storage [--edits 200]

For each length, a post is written from the demo content's texts (German prose, as the site
publishes it) and edited ``--edits`` times through the API, each edit appending a line, so
each keeps a full snapshot. SQLite's ``dbstat`` then gives the pages the revisions table and
its indexes took (compression, index and page overhead included), divided by the revisions
made. Writes bench/results/revision-storage-<date>.json.
"""

import argparse
import tempfile
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.core.config import Settings
from app.core.db import Database
from app.core.migrations import upgrade
from app.demo.content import POSTS
from app.derived.root import open_database
from app.main import create_app
from bench import results
from tests.factories import make_account

# A short report, and a long article.
LENGTHS = (1_500, 23_500)
_PAGES = text(
    "SELECT coalesce(sum(pgsize), 0) FROM dbstat "
    "WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'post_revisions')"
)
_COUNT = text("SELECT count(*) FROM post_revisions")


def _prose(length: int) -> str:
    """The demo posts' bodies, one after another, to ``length`` characters."""
    bodies = [post.body for post in POSTS if post.body]
    written = ""
    while len(written) < length:
        written += "\n\n".join(bodies) + "\n\n"
    return written[:length]


def _usage(database: Database) -> tuple[int, int]:
    with database.engine.connect() as connection:
        return int(connection.execute(_PAGES).scalar_one()), int(
            connection.execute(_COUNT).scalar_one()
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=200)
    args = parser.parse_args()
    url = f"sqlite:///{tempfile.mkdtemp(prefix='presseschau-revisions-')}/revisions.sqlite3"
    upgrade(url)
    database = open_database(url)
    headers = make_account(database, name="revisions").headers
    app = create_app(Settings(database_url=url, worker=False, access_log=False), database)
    measured = []
    with TestClient(app) as client:
        for length in LENGTHS:
            body = _prose(length)
            created = client.post(
                "/api/v1/posts",
                headers=headers,
                json={"title": f"Länge {length}", "body": body, "recognize_source": False},
            )
            post_id = created.json()["id"]
            pages, count = _usage(database)
            for edit in range(args.edits):
                changed = client.patch(
                    f"/api/v1/posts/{post_id}",
                    headers=headers,
                    json={"body": f"{body}\n\nNachtrag {edit}."},
                )
                assert changed.status_code == 200, changed.text
            pages_after, count_after = _usage(database)
            per_revision = (pages_after - pages) / (count_after - count)
            measured.append({"body_chars": length, "bytes_per_revision": round(per_revision)})
            print(f"body of {length:,} characters: {per_revision:,.0f} bytes per revision")
    database.dispose()
    summary = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": results.machine(),
        "git": results.git(),
        "edits": args.edits,
        "measured": measured,
    }
    print(f"written to {results.save('revision-storage', summary)}")


if __name__ == "__main__":
    main()

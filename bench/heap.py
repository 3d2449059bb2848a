"""Python heap and RSS over many requests in one process, without a server or threads.

    .venv/bin/python -m bench.heap [--requests 12000]

Separates leaks in the request path (the Python heap, traced with tracemalloc, would grow)
from native memory that follows the database (SQLite's page cache per connection) or the
number of threads and connections. Every tenth request creates a post; the rest read lists.
Prints one line per 2,000 requests and writes bench/results/heap-<date>.json.
"""

import argparse
import os
import random
import tempfile
import tracemalloc
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.migrations import upgrade
from app.derived.root import open_database
from app.main import create_app
from bench import results
from bench.servers import rss_mb
from tests.factories import make_account


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=12_000)
    args = parser.parse_args()
    url = f"sqlite:///{tempfile.mkdtemp(prefix='presseschau-heap-')}/heap.sqlite3"
    upgrade(url)
    database = open_database(url)
    headers = make_account(database, name="heap").headers
    app = create_app(Settings(database_url=url), database)
    rng = random.Random(1)
    samples: list[dict[str, float]] = []
    tracemalloc.start()
    with TestClient(app) as client:
        for number in range(1, args.requests + 1):
            if number % 10 == 0:
                body = "Absatz. " * rng.randint(10, 200)
                client.post(
                    "/api/v1/posts",
                    headers=headers,
                    json={"title": f"Heap {number}", "status": "published", "body": body},
                )
            else:
                client.get("/api/v1/posts", params={"page": rng.randint(1, 5)})
            if number % 2000 == 0:
                heap, _ = tracemalloc.get_traced_memory()
                sample = {
                    "requests": number,
                    "rss_mb": round(rss_mb(os.getpid()), 1),
                    "python_heap_mb": round(heap / 2**20, 2),
                }
                samples.append(sample)
                print(sample, flush=True)
    database.dispose()
    summary = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": results.machine(),
        "git": results.git(),
        "samples": samples,
    }
    print(f"written to {results.save('heap', summary)}")


if __name__ == "__main__":
    main()

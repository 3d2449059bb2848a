"""A bounded soak: mixed reads and writes against a real server process on loopback.

    .venv/bin/python -m bench.soak [--seconds 600] [--clients 8] [--database-url URL]

Starts `presseschau serve` on a fresh database (SQLite in a temporary folder unless a URL
is given), drives it with concurrent clients (90 % reads of lists, posts, days and sources;
10 % post creations with an editor token), samples the server's resident memory, and at the
end checks that every acknowledged write is in the database. Prints a summary and writes it
to bench/results/soak-<date>.json. It fails (exit 1) on any error, any status but 200 and 201
(reads go to posts and days that exist), no requests at all, a server that exited, or an
acknowledged write missing from the database. Memory should be flat.
"""

import argparse
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import httpx
from sqlalchemy import text

from app.core.db import Database
from app.derived.root import open_database
from bench import results, servers
from tests.factories import make_account

TRANSPORT_ERROR = 0  # counted as a status: no HTTP answer at all (refused, reset, timeout)


def _readable_paths(database: Database) -> list[str]:
    """Paths that exist after the demo content: lists, each post, each day, sources."""
    with database.session(write=False) as session:
        ids = session.execute(text("SELECT id FROM posts WHERE status = 'published'")).scalars()
        posts = [f"/api/v1/posts/{post_id}" for post_id in ids]
        days = session.execute(
            text("SELECT DISTINCT published_date FROM posts WHERE status = 'published'")
        ).scalars()
        archives = [f"/api/v1/archives/{str(day)[:10].replace('-', '/')}" for day in days]
    return posts + archives


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--write-share", type=float, default=0.10, help="Share of requests that create a post."
    )
    args = parser.parse_args()

    folder, url = servers.demo_database("soak", args.database_url)
    database = open_database(url)
    headers = make_account(database, name=f"soak-{os.getpid()}").headers
    paths = _readable_paths(database)

    statuses: Counter[int] = Counter()
    acknowledged: list[int] = []
    lock = threading.Lock()
    memory: list[tuple[int, float]] = []
    with servers.api(url, 1, folder / "server.log", folder) as server:
        deadline = time.monotonic() + args.seconds

        def request(client: httpx.Client, rng: random.Random, number: int, seed: int) -> int:
            roll = rng.random()
            if roll < args.write_share:
                response = client.post(
                    "/api/v1/posts",
                    headers=headers,
                    json={"title": f"Soak {seed}-{number}", "status": "published",
                          "body": "Absatz. " * rng.randint(10, 200)},
                )  # fmt: skip
                if response.status_code == 201:
                    with lock:
                        acknowledged.append(response.json()["id"])
            elif roll < 0.45:
                response = client.get("/api/v1/posts", params={"page": rng.randint(1, 2)})
            elif roll < 0.90:
                response = client.get(rng.choice(paths))
            else:
                response = client.get("/api/v1/sources")
            return response.status_code

        def client_loop(seed: int) -> None:
            rng = random.Random(seed)
            with httpx.Client(base_url=server.base, timeout=30) as client:
                number = 0
                while time.monotonic() < deadline:
                    number += 1
                    try:
                        status = request(client, rng, number, seed)
                    except httpx.TransportError:
                        status = TRANSPORT_ERROR
                    with lock:
                        statuses[status] += 1

        threads = [
            threading.Thread(target=client_loop, args=(seed,)) for seed in range(args.clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            memory.append((round(time.monotonic() - started), round(servers.rss_mb(server.pid), 1)))
            time.sleep(10)
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        assert server.process is not None
        server_exited = server.process.poll() is not None

    with database.session(write=False) as session:
        stored = set(session.execute(text("SELECT id FROM posts")).scalars())
    database.dispose()
    requests = sum(statuses.values())
    errors = sum(count for status, count in statuses.items() if status >= 500 or status == 0)
    unexpected = {status: count for status, count in statuses.items() if status not in (200, 201)}
    summary = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": results.machine(),
        "git": results.git(),
        "database": url.split(":", 1)[0],
        "seconds": round(elapsed),
        "clients": args.clients,
        "write_share": args.write_share,
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1),
        "statuses": dict(sorted(statuses.items())),
        "errors": errors,
        "unexpected_statuses": unexpected,
        "server_exited_early": server_exited,
        "acknowledged_writes": len(acknowledged),
        "lost_writes": len(set(acknowledged) - stored),
        "rss_mb_over_time": memory,
    }
    mix = f"w{round(args.write_share * 100)}"
    out = results.save(f"soak-{summary['database']}-{mix}", summary)
    print(json.dumps({k: v for k, v in summary.items() if k != "rss_mb_over_time"}, indent=2))
    print(f"written to {out.relative_to(results.ROOT)}")
    if errors or unexpected or server_exited or not requests or summary["lost_writes"]:
        sys.exit(1)


if __name__ == "__main__":
    main()

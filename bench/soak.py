"""A bounded soak: mixed reads and writes against a real server process on loopback.

    .venv/bin/python -m bench.soak [--seconds 600] [--clients 8] [--database-url URL]

Starts `presseschau serve` on a fresh database (SQLite in a temporary folder unless a URL
is given), drives it with concurrent clients (90 % reads of lists, posts, days and sources;
10 % post creations with an editor token), samples the server's resident memory, and at the
end checks that every acknowledged write is in the database. Prints a summary and writes it
to bench/results/soak-<date>.json. Errors and lost writes must be 0; memory should be flat.
"""

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import text

from app.auth import service as auth
from app.auth.models import Role
from app.auth.schemas import UserCreate
from app.core.db import Database, create_db_engine
from app.core.migrations import upgrade
from bench.servers import rss_mb

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--write-share", type=float, default=0.10, help="Share of requests that create a post."
    )
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="presseschau-soak-")
    url = args.database_url or f"sqlite:///{folder}/soak.sqlite3"
    upgrade(url)
    database = Database(create_db_engine(url))
    _, token = database.call(
        auth.create_user, data=UserCreate(name=f"soak-{os.getpid()}", role=Role.editor)
    )
    env = {**os.environ, "PRESSESCHAU_DATABASE_URL": url, "PRESSESCHAU_AUTH_FAILURE_LIMIT": "1000"}
    subprocess.run([sys.executable, "-m", "app", "demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)

    deadline = time.monotonic() + args.seconds
    statuses: Counter[int] = Counter()
    acknowledged: list[int] = []
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}"}

    def client_loop(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=30) as client:
            for number in range(10_000_000):
                if time.monotonic() >= deadline:
                    return
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
                    response = client.get("/api/v1/posts", params={"page": rng.randint(1, 5)})
                elif roll < 0.70:
                    response = client.get(f"/api/v1/posts/{rng.randint(1, 200)}")
                elif roll < 0.90:
                    response = client.get(f"/api/v1/archives/2026/11/{rng.randint(1, 30)}")
                else:
                    response = client.get("/api/v1/sources")
                with lock:
                    statuses[response.status_code] += 1

    threads = [threading.Thread(target=client_loop, args=(seed,)) for seed in range(args.clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    memory: list[tuple[int, float]] = []
    while any(thread.is_alive() for thread in threads):
        memory.append((round(time.monotonic() - started), round(rss_mb(server.pid), 1)))
        time.sleep(10)
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    server.terminate()
    server.wait(timeout=30)

    with database.session(write=False) as session:
        stored = set(session.execute(text("SELECT id FROM posts")).scalars())
    database.dispose()
    errors = sum(count for status, count in statuses.items() if status >= 500 or status == 0)
    unexpected = {
        status: count for status, count in statuses.items() if status not in (200, 201, 404)
    }
    summary = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": url.split(":", 1)[0],
        "seconds": round(elapsed),
        "clients": args.clients,
        "write_share": args.write_share,
        "requests": sum(statuses.values()),
        "requests_per_second": round(sum(statuses.values()) / elapsed, 1),
        "statuses": dict(sorted(statuses.items())),
        "errors": errors,
        "unexpected_statuses": unexpected,
        "acknowledged_writes": len(acknowledged),
        "lost_writes": len(set(acknowledged) - stored),
        "rss_mb_first_last_max": [memory[0][1], memory[-1][1], max(m for _, m in memory)],
        "rss_mb_over_time": memory,
        "cpu_count": os.cpu_count(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    mix = f"w{round(args.write_share * 100)}"
    out = RESULTS / f"soak-{summary['database']}-{mix}-{datetime.now(UTC):%Y%m%d}.json"
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "rss_mb_over_time"}, indent=2))
    print(f"written to {out.relative_to(ROOT)}")
    if errors or summary["lost_writes"] or unexpected:
        sys.exit(1)


if __name__ == "__main__":
    main()

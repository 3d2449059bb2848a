"""The results document: what ran, where, on which commit, and every figure; and where it goes.

A benchmark figure means nothing without the machine and the code it was taken on, so each
results file records the CPU, cores, memory, kernel, Python, wrk and database versions, the
load average before and after (the machine may be shared), and the git commit (and whether
the tree had changes). Files are bench/results/bench-<mode>-<YYYYMMDD>.json; the README's
table is made from the newest of them by bench.report, never by hand.
"""

import json
import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import search_report
from tests.postgres_server import find_bindir

# The name suffix of the cold scenarios run again on a server without its response cache:
# what each request costs when none is answered from memory. With few distinct URLs (227
# days at 10k posts, 1,050 list pages) most "cold" requests become cache hits, so only these
# figures compare one dataset size with another (``scale``).
UNCACHED = ", no response cache"

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PATTERN = "bench-*.json"


def _first(path: str, prefix: str) -> str:
    for line in Path(path).read_text().splitlines():
        if line.startswith(prefix):
            return line.split(":", 1)[1].strip()
    return "unknown"


def _output(*command: str) -> str | None:
    """The first line a command prints (wrk -v exits 1 after its version), None if it fails."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    except OSError:
        return None
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines[0] if lines and done.returncode in (0, 1) else None


def machine() -> dict[str, Any]:
    memory_kb = int(_first("/proc/meminfo", "MemTotal").split()[0])
    bindir = find_bindir()
    return {
        "cpu": _first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "ram_gb": round(memory_kb / 1024**2, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": _output("wrk", "-v"),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _output(str(bindir / "postgres"), "--version") if bindir else None,
        "load_average": load_average(),
    }


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages: how busy the machine was around a run."""
    return [round(value, 2) for value in os.getloadavg()]


def git() -> dict[str, Any]:
    """The commit, and whether tracked files differ from it (the figures may not be its own)."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=False, cwd=ROOT)

    commit = run("rev-parse", "HEAD")
    if commit.returncode != 0:
        return {"commit": None, "changes": None}
    # The results themselves are not code: a run after a run is still the commit's own.
    changes = run(
        "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench/results"
    ).stdout.strip()
    return {"commit": commit.stdout.strip(), "changes": bool(changes)}


def scale(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Cold-read p50 on the largest SQLite dataset ÷ on the smallest, when there are two:
    on the server without its response cache, whose hits would stand in for the reads on
    a small dataset's few distinct URLs."""
    sqlite = sorted(
        (run for run in runs if run["backend"] == "sqlite"), key=lambda run: run["posts"]
    )
    if len(sqlite) < 2:
        return None
    small, large = sqlite[0], sqlite[-1]

    def p50s(run: dict[str, Any]) -> dict[str, float]:
        return {
            item["name"].removesuffix(UNCACHED): item["figures"]["p50_ms"]
            for item in run["scenarios"]
            if item["name"].startswith("cold ")
            and item["name"].endswith(UNCACHED)
            and "figures" in item
        }

    before, after = p50s(small), p50s(large)
    return {
        "backend": "sqlite",
        "small_posts": small["posts"],
        "large_posts": large["posts"],
        "p50_ms": {
            name: {
                "small": before[name],
                "large": after[name],
                "ratio": round(after[name] / before[name], 2) if before[name] else None,
            }
            for name in before
            if name in after
        },
    }


def document(
    *, mode: str, started: datetime, settings: dict[str, Any], runs: list[dict[str, Any]],
    machine_before: dict[str, Any], seconds: float,
) -> dict[str, Any]:  # fmt: skip
    errors = sum(
        len(item.get("errors", []))
        for run in runs
        for item in run["scenarios"]
        if not item["report_only"]
    )
    return {
        "date": started.isoformat(timespec="seconds"),
        "mode": mode,
        "machine": machine_before | {"load_average_after": load_average()},
        "git": git(),
        "settings": settings,
        "seconds": round(seconds, 1),
        "errors": errors,
        "runs": runs,
        "scale": scale(runs),
        "search_backends": search_report.backends(runs, UNCACHED),
    }


def save(stem: str, doc: dict[str, Any]) -> Path:
    """bench/results/<stem>-<YYYYMMDD>.json, dated by the document's own "date" (when the run
    started), written whole or not at all; a later run of the same kind and day replaces it."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    day = datetime.fromisoformat(doc["date"]).astimezone(UTC)
    path = RESULTS / f"{stem}-{day:%Y%m%d}.json"
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    partial.replace(path)
    return path


def write(doc: dict[str, Any]) -> Path:
    """bench/results/bench-<mode>-<YYYYMMDD>.json."""
    return save(f"bench-{doc['mode']}", doc)


def newest(pattern: str = PATTERN) -> dict[str, Any]:
    """The results document with the latest date among the files ``pattern`` names."""
    documents = [json.loads(path.read_text()) for path in RESULTS.glob(pattern)]
    if not documents:
        raise SystemExit(f"no {pattern} in {RESULTS.relative_to(ROOT)}: run `make bench` first")
    return max(documents, key=lambda doc: datetime.fromisoformat(doc["date"]))

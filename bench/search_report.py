"""What the load benchmark's report says of search: each band's throughput against cold post
reads and its p95 against its target, and PostgreSQL against SQLite."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.search_load import BANDS

# p95 targets at 1M posts on SQLite, one client; search throughput against cold post reads.
TARGET_P95_MS = {"rare": 100, "two": 100, "phrase": 100, "filtered": 100, "commonest": 300}
TARGET_SHARE_OF_COLD_POST = 0.10
TARGET_PG_RATIO = 2.0  # PostgreSQL's search p95 against SQLite's, same dataset size


@dataclass(frozen=True, slots=True)
class BandFigures:
    band: str
    rps: float | None
    p95_ms: float | None
    target_p95_ms: int
    share_of_cold_post: float | None


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the report says of search in one run."""

    cold_post_rps: float | None
    bands: list[BandFigures] = field(default_factory=list)


def verdict(scenarios: Sequence[dict[str, Any]], suffix: str) -> Verdict:
    """Each band's throughput beside cold post reads (both from the scenarios whose names end
    in ``suffix``), and its one-client p95 beside its target."""
    figures = {item["name"]: item.get("figures") for item in scenarios}
    post = figures.get(f"cold post{suffix}")
    post_rps = post["rps"] if post else None
    bands = []
    for band in BANDS:
        loaded = figures.get(f"search {band}{suffix}")
        single = figures.get(f"search {band} (1 client){suffix}")
        rps = loaded["rps"] if loaded else None
        share = round(rps / post_rps, 3) if rps is not None and post_rps else None
        p95 = (single.get("p95_ms") or None) if single else None
        bands.append(BandFigures(band, rps, p95, TARGET_P95_MS[band], share))
    return Verdict(post_rps, bands)


def render(run: dict[str, Any], suffix: str) -> list[str]:
    """Markdown lines on search in a run; none for a run without search scenarios."""
    found = verdict(run["scenarios"], suffix)
    if all(band.rps is None for band in found.bands):
        return []
    size = run.get("search", {}).get("index_size") or {}
    per = size.get("bytes_per_100k_posts")
    lines = [
        "",
        f"Search (no response cache): throughput against cold post reads "
        f"({found.cold_post_rps or 0:,.0f} req/s; target ≥ {TARGET_SHARE_OF_COLD_POST:.0%}) "
        f"and one client's p95 against the targets at 1M posts on SQLite:",
        "",
        "| band | req/s | share of cold post | p95 ms (1 client) | target p95 ms |",
        "|---|--:|--:|--:|--:|",
    ]
    for band in found.bands:
        cells = [
            band.band,
            "–" if band.rps is None else f"{band.rps:,.1f}",
            "–" if band.share_of_cold_post is None else f"{band.share_of_cold_post:.1%}",
            "–" if band.p95_ms is None else f"{band.p95_ms:,.1f}",
            str(band.target_p95_ms),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    notes = [band["note"] for band in run.get("search", {}).get("bands", {}).values()
             if band.get("note")]  # fmt: skip
    if per is not None:
        lines += ["", f"Search index: {per / 1024**2:,.1f} MB per 100,000 posts."]
    lines += [f"Rare band: {note}." for note in notes]
    return lines


def backends(runs: Sequence[dict[str, Any]], suffix: str) -> dict[str, Any] | None:
    """PostgreSQL's one-client p95 per band ÷ SQLite's, on the largest dataset size both ran
    (target: within 2×); None without such a pair."""
    sizes = {run["posts"] for run in runs if run["backend"] == "sqlite"} & {
        run["posts"] for run in runs if run["backend"] == "postgresql"
    }
    if not sizes:
        return None
    posts = max(sizes)
    found = {
        run["backend"]: verdict(run["scenarios"], suffix)
        for run in runs
        if run["posts"] == posts and run["backend"] in ("sqlite", "postgresql")
    }
    sqlite = {band.band: band.p95_ms for band in found["sqlite"].bands}
    bands = {}
    for band in found["postgresql"].bands:
        lite = sqlite.get(band.band)
        if band.p95_ms is not None and lite:
            bands[band.band] = {"sqlite": lite, "postgresql": band.p95_ms,
                                "ratio": round(band.p95_ms / lite, 2)}  # fmt: skip
    return {"posts": posts, "target_ratio": TARGET_PG_RATIO, "p95_ms": bands} if bands else None


def render_backends(compared: dict[str, Any]) -> str:
    lines = [
        f"**Search on PostgreSQL against SQLite** at {compared['posts']:,} posts: one client's "
        f"p95 (target: within {compared['target_ratio']:g}×)",
        "",
        "| band | SQLite p95 ms | PostgreSQL p95 ms | × |",
        "|---|--:|--:|--:|",
    ]
    for band, item in compared["p95_ms"].items():
        lines.append(f"| {band} | {item['sqlite']:,.1f} | {item['postgresql']:,.1f} | "
                     f"{item['ratio']:.2f}× |")  # fmt: skip
    return "\n".join(lines)

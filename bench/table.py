"""Markdown tables from a results document: what `make bench` prints and the README shows.

One function renders both, so the README can only show what a run measured.
"""

from typing import Any

from bench import search_report
from bench.results import UNCACHED

BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
KINDS = ("list", "post", "day", "search", "search_api", "sources", "created")


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _ratio(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2g}×" if value < 0.1 else f"{_number(value)}×"


def _memory(figures: dict[str, Any]) -> str:
    """The tree's total; with several processes also the largest one."""
    total = f"{figures['rss_sum_peak_mb']:.0f}"
    if len(figures["rss_per_process_mb"]) > 1:
        return f"{total} (largest {figures['rss_peak_mb']:.0f})"
    return total


def _row(item: dict[str, Any]) -> str:
    if "figures" not in item:
        return f"| {item['name']} | {item['skipped']} | | | | | | | | | |"
    figures, ratios = item["figures"], item["ratios"]
    errors = "; ".join(item["errors"]) or "0"
    done = figures["requests"] > 0  # wrk reports 0 ms for no response at all
    latencies = [_number(figures[key]) if done else "–" for key in ("p50_ms", "p99_ms")]
    ratio_cells = [_ratio(ratios[key]) for key in ("rps", "p50", "p99", "rss")]
    cells = [
        item["name"], _number(figures["rps"]), *latencies, _memory(figures), item["reference"],
        *ratio_cells, errors,
    ]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def _sizes(run: dict[str, Any]) -> str:
    sizes = run["responses"]
    parts = [f"{kind} {sizes[kind]['bytes'] / 1024:,.1f} KiB" for kind in KINDS if kind in sizes]
    return "Response bodies: " + ", ".join(parts) + "."


def _cores(run: dict[str, Any]) -> list[str]:
    """Where the cores went in the two-worker runs and in the one-worker runs they are
    compared with; nothing for results from before CPU time was measured."""
    rows = [
        item
        for item in run["scenarios"]
        if item.get("server") == "API, 2 workers" and "cpu_server_cores" in item.get("figures", {})
    ]
    if not rows:
        return []
    lines = [
        "",
        "Two workers and the cores (CPU time ÷ wall time, in cores; wrk runs on the same machine):",
        "",
        "| scenario | req/s × | server, 1 worker | wrk | idle | server, 2 workers | wrk | idle |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for item in rows:
        one, two = item["reference_figures"], item["figures"]
        cells = [item["name"], _ratio(item["ratios"]["rps"])] + [
            f"{figures[key]:.2f}"
            for figures in (one, two)
            for key in ("cpu_server_cores", "cpu_wrk_cores", "cpu_idle_cores")
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render_run(doc: dict[str, Any], run: dict[str, Any]) -> str:
    settings, machine = doc["settings"], doc["machine"]
    header = (
        f"**{BACKENDS[run['backend']]}, {run['posts']:,} posts** ({doc['mode']} run "
        f"{doc['date'][:10]}, {settings['seconds']:g} s per scenario, wrk -t1 "
        f"-c{settings['connections']}; {machine['cpu']}, {machine['cores']} cores, load average "
        f"{machine['load_average'][0]:.2f} before, {machine['load_average_after'][0]:.2f} after)"
    )
    lines = [
        header,
        "",
        "| scenario | req/s | p50 ms | p99 ms | peak RSS MB | compared with | req/s × | p50 × "
        "| p99 × | RSS × | errors |",
        "|---|--:|--:|--:|--:|---|--:|--:|--:|--:|---|",
        *(_row(item) for item in run["scenarios"]),
        *_cores(run),
        *search_report.render(run, UNCACHED),
        "",
        _sizes(run),
    ]
    return "\n".join(lines)


def render_scale(scale: dict[str, Any]) -> str:
    small, large = f"{scale['small_posts']:,}", f"{scale['large_posts']:,}"
    lines = [
        f"**Scale** ({BACKENDS[scale['backend']]}): cold-read p50 at {large} posts compared "
        f"with {small}",
        "",
        f"| scenario | p50 ms at {small} | p50 ms at {large} | × |",
        "|---|--:|--:|--:|",
    ]
    for name, item in scale["p50_ms"].items():
        cells = [name, _number(item["small"]), _number(item["large"]), _ratio(item["ratio"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(doc: dict[str, Any]) -> str:
    """Every run's table, then the scale comparison when the document has one."""
    parts = [render_run(doc, run) for run in doc["runs"]]
    if doc.get("scale"):
        parts.append(render_scale(doc["scale"]))
    if doc.get("search_backends"):
        parts.append(search_report.render_backends(doc["search_backends"]))
    commit = doc["git"]["commit"] or "unknown"
    changed = " with uncommitted changes" if doc["git"]["changes"] else ""
    parts.append(
        f"Commit {commit[:10]}{changed}; ratios are the API's figure ÷ the reference's (the bare "
        f"app, or one worker); raw figures in `bench/results/bench-{doc['mode']}-*.json`."
    )
    return "\n\n".join(parts)

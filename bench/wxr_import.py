"""Import speed and memory: a generated WordPress export through ``presseschau import wxr``.

    .venv/bin/python -m bench.wxr_import [--posts 100000] [--pg]

Writes (once, cached in bench/data/ by size and seed) a WXR 1.2 file of N posts made by the
dataset generator: German-like HTML bodies of 2–4 KB ending in "Weiterlesen" and the
original link, titles carrying their source "(Name)", tags as categories, a few authors.
Then imports it as a user would, into a new SQLite database (and with --pg a throwaway
PostgreSQL one), as a separate process: wall time, posts per second and peak RSS (the
importer's own, and with the reader process a large export gets, both together). A second
import of the same file is timed too (it creates nothing). Results go to
bench/results/import-<date>.json.
"""

import argparse
import html
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import escape

from bench import results
from bench.dataset import VERSION, generate_posts, plan
from bench.loadgen import MemorySampler
from bench.phrases import TAG_NAMES
from tests.postgres_server import PostgresServer, find_bindir

DATA = results.ROOT / "bench" / "data"
PRESSESCHAU = results.ROOT / ".venv" / "bin" / "presseschau"
AUTHORS = ("redaktion", "juergen", "aylin")


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _header(out: TextIO) -> None:
    out.write(
        '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
        'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
        "<title>Benchmark-Presseschau</title><link>https://blog.example</link>\n"
        "<language>de-DE</language><wp:wxr_version>1.2</wp:wxr_version>\n"
        "<wp:base_site_url>https://blog.example</wp:base_site_url>\n"
    )
    for number, login in enumerate(AUTHORS, start=1):
        out.write(
            f"<wp:author><wp:author_id>{number}</wp:author_id>"
            f"<wp:author_login>{_cdata(login)}</wp:author_login>"
            f"<wp:author_display_name>{_cdata(login.title())}</wp:author_display_name>"
            "</wp:author>\n"
        )


def write_export(path: Path, posts: int, seed: int) -> None:
    planned = plan(posts, seed, 20)
    numbered = list(enumerate(planned.specs, start=1))
    rows = generate_posts(
        planned.rng,
        days=planned.days,
        pool=planned.pool,
        writer=planned.writer,
        sources=numbered,
        tag_ids=list(range(1, len(TAG_NAMES) + 1)),
        author_id=1,
    )
    partial = path.with_suffix(".tmp")
    with partial.open("w", encoding="utf-8") as out:
        _header(out)
        for row, tags in rows:
            title = row["title"]
            if row["source_id"] is not None:
                title += f" ({planned.specs[row['source_id'] - 1].name})"
            content = row["body_html"]
            if row["original_url"]:
                url = html.escape(row["original_url"])
                content += f'\n\n<p>Weiterlesen <a href="{url}">{url}</a></p>'
            gmt = row["published_at"].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            categories = "".join(
                f'<category domain="post_tag" nicename="t{tag}">'
                f"{_cdata(TAG_NAMES[tag - 1])}</category>"
                for tag in tags
            )
            out.write(
                f"<item><title>{_cdata(title)}</title>"
                f"<dc:creator>{_cdata(AUTHORS[row['id'] % len(AUTHORS)])}</dc:creator>"
                f'<guid isPermaLink="false">https://blog.example/?p={row["id"]}</guid>'
                f"<content:encoded>{_cdata(content)}</content:encoded>"
                f"<wp:post_id>{row['id']}</wp:post_id>"
                f"<wp:post_date>{gmt}</wp:post_date><wp:post_date_gmt>{gmt}</wp:post_date_gmt>"
                f"<wp:post_modified_gmt>{gmt}</wp:post_modified_gmt>"
                f"<wp:post_name>{escape(row['slug'])}</wp:post_name>"
                "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
                f"{categories}</item>\n"
            )
        out.write("</channel>\n</rss>\n")
    partial.replace(path)


def _import(path: Path, database_url: str) -> dict[str, Any]:
    """One import as its own process: its time, its summary line and its own peak RSS."""
    env = {**os.environ, "PRESSESCHAU_DATABASE_URL": database_url}
    subprocess.run([str(PRESSESCHAU), "migrate"], env=env, check=True, capture_output=True)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        process = subprocess.Popen(
            [str(PRESSESCHAU), "import", "wxr", str(path)], env=env, stdout=out, stderr=err
        )
        # Sampled: a large export is read by a second process, whose memory counts too.
        with MemorySampler(process.pid) as memory:
            # wait4 reports this child's own resource use, not the most of all children so far.
            _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"import failed ({status}): {err.read().strip()[-2000:]}")
        # The first line has the counts; the lines after it, why items were skipped and the
        # new sources.
        lines = out.read().strip().splitlines()
    return {
        "seconds": round(seconds, 2),
        "summary": lines[0] if lines else "",
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        # Both processes together at their largest (sampled every 0.1 s), and each's peak.
        "peak_rss_sum_mb": round(memory.sum_peak, 1),
        "peak_rss_per_process_mb": [round(peak, 1) for peak in memory.peaks.values()],
    }


def _run(path: Path, posts: int, backend: str, database_url: str) -> dict[str, Any]:
    first = _import(path, database_url)
    again = _import(path, database_url)
    figures = {
        "backend": backend,
        "posts": posts,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "seconds": first["seconds"],
        "posts_per_second": round(posts / first["seconds"]),
        "peak_rss_mb": first["peak_rss_mb"],
        "peak_rss_sum_mb": first["peak_rss_sum_mb"],
        "peak_rss_per_process_mb": first["peak_rss_per_process_mb"],
        "summary": first["summary"],
        "again_seconds": again["seconds"],
        "again_summary": again["summary"],
    }
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg", action="store_true", help="Also import into PostgreSQL.")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"export-{args.posts}-{args.seed}-v{VERSION}.wxr"
    if not path.exists():
        print(f"writing {path.name} ...", flush=True)
        write_export(path, args.posts, args.seed)
    machine, commit = results.machine(), results.git()
    folder = Path(tempfile.mkdtemp(prefix="presseschau-import-"))
    runs = [_run(path, args.posts, "sqlite", f"sqlite:///{folder}/import.sqlite3")]
    if args.pg:
        bindir = find_bindir()
        if bindir is None:
            sys.exit("PostgreSQL server binaries were not found (set PRESSESCHAU_PG_BINDIR)")
        server = PostgresServer(bindir)
        server.start()
        try:
            runs.append(_run(path, args.posts, "postgresql", server.create_database("import")))
        finally:
            server.stop()
    machine["load_average_after"] = results.load_average()
    document = {
        "kind": "import",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "git": commit,
        "runs": runs,
    }
    print(f"wrote {results.save('import', document).relative_to(results.ROOT)}")


if __name__ == "__main__":
    main()

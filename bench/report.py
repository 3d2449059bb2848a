"""The load-benchmark tables in docs/benchmarks.md, regenerated from the newest full run.

    .venv/bin/python -m bench.report [--quick]

Replaces what stands between `<!-- bench:start -->` and `<!-- bench:end -->` in docs/benchmarks.md
with the tables of the newest bench/results/bench-full-*.json (with --quick, the newest run
of either mode), so the figures there are always a run's, never typed in. The full
run is the default: it is the one with 1M posts and PostgreSQL, and a quick run made after
it to check a change should not take its place.
"""

import argparse
from pathlib import Path

from bench import results, table

BENCHMARKS = results.ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def update(readme: Path, generated: str) -> None:
    text = readme.read_text()
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"{readme.name} has no {START} … {END} markers")
    readme.write_text(f"{head}{START}\n{generated}\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="The newest run of either mode.")
    args = parser.parse_args()
    document = results.newest(results.PATTERN if args.quick else "bench-full-*.json")
    update(BENCHMARKS, table.render(document))
    print(
        f"{BENCHMARKS.name}: tables of the {document['mode']} run of {document['date'][:10]} written"
    )


if __name__ == "__main__":
    main()

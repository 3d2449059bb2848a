"""The README's load-benchmark tables, regenerated from the newest results file.

    .venv/bin/python -m bench.report

Replaces what stands between `<!-- bench:start -->` and `<!-- bench:end -->` in README.md
with the tables of the newest bench/results/bench-*.json (quick or full), so the figures in
the README are always a run's, never typed in.
"""

import argparse
from pathlib import Path

from bench import results, table

README = results.ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def update(readme: Path, generated: str) -> None:
    text = readme.read_text()
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"{readme.name} has no {START} … {END} markers")
    readme.write_text(f"{head}{START}\n{generated}\n{END}{tail}")


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    update(README, table.render(results.newest()))
    print(f"{README.name}: tables of the newest results written between {START} and {END}")


if __name__ == "__main__":
    main()

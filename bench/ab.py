"""Two commits against each other in one run, taking turns, so the machine's drift cancels.

    .venv/bin/python -m bench.ab BASE [--posts 100000] [--rounds 3] [--seconds 10]
                                      [--scenario "cold list" ...]

A change's effect on this kind of machine is often smaller than how much the machine's speed
moves between runs made hours apart. Here the working tree (as it is, changes included) and
BASE (any commit with the same dependencies) serve two copies of the same SQLite dataset side
by side, and every scenario runs on both in turns (A B, then B A, ...). When the working tree
has migrations BASE lacks, BASE's copy is migrated back to BASE's latest revision by the
working tree's downgrades, as an operator rolling back a release would.
Each side's rounds are printed, with the median of the working tree's req/s ÷ BASE's;
results go to bench/results/ab-<date>.json.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.core.migrations import _revisions, downgrade, head_revision
from bench import cache, loadgen, responses, results
from bench.scenarios import COLD, LOGS, SCENARIOS, Scenario, Settings, load_of
from bench.servers import ROOT, Server
from bench.urls import collect

# What must be equal for BASE to run in this environment.
SAME = ("uv.lock",)
DEFAULT_SCENARIOS = tuple(scenario.name for scenario in COLD)


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def _server(name: str, tree: Path, database_url: str, log: Path) -> Server:
    """`presseschau serve` from the code in ``tree``, with this environment's packages."""
    env = {"PRESSESCHAU_DATABASE_URL": database_url, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "app", "serve", "--workers", "1"]
    return Server(name, command, env, "/readyz", log, cwd=tree)


def _base_revision(tree: Path) -> str | None:
    """BASE's latest migration when the working tree's is another, else None. Refuses a BASE
    whose migrations are not all the working tree's (then no downgrade leads to its schema)."""
    # Asked of BASE's own code, which may predate any public name for it.
    asked = "from app.core.migrations import _revisions as r, head_revision as h; print(h(), *r())"
    found = subprocess.run(
        [sys.executable, "-c", asked], cwd=tree, env={"PYTHONPATH": str(tree)},
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    revision, known = found[0], set(found[1:])
    if revision == head_revision():
        return None
    if not known <= set(_revisions()):
        sys.exit(
            f"BASE has migrations the working tree lacks: {', '.join(sorted(known - set(_revisions())))}"
        )
    return revision


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="The commit to compare the working tree with.")
    parser.add_argument("--posts", type=int, default=100_000, help="SQLite dataset size.")
    parser.add_argument("--rounds", type=int, default=3, help="Runs of each scenario per side.")
    parser.add_argument("--seconds", type=float, default=10.0, help="Per run.")
    parser.add_argument(
        "--scenario", action="append", choices=[scenario.name for scenario in SCENARIOS],
        help=f"Repeat for several (default: {', '.join(DEFAULT_SCENARIOS)}).",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=1, help="Dataset and URL lists.")
    return parser.parse_args()


def _rounds(
    sides: dict[str, Server], scenario: Scenario, load: loadgen.Load, rounds: int
) -> dict[str, list[float]]:
    rps: dict[str, list[float]] = {name: [] for name in sides}
    order = list(sides)
    for number in range(rounds):
        # A B, then B A: neither side always runs first, after the other has warmed the CPU.
        for name in order if number % 2 == 0 else reversed(order):
            measured = loadgen.run(sides[name].base, load, sides[name].pid)
            if measured.errors:
                raise SystemExit(f"{scenario.name} on {name}: {'; '.join(measured.errors)}")
            rps[name].append(measured.rps)
            print(f"  {scenario.name:<18} {name:<6} {measured.rps:>9,.1f} req/s", flush=True)
    return rps


def main() -> None:
    args = _arguments()
    loadgen.check_wrk()
    base = _git("rev-parse", "--verify", f"{args.base}^{{commit}}").stdout.strip()
    if not base:
        sys.exit(f"{args.base}: no such commit")
    if _git("diff", "--quiet", base, "--", *SAME).returncode != 0:
        sys.exit(f"{args.base} has other dependencies ({', '.join(SAME)})")
    names = args.scenario or list(DEFAULT_SCENARIOS)
    scenarios = [scenario for scenario in SCENARIOS if scenario.name in names]
    settings = Settings(seconds=args.seconds, warmup=5.0, seed=args.seed)
    dataset = cache.ensure("sqlite", args.posts, args.seed)
    started = datetime.now(UTC)
    machine, commit = results.machine(), results.git()
    LOGS.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="presseschau-ab-")))
        tree = folder / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), base], cwd=ROOT, check=True,
            capture_output=True,
        )  # fmt: skip
        stack.callback(_git, "worktree", "remove", "--force", str(tree))
        base_revision = _base_revision(tree)
        # Two copies of one dataset, BASE's at its own schema.
        sides: dict[str, Server] = {}
        for name, code in (("base", tree), ("head", ROOT)):
            database_url = stack.enter_context(cache.working_copy(dataset))
            if name == "base" and base_revision is not None:
                print(f"  migrating BASE's copy back to {base_revision}", flush=True)
                downgrade(database_url, base_revision)
            log = LOGS / f"ab-{name}.log"
            sides[name] = stack.enter_context(_server(name, code, database_url, log))
        urls = collect(database_url, settings.seed)
        files = urls.write(folder)
        reps = responses.fetch(sides["head"].base, urls, dataset.token, folder)
        warmup = loadgen.Load(settings.warmup, args={"urls": str(files["cold_mix"])})
        for side in sides.values():
            loadgen.run(side.base, warmup, side.pid)
        figures = {}
        for scenario in scenarios:
            load = load_of(scenario, files, reps, dataset.token, f"ab{time.time_ns()}", settings)
            if load is None:
                continue
            rps = _rounds(sides, scenario, load, args.rounds)
            paired = zip(rps["head"], rps["base"], strict=True)
            ratio = statistics.median(head / base for head, base in paired)
            figures[scenario.name] = rps | {"ratio": round(ratio, 3)}
    document = {
        "kind": "ab",
        "date": started.isoformat(timespec="seconds"),
        "machine": machine | {"load_average_after": results.load_average()},
        "git": commit,
        "base": base,
        "posts": args.posts,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "scenarios": figures,
    }
    _report(document)


def _report(document: dict[str, Any]) -> None:
    print(
        f"\nworking tree ÷ {document['base'][:10]}, median of {document['rounds']} paired rounds:"
    )
    for name, item in document["scenarios"].items():
        print(f"  {name:<18} {item['ratio']:.3f}×   base {item['base']}   head {item['head']}")
    print(f"wrote {results.save('ab', document).relative_to(results.ROOT)}")


if __name__ == "__main__":
    main()

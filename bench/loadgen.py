"""One wrk run against one server, with the server's peak memory sampled meanwhile.

wrk is the load generator because it is a small C program with one thread per core that
costs far less CPU per request than any Python client, so on a 2-core machine the figures are
the server's, not the client's. bench/wrk/requests.lua chooses the requests and prints the
figures as one JSON line; here they become a `Measurement` with the statuses checked.
"""

import json
import resource
import shutil
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.servers import CLOCK_TICKS, cpu_seconds, private_mb, process_tree, rss_mb

SCRIPT = Path(__file__).resolve().parent / "wrk" / "requests.lua"
CONNECTIONS = 16  # wrk -t1 -c16: one client thread, 16 connections
SAMPLE_SECONDS = 0.1
TIMEOUT_SECONDS = 30  # wrk's default of 2 s would cut off a slow request rather than time it


@dataclass(frozen=True, slots=True)
class Load:
    """What wrk sends: connections, duration and the Lua script's key=value arguments."""

    seconds: float
    connections: int = CONNECTIONS
    args: dict[str, str] = field(default_factory=dict)
    expected: tuple[int, ...] = (200,)


@dataclass(frozen=True, slots=True)
class Measurement:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]
    wrk_errors: dict[str, int]
    rss_peak_mb: float  # the largest process of the server's tree
    rss_sum_peak_mb: float  # the tree's total at its largest
    rss_per_process_mb: list[float]  # the server process first, then its workers
    errors: list[str]
    # Where the two cores went during the run, in cores (CPU seconds ÷ wall seconds): the
    # server's process tree, wrk, and nobody (idle). They tell a server limited by its own
    # code from one limited by the machine.
    cpu_server_cores: float = 0.0
    cpu_wrk_cores: float = 0.0
    cpu_idle_cores: float = 0.0
    p95_ms: float = 0.0  # last: results from before it was measured have none
    # The tree's own memory at its largest, the pages of mapped files (the database on
    # SQLite) aside; results from before it was measured have none.
    private_sum_peak_mb: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class MemorySampler:
    """Samples VmRSS of a process tree every 0.1 s in a thread, keeping the peaks."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peaks: dict[int, float] = {}
        self.sum_peak = 0.0
        self.private_sum_peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self) -> None:
        pids = process_tree(self.pid)
        sizes = {pid: rss_mb(pid) for pid in pids}
        for pid, size in sizes.items():
            self.peaks[pid] = max(self.peaks.get(pid, 0.0), size)
        self.sum_peak = max(self.sum_peak, sum(sizes.values()))
        private = sum(private_mb(pid) for pid in pids)
        self.private_sum_peak = max(self.private_sum_peak, private)

    def _loop(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample()

    def __enter__(self) -> "MemorySampler":
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def _idle_seconds() -> float:
    """Idle time of all cores together since boot (idle and iowait of /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    return (int(fields[4]) + int(fields[5])) / CLOCK_TICKS


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """CPU use while a wrk run lasts, in cores: the server's tree (its processes at the start),
    wrk (the one child of this process that ends meanwhile) and the machine's idle time."""

    def __init__(self, pid: int) -> None:
        self._tree = process_tree(pid)
        self.server = self.wrk = self.idle = 0.0

    def _now(self) -> tuple[float, float, float, float]:
        server = sum(cpu_seconds(pid) for pid in self._tree)
        return time.monotonic(), server, _children_seconds(), _idle_seconds()

    def __enter__(self) -> "CpuMeter":
        self._start = self._now()
        return self

    def __exit__(self, *exc: object) -> None:
        end = self._now()
        wall = end[0] - self._start[0]
        self.server, self.wrk, self.idle = (
            round((end[index] - self._start[index]) / wall, 2) for index in (1, 2, 3)
        )


def check_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    return found


def _errors(figures: dict[str, Any], expected: tuple[int, ...]) -> list[str]:
    """Every status other than the expected ones, and every socket error wrk counted."""
    found = []
    for status, count in sorted(figures["statuses"].items()):
        if int(status) not in expected:
            found.append(f"{count} × status {status}")
    for name, count in figures["errors"].items():
        if count and name != "status":  # non-2xx/3xx are in the status counts already
            found.append(f"{count} × {name} error")
    if figures["requests"] == 0:
        found.append("no request completed")
    return found


def run(base: str, load: Load, server_pid: int) -> Measurement:
    """wrk -t1 -cN -dS --latency with the scenario script; raises if wrk prints no figures."""
    command = [
        check_wrk(), "-t1", f"-c{load.connections}", f"-d{load.seconds:g}s", "--latency",
        "--timeout", f"{TIMEOUT_SECONDS}s", "-s", str(SCRIPT), base, "--",
        *(f"{key}={value}" for key, value in load.args.items()),
    ]  # fmt: skip
    with MemorySampler(server_pid) as memory, CpuMeter(server_pid) as cpu:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    figures = json.loads(lines[-1].removeprefix("BENCH "))
    seconds = figures["duration_us"] / 1e6
    return Measurement(
        requests=figures["requests"],
        seconds=round(seconds, 2),
        rps=round(figures["requests"] / seconds, 1),
        p50_ms=figures["p50_us"] / 1000,
        p90_ms=figures["p90_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        max_ms=figures["max_us"] / 1000,
        statuses=figures["statuses"],
        wrk_errors=figures["errors"],
        rss_peak_mb=round(max(memory.peaks.values(), default=0.0), 1),
        rss_sum_peak_mb=round(memory.sum_peak, 1),
        rss_per_process_mb=[round(peak, 1) for peak in memory.peaks.values()],
        errors=_errors(figures, load.expected),
        cpu_server_cores=cpu.server,
        cpu_wrk_cores=cpu.wrk,
        cpu_idle_cores=cpu.idle,
        p95_ms=figures["p95_us"] / 1000,
        private_sum_peak_mb=round(memory.private_sum_peak, 1),
    )

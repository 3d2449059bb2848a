"""Server processes for the benchmark: the API as users start it, and the bare app.

Each server runs in its own session (process group), so stopping it also stops the workers
`serve --workers N` forks, and a server is stopped whatever ends the run (an error, Ctrl-C):
use `Server` as a context manager. Memory is read from /proc, over the server's whole
process tree, because with several workers the supervisor is not where the requests are served.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from types import TracebackType

import httpx

from bench.bare import ENV as BARE_RESPONSES
from tests.postgres_server import free_port

ROOT = Path(__file__).resolve().parents[1]
PRESSESCHAU = ROOT / ".venv" / "bin" / "presseschau"
READY_SECONDS = 60


def demo_database(name: str, url: str | None = None) -> tuple[Path, str]:
    """A new folder for a run's files, and a migrated database holding the demo content:
    ``url``, or a SQLite file in that folder."""
    from app.core.migrations import upgrade  # the server's own modules, loaded only to set up

    folder = Path(tempfile.mkdtemp(prefix=f"presseschau-{name}-"))
    url = url or f"sqlite:///{folder}/{name}.sqlite3"
    upgrade(url)
    environment = {**os.environ, "PRESSESCHAU_DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "app", "demo"], cwd=ROOT, env=environment,
                   check=True, capture_output=True)  # fmt: skip
    return folder, url


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:  # the thread or process ended meanwhile
            continue
    return found


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += _children(current)
    return tree


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) one process has used so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def _status_mb(pid: int, *fields: str) -> float:
    """The sum of these memory fields of /proc/PID/status in MB; 0 once it is gone."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in fields:
                total += int(value.split()[0])
    except OSError:
        return 0.0
    return total / 1024


def rss_mb(pid: int) -> float:
    """Resident memory (VmRSS) of one process in MB; 0 once it is gone. It counts the pages
    of files the process maps that are in memory: on SQLite, the database it reads through
    a memory map (app.core.db.SQLITE_MMAP_BYTES), which is the OS's page cache."""
    return _status_mb(pid, "VmRSS")


def private_mb(pid: int) -> float:
    """Memory the process made for itself (RssAnon and RssShmem), mapped files aside."""
    return _status_mb(pid, "RssAnon", "RssShmem")


class Server:
    """A server process listening on a free port of 127.0.0.1, ready once `ready_path` is 200."""

    def __init__(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        ready_path: str,
        log: Path,
        *,
        cwd: Path = ROOT,
    ) -> None:
        self.name = name
        self.cwd = cwd
        self.port = free_port()
        self.command = [*command, "--host", "127.0.0.1", "--port", str(self.port)]
        self.env = {**os.environ, **env}
        self.ready_path = ready_path
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __enter__(self) -> "Server":
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=self.cwd, env=self.env, stdout=log, stderr=log,
                start_new_session=True,
            )  # fmt: skip
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + READY_SECONDS
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}; see {self.log}"
                )
            try:
                answer = httpx.get(self.base + self.ready_path, timeout=2)
                if answer.status_code == 200:
                    return
                last = f"{answer.status_code} {answer.text[:200]}"
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"{self.name} was not ready within {READY_SECONDS} s ({self.ready_path}: {last}); "
            f"see {self.log}"
        )

    def stop(self) -> None:
        """SIGTERM to the process group, SIGKILL after 15 s; safe to call twice."""
        if self.process is None or self.process.returncode is not None:
            return
        for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # Workers left behind by a killed supervisor are in the same group.
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def api(
    database_url: str, workers: int, log: Path, scratch: Path, *, response_cache: bool = True
) -> Server:
    """`presseschau serve` on the database, with the settings' defaults otherwise (but for
    the response cache, when it is to be off).

    Several workers share their metrics through files; `serve` would make a folder for them
    in /tmp and leave it there, so it gets one in `scratch`, which the caller removes.
    """
    command = [str(PRESSESCHAU), "serve", "--workers", str(workers)]
    env = {"PRESSESCHAU_DATABASE_URL": database_url}
    if not response_cache:
        env["PRESSESCHAU_RESPONSE_CACHE_MB"] = "0"
    if workers > 1:
        metrics = scratch / f"metrics-{workers}"
        metrics.mkdir(exist_ok=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
    name = f"API ({workers} worker{'s' * (workers > 1)}{'' if response_cache else ', no cache'})"
    return Server(name, command, env, "/readyz", log)


def bare(responses: Path, log: Path) -> Server:
    """The bare app answering with the bytes in `responses` (see bench.bare)."""
    command = [sys.executable, "-m", "bench.bare"]
    return Server("bare app", command, {BARE_RESPONSES: str(responses)}, "/api/v1/sources", log)

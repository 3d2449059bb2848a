"""Benchmark datasets, generated once by bench.dataset and kept in bench/data/ (git-ignored).

A dataset is keyed by backend, number of posts, seed and bench.dataset's VERSION
(`sqlite-100000-s1-v2`): the same key always means the same rows, so a cached one is as good
as a new one, and generating 1M posts takes minutes; a dataset of an older shape has another
key and is never reused. Next to it, `<key>.json` holds the editor's token that
bench.dataset printed; it is written last, so a dataset without it (an interrupted
generation) is made anew.

Every run works on a throwaway copy (`working_copy`), because the write scenarios add posts
and the cached dataset must stay as generated; a dataset cached before a new migration must
still serve as a new one would (the API is not ready otherwise). So a PostgreSQL copy is
migrated, given the stored post documents it lacks and vacuumed, and a cached SQLite dataset is brought
up to date in place when it is looked up (the work is done once: documents take minutes at
1M posts), before it is copied. Documents are made from the rows, which stay as generated.
Datasets are indexed for search once generated (and a cached one that lacks the index gets
it when it is brought up to date), so the cached dataset is the indexed one.
SQLite datasets are database files; PostgreSQL datasets are a stopped server's data
directory, copied into a fresh server for each run (tests/postgres_server.py, with its
fsync=off settings). Copying also leaves the database in
the OS page cache (and the cached file is dropped from it), so "cold" in the results means
not cached by the API or the database.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from app.core.migrations import upgrade
from app.derived.root import open_database
from app.posts.documents import refresh_documents
from bench.dataset import VERSION, ZONE
from bench.search_index import index_dataset
from tests.postgres_server import PostgresServer, find_bindir

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
PG_DATABASE = "presseschau_bench"
TOKEN_LINE = "editor token: "  # noqa: S105 (bench.dataset's first line, not a secret)


@dataclass(frozen=True, slots=True)
class Dataset:
    backend: str  # "sqlite" or "postgresql"
    posts: int
    seed: int
    token: str

    @property
    def key(self) -> str:
        return key(self.backend, self.posts, self.seed)


def key(backend: str, posts: int, seed: int) -> str:
    return f"{backend}-{posts}-s{seed}-v{VERSION}"


def _pg_bindir() -> Path:
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit(
            "PostgreSQL binaries not found (apt-get install postgresql, or set "
            "PRESSESCHAU_PG_BINDIR)"
        )
    return bindir


def _generate(database_url: str, posts: int, seed: int) -> str:
    """Run bench.dataset on an empty database, echo its progress, return the editor token."""
    command = [sys.executable, "-m", "bench.dataset", "--posts", str(posts), "--seed", str(seed),
               "--database-url", database_url]  # fmt: skip
    token = ""
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(TOKEN_LINE) and not token:
                token = line.removeprefix(TOKEN_LINE).strip()
            else:
                print(f"    {line.rstrip()}", flush=True)
    if process.returncode != 0 or not token:
        raise RuntimeError(f"bench.dataset failed with exit code {process.returncode}")
    return token


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def ensure(backend: str, posts: int, seed: int) -> Dataset:
    """The cached dataset, generated first if it is not there (or not complete)."""
    name = key(backend, posts, seed)
    meta = DATA / f"{name}.json"
    if meta.exists():
        if backend == "sqlite":
            # Once for a dataset cached before the latest migration, not in every copy.
            _bring_up_to_date(f"sqlite:///{DATA / f'{name}.sqlite3'}")
        return Dataset(
            backend=backend, posts=posts, seed=seed, token=json.loads(meta.read_text())["token"]
        )
    DATA.mkdir(parents=True, exist_ok=True)
    print(f"  generating {name} (cached in {DATA.relative_to(ROOT)}/)", flush=True)
    final = DATA / (f"{name}.sqlite3" if backend == "sqlite" else name)
    partial = DATA / f"{name}.partial"
    for stale in (final, partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        _remove(stale)
    if backend == "sqlite":
        token = _generate(f"sqlite:///{partial}", posts, seed)
        _index(f"sqlite:///{partial}")
        for suffix in ("-wal", "-shm"):  # the last connection's close leaves none normally
            _remove(Path(f"{partial}{suffix}"))
    else:
        server = PostgresServer(_pg_bindir())
        try:
            server.start()
            url = server.create_database(PG_DATABASE)
            token = _generate(url, posts, seed)
            _index(url)
            server.pause()
            partial.mkdir()
            shutil.move(server.data, partial / "data")
        finally:
            with suppress(subprocess.CalledProcessError):
                server.stop()  # also removes its folder; fails harmlessly once paused
    partial.rename(final)
    info = {"backend": backend, "posts": posts, "seed": seed, "token": token,
            "generated": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip
    meta.write_text(json.dumps(info, indent=2) + "\n")
    return Dataset(backend=backend, posts=posts, seed=seed, token=token)


def _bring_up_to_date(url: str) -> None:
    """What `presseschau migrate` does: the latest schema, and the documents of posts that
    have no current one (all of them in a dataset generated before documents were stored, or
    before their format changed)."""
    upgrade(url)
    database = open_database(url)
    try:
        if stored := refresh_documents(database, ZONE):
            print(f"  stored the documents of {stored:,} posts", flush=True)
    finally:
        database.dispose()
    _index(url)


def _index(url: str) -> None:
    """Index the posts the dataset's search index lacks (all of them once generated)."""
    started = time.monotonic()
    if indexed := index_dataset(url):
        seconds = time.monotonic() - started
        print(f"  indexed {indexed:,} posts for search in {seconds:.1f} s "
              f"({indexed / seconds:,.0f} posts/s)", flush=True)  # fmt: skip


def _vacuum(url: str) -> None:
    """VACUUM and ANALYZE a PostgreSQL copy once it is migrated, as autovacuum would soon do
    on a server: a migration that rewrites rows (the sources' tokens rewrite every search
    document) leaves each old version beside the new and the planner's statistics stale, and
    a run started at once would measure that moment, not the database as it serves."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
    finally:
        engine.dispose()


def _copy(source: Path, target: Path) -> None:
    """cp -a keeps the PostgreSQL files' owner and modes; --reflink makes it cheap where it can."""
    subprocess.run(["cp", "-a", "--reflink=auto", str(source), str(target)], check=True)


def _leave_page_cache(path: Path) -> None:
    """Ask the OS to drop the file from its page cache: the copy just read all of it, and at
    1M posts the file and its copy (16 GB each) do not both fit in memory, so the served copy
    would be read from disk where a server's database would be in memory."""
    if hasattr(os, "posix_fadvise"):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(descriptor)


@contextmanager
def working_copy(dataset: Dataset) -> Iterator[str]:
    """A database URL of a throwaway copy of the dataset, removed (and its server stopped) after."""
    if dataset.backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="work-", dir=DATA))
        try:
            cached = DATA / f"{dataset.key}.sqlite3"
            _copy(cached, folder / "bench.sqlite3")
            _leave_page_cache(cached)
            # ensure() brought the cached file up to date already.
            yield f"sqlite:///{folder / 'bench.sqlite3'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    server = PostgresServer(_pg_bindir())
    try:
        if os.geteuid() == 0:
            shutil.chown(server.root, user="postgres", group="postgres")
        _copy(DATA / dataset.key / "data", server.data)
        server.resume()
        _bring_up_to_date(server.url(PG_DATABASE))
        _vacuum(server.url(PG_DATABASE))
        yield server.url(PG_DATABASE)
    finally:
        with suppress(subprocess.CalledProcessError):
            server.stop()

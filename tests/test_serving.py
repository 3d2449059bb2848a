"""The server process: slow and half-sent requests cannot hold its connections."""

import resource
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from app.core.migrations import upgrade
from tests.conftest import FreshDatabase
from tests.live_server import served

ROOT = Path(__file__).resolve().parents[1]
HEADER_TIMEOUT = 3.0
BODY_TIMEOUT = 2.0
# A soft limit below the idle connections below, as many systems set it (1,024) below what a
# busy server meets: the server raises it to the hard limit itself.
SOFT_FILES = 256
IDLE_CONNECTIONS = 300


def _low_soft_file_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (SOFT_FILES, hard))


@contextmanager
def served_with_few_files(url: str) -> Iterator[int]:
    """``presseschau serve`` on its port, started with a low soft limit of open files."""
    environment = {
        "PRESSESCHAU_HEADER_TIMEOUT_SECONDS": str(HEADER_TIMEOUT),
        "PRESSESCHAU_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT),
        "PRESSESCHAU_ACCESS_LOG": "false",
    }
    with served(url, environment=environment, preexec_fn=_low_soft_file_limit) as (_, base):
        yield int(base.rsplit(":", 1)[1])


def _closed_by_the_server(connection: socket.socket, within: float) -> bool:
    """Whether the server closes ``connection`` within ``within`` seconds; what it still
    sends before (the rest of a response a first read did not get) is read past."""
    deadline = time.monotonic() + within
    while True:
        connection.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            if connection.recv(1024) == b"":
                return True
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False


def _response(connection: socket.socket, received: bytes = b"") -> bytes:
    """One whole response (its head and a body of content-length bytes), of which
    ``received`` came already."""
    connection.settimeout(5)
    while b"\r\n\r\n" not in received:
        received += connection.recv(4096)
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    )
    while len(body) < length:
        body += connection.recv(4096)
    return head + b"\r\n\r\n" + body


def _still_open(connection: socket.socket) -> bool:
    try:
        return connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except ConnectionResetError:
        return False


def test_half_sent_requests_are_cut_off_and_keep_no_one_else_out(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    url = fresh_database_url(backend)
    upgrade(url)
    with served_with_few_files(url) as port, ExitStack() as stack:
        started = time.monotonic()
        idle = []
        for _ in range(IDLE_CONNECTIONS):
            connection = stack.enter_context(socket.create_connection(("127.0.0.1", port)))
            connection.sendall(b"GET /api/v1/posts HTTP/1.1\r\nHost: presse")
            idle.append(connection)
        # A keep-alive connection that answers one request and then starts another, slowly.
        kept = stack.enter_context(socket.create_connection(("127.0.0.1", port)))
        kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: presse\r\n\r\n")
        assert _response(kept).startswith(b"HTTP/1.1 200")
        kept.sendall(b"GET /healthz HTTP/1.1\r\n")
        # Meanwhile everyone else is answered.
        answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/posts", timeout=5)
        assert answer.status_code == 200
        assert all(_still_open(connection) for connection in idle), "timed out too soon"
        # And the slow ones are closed once their time is up.
        deadline = started + HEADER_TIMEOUT + 3
        for connection in [*idle, kept]:
            assert _closed_by_the_server(connection, deadline - time.monotonic())
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200


def test_a_body_sent_a_byte_at_a_time_is_cut_off(
    backend: str, fresh_database_url: FreshDatabase
) -> None:
    url = fresh_database_url(backend)
    upgrade(url)
    with (
        served_with_few_files(url) as port,
        socket.create_connection(("127.0.0.1", port)) as slow,
    ):
        started = time.monotonic()
        slow.sendall(
            b"POST /api/v1/posts HTTP/1.1\r\nHost: presse\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
        )
        slow.settimeout(0.3)
        answer = b""
        # A byte now and then, never the whole body: each keeps the connection busy.
        while not answer and time.monotonic() - started < BODY_TIMEOUT + 5:
            try:
                slow.sendall(b" ")
                answer = slow.recv(4096)
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
        assert answer.startswith(b"HTTP/1.1 408"), answer
        # The body may come in a later packet than the head.
        answer = _response(slow, answer)
        assert b"did not arrive within 2 s" in answer
        assert b"\r\nconnection: close\r\n" in answer.lower()
        assert time.monotonic() - started < BODY_TIMEOUT + 3
        # Closed with the answer, not left to the header timeout of the next request.
        assert _closed_by_the_server(slow, HEADER_TIMEOUT / 2)

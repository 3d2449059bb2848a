"""A real HTTP receiver on 127.0.0.1 for the webhook tests: it records every request and
answers what a test scripts (200 when nothing is scripted), or holds its answers until
released, so deliveries stay in flight; and the API calls the tests make of every
endpoint."""

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import MappingProxyType
from typing import Any, NamedTuple

from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from app.core.db import Database
from app.webhooks.delivery import DeliveryOptions, Sender
from tests.factories import Account


class Received(NamedTuple):
    path: str
    headers: dict[str, str]
    body: bytes


class Answer(NamedTuple):
    status: int
    headers: Mapping[str, str] = MappingProxyType({})
    body: bytes = b"ok"


class Receiver:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.received: list[Received] = []
        self.script: list[Answer] = []
        # When set: the answer to each request, from what it carries (the script is unused).
        self.answering: Callable[[dict[str, str], bytes], Answer] | None = None
        self.lock = threading.Lock()
        # Set: requests are answered at once. Cleared (hold): each waits until it is set again.
        self.gate = threading.Event()
        self.gate.set()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def answer(self, *answers: Answer) -> None:
        """The next requests' answers, in order."""
        with self.lock:
            self.script.extend(answers)

    def hold(self) -> None:
        """Requests from now on are recorded on arrival and answered only once released."""
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()

    def take(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        with self.lock:
            self.received.append(Received(path, headers, body))
            answering = self.answering
            scripted = self.script.pop(0) if self.script and answering is None else Answer(200)
        self.gate.wait()
        # Outside the lock: requests sent side by side are answered side by side.
        return scripted if answering is None else answering(headers, body)


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            if len(body) < length:
                # The sender died while writing its request (a killed worker): as any HTTP
                # server does, an incomplete request is dropped, not taken as a delivery.
                self.close_connection = True
                return
            headers = {name.lower(): value for name, value in self.headers.items()}
            answer = receiver.take(self.path, headers, body)
            try:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender is gone (killed while its request was held): nobody to tell

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release()
        server.shutdown()
        server.server_close()
        thread.join()


def subscribe(client: TestClient, admin: Account, url: str, events: list[str]) -> dict[str, Any]:
    """A new endpoint for ``url`` and ``events``, as the API answers it (its secret included)."""
    response = client.post(
        "/api/v1/webhooks", json={"url": url, "events": events}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def verified(secret: str, received: Received) -> dict[str, Any]:
    """The payload, after the standardwebhooks library has checked its signature."""
    payload: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return payload


def deliveries(
    client: TestClient, admin: Account, endpoint_id: int, **params: str
) -> list[dict[str, Any]]:
    """The endpoint's deliveries as the API lists them."""
    response = client.get(
        f"/api/v1/webhooks/{endpoint_id}/deliveries", params=params, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def senders_side_by_side(db: Database, count: int, *, batch: int) -> None:
    """``count`` senders sweeping ``db`` at once, from the same start, until none finds a
    delivery due; small batches make their claims interleave. Raises what a sender raised."""
    senders = [Sender(DeliveryOptions(allow_private=True, timeout_seconds=5)) for _ in range(count)]
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def work(sender: Sender) -> None:
        try:
            start.wait()
            while sender.deliver_due(db, batch=batch):
                pass
        except BaseException as error:  # reported by the test's thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for sender in senders:
        sender.close()
    if errors:
        raise errors[0]

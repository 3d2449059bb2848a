"""A webhook receiver for the benchmark: a real HTTP server on 127.0.0.1 that answers 204 at
once and notes each message's arrival time; bodies are parsed and signatures checked only
after the measurement, so the receiver costs the shared cores as little as it can.

Endpoint ``n`` is ``/hook/n``; each has its own secret, given once the endpoint is made.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


class Arrival(NamedTuple):
    endpoint: int
    at: float  # time.monotonic() when the body was read
    headers: dict[str, str]
    body: bytes


class Message(NamedTuple):
    endpoint: int
    at: float
    message_id: str
    type: str
    subject_id: int


class Checked(NamedTuple):
    messages: list[Message]
    bad_signatures: int
    # The same webhook-id received twice by one endpoint (at least once allows it; counted).
    duplicates: int


class Receiver:
    def __init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive: the worker's HTTP client reuses its connections, as it would with
            # any production receiver.
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                at = time.monotonic()
                endpoint = int(self.path.rsplit("/", 1)[-1])
                headers = {name.lower(): value for name, value in self.headers.items()}
                self.send_response(204)
                self.end_headers()
                receiver.note(Arrival(endpoint, at, headers, body))

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.arrivals: list[Arrival] = []
        self.secrets: dict[int, str] = {}
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Receiver":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, endpoint: int) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hook/{endpoint}"

    def note(self, arrival: Arrival) -> None:
        with self.arrived:
            self.arrivals.append(arrival)
            self.arrived.notify_all()

    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)

    def wait_for(self, total: int, timeout: float) -> bool:
        """Until ``total`` messages have arrived in all (False if ``timeout`` passed first)."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.arrivals) >= total, timeout)

    def wait_quiet(self, quiet: float, timeout: float) -> None:
        """Until nothing has arrived for ``quiet`` seconds (or ``timeout`` passed)."""
        deadline = time.monotonic() + timeout
        seen = -1
        while time.monotonic() < deadline:
            now = self.count()
            if now == seen:
                return
            seen = now
            time.sleep(quiet)

    def since(self, start: int) -> list[Arrival]:
        with self.lock:
            return self.arrivals[start:]


def check(arrivals: list[Arrival], secrets: dict[int, str]) -> Checked:
    """Every message's signature checked with the Standard Webhooks library, and its body
    read; a message whose signature fails is counted, not returned."""
    verifiers = {endpoint: Webhook(secret) for endpoint, secret in secrets.items()}
    messages: list[Message] = []
    seen: set[tuple[int, str]] = set()
    bad = duplicates = 0
    for arrival in arrivals:
        try:
            verifiers[arrival.endpoint].verify(arrival.body, arrival.headers)
        except (KeyError, WebhookVerificationError):
            bad += 1
            continue
        payload = json.loads(arrival.body)
        message_id = arrival.headers["webhook-id"]
        if (arrival.endpoint, message_id) in seen:
            duplicates += 1
        seen.add((arrival.endpoint, message_id))
        messages.append(
            Message(
                arrival.endpoint, arrival.at, message_id, payload["type"], payload["data"]["id"]
            )
        )
    return Checked(messages, bad, duplicates)

"""The baseline: a bare ASGI app that answers every request with precomputed bytes.

    BENCH_BARE_RESPONSES=responses.json .venv/bin/python -m bench.bare --port P

The benchmark divides the API's figures by this app's, so the ratios say what the API's work
costs on top of what any Python ASGI server on this machine costs anyway (uvicorn, httptools,
uvloop, the loopback socket, wrk itself). For that the two must differ only in the work: the
bare app sends, for each kind of URL, the status, headers and body the API sent for one
representative URL of that kind (fetched before the run, see bench.responses), and it is
served by uvicorn with the API's options (one worker, httptools, uvloop, no access log).
A request that accepts gzip gets the gzip representation the API sent for its kind, where
one was recorded (bench.kinds.coded), so compressed scenarios compare the same bytes too.
"""

import argparse
import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from app.core.serving import SERVE_OPTIONS
from bench.kinds import coded, kind_of

ENV = "BENCH_BARE_RESPONSES"
NOT_FOUND = (404, [(b"content-type", b"text/plain")], b"no such kind of URL\n")


@dataclass(frozen=True, slots=True)
class Canned:
    """One kind's answer, as the ASGI messages need it."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def load(path: Path) -> dict[str, Canned]:
    """Kinds and answers from the file bench.responses writes: status, headers, base64 body."""
    canned = {}
    for kind, item in json.loads(path.read_text()).items():
        body = base64.b64decode(item["body"])
        headers = [
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in item["headers"]
        ]
        headers.append((b"content-length", str(len(body)).encode()))
        canned[kind] = Canned(status=item["status"], headers=headers, body=body)
    return canned


def create_app() -> Any:
    """The ASGI callable; the answers are read once, when uvicorn starts the app."""
    canned = load(Path(os.environ[ENV]))
    missing = Canned(*NOT_FOUND)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()  # lifespan.startup
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        # Read a request body to its end, as any server has to before it answers.
        if scope["method"] in ("POST", "PATCH"):
            more = True
            while more:
                more = (await receive()).get("more_body", False)
        conditional = any(name == b"if-none-match" for name, _ in scope["headers"])
        kind = kind_of(scope["method"], scope["path"], scope["query_string"], conditional)
        if kind:
            kind = coded(kind, scope["headers"])
        answer = canned.get(kind, missing) if kind else missing
        await send({"type": "http.response.start", "status": answer.status,
                    "headers": answer.headers})  # fmt: skip
        await send({"type": "http.response.body", "body": answer.body})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # The API's `presseschau serve` options, its HTTP protocol (httptools based) included:
    # uvicorn picks uvloop there because it is installed; here it is named, so a missing one
    # fails instead of falling back.
    uvicorn.run(
        "bench.bare:create_app",
        host=args.host,
        port=args.port,
        workers=1,
        loop="uvloop",
        log_level="warning",
        **SERVE_OPTIONS,
    )


if __name__ == "__main__":
    main()

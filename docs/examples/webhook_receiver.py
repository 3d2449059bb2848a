"""A webhook receiver that acts only on messages Presseschau signed.

    pip install standardwebhooks
    WEBHOOK_SECRET=whsec_... python webhook_receiver.py 8080

Register its public https:// URL as an endpoint (POST /api/v1/webhooks) and keep the secret
the answer shows once. Every message is checked by the Standard Webhooks library: signature,
and a timestamp within five minutes, so a recorded message cannot be replayed later.
"""

import os
import sys
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


def rebuild(event: dict[str, Any]) -> None:
    """What the site does with an event: here, say which page to build again."""
    data = event["data"]
    print(f"{event['type']}: post {data['id']} ({data.get('url')})", flush=True)


def make_handler(
    secret: str, on_event: Callable[[dict[str, Any]], None] = rebuild
) -> type[BaseHTTPRequestHandler]:
    webhook = Webhook(secret)
    seen: set[str] = set()  # webhook-id is the same on every retry: act once

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            try:
                event = webhook.verify(body, dict(self.headers.items()))
            except WebhookVerificationError:
                self.send_response(400)  # not from the site: ignored
            else:
                if self.headers["webhook-id"] not in seen:
                    seen.add(self.headers["webhook-id"])
                    on_event(event)
                self.send_response(204)  # any 2xx: delivered, no retry
            self.end_headers()

    return Handler


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    HTTPServer(("", port), make_handler(os.environ["WEBHOOK_SECRET"])).serve_forever()

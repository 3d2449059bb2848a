"""Who a client is, for limits, without storing its address."""

import hashlib
import hmac

from fastapi import Request


def client_key(request: Request, secret: str) -> str:
    """A keyed hash of the client's address (the proxy's view, with uvicorn's proxy_headers)."""
    address = request.client.host if request.client else "unknown"
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()

"""Standard Webhooks signatures: ``v1,`` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))
with the key the ``whsec_`` secret's base64 part decodes to."""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

PREFIX = "whsec_"
KEY_BYTES = 24  # 192 bits; the specification asks for 24 to 64


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,...`` signature of one message under one secret."""
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_: Iterable[str], message_id: str, timestamp: int, body: bytes) -> str:
    """``webhook-signature``: one signature per secret in use, separated by spaces (during a
    rotation the receiver accepts the message under either key)."""
    return " ".join(sign(secret, message_id, timestamp, body) for secret in secrets_)

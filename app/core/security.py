"""API tokens: random, prefixed, self-checking, and stored only as a hash.

Format: ``psk_`` + 32 random base62 characters + a 6-character base62 CRC32 of them, as
GitHub does, so a mistyped or made-up token is rejected before any database lookup.
"""

import hashlib
import secrets
import string
import zlib

TOKEN_PREFIX = "psk_"  # noqa: S105 (a public marker, not a secret)
_ALPHABET = string.digits + string.ascii_letters
_RANDOM_LENGTH = 32
_CHECKSUM_LENGTH = 6
TOKEN_LENGTH = len(TOKEN_PREFIX) + _RANDOM_LENGTH + _CHECKSUM_LENGTH
DISPLAY_PREFIX_LENGTH = len(TOKEN_PREFIX) + 6


def _base62(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, remainder = divmod(number, 62)
        digits.append(_ALPHABET[remainder])
    return "".join(reversed(digits))


def _checksum(random_part: str) -> str:
    return _base62(zlib.crc32(random_part.encode("ascii")), _CHECKSUM_LENGTH)


def generate_token() -> str:
    random_part = "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_LENGTH))
    return f"{TOKEN_PREFIX}{random_part}{_checksum(random_part)}"


def is_well_formed(token: str) -> bool:
    if len(token) != TOKEN_LENGTH or not token.startswith(TOKEN_PREFIX):
        return False
    body = token[len(TOKEN_PREFIX) :]
    if any(char not in _ALPHABET for char in body):
        return False
    random_part, checksum = body[:_RANDOM_LENGTH], body[_RANDOM_LENGTH:]
    return secrets.compare_digest(_checksum(random_part), checksum)


def hash_token(token: str) -> str:
    # The token carries 190 bits of randomness, so a fast hash is enough; nothing to stretch.
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def display_prefix(token: str) -> str:
    return token[:DISPLAY_PREFIX_LENGTH]

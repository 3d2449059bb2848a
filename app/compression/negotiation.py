"""Which content coding a request accepts: ``Accept-Encoding`` (RFC 9110 § 12.5.3).

The header is a list of codings, each with an optional weight (``gzip;q=0.8``); ``*`` stands
for every coding not named, and ``identity`` (no coding) is acceptable unless it is refused
by name or by ``*;q=0``. A request without the header gets identity: any coding would be
allowed, but a client that names none may not decode one.

A header is read by splitting on commas and semicolons, never by a regular expression, and
only up to ``MAX_BYTES`` and ``MAX_CODINGS``: real clients send a few dozen bytes
(``gzip, deflate, br, zstd``), so anything longer is junk and answered with identity, which
every client can read. The answers for the headers seen last are kept, since a site's clients
send the same few headers over and over.
"""

from dataclasses import dataclass
from functools import lru_cache

# The codings served, in the order preferred when the client weighs several alike: at the
# levels used, all three make bodies within a few percent of each other's size, and zstd
# takes about a tenth of gzip's time, Brotli about a third (app.compression.codecs).
CODINGS: tuple[str, ...] = ("zstd", "br", "gzip")

MAX_BYTES = 512
MAX_CODINGS = 32
_ALIASES = {"x-gzip": "gzip"}  # RFC 9110 § 8.4.1.3: the same coding


@dataclass(frozen=True, slots=True)
class Accepted:
    """The coding to use for a body worth compressing (None: identity), and whether identity
    is acceptable at all (when not, a small body is compressed too)."""

    coding: str | None
    identity: bool = True


IDENTITY = Accepted(None)


def accepted(headers: list[tuple[bytes, bytes]]) -> Accepted:
    """What the request's ``Accept-Encoding`` lines accept, read from its ASGI headers."""
    values = [value for name, value in headers if name == b"accept-encoding"]
    if not values:
        return IDENTITY
    return parse(values[0] if len(values) == 1 else b",".join(values))


def parse(header: bytes) -> Accepted:
    if len(header) > MAX_BYTES:
        return IDENTITY
    return _parse(header)


@lru_cache(maxsize=256)
def _parse(header: bytes) -> Accepted:
    elements = header.split(b",")
    if len(elements) > MAX_CODINGS:
        return IDENTITY
    weights: dict[str, float] = {}
    for element in elements:
        name, *parameters = element.split(b";")
        coding = name.strip(b" \t").decode("latin-1").lower()
        if not coding:
            continue
        weight = _weight(parameters)
        if weight is None:
            continue  # a malformed weight: the element is ignored, not the whole header
        # Named twice: the first counts, as in the field's usual reading.
        weights.setdefault(_ALIASES.get(coding, coding), weight)
    anything = weights.get("*")
    best, best_weight = None, 0.0
    for coding in CODINGS:
        weight = weights.get(coding, anything if anything is not None else 0.0)
        if weight > best_weight:
            best, best_weight = coding, weight
    # Identity is acceptable unless refused; a weight given to it (or to ``*``) can make the
    # client prefer it to every coding it also takes.
    identity = weights.get("identity", anything)
    if identity is not None and identity > best_weight:
        best = None
    return Accepted(best, identity is None or identity > 0)


def _weight(parameters: list[bytes]) -> float | None:
    """The ``q`` of an element's parameters (1 without one), or None when it is not a
    qvalue: ``0``, ``1`` or a decimal between with at most three digits."""
    for parameter in parameters:
        name, _, value = parameter.partition(b"=")
        if name.strip(b" \t").lower() != b"q":
            continue
        text = value.strip(b" \t")
        whole, dot, fraction = text.partition(b".")
        if (
            whole not in (b"0", b"1")
            or len(fraction) > 3
            or (dot and not fraction.isdigit() and fraction != b"")
            or (whole == b"1" and fraction.strip(b"0"))
        ):
            return None
        return float(text)
    return 1.0

"""Which addresses a delivery may connect to, decided on the addresses a name resolves to
when the delivery is sent (not when the endpoint was saved), so a name that later resolves to
an inside address reaches nothing."""

import ipaddress
import socket
from typing import NamedTuple
from urllib.parse import urlsplit

from app.core.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The URL may not be reached: its reason is recorded on the delivery."""


class Target(NamedTuple):
    """Where to connect: the address checked, and the name the request is for (its Host
    header, and the name TLS verifies)."""

    address: IPAddress
    host: str
    port: int


def allowed(address: IPAddress) -> bool:
    """Only addresses of the public internet: not loopback, link-local, private, shared
    (carrier-grade NAT), reserved, multicast or unspecified ones."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not address.is_multicast


def check_url(url: str, *, allow_private: bool) -> None:
    """Raises InvalidInput for a URL an endpoint may not have (when it is saved): not http(s),
    no host, plain http or a private literal address unless private ones are allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("A webhook URL is an absolute https:// URL.")
    if parts.username or parts.password:
        raise InvalidInput("A webhook URL carries no user name or password.")
    if allow_private:
        return
    if parts.scheme != "https":
        raise InvalidInput("A webhook URL must use https://.")
    literal = _literal(parts.hostname)
    if literal is not None and not allowed(literal):
        raise InvalidInput(f"A webhook may not reach the private address {literal}.")


def resolve(url: str, *, allow_private: bool) -> Target:
    """The address to send to for ``url``: the first its name resolves to that is allowed.
    Raises Refused when there is none (or the name does not resolve)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "https" and not allow_private:
        raise Refused("plain http:// is not allowed")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    literal = _literal(host)
    if literal is not None:
        candidates = [literal]
    else:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise Refused(f"{host} does not resolve: {error}") from error
        candidates = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found]
    for candidate in candidates:
        if allow_private or allowed(candidate):
            return Target(candidate, host, port)
    shown = ", ".join(str(candidate) for candidate in candidates) or "nothing"
    raise Refused(f"{host} resolves to {shown}: no public address (private ones are not allowed)")


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None

"""Who may read /metrics: callers on this machine, and scrapers with the metrics token.

Metrics tell request rates, error counts and latencies per operation: nothing a visitor
needs, and a help to someone probing the server. A refusal is a 401 (a token is configured,
and a wrong or missing one was sent) or a 403 (none is configured, so only this machine may
read them), as problem+json like every error; Prometheus shows that status on its targets
page, which tells an operator to set the scrape's ``authorization`` rather than look for a
wrong ``metrics_path``, as a 404 would suggest.
"""

import hmac
import ipaddress
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.deps import SettingsDep
from app.core.errors import Forbidden, Unauthorized

# A request that passed through a proxy carries one of these; its client address is then
# the proxy's (or, with FORWARDED_ALLOW_IPS, the one it names), never "this machine".
FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")

metrics_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="MetricsToken",
    description="PRESSESCHAU_METRICS_TOKEN, for /metrics from other hosts.",
)


def is_loopback_caller(request: Request) -> bool:
    """The request came straight from this machine: a loopback address, no proxy between."""
    if request.client is None:
        return False
    try:
        address = ipaddress.ip_address(request.client.host)
    except ValueError:
        return False  # not an IP address: a Unix socket's peer, or a test's made-up name
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not address.is_loopback:
        return False
    return not any(header in request.headers for header in FORWARDING_HEADERS)


async def require_metrics_access(
    request: Request,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(metrics_bearer)],
) -> None:
    if is_loopback_caller(request):
        return
    expected = settings.metrics_token.get_secret_value()
    if not expected:
        raise Forbidden(
            "Metrics are served to this machine only; set PRESSESCHAU_METRICS_TOKEN to "
            "scrape them from elsewhere with Authorization: Bearer."
        )
    sent = credentials.credentials if credentials is not None else ""
    # Compared in constant time: the time taken tells nothing about the token.
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Unauthorized("Metrics need Authorization: Bearer with the metrics token.")

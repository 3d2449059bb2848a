"""How uvicorn serves the app; the benchmark's bare app is served the same way.

Kept apart from the command line so that importing it loads nothing else."""

import resource
from typing import Any

SERVE_OPTIONS: dict[str, Any] = {
    "factory": True,
    "proxy_headers": True,
    "server_header": False,
    # Presseschau logs each request itself, with its id; uvicorn would repeat it.
    "access_log": False,
    # uvicorn's HTTP protocol with a deadline for request headers (imported by uvicorn).
    "http": "app.core.connections:HeaderTimeoutProtocol",
}


# Linux refuses a soft limit above fs.nr_open (1,048,576 by default) whatever the hard limit.
_DESCRIPTORS_MAX = 1_048_576


def raise_descriptor_limit() -> int:
    """Raise this process's soft limit of open files to its hard limit, and return it.

    Every connection holds a descriptor, idle ones included; the usual soft limit of 1,024
    lets a thousand slow clients keep everyone else out until their headers time out."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = _DESCRIPTORS_MAX if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            return soft  # as it was: the server still runs, with fewer connections
        return wanted
    return soft

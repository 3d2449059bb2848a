"""How uvicorn serves the app; the benchmark's bare app is served the same way.

Kept apart from the command line so that importing it loads nothing else."""

from typing import Any

SERVE_OPTIONS: dict[str, Any] = {
    "factory": True,
    "proxy_headers": True,
    "server_header": False,
    # Presseschau logs each request itself, with its id; uvicorn would repeat it.
    "access_log": False,
}

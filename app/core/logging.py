"""JSON log lines, each carrying the id of the request it belongs to."""

import logging
import sys
import time
from contextvars import ContextVar
from datetime import UTC, datetime

import orjson

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_make_record = logging.getLogRecordFactory()


def _record_with_request_id(*args: object, **kwargs: object) -> logging.LogRecord:
    # Stamped when the record is made: a handler may format it later, outside the request.
    record = _make_record(*args, **kwargs)
    record.request_id = request_id.get()
    return record


logging.setLogRecordFactory(_record_with_request_id)
# None of these is in a log line, and each costs time on every record (the logging HOWTO's
# "Optimization" section); the caller's file and line matter least on a per-request line.
logging._srcfile = None
logging.logThreads = False
logging.logProcesses = False
logging.logMultiprocessing = False

# "color_message" is uvicorn's ANSI-coloured copy of the message.
_STANDARD = (set(logging.makeLogRecord({}).__dict__) - {"request_id"}) | {
    "message",
    "asctime",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    # Every request writes a line, so this is on the hot path: orjson, and one pass over the
    # record's attributes for the fields passed as ``extra``.
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if value is not None and key not in _STANDARD:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


ACCESS_LOGGER = "presseschau.access"


class _Clock:
    """The log lines' time stamps, with the date and time to the second made once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def stamp(self, now: float) -> str:
        second = int(now)
        if second != self._second:
            self._prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second = second
        return f"{self._prefix}.{int((now - second) * 1000):03d}+00:00"


_clock = _Clock()


def write_access_line(*, method: str, path: str, status: int, duration_ms: float) -> None:
    """One request's line on stderr, in the shape JsonFormatter gives every other line.

    Written directly, not through ``logging``: every request writes one, and a logging record
    with its handler and lock costs several times what the line itself does. Called on the
    event loop only (the clock is not shared between threads)."""
    line = {
        "time": _clock.stamp(time.time()),
        "level": "info",
        "logger": ACCESS_LOGGER,
        "message": "request",
        "request_id": request_id.get(),
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": duration_ms,
    }
    stream = sys.stderr  # looked up each time: whoever captures stderr gets the lines
    stream.write(orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE).decode())
    stream.flush()


def log_config() -> dict[str, object]:
    """A dictConfig for uvicorn, which applies it in every worker process it starts."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": "INFO"},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
        },
    }

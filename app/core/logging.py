"""JSON log lines, each carrying the id of the request it belongs to."""

import logging
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

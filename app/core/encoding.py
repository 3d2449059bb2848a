"""JSON bytes written without the framework, the same as pydantic would write them."""

import orjson


def encode_json(document: object) -> bytes:
    """The bytes pydantic would write for the same values (UTC as "Z"), about four times
    faster; the direct-read tests compare the two."""
    return orjson.dumps(document, option=orjson.OPT_UTC_Z)

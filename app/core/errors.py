"""Domain errors and their one mapping to RFC 9457 ``application/problem+json`` bodies."""

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
# What a busy, unreachable or exhausted database raises: a 503, to be retried.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
logger = logging.getLogger("presseschau")


class DomainError(Exception):
    """Raised by services; the HTTP layer turns it into a problem response."""

    status: int = HTTPStatus.BAD_REQUEST
    headers: ClassVar[dict[str, str] | None] = None

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if headers is not None:
            self.headers = headers  # type: ignore[misc]  # an instance may add its own

    def members(self) -> dict[str, Any]:
        """Members of the problem body besides the standard ones."""
        return {}


class NotFound(DomainError):
    status = HTTPStatus.NOT_FOUND


class Conflict(DomainError):
    status = HTTPStatus.CONFLICT


class Forbidden(DomainError):
    status = HTTPStatus.FORBIDDEN


class Unauthorized(DomainError):
    status = HTTPStatus.UNAUTHORIZED
    headers: ClassVar[dict[str, str] | None] = {"WWW-Authenticate": "Bearer"}


class Gone(DomainError):
    """What was there is no more, and will not be again (an expired link)."""

    status = HTTPStatus.GONE


class TooManyRequests(DomainError):
    status = HTTPStatus.TOO_MANY_REQUESTS


class InvalidInput(DomainError):
    """Well-formed input that the data rejects (an unknown source id, say)."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY


class PreconditionFailed(DomainError):
    """A write's If-Match names no current version (app.core.preconditions): nothing was
    changed; the body holds the resource as it is now."""

    status = HTTPStatus.PRECONDITION_FAILED

    def __init__(self, detail: str, *, version: int, etag: str, current: Any) -> None:
        super().__init__(detail, headers={"ETag": etag})
        self.version = version
        self.current = current

    def members(self) -> dict[str, Any]:
        current = self.current
        if isinstance(current, BaseModel):
            current = current.model_dump(mode="json")
        return {"version": self.version, "current": current}


class RefusedItem(BaseModel):
    """One item of a bulk request that could not be done, and why."""

    id: int
    status: int = Field(description="The status a request for this item alone would get.")
    detail: str


class BulkRefused(DomainError):
    """Items of an all-or-nothing bulk request were refused: nothing was changed."""

    status = HTTPStatus.CONFLICT

    def __init__(self, refused: list[RefusedItem]) -> None:
        super().__init__(
            f"{len(refused)} of the items cannot be done as asked (see refused); nothing was "
            "changed."
        )
        self.refused = refused

    def members(self) -> dict[str, Any]:
        return {"refused": [item.model_dump() for item in self.refused]}


class PreconditionRequired(DomainError):
    """A write without If-Match where the server requires one."""

    status = HTTPStatus.PRECONDITION_REQUIRED


class InvalidParam(BaseModel):
    loc: list[str | int] = Field(description="Where the value was: body, query, path, header.")
    msg: str
    type: str


# The schemas below describe the bodies ``problem_response`` sends, field for field: every
# field they send always is required, and nothing else may appear.
class Problem(BaseModel):
    """An error, as RFC 9457 describes it."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="A URI naming the kind of problem; about:blank here.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request, for a human.")


class ValidationProblem(Problem):
    """A 422: the request's values, or what they refer to, are not valid."""

    errors: list[InvalidParam] = Field(
        default_factory=list,
        description="Each invalid value, when the request's form was refused (a missing, "
        "unknown or malformed field or parameter); absent, never null, when the data it "
        "refers to was (an unknown source_id, say): detail then says what.",
    )


class PreconditionProblem(Problem):
    """A 412: the write's If-Match names no current version; nothing was changed."""

    version: int = Field(description="The resource's current version; its ETag is the header.")
    current: dict[str, Any] = Field(
        description="The resource as a read by the same caller gives it now, to merge into."
    )


class BulkProblem(Problem):
    """A bulk request refused: the items that cannot be done; nothing was changed."""

    refused: list[RefusedItem] = Field(description="Every refused item, in request order.")


def problem_response(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    members: Mapping[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    if members:
        body.update(members)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def error_message(error: Mapping[str, Any]) -> str:
    """Pydantic's message for one error, in characters where it counts a text's "items": a
    length checked after a text's validator is checked as any sequence's."""
    message = str(error.get("msg", ""))
    kind, context, given = error.get("type"), error.get("ctx") or {}, error.get("input")
    if not isinstance(given, str):
        return message
    # Only where the text as given is what broke the limit: a value its validator lengthened
    # (a URL, percent-encoded) keeps Pydantic's words, which speak of it as validated.
    if kind == "too_long" and len(given) > (limit := context.get("max_length", 0)):
        return f"String should have at most {limit} characters, not {len(given)}"
    if kind == "too_short" and len(given) < (limit := context.get("min_length", 0)):
        return f"String should have at least {limit} character{'s' * (limit != 1)}"
    return message


def first_error(errors: Sequence[Mapping[str, Any]]) -> str:
    """Pydantic's errors in one line: where and what the first is, and how many follow."""
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    message = error_message(first)
    return f"{where}: {message}{more}" if where else f"{message}{more}"


def _describe_validation(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    errors = []
    for error in exc.errors():
        loc = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
        errors.append({"loc": loc, "msg": error_message(error), "type": error.get("type", "")})
    if not errors:
        return "The request is not valid.", errors
    return first_error(errors), errors


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem_response(exc.status, exc.detail, headers=exc.headers, members=exc.members())


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail, errors = _describe_validation(exc)
    return problem_response(422, detail, errors=errors)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = "No such resource."
    elif exc.status_code == 400 and detail == "There was an error parsing the body":
        detail = (
            "The request body could not be parsed: it must be JSON in UTF-8, not nested too deeply."
        )
    headers = dict(exc.headers) if exc.headers is not None else None
    return problem_response(exc.status_code, detail, headers=headers)


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    logger.warning("database unavailable: %s", type(exc).__name__)
    return problem_response(
        503,
        "The database is busy or unreachable; nothing was changed. Retry shortly.",
        headers={"Retry-After": "1"},
    )


def unexpected_error_response() -> JSONResponse:
    """The answer to an error nothing expected: nothing of the internals in it."""
    return problem_response(500, "An unexpected error occurred; it has been logged.")


async def _unexpected_error(_request: Request, _exc: Exception) -> JSONResponse:
    # Starlette answers with this and raises the error again, for the request context to log.
    return unexpected_error_response()


async def _integrity_error(_request: Request, _exc: Exception) -> JSONResponse:
    # Services turn the conflicts they expect into clear messages; this catches races.
    return problem_response(409, "The change conflicts with data written at the same time; retry.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, _database_unavailable)
    app.add_exception_handler(IntegrityError, _integrity_error)
    # A row's version moved under a write that had not locked it (app.derived.versions).
    app.add_exception_handler(StaleDataError, _integrity_error)
    app.add_exception_handler(Exception, _unexpected_error)


# Problem responses whose meaning is the same wherever they are declared.
_DESCRIBED: dict[int, dict[str, Any]] = {
    HTTPStatus.PRECONDITION_FAILED: {
        "description": "If-Match names no version the resource is at (a weak or malformed "
        "tag names none): nothing was changed. The body holds the current version and "
        "representation, the ETag header the current ETag to merge into and retry with.",
        "headers": {"ETag": {"description": "The current ETag.", "schema": {"type": "string"}}},
    },
    HTTPStatus.PRECONDITION_REQUIRED: {
        "description": "This server requires If-Match on this write "
        "(PRESSESCHAU_REQUIRE_IF_MATCH) and none was sent: send the ETag of a read.",
    },
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the problem responses an operation can return."""
    return {
        status: dict(_DESCRIBED.get(status, {"description": HTTPStatus(status).phrase}))
        for status in statuses
    }

"""The command line's one error boundary: every failure the user can do something about ends
as one line on standard error, ``presseschau: ...``, with exit status 1 (2 for a command line
that does not parse); tracebacks are left to bugs. Loads typer and the standard library only,
like the command line itself."""

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from app.events.actor import COMMAND_LINE, acting_as

PROGRAM = "presseschau"


def _one_line(message: str) -> str:
    """A message as the line after ``presseschau:`` (lower case unless an acronym starts it;
    a message of several lines joined)."""
    message = "; ".join(part.strip() for part in message.strip().splitlines() if part.strip())
    # Pydantic's prefix to a validator's own message: the message says it without.
    message = message.replace("Value error, ", "")
    if message and not message[1:2].isupper():
        message = message[0].lower() + message[1:]
    return message


def _fail(message: str, status: int) -> int:
    typer.secho(f"{PROGRAM}: {_one_line(message)}", err=True, fg=typer.colors.RED)
    return status


def _usage_problem(error: typer.TyperException) -> str:
    """A command line that does not parse, in one line pointing to the command's help."""
    message = error.format_message().rstrip(".")
    context = getattr(error, "ctx", None)  # the command it was for, when known
    return f"{message} (see `{context.command_path} --help`)" if context else message


def _known_problem(error: Exception) -> str | None:
    """The one-line message for an error the user can act on; None for a bug."""
    # Loaded only here: a command that failed this way has loaded them already.
    from pydantic import ValidationError

    from app.core.errors import DATABASE_UNAVAILABLE, DomainError, first_error

    if isinstance(error, DomainError):
        return error.detail
    if isinstance(error, ValidationError):  # a value an option passed on to a schema
        return first_error(error.errors())
    if isinstance(error, DATABASE_UNAVAILABLE):  # gone after the command's check
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return f"The database is busy or unreachable: {reason}"
    return None


class Commands(TyperGroup):
    """The command line's one error boundary: every command runs inside ``main``, which turns
    the errors a user can act on into one line on standard error (see the module's
    docstring) and leaves tracebacks to bugs."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            # Whatever a command writes is recorded as done by the command line; the actor
            # before it comes back afterwards (the tests run commands in their own process).
            with acting_as(COMMAND_LINE):
                status = super().main(
                    args,
                    PROGRAM,  # the name messages give, also under `python -m app` and in tests
                    complete_var,
                    standalone_mode=False,  # errors come here rather than into boxes
                    windows_expand_args=windows_expand_args,
                    **extra,
                )
        except typer.TyperException as error:  # typer's (its own click's) usage errors
            status = _fail(_usage_problem(error), error.exit_code)
        except typer.Abort:
            status = _fail("aborted", 1)
        except Exception as error:
            if (problem := _known_problem(error)) is None:
                raise
            status = _fail(problem, 1)
        status = status if isinstance(status, int) else 0
        if standalone_mode:
            sys.exit(status)
        return status

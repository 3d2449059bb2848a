"""Request bodies whose text is cleaned off the event loop and outside write transactions.

Validating a request body happens on the event loop, where anything slow stalls every other
request. So a ``TextInput`` validates only the text as sent (its length limits included),
and what costs in proportion to the text, taking markup out of plain-text fields and
rendering a body, is its ``prepared`` step: ``Database`` runs it on the worker thread before
it opens the transaction for the work the input is for. The services prepare their input
again, which costs nothing when it was, so an input validated elsewhere (the demo data, the
importers) is stored cleaned all the same.
"""

from typing import Any, Self, TypeVar

from pydantic import BaseModel, PrivateAttr, TypeAdapter, ValidationError

from app.core.errors import InvalidInput, first_error
from app.core.text import CLEANING

T = TypeVar("T")


def validate_cleaned(adapter: TypeAdapter[T], value: object) -> T:
    """``value`` validated as it is (its length first), then cleaned and checked again: a
    value that is no request's, here and now."""
    return adapter.validate_python(adapter.validate_python(value), context={CLEANING: True})


class TextInput(BaseModel):
    _cleaned: bool = PrivateAttr(default=False)

    def cleaned(self) -> Self:
        """This input with its plain-text fields cleaned, and the constraints that follow the
        cleaning checked on them (a title of only markup is none); ``ValidationError``."""
        if self._cleaned:
            return self
        values = {name: getattr(self, name) for name in self.model_fields_set}
        cleaned = self.model_validate(values, context={CLEANING: True})
        cleaned._cleaned = True
        return cleaned

    def prepared(self) -> Self:
        """``cleaned``, and whatever else the input's storing derives from it alone."""
        return self.cleaned()


def prepare_inputs(arguments: dict[str, Any]) -> None:
    """Replace each ``TextInput`` among ``arguments`` by its prepared form; a cleaned value
    the constraints refuse is an ``InvalidInput``."""
    for name, value in arguments.items():
        if isinstance(value, TextInput):
            try:
                arguments[name] = value.prepared()
            except ValidationError as error:
                raise InvalidInput(first_error(error.errors())) from error

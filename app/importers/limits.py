"""What an import checks of an item before it writes anything: the limits every write path
applies (the API's, which the restore applies too), so that whatever an import stores
exports and restores; an item over them fails alone."""

from pydantic import TypeAdapter, ValidationError

from app.auth.models import USER_NAME_MAX
from app.auth.schemas import UserName
from app.core.errors import InvalidInput, first_error
from app.core.inputs import validate_cleaned
from app.importers.records import ImportedPost
from app.posts.imports import ImportKey
from app.posts.models import BODY_MAX, CREDIT_MAX, TAG_MAX, TAGS_PER_POST_MAX, TITLE_MAX

_USER_NAME: TypeAdapter[str] = TypeAdapter(UserName)
_IMPORT_KEY: TypeAdapter[str] = TypeAdapter(ImportKey)
# Markup is stripped from titles, names and tags before their lengths count, and stripping
# costs more the more markup there is: a value this many times longer than its limit is
# refused before it is cleaned, whatever file it comes from.
RAW_FACTOR = 10


def user_name(text: str | None) -> str | None:
    """``text`` as a user name (markup and spaces folded), or None when it cannot be one."""
    if not text or len(text) > RAW_FACTOR * USER_NAME_MAX:
        return None
    try:
        return validate_cleaned(_USER_NAME, text)
    except ValidationError:
        return None


def author_name(text: str) -> str:
    """The name an import's default author is given as, as a user name; InvalidInput when
    it cannot be one."""
    if len(text) > RAW_FACTOR * USER_NAME_MAX:
        reason = f"it is {len(text):,} characters long, more than {USER_NAME_MAX}"
    else:
        try:
            return validate_cleaned(_USER_NAME, text)
        except ValidationError as error:
            reason = first_error(error.errors())
    raise InvalidInput(f"The author {text[:100]!r} cannot be a user name: {reason}.")


def refusal(item: ImportedPost) -> str | None:
    """Why the item cannot be imported before it is even cleaned and checked as a post (far
    too large, or its import key over its limit), or None."""
    if len(item.body) > BODY_MAX:  # refused before it is rendered, which costs with its size
        return f"its body is {len(item.body):,} characters long, more than {BODY_MAX:,} allowed"
    labels = [*item.tags, *item.categories]
    if len(labels) > RAW_FACTOR * TAGS_PER_POST_MAX:
        return f"it has {len(labels):,} tags and categories, more than a post can have"
    values = [("title", item.title, TITLE_MAX), ("credit", item.credit or "", CREDIT_MAX)]
    values += [("tag or category", label, TAG_MAX) for label in labels]
    for name, value, limit in values:
        if len(value) > RAW_FACTOR * limit:
            return f"its {name} is {len(value):,} characters long, more than {limit:,} allowed"
    if item.import_key is not None:
        try:
            _IMPORT_KEY.validate_python(item.import_key)
        except ValidationError as error:
            return f"its GUID (import key): {first_error(error.errors())}"
    return None


def database_refusal(error: Exception) -> str:
    """Why the database refused an item's post, in one line, without the statement."""
    refused = str(getattr(error, "orig", None) or error).strip()
    return (
        f"the database refused it: {refused.splitlines()[0] if refused else type(error).__name__}"
    )

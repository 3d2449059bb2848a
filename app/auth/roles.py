"""The roles a user can have: apart from the models, so the command line can name them in its
options without loading the database layer (``presseschau --help`` stays fast)."""

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    editor = "editor"
    author = "author"


class TokenKind(StrEnum):
    """What a token may do: ``full`` all its user may; ``preview`` only read what its user
    may read of the content (posts, sources, archives), for a frontend's preview mode."""

    full = "full"
    preview = "preview"

"""The roles a user can have: apart from the models, so the command line can name them in its
options without loading the database layer (``presseschau --help`` stays fast)."""

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    editor = "editor"
    author = "author"

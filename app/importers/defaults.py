"""What an import assumes when the file does not say: apart from the import service, so the
command line can show it in its help without loading the importers."""

# Posts a file names no author for are written in this user's name (made when missing).
DEFAULT_AUTHOR_LOGIN = "import"

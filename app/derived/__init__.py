"""The derived-state layer: what every write keeps up to date besides its own rows. The
database keeps some itself, by triggers declared once in ``triggers`` (content version,
published counts, the post-document queue); before-commit hooks keep the rest (post documents
now); ``root`` is the one place that opens a database with them. It also holds the content
version's reader and what is kept per version, below the HTTP layers (app.caching,
app.direct_reads), which read them from here."""

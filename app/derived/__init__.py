"""The derived-state layer: what every write keeps up to date besides its own rows. The
database keeps some itself, by triggers declared once in ``triggers`` (content version,
published counts, the post-document queue); before-commit hooks keep the rest (post documents
now), and ``root`` is the one place that opens a database with them."""

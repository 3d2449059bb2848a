"""The derived-state layer: what every write keeps up to date besides its own rows (post
documents, the content version and what is kept per version), the hooks that run it and the
one place that opens a database with them. It sits below the HTTP layers (app.caching,
app.direct_reads), which read the content version from here."""

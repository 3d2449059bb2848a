"""The derived-state layer: what every write keeps up to date besides its own rows (post
documents now), the hooks that run it and the one place that opens a database with them."""

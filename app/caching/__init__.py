"""HTTP caching: validators, conditional requests and a response cache kept correct by a
content version that the database itself bumps on every change to public content."""

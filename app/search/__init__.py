"""Full-text search: one analyzer for both databases, the index the worker keeps, the query
language and the search endpoint (docs/search.md)."""

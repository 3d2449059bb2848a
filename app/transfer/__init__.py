"""Lossless export and restore of everything the database holds.

Docs
----
``presseschau export FILE`` writes one JSON document (``-`` writes it to standard output);
``GET /api/v1/export`` streams the same document to admins, as
``presseschau-YYYYMMDD.json``. ``presseschau import json FILE`` (``-`` reads standard input)
restores it into a new database: create the database, run ``presseschau migrate``, then
import. Every post, source, tag, user, like and audit entry comes back with its id, slug,
status and time stamps, so every API response is the same as before, on SQLite or PostgreSQL, whichever the
export came from; moving a site from SQLite to PostgreSQL is an export and an import.

* The export is one consistent snapshot, read in batches: its memory stays the same however
  large the database is, and writers go on while it runs.
* The restore reads the document as a stream and writes in batches within one transaction:
  it either restores everything or, on any error (or when it is killed), nothing at all. It
  refuses a database that has any content, a document of an unknown format or version, and a
  malformed one, saying where (``posts[17] (id 4711): published_at: ...``).
* API tokens are not exported: create new ones after a restore with
  ``presseschau tokens create USER``. Throttling and cache state are not content and are left
  out too (``format.NOT_EXPORTED`` says why for each table).

``format`` documents the document field by field; ``exporter`` writes it, ``reader`` and
``restorer`` read it back, ``router`` serves the export over HTTP.
"""

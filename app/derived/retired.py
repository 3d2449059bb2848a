"""Trigger families as earlier releases declared them, written out: the migrations that made
them, and the downgrades of those that replaced or removed them, make and drop exactly what
those releases had, whatever the declarations (``app.derived.triggers``) say now.

- ``publication_schedule`` (fingerprint 5476f13ce615de3a): the posts published for a later
  time, which the worker announced when they went public. Removed since a post's status is
  stored (``scheduled`` until the worker publishes it).
- ``published_counts`` (fingerprint 0ff9a480d1329a72): counted posts published with a
  publication time, when a published post could still lie ahead.
- ``post_search`` (fingerprint f365c3a71f49a0ad): a rename of a source or tag queued every
  post of it and deleted their index rows in the renaming transaction.
- ``post_documents`` (fingerprint 2aa61451c6bd91b8): queued a post without a generation, for
  its own transaction to store, after deleting its document.
"""

from app.derived.trigger_types import Family, Function, Rendered, Trigger

_PUBLICATION_SCHEDULE_1_SQLITE = Rendered(
    functions=(),
    triggers=(
        Trigger(
            name="publication_schedule_insert",
            table="posts",
            events=("INSERT",),
            create="CREATE TRIGGER publication_schedule_insert AFTER INSERT ON posts WHEN new.status = 'published' AND new.published_at > strftime('%Y-%m-%d %H:%M:%f000', 'now') BEGIN INSERT INTO publication_schedule (post_id, due_at) VALUES (NEW.id, NEW.published_at) ON CONFLICT (post_id) DO UPDATE SET due_at = excluded.due_at; END",
        ),
        Trigger(
            name="publication_schedule_update",
            table="posts",
            events=("UPDATE",),
            create="CREATE TRIGGER publication_schedule_update AFTER UPDATE OF status, published_at ON posts WHEN new.status = 'published' AND new.published_at > strftime('%Y-%m-%d %H:%M:%f000', 'now') BEGIN INSERT INTO publication_schedule (post_id, due_at) VALUES (NEW.id, NEW.published_at) ON CONFLICT (post_id) DO UPDATE SET due_at = excluded.due_at; END",
        ),
        Trigger(
            name="publication_schedule_due",
            table="posts",
            events=("UPDATE",),
            create="CREATE TRIGGER publication_schedule_due AFTER UPDATE OF status, published_at ON posts WHEN (new.status = 'published' AND new.published_at IS NOT NULL) AND NOT (new.status = 'published' AND new.published_at > strftime('%Y-%m-%d %H:%M:%f000', 'now')) BEGIN UPDATE publication_schedule SET due_at = NEW.published_at WHERE post_id = NEW.id; END",
        ),
        Trigger(
            name="publication_schedule_withdraw",
            table="posts",
            events=("UPDATE",),
            create="CREATE TRIGGER publication_schedule_withdraw AFTER UPDATE OF status, published_at ON posts WHEN NOT (new.status = 'published' AND new.published_at IS NOT NULL) BEGIN DELETE FROM publication_schedule WHERE post_id = NEW.id; END",
        ),
    ),
)

_PUBLICATION_SCHEDULE_1_POSTGRESQL = Rendered(
    functions=(
        Function(
            name="presseschau_keep_publication_schedule",
            body="\nBEGIN\n    IF \"new\".status = 'published' AND \"new\".published_at > clock_timestamp() THEN\n        INSERT INTO publication_schedule (post_id, due_at) VALUES (NEW.id, NEW.published_at) ON CONFLICT (post_id) DO UPDATE SET due_at = excluded.due_at;\n    ELSIF TG_OP = 'UPDATE' AND \"new\".status = 'published' AND \"new\".published_at IS NOT NULL THEN\n        UPDATE publication_schedule SET due_at = NEW.published_at WHERE post_id = NEW.id;\n    ELSIF TG_OP = 'UPDATE' THEN\n        DELETE FROM publication_schedule WHERE post_id = NEW.id;\n    END IF;\n    RETURN NULL;\nEND\n",
        ),
    ),
    triggers=(
        Trigger(
            name="publication_schedule",
            table="posts",
            events=("INSERT", "UPDATE"),
            create="CREATE TRIGGER publication_schedule AFTER INSERT OR UPDATE OF status, published_at ON posts FOR EACH ROW EXECUTE FUNCTION presseschau_keep_publication_schedule()",
        ),
    ),
)

PUBLICATION_SCHEDULE_1 = Family(
    name="publication_schedule",
    watches=("posts",),
    keeps="publication_schedule",
    owns=("publication_schedule",),
    sqlite=lambda: _PUBLICATION_SCHEDULE_1_SQLITE,
    postgresql=lambda: _PUBLICATION_SCHEDULE_1_POSTGRESQL,
)

_PUBLISHED_COUNTS_1_SQLITE = Rendered(
    functions=(),
    triggers=(
        Trigger(
            name="published_counts_insert",
            table="posts",
            events=("INSERT",),
            create="CREATE TRIGGER published_counts_insert AFTER INSERT ON posts WHEN new.status = 'published' AND new.published_at IS NOT NULL BEGIN INSERT INTO published_counts (source_key, posts) VALUES (coalesce(NEW.source_id, 0), 1) ON CONFLICT (source_key) DO UPDATE SET posts = published_counts.posts + 1; END",
        ),
        Trigger(
            name="published_counts_delete",
            table="posts",
            events=("DELETE",),
            create="CREATE TRIGGER published_counts_delete AFTER DELETE ON posts WHEN old.status = 'published' AND old.published_at IS NOT NULL BEGIN UPDATE published_counts SET posts = posts - 1 WHERE source_key = coalesce(OLD.source_id, 0); END",
        ),
        Trigger(
            name="published_counts_leave",
            table="posts",
            events=("UPDATE",),
            create="CREATE TRIGGER published_counts_leave AFTER UPDATE OF status, published_at, source_id ON posts WHEN old.status = 'published' AND old.published_at IS NOT NULL AND NOT (new.status = 'published' AND new.published_at IS NOT NULL AND NOT coalesce(OLD.source_id, 0) <> coalesce(NEW.source_id, 0)) BEGIN UPDATE published_counts SET posts = posts - 1 WHERE source_key = coalesce(OLD.source_id, 0); END",
        ),
        Trigger(
            name="published_counts_join",
            table="posts",
            events=("UPDATE",),
            create="CREATE TRIGGER published_counts_join AFTER UPDATE OF status, published_at, source_id ON posts WHEN new.status = 'published' AND new.published_at IS NOT NULL AND NOT (old.status = 'published' AND old.published_at IS NOT NULL AND NOT coalesce(OLD.source_id, 0) <> coalesce(NEW.source_id, 0)) BEGIN INSERT INTO published_counts (source_key, posts) VALUES (coalesce(NEW.source_id, 0), 1) ON CONFLICT (source_key) DO UPDATE SET posts = published_counts.posts + 1; END",
        ),
    ),
)

_PUBLISHED_COUNTS_1_POSTGRESQL = Rendered(
    functions=(
        Function(
            name="presseschau_count_published",
            body='\nBEGIN\n    IF TG_OP = \'UPDATE\' AND ("old".status = \'published\' AND "old".published_at IS NOT NULL) = ("new".status = \'published\' AND "new".published_at IS NOT NULL) AND NOT coalesce(OLD.source_id, 0) <> coalesce(NEW.source_id, 0) THEN\n        RETURN NULL;\n    END IF;\n    IF TG_OP <> \'INSERT\' AND "old".status = \'published\' AND "old".published_at IS NOT NULL THEN\n        UPDATE published_counts SET posts = posts - 1 WHERE source_key = coalesce(OLD.source_id, 0);\n    END IF;\n    IF TG_OP <> \'DELETE\' AND "new".status = \'published\' AND "new".published_at IS NOT NULL THEN\n        INSERT INTO published_counts (source_key, posts) VALUES (coalesce(NEW.source_id, 0), 1) ON CONFLICT (source_key) DO UPDATE SET posts = published_counts.posts + 1;\n    END IF;\n    RETURN NULL;\nEND\n',
        ),
        Function(
            name="presseschau_posts_truncated",
            body="\nBEGIN\n    DELETE FROM published_counts;\n    RETURN NULL;\nEND\n",
        ),
    ),
    triggers=(
        Trigger(
            name="published_counts",
            table="posts",
            events=("INSERT", "UPDATE", "DELETE"),
            create="CREATE TRIGGER published_counts AFTER INSERT OR DELETE OR UPDATE OF status, published_at, source_id ON posts FOR EACH ROW EXECUTE FUNCTION presseschau_count_published()",
        ),
        Trigger(
            name="published_counts_truncated",
            table="posts",
            events=("TRUNCATE",),
            create="CREATE TRIGGER published_counts_truncated AFTER TRUNCATE ON posts FOR EACH STATEMENT EXECUTE FUNCTION presseschau_posts_truncated()",
        ),
    ),
)

PUBLISHED_COUNTS_1 = Family(
    name="published_counts",
    watches=("posts",),
    keeps="published_counts",
    owns=("published_counts",),
    sqlite=lambda: _PUBLISHED_COUNTS_1_SQLITE,
    postgresql=lambda: _PUBLISHED_COUNTS_1_POSTGRESQL,
)

_POST_SEARCH_1_SQLITE = Rendered(
    functions=(),
    triggers=(
        Trigger(
            name="post_search_post_insert",
            table="posts",
            events=("INSERT",),
            create="CREATE TRIGGER post_search_post_insert AFTER INSERT ON posts BEGIN INSERT INTO post_search_queue (post_id, generation) VALUES (NEW.id, (random() >> 12)) ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation; END",
        ),
        Trigger(
            name="post_search_post_update",
            table="posts",
            events=("UPDATE",),
            create="CREATE TRIGGER post_search_post_update AFTER UPDATE OF title, excerpt, body, language, published_at, created_at, source_id ON posts WHEN (OLD.title IS NOT NEW.title OR OLD.excerpt IS NOT NEW.excerpt OR OLD.body IS NOT NEW.body OR OLD.language IS NOT NEW.language OR OLD.published_at IS NOT NEW.published_at OR OLD.created_at IS NOT NEW.created_at OR OLD.source_id IS NOT NEW.source_id) BEGIN INSERT INTO post_search_queue (post_id, generation) VALUES (NEW.id, (random() >> 12)) ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation; DELETE FROM post_search_text WHERE rowid = (SELECT key FROM post_search WHERE post_id = NEW.id); DELETE FROM post_search WHERE post_id = NEW.id; END",
        ),
        Trigger(
            name="post_search_tag_link",
            table="post_tags",
            events=("INSERT",),
            create="CREATE TRIGGER post_search_tag_link AFTER INSERT ON post_tags BEGIN INSERT INTO post_search_queue (post_id, generation) VALUES (NEW.post_id, (random() >> 12)) ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation; DELETE FROM post_search_text WHERE rowid = (SELECT key FROM post_search WHERE post_id = NEW.post_id); DELETE FROM post_search WHERE post_id = NEW.post_id; END",
        ),
        Trigger(
            name="post_search_tag_unlink",
            table="post_tags",
            events=("DELETE",),
            create="CREATE TRIGGER post_search_tag_unlink AFTER DELETE ON post_tags BEGIN INSERT INTO post_search_queue (post_id, generation) SELECT OLD.post_id, (random() >> 12) WHERE EXISTS (SELECT 1 FROM posts WHERE id = OLD.post_id) ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation; DELETE FROM post_search_text WHERE rowid = (SELECT key FROM post_search WHERE post_id = OLD.post_id); DELETE FROM post_search WHERE post_id = OLD.post_id; END",
        ),
        Trigger(
            name="post_search_tag_rename",
            table="tags",
            events=("UPDATE",),
            create="CREATE TRIGGER post_search_tag_rename AFTER UPDATE OF name ON tags WHEN (OLD.name IS NOT NEW.name) BEGIN INSERT INTO post_search_queue (post_id, generation) SELECT changed.*, (random() >> 12) FROM (SELECT post_id FROM post_tags WHERE tag_id = NEW.id ORDER BY 1) AS changed WHERE true ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation; DELETE FROM post_search_text WHERE rowid IN (SELECT key FROM post_search WHERE post_id IN (SELECT post_id FROM post_tags WHERE tag_id = NEW.id)); DELETE FROM post_search WHERE post_id IN (SELECT post_id FROM post_tags WHERE tag_id = NEW.id); END",
        ),
        Trigger(
            name="post_search_source_rename",
            table="sources",
            events=("UPDATE",),
            create="CREATE TRIGGER post_search_source_rename AFTER UPDATE OF name ON sources WHEN (OLD.name IS NOT NEW.name) BEGIN INSERT INTO post_search_queue (post_id, generation) SELECT changed.*, (random() >> 12) FROM (SELECT id FROM posts WHERE source_id = NEW.id ORDER BY 1) AS changed WHERE true ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation; DELETE FROM post_search_text WHERE rowid IN (SELECT key FROM post_search WHERE post_id IN (SELECT id FROM posts WHERE source_id = NEW.id)); DELETE FROM post_search WHERE post_id IN (SELECT id FROM posts WHERE source_id = NEW.id); END",
        ),
        Trigger(
            name="post_search_post_delete",
            table="posts",
            events=("DELETE",),
            create="CREATE TRIGGER post_search_post_delete BEFORE DELETE ON posts BEGIN DELETE FROM post_search_queue WHERE post_id = OLD.id; DELETE FROM post_search_text WHERE rowid = (SELECT key FROM post_search WHERE post_id = OLD.id); DELETE FROM post_search WHERE post_id = OLD.id; END",
        ),
    ),
)

_POST_SEARCH_1_POSTGRESQL = Rendered(
    functions=(
        Function(
            name="presseschau_post_search_post_insert",
            body=" BEGIN INSERT INTO post_search_queue (post_id, generation) VALUES (NEW.id, floor(random() * 4503599627370496)::bigint) ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation; RETURN NULL; END ",
        ),
        Function(
            name="presseschau_post_search_post_update",
            body=" BEGIN INSERT INTO post_search_queue (post_id, generation) VALUES (NEW.id, floor(random() * 4503599627370496)::bigint) ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation; DELETE FROM post_search_text WHERE key = (SELECT key FROM post_search WHERE post_id = NEW.id); DELETE FROM post_search WHERE post_id = NEW.id; RETURN NULL; END ",
        ),
        Function(
            name="presseschau_post_search_tag_link",
            body=" BEGIN INSERT INTO post_search_queue (post_id, generation) VALUES (NEW.post_id, floor(random() * 4503599627370496)::bigint) ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation; DELETE FROM post_search_text WHERE key = (SELECT key FROM post_search WHERE post_id = NEW.post_id); DELETE FROM post_search WHERE post_id = NEW.post_id; RETURN NULL; END ",
        ),
        Function(
            name="presseschau_post_search_tag_unlink",
            body=" BEGIN INSERT INTO post_search_queue (post_id, generation) SELECT OLD.post_id, floor(random() * 4503599627370496)::bigint WHERE EXISTS (SELECT 1 FROM posts WHERE id = OLD.post_id) ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation; DELETE FROM post_search_text WHERE key = (SELECT key FROM post_search WHERE post_id = OLD.post_id); DELETE FROM post_search WHERE post_id = OLD.post_id; RETURN NULL; END ",
        ),
        Function(
            name="presseschau_post_search_tag_rename",
            body=" BEGIN INSERT INTO post_search_queue (post_id, generation) SELECT changed.*, floor(random() * 4503599627370496)::bigint FROM (SELECT post_id FROM post_tags WHERE tag_id = NEW.id ORDER BY 1) AS changed WHERE true ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation; DELETE FROM post_search_text WHERE key IN (SELECT key FROM post_search WHERE post_id IN (SELECT post_id FROM post_tags WHERE tag_id = NEW.id)); DELETE FROM post_search WHERE post_id IN (SELECT post_id FROM post_tags WHERE tag_id = NEW.id); RETURN NULL; END ",
        ),
        Function(
            name="presseschau_post_search_source_rename",
            body=" BEGIN INSERT INTO post_search_queue (post_id, generation) SELECT changed.*, floor(random() * 4503599627370496)::bigint FROM (SELECT id FROM posts WHERE source_id = NEW.id ORDER BY 1) AS changed WHERE true ON CONFLICT (post_id) DO UPDATE SET generation = excluded.generation; DELETE FROM post_search_text WHERE key IN (SELECT key FROM post_search WHERE post_id IN (SELECT id FROM posts WHERE source_id = NEW.id)); DELETE FROM post_search WHERE post_id IN (SELECT id FROM posts WHERE source_id = NEW.id); RETURN NULL; END ",
        ),
        Function(
            name="presseschau_post_search_post_delete",
            body=" BEGIN DELETE FROM post_search_queue WHERE post_id = OLD.id; DELETE FROM post_search_text WHERE key = (SELECT key FROM post_search WHERE post_id = OLD.id); DELETE FROM post_search WHERE post_id = OLD.id; RETURN OLD; END ",
        ),
    ),
    triggers=(
        Trigger(
            name="post_search_post_insert",
            table="posts",
            events=("INSERT",),
            create="CREATE TRIGGER post_search_post_insert AFTER INSERT ON posts FOR EACH ROW EXECUTE FUNCTION presseschau_post_search_post_insert()",
        ),
        Trigger(
            name="post_search_post_update",
            table="posts",
            events=("UPDATE",),
            create="CREATE TRIGGER post_search_post_update AFTER UPDATE OF title, excerpt, body, language, published_at, created_at, source_id ON posts FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.excerpt IS DISTINCT FROM NEW.excerpt OR OLD.body IS DISTINCT FROM NEW.body OR OLD.language IS DISTINCT FROM NEW.language OR OLD.published_at IS DISTINCT FROM NEW.published_at OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.source_id IS DISTINCT FROM NEW.source_id) EXECUTE FUNCTION presseschau_post_search_post_update()",
        ),
        Trigger(
            name="post_search_tag_link",
            table="post_tags",
            events=("INSERT",),
            create="CREATE TRIGGER post_search_tag_link AFTER INSERT ON post_tags FOR EACH ROW EXECUTE FUNCTION presseschau_post_search_tag_link()",
        ),
        Trigger(
            name="post_search_tag_unlink",
            table="post_tags",
            events=("DELETE",),
            create="CREATE TRIGGER post_search_tag_unlink AFTER DELETE ON post_tags FOR EACH ROW EXECUTE FUNCTION presseschau_post_search_tag_unlink()",
        ),
        Trigger(
            name="post_search_tag_rename",
            table="tags",
            events=("UPDATE",),
            create="CREATE TRIGGER post_search_tag_rename AFTER UPDATE OF name ON tags FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION presseschau_post_search_tag_rename()",
        ),
        Trigger(
            name="post_search_source_rename",
            table="sources",
            events=("UPDATE",),
            create="CREATE TRIGGER post_search_source_rename AFTER UPDATE OF name ON sources FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION presseschau_post_search_source_rename()",
        ),
        Trigger(
            name="post_search_post_delete",
            table="posts",
            events=("DELETE",),
            create="CREATE TRIGGER post_search_post_delete BEFORE DELETE ON posts FOR EACH ROW EXECUTE FUNCTION presseschau_post_search_post_delete()",
        ),
    ),
)

POST_SEARCH_1 = Family(
    name="post_search",
    watches=("posts", "post_tags", "tags", "sources"),
    keeps="post_search",
    owns=("post_search_",),
    sqlite=lambda: _POST_SEARCH_1_SQLITE,
    postgresql=lambda: _POST_SEARCH_1_POSTGRESQL,
)


_POST_DOCUMENTS_1_SQLITE = Rendered(
    functions=(),
    triggers=(
        Trigger(
            name="post_documents_post_insert",
            table="posts",
            events=("INSERT",),
            create="CREATE TRIGGER post_documents_post_insert AFTER INSERT ON posts BEGIN DELETE FROM post_documents WHERE post_id IN (SELECT NEW.id); INSERT INTO post_document_queue (post_id) SELECT * FROM (SELECT NEW.id) AS changed WHERE true ON CONFLICT DO NOTHING; END",
        ),
        Trigger(
            name="post_documents_post_update",
            table="posts",
            events=("UPDATE",),
            create="CREATE TRIGGER post_documents_post_update AFTER UPDATE ON posts BEGIN DELETE FROM post_documents WHERE post_id IN (SELECT NEW.id); INSERT INTO post_document_queue (post_id) SELECT * FROM (SELECT NEW.id) AS changed WHERE true ON CONFLICT DO NOTHING; END",
        ),
        Trigger(
            name="post_documents_tag_link",
            table="post_tags",
            events=("INSERT",),
            create="CREATE TRIGGER post_documents_tag_link AFTER INSERT ON post_tags BEGIN DELETE FROM post_documents WHERE post_id IN (SELECT NEW.post_id); INSERT INTO post_document_queue (post_id) SELECT * FROM (SELECT NEW.post_id) AS changed WHERE true ON CONFLICT DO NOTHING; END",
        ),
        Trigger(
            name="post_documents_tag_unlink",
            table="post_tags",
            events=("DELETE",),
            create="CREATE TRIGGER post_documents_tag_unlink AFTER DELETE ON post_tags BEGIN DELETE FROM post_documents WHERE post_id IN (SELECT OLD.post_id); INSERT INTO post_document_queue (post_id) SELECT * FROM (SELECT OLD.post_id) AS changed WHERE true ON CONFLICT DO NOTHING; END",
        ),
        Trigger(
            name="post_documents_tag_rename",
            table="tags",
            events=("UPDATE",),
            create="CREATE TRIGGER post_documents_tag_rename AFTER UPDATE OF name ON tags WHEN (OLD.name <> NEW.name) BEGIN DELETE FROM post_documents WHERE post_id IN (SELECT post_id FROM post_tags WHERE tag_id = NEW.id); INSERT INTO post_document_queue (post_id) SELECT * FROM (SELECT post_id FROM post_tags WHERE tag_id = NEW.id) AS changed WHERE true ON CONFLICT DO NOTHING; END",
        ),
        Trigger(
            name="post_documents_source_rename",
            table="sources",
            events=("UPDATE",),
            create="CREATE TRIGGER post_documents_source_rename AFTER UPDATE OF slug, name ON sources WHEN (OLD.slug <> NEW.slug OR OLD.name <> NEW.name) BEGIN DELETE FROM post_documents WHERE post_id IN (SELECT id FROM posts WHERE source_id = NEW.id); INSERT INTO post_document_queue (post_id) SELECT * FROM (SELECT id FROM posts WHERE source_id = NEW.id) AS changed WHERE true ON CONFLICT DO NOTHING; END",
        ),
        Trigger(
            name="post_documents_author_rename",
            table="users",
            events=("UPDATE",),
            create="CREATE TRIGGER post_documents_author_rename AFTER UPDATE OF name ON users WHEN (OLD.name <> NEW.name) BEGIN DELETE FROM post_documents WHERE post_id IN (SELECT id FROM posts WHERE author_id = NEW.id); INSERT INTO post_document_queue (post_id) SELECT * FROM (SELECT id FROM posts WHERE author_id = NEW.id) AS changed WHERE true ON CONFLICT DO NOTHING; END",
        ),
    ),
)

_POST_DOCUMENTS_1_POSTGRESQL = Rendered(
    functions=(
        Function(
            name="presseschau_post_documents_post_insert",
            body=" BEGIN DELETE FROM post_documents WHERE post_id IN (SELECT NEW.id); INSERT INTO post_document_queue (post_id) SELECT * FROM (SELECT NEW.id) AS changed WHERE true ON CONFLICT DO NOTHING; RETURN NULL; END ",
        ),
        Function(
            name="presseschau_post_documents_post_update",
            body=" BEGIN DELETE FROM post_documents WHERE post_id IN (SELECT NEW.id); INSERT INTO post_document_queue (post_id) SELECT * FROM (SELECT NEW.id) AS changed WHERE true ON CONFLICT DO NOTHING; RETURN NULL; END ",
        ),
        Function(
            name="presseschau_post_documents_tag_link",
            body=" BEGIN DELETE FROM post_documents WHERE post_id IN (SELECT NEW.post_id); INSERT INTO post_document_queue (post_id) SELECT * FROM (SELECT NEW.post_id) AS changed WHERE true ON CONFLICT DO NOTHING; RETURN NULL; END ",
        ),
        Function(
            name="presseschau_post_documents_tag_unlink",
            body=" BEGIN DELETE FROM post_documents WHERE post_id IN (SELECT OLD.post_id); INSERT INTO post_document_queue (post_id) SELECT * FROM (SELECT OLD.post_id) AS changed WHERE true ON CONFLICT DO NOTHING; RETURN NULL; END ",
        ),
        Function(
            name="presseschau_post_documents_tag_rename",
            body=" BEGIN DELETE FROM post_documents WHERE post_id IN (SELECT post_id FROM post_tags WHERE tag_id = NEW.id); INSERT INTO post_document_queue (post_id) SELECT * FROM (SELECT post_id FROM post_tags WHERE tag_id = NEW.id) AS changed WHERE true ON CONFLICT DO NOTHING; RETURN NULL; END ",
        ),
        Function(
            name="presseschau_post_documents_source_rename",
            body=" BEGIN DELETE FROM post_documents WHERE post_id IN (SELECT id FROM posts WHERE source_id = NEW.id); INSERT INTO post_document_queue (post_id) SELECT * FROM (SELECT id FROM posts WHERE source_id = NEW.id) AS changed WHERE true ON CONFLICT DO NOTHING; RETURN NULL; END ",
        ),
        Function(
            name="presseschau_post_documents_author_rename",
            body=" BEGIN DELETE FROM post_documents WHERE post_id IN (SELECT id FROM posts WHERE author_id = NEW.id); INSERT INTO post_document_queue (post_id) SELECT * FROM (SELECT id FROM posts WHERE author_id = NEW.id) AS changed WHERE true ON CONFLICT DO NOTHING; RETURN NULL; END ",
        ),
    ),
    triggers=(
        Trigger(
            name="post_documents_post_insert",
            table="posts",
            events=("INSERT",),
            create="CREATE TRIGGER post_documents_post_insert AFTER INSERT ON posts FOR EACH ROW EXECUTE FUNCTION presseschau_post_documents_post_insert()",
        ),
        Trigger(
            name="post_documents_post_update",
            table="posts",
            events=("UPDATE",),
            create="CREATE TRIGGER post_documents_post_update AFTER UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION presseschau_post_documents_post_update()",
        ),
        Trigger(
            name="post_documents_tag_link",
            table="post_tags",
            events=("INSERT",),
            create="CREATE TRIGGER post_documents_tag_link AFTER INSERT ON post_tags FOR EACH ROW EXECUTE FUNCTION presseschau_post_documents_tag_link()",
        ),
        Trigger(
            name="post_documents_tag_unlink",
            table="post_tags",
            events=("DELETE",),
            create="CREATE TRIGGER post_documents_tag_unlink AFTER DELETE ON post_tags FOR EACH ROW EXECUTE FUNCTION presseschau_post_documents_tag_unlink()",
        ),
        Trigger(
            name="post_documents_tag_rename",
            table="tags",
            events=("UPDATE",),
            create="CREATE TRIGGER post_documents_tag_rename AFTER UPDATE OF name ON tags FOR EACH ROW WHEN (OLD.name <> NEW.name) EXECUTE FUNCTION presseschau_post_documents_tag_rename()",
        ),
        Trigger(
            name="post_documents_source_rename",
            table="sources",
            events=("UPDATE",),
            create="CREATE TRIGGER post_documents_source_rename AFTER UPDATE OF slug, name ON sources FOR EACH ROW WHEN (OLD.slug <> NEW.slug OR OLD.name <> NEW.name) EXECUTE FUNCTION presseschau_post_documents_source_rename()",
        ),
        Trigger(
            name="post_documents_author_rename",
            table="users",
            events=("UPDATE",),
            create="CREATE TRIGGER post_documents_author_rename AFTER UPDATE OF name ON users FOR EACH ROW WHEN (OLD.name <> NEW.name) EXECUTE FUNCTION presseschau_post_documents_author_rename()",
        ),
    ),
)

POST_DOCUMENTS_1 = Family(
    name="post_documents",
    watches=("posts", "post_tags", "tags", "sources", "users"),
    keeps="post_documents",
    owns=("post_documents_",),
    sqlite=lambda: _POST_DOCUMENTS_1_SQLITE,
    postgresql=lambda: _POST_DOCUMENTS_1_POSTGRESQL,
)


# Families no migration makes any more, by name, for the migrations that made them.
RETIRED: tuple[Family, ...] = (PUBLICATION_SCHEDULE_1,)

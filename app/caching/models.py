# Every table whose rows show up in a public response. Database triggers (see the migration
# that creates content_state) bump the version whenever one of them changes, whoever writes:
# the API, the command line, an import or SQL typed by hand.
CONTENT_TABLES = ("posts", "post_tags", "tags", "sources", "source_domains", "users")

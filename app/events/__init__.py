"""Domain events: what each write did, recorded in the write's own transaction (an outbox the
audit log reads now, and webhooks and feeds later)."""

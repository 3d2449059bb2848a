"""Background work: jobs queued in the database with a write, claimed by workers under leases,
retried with backoff; periodic tasks; the loop that runs them in ``presseschau worker`` or
inside ``presseschau serve``."""

"""The audit log: the events every write records, read by admins (app.events writes them)."""

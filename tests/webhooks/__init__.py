"""Webhooks: managing endpoints, and deliveries to a real receiver on 127.0.0.1."""

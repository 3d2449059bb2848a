"""Webhooks: endpoints admins register, and the deliveries the worker sends them (Standard
Webhooks signatures) for the events writes record."""

"""Revisions: every state a post's content has had, kept whoever writes it."""

"""Integrity signals for judges: evidence to review, never acted on automatically."""

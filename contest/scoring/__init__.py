"""Scoring and ranking rules: pure functions, no Flask, no database."""

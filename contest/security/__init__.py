"""Defences that belong to no single feature: response headers and bounds on untrusted input."""

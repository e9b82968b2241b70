"""Fluister: ``POST /v1/feedback`` (docs/api/fluister.md)."""

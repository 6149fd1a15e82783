"""The JSON API (OpenAPI at /docs)."""

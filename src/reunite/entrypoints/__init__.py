"""Entry points: API, pages, CLI and worker. Thin: they translate and call services."""

"""Server-rendered pages (Jinja2), mobile-first, working without JavaScript; same services as the API."""

"""The small scripts and style sheet written into the pages of a passer-by's report (the form and its
thank-you page): on a slow network each file fetched apart costs a round trip of seconds. They stay
under static/ too, for the other pages (cached there) and the service worker. The
Content-Security-Policy allows exactly these inline texts, by their SHA-256."""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path

import rcssmin
import rjsmin
from markupsafe import Markup

STATIC = Path(__file__).parent / "static"
INLINED = ("app.css", "tz.js", "map.js", "queue.js", "forms.js", "exif.js", "photos.js", "kept.js",
           "snapshot.js")
PAGES = ("snapshot.html", "thanks.html")  # the templates that carry them inline


@cache
def inline(name: str) -> Markup:
    """A file's text, minified (its comments and spaces left out: a third of the page on a slow network), to be
    written between <style> or <script> tags."""
    if name not in INLINED:
        raise ValueError(f"{name} is not one of the inlined files")
    text = (STATIC / name).read_text(encoding="utf-8")
    text = rcssmin.cssmin(text) if name.endswith(".css") else rjsmin.jsmin(text)  # comments and spaces cost bytes
    if "</script" in text.lower() or "</style" in text.lower():
        raise ValueError(f"{name} would end its own <script> or <style> element")
    return Markup(text)  # noqa: S704  (our own static file, never user input)


def csp_hashes() -> tuple[str, str]:
    """The CSP sources for the inlined scripts, and for the inlined style sheet."""
    def source(name: str) -> str:
        digest = hashlib.sha256(inline(name).encode("utf-8")).digest()
        return f"'sha256-{base64.b64encode(digest).decode()}'"

    scripts = " ".join(source(name) for name in INLINED if name.endswith(".js"))
    styles = " ".join(source(name) for name in INLINED if name.endswith(".css"))
    return scripts, styles

"""Input that no route can read, refused at the boundary before any route sees it: NUL characters
(PostgreSQL text cannot hold them, and no person types one) in the path, the query, an API's form or JSON
body, a JSON key sent twice, and whole numbers beyond PostgreSQL's bigint where a number is certain (an id in
the path, a JSON number). Answered 422 in the reader's language, naming the input, as an API problem or a
page, so a bad value is a clear error and never a server error. Text is never read as a number here: a
field's own reader checks its length first, then what it holds (600 digits typed as a contact are a
contact too long, not a number too large). A page's form is not refused here: its fields are read by
``web.forms``, which refuses a NUL in the field it reads, so that the form comes back as typed with the
error by that field; a page that reads its whole address itself (``PAGES_READING_THEIR_QUERY``) likewise.
Routes use ``Id`` for ids in bodies so that the OpenAPI document says the same."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any
from urllib.parse import parse_qsl, unquote

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from pydantic import Field

from reunite.domain.errors import InvalidInput, NotSignedIn, ReuniteError, TooManyRequests
from reunite.entrypoints.api.auth import said_truly
from reunite.entrypoints.api.formscan import FormScan, replaying
from reunite.entrypoints.api.problems import service_problem

BIGINT_MAX = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX, description="A record's id")]
NUMBER = re.compile(r"^[+-]?\d+$")
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
CHECKED_BODIES = (*FORMS, "application/json")
PAGES_READING_THEIR_QUERY = ("/sightings",)  # the browse page names each filter it cannot read (``web.filters``)


def feed_error(request: Request, message: str, status: int, language: str) -> Response | None:
    """On a feed's address (``/feeds/``), an error a feed reader can show: plain text in the reader's
    language with its status, never an HTML page. None for any other address."""
    if not request.url.path.startswith("/feeds/"):
        return None
    return PlainTextResponse(message, status_code=status, headers={"Content-Language": language})


def error_response(request: Request, exc: ReuniteError) -> Response:
    """A ReuniteError as the reader sees it: an API problem (JSON), a feed's plain text or the error page,
    in their language."""
    from reunite.entrypoints.web import pages  # pages import the API's helpers: imported when first needed

    lang = pages.language(request)
    exc = said_truly(request, exc)
    response: Response
    if (feed := feed_error(request, lang.error(exc), exc.status_code, lang.html_lang)) is not None:
        response = feed
    elif not request.url.path.startswith("/api/"):
        if isinstance(exc, NotSignedIn) and request.method == "GET":
            from urllib.parse import quote
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        response = pages.render(request, lang, "error.html", status=exc.status_code, message=lang.error(exc))
    else:
        response = service_problem(lang, exc)
        if isinstance(exc, NotSignedIn):  # how to authenticate (RFC 9110: every 401 says)
            response.headers["WWW-Authenticate"] = bearer_challenge(request)
    if isinstance(exc, TooManyRequests):  # a throttle says when to try again
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def bearer_challenge(request: Request) -> str:
    """An API 401's challenge: a bearer token, and (RFC 6750) whether the one sent is not valid."""
    sent = request.headers.get("authorization", "").lower().startswith("bearer ")
    return 'Bearer realm="reunite"' + (', error="invalid_token"' if sent else "")


def problem(text: str, field: str) -> InvalidInput | None:
    """A NUL character in ``text``, refused naming ``field``; said the same wherever it is (a search stores
    nothing: it "cannot be read")."""
    if "\x00" in text:
        return InvalidInput("{name} contains a NUL character (an invisible control character), which cannot be read: remove it and send again",  # noqa: E501
                            field=field, name=field)
    return None


def number_problem(value: int, field: str) -> InvalidInput | None:
    if abs(value) > BIGINT_MAX:
        return InvalidInput("{name} is too large a number", field=field, name=field)
    return None


def check_pairs(pairs: list[tuple[str, str]]) -> InvalidInput | None:
    """A query's or a form's fields: a NUL in one is refused naming it. Their text is not read as numbers."""
    for name, value in pairs:
        if found := problem(name + value, name.replace("\x00", "") or "query"):
            return found
    return None


def check_json(value: Any, field: str = "body") -> InvalidInput | None:
    if isinstance(value, str):
        return problem(value, field)
    if isinstance(value, bool) or not isinstance(value, int | list | dict):
        return None
    if isinstance(value, int):
        return number_problem(value, field)
    items = value.items() if isinstance(value, dict) else ((field, v) for v in value)
    for key, item in items:
        found = problem(str(key), field) or check_json(item, str(key))
        if found:
            return found
    return None


def form_fields(body: bytes, content_type: str) -> list[tuple[str, str]] | None:
    """A form's text fields as the routes read them: a multipart body's text parts only (a part without
    a file name; files may hold any bytes), every one whole (``FormScan``). None for a body that is no
    form, or a broken one (left to the route's own parser)."""
    kind = content_type.lower()
    if kind.startswith("application/x-www-form-urlencoded"):
        return parse_qsl(body.decode(errors="replace"), keep_blank_values=True)
    if not kind.startswith("multipart/form-data"):
        return None
    scan = FormScan(content_type.encode(), max_text=None)
    scan.feed(body)
    scan.finish()
    return None if scan.broken else scan.pairs


class Repeated(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose every key is sent once: a parser keeps the last of a repeated key and drops
    the others without a word (probe s17 Q2: ``keep_data`` twice closed a case and deleted its photos)."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise Repeated(key)
        seen.add(key)
    return dict(pairs)


def check_body(body: bytes, content_type: str) -> InvalidInput | None:
    """A JSON body, or an API's form (a page's form is read by ``web.forms``, field by field: ``page_form``)."""
    if content_type.lower().startswith("application/json"):
        try:
            return check_json(json.loads(body, object_pairs_hook=once))
        except Repeated as repeated:
            return InvalidInput("{name} was sent more than once: send it once", field=repeated.key, name=repeated.key)
        except ValueError:
            return None  # not JSON: the route's own validation says so
    fields = form_fields(body, content_type)
    return None if fields is None else check_pairs(fields)


def refusal(request: Request, found: InvalidInput) -> Response:
    """The answer to input refused here, as any error."""
    return error_response(request, found)


def id_segment(segment: str) -> InvalidInput | None:
    """A path segment of digits is an id: past bigint (counted by its length first), refused."""
    if not NUMBER.match(segment):
        return None
    digits = segment.lstrip("+-").lstrip("0")
    return InvalidInput("{name} is too large a number", field="id", name="id") if len(digits) > 19 \
        else number_problem(int(segment), "id")


def check_target(scope: dict[str, Any]) -> InvalidInput | None:
    for segment in scope["path"].split("/"):
        if found := problem(segment, "path") or id_segment(segment):
            return found
    if scope["method"] in ("GET", "HEAD") and scope["path"] in PAGES_READING_THEIR_QUERY:
        return None
    raw = scope.get("query_string", b"").decode(errors="replace")
    return check_pairs(parse_qsl(raw, keep_blank_values=True)) or problem(unquote(raw), "query")


def page_form(scope: dict[str, Any], content_type: str) -> bool:
    """A page's form (read by ``web.forms``, field by field), not an API's or a feed's."""
    return not scope["path"].startswith(("/api/", "/feeds/")) and content_type.lower().startswith(FORMS)


class InputGuardMiddleware:
    """Checks the path, the query and (form, JSON) bodies; the body is read once and replayed."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = check_target(scope)
        # the media type is case-insensitive, a multipart boundary is not (browsers' have capitals)
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"").decode(errors="replace")
        replay = receive
        if found is None and content_type.lower().startswith(CHECKED_BODIES) and not page_form(scope, content_type):
            body, replay = await buffered(receive)  # past the size limit, the body limit answers (limits.py)
            found = check_body(body, content_type)
        if found is not None:
            await refusal(Request(scope), found)(scope, receive, send)
            return
        await self.app(scope, replay, send)


async def buffered(receive: Any) -> tuple[bytes, Any]:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, replaying(body, False, receive)

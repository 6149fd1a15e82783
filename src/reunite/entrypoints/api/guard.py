"""Input that no route can read, refused at the boundary before any route sees it: a control character in the
path (NUL, a line feed, a tab…: an address that does not exist, 404), NUL characters (PostgreSQL text cannot hold
them, and no person types one) in the query, an API's form or JSON
body, an API form's text field whose bytes are not UTF-8 (the framework would store them as Latin-1 mojibake;
probe s34 H9), a JSON key sent twice, and whole numbers beyond PostgreSQL's bigint where a number is certain (an id in
the path, a JSON number). Answered 422 in the reader's language, naming the input, as an API problem or a
page, so a bad value is a clear error and never a server error. Text is never read as a number here: a
field's own reader checks its length first, then what it holds (600 digits typed as a contact are a
contact too long, not a number too large). A page's form is not refused here: its fields are read by
``web.forms``, which refuses a NUL in the field it reads, so that the form comes back as typed with the
error by that field. Nor is a page's address (a GET of anything but ``/api/`` and ``/feeds/``): a query value
that cannot be read (a NUL, bytes that are not UTF-8 text: ``read_query``) is left out of the query the page
reads (its readers find it, as typed, in ``pages.address``) and kept by its name (``ADDRESS_REFUSED``), so
that the page itself answers (4xx), saying it beside its field and at the top (``web.pages.render``); an
answer that is no page (a redirect, a file) is replaced by the error page (``InputGuardMiddleware``). Routes
use ``Id`` for ids in bodies so that the OpenAPI document says the same."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, unquote_to_bytes, urlencode

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from pydantic import Field

from reunite.domain.errors import (
    InvalidInput,
    InvalidInputs,
    NotFound,
    NotSignedIn,
    PhotoStoreUnavailable,
    ReuniteError,
    TooManyRequests,
)
from reunite.entrypoints.api.auth import said_truly
from reunite.entrypoints.api.formscan import FormScan, replaying
from reunite.entrypoints.api.problems import service_problem
from reunite.entrypoints.api.validation import MEANINGS

BIGINT_MAX = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX, description="A record's id")]
NUMBER = re.compile(r"^[+-]?\d+$")
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
CHECKED_BODIES = (*FORMS, "application/json")
MAX_JSON_DEPTH = 16  # levels of a JSON body: the API's deepest takes three
NUL = "{name} contains a NUL character (an invisible control character), which cannot be read: remove it and send again"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
NOT_TEXT = "{name} contains bytes that are not UTF-8 text, which cannot be read: type it again and send again"
ADDRESS_REFUSED = "reunite.address_refused"  # a page's scope: {parameter: why it cannot be read} (``read_query``)
ADDRESS_TYPED = "reunite.address_typed"  # a page's scope: its query as typed, without what cannot be read
ADDRESS_TOLD = "reunite.address_told"  # the parameters whose problem the page said (a set, shared with its readers)
ADDRESS_SHOWN = "reunite.address_shown"  # a page was drawn (``pages.render``): it said what it could not read


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
    if isinstance(exc, TooManyRequests | PhotoStoreUnavailable):  # a throttle, a store down: when to try again
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
        return InvalidInput(NUL, field=field, name=field)
    if LONE_SURROGATE.search(text):  # a JSON escape of half a character ("\ud800"): no UTF-8 carries it (probe s35 J8)
        return InvalidInput(NOT_TEXT, field=field, name=field)
    return None


def _text(raw: bytes) -> tuple[str, str | None]:
    """A query's name or value as sent (percent-encoded, ``+`` a space): its text, without what cannot be read,
    and the template of why not (a NUL, bytes that are not UTF-8), or None."""
    found = unquote_to_bytes(raw.replace(b"+", b" "))
    try:
        text, why = found.decode(), None
    except UnicodeDecodeError:
        text, why = found.decode(errors="ignore"), NOT_TEXT
    if "\x00" in text:
        text, why = text.replace("\x00", ""), why or NUL
    return text, why


@dataclass(frozen=True)
class Query:
    """An address's query as read (``read_query``)."""

    readable: bytes  # the query without the parameters that held what cannot be read
    typed: list[tuple[str, str]]  # every parameter, as typed, without what cannot be read (to show a form again)
    refused: dict[str, InvalidInput]  # why each parameter that held some cannot be read, by its name


def read_query(raw: bytes, path: str = "") -> Query:
    """An address's query as its readers may read it: what cannot be read in a parameter's name or value (a NUL;
    bytes that are not UTF-8 text, which the framework would read as U+FFFD) is refused, naming the parameter as
    what it is at ``path`` (``validation.MEANINGS``; "query" for a name left empty), the first reason for each."""
    typed: list[tuple[str, str]] = []
    refused: dict[str, InvalidInput] = {}
    for part in raw.split(b"&"):
        if not part:
            continue
        name_raw, _, value_raw = part.partition(b"=")
        (name, name_why), (value, value_why) = _text(name_raw), _text(value_raw)
        typed.append((name, value))
        key = name or "query"
        if (why := name_why or value_why) is not None and key not in refused:
            meant = MEANINGS.get((path, key), key)
            refused[key] = InvalidInput(why, field=meant, name=meant)
    if not refused:
        return Query(raw, typed, refused)
    return Query(urlencode([(n, v) for n, v in typed if (n or "query") not in refused]).encode(), typed, refused)


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


def check_json(value: Any, field: str = "body", depth: int = 0) -> InvalidInput | None:
    if isinstance(value, str):
        return problem(value, field)
    if isinstance(value, bool) or not isinstance(value, int | list | dict):
        return None
    if isinstance(value, int):
        return number_problem(value, field)
    if depth >= MAX_JSON_DEPTH:
        return InvalidInput("the request body nests more than {n} levels deep", field=field, n=MAX_JSON_DEPTH)
    items = value.items() if isinstance(value, dict) else ((field, v) for v in value)
    for key, item in items:
        found = problem(str(key), field) or check_json(item, str(key), depth + 1)
        if found:
            return found
    return None


def form_fields(body: bytes, content_type: str) -> tuple[list[tuple[str, str]], list[str]] | None:
    """A form's text fields as the routes read them: a multipart body's text parts only (a part without
    a file name; files may hold any bytes), every one whole (``FormScan``); with the names of those whose
    bytes are not UTF-8 text. None for a body that is no form, or a broken one (left to the route's own parser)."""
    kind = content_type.lower()
    if kind.startswith("application/x-www-form-urlencoded"):
        not_text = [name for name, why in read_query(body).refused.items() if why.template == NOT_TEXT]
        return parse_qsl(body.decode(errors="replace"), keep_blank_values=True), not_text
    if not kind.startswith("multipart/form-data"):
        return None
    scan = FormScan(content_type.encode(), max_text=None)
    scan.feed(body)
    scan.finish()
    return None if scan.broken else (scan.pairs, scan.not_text)


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
        except RecursionError:  # deeper than the parser goes: no body the API takes nests so
            return InvalidInput("the request body nests more than {n} levels deep", field="body", n=MAX_JSON_DEPTH)
        except ValueError:
            return None  # not JSON: the route's own validation says so
    return check_form(body, content_type)


def check_form(body: bytes, content_type: str) -> InvalidInput | None:
    """An API's form: a field whose bytes are not UTF-8 text (stored as mojibake else: probe s34 H9, as the
    imports refuse such text naming its line), or holding a NUL, refused naming it."""
    found = form_fields(body, content_type)
    if found is None:
        return None
    fields, not_text = found
    if not_text:
        return InvalidInput(NOT_TEXT, field=not_text[0], name=not_text[0])
    return check_pairs(fields)


def refusal(request: Request, found: ReuniteError) -> Response:
    """The answer to input refused here, as any error."""
    return error_response(request, found)


def id_segment(segment: str) -> InvalidInput | None:
    """A path segment of digits is an id: past bigint (counted by its length first), refused."""
    if not NUMBER.match(segment):
        return None
    digits = segment.lstrip("+-").lstrip("0")
    return InvalidInput("{name} is too large a number", field="id", name="id") if len(digits) > 19 \
        else number_problem(int(segment), "id")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0 (NUL, tab, line feed…), DEL and C1: Unicode's Cc


def check_target(scope: dict[str, Any]) -> ReuniteError | None:
    """The path, and the query of anything but a page's address (``page_address``: its page says it). A path
    holding a control character (%00, %0a, %09…) is an address that does not exist, answered 404 as any other
    address that does not (a page, the API's problem, a feed's text) saying so: the routes' patterns would read
    "/api/cases/1%0a" as case 1 (``$`` matches before a line's end, an id's reader strips a tab)."""
    if _CONTROL.search(scope["path"]):
        return NotFound("this address holds an invisible control character, which no address here holds: the link may be mistyped or cut", field="path")  # noqa: E501
    for segment in scope["path"].split("/"):
        if found := id_segment(segment):
            return found
    if page_address(scope):
        return None
    refused = read_query(scope.get("query_string", b""), scope["path"]).refused
    return next(iter(refused.values()), None)


def page_address(scope: dict[str, Any]) -> bool:
    """A page's address (a GET or HEAD of anything but the API and the feeds), whose query its page reads."""
    return scope["method"] in ("GET", "HEAD") and not scope["path"].startswith(("/api/", "/feeds/"))


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
        if found is None and page_address(scope):
            query = read_query(scope.get("query_string", b""), scope["path"])
            if query.refused:  # the page reads its query without them, and says why (``pages.render``)
                scope = dict(scope, query_string=query.readable, **{
                    ADDRESS_REFUSED: query.refused, ADDRESS_TYPED: query.typed, ADDRESS_TOLD: set()})
                send = _page_or_refusal(scope, send)
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


def _page_or_refusal(scope: dict[str, Any], send: Any) -> Any:
    """``send`` for a page whose address held what it cannot read: its answer goes out when it is a page that said
    so (``ADDRESS_SHOWN``, set by ``pages.render``); any other (a redirect, a file, a PDF) is replaced by the error
    page saying what could not be read, in the reader's language."""
    replaced = False

    async def sending(message: dict[str, Any]) -> None:
        nonlocal replaced
        if replaced:
            return
        if message["type"] == "http.response.start" and not scope.get(ADDRESS_SHOWN):
            replaced = True
            refused = list(scope[ADDRESS_REFUSED].values())
            scope[ADDRESS_TOLD].update(scope[ADDRESS_REFUSED])  # said by the error page itself
            answer = error_response(Request(scope), InvalidInputs(refused) if len(refused) > 1 else refused[0])
            await answer(scope, _nothing, send)
            return
        await send(message)

    return sending


async def _nothing() -> dict[str, Any]:
    return {"type": "http.disconnect"}


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

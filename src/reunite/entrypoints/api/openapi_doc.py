"""The OpenAPI document tells the truth about errors: answers that any operation can give, because they
come from layers around the routes (the input guard, route validation, the body limit, the database
being briefly down), are documented once here, for every operation, with their real bodies."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from reunite.entrypoints.api.schemas import FieldProblem, Problem

DESCRIPTION = """\
**Retries.** Every `POST` that creates something (a sighting, a case, a subscription, a message, a
verification, a removal request, a token, a source, an import) accepts an `Idempotency-Key` header: a
one-time key of your choosing. Sent again with the same key and the same request, it answers the first
answer (with the same id, token or secret) and stores nothing; the same key with a different request is
refused with 422. Keys are kept for seven days and are scoped to the sender (the account, the token, or
an anonymous sender's address and, for a report, the puzzle spent): another sender's same key is another
request. Without a token, choose the key at random (a UUID, or a hex or base64url token of 16
random bytes: at least 16 characters holding about 64 bits of chance, without runs, counting or a repeated
pattern; `report-000000001` and `1234567890123456` are refused):
it is known by your address, which others may share, so a plain key (`1`, `retry`) that they could choose
too is refused with 422.

Without a key, the natural duplicates are harmless too: an email subscription to an area still waiting
for confirmation is answered with that subscription (its confirmation link is sent again at most once an
hour); a removal request by the same requester about the same record, while it waits, is answered with
that request; the same message again while it is still the case's last (within an hour) is answered
with that message; a source already read is answered with its id; PFIF records already here as sent are
left unchanged; a case (or a spreadsheet's row) for a child the same sender registered already (the same
names, birth date and day missing) is answered with that case (`POST /api/cases`: 200 with
`already_registered`, the photos sent that it did not hold added to it; imports: listed under
`already`); the identical report (every field, the same photos) sent again by the same sender within
10 minutes is stored once, and answered 202 with
`already_received` but without its `receipt`, `report_token` and `report_link`: a private link is given
again only to a retry that carries the report's `Idempotency-Key` (or, anonymously, the puzzle spent on
it together with the cookie this API gave the client that spent it: a puzzle alone, seen by a relay, is
no password). A token (or a client's cookie) may relay many people, and the next person's identical report must
never be handed the first person's private link; send each report with its own key to get the whole
answer on a retry.

**Inputs.** Each operation takes the inputs it documents, each once. A field of one value (a query
parameter, a form's field or file, a JSON body's field) sent more than once, even with the same value, and
an input the operation does not name (a misspelt field, one of another version) are refused with 422
naming them (`problems[].type`: `repeated`, `extra_forbidden`), and nothing is stored: no value is chosen
among several, none is dropped. Lists are sent once per item (`photos`, `photo_dates`). `?lang=` is taken
by every operation.

**Errors** have one shape whatever found them (`Problem`: `detail`, a sentence; `field`, the input it is
about; `problems`, each problem of the input) and are in the reader's language (`?lang=` or
`Accept-Language`: English or Chinese), with the field named as readers call it and every time shown with
its zone named.
"""

COMMON = {
    "422": ("Problem", "The input is invalid: each problem in `problems`"),
    "500": ("Problem", "A fault of the service: nothing to correct in the request"),
    "503": ("Problem", "The database is briefly unavailable; try again after Retry-After seconds"),
}
WITH_BODY = {"400": ("Problem", "The body cannot be parsed (malformed JSON or multipart)"),
             "413": ("Problem", "The request body is larger than the limit")}
LANG = {"name": "lang", "in": "query", "required": False, "schema": {"type": "string"}, "description": (
    "The reader's language for every word of the answer (`en`, `zh-CN`, `zh-TW`, `zh-HK`); without it, "
    "Accept-Language")}


def forms_only_named(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    """An API form takes only the fields it names (``inputs``), as its JSON bodies do (``bodies.BodyIn``)."""
    for kind, content in operation.get("requestBody", {}).get("content", {}).items():
        ref = content.get("schema", {}).get("$ref", "")
        if kind in ("multipart/form-data", "application/x-www-form-urlencoded") and ref:
            schemas[ref.rsplit("/", 1)[-1]]["additionalProperties"] = False


def install(app: FastAPI) -> None:
    """Replace ``app.openapi`` with one that adds the common answers (and ``?lang=``) to every operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(title=app.title, version=app.version, summary=app.summary,
                               description=app.description, routes=app.routes)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for model in (FieldProblem, Problem):
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schema.pop("$defs", None)  # each model is a component of its own
            schemas[model.__name__] = schema
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        for path, operations in document.get("paths", {}).items():
            for operation in operations.values():
                if path.startswith("/api/"):  # an input of every route (``inputs``), read by ``routes.reader``
                    operation["parameters"] = [*operation.get("parameters", []), dict(LANG)]
                    forms_only_named(operation, schemas)
                answers = operation.setdefault("responses", {})
                common = COMMON | (WITH_BODY if "requestBody" in operation else {})
                for status, (name, description) in common.items():
                    answers[status] = {"description": description, "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]

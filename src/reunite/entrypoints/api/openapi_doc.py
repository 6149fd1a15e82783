"""The OpenAPI document tells the truth about errors: answers that any operation can give, because they
come from layers around the routes (the input guard, route validation, the body limit, the database
being briefly down), are documented once here, for every operation, with their real bodies."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class InputProblem(BaseModel):
    """422: either one problem the service found (``detail`` a sentence, ``field`` the input), or the
    list of everything wrong with the request's shape, one entry per input."""

    detail: str | list[ValidationIssue]
    field: str | None = None


COMMON = {
    "422": ("InputProblem", "The input is invalid: a sentence, or a list of problems"),
    "503": ("Problem", "The database is briefly unavailable; try again after Retry-After seconds"),
}
WITH_BODY = {"400": ("Problem", "The body cannot be parsed (malformed JSON or multipart)"),
             "413": ("Problem", "The request body is larger than the limit")}


def install(app: FastAPI) -> None:
    """Replace ``app.openapi`` with one that adds the common answers to every operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for model in (ValidationIssue, InputProblem):
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schema.pop("$defs", None)  # each model is a component of its own
            schemas[model.__name__] = schema
        schemas.setdefault("Problem", {"type": "object", "properties": {
            "detail": {"type": "string"}, "field": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
            "required": ["detail"]})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                answers = operation.setdefault("responses", {})
                common = COMMON | (WITH_BODY if "requestBody" in operation else {})
                for status, (name, description) in common.items():
                    answers[status] = {"description": description, "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]

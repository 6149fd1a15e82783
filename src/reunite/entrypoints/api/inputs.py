"""Each input once, and only the inputs a route takes. A field that holds one value (a query parameter, a
form's field or file) sent more than once is ambiguous: the framework would keep the last and drop the
others without a word (a reporter's contact, a place, a time). An input that no parameter of the route
names (a misspelt filter, a field of another client's making) would be dropped the same way. Both are
refused (422, in the API's one error shape and the reader's language, naming the input) before the route
runs, so nothing is stored.

What a route takes is read once from its signature, as the framework reads it: its query parameters and
form fields, and which of them are lists by design (``photos``, ``photo_dates``: sent once per item). JSON
bodies refuse unknown fields by their model (``bodies.BodyIn``). Every route, pages and feeds too, takes
each of its declared inputs once; unknown query parameters and form fields are refused on the API only (a
page's address may carry whatever a link adds). The pages' own forms are read once per field by
``web.forms``. ``lang`` (the reader's language, read by ``pages.language`` and ``routes.reader``) is an
input of every route; the OpenAPI document names it on every API operation (``openapi_doc``)."""

from __future__ import annotations

import types
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.params import Form
from fastapi.routing import APIRoute

API = "/api/"
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")
LISTS = (list, tuple, set, frozenset, Sequence)
LANG = "lang"  # an input of every route
REPEATED = "repeated"  # the error's type (``validation.KINDS``)
UNKNOWN = "extra_forbidden"  # as the JSON bodies' models say it (pydantic's own type)


@dataclass(frozen=True)
class Takes:
    """A route's inputs by name: every one, and those that are lists (sent once per item)."""

    query: frozenset[str]
    query_lists: frozenset[str]
    form: frozenset[str]  # empty: the route declares no form (one reading its body itself is not checked)
    form_lists: frozenset[str]


def is_list(annotation: Any) -> bool:
    """Whether a parameter's type takes several values (``list[UploadFile]``, ``list[str] | None``)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return is_list(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return any(is_list(arg) for arg in get_args(annotation))
    return isinstance(origin or annotation, type) and issubclass(origin or annotation, LISTS) \
        and not issubclass(origin or annotation, str | bytes)


def _dependants(dependant: Dependant) -> Iterable[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


_TAKEN: dict[int, tuple[APIRoute, Takes]] = {}  # by the route's id (the route kept: its id stays its own)


def takes(route: APIRoute) -> Takes:
    """``route``: as its router declared it (the request's ``route``); read once per route."""
    if (known := _TAKEN.get(id(route))) is not None:
        return known[1]
    query: dict[str, bool] = {LANG: False}
    form: dict[str, bool] = {}
    for dependant in _dependants(route.dependant):
        query |= {field.alias: is_list(field.field_info.annotation) for field in dependant.query_params}
        form |= {field.alias: is_list(field.field_info.annotation) for field in dependant.body_params
                 if isinstance(field.field_info, Form)}  # File is a Form
    found = Takes(frozenset(query), frozenset(n for n, many in query.items() if many),
                  frozenset(form), frozenset(n for n, many in form.items() if many))
    _TAKEN[id(route)] = (route, found)
    return found


def problems(sent: Iterable[str], where: str, known: frozenset[str], lists: frozenset[str],
             strict: bool) -> list[dict[str, Any]]:
    """Each input sent that is unknown (``strict``) or repeated, in the order first sent; never echoed."""
    found = []
    for name, times in Counter(sent).items():
        if name not in known:
            if strict:
                found.append({"type": UNKNOWN, "loc": (where, name), "msg": "Extra inputs are not permitted",
                              "input": None})
        elif times > 1 and name not in lists:
            found.append({"type": REPEATED, "loc": (where, name), "msg": "Sent more than once", "input": None})
    return found


async def each_once(request: Request) -> None:
    """A dependency of every route (``create_app``): the refusal happens before anything is read or stored."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    taken, strict = takes(route), request.url.path.startswith(API)
    found = problems((name for name, _ in request.query_params.multi_items()), "query", taken.query,
                     taken.query_lists, strict)
    if taken.form and request.headers.get("content-type", "").lower().startswith(FORMS):
        form = await request.form()  # the framework's own reading of it (kept on the request)
        found += problems((name for name, _ in form.multi_items()), "body", taken.form, taken.form_lists, strict)
    if found:
        raise RequestValidationError(found)

"""Every error the API answers has one shape (``schemas.Problem``), in the reader's language, whoever
found it: a service (a ``ReuniteError``), the framework's validation (422), its routing (404, 405), its
form parser (400), the body limit (413) or a fault (500). ``detail`` is a sentence the reader can act on,
``field`` the input it is about (null when none), and ``problems`` each problem of the input (a 422's),
each with its ``field`` and ``detail``; the framework's add where it found it (``loc``) and its ``type``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.responses import JSONResponse

from reunite.domain.errors import InvalidInputs, ReuniteError
from reunite.entrypoints.api.validation import body_refused, localized
from reunite.i18n import Language


def problem(lang: Language, status: int, detail: str, field: str | None = None,
            problems: Sequence[Mapping[str, Any]] = (), headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The one body of every API error, with the language it is in."""
    response = JSONResponse({"detail": detail, "field": field, "problems": list(problems)}, status_code=status,
                            headers=dict(headers or {}))
    response.headers["Content-Language"] = lang.html_lang
    return response


def service_problem(lang: Language, exc: ReuniteError) -> JSONResponse:
    """A service's error: each problem of a refused input listed (a single one too), and any other error that
    names a field (a file that is no photo, 415; too large, 413; a spent puzzle, 429) listed the same way."""
    found = exc.problems if isinstance(exc, InvalidInputs) else [exc] if exc.field else []
    listed = [{"field": p.field, "detail": lang.error(p)} for p in found]
    return problem(lang, exc.status_code, lang.error(exc), exc.field, listed)


def validation_problem(lang: Language, errors: Sequence[dict[str, Any]], path: str = "") -> JSONResponse:
    """The framework's validation (422): every problem, the first's field, all of them in one sentence."""
    listed = localized(errors, lang, path)
    detail = lang.gettext("; ").join(item["detail"] for item in listed)
    return problem(lang, 422, detail, listed[0]["field"] if listed else None, listed)


def framework_message(lang: Language, status: int, said: str) -> str:
    """What the framework's refusal means, in the reader's words (the framework says it in English)."""
    if status == 400:
        return body_refused(said, lang)
    if status == 404:
        return lang.gettext("This address does not exist in the API: see /docs for the list of addresses.")
    if status == 405:
        return lang.gettext("This method is not allowed at this address.")
    if status >= 500:
        return lang.gettext("Something went wrong on our side. Try again in a few minutes.")
    return lang.gettext("This request cannot be answered.")


def framework_problem(lang: Language, status: int, said: str, headers: Mapping[str, str] | None = None
                      ) -> JSONResponse:
    return problem(lang, status, framework_message(lang, status, said), headers=headers)

"""The framework's validation errors in the reader's language: the API keeps the documented shape
(``detail``: a list of ``loc``, ``msg``, ``type``) but every ``msg`` is a sentence the reader can act on,
in English or Chinese, instead of the validator's English."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reunite.i18n import Language

KINDS = {  # the validator's error type, by prefix, to what the reader is told
    "missing": "{field} is required",
    "int": "{field} must be a whole number",
    "float": "{field} must be a number",
    "decimal": "{field} must be a number",
    "bool": "{field} must be true or false",
    "date": "{field} must be a date such as 2026-12-02",
    "datetime": "{field} must be a date and time with its zone, such as 2026-12-02T17:30+08:00",
    "time": "{field} must be a time such as 17:30",
    "timezone": "{field} must be a date and time with its zone, such as 2026-12-02T17:30+08:00",
    "enum": "{field} must be one of: {expected}",
    "literal": "{field} must be one of: {expected}",
    "json": "the body is not valid JSON",
    "string_too_long": "{field} is too long (at most {max_length} characters)",
    "string_too_short": "{field} is too short (at least {min_length} characters)",
    "too_long": "{field} has too many items (at most {max_length})",
    "too_short": "{field} has too few items (at least {min_length})",
    "greater_than_equal": "{field} must be at least {ge}",
    "less_than_equal": "{field} must be at most {le}",
    "greater_than": "{field} must be more than {gt}",
    "less_than": "{field} must be less than {lt}",
    "url": "{field} must be a web address starting with http:// or https://",
    "uuid": "{field} must be a UUID",
}


MOST_SPECIFIC_FIRST = sorted(KINDS, key=len, reverse=True)


def _template(kind: str) -> str:
    for prefix in MOST_SPECIFIC_FIRST:
        if kind == prefix or kind.startswith(prefix + "_"):
            return KINDS[prefix]
    return "{field} is not valid"


def _field(loc: Sequence[Any], lang: Language) -> str:
    names = [str(part) for part in loc[1:] if not isinstance(part, int)]
    return names[-1] if names else lang.gettext("the request body")


def localized(errors: Sequence[dict[str, Any]], lang: Language) -> list[dict[str, Any]]:
    """Each error with its message in the reader's language (the input itself is never echoed)."""
    shown = []
    for error in errors:
        loc = list(error.get("loc", ()))
        params = {key: value for key, value in (error.get("ctx") or {}).items() if isinstance(value, int | float | str)}
        params["field"] = _field(loc, lang)
        try:
            message = lang.gettext(_template(str(error.get("type", ""))), **params)
        except (KeyError, IndexError):  # a context the sentence does not name: say what is known
            message = lang.gettext("{field} is not valid", field=params["field"])
        shown.append({"loc": loc, "msg": message, "type": error.get("type", "")})
    return shown

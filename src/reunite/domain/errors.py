"""Errors that carry the HTTP status an entry point should answer with.

A message is a template with named values, so that pages can show it in the reader's language:
``InvalidInput("latitude {lat} is out of range (-90 to 90)", field="lat", lat=95)``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TypeVar

from reunite.domain.spelling import without_controls

T = TypeVar("T")


def plain(value: object) -> object:
    """A value as an English message writes it: an instant in ISO 8601, to the minute (to the second when it has
    seconds), a date in ISO 8601, never Python's own writing ("2026-11-20 10:00:00.123456+08:00",
    ``datetime.date(…)``); anything else as it is (a typed time writes itself: ``typed_time.TypedTime``)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds" if value.second or value.microsecond else "minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


class ReuniteError(Exception):
    """Base error: a message meant for the person who sent the request."""

    status_code = 400

    def __init__(self, template: str, *, field: str | None = None, **params: object) -> None:
        self.template = template
        self.params = params
        self.field = field
        self.context: tuple[str, dict[str, object]] | None = None
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The message in English (the command line, logs, an emailed report's reply), its values as ``plain``
        writes them; pages and the API show each reader theirs (``i18n.Language.error``)."""
        text = self.template.format(**{name: plain(value) for name, value in self.params.items()})
        if self.context:
            template, params = self.context
            return template.format(**{name: plain(value) for name, value in params.items()}) + text
        return text

    def within(self, template: str, **params: object) -> ReuniteError:
        """Say where the problem is, e.g. ``exc.within("photo {number}: ", number=2)``."""
        self.context = (template, params)
        self.args = (self.message,)
        return self

    def __str__(self) -> str:
        return self.message


class InvalidInput(ReuniteError):
    status_code = 422


class InvalidInputs(InvalidInput):
    """Every problem of one form at once (a reader corrects them all, then sends once): the first one's
    message and field, with the others in ``problems``."""

    def __init__(self, problems: Sequence[InvalidInput]) -> None:
        first = problems[0]
        super().__init__(first.template, field=first.field, **first.params)
        self.context = first.context
        self.problems = list(problems)


class Problems:
    """Collects a form's problems field by field: ``check`` runs one reading and keeps its InvalidInput;
    ``raise_all`` raises them together (one alone as itself)."""

    def __init__(self) -> None:
        self.found: list[InvalidInput] = []

    def check(self, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except InvalidInput as exc:
            self.add(exc)
        return None

    def add(self, problem: InvalidInput) -> None:
        """One problem found (several, when it holds several: ``InvalidInputs``)."""
        self.found.extend(problem.problems if isinstance(problem, InvalidInputs) else [problem])

    def raise_all(self) -> None:
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            raise InvalidInputs(self.found)


def bounded(value: str, limit: int, field: str) -> str:
    """A typed text, trimmed and without invisible control characters (``spelling.without_controls``); one longer
    than ``limit`` is refused (422, naming the field and its limit), never silently cut short."""
    value = without_controls(value)
    if len(value) > limit:
        raise InvalidInput("{name} is too long (at most {limit} characters)", field=field, name=field, limit=limit)
    return value


class NotFound(ReuniteError):
    status_code = 404


class Conflict(ReuniteError):
    status_code = 409


class PayloadTooLarge(ReuniteError):
    status_code = 413


class UnsupportedMedia(ReuniteError):
    status_code = 415


class NotSignedIn(ReuniteError):
    status_code = 401


class Forbidden(ReuniteError):
    status_code = 403


class TooManyRequests(ReuniteError):
    status_code = 429

    def __init__(self, template: str, *, retry_after: int = 60, field: str | None = None, **params: object) -> None:
        self.retry_after = max(1, retry_after)  # seconds, for the Retry-After header
        super().__init__(template, field=field, **params)


class ServiceUnavailable(ReuniteError):
    status_code = 503


class FaceEngineUnavailable(ServiceUnavailable):
    """The face engine cannot be loaded or run: a model file missing, truncated or damaged, a package
    missing, out of memory. A fault of the installation, never of the photo it was given: a photo is
    never marked unreadable for it, and its job is retried until the operator mends the engine.
    ``detail`` names the file and the cause, for the operator (logs, the command line); readers are
    told only that faces cannot be searched for now."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__("faces cannot be searched for at the moment: try again later")
        self.args = (detail,)  # pickled across processes (the web's helper) as its detail

    def __str__(self) -> str:
        return f"the face engine is unavailable: {self.detail}"


class PhotoStoreUnavailable(ServiceUnavailable):
    """The photo store cannot be reached (S3 down or unreachable, the folder's disk failing or full). Nothing
    of the sender's is wrong: a report is refused 503 with ``retry_after`` (seconds, for Retry-After) and a
    form comes back with what was typed; a face job waits and is tried again. ``detail`` names the cause,
    for the operator (logs)."""

    retry_after = 30

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__("photos cannot be stored at the moment: nothing was saved, try again in a minute")
        self.args = (detail,)  # pickled across processes as its detail

    def __str__(self) -> str:
        return f"the photo store is unavailable: {self.detail}"

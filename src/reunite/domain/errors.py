"""Errors that carry the HTTP status an entry point should answer with."""

from __future__ import annotations


class ReuniteError(Exception):
    """Base error: a message meant for the person who sent the request."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(ReuniteError):
    status_code = 422


class NotFound(ReuniteError):
    status_code = 404


class Conflict(ReuniteError):
    status_code = 409


class PayloadTooLarge(ReuniteError):
    status_code = 413


class UnsupportedMedia(ReuniteError):
    status_code = 415

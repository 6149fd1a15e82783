"""A multipart form read as it streams in, keeping only its text fields (bounded) and the size of each
file: for the guards that answer before a body reaches a route (``flood``, ``limits``). Read with the
multipart parser the routes use, so that they see the same parts."""

from __future__ import annotations

import re
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser

BOUNDARY = re.compile(rb"boundary=\"?([^\";]+)", re.IGNORECASE)
MAX_TEXT = 64 * 1024  # the text fields kept, all together


class FormScan:
    def __init__(self, content_type: bytes) -> None:
        found = BOUNDARY.search(content_type)
        self.fields: dict[str, str] = {}
        self.file_sizes: list[int] = []  # each file part's size, as far as read
        self.broken = found is None
        self._header: dict[str, bytes] = {}
        self._field: str | None = None
        self._kept = 0
        self._parser = MultipartParser(found.group(1).strip(), {
            "on_header_field": self._header_field, "on_header_value": self._header_value,
            "on_header_end": self._header_end, "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data}) if found else None

    @property
    def in_files(self) -> bool:
        """Whether a file part has begun (a report's photos come before most of its text on the page)."""
        return bool(self.file_sizes)

    def feed(self, chunk: bytes) -> None:
        if self._parser is None or self.broken:
            return
        try:
            self._parser.write(chunk)
        except MultipartParseError:
            self.broken = True

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header["name"] = self._header.get("name", b"") + data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._header["value"] = self._header.get("value", b"") + data[start:end]

    def _header_end(self) -> None:
        if self._header.get("name", b"").lower() == b"content-disposition":
            self._header["disposition"] = self._header.get("value", b"")
        self._header["name"], self._header["value"] = b"", b""

    def _headers_finished(self) -> None:
        disposition = self._header.pop("disposition", b"")
        name = disposition.partition(b'name="')[2].partition(b'"')[0].decode(errors="replace")
        self._field = None
        if b"filename=" in disposition:
            self.file_sizes.append(0)
        elif name:
            self._field = name
            self.fields.setdefault(name, "")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._field is None:
            if self.file_sizes:
                self.file_sizes[-1] += end - start
            return
        room = MAX_TEXT - self._kept
        if room > 0:
            piece = data[start:min(end, start + room)]
            self._kept += len(piece)
            self.fields[self._field] += piece.decode(errors="replace")


def replaying(prefix: bytes, more: bool, receive: Any) -> Any:
    """A ``receive`` that gives the body read already (``prefix``), then the rest as it comes."""
    sent = False

    async def replay() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": prefix, "more_body": more}
        return await receive()

    return replay

"""A multipart form read as it streams in, keeping its text fields (up to a cap, or all of them) and the
size of each file: for the guards that read a body before a route does (``flood`` and ``limits``, capped;
``guard``, all of a body already buffered). Read with the multipart parser the routes use, so that they
see the same parts."""

from __future__ import annotations

import re
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser

BOUNDARY = re.compile(rb"boundary=\"?([^\";]+)", re.IGNORECASE)  # its value keeps its case
MAX_TEXT = 64 * 1024  # the text fields kept, all together, by default


class FormScan:
    """``max_text``: the bytes of text kept, all fields together (None: all of them). A body that is not a
    well-formed multipart form is ``broken``: the route's own parser answers it."""

    def __init__(self, content_type: bytes, max_text: int | None = MAX_TEXT) -> None:
        found = BOUNDARY.search(content_type)
        self.file_sizes: list[int] = []  # each file part's size, as far as read
        self.broken = found is None
        self._text: list[tuple[str, bytearray]] = []  # each text part, in order (a name may come again)
        self._room = max_text
        self._header: dict[str, bytes] = {}
        self._in_text = False
        self._parser = MultipartParser(found.group(1).strip(), {
            "on_header_field": self._header_field, "on_header_value": self._header_value,
            "on_header_end": self._header_end, "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data}) if found else None

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """The text fields as read, in order; decoded whole, so a character split between two pieces of
        the body reads as itself."""
        return [(name, raw.decode(errors="replace")) for name, raw in self._text]

    @property
    def not_text(self) -> list[str]:
        """The names of the text fields whose bytes are not UTF-8 text (the framework's parser would read them as
        Latin-1, storing mojibake), in order."""
        found = []
        for name, raw in self._text:
            try:
                raw.decode()
            except UnicodeDecodeError:
                found.append(name)
        return found

    @property
    def fields(self) -> dict[str, str]:
        """Each text field's value (the last one sent, as the routes' form reads it)."""
        return dict(self.pairs)

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

    def finish(self) -> None:
        """The body has ended: one that ends before its closing boundary is broken."""
        if self._parser is None or self.broken:
            return
        try:
            self._parser.finalize()
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
        self._in_text = False
        if b"filename=" in disposition:
            self.file_sizes.append(0)
        elif name:
            self._in_text = True
            self._text.append((name, bytearray()))

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._in_text:
            if self.file_sizes:
                self.file_sizes[-1] += end - start
            return
        if self._room is not None:
            end = min(end, start + max(self._room, 0))
            self._room -= end - start
        self._text[-1][1].extend(data[start:end])


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

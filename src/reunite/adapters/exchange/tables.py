"""Spreadsheets in and out: CSV (UTF-8, with or without BOM) and XLSX (first sheet), header row first."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from reunite.domain.errors import InvalidInput, UnsupportedMedia

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 50_000


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is None and value.time() == time():
        return value.date().isoformat()  # a date cell (XLSX keeps it as its midnight): a date given alone
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _safe(text: str) -> str:
    """No cell a spreadsheet would run as a formula (CSV injection): such text gets a leading quote."""
    return "'" + text if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not _number(text)) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet program shows it, the row keyed by the header's lower-cased names);
    blank rows are skipped but still counted. XLSX is recognised by its content."""
    if data.startswith(XLSX_MAGIC):
        from openpyxl import load_workbook  # here: only an import of a spreadsheet needs it

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise UnsupportedMedia("the spreadsheet cannot be read: save it as XLSX or CSV") from exc
        table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    elif data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"<", b"{", b"[") or data.startswith(b"%PDF"):
        raise UnsupportedMedia("not a CSV or XLSX file (this looks like XML, HTML, JSON or PDF)")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UnsupportedMedia("the CSV file must be UTF-8 text") from exc
        table = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    numbered = [(number, row) for number, row in enumerate(table, start=1) if any(row)]
    if not numbered:
        raise InvalidInput("the file is empty: the first row names the columns", field="file")
    if len(numbered) > MAX_ROWS + 1:
        raise InvalidInput("at most {n} rows per file", field="file", n=MAX_ROWS)
    header = [h.strip().lower() for h in numbered[0][1]]
    return [(number, dict(zip(header, row + [""] * (len(header) - len(row)), strict=False)))
            for number, row in numbered[1:]]


def write_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _safe(_cell(row.get(k))) for k in columns})
    return ("\ufeff" + out.getvalue()).encode()  # BOM: spreadsheet programs then read UTF-8 as UTF-8


class Spreadsheets:
    """Implements ``domain.ports.TableCodec``."""

    def read_rows(self, data: bytes) -> list[tuple[int, dict[str, str]]]:
        return read_rows(data)

    def write_csv(self, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> bytes:
        return write_csv(rows, columns)

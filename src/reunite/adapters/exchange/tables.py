"""Spreadsheets in and out: CSV (UTF-8 with or without BOM, UTF-16, GBK, Big5) and XLSX (first sheet), header row
first."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from typing import Any

from reunite.adapters.exchange.legacy_text import BIG5, CP1251, EUC_KR, SHIFT_JIS, mislabelled_gb
from reunite.adapters.exchange.xml_encoding import PRIVATE_USE
from reunite.domain.errors import InvalidInput, PayloadTooLarge, UnsupportedMedia
from reunite.domain.sheet_columns import UnsavedFormula
from reunite.domain.spelling import without_controls

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 50_000  # rows of a file, blank ones too
MAX_COLUMNS = 200  # cells of a row read; a case needs a few dozen columns at most
MAX_CELL = 20_000  # characters in a cell (a description is cut far shorter)


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
    return without_controls(str(value))  # no ESC, BEL… read in nor written out (``domain.spelling``)


def _formula(value: Any) -> bool:
    """Whether a cell as written holds a formula (its text, or an array formula's object)."""
    return (isinstance(value, str) and value.startswith("=")) or hasattr(value, "text")


def _safe(text: str) -> str:
    """No cell a spreadsheet would run as a formula (CSV injection): such text gets a leading quote."""
    return "'" + text if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not _number(text)) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_rows(data: bytes, most: int = MAX_ROWS) -> list[tuple[int, list[str]]]:
    """The file's rows that are not blank, the header first, each with its number as a spreadsheet program shows
    it (blank rows are skipped but still counted) and its cells as written (``_unguarded``: less the quote this
    site's export puts before a formula's first character). XLSX is recognised by its content. Read row by row
    and refused as soon as it passes ``most`` rows of data (or ``MAX_ROWS`` rows, blank ones too) or holds a cell
    longer than ``MAX_CELL``: a small file that unpacks into millions of rows costs what its first rows cost. The
    header's names are matched to columns by ``domain.sheet_columns``."""
    numbered: list[tuple[int, list[str]]] = []
    for number, row in enumerate(_rows(data), start=1):
        if any(len(cell) > MAX_CELL for cell in row):
            raise InvalidInput("row {row}: a cell holds more than {n} characters", field="file", row=number,
                               n=MAX_CELL)
        if any(cell.strip() or isinstance(cell, UnsavedFormula) for cell in row):
            numbered.append((number, [_unguarded(cell) for cell in row]))
        if number > MAX_ROWS + 1 or len(numbered) > most + 1:  # the header and ``most`` rows of data
            raise PayloadTooLarge("more than {n} rows in one file: send them in several parts", field="file",
                                  n=min(most, MAX_ROWS))
    if not numbered:
        raise InvalidInput("the file is empty: the first row names the columns", field="file")
    return numbered


def _unguarded(cell: str) -> str:
    """A cell as it was before ``_safe`` guarded it: exactly one leading quote less before ``= + - @`` (or a
    tab, a carriage return), so that this site's export reads back as it was written (probe s41 D6)."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") else cell


def _rows(data: bytes) -> Iterator[list[str]]:
    """The file's rows one at a time, each as its cells' text (at most ``MAX_COLUMNS`` of them)."""
    if data.startswith(XLSX_MAGIC):
        from openpyxl import load_workbook  # here: only an import of a spreadsheet needs it

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            written = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]  # formulas as written
            # each row read to MAX_COLUMNS cells (empty ones None): a sheet's row is never shorter than its
            # header (``sheet_columns.keyed`` refuses a CSV row written with fewer cells); a formula with no value
            # saved is said so, never read as an empty cell (probe s46 P5)
            for row, formulas in zip(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS),
                                     written.iter_rows(values_only=True, max_col=MAX_COLUMNS), strict=False):
                yield [_cell(v) if v is not None or place >= len(formulas) or not _formula(formulas[place])
                       else UnsavedFormula(str(getattr(formulas[place], "text", formulas[place])))
                       for place, v in enumerate(row)]
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise UnsupportedMedia("the spreadsheet cannot be read: save it as XLSX or CSV") from exc
        return
    if data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"<", b"{", b"[") or data.startswith(b"%PDF"):
        raise UnsupportedMedia("not a CSV or XLSX file (this looks like XML, HTML, JSON or PDF)")
    reader = csv.reader(io.StringIO(_text(data)))
    number = 0
    try:
        for number, row in enumerate(reader, start=1):  # noqa: B007 - the row a broken cell stops at
            yield [without_controls(c) for c in row[:MAX_COLUMNS]]
    except csv.Error as exc:  # a cell past the csv module's own limit, a NUL
        raise InvalidInput("row {row} cannot be read: {problem}", field="file", row=number + 1,
                           problem=str(exc)) from exc


def _text(data: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without BOM), UTF-16 with its BOM, Big5 (what spreadsheet programs on
    Traditional-Chinese Windows save "CSV" as: Taiwan, Hong Kong), or GB18030, which reads GBK and GB2312 (on
    Simplified-Chinese Windows). GB18030 reads almost any byte pair, so bytes that are another legacy encoding's
    (``legacy_text.mislabelled_gb``: Japanese Excel's Shift_JIS, EUC-KR, windows-1251) are refused naming it,
    never read as Chinese-looking mojibake names (さくら as 偝偔傜: probe s46 P6)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    likely = mislabelled_gb(data)
    if likely in (SHIFT_JIS, EUC_KR, CP1251):
        raise _legacy(data, likely)
    for encoding in ("big5" if likely == BIG5 else "gb18030", "big5", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not PRIVATE_USE.search(text):  # GBK reads Big5's 陳 as a character nobody sees (probe s48 P4): not it
            return text
    raise UnsupportedMedia("the CSV file must be text in UTF-8, UTF-16, GBK or Big5")


def _legacy(data: bytes, likely: str) -> UnsupportedMedia:
    """The refusal of a CSV file in a legacy encoding other than Chinese ones, naming it and its language, and the
    line of its first byte past ASCII."""
    first = next((at for at, byte in enumerate(data) if byte > 0x7F), 0)
    line = data[:first].count(b"\n") + 1
    if likely == SHIFT_JIS:
        return UnsupportedMedia("the CSV file is not in UTF-8: its bytes read as Japanese in {encoding} (as Japanese Excel saves CSV), not as Chinese in GBK (line {line}): nothing was imported. Save it as “CSV UTF-8” and send it again",  # noqa: E501
                                field="file", encoding=likely, line=line)
    if likely == EUC_KR:
        return UnsupportedMedia("the CSV file is not in UTF-8: its bytes read as Korean in {encoding}, not as Chinese in GBK (line {line}): nothing was imported. Save it as “CSV UTF-8” and send it again",  # noqa: E501
                                field="file", encoding=likely, line=line)
    return UnsupportedMedia("the CSV file is not in UTF-8: its bytes read as Cyrillic in {encoding}, not as Chinese in GBK (line {line}): nothing was imported. Save it as “CSV UTF-8” and send it again",  # noqa: E501
                            field="file", encoding=likely, line=line)


def write_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _safe(_cell(row.get(k))) for k in columns})
    return ("\ufeff" + out.getvalue()).encode()  # BOM: spreadsheet programs then read UTF-8 as UTF-8


class Spreadsheets:
    """Implements ``domain.ports.TableCodec``."""

    def read_rows(self, data: bytes, most: int = MAX_ROWS) -> list[tuple[int, list[str]]]:
        return read_rows(data, most)

    def write_csv(self, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> bytes:
        return write_csv(rows, columns)

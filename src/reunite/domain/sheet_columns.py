"""A case sheet's columns: the names its header row may give them, and each row's cells keyed by them, with
what cannot be read so said, never silently (probe s41 D3): a column named twice, a name this site does not
read, a column with no name holding words (probe s46 P5), a row with more cells than its header names, or fewer
(probe s43 E3)."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from reunite.domain.errors import InvalidInput

REQUIRED = ("given_name", "birth_date", "missing_since")
READ = (*REQUIRED, "family_name", "nicknames", "sex", "zone", "last_seen_text", "last_seen_lat", "last_seen_lon",
        "description", "marks", "police_report", "family_contact")
# this site's own export's columns that a case is not registered from: read (``id``, ``record_id``: the case it
# is) or passed over without a word
EXPORTED = ("id", "record_id", "status", "verified_at", "source")
SEPARATORS = re.compile(r"[\s_\-]+")


class UnsavedFormula(str):
    """An XLSX cell holding a formula whose value the file does not carry (scripts and many tools other than
    spreadsheet programs write formulas so): empty text, but never read as an empty cell (probe s46 P5), its row
    refused naming its column (``keyed``)."""

    formula: str

    def __new__(cls, formula: str) -> UnsavedFormula:
        cell = super().__new__(cls, "")
        cell.formula = formula
        return cell


def column(name: str) -> str:
    """A header cell as the column it names: case, spaces and hyphens aside (``Given Name``, ``given-name`` and
    ``GIVEN_NAME`` are ``given_name``), full-width letters as ASCII."""
    return SEPARATORS.sub("_", unicodedata.normalize("NFKC", name).strip().casefold()).strip("_")


class Header(NamedTuple):
    names: list[str]  # each cell's column ("" for a blank cell)
    problems: list[InvalidInput]  # the header's: a column named twice, a name this site does not read


def header(cells: list[str]) -> Header:
    """The header row read: its columns, and its problems, each naming the column. A file that names none of
    the required columns is refused whole (422), listing the names it read and the ones expected; one that
    names some of them is refused naming those it lacks."""
    names = [column(cell) for cell in cells]
    while names and not names[-1]:
        names.pop()
    given = [name for name in names if name]
    if not any(name in given for name in REQUIRED):
        raise InvalidInput("not a table of cases: its first row names the columns {read}, but a case sheet names its columns {expected} (given_name, birth_date and missing_since are required)",  # noqa: E501
                           field="file", read=", ".join(cell.strip() for cell in cells if cell.strip())[:300],
                           expected=", ".join(READ))
    lacking = [name for name in REQUIRED if name not in given]
    if lacking:
        raise InvalidInput("the first row names no column {names}: every case needs it", field="file",
                           names=", ".join(lacking))
    problems: list[InvalidInput] = []
    for place, name in enumerate(names):
        if not name or names.index(name) != place:
            continue
        if names.count(name) > 1:
            problems.append(InvalidInput("the column {name} is named {n} times: a row whose cells under it differ is not taken",  # noqa: E501
                                         field=name, name=name, n=names.count(name)))
        elif name not in READ + EXPORTED:
            problems.append(InvalidInput("the column {column} is not one this site reads: its cells are not imported (the columns read: {expected})",  # noqa: E501
                                         field="file", column=cells[place].strip()[:80], expected=", ".join(READ)))
    return Header(names, problems)


def keyed(names: list[str], cells: list[str]) -> dict[str, str]:
    """A row's cells by column; refused (InvalidInput, the row not taken) when it has filled cells past the
    header's last column (a comma not in quotes shifts every cell after it: probe s41 D3), fewer cells than the
    header names (a cell left out shifts every cell after it the other way: probe s43 E3; a CSV row keeps the
    commas of its empty cells, ``a,b,,`` is four cells, and an XLSX row is read to its full width, so only a row
    written short is refused), different words under a column named twice, or a formula whose value the file
    does not carry under a column read (``UnsavedFormula``)."""
    beyond = [cell for cell in cells[len(names):] if cell.strip()]
    if beyond:
        raise InvalidInput("the row has filled cells past the {columns} columns its first row names (a comma not in quotes?): nothing of it is taken",  # noqa: E501
                           field="file", columns=len(names))
    if len(cells) < len(names):
        raise InvalidInput("the row has {cells} cells but its first row names {columns} columns (a cell missing? keep the commas of empty cells: ,,): nothing of it is taken",  # noqa: E501
                           field="file", cells=len(cells), columns=len(names))
    row: dict[str, str] = {}
    for name, cell in zip(names, cells, strict=False):
        if isinstance(cell, UnsavedFormula) and name in READ + EXPORTED[:2]:
            raise InvalidInput("the column {name} holds a formula with no saved value ({formula}): open and save the file in a spreadsheet program (or type the value): nothing of the row is taken",  # noqa: E501
                               field=name, name=name, formula=cell.formula[:80])
        if not name or not cell.strip():
            continue
        if name in row and row[name].strip() != cell.strip():
            raise InvalidInput("the column {name} is named twice and its cells differ: nothing of the row is taken",
                               field=name, name=name)
        row[name] = cell
    return row


def unnamed(names: list[str], rows: list[tuple[int, list[str]]]) -> list[InvalidInput]:
    """Each column whose header cell is blank but whose cells hold words (a title row deleted, cells merged):
    read by nobody, so said naming it as a spreadsheet program does (column B) and the first row holding words
    under it (probe s46 P5), as a column this site does not read is."""
    problems: list[InvalidInput] = []
    for place, name in enumerate(names):
        if name:
            continue
        filled = next((number for number, cells in rows if place < len(cells) and cells[place].strip()), None)
        if filled is not None:
            problems.append(InvalidInput("column {letter} has no name in the first row, but holds words (row {row}): its cells are not imported; name the column",  # noqa: E501
                                         field="file", letter=letter(place), row=filled))
    return problems


def letter(place: int) -> str:
    """A column's letters as spreadsheet programs name it: A for the first, Z, AA, AB …"""
    letters = ""
    place += 1
    while place:
        place, rest = divmod(place - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters

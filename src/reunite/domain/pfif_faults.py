"""What a PFIF document holds that is not read as sent, said in the import's report, never lost silently (probe
s46 P2, P3, P7): a field given twice in one record (the record is not taken: which value was meant is not ours
to guess), a field whose text holds markup (its words kept, the markup not), an element outside the document's
PFIF namespace (not read), a document with no record at all, and one record sent twice with different contents
(none of its copies is taken). The XML is read in ``adapters/exchange/pfif.py``, the report written in
``services/pfif.py``."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from reunite.domain.errors import InvalidInput

PERSON, NOTE, DOCUMENT = "person", "note", ""


class Fault(NamedTuple):
    """One thing a document holds that is not read as sent: of its ``at``-th (from 0) person or note (``kind``), or of
    the document itself (``DOCUMENT``, ``at`` -1); ``record`` the id it was sent with ("" when none), ``error``
    why (its template and values, translated in the report), ``refuses`` whether the record is not taken."""

    kind: str
    at: int
    record: str
    error: InvalidInput
    refuses: bool = False


def given_twice(names: Iterable[str]) -> dict[str, int]:
    """The fields of one record given more than once, with how many times (1.4 names: ``first_name`` and
    ``given_name`` in one record are the same field given twice)."""
    return {name: count for name, count in Counter(names).items() if count > 1}


def twice(kind: str, index: int, record: str, name: str, count: int) -> Fault:
    """A field of one value given ``count`` times in one record: the record is refused naming it, as the API's
    fields sent twice and a sheet's column named twice are (probe s46 P7)."""
    return Fault(kind, index, record, InvalidInput(
        "{name} is given {count} times in this record: the record is not taken; give each field once",
        name=name, count=count), refuses=True)  # no ``field``: the element's name is shown as sent


def markup(kind: str, index: int, record: str, name: str, tags: list[str]) -> Fault:
    """A field whose text holds elements (``seen at the market<br/>with a man``): its words are all kept (a line
    break for ``<br/>``), the elements are not, and it is said (probe s46 P2)."""
    shown = ", ".join(f"<{tag}>" for tag in dict.fromkeys(tags))
    return Fault(kind, index, record, InvalidInput(
        "{name} holds markup ({tags}): its words are kept as text, the markup is not", name=name, tags=shown[:120]))


def foreign(kind: str, index: int, record: str, element: str, namespace: str) -> Fault:
    """A ``person`` or ``note`` (or one of their fields) in no namespace or another than the document's: not
    read, and said (probe s46 P3: a feed whose children lack their prefix answered "created: 0" and nothing)."""
    return Fault(kind, index, record, InvalidInput(
        "{element} is not in the document's PFIF namespace ({namespace}): it is not read", field="file",
        element=element[:120], namespace=namespace))


def unknown(kind: str, index: int, record: str, element: str, fields: Iterable[str]) -> Fault:
    """An element in the document's PFIF namespace that is no field of a ``kind`` (``<pfif:descripton>``): not
    read, and said with the field it may have meant, the record taken without it, as a sheet's column this site
    does not read is said (probe s46 P3: a misspelt description lost its words and its date missing unsaid)."""
    near = difflib.get_close_matches(element.lower(), sorted(fields), n=1, cutoff=0.6)
    if near:
        return Fault(kind, index, record, InvalidInput(
            "{element} is not a PFIF {kind} field: it is not read (did you mean {near}?)", element=element[:120],
            kind=kind, near=near[0]))
    return Fault(kind, index, record, InvalidInput(
        "{element} is not a PFIF {kind} field: it is not read", element=element[:120], kind=kind))


def nothing_read(namespace: str) -> Fault:
    """A document with no person and no note in its namespace: nothing was read, and said."""
    return Fault(DOCUMENT, -1, "", InvalidInput(
        "the document holds no person and no note in its PFIF namespace ({namespace}): nothing was read",
        field="file", namespace=namespace))


def sent_twice(kind: str, count: int) -> InvalidInput:
    """One record id given to ``count`` records of one document whose contents differ: none is taken (which one
    the registry meant is not ours to guess; the same source_date says "the same version" only between
    imports)."""
    return InvalidInput("this {kind} is in the document {count} times with different contents: none of them is taken; send each record once",  # noqa: E501
                        field=f"{kind}_record_id", kind=kind, count=count)

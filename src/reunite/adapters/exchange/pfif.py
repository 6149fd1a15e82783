"""PFIF (People Finder Interchange Format) 1.1 to 1.4: parsed safely (defusedxml), normalised to
1.4 field names, and written as 1.4. See docs/exchange.md for the mapping to Reunite's cases."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

from reunite.adapters.exchange.xml_encoding import xml_in_utf8
from reunite.domain.errors import InvalidInput
from reunite.domain.pfif import NOTE_FIELDS, PERSON_FIELDS
from reunite.domain.pfif_faults import (
    DOCUMENT,
    NOTE,
    PERSON,
    Fault,
    foreign,
    given_twice,
    markup,
    nothing_read,
    twice,
    unknown,
)
from reunite.domain.spelling import without_controls, xml_text

NAMESPACES = {f"http://zesty.ca/pfif/{v}": v for v in ("1.1", "1.2", "1.3", "1.4")}
NS14 = "http://zesty.ca/pfif/1.4"
# Older names → 1.4 names (1.4 renamed first/last_name, found and other; 1.2 renamed home_zip)
RENAMED = {"first_name": "given_name", "last_name": "family_name", "found": "author_made_contact",
           "other": "description", "home_zip": "home_postal_code"}
OTHER_LABEL = "description:"


@dataclass
class PfifDocument:
    version: str
    persons: list[dict[str, str]] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)  # what is not read as sent (``domain.pfif_faults``)


KNOWN = frozenset(PERSON_FIELDS) | frozenset(NOTE_FIELDS) | frozenset(RENAMED) | {"person", "note"}
# each kind's fields by any version's name: another name in the PFIF namespace is a misspelling, said (probe s46 P3)
OWN_FIELDS = {PERSON: frozenset(PERSON_FIELDS) | {"first_name", "last_name", "other", "home_zip", "note"},
              NOTE: frozenset(NOTE_FIELDS) | {"found"}}
LINE_BREAKS = frozenset({"br", "p", "div", "li"})  # markup read as a line break before its words


def _fields(element: ET.Element, ns: str, kind: str, index: int, faults: list[Fault]) -> dict[str, str]:
    """A person's or note's fields by their 1.4 names, each its whole text (``_words``); what is not read as sent
    is said in ``faults``: a field given twice (the record refused), markup in a field, a PFIF field's name in
    another namespace or none, a name in the PFIF namespace that is no field of the record (a misspelling:
    not read); elements of other namespaces are extensions PFIF allows: passed over."""
    values: dict[str, str] = {}
    seen: list[str] = []
    record = _record_id(element)
    for child in element:
        if not isinstance(child.tag, str):  # a comment or processing instruction
            continue
        local = child.tag.rsplit("}", 1)[-1]
        if not child.tag.startswith(f"{{{ns}}}"):
            if local in KNOWN:
                faults.append(foreign(kind, index, record, child.tag, ns))
            continue
        if local not in OWN_FIELDS[kind]:  # <pfif:descripton>: the record is read, the element said (not read)
            faults.append(unknown(kind, index, record, local, OWN_FIELDS[kind]))
            continue
        if local == "note":
            continue
        name = RENAMED.get(local, local)
        seen.append(name)
        words, tags = _words(child)
        if tags:
            faults.append(markup(kind, index, record, name, tags))
        text = without_controls(words)  # C1 and DEL, which XML can carry (``domain.spelling``)
        values[name] = _other(text) if local == "other" else text
    for name, count in given_twice(seen).items():
        faults.append(twice(kind, index, record, name, count))
    return values


def _words(element: ET.Element) -> tuple[str, list[str]]:
    """An element's whole text: its own, and its sub-elements' with their tails, in order (``seen at the
    market<br/>with a man``: a ``<br/>``, ``<p>``, ``<div>`` or ``<li>`` as a line break), and the names of the
    sub-elements found (none: the text as sent). Walked without recursion: nesting may be deep."""
    parts, tags = [element.text or ""], []
    last = parts[0][-1:]  # the last character written so far
    stack: list[tuple[ET.Element, int]] = [(element, 0)]
    while stack:
        parent, at = stack.pop()
        if at >= len(parent):
            if parent is not element and parent.tail:
                parts.append(parent.tail)
                last = parent.tail[-1]
            continue
        stack.append((parent, at + 1))
        child = parent[at]
        local = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        tags.append(local)
        if local.lower() in LINE_BREAKS and last and last != "\n":
            parts.append("\n")
            last = "\n"
        if child.text:
            parts.append(child.text)
            last = child.text[-1]
        stack.append((child, 0))
    return "".join(parts), tags


def _record_id(element: ET.Element) -> str:
    """The record id a person or note was sent with (its first ``person_record_id`` or ``note_record_id``, in
    any namespace), to name it in the report; "" when it has none."""
    wanted = "note_record_id" if element.tag.endswith("note") else "person_record_id"
    for child in element:
        if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == wanted:
            return (child.text or "").strip()[:200]
    return ""


def _other(text: str) -> str:
    """A 1.1–1.3 ``other``: its lines without the XML's indentation and without the conventional
    ``description:`` label, which 1.4 made a field of its own."""
    lines = [line.strip() for line in text.splitlines()]
    if lines and lines[0].lower().startswith(OTHER_LABEL):
        lines[0] = lines[0][len(OTHER_LABEL):].strip()
    return "\n".join(lines).strip()


def refused_xml(exc: Exception) -> InvalidInput:
    """Why a document is not read, in a sentence for its sender (in their language: a template), never the
    parser's own words or its exception's repr ("DTDForbidden(name='pfif', …)", probe s20 T6)."""
    if isinstance(exc, DTDForbidden):
        return InvalidInput("the PFIF document declares a DTD (<!DOCTYPE …>), which is refused for safety: send it without one", field="file")  # noqa: E501
    if isinstance(exc, EntitiesForbidden):
        return InvalidInput("the PFIF document declares entities (<!ENTITY …>), which are refused for safety: send it without them", field="file")  # noqa: E501
    if isinstance(exc, ExternalReferenceForbidden):
        return InvalidInput("the PFIF document refers to outside files or addresses, which are refused for safety: send it without them", field="file")  # noqa: E501
    if isinstance(exc, ET.ParseError) and getattr(exc, "position", None):
        line, column = exc.position
        return InvalidInput("the PFIF document is not well-formed XML: it breaks off or goes wrong at line {line}, column {column}", field="file", line=line, column=column + 1)  # noqa: E501
    return InvalidInput("the PFIF document could not be read as XML: check that it is complete and in UTF-8",
                        field="file")


def parse(data: bytes, charset: str = "") -> PfifDocument:
    """Persons and notes of a PFIF 1.1–1.4 document, read in the encoding its bytes' order mark, the ``charset``
    it was sent with or its declaration names (``xml_encoding``). Notes nested in a person belong to it."""
    if not data.strip():
        raise InvalidInput("the PFIF document is empty: send the file itself", field="file")
    data = xml_in_utf8(data, charset)
    try:
        root = fromstring(data, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as exc:
        raise refused_xml(exc) from None
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if ns not in NAMESPACES or not root.tag.endswith("}pfif"):
        raise InvalidInput("this is not a PFIF 1.1–1.4 document (root {tag})", field="file", tag=root.tag[:120])
    document = PfifDocument(NAMESPACES[ns])
    faults = document.faults
    for element in root:
        if element.tag == f"{{{ns}}}person":
            person = _fields(element, ns, PERSON, len(document.persons), faults)
            document.persons.append(person)
            for nested in element.findall(f"{{{ns}}}note"):
                note = _fields(nested, ns, NOTE, len(document.notes), faults)
                # PFIF: a note inside a person belongs to that person, whatever id it names
                note["person_record_id"] = person.get("person_record_id", "")
                document.notes.append(note)
        elif element.tag == f"{{{ns}}}note":
            document.notes.append(_fields(element, ns, NOTE, len(document.notes), faults))
        elif isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] in ("person", "note"):
            faults.append(foreign(DOCUMENT, -1, _record_id(element), element.tag, ns))  # probe s46 P3
    if not document.persons and not document.notes:
        faults.append(nothing_read(ns))
    return document


def write(persons: list[dict[str, str]], notes: list[dict[str, str]]) -> bytes:
    """A PFIF 1.4 document; each person's notes nested after its fields, in 1.4 field order."""
    ET.register_namespace("pfif", NS14)
    root = ET.Element(f"{{{NS14}}}pfif")
    by_person: dict[str, list[dict[str, str]]] = {}
    for note in notes:
        by_person.setdefault(note.get("person_record_id", ""), []).append(note)
    for person in persons:
        element = ET.SubElement(root, f"{{{NS14}}}person")
        _append(element, person, PERSON_FIELDS)
        for note in by_person.pop(person["person_record_id"], []):
            _append(ET.SubElement(element, f"{{{NS14}}}note"), note, NOTE_FIELDS)
    for orphans in by_person.values():
        for note in orphans:
            _append(ET.SubElement(root, f"{{{NS14}}}note"), note, NOTE_FIELDS)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _append(parent: ET.Element, values: dict[str, str], order: tuple[str, ...]) -> None:
    for name in order:
        if values.get(name):
            ET.SubElement(parent, f"{{{NS14}}}{name}").text = xml_text(values[name])  # whatever a row holds


class PfifXml:
    """Implements ``domain.ports.PfifCodec``."""

    def parse(self, data: bytes, charset: str = "") -> tuple[str, list[dict[str, str]], list[dict[str, str]],
                                                           list[Fault]]:
        document = parse(data, charset)
        return document.version, document.persons, document.notes, document.faults

    def write(self, persons: list[dict[str, str]], notes: list[dict[str, str]]) -> bytes:
        return write(persons, notes)

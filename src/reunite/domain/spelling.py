"""How a child's name and the short fields about them are read, one way wherever they come in (the API, the
pages' forms, spreadsheets, PFIF): a name is kept in Unicode's compatibility form (NFKC: full-width
``Ａｎｎａ`` is ``Anna``, a ligature its letters) without format characters (category Cf: bidi controls
such as U+202E, which would let a name display other than it is stored and searched, zero-width spaces
and joiners, the BOM), its spaces collapsed; other short fields lose their format characters only. Every text,
whichever way it comes in, loses its invisible control characters (``without_controls``: ESC, BEL, backspace…,
DEL and C1), which no person means to type, which a page cannot show and XML 1.0 cannot carry: one of them would
make the feed and every PFIF export ill-formed (probe s34 H1). The words a sex may be given in, in the languages
the site reads."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

FORMAT = "Cf"
# the control characters (Unicode's Cc) a text may not hold: all of C0 but tab, line feed and carriage return;
# DEL and C1. Those Python reads as spaces (vertical tab, form feed, the separators U+001C-U+001F, NEL) become
# a space, as in a name they always did; the others (ESC, BEL, backspace, NUL…) are removed.
SPACING_CONTROLS = re.compile(r"[\x0b\x0c\x1c-\x1f\x85]")
# and lone UTF-16 surrogates (a JSON string may escape one, "\ud800": no character, and no UTF-8 carries it)
CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")
# what XML 1.0 cannot carry at all (``Char``: C0 but tab, line feed and carriage return; lone surrogates; U+FFFE,
# U+FFFF), and DEL and C1, which it discourages: left out by the writers of the feed and of PFIF, whatever a
# stored row holds
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Invisible format characters that no typed text needs and that can hide or reorder what follows them (probe s38
# M5): the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069: an unclosed RLO reverses the rest
# of an audit line or a timeline), the direction marks (U+061C, U+200E, U+200F), the zero-width space, word joiner
# and invisible operators (U+200B, U+2060-U+2064), the byte order mark (U+FEFF), the deprecated format characters
# (U+206A-U+206F), the Mongolian vowel separator (U+180E) and the interlinear annotation characters
# (U+FFF9-U+FFFB): removed. The line and paragraph separators (U+2028, U+2029) become a space, as NEL does.
INVISIBLE = re.compile(r"[\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")
SEPARATORS = re.compile(r"[\u2028\u2029]")
# The zero-width non-joiner and joiner (U+200C, U+200D) are kept between two visible characters: Persian and the
# Indic scripts spell words with them, and emoji sequences (a family, a flag) are joined by them; anywhere else
# (at an end, beside a space or another joiner) they join nothing, and go.
LONE_JOINERS = re.compile(r"[\u200c\u200d](?![^\s\u200c\u200d])|(?<![^\s\u200c\u200d])[\u200c\u200d]")
SEX_WORDS = {  # every spelling of a sex the site reads, folded (``casefold``), to its stored value
    "female": "female", "f": "female", "女": "female",
    "male": "male", "m": "male", "男": "male",
    "unknown": "unknown", "未知": "unknown", "不详": "unknown",
}


def without_controls(text: str) -> str:
    """``text`` without invisible control characters (``CONTROLS``; tab, line feed and carriage return are kept;
    a vertical tab, a form feed, a line or paragraph separator become a space), nor the invisible format characters
    that hide or reorder text (``INVISIBLE``: bidi overrides and isolates, zero-width spaces, a byte order mark;
    a joiner only where it joins nothing, ``LONE_JOINERS``), trimmed: every typed text the site stores, staff's
    and the public's, is read through it (forms, JSON bodies, command options, sheets, PFIF)."""
    spaced = SEPARATORS.sub(" ", SPACING_CONTROLS.sub(" ", text))
    return LONE_JOINERS.sub("", INVISIBLE.sub("", CONTROLS.sub("", spaced))).strip()


def texts_without_controls(value: Any) -> Any:
    """``value`` with every text in it, in lists and mappings too, ``without_controls``: how an entry point that
    reads many texts at once (a JSON body, a command's options) cleans each one it will store, whatever its name."""
    if type(value) is str:  # a text itself, not a choice among named values (an enum) nor a path
        return without_controls(value)
    if type(value) in (list, tuple):
        return type(value)(texts_without_controls(item) for item in value)
    if type(value) is dict:
        return {key: texts_without_controls(item) for key, item in value.items()}
    return value


def without_format(text: str) -> str:
    """``text`` without Unicode format characters (bidi controls, zero-width characters) nor control characters
    (``without_controls``), trimmed."""
    return "".join(ch for ch in without_controls(text) if unicodedata.category(ch) != FORMAT).strip()


def xml_text(text: str) -> str:
    """``text`` as an XML 1.0 document may carry it: without the characters it cannot (``NOT_XML``)."""
    return NOT_XML.sub("", text)


def person_name(text: str) -> str:
    """A person's name as stored and compared: NFKC, no format characters, single spaces."""
    return " ".join(without_format(unicodedata.normalize("NFKC", text)).split())


NICKNAME_BREAK = re.compile(r"[,;/、，；／]")  # how names are listed: "a, b", "豪豪、小豪", "婷婷，小婷", "a; b"


def nickname_list(*texts: str) -> tuple[str, ...]:
    """Every nickname in ``texts`` as stored (``person_name``), each text split where a list of names is split in
    English or Chinese (commas, the enumeration comma 、, semicolons, slashes, full- or half-width: probe s40 A4),
    without empties or repeats, in the order given."""
    names = (person_name(part) for text in texts for part in NICKNAME_BREAK.split(text or ""))
    return tuple(dict.fromkeys(name for name in names if name))


def sex_word(text: str) -> str | None:
    """The stored value of a sex as people write it (``女``, ``F``, ``male``…); None when it names none."""
    return SEX_WORDS.get(person_name(text).casefold())

"""How a child's name and the short fields about them are read, one way wherever they come in (the API, the
pages' forms, spreadsheets, PFIF): a name is kept in Unicode's compatibility form (NFKC: full-width
``Ａｎｎａ`` is ``Anna``, a ligature its letters) without format characters (category Cf: bidi controls
such as U+202E, which would let a name display other than it is stored and searched, zero-width spaces
and joiners, the BOM), its spaces collapsed; other short fields lose their format characters only. The
words a sex may be given in, in the languages the site reads."""

from __future__ import annotations

import unicodedata

FORMAT = "Cf"
SEX_WORDS = {  # every spelling of a sex the site reads, folded (``casefold``), to its stored value
    "female": "female", "f": "female", "女": "female",
    "male": "male", "m": "male", "男": "male",
    "unknown": "unknown", "未知": "unknown", "不详": "unknown",
}


def without_format(text: str) -> str:
    """``text`` without Unicode format characters (bidi controls, zero-width characters), trimmed."""
    return "".join(ch for ch in text if unicodedata.category(ch) != FORMAT).strip()


def person_name(text: str) -> str:
    """A person's name as stored and compared: NFKC, no format characters, single spaces."""
    return " ".join(without_format(unicodedata.normalize("NFKC", text)).split())


def sex_word(text: str) -> str | None:
    """The stored value of a sex as people write it (``女``, ``F``, ``male``…); None when it names none."""
    return SEX_WORDS.get(person_name(text).casefold())

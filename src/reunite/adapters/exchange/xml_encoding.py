"""The encoding an XML document sent to this site is read in, and reading it so (probe s22 V4). The rule is
RFC 7303's (XML media types, section 3): a byte order mark first (the bytes themselves say it), then the
``charset`` of the Content-Type header the document was sent with, then the document's own XML declaration
(``<?xml version="1.0" encoding="GBK"?>``), else UTF-8. The document is decoded strictly in that encoding:
bytes not valid in it refuse the whole document (nothing imported), in a sentence naming the
encoding, where it was named and the line, never a name stored as mojibake nor a parser's error."""

from __future__ import annotations

import codecs
import re

from reunite.adapters.exchange.legacy_text import BIG5, mislabelled_gb
from reunite.domain.errors import InvalidInput

# byte order marks, longest first (UTF-32's little-endian mark begins with UTF-16's)
BOMS = ((codecs.BOM_UTF32_LE, "UTF-32LE", "utf-32"), (codecs.BOM_UTF32_BE, "UTF-32BE", "utf-32"),
        (codecs.BOM_UTF8, "UTF-8", "utf-8-sig"), (codecs.BOM_UTF16_LE, "UTF-16LE", "utf-16"),
        (codecs.BOM_UTF16_BE, "UTF-16BE", "utf-16"))
# The XML declaration's encoding, in a document that starts ASCII-compatible (no UTF-16 byte order mark)
DECLARED = re.compile(rb"""^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
DECLARATION = re.compile(r"""^(\s*<\?xml\b[^>]*?\bencoding\s*=\s*["'])([^"']{0,40})(["'])""")
# GB2312 and GBK documents often hold characters of GB18030, which holds both (and reads their bytes alike)
GB = frozenset({"gb2312", "gbk", "gb_2312-80", "csgb2312", "x-gbk", "cp936"})
PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")  # what GB18030 reads unassigned byte pairs as
BOM, HEADER, DECLARATION_SAYS, NOTHING = "bom", "header", "declaration", "nothing"



def named(data: bytes, charset: str = "") -> tuple[str, str, str]:
    """(the encoding as named, what named it: ``BOM``, ``HEADER``, ``DECLARATION_SAYS`` or ``NOTHING``, the
    codec to read it with): by RFC 7303's order (see the module)."""
    for mark, name, codec in BOMS:
        if data.startswith(mark):
            return name, BOM, codec
    if charset.strip():
        return charset.strip(), HEADER, _codec(charset.strip(), HEADER)
    declared = DECLARED.match(data)
    if declared is not None:
        name = declared.group(1).decode("ascii")
        return name, DECLARATION_SAYS, _codec(name, DECLARATION_SAYS)
    return "UTF-8", NOTHING, "utf-8"


def _codec(name: str, named_by: str) -> str:
    try:
        return "gb18030" if name.lower() in GB else codecs.lookup(name).name
    except LookupError:
        if named_by == HEADER:
            raise InvalidInput("the Content-Type header names an encoding this site does not know ({encoding}): send the PFIF document in UTF-8, or with the charset it is written in",  # noqa: E501
                               field="file", encoding=name[:40]) from None
        raise InvalidInput("the PFIF document is in an encoding this site does not know ({encoding}): send it in UTF-8",
                           field="file", encoding=name) from None


def xml_in_utf8(data: bytes, charset: str = "") -> bytes:
    """The document decoded strictly in the encoding ``named`` gives, as UTF-8 bytes whose XML declaration (if
    any) says UTF-8, for the XML parser; refused (InvalidInput, ``_not_valid``) when its bytes are not valid in
    that encoding: a document whose declaration is readable as ASCII is in no UTF-16 or UTF-32 either."""
    name, named_by, codec = named(data, charset)
    try:
        if named_by == DECLARATION_SAYS and codec.startswith(("utf-16", "utf-32")):
            raise UnicodeDecodeError(codec, data, 0, 1, "an ASCII declaration")
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].decode(codec, errors="replace").count("\n") + 1
        raise _not_valid(named_by, name[:40], line) from None
    if codec == "gb18030":
        _gb_indeed(data, text, name[:40], named_by)
    return DECLARATION.sub(r"\g<1>UTF-8\g<3>", text.removeprefix("\ufeff"), count=1).encode("utf-8")


def _gb_indeed(data: bytes, text: str, name: str, named_by: str) -> None:
    """A document named GB2312 or GBK (read as GB18030, which reads almost any byte pair) whose bytes are another
    legacy encoding's (``legacy_text.mislabelled_gb``: Big5, a Traditional-Chinese file relabelled by mainland
    tools; Shift_JIS, EUC-KR, windows-1251, read as Chinese-looking mojibake: probe s46 P6), or that reads as
    private-use characters nobody can see, is refused naming the likely encoding: never names stored as
    invisible characters (probe s41 D5) or mojibake."""
    odd = next((at for at, ch in enumerate(text) if PRIVATE_USE.match(ch)), None)
    likely = mislabelled_gb(data)
    if likely == BIG5:
        raise InvalidInput("the PFIF document is labelled {encoding}, but its bytes are Big5's (line {line}): nothing was imported. Label it Big5, or send it in UTF-8",  # noqa: E501
                           field="file", encoding=name, line=text[:odd or 0].count("\n") + 1)
    if likely is not None:
        first = next((at for at, byte in enumerate(data) if byte > 0x7F), 0)
        raise InvalidInput("the PFIF document is labelled {encoding}, but its bytes read as {likely}, not as Chinese (line {line}): nothing was imported. Label it {likely}, or send it in UTF-8",  # noqa: E501
                           field="file", encoding=name, likely=likely, line=data[:first].count(b"\n") + 1)
    if odd is not None:
        raise _not_valid(named_by, name, text[:odd].count("\n") + 1)


def _not_valid(named_by: str, name: str, line: int) -> InvalidInput:
    """Bytes not valid in the encoding named: which encoding, what named it, the line, and that nothing was
    imported."""
    if named_by == HEADER:
        return InvalidInput("the PFIF document was sent as {encoding} (the charset of its Content-Type header), but its bytes are not valid {encoding} (line {line}): nothing was imported. Send it with the charset it is written in, or in UTF-8",  # noqa: E501
                            field="file", encoding=name, line=line)
    if named_by == DECLARATION_SAYS:
        return InvalidInput("the PFIF document declares it is in {encoding} (its XML declaration), but its bytes are not valid {encoding} (line {line}): nothing was imported. Declare the encoding it is written in, or send it in UTF-8",  # noqa: E501
                            field="file", encoding=name, line=line)
    if named_by == BOM:
        return InvalidInput("the PFIF document begins with the byte order mark of {encoding}, but its bytes are not valid {encoding} (line {line}): nothing was imported. Send it in UTF-8",  # noqa: E501
                            field="file", encoding=name, line=line)
    return InvalidInput("the PFIF document names no encoding, so it is read as UTF-8, but its bytes are not valid UTF-8 (line {line}): nothing was imported. Declare the encoding it is written in (such as GBK), or send it in UTF-8",  # noqa: E501
                        field="file", line=line)

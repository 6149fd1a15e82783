"""Probe s34 H1, H5, H9 in the small: invisible control characters left out of every text (a vertical tab or
form feed a space), nothing XML 1.0 cannot carry in what the XML writers write, a day the calendar does not
have told from a text that is no date, and an email's text part read whatever charset it names."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from reunite.adapters.exchange.pfif import write
from reunite.domain.dates import no_such_day
from reunite.domain.errors import InvalidInput, bounded
from reunite.domain.spelling import person_name, without_controls, without_format, xml_text
from reunite.domain.summary import cleaned
from reunite.entrypoints.mail import part_text


@pytest.mark.parametrize(("typed", "kept"), [
    ("a\x1b[2Jb", "a[2Jb"), ("bell\x07 back\x08space", "bell backspace"), ("\x01\x02x\x7f\x9b", "x"),
    ("tab\tline\nreturn\r\nend", "tab\tline\nreturn\r\nend"), ("vertical\x0btab\x0cfeed", "vertical tab feed"),
    ("next\x85line", "next line"), ("  \x1b  ", ""), ("红\x1b衣服", "红衣服"),
])
def test_every_text_loses_its_invisible_controls(typed: str, kept: str) -> None:
    assert without_controls(typed) == kept
    assert bounded(typed, 100, "note") == kept
    assert cleaned(typed) == without_format(typed) == kept


@pytest.mark.parametrize(("typed", "kept"), [
    ("Refused \u202eevil\u202c end", "Refused evil end"), ("a\u2066b\u2069c\u202ad\u202be\u202df", "abcdef"),
    ("zero\u200bwidth\ufeffbom\u2060join", "zerowidthbomjoin"), ("\u200e\u200fmarks\u061c", "marks"),
    ("line\u2028sep\u2029para", "line sep para"), ("\ufeff\u200b  \u202e", ""),
    ("family \U0001f468\u200d\U0001f469\u200d\U0001f467", "family \U0001f468\u200d\U0001f469\u200d\U0001f467"),
    ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),
    ("\u200dlone \u200c joiners\u200d\u200dx\u200d", "lone  joinersx"),
])
def test_every_text_loses_the_format_characters_that_hide_or_reorder_it(typed: str, kept: str) -> None:
    """Probe s38 M5: a bidi override in a moderator's reason reversed the rest of the family's timeline line; a
    zero-width space or a BOM hid in it. A joiner between two characters (an emoji family, a Persian word) stays."""
    assert without_controls(typed) == kept
    assert bounded(typed, 100, "note") == kept


def test_a_name_loses_controls_and_format_characters_and_keeps_one_space() -> None:
    assert person_name("Li\x0bNa\x1b") == "Li Na"
    assert person_name("\u202eLi\u200b \x07Na") == "Li Na"
    with pytest.raises(InvalidInput):  # a text of controls is not short: the limit counts what is kept
        bounded("x" * 11, 10, "note")
    assert bounded("\x1b" * 20 + "x", 10, "note") == "x"


def test_xml_writers_leave_out_what_xml_cannot_carry() -> None:
    assert xml_text("a\x1b\x00b\x7f\x9f\ufffe\ud800c\td\ne") == "abc\td\ne"
    document = write([{"person_record_id": "reunite.local/case.1", "given_name": "Mei\x1b[2J\x07",
                       "description": "red\x08 coat\x85"}], [])
    root = ET.fromstring(document)
    assert [e.text for e in root.iter() if e.tag.endswith("}given_name")] == ["Mei[2J"]


@pytest.mark.parametrize(("text", "impossible"), [
    ("2015-02-29", True), ("2026-02-30", True), ("2026-13-01", True), ("2026/2/30", True), ("2015年2月29日", True),
    ("2026-02-29T10:00+08:00", True), ("20260229T1000Z", True), ("2016-02-29", False), ("2024-05-01", False),
    ("2024-05", False), ("2024", False), ("soon", False), ("", False), ("2026-02-28T25:00+08:00", False),
])
def test_a_day_the_calendar_does_not_have_is_told_from_what_is_no_date(text: str, impossible: bool) -> None:
    assert no_such_day(text) is impossible


@pytest.mark.parametrize("charset", ["x-gbk", "unknown-8bit", "x-unknown", "gbk", "utf-8"])
def test_an_emails_text_is_read_whatever_charset_it_names(charset: str) -> None:
    words = "在火车站看到一个孩子 near the station"
    message = EmailMessage()
    message.set_content(words.encode("utf-8" if charset == "utf-8" else "gbk"), maintype="text", subtype="plain",
                        cte="8bit")
    message.replace_header("Content-Type", f"text/plain; charset={charset}")
    read = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(read, EmailMessage)
    assert part_text(read).strip() == words


def test_bytes_no_known_charset_reads_are_read_as_latin1_never_refused() -> None:
    message = EmailMessage()
    message.set_content(b"caf\xe9 \xff\xfe", maintype="text", subtype="plain", cte="8bit")
    message.replace_header("Content-Type", "text/plain; charset=x-unknown")
    read = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(read, EmailMessage)
    assert part_text(read).strip() == "caf\xe9 \xff\xfe"

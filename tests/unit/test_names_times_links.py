"""Names in their language's order, wall-clock times read in the right zone, links a phone can act on."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter, ValidationError

from reunite.adapters.sources.parse import _iso as feed_time
from reunite.domain.dates import loose_date
from reunite.domain.errors import InvalidInput
from reunite.domain.pfif import full_name, instant
from reunite.domain.times import (
    RepeatedTime,
    from_browser,
    iso_time,
    localize,
    offset_minutes,
    real,
    with_offset,
    zone,
)
from reunite.entrypoints.api.validation import GivenTime
from reunite.entrypoints.web.links import contact_links, place_links

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_chinese_names_are_written_family_name_first() -> None:
    assert full_name("浩然", "王") == "王浩然"
    assert full_name("Haoran", "Wang") == "Haoran Wang"
    assert full_name("Lin", "") == "Lin"


def test_a_typed_time_is_read_in_the_browsers_zone_then_its_offset_then_the_sites() -> None:
    wall = datetime(2026, 7, 1, 9, 33)
    assert from_browser(wall, "Europe/London", -60, SHANGHAI).astimezone(UTC) == datetime(2026, 7, 1, 8, 33, tzinfo=UTC)
    assert from_browser(wall, None, 300, SHANGHAI).astimezone(UTC) == datetime(2026, 7, 1, 14, 33, tzinfo=UTC)
    assert from_browser(wall, "Not/AZone", None, SHANGHAI).astimezone(UTC) == datetime(2026, 7, 1, 1, 33, tzinfo=UTC)
    assert zone("../../etc/passwd") is None


def test_a_typed_time_the_clocks_skipped_is_refused_naming_the_zone_and_the_real_time() -> None:
    new_york = ZoneInfo("America/New_York")
    with pytest.raises(InvalidInput) as refused:  # 02:00 became 03:00 that night: 02:30 never happened
        from_browser(datetime(2026, 3, 8, 2, 30), "America/New_York", 300, SHANGHAI, "seen_at")
    assert refused.value.field == "seen_at"
    assert refused.value.message == ("2026-03-08 02:30 never happened in America/New_York: the clocks went forward "
                                     "over it (summer time began). It was 2026-03-08 03:30 there then: check the "
                                     "time and send it again")
    with pytest.raises(InvalidInput):  # the same rule in the site's zone (a form without JavaScript, the API)
        localize(datetime(2026, 3, 29, 1, 15), ZoneInfo("Europe/London"))
    # a camera's clock is not refused: the real instant, written with the offset it really had
    assert real(datetime(2026, 3, 8, 2, 30), new_york).isoformat() == "2026-03-08T03:30:00-04:00"
    assert localize(datetime(2026, 3, 8, 3, 30), new_york).isoformat() == "2026-03-08T03:30:00-04:00"


def test_a_typed_time_in_the_hour_repeated_in_autumn_is_never_silently_one_of_the_two_but_the_one_chosen(
) -> None:
    """New York, 1 November 2026: 01:00-02:00 happens twice (EDT, then EST). A form's field (which cannot carry an
    offset) is refused as a sheet's is, naming both with their offsets (before: silently the first), and takes
    the one the reader chose: that wall time with one of its two offsets, whatever fold it came with; a choice
    of another time or offset chooses nothing."""
    wall = datetime(2026, 11, 1, 1, 30)
    new_york = ZoneInfo("America/New_York")
    with pytest.raises(RepeatedTime) as asked:
        from_browser(wall, "America/New_York", None, SHANGHAI, "seen_at")
    first, second = asked.value.choices
    assert (first.isoformat(), second.isoformat()) == ("2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00")
    assert asked.value.field == "seen_at"
    chosen = from_browser(wall, "America/New_York", None, SHANGHAI, "seen_at", datetime.fromisoformat(
        "2026-11-01T01:30-05:00"))
    assert chosen.astimezone(UTC) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert offset_minutes(chosen) == -300  # kept with that occurrence's offset: pages name it (EST)
    assert localize(wall.replace(fold=1), new_york, chosen=first) == first
    for other in ("2026-11-01T01:45-04:00", "2026-11-01T01:30-06:00"):
        with pytest.raises(RepeatedTime):
            localize(wall, new_york, chosen=datetime.fromisoformat(other))
    with pytest.raises(InvalidInput) as refused:  # a sheet or the command line: written with its offset
        localize(wall, new_york, "missing_since")
    assert refused.value.field == "missing_since"
    assert "2026-11-01T01:30-04:00 (the first time) or 2026-11-01T01:30-05:00 (the second)" in refused.value.message
    assert localize(datetime(2026, 11, 1, 2, 30), new_york).isoformat() == "2026-11-01T02:30:00-05:00"  # once


def test_an_instant_is_written_back_with_the_offset_it_was_given_in() -> None:
    given = datetime(2026, 7, 1, 17, 30, tzinfo=SHANGHAI)
    stored = given.astimezone(UTC)
    assert with_offset(stored, offset_minutes(given)).isoformat() == "2026-07-01T17:30:00+08:00"
    assert with_offset(stored, None) == stored


OFFSETS = {  # ISO 8601's offsets, as partners, sheets and registries write them, to minutes east of UTC
    "2026-12-03T10:00+08:00": 480, "2026-12-03T10:00+0800": 480, "2026-12-03T10:00+08": 480,
    "2026-12-03T10:00-05": -300, "2026-12-03 10:00:00.5-0530": -330, "20261203T1000+0545": 345,
    "2026-12-03T10:00:00.123456789Z": 0, "2026-12-03t10:00z": 0, "2026-12-03T10+08": 480,
}


def test_every_reader_of_a_time_from_outside_takes_an_hours_only_offset_and_keeps_it() -> None:
    """One parser (``times.iso_time``) for the API's fields, sheets, PFIF, feeds and forms: each form of
    offset ISO 8601 allows is read, as the same instant with the same offset, by every one of them."""
    api = TypeAdapter(GivenTime)
    for text, east in OFFSETS.items():
        parsed = iso_time(text)
        assert parsed is not None and offset_minutes(parsed) == east, text
        assert parsed.replace(microsecond=0).astimezone(UTC).hour == (10 * 60 - east) // 60 % 24, text
        assert api.validate_python(text) == parsed, text  # kept with its offset, never converted
        assert offset_minutes(api.validate_python(text)) == east, text
        assert instant(text) == parsed and feed_time(text) == parsed, text  # PFIF, feeds
        assert loose_date(text) == (parsed.date(), "day"), text
    for no_time in ("2026-12-03T10:00+8", "2026-12-03T10:00+08:00:30", "2026-12-03x10:00", "2026-12-03T10:00+24",
                    "2026-02-30T10:00Z", "1764727200", "soon"):
        assert iso_time(no_time) is None and instant(no_time) is None, no_time
    assert iso_time("2026-12-03T10:00") == datetime(2026, 12, 3, 10)  # no offset: the caller reads it in a zone
    assert iso_time("2026-12-03T10:00-00:00") == datetime(2026, 12, 3, 10)  # RFC 3339: offset unknown, the same
    assert offset_minutes(iso_time("2026-12-03T10:00+00:00") or datetime.min) == 0  # UTC itself stays UTC


def test_the_api_refuses_a_time_without_its_offset_or_beyond_fourteen_hours_naming_why() -> None:
    api = TypeAdapter(GivenTime)
    for text, kind in (("2026-12-03T10:00", "timezone_aware"), ("2026-12-03", "timezone_aware"),
                       # RFC 3339's "-00:00": the offset is unknown, not UTC
                       ("2026-12-03T10:00-00:00", "timezone_aware"), ("2026-12-03T10:00-0000", "timezone_aware"),
                       ("2026-12-03T10:00+15", "offset_range"), ("2026-12-03T10:00-1430", "offset_range"),
                       ("2026-12-03T10:00+8", "datetime_parsing"), ("1764727200", "datetime_parsing")):
        with pytest.raises(ValidationError) as refused:
            api.validate_python(text)
        assert refused.value.errors()[0]["type"] == kind, text
    assert api.json_schema() == {"type": "string", "format": "date-time"}  # what the OpenAPI document says


def test_contacts_become_tap_to_call_and_mail_links() -> None:
    links = contact_links("Wang, +86 138-0013-8000 or wang@example.org (after 6 pm)")
    assert [(link.text, link.href) for link in links] == [
        ("wang@example.org", "mailto:wang@example.org"), ("+86 138-0013-8000", "tel:+8613800138000")]
    assert contact_links("ask at the shop") == []
    assert place_links(31.2, 121.5)["geo"] == "geo:31.200000,121.500000?q=31.200000,121.500000"


def test_no_template_names_a_zone_of_its_own_next_to_times_shown_in_the_readers_zone() -> None:
    """Times are shown in the reader's zone with that zone named (``Language.datetime``): a page that
    adds "(UTC)" or another fixed zone says the wrong thing ("3:00 PM China Standard Time (UTC)")."""
    import re
    from pathlib import Path

    import reunite.entrypoints.web as web

    fixed = re.compile(r"\b(UTC|GMT|CST|Z)\b|[+-]\d\d:\d\d")
    for template in (Path(web.__file__).parent / "templates").rglob("*.html"):
        words = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|<[^>]*>", " ", template.read_text(), flags=re.S)
        assert not fixed.search(words), (template.name, fixed.search(words))


def test_a_zone_is_known_in_any_case_and_nothing_else_is() -> None:
    """Probe s13 F6: a sheet's zone column typed "asia/shanghai" was refused as no zone; any case names the
    zone, while paths, the server's own clock file and unknown names are still none."""
    from reunite.domain.times import zone

    found = zone("asia/shanghai")
    assert found is not None and found.key == "Asia/Shanghai"
    assert zone(" America/New_York ") is not None and zone("AMERICA/NEW_YORK") is not None
    for name in ("localtime", "LOCALTIME", "../etc/passwd", "Asia/Nowhere", "", None, "x" * 70):
        assert zone(name) is None

"""Names in their language's order, wall-clock times read in the right zone, links a phone can act on."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from reunite.domain.pfif import full_name
from reunite.domain.times import from_browser, offset_minutes, with_offset, zone
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


def test_an_instant_is_written_back_with_the_offset_it_was_given_in() -> None:
    given = datetime(2026, 7, 1, 17, 30, tzinfo=SHANGHAI)
    stored = given.astimezone(UTC)
    assert with_offset(stored, offset_minutes(given)).isoformat() == "2026-07-01T17:30:00+08:00"
    assert with_offset(stored, None) == stored


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

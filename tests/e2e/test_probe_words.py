"""Words of the outside probe s16 (P7, P8) that did not mean what they said: a city named in the reporter's
script rather than the reader's; a sighting called a lead in Chinese; a read refused as if it were a write;
a rejected case still said to be compared; a NaN called out of range; an age range given one bound said with a
bound nobody sent; the number of bystanders told to readers who are shown none of them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import Scope
from tests.e2e import world as w
from tests.e2e.test_probe_pfif import local_case, token_client

ZH = {"Accept-Language": "zh-CN"}
TW = {"Accept-Language": "zh-TW"}
EN = {"Accept-Language": "en"}


def test_a_sightings_city_is_named_in_the_readers_language_whatever_script_the_reporter_wrote(
        world: w.World) -> None:
    """P7: the reporter wrote "Hankou station": a family reading Chinese reads 湖北省武汉市 (湖北省武漢市 in
    Taiwan), one reading English Wuhan, Hubei, on the API and the pages alike, never the other's script."""
    url = f"/api/sightings/{world.sighting}"
    with world.client("family") as family:
        assert family.get(url, headers=ZH).json()["place_text"] == "湖北省武汉市"
        assert family.get(url, headers=TW).json()["place_text"] == "湖北省武漢市"
        assert family.get(url, headers=EN).json()["place_text"] == "Wuhan, Hubei"
        listed = family.get("/api/sightings", headers=ZH).json()["items"]
        assert {s["place_text"] for s in listed if s["id"] == world.sighting} == {"湖北省武汉市"}
        page = family.get(f"/sightings/{world.sighting}", headers=ZH).text
        assert "湖北省武汉市" in page and "Wuhan" not in page
        browse = family.get("/sightings", headers=ZH).text
        assert "湖北省武汉市" in browse and "Wuhan" not in browse
        case_page = family.get(f"/cases/{world.case_a}", headers=ZH).text  # its confirmed lead, near the city
        assert "湖北省武汉市" in case_page and "Wuhan" not in case_page
    with world.client("police") as police:  # who reads the words reads them as the reporter wrote them
        assert police.get(url, headers=ZH).json()["place_text"] == f"Hankou station, {w.EXACT_WORDS}"


def test_a_cases_city_is_named_in_the_readers_language_for_partners(container: Container) -> None:
    """P7: a family typed 四川省成都市锦江区春熙路: a partner reading English reads Chengdu, Sichuan; typed in
    English, a partner reading Chinese reads 湖北省武汉市."""
    partner = token_client(container, Scope.READ_CASES)
    chinese_words = local_case(container, last_seen="四川省成都市锦江区春熙路")
    english_words = local_case(container)  # "Behind the bakery on Jiefang Road, Wuhan"
    assert partner.get(f"/api/cases/{chinese_words}", headers=EN).json()["last_seen_text"] == "Chengdu, Sichuan"
    assert partner.get(f"/api/cases/{chinese_words}", headers=ZH).json()["last_seen_text"] == "四川省成都市"
    assert partner.get(f"/api/cases/{english_words}", headers=ZH).json()["last_seen_text"] == "湖北省武汉市"
    assert partner.get(f"/api/cases/{english_words}", headers=EN).json()["last_seen_text"] == "Wuhan, Hubei"
    poster = TestClient(partner.app).get(f"/p/{english_words}", params={"lang": "zh_CN"}).text
    assert "湖北省武汉市" in poster and "Wuhan" not in poster

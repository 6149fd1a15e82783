"""Words of the outside probe s16 (P7, P8) that did not mean what they said: a city named in the reporter's
script rather than the reader's; a sighting called a lead in Chinese; a read refused as if it were a write;
a rejected case still said to be compared; a NaN called out of range; an age range given one bound said with a
bound nobody sent; the number of bystanders told to readers who are shown none of them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.domain.model import GeoPoint
from reunite.services import moderation
from tests.conftest import plain_photo
from tests.e2e import world as w
from tests.e2e.test_probe_pfif import local_case, token_client
from tests.e2e.test_probe_places import client, verified_family

ZH = {"Accept-Language": "zh-CN"}
TW = {"Accept-Language": "zh-TW"}
EN = {"Accept-Language": "en"}


def test_a_sightings_city_is_named_in_the_readers_language_whatever_script_the_reporter_wrote(
        world: w.World) -> None:
    """P7: the reporter wrote "Pudong station": a family reading Chinese reads 上海市, one reading English
    Shanghai, on the API and the pages alike, never the other's script (Taiwan's characters: the next test)."""
    url = f"/api/sightings/{world.sighting}"
    with world.client("family") as family:
        assert family.get(url, headers=ZH).json()["place_text"] == "上海市"
        assert family.get(url, headers=TW).json()["place_text"] == "上海市"
        assert family.get(url, headers=EN).json()["place_text"] == "Shanghai"
        listed = family.get("/api/sightings", headers=ZH).json()["items"]
        assert {s["place_text"] for s in listed if s["id"] == world.sighting} == {"上海市"}
        page = family.get(f"/sightings/{world.sighting}", headers=ZH).text
        assert "上海市" in page and "Shanghai" not in page
        browse = family.get("/sightings", headers=ZH).text
        assert "上海市" in browse and "Shanghai" not in browse
        case_page = family.get(f"/cases/{world.case_a}", headers=ZH).text  # its confirmed lead, near the city
        assert "上海市" in case_page and "Shanghai" not in case_page
    with world.client("police") as police:  # who reads the words reads them as the reporter wrote them
        assert police.get(url, headers=ZH).json()["place_text"] == f"Pudong station, {w.EXACT_WORDS}"


def test_a_cases_city_is_named_in_the_readers_language_for_partners(container: Container) -> None:
    """P7: a family typed 四川省成都市锦江区春熙路: a partner reading English reads Chengdu, Sichuan; typed in
    English, a partner reading Chinese reads 湖北省武汉市 (湖北省武漢市 in Taiwan)."""
    partner = token_client(container, Scope.READ_CASES)
    chinese_words = local_case(container, last_seen="四川省成都市锦江区春熙路", place=GeoPoint(30.6559, 104.0817))
    english_words = local_case(container)  # "Behind the bakery on Jiefang Road, Wuhan"
    assert partner.get(f"/api/cases/{chinese_words}", headers=EN).json()["last_seen_text"] == "Chengdu, Sichuan"
    assert partner.get(f"/api/cases/{chinese_words}", headers=ZH).json()["last_seen_text"] == "四川省成都市"
    assert partner.get(f"/api/cases/{english_words}", headers=ZH).json()["last_seen_text"] == "湖北省武汉市"
    assert partner.get(f"/api/cases/{english_words}", headers=TW).json()["last_seen_text"] == "湖北省武漢市"
    assert partner.get(f"/api/cases/{english_words}", headers=EN).json()["last_seen_text"] == "Wuhan, Hubei"
    poster = TestClient(partner.app).get(f"/p/{english_words}", params={"lang": "zh_CN"}).text
    assert "湖北省武汉市" in poster and "Wuhan" not in poster


def test_a_sighting_is_called_a_sighting_in_chinese_never_a_lead(world: w.World) -> None:
    """P8: 线索 is a lead (a reviewed candidate); a sighting is a 目击报告: "not found", the browse page's title
    and its count say so, in simplified and traditional characters."""
    with world.client("family") as family:
        missing = family.get("/api/sightings/999999999", headers=ZH)
        assert missing.status_code == 404 and missing.json()["detail"] == "目击报告 999999999 不存在"
        assert family.get("/api/sightings/999999999", headers=TW).json()["detail"] == "目擊報告 999999999 不存在"
        browse = family.get("/sightings", params={"place": "天府广场"}, headers=ZH).text
        assert "<h1>目击报告</h1>" in browse and "0 份目击报告" in browse
        assert "条线索" not in browse and "<h1>线索" not in browse and "<title>线索" not in browse


def test_reading_a_cases_messages_refused_says_reading(world: w.World) -> None:
    """P8: a read:cases token asking for a case's messages is told who reads them, not who writes there."""
    with world.client("token_read_cases") as partner:
        refused = partner.get(f"/api/cases/{world.case_a}/messages", headers=EN)
        assert refused.status_code == 403
        assert refused.json()["detail"] == "only the family and reviewers read the messages on a case"
        assert partner.get(f"/api/cases/{world.case_a}/messages", headers=ZH).json()["detail"] == \
            "只有家属和审核员可以阅读案件中的留言"
        written = partner.post(f"/api/cases/{world.case_a}/messages", json={"body": "hello"}, headers=EN)
        assert written.status_code == 403
        assert written.json()["detail"] == "only the family and reviewers write on a case"


def test_a_rejected_cases_page_does_not_say_sightings_are_compared_with_it(container: Container) -> None:
    """P8: once rejected, nothing is compared with the case: its page says so, and no longer promises
    that new sightings are compared as they arrive."""
    cookie, case_id = verified_family(container)
    moderation.reject_case(container.deps, OPERATOR, case_id, "no such police report")
    family = client(container, cookie)
    english = family.get(f"/cases/{case_id}", headers=EN).text
    assert "This case was rejected: sightings are not compared with it." in english
    assert "compared with this case as they arrive" not in english
    chinese = family.get(f"/cases/{case_id}", headers=ZH).text
    assert "此案件已被驳回：目击报告不会与它比对" in chinese and "到达时会与本案比对" not in chinese


def test_a_latitude_that_is_no_number_and_an_age_given_alone_are_refused_as_sent(world: w.World) -> None:
    """P8: lat=NaN is not a number (not "latitude nan out of range"); a youngest age of -1 alone is that age
    refused, never a range "from -1 to -1" nobody gave."""
    photo = {"photos": ("a.jpg", plain_photo(), "image/jpeg")}
    with world.client("token_write") as sender:
        for headers, said in ((EN, "the latitude is not a number"), (ZH, "纬度不是数字")):
            refused = sender.post("/api/sightings", files=photo, data={"lat": "NaN", "lon": "104"}, headers=headers)
            assert refused.status_code == 422 and said in refused.text and "nan" not in refused.text.lower()
        for headers, said in ((EN, "apparent age -1 is not a valid age (0 to 60 years)"), (ZH, "年龄 -1 岁无效")):
            refused = sender.post("/api/sightings", files=photo, data={"apparent_age_low": "-1"}, headers=headers)
            assert refused.status_code == 422 and said in refused.text
            assert "-1 to -1" not in refused.text and "-1 到 -1" not in refused.text


def test_families_are_told_no_count_of_the_bystanders_whose_faces_they_are_not_shown(world: w.World) -> None:
    """P8: the report's photo shows the child and a bystander; a family is shown the child's face only, and
    counts one face (the report's and its photo's), as police count both."""
    url = f"/api/sightings/{world.sighting}"
    with world.client("family") as family, world.client("police") as police:
        shown, exact = family.get(url).json(), police.get(url).json()
        listed = next(s for s in family.get("/api/sightings").json()["items"] if s["id"] == world.sighting)
    assert exact["face_count"] == 2 and [p["face_count"] for p in exact["photos"]] == [2]
    assert len(shown["faces"]) == shown["face_count"] == listed["face_count"] == 1
    assert [p["face_count"] for p in shown["photos"]] == [1]

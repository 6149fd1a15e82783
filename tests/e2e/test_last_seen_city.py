"""Probe s18 R2: a family writes where the child was last seen in an ordinary way ("Near Chaoyang Park,
Beijing") and puts the pin in Beijing's Chaoyang district. Every public channel (the poster page and
PDF, the feed and its region filter, region alerts by email, the partner API) names Beijing, never
Chaoyang in Liaoning 400 km away; the place box finds sightings by the city their words and pin name."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from pypdf import PdfReader

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake
from reunite.services.accounts import issue_token
from tests.conftest import plain_photo, run_jobs_settled
from tests.e2e import test_reach
from tests.e2e.test_probe_places import client, verified_family
from tests.e2e.test_reach import Inbox, follow, subject_of, text_of
from tests.photos import portrait

inbox, mailing = test_reach.inbox, test_reach.mailing  # an SMTP server on loopback, the app sending to it

CHAOYANG_PARK = GeoPoint(39.9440, 116.4770)  # the tester's pin, in Beijing's Chaoyang district
CHAOYANG_LIAONING = GeoPoint(41.5703, 120.4586)


def subscribed(anonymous: TestClient, inbox: Inbox, address: str, region: str, language: str) -> None:
    created = anonymous.post("/api/subscriptions", json={"address": address, "region": region, "language": language})
    assert created.status_code == 201, created.text
    run_jobs_settled(anonymous.app.state.container)  # type: ignore[attr-defined]
    confirm = re.search(r"https://reunite\.test/subscriptions/\d+/confirm\?t=\w+", text_of(inbox.to(address)[0]))
    assert confirm
    follow(anonymous, confirm.group(0))


def test_the_testers_case_is_published_as_beijing_in_every_channel(mailing: Container, inbox: Inbox) -> None:
    anonymous = TestClient(create_app(mailing))
    regions = {"beijing@example.org": ("Beijing", "en"), "beijing-zh@example.org": ("北京", "zh_CN"),
               "liaoning@example.org": ("Liaoning", "en"), "liaoning-zh@example.org": ("辽宁", "zh_CN")}
    for address, (region, language) in regions.items():
        subscribed(anonymous, inbox, address, region, language)
    case = NewCase(given_name="小林", family_name="Zhang", sex=Sex.FEMALE, birth_date=date(2018, 3, 1),
                   missing_since=datetime.now(UTC) - timedelta(minutes=20), last_seen_place=CHAOYANG_PARK,
                   last_seen_text="Near Chaoyang Park, Beijing", family_contact="+86 138 0000 1111")
    case_id = intake.register_case(mailing.deps, OPERATOR, case, [Upload(portrait(), "kid.jpg")], [None]).case_id
    run_jobs_settled(mailing)

    # the alerts: Beijing's subscribers are told, in their language; Liaoning's are not
    english, chinese = inbox.to("beijing@example.org")[1:], inbox.to("beijing-zh@example.org")[1:]
    assert len(english) == len(chinese) == 1
    assert "Beijing" in text_of(english[0]) and "Liaoning" not in text_of(english[0])
    assert "北京市" in text_of(chinese[0]) and "辽宁" not in text_of(chinese[0]) and "小林" in subject_of(chinese[0])
    assert len(inbox.to("liaoning@example.org")) == len(inbox.to("liaoning-zh@example.org")) == 1  # confirmation only

    # the poster, in either language, as a page and as a PDF
    page = anonymous.get(f"/p/{case_id}").text
    assert "Beijing" in page and "Liaoning" not in page and "Chaoyang" not in page
    zh_page = anonymous.get(f"/p/{case_id}", params={"lang": "zh_CN"}).text
    assert "北京市" in zh_page and "辽宁" not in zh_page and "朝阳" not in zh_page
    pdf = PdfReader(io.BytesIO(anonymous.get(f"/p/{case_id}/poster.pdf").content)).pages[0].extract_text()
    assert "Last seen: Beijing" in pdf and "Liaoning" not in pdf

    # the feed's region filter, in either script
    for region, listed in (("Beijing", True), ("北京", True), ("Liaoning", False), ("辽宁", False)):
        feed = anonymous.get("/feeds/cases.atom", params={"region": region}).text
        assert (f"/p/{case_id}" in feed) is listed, region

    # a partner's API: the city, and the pin's cell, agree
    token = issue_token(mailing.deps, OPERATOR, "partner", [Scope.READ_CASES])
    shown = anonymous.get(f"/api/cases/{case_id}", headers={"Authorization": f"Bearer {token}"}).json()
    assert shown["last_seen_text"] == "Beijing"
    assert (shown["last_seen_lat"], shown["last_seen_lon"]) == (39.945, 116.475)


def test_provincial_capitals_written_in_latin_letters_are_regions_to_subscribe_to(mailing: Container) -> None:
    anonymous = TestClient(create_app(mailing))
    for region in ("Xi'an", "Xian", "Urumqi", "Ürümqi", "Hohhot"):
        created = anonymous.post("/api/subscriptions", json={"address": "n@example.org", "region": region})
        assert created.status_code == 201, (region, created.text)
    refused = anonymous.post("/api/subscriptions", json={"address": "n@example.org", "region": "Zorbleton"})
    assert refused.status_code == 422


def test_the_place_box_finds_sightings_by_the_city_their_words_and_pin_name(container: Container) -> None:
    def reported(words: str, place: GeoPoint | None, seed: int) -> int:
        report = NewSighting(seen_at=datetime(2025, 5, 1, 9, tzinfo=UTC), place=place, place_text=words)
        return intake.report_sighting(container.deps, OPERATOR, report, [Upload(plain_photo(seed=seed), "s.jpg")]
                                      ).sighting_id

    in_beijing = reported("Chaoyang Park east gate", CHAOYANG_PARK, 1)
    pin_only = reported("by the bus stop", GeoPoint(39.9040, 116.4070), 2)  # words naming no place: the pin's city
    in_liaoning = reported("Chaoyang Park east gate", CHAOYANG_LIAONING, 3)
    cookie, _ = verified_family(container)
    family = client(container, cookie)

    def found(place: str) -> dict[int, str]:
        answer = family.get("/api/sightings", params={"place": place, "limit": 200})
        assert answer.status_code == 200, answer.text
        return {item["id"]: item["place_text"] for item in answer.json()["items"]}

    assert found("Beijing") == found("北京") == {in_beijing: "Beijing", pin_only: "Beijing"}
    assert found("Liaoning") == found("辽宁") == {in_liaoning: "Chaoyang, Liaoning"}
    # Latin names however written (SQL narrows on the words folded as the gazetteer reads them)
    urumqi, xian = reported("Ürümqi railway station", None, 4), reported("XI-AN, south gate", None, 5)
    assert found("Urumqi") == found("乌鲁木齐") == {urumqi: "Ürümqi, Xinjiang"}
    assert found("Xi'an") == found("Xian") == {xian: "Xi’an, Shaanxi"}
    police = client(container, bearer=issue_token(container.deps, OPERATOR, "registry", [Scope.ADMIN]))
    words = police.get("/api/sightings", params={"place": "Beijing", "limit": 200}).json()["items"]
    assert {item["id"] for item in words} == {in_beijing, pin_only}  # the same city, the words as written
    assert {item["place_text"] for item in words} == {"Chaoyang Park east gate", "by the bus stop"}

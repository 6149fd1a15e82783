"""Probe s30 D3, D7 and D8: what a poster says when shared, a feed entry, an alert and a digest printed "in ?"
for a case whose place has no public city, and "Age 0", "0 years old", "aged 0" for an infant. The sentence
leaves the place out, and under 2 years an age is told in months, in English and Chinese. Taiwan reads its own
words and quotes; a report form held back by the hourly limit names the police as the police."""

from __future__ import annotations

import html
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import text as sql

from reunite.bootstrap import Container, site_from
from reunite.domain.access import OPERATOR, Role
from reunite.domain.ages import age_told
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.i18n import Language
from reunite.services import intake, pfif, reach
from reunite.services.accounts import from_session
from tests.conftest import run_jobs, run_jobs_settled, session_for
from tests.e2e.test_exchange import PARTNER, UNVERIFIED
from tests.e2e.test_reach import Inbox, follow, inbox, local, mailing, subject_of, text_of
from tests.e2e.test_refused_input import send
from tests.e2e.test_times import shown
from tests.e2e.world import two_faces
from tests.photos import portrait

__all__ = ["inbox", "mailing"]  # the fixtures, used here by name

BIRTH = date(2024, 3, 1)
MISSING = datetime(2024, 12, 5, 10, 0, tzinfo=UTC)  # 9 months and 4 days old
OFFSHORE = GeoPoint(29.0, 125.0)  # a pin in the East China Sea: near no city, so the public reads none


def baby(container: Container, words: str = "the old market") -> int:
    """An infant's case (police: verified) pinned offshore, its words (none a gazetteer knows) and its pin naming
    no city the public may read."""
    case = NewCase(given_name="Baby", family_name="Zhang", sex=Sex.FEMALE, birth_date=BIRTH, missing_since=MISSING,
                   last_seen_place=OFFSHORE, last_seen_text=words, family_contact="+86 138 0000 4444")
    return intake.register_case(container.deps, OPERATOR, case, [Upload(portrait(), "baby.jpg")], [None]).case_id


def og_description(page: str) -> str:
    found = re.search(r'<meta property="og:description" content="([^"]*)">', page)
    assert found, page
    return html.unescape(found.group(1))


def test_a_shared_poster_and_feed_of_an_infant_with_no_public_city_say_months_and_no_place(
    container: Container
) -> None:
    case_id = baby(container)
    anyone = TestClient(create_app(container))
    now = Language("en").age(age_told(BIRTH, container.deps.clock.now().astimezone(container.deps.site.zone).date()))
    english = shown(anyone.get(f"/p/{case_id}?lang=en"))
    assert og_description(english) == "Last seen on Dec 5, 2024, 9 months old at the time. Seen this child? Call 110."
    assert "Age when last seen</dt><dd>9 months old<" in english and f"Age now</dt><dd>{now}<" in english
    chinese = shown(anyone.get(f"/p/{case_id}?lang=zh_CN"))
    assert og_description(chinese) == "2024年12月5日最后被看到，当时 9 个月大。见过这个孩子？请拨打 110。"
    taiwan = shown(anyone.get(f"/p/{case_id}?lang=zh_TW"))
    assert "當時 9 個月大" in og_description(taiwan) and "?" not in og_description(taiwan).replace("？", "")
    feed = shown(anyone.get("/feeds/cases.atom?lang=en"))
    assert "<summary>Last seen on Dec 5, 2024, 9 months old at the time. Seen this child? Call 110.</summary>" in feed
    for text in (english, chinese, taiwan, feed):
        assert " in ?" not in text and "在?" not in text and "0 years" not in text and "0 岁" not in text
    front = shown(anyone.get("/?lang=en"))
    assert "Age when last seen: 9 months old" in front
    pdf = anyone.get(f"/p/{case_id}/poster.pdf", params={"lang": "zh_CN"})
    printed = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "走失时年龄：9 个月大" in printed and "0 岁" not in printed


def test_alerts_and_digests_of_an_infant_with_no_public_city_say_months_and_no_place(
    mailing: Container, inbox: Inbox
) -> None:
    deps = mailing.deps
    with TestClient(create_app(mailing)) as anonymous:
        for address, language in (("en@example.org", "en"), ("zh@example.org", "zh_CN")):
            created = anonymous.post("/api/subscriptions", json={
                "address": address, "lat": OFFSHORE.lat, "lon": OFFSHORE.lon, "radius_km": 5, "language": language})
            assert created.status_code == 201
        digest_id, _ = reach.subscribe(deps, OPERATOR, "email", "digest@example.org", OFFSHORE, 5,
                                       digest=True)
        reach.set_status(deps, digest_id, "confirm", local(reach.link(deps, digest_id, "confirm")).split("t=")[1])
        run_jobs_settled(mailing)
        for address in ("en@example.org", "zh@example.org"):
            confirm = re.search(r"https://reunite\.test/subscriptions/\d+/confirm\?t=\w+",
                                text_of(inbox.to(address)[0]))
            assert confirm
            follow(anonymous, confirm.group(0))
        baby(mailing)
        run_jobs_settled(mailing)
    now = age_told(BIRTH, deps.clock.now().astimezone(deps.site.zone).date())
    english, chinese = inbox.to("en@example.org")[-1], inbox.to("zh@example.org")[-1]
    assert subject_of(english) == f"Missing child: Baby, {Language('en').age(now)}"
    assert "Baby went missing on Dec 5, 2024, 9 months old at the time." in text_of(english)
    assert subject_of(chinese) == f"寻找失踪儿童：Baby，{Language('zh_CN').age(now)}"
    assert "Baby于 2024年12月5日失踪，当时 9 个月大。" in text_of(chinese)
    assert reach.send_digests(deps) == 1
    digest = text_of(inbox.to("digest@example.org")[-1])
    assert f"- Baby, {Language('en').age(now)}, missing since Dec 5, 2024" in digest.splitlines()
    for text in (text_of(english), text_of(chinese), digest):
        assert " in ?" not in text and "在?" not in text and " ?," not in text, text
        assert "aged 0" not in text and "0 years" not in text and "market" not in text


def test_taiwan_reads_its_own_words_and_quotes_on_the_report_form_and_in_errors(mailing: Container) -> None:
    anonymous = TestClient(create_app(mailing))
    form = anonymous.get("/report", headers={"Accept-Language": "zh-TW"}).text
    assert "精確座標（進階）" in form and "高階" not in form
    refused = anonymous.post("/api/subscriptions", json={"channel": "email", "address": "a@example.org",
                                                         "lat": "north"}, headers={"Accept-Language": "zh-HK"})
    assert refused.status_code == 422 and refused.json()["detail"] == "「緯度」必須是數字"
    unknown = anonymous.post("/api/subscriptions", json={"channel": "email", "address": "a@example.org",
                                                         "region": "Qwertyville"}, headers={"Accept-Language": "zh-TW"})
    assert unknown.status_code == 422 and "「Qwertyville」" in unknown.json()["detail"], unknown.text


def test_a_report_held_back_by_the_hourly_limit_names_the_police_as_the_police(container: Container) -> None:
    """D8d: "or call 110 to tell us now": 110 is the police, not the site. With no line of its own, the number
    is the police's and said to be; a site with its own line (REUNITE_CONTACT_PHONE) calls that one ours."""
    for own, told, not_told in (("", "If the child is in danger now, call the police: 110.", "to tell us now"),
                                ("400-100-1234", "You can also call 400-100-1234 to tell us now. If the child is in "
                                                 "danger now, call the police: 110.", "call the police on")):
        changed = container.settings.model_copy(update={"contact_phone": own})
        served = replace(container, settings=changed, deps=replace(container.deps, site=site_from(changed)))
        browser = TestClient(create_app(served), headers={"Accept-Language": "en"})
        answers = [send(browser, seed) for seed in range(4)]  # three an hour without a script: the 4th waits
        busy = shown(answers[-1])
        assert answers[-1].status_code == 429 and told in html.unescape(busy) and not_told not in busy
        assert served.deps.site.contact_phone == (own or "110")  # what posters at home give


def found_right_first(container: Container, face_ids: list[int]) -> list[int]:
    """Make the detector's order the right-to-left one (as the probe's photo had it): the faces' ids, left first."""
    with container.engine.begin() as conn:
        found = conn.execute(sql("SELECT id, box_left FROM faces WHERE id = ANY(:ids)"), {"ids": face_ids})
        boxes = {int(row[0]): float(row[1]) for row in found}
        left_first = sorted(boxes, key=lambda face: boxes[face])
        for n, face in enumerate(reversed(left_first)):  # the rightmost found first
            conn.execute(sql("UPDATE faces SET created_at = now() - make_interval(mins => :n) WHERE id = :id"),
                         {"n": len(left_first) - n, "id": face})
    return left_first


def radio_order(page: str, name: str) -> list[int]:
    return [int(v) for v in re.findall(rf'type="radio" name="{name}" value="(\d+)"', page)]


def test_faces_to_choose_are_numbered_left_to_right_whatever_order_they_were_found_in(container: Container) -> None:
    """D8e: "Face 1" was the face found first, the right-hand child in the probe's photo: a parent tapping "1" for
    the left child published the other's face. Faces are numbered left to right on a case photo, and on a report's
    photo, its outlines numbered as its choices are."""
    _, cookie = session_for(container, Role.REPORTER)
    family = from_session(container.deps, cookie)
    assert family is not None
    case = NewCase(given_name="Ming", family_name="Family", sex=Sex.MALE, birth_date=date(2015, 1, 1),
                   missing_since=datetime(2020, 6, 1, 8, tzinfo=UTC), last_seen_place=None, last_seen_text="武汉")
    case_id = intake.register_case(container.deps, family, case, [Upload(two_faces(), "both.jpg")], [None]).case_id
    run_jobs(container)
    photo = next(p for p in container.deps.read.case(case_id)["photos"] if p["face_count"] == 2)
    left_first = found_right_first(container, photo["face_ids"])
    browser = TestClient(create_app(container), headers={"Accept-Language": "en"})
    browser.cookies.set("reunite_session", cookie)
    page = browser.get(f"/cases/{case_id}").text
    assert radio_order(page, f"child_face_{photo['id']}") == left_first
    labels = re.findall(r'value="(\d+)">\s*<img[^>]*> Face (\d)', page)
    assert [(int(face), int(n)) for face, n in labels] == [(left_first[0], 1), (left_first[1], 2)]

    sighting_id = intake.report_sighting(container.deps, family, NewSighting(seen_at=None, place=None),
                                         [Upload(two_faces(), "street.jpg")]).sighting_id
    run_jobs(container)
    faces = [f["id"] for f in container.deps.read.sighting_faces(sighting_id)]
    left_first = found_right_first(container, faces)
    _, staff = session_for(container, Role.MODERATOR)
    moderator = TestClient(create_app(container), headers={"Accept-Language": "en"})
    moderator.cookies.set("reunite_session", staff)
    page = moderator.get(f"/sightings/{sighting_id}").text
    assert radio_order(page, f"child_face_{sighting_id}") == left_first
    outlines = re.findall(r'<rect x="(\d+)"[^>]*/>\s*<text[^>]*>(\d)</text>', page)
    assert [int(n) for _, n in sorted(outlines, key=lambda o: int(o[0]))] == [1, 2]  # numbered left to right
    queue = moderator.get("/moderation/reports").text
    assert radio_order(queue, f"child_face_{sighting_id}") == left_first


def test_a_partners_record_id_without_a_domain_is_refused_in_words_never_domain_question_mark(
    container: Container
) -> None:
    """``or "?"`` was also in the import's problems: a record id with no domain read "domain ? is not one this
    key may write"."""
    report = pfif.import_pfif(container.deps, PARTNER, UNVERIFIED.replace(b"partner.org/p.14", b"p.14"))
    assert [problem.reason for problem in report.problems] == [
        "the record id names no domain (domain/id): this key writes only its domains' records"]
    said = Language("zh_TW").gettext(report.problems[0].reason, **report.problems[0].params)
    assert "?" not in said and "「域/編號」" in said

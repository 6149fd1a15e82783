"""What a reporter adds through the private link: held for moderation when the report was approved
(families never see words or photos no moderator has seen); added once when sent twice, its time shown
in the reader's zone, and too long a text refused with what was typed kept."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.entrypoints.secret_links import redact
from reunite.services import moderation, reports
from tests.conftest import SettableClock, plain_photo, run_jobs, session_for
from tests.e2e.test_probe_places import verified_family
from tests.e2e.test_reports_and_places import csrf, private_link, send

SCAM = "REWARD: WeChat SCAMMER-ID-999, send 5000 yuan"


def approved_report(anonymous: TestClient, container: Container) -> tuple[str, int, TestClient]:
    """A passer-by's report a moderator approved, its private link, and a family that browses reports."""
    _, thanks = send(anonymous, key="k-approved", place_text="People's Square", doing="blue coat")
    link = private_link(thanks)
    run_jobs(container)
    with container.engine.connect() as conn:
        sighting_id = int(conn.exec_driver_sql("SELECT id FROM sightings").scalar_one())
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=True)
    family = TestClient(anonymous.app)
    family.cookies.set("reunite_session", verified_family(container)[0])
    seen = family.get(f"/api/sightings/{sighting_id}")
    # the report reaches the family; the reporter's own words, which can name the place, do not
    assert seen.status_code == 200 and seen.json()["words_withheld"] and "blue coat" not in seen.text
    return link, sighting_id, family


def test_details_added_to_an_approved_report_reach_families_only_once_a_moderator_approves(
    anonymous: TestClient, container: Container
) -> None:
    link, sighting_id, family = approved_report(anonymous, container)
    added = anonymous.post(link + "/details", data={"csrf": csrf(anonymous), "details": SCAM})
    assert added.status_code == 200
    held = family.get(f"/api/sightings/{sighting_id}")  # back with the moderators, and said so: nothing more
    assert held.status_code == 409 and "being checked again" in held.json()["detail"] and "seen_at" not in held.text
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=True)
    back = family.get(f"/api/sightings/{sighting_id}")  # seen and let through by a moderator
    assert back.status_code == 200 and "WeChat" not in back.text  # and a reporter's words never reach families
    assert "WeChat" in container.deps.read.sighting(sighting_id)["description"]  # kept for the reviewers


def test_a_photo_added_to_an_approved_report_reaches_families_only_once_a_moderator_approves(
    anonymous: TestClient, container: Container
) -> None:
    link, sighting_id, family = approved_report(anonymous, container)
    files = [("photos", ("other.jpg", plain_photo(seed=5), "image/jpeg"))]
    added = anonymous.post(link + "/photos", files=files, data={"csrf": csrf(anonymous)})
    assert added.status_code == 200
    held = family.get(f"/api/sightings/{sighting_id}")  # back with the moderators, and said so: nothing more
    assert held.status_code == 409 and "being checked again" in held.json()["detail"] and "seen_at" not in held.text
    run_jobs(container)
    # approved by a moderator who read the report with its new photo (its version), never blindly
    version = container.deps.read.sighting(sighting_id)["version"]
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=True,
                                  versions={sighting_id: version})
    assert family.get(f"/api/sightings/{sighting_id}").status_code == 200


def test_details_sent_twice_are_added_once_dated_in_the_readers_zone_and_too_long_is_refused_kept(
    anonymous: TestClient, container: Container
) -> None:
    _, thanks = send(anonymous, key="k-details", place_text="Hankou")
    link = private_link(thanks)
    form = {"csrf": csrf(anonymous), "idempotency_key": "tap-1", "details": "red coat, went north"}
    for _ in range(2):  # a double tap, or a resend after a lost answer
        assert anonymous.post(link + "/details", data=form).status_code == 200
    with container.engine.connect() as conn:
        sighting_id, description = conn.exec_driver_sql("SELECT id, description FROM sightings").one()
    assert description.count("red coat, went north") == 1
    assert re.search(r"\[\d{4}-\d\d-\d\dT\d\d:\d\dZ\] red coat", description)  # the instant, as stored

    long = "x" * 2001
    refused = anonymous.post(link + "/details", data={"csrf": csrf(anonymous), "details": long})
    assert refused.status_code == 422 and "at most 2000 characters" in refused.text
    assert f">{long}</textarea>" in refused.text  # what was typed, kept to shorten
    anonymous.cookies.set("lang", "zh_CN")
    refused = anonymous.post(link + "/details", data={"csrf": csrf(anonymous), "details": long})
    assert "每次最多可添加 2000 个字符" in refused.text
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT description FROM sightings").scalar_one() == description

    moderator = TestClient(anonymous.app)
    moderator.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    moderator.cookies.set("tz", "America/New_York")
    page = moderator.get(f"/sightings/{sighting_id}").text
    shown = re.search(r"\[([^\]]+)\] red coat", page)
    assert shown and "Eastern" in shown.group(1) and "UTC" not in shown.group(1)  # the reader's zone, named


def test_the_same_words_sent_again_from_a_reloaded_page_are_added_once(
    anonymous: TestClient, container: Container
) -> None:
    """A reloaded page has a new key: the same words as the last added, sent again soon, are added once;
    other words, or the same ones much later, are added."""
    _, thanks = send(anonymous, key="k-reload", place_text="Hankou")
    link = private_link(thanks)
    for load in ("load-1", "load-2", "load-3"):
        form = {"csrf": csrf(anonymous), "idempotency_key": load, "details": "她往地铁站方向走了"}
        assert anonymous.post(link + "/details", data=form).status_code == 200
    form = {"csrf": csrf(anonymous), "idempotency_key": "load-4", "details": "red coat"}
    assert anonymous.post(link + "/details", data=form).status_code == 200
    with container.engine.connect() as conn:
        description = conn.exec_driver_sql("SELECT description FROM sightings").scalar_one()
    assert description.count("她往地铁站方向走了") == 1 and description.count("red coat") == 1
    receipt, token = link.rsplit("/", 2)[-2:]
    later = replace(container.deps, clock=SettableClock(container.deps.clock.now() + timedelta(hours=1)))
    reports.add_details(later, receipt, token, "red coat", "")
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT description FROM sightings").scalar_one().count("red coat") == 2


def test_the_thank_you_page_survives_a_language_switch_without_its_link_leaking(
    anonymous: TestClient, container: Container
) -> None:
    files = [("photos", ("street.jpg", plain_photo(), "image/jpeg"))]
    thanks = anonymous.post("/report", files=files, data={"csrf": csrf(anonymous), "client_key": "k-lang"})
    link = private_link(thanks.text)
    receipt = re.search(r'class="receipt-no">([A-Z0-9-]+)<', thanks.text)
    assert receipt
    assert thanks.headers["Referrer-Policy"] == "no-referrer" and thanks.headers["Cache-Control"] == "no-store"
    switch = re.search(r'href="(/lang/zh_CN\?next=[^"]+)"', thanks.text)
    assert switch and link in switch.group(1)  # the language link leads to the receipt's own address
    assert redact(switch.group(1)) == "/lang/zh_CN?next=" + link.rsplit("/", 1)[0] + "/…"  # never logged
    page = anonymous.get(switch.group(1))
    assert page.url.path == link and page.headers["Referrer-Policy"] == "no-referrer"
    assert "回执编号" in page.text and receipt.group(1) in page.text and 'id="private-link"' in page.text
    assert private_link(page.text) == link

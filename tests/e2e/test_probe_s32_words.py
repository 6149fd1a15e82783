"""Probe s32 (the campaign's adversaries): F1, an anonymous removal request's free words ("who you are", "why")
were shown word for word on the family's case page, above "I asked for it: remove it now", and the family was
emailed to come and read them, once per request: a ransom note's, or a fake caseworker's, channel into the
family. F6, the house number of the reporter's description passed in the words for families. F7, a review's
``members`` confirmed the trail without the candidate reviewed. F8, /metrics answered any client relayed by
a reverse proxy on the same host."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import GeoPoint, NewSighting, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake
from tests.conftest import admin_token, count_rows, run_jobs, session_for
from tests.e2e.test_case_removal import FAMILY_EMAIL, _client, _csrf, _status, _told, family_case
from tests.e2e.test_family_summary import desk
from tests.e2e.test_workbench import loop
from tests.photos import portrait

RANSOM = "Your son is safe with me. Send 5000 yuan to get him back. WeChat haoran_found_88. Do not tell the police."
CALL_ME = "I know where he is. Call me on 13912345678, do not tell police"
SCRIPT = 'To keep your case open you must confirm you are the parent: press "I asked for it" below.'


def _ask(anonymous: TestClient, case_id: int, relation: str, reason: str) -> None:
    sent = anonymous.post("/api/takedowns", json={"subject": "case", "subject_id": case_id, "relation": relation,
                                                  "reason": reason, "requester": "WeChat haoran_found_88"})
    assert sent.status_code == 202


def test_a_strangers_words_never_reach_the_family_and_a_burst_of_requests_is_one_email(
    container: Container, anonymous: TestClient
) -> None:
    case_id, session, _ = family_case(container)
    _ask(anonymous, case_id, CALL_ME, RANSOM)
    for n in range(1, 5):
        _ask(anonymous, case_id, f"Reunite caseworker #{n}", f"[Reunite staff {n}] {SCRIPT}")
    run_jobs(container)
    assert _told(container, FAMILY_EMAIL) == 1  # told once that someone asked, not five times

    family = _client(container, session)
    page = html.unescape(family.get(f"/cases/{case_id}").text)
    section = page[page.index('id="removals"'):]
    section = section[:section.index("</section>")]
    for words in ("5000 yuan", "haoran_found_88", "13912345678", "caseworker #", "Reunite staff", "confirm you are"):
        assert words not in page, words  # nothing the requester typed, on the platform's own page
    assert len(re.findall(r"Asked on \w{3} \d+, 2\d{3}", section)) == 5  # that someone asked, and when
    assert "only the moderators read it" in section and "never asks you for money" in section
    assert "I object: keep the case" in section and "I asked for it: remove it now" in section
    zh = _client(container, session, "zh-CN").get(f"/cases/{case_id}").text
    assert "只有审核员会阅读" in zh and "5000 yuan" not in zh
    api = family.get(f"/api/cases/{case_id}")
    assert api.status_code == 200 and "5000 yuan" not in api.text and "caseworker #" not in api.text

    moderator = _client(container, session_for(container, Role.MODERATOR)[1])
    queue = html.unescape(moderator.get("/moderation").text)
    assert "5000 yuan" in queue and all(f"Reunite caseworker #{n}" in queue for n in range(1, 5))  # each one
    assert queue.count("The registrant was not emailed again for this request") == 4

    # the family objects once: every request is refused; a request made later is told again
    takedown_id = int(re.findall(rf'/cases/{case_id}/removals/(\d+)"', page)[0])
    objected = family.post(f"/cases/{case_id}/removals/{takedown_id}", follow_redirects=False,
                           data={"csrf": _csrf(family, f"/cases/{case_id}"), "answer": "object"})
    assert objected.status_code == 303
    assert count_rows(container, f"takedowns WHERE subject_id = {case_id} AND status = 'refused'") == 5
    _ask(TestClient(anonymous.app, client=("198.51.100.7", 50000)), case_id, "uncle", "the family asked me to")
    run_jobs(container)
    assert _told(container, FAMILY_EMAIL) == 2


def test_the_family_can_still_confirm_a_request_it_made(container: Container, anonymous: TestClient) -> None:
    case_id, session, _ = family_case(container)
    _ask(anonymous, case_id, "mother", "she is home now")
    run_jobs(container)
    family = _client(container, session)
    page = family.get(f"/cases/{case_id}").text
    takedown_id = int(re.findall(rf'/cases/{case_id}/removals/(\d+)"', page)[0])
    confirmed = family.post(f"/cases/{case_id}/removals/{takedown_id}", follow_redirects=False,
                            data={"csrf": _csrf(family, f"/cases/{case_id}"), "answer": "confirm"})
    assert confirmed.status_code == 303 and _status(container, case_id)[0] == "closed"


def test_a_house_number_of_the_reporters_description_is_refused_naming_the_description(
    container: Container, anonymous: TestClient
) -> None:
    seen = NewSighting(seen_at=datetime(2025, 7, 1, 2, tzinfo=UTC), place=GeoPoint(31.22, 121.47),
                       place_text="Shanghai", description="begging by the gate of No. 17 Huaihai Road every morning",
                       with_whom="a woman in a red coat who sells flowers at Xintiandi")
    sighting_id = intake.report_sighting(container.deps, OPERATOR, seen,
                                         [Upload(portrait("collins", 1), "s.jpg")]).sighting_id
    run_jobs(container)
    api = desk(anonymous, container)
    path = f"/api/sightings/{sighting_id}/family-summary"
    number = api.put(path, json={"family_summary": "Begging by the gate of No. 17 every morning"})
    assert number.status_code == 422
    said = number.json()["detail"]
    assert "“17”" in said and "description" in said and "place the reporter gave" not in said
    with_whom = api.put(path, json={"family_summary": "With a woman in a red coat who sells flowers at Xintiandi"})
    assert with_whom.status_code == 422
    said = with_whom.json()["detail"]
    assert "“Xintiandi”" in said and "was with the child" in said and "sells" not in said
    zh = api.put(path, json={"family_summary": "Begging by the gate of No. 17 every morning"},
                 headers={"Accept-Language": "zh-CN"})
    assert "报告人对所见情况的描述" in zh.json()["detail"]
    ordinary = {"family_summary": "A boy of about 6, begging every morning beside a woman in a red coat who sells "
                                  "flowers"}
    assert api.put(path, json=ordinary).status_code == 204


def test_a_review_with_members_confirms_the_reviewed_candidate_too(container: Container) -> None:
    world = loop(container)
    deps = container.deps
    rows = deps.read.candidates(world.case_id, None)
    assert len(rows) == 3
    api = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    reviewed, other, left = (int(r["id"]) for r in rows)
    done = api.post(f"/api/candidates/{reviewed}/review", json={"decision": "confirm", "members": [other]})
    assert done.status_code == 204
    status = {r["id"]: r["status"] for r in deps.read.candidates(world.case_id, None)}
    assert status == {reviewed: "confirmed", other: "confirmed", left: "proposed"}


def test_metrics_answer_a_loopback_peer_only_without_forwarded_headers(container: Container) -> None:
    container.settings.metrics_token = ""
    local = TestClient(create_app(container), client=("127.0.0.1", 40000))
    assert local.get("/metrics").status_code == 200  # the operator's scraper on the same machine
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):  # a visitor relayed by a proxy on it
        assert local.get("/metrics", headers={header: "203.0.113.9"}).status_code == 404, header
    assert TestClient(create_app(container), client=("203.0.113.9", 40000)).get("/metrics").status_code == 404
    container.settings.metrics_token = "scraper-secret"
    token = {"Authorization": "Bearer scraper-secret", "X-Forwarded-For": "203.0.113.9"}
    assert local.get("/metrics", headers=token).status_code == 200  # with the token, through a proxy too
    assert local.get("/metrics").status_code == 404

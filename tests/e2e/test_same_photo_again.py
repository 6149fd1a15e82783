"""One photo sent several times is one picture (probe s28 B5), and a lead says what its "1 in N" reads (B6).

In a campaign one photo is forwarded by many people: the moderators' queue names the other reports holding the same
picture (byte for byte, or re-encoded), a trail counts it once ("seen 2 times (4 reports, 2 of them a photo sent
again)") and its copies add no evidence to the trail's fused face, and a copy of a photo whose lead a reviewer
dismissed for a case comes back to the workbench marked "Already dismissed on …". A lead read with its trail's faces
fused says so ("these 2 sightings' faces together"), and a decided lead whose trail grew afterwards says what it was
decided on beside what it reads now."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import CandidateStatus, GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation, review
from reunite.services.accounts import from_session
from tests.conftest import run_jobs, session_for
from tests.photos import another_shot, portrait

NEAR = GeoPoint(31.24, 121.48)  # a kilometre from where the child was last seen
FIRST = portrait("collins", 1)  # the photo forwarded again and again
OTHER = portrait("collins", 2)  # another photo of the same child


def _reencoded(photo: bytes) -> bytes:
    """The same picture as a phone sends it on: decoded and saved again at another quality."""
    out = io.BytesIO()
    Image.open(io.BytesIO(photo)).save(out, format="JPEG", quality=70)
    assert out.getvalue() != photo
    return out.getvalue()


def _client(container: Container, role: Role) -> TestClient:
    client = TestClient(create_app(container))
    client.cookies.set("reunite_session", session_for(container, role)[1])
    return client


def _pending(container: Container, photo: bytes, hour: int) -> int:
    """A reporter's report, its faces found, waiting for a moderator."""
    reporter = from_session(container.deps, session_for(container, Role.REPORTER)[1])
    assert reporter is not None
    seen = NewSighting(seen_at=datetime(2005, 3, 1, hour, tzinfo=UTC), place=NEAR, place_text="Nanjing road")
    sighting_id = intake.report_sighting(container.deps, reporter, seen, [Upload(photo, "p.jpg")]).sighting_id
    run_jobs(container)
    return sighting_id


def _approved(container: Container, photo: bytes, hour: int, place: GeoPoint = NEAR) -> int:
    seen = NewSighting(seen_at=datetime(2005, 3, 1, hour, tzinfo=UTC), place=place, place_text="Nanjing road")
    sighting = intake.report_sighting(container.deps, OPERATOR, seen, [Upload(photo, "s.jpg")]).sighting_id
    run_jobs(container)
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting], approve=True)
    run_jobs(container)
    return sighting


def _family_case(container: Container) -> tuple[int, str]:
    """A verified case of the child in the photos; its id and the family's session."""
    _, token = session_for(container, Role.REPORTER)
    case = NewCase(given_name="Lin", family_name="Family", sex=Sex.FEMALE, birth_date=date(2000, 1, 1),
                   missing_since=datetime(2002, 6, 1, 8, tzinfo=UTC), last_seen_place=GeoPoint(31.23, 121.47))
    me = from_session(container.deps, token)
    assert me is not None
    case_id = intake.register_case(container.deps, me, case, [Upload(another_shot(portrait("collins", 0)), "c.jpg")],
                                   [date(2002, 1, 1)]).case_id
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    run_jobs(container)
    return case_id, token


def _lead_of(client: TestClient, case_id: int, sighting_id: int) -> dict[str, Any]:
    rows = client.get(f"/api/cases/{case_id}/candidates").json()
    return next(c for c in rows if c["sighting_id"] == sighting_id)


def _words(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_report_queue_names_the_reports_holding_the_same_photo(container: Container) -> None:
    first = _pending(container, FIRST, 10)
    moderation.moderate_sightings(container.deps, OPERATOR, [first], approve=True)
    again = _pending(container, FIRST, 11)  # byte for byte
    reencoded = _pending(container, _reencoded(FIRST), 12)
    other = _pending(container, OTHER, 13)  # another photo of the same child: no copy
    moderator = _client(container, Role.MODERATOR)

    page = moderator.get("/moderation/reports").text
    articles = {int(m.group(1)): m.group(2) for m in re.finditer(
        r'<article class="report" id="report-(\d+)".*?>(.*?)</article>', page, re.S)}
    assert set(articles) == {again, reencoded, other}
    assert f'<a href="/sightings/{first}">same photo as report {first}</a>' in articles[again]
    assert f'same photo as report {reencoded}' in articles[again]  # the other copy waiting beside it
    assert f'same photo as report {first}' in articles[reencoded] and f'report {again}' in articles[reencoded]
    assert "same photo" not in _words(articles[other]).lower()

    overview = moderator.get("/moderation").text
    assert f'<a href="/sightings/{first}">same photo as report {first}</a>' in overview

    queues = moderator.get("/api/moderation/queues").json()
    same = {row["id"]: row["same_photo_as"] for row in queues["sightings"]}
    assert same[again][0] == first and set(same[again]) == {first, reencoded}
    assert set(same[reencoded]) == {first, again} and same[other] == []


def test_a_trail_counts_a_photo_sent_again_once_and_its_copies_add_no_evidence(container: Container) -> None:
    case_id, _ = _family_case(container)
    first = _approved(container, FIRST, 10)
    later = _approved(container, OTHER, 15, GeoPoint(31.25, 121.49))
    reviewer = _client(container, Role.MODERATOR)
    before = _lead_of(reviewer, case_id, first)
    assert before["lead"]["together"] == 2, "the trail's two pictures read together"
    assert any("these 2 sightings' faces together" in w for w in before["lead_words"]), before["lead_words"]

    copies = [_approved(container, FIRST, 11), _approved(container, _reencoded(FIRST), 12)]
    group = container.deps.read.sighting(first)["group_id"]
    assert group is not None and all(container.deps.read.sighting(s)["group_id"] == group for s in [later, *copies])

    after = _lead_of(reviewer, case_id, first)
    assert after["face_score"] == pytest.approx(before["face_score"], abs=1e-9), "a copy adds no evidence"
    assert after["lead"] == before["lead"] and after["lead"]["together"] == 2
    assert (after["group_size"], after["group_copies"]) == (4, 2)
    trail = {point["id"]: point["copy_of"] for point in reviewer.get(f"/api/sightings/{later}").json()["trail"]}
    assert trail == {first: None, later: None, copies[0]: first, copies[1]: first}

    page = _words(reviewer.get(f"/sightings/{later}").text)
    assert "The same child seen 2 times (4 reports, 2 of them a photo sent again)" in page
    assert page.count(f"the same photo as sighting {first}") == 2
    case_page = _words(reviewer.get(f"/cases/{case_id}").text)
    assert "one child seen 2 times (4 reports, 2 of them a photo sent again): see the trail" in case_page
    assert "seen 4 times" not in page + case_page


def test_a_trail_of_one_photo_sent_again_is_one_sighting(container: Container) -> None:
    case_id, _ = _family_case(container)
    first = _approved(container, FIRST, 10)
    copy = _approved(container, FIRST, 11)
    reviewer = _client(container, Role.MODERATOR)
    lead = _lead_of(reviewer, case_id, copy)
    assert lead["lead"]["together"] == 1, "one picture: its own face alone"
    assert any(w.startswith("by the face alone") for w in lead["lead_words"])
    assert _words(reviewer.get(f"/sightings/{first}").text).count("The same photo sent 2 times") == 1


def test_a_photo_sent_again_after_its_lead_was_dismissed_comes_back_marked(container: Container) -> None:
    case_id, token = _family_case(container)
    first = _approved(container, FIRST, 10)
    reviewer = _client(container, Role.MODERATOR)
    dismissed = _lead_of(reviewer, case_id, first)
    review.review_candidate(container.deps, OPERATOR, dismissed["id"], CandidateStatus.DISMISSED,
                            "a different child")

    copy = _approved(container, _reencoded(FIRST), 12)
    other = _approved(container, OTHER, 15, GeoPoint(31.25, 121.49))
    again = _lead_of(reviewer, case_id, copy)
    assert again["status"] == "proposed"
    assert again["same_photo_dismissed_in"] == first and again["same_photo_dismissed_at"] is not None
    fresh = _lead_of(reviewer, case_id, other)  # another photo: a lead of its own, never marked
    assert fresh["same_photo_dismissed_in"] is None and fresh["same_photo_dismissed_at"] is None

    page = _words(reviewer.get(f"/workbench/{again['id']}").text)
    assert "Already dismissed on" in page and f"this is the same photo as sighting {first}" in page
    assert "Already dismissed on" not in _words(reviewer.get(f"/workbench/{fresh['id']}").text)

    family = TestClient(create_app(container))
    family.cookies.set("reunite_session", token)
    for row in family.get(f"/api/cases/{case_id}/candidates").json():  # families never read a dismissal
        assert row["same_photo_dismissed_in"] is None and row["same_photo_dismissed_at"] is None


def test_a_confirmed_lead_says_what_it_was_confirmed_on_once_its_trail_grows(container: Container) -> None:
    case_id, token = _family_case(container)
    first = _approved(container, FIRST, 10)
    reviewer = _client(container, Role.MODERATOR)
    lead = _lead_of(reviewer, case_id, first)
    assert lead["lead"]["together"] == 1 and lead["lead"]["when_decided"] is None
    said = next(w for w in lead["lead_words"] if w.startswith("by the face alone"))
    review.review_candidate(container.deps, OPERATOR, lead["id"], CandidateStatus.CONFIRMED, "her coat")
    assert _lead_of(reviewer, case_id, first)["lead"]["when_decided"] is None, "nothing changed since"

    _approved(container, OTHER, 15, GeoPoint(31.25, 121.49))  # another report joins its trail afterwards
    now = _lead_of(reviewer, case_id, first)
    assert now["face_score"] != pytest.approx(lead["face_score"], abs=1e-6), "read with the trail's fused face"
    assert now["lead"]["together"] == 2
    then = now["lead"]["when_decided"]
    assert then is not None and then["status"] == "confirmed" and then["together"] == 1
    assert (then["one_in"], then["bounded"], then["face_strength"]) == (
        lead["lead"]["one_in"], lead["lead"]["bounded"], lead["lead"]["face_strength"])
    assert any(w.startswith("these 2 sightings' faces together") for w in now["lead_words"]), now["lead_words"]
    assert any(w.startswith("when it was confirmed: ") and w.endswith(said) for w in now["lead_words"])

    family = TestClient(create_app(container))  # the family reads both too
    family.cookies.set("reunite_session", token)
    shown = _lead_of(family, case_id, first)
    assert shown["face_score"] is None and shown["lead"]["when_decided"]["one_in"] == then["one_in"]
    assert any(w.startswith("when it was confirmed: ") for w in shown["lead_words"])
    assert "when it was confirmed: " in _words(family.get(f"/cases/{case_id}").text)

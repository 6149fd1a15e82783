"""Moderators see what they decide about: a removal request shows the record's photos, a link to it,
when it came and the confirmed leads removing it deletes; cases to verify show their photos and
candidates their case's face. A family whose confirmed lead is removed, withdrawn or expired reads why
in its case's history (before: the lead vanished while the history still said "confirmed")."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import CandidateStatus, NewCase, Sex, Upload
from reunite.services import intake, retention, review
from reunite.services.accounts import from_session
from tests.conftest import session_for
from tests.e2e.test_rescore import Family, _candidates, _sighting
from tests.photos import portrait


def confirmed_lead(container: Container) -> tuple[Family, int]:
    """A verified family whose case has a sighting a reviewer confirmed."""
    family = Family(container)
    sighting = _sighting(container, portrait("collins", 1), 10)
    [candidate] = [i for i, row in _candidates(container).items() if row[0] == family.case_id]
    review.review_candidate(container.deps, OPERATOR, candidate, CandidateStatus.CONFIRMED, "her coat")
    return family, sighting


def moderator(client: TestClient, container: Container) -> TestClient:
    client.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    return client


def test_a_removal_request_shows_the_record_its_photos_and_the_leads_it_would_delete(
    client: TestClient, container: Container
) -> None:
    _, sighting = confirmed_lead(container)
    retention.request_takedown(container.deps, "sighting", sighting, "me@example.org", "I am in the photo",
                               "please remove")
    page = moderator(client, container).get("/moderation").text
    section = page[page.index('id="takedowns"'):page.index('id="duplicates"')]
    photos = container.deps.read.sighting(sighting)["photos"]
    assert f'href="/sightings/{sighting}"' in section
    assert all(f'src="/api/photos/{p["id"]}?max_side=240"' in section for p in photos)
    assert re.search(r"Received: \w{3} \d+, 2\d{3}", section)  # when it came
    assert "Leads a reviewer confirmed that removing it deletes: 1." in section


def test_cases_to_verify_show_their_photos_and_candidates_their_cases_face(
    client: TestClient, container: Container
) -> None:
    family = Family(container)
    _sighting(container, portrait("collins", 1), 10)
    [candidate] = [i for i, row in _candidates(container).items() if row[0] == family.case_id]
    with container.engine.connect() as conn:
        case_face = conn.exec_driver_sql("SELECT case_face_id FROM candidates WHERE id = %s", (candidate,)).scalar()
    _, token = session_for(container, Role.REPORTER)
    registrant = from_session(container.deps, token)
    assert registrant is not None
    waiting = NewCase(given_name="Mei", family_name="Li", sex=Sex.FEMALE, birth_date=date(2016, 1, 1),
                      missing_since=datetime(2024, 1, 1, tzinfo=UTC), last_seen_place=None, last_seen_text="Wuhan")
    case_id = intake.register_case(container.deps, registrant, waiting, [Upload(portrait("hopper", 0), "c.jpg")],
                                   [None]).case_id
    page = moderator(client, container).get("/moderation").text
    cases = page[page.index('id="cases"'):page.index('id="candidates"')]
    assert f'src="/api/photos/{container.deps.read.case(case_id)["photos"][0]["id"]}?max_side=240"' in cases
    candidates = page[page.index('id="candidates"'):page.index('id="takedowns"')]
    assert f'value="{candidate}"' in candidates and f'src="/api/faces/{case_face}/crop"' in candidates


@pytest.mark.parametrize(("how", "words"), [
    ("removed", "removed at someone's request"),
    ("withdrawn", "taken back by the person who reported it"),
    ("expired", "kept as long as the rules allow"),
])
def test_a_family_reads_why_its_confirmed_lead_is_gone(
    client: TestClient, container: Container, how: str, words: str
) -> None:
    family, sighting = confirmed_lead(container)
    with container.deps.uow() as uow:  # the one way a sighting is blanked, whichever way it ends
        retention.blank_sighting(container.deps, uow, sighting, how)
        uow.commit()
    with family.client() as own:
        page = own.get(f"/cases/{family.case_id}").text
        assert own.get(f"/api/cases/{family.case_id}/candidates").json() == []
    assert words in page.replace("&#39;", "'")

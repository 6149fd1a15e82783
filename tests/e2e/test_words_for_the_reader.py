"""Words that fit their reader and the case's state (probe s18 R11): a family is never told to "confirm", a
verification reads in words (no raw `dna · match`), counts take their plural forms ("1 sighting"), a search
page speaks to a family that has a case, and the workbench shows who the child was with and the sex the
reporter saw."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.elapsed import since_missing
from reunite.domain.model import GeoPoint, NewSighting, Sex, Upload
from reunite.domain.workbench import Action
from reunite.entrypoints.api.app import create_app
from reunite.i18n import Language
from reunite.services import intake, reunion, workbench
from reunite.wording import since_missing_words
from tests.conftest import run_jobs, session_for
from tests.e2e.test_workbench import _client, loop
from tests.photos import portrait

CONFIRMING = "compare carefully before confirming"


def _search(client: TestClient, photo: bytes, **data: str) -> str:
    csrf = re.findall(r'name="csrf" value="([^"]+)"', client.get("/search").text)[0]
    files = [("photos", ("child.jpg", photo, "image/jpeg"))] if photo else []
    return client.post("/search", data={"csrf": csrf, **data}, files=files).text


def test_the_case_page_speaks_to_its_reader_and_names_a_verification_in_words(container: Container) -> None:
    world = loop(container, photos=(("collins", 1),))
    deps = container.deps
    lead = deps.read.candidates(world.case_id, None)[0]
    workbench.decide(deps, OPERATOR, lead["id"], Action.CONFIRM)
    family = _client(container, world.family_token)
    reviewer = _client(container, session_for(container, Role.POLICE)[1])
    page = family.get(f"/cases/{world.case_id}").text
    assert CONFIRMING not in page and "A reviewer compared each of these sightings" in page
    assert CONFIRMING in reviewer.get(f"/cases/{world.case_id}").text
    assert "确认前请仔细比对" not in family.get(f"/cases/{world.case_id}", headers={"Accept-Language": "zh-CN"}).text

    reunion.record_verification(deps, OPERATOR, world.case_id, lead["id"], "dna", "match", "DNA matched at lab")
    page = family.get(f"/cases/{world.case_id}").text
    assert "DNA test · <strong>Matched</strong> · DNA matched at lab" in page
    assert "· dna ·" not in page and ">match<" not in page
    form = reviewer.get(f"/cases/{world.case_id}").text  # the police's form offers the words, sends the codes
    assert '<option value="dna">DNA test</option>' in form and '<option value="no_match">Did not match</option>' in form

    reunion.close_case(deps, OPERATOR, world.case_id, reunited=True, keep_data=True)
    page = family.get(f"/cases/{world.case_id}").text
    assert CONFIRMING not in page and "kept as its record" in page
    closed = reviewer.get(f"/cases/{world.case_id}").text
    assert CONFIRMING not in closed and "This case has ended: its candidates are kept as its record" in closed


def test_counts_take_their_plural_forms_and_a_familys_search_speaks_to_a_family(container: Container) -> None:
    world = loop(container, photos=())  # a verified case, no sighting yet
    family = _client(container, world.family_token)
    nothing = _search(family, portrait(), case_id=str(world.case_id))  # a family searches for its own child
    assert "No sighting looks alike enough yet" in nothing
    assert "register your child" not in nothing and "compared with your child&#39;s case as they arrive" in nothing
    seen = NewSighting(seen_at=datetime(2006, 6, 1, tzinfo=UTC), place=GeoPoint(30.5, 114.3), place_text="Hankou")
    intake.report_sighting(container.deps, OPERATOR, seen, [Upload(portrait("collins", 1), "c.jpg")])
    run_jobs(container)
    found = _search(family, portrait(), case_id=str(world.case_id))
    assert "1 sighting alike enough to check" in found and "1 sightings" not in found
    assert "1 份目击报告" in _client(container, world.family_token).get(
        "/sightings", headers={"Accept-Language": "zh-CN"}).text
    assert re.search(r"<p>1 sighting\b", family.get("/sightings").text)
    refused = _search(family, b"")
    assert "Add at least one photo." in refused
    english = Language("en")
    assert since_missing_words(english, since_missing(1 / 24)) == "1 hour after the child went missing"
    assert since_missing_words(english, since_missing(3)) == "3 days after the child went missing"
    assert since_missing_words(Language("zh_TW"), since_missing(400)) == "孩子失蹤 13 個月後"


def test_the_workbench_shows_who_the_child_was_with_and_the_sex_the_reporter_saw(container: Container) -> None:
    world = loop(container, photos=(("collins", 1),))
    deps = container.deps
    seen = NewSighting(seen_at=datetime(2006, 7, 1, tzinfo=UTC), place=GeoPoint(30.5, 114.3), place_text="Hankou",
                       apparent_sex=Sex.MALE, with_whom="an older man in a grey cap")
    sighting = intake.report_sighting(deps, OPERATOR, seen, [Upload(portrait("collins", 2), "c.jpg")]).sighting_id
    run_jobs(container)
    candidate = next(c for c in deps.read.candidates(world.case_id, None) if c["sighting_id"] == sighting)
    reviewer = TestClient(create_app(container))
    reviewer.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    page = reviewer.get(f"/workbench/{candidate['id']}").text
    assert "Who was with the child" in page and "an older man in a grey cap" in page
    assert re.search(r"Sex, as the reporter saw it</dt><dd>Boy</dd>", page)

"""Probe s32 F3: search by photo is tied to the searcher's child. A family searches only for one of its own
verified, open cases, and only the faces of its photo that look like that case's child are searched: another
family's poster photo is refused (page and API, in the reader's language) and audited, a later photo of its own
child is searched, and in a collage only its child's face is. Staff still search any photo. On fgnet-dev (the
shared corpus): one child's photos across the years, as a family would have them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.config import Settings
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.errors import Forbidden, InvalidInput
from reunite.domain.model import CandidateStatus, GeoPoint, NewSighting, Upload
from reunite.services import families, intake, moderation, review, search
from reunite.services.accounts import from_session, issue_token
from tests.conftest import newest_sighting, run_jobs, session_for
from tests.fgnet_world import FgnetWorld
from tests.photos import side_by_side

pytestmark = [pytest.mark.corpus]

WUHAN, SHANGHAI = GeoPoint(30.5801, 114.2950), GeoPoint(31.2304, 121.4737)
REFUSED = "could not be matched to your case"


@dataclass
class World(FgnetWorld):
    family_a: str = ""  # session cookies
    family_b: str = ""
    police: str = ""
    case_a: int = 0
    case_b: int = 0
    seen_a: int = 0  # an approved report of case A's child
    seen_b: int = 0  # and one of case B's


def _seen(world: World, photo: str, when: datetime, place: GeoPoint, words: str) -> int:
    report = NewSighting(seen_at=when, place=place, place_text=words)
    intake.report_sighting(world.container.deps, OPERATOR, report, [Upload(world.photo(photo), "s.jpg")])
    return newest_sighting(world.container)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shipped operating point (1 in 500): what a family is shown, so that one child's search finds only it."""
    return settings.model_copy(update={"propose_one_in": 500})


@pytest.fixture
def world(container: Container, fgnet: Path) -> Iterator[World]:
    w = World(container, fgnet)
    w.family_a, w.case_a = w.family_case("029a10", "Haoran", date(2014, 3, 1), date(2024, 3, 1), WUHAN, "Wuhan")
    w.family_b, w.case_b = w.family_case("039a10", "Lei", date(2013, 5, 1), date(2023, 5, 1), SHANGHAI, "Shanghai",
                                       datetime(2024, 1, 1, 6, tzinfo=UTC))
    run_jobs(container)  # the cases' faces
    for case_id in (w.case_a, w.case_b):
        moderation.verify_case(container.deps, OPERATOR, case_id, "police report checked")
    w.seen_a = _seen(w, "029a13", datetime(2025, 7, 1, 2, 15, tzinfo=UTC), WUHAN, "Wuhan")
    w.seen_b = _seen(w, "039a11", datetime(2024, 7, 1, 2, tzinfo=UTC), SHANGHAI, "Shanghai")
    run_jobs(container)
    _, w.police = session_for(container, Role.POLICE)
    yield w


def _poster_photo(world: World, case_id: int) -> bytes:
    with world.client() as anyone:
        answer = anyone.get(f"/p/{case_id}/photo.jpg")
    assert answer.status_code == 200
    return answer.content


def _page_search(test: TestClient, photo: bytes, case_id: int | str) -> tuple[int, str]:
    token = re.search(r'name="csrf" value="([^"]+)"', test.get("/search").text)
    assert token is not None
    answer = test.post("/search", data={"csrf": token.group(1), "case_id": str(case_id)},
                       files={"photos": ("p.jpg", photo, "image/jpeg")})
    return answer.status_code, answer.text


def _found_on_page(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'<a class="card" href="/sightings/(\d+)"', page)}


def _audits(world: World, action: str, actor_account: str | None = None) -> list[str]:
    with world.container.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT actor, detail::text FROM audit_log WHERE action = %s ORDER BY id",
                                    (action,)).fetchall()
    return [detail for actor, detail in rows if actor_account is None or actor == actor_account]


def _as_the_api_runs_it(world: World, cookie: str, photo: bytes, case_id: int | None) -> list[dict[str, Any]]:
    """A family's search through ``POST /api/search``'s service (a family holds no API token)."""
    family = from_session(world.container.deps, cookie)
    assert family is not None
    return search.search_by_photo(world.container.deps, family, photo, 50, case_id)


def test_a_family_searching_with_another_familys_poster_photo_is_refused_and_audited(world: World) -> None:
    poster_b = _poster_photo(world, world.case_b)
    with world.client(world.family_a) as family:
        form = family.get("/search").text
        assert "Not one of my cases" not in form  # for staff only
        status, page = _page_search(family, poster_b, world.case_a)
        assert status == 422 and REFUSED in page and f"/sightings/{world.seen_b}" not in page
        family.headers["Accept-Language"] = "zh-CN"
        status, page = _page_search(family, poster_b, world.case_a)
        assert status == 422 and "这张照片无法与您案件中的照片对应" in page
        del family.headers["Accept-Language"]
        status, page = _page_search(family, poster_b, "")  # "Not one of my cases", sent by hand
        assert status == 422 and "families search only with a photo of their own child" in page
        status, page = _page_search(family, poster_b, world.case_b)  # another family's case
        assert status == 404 and f"/sightings/{world.seen_b}" not in page
    with pytest.raises(InvalidInput, match=REFUSED):
        _as_the_api_runs_it(world, world.family_a, poster_b, world.case_a)
    with pytest.raises(InvalidInput, match="families search only with a photo of their own child"):
        _as_the_api_runs_it(world, world.family_a, poster_b, None)
    # the police read who tried: the two pages' and the API's searches naming case A, nothing searched
    assert len(_audits(world, "sightings.search_refused")) == 3
    assert not _audits(world, "sightings.searched")


def test_a_family_searching_with_a_later_photo_of_its_own_child_finds_its_sightings(world: World) -> None:
    later = world.photo("029a11")  # not one of the case's photos, nor the sighting's: a year after the case's
    with world.client(world.family_a) as family:
        status, page = _page_search(family, later, world.case_a)
    assert status == 200 and world.seen_a in _found_on_page(page) and world.seen_b not in _found_on_page(page)
    hits = _as_the_api_runs_it(world, world.family_a, later, world.case_a)
    assert world.seen_a in {h["sighting_id"] for h in hits}
    assert not _audits(world, "sightings.search_refused")


def test_in_a_collage_only_the_familys_own_child_is_searched(world: World) -> None:
    """A collage of its child and another family's poster photo: only its child's face is searched."""
    collage = side_by_side(world.photo("029a11"), _poster_photo(world, world.case_b), gap=40)
    hits = _as_the_api_runs_it(world, world.family_a, collage, world.case_a)
    assert world.seen_a in {h["sighting_id"] for h in hits} and world.seen_b not in {h["sighting_id"] for h in hits}
    assert len({h["query_face"] for h in hits}) == 1  # one face of the two searched
    searched = _audits(world, "sightings.searched")
    assert len(searched) == 1 and '"set_aside": 1' in searched[0]


def test_staff_and_partners_still_search_any_photo(world: World) -> None:
    """Police and moderators, and partner organisations an admin gave ``read:sightings``, search any photo
    (docs/privacy.md says so)."""
    poster_b = _poster_photo(world, world.case_b)
    with world.client(world.police) as police:
        status, page = _page_search(police, poster_b, "")  # no case of theirs: any photo
    assert status == 200 and REFUSED not in page
    police_principal = from_session(world.container.deps, world.police)
    assert police_principal is not None
    hits = search.search_by_photo(world.container.deps, police_principal, poster_b, 50, world.case_b)
    assert world.seen_b in {h["sighting_id"] for h in hits}  # naming the case the photo is of
    photo = {"photo": ("p.jpg", poster_b, "image/jpeg")}
    for scope, named in ((Scope.ADMIN, f"?case_id={world.case_b}"), (Scope.READ_SIGHTINGS, "")):
        with world.client() as partner:
            partner.headers["Authorization"] = f"Bearer {issue_token(world.container.deps, OPERATOR, 'org', [scope])}"
            api = partner.post(f"/api/search{named}", files=photo)
        assert api.status_code == 200, api.text
        assert not named or world.seen_b in {h["sighting_id"] for h in api.json()}
    assert not _audits(world, "sightings.search_refused")


def test_a_familys_search_follows_its_case_as_it_is_now(world: World) -> None:
    """Rights are read on every request: once its case is rejected, the family searches nothing."""
    later = world.photo("029a11")
    moderation.reject_case(world.container.deps, OPERATOR, world.case_a, "police report not found")
    with world.client(world.family_a) as family:
        assert family.get("/search").status_code == 403
    with pytest.raises(Forbidden):
        _as_the_api_runs_it(world, world.family_a, later, world.case_a)


def test_a_family_searches_with_the_picture_of_a_lead_confirmed_for_its_case(world: World) -> None:
    """Probe s35 J6: the gate refused the picture of a report the matching proposed for the family's case (039a11
    against its case photo 039a10, read as a photo of no known age); once a reviewer confirmed it, the family was
    shown it as its child's lead, and searches with it."""
    deps = world.container.deps
    lead = next(row for row in deps.read.candidates(world.case_b, None) if row["sighting_id"] == world.seen_b)
    review.review_candidate(deps, OPERATOR, lead["id"], CandidateStatus.CONFIRMED, "the same child")
    hits = _as_the_api_runs_it(world, world.family_b, world.photo("039a11"), world.case_b)
    assert world.seen_b in {hit["sighting_id"] for hit in hits}
    with pytest.raises(InvalidInput, match=REFUSED):  # family A, with the same picture: not its case's lead
        _as_the_api_runs_it(world, world.family_a, world.photo("039a11"), world.case_a)


def test_a_family_searches_with_the_picture_of_a_report_it_sent_for_its_case_until_a_reviewer_dismisses_it(
        world: World) -> None:
    """A report the matching proposed for case B (039a11), which its family marked "possibly my child" and so reads
    on its case page as sent and waiting: the family searches with its picture (is this my child elsewhere?), though
    the case photo's age reads it too far. Unsent, nobody showed the family that report as a lead: refused. Another
    family marking the same report for its own case searches no other child's face. Dismissed by a reviewer, the
    picture no longer passes."""
    deps = world.container.deps
    picture = world.photo("039a11")
    with pytest.raises(InvalidInput, match=REFUSED):  # proposed by the matching only: never shown to the family
        _as_the_api_runs_it(world, world.family_b, picture, world.case_b)
    family_b = from_session(deps, world.family_b)
    assert family_b is not None
    sent = families.propose_sighting(deps, family_b, world.seen_b, world.case_b, "his ears")
    with world.client(world.family_b) as family:
        assert f'id="sent-{sent}"' in family.get(f"/cases/{world.case_b}").text  # the family reads it as sent
        status, page = _page_search(family, picture, world.case_b)
    assert status == 200 and world.seen_b in _found_on_page(page), page
    assert world.seen_b in {hit["sighting_id"] for hit in _as_the_api_runs_it(world, world.family_b, picture,
                                                                               world.case_b)}

    family_a = from_session(deps, world.family_a)
    assert family_a is not None
    families.propose_sighting(deps, family_a, world.seen_b, world.case_a, "maybe him")
    with pytest.raises(InvalidInput, match=REFUSED):  # case B's child is no lead of case A by the face
        _as_the_api_runs_it(world, world.family_a, picture, world.case_a)

    review.review_candidate(deps, OPERATOR, sent, CandidateStatus.DISMISSED, "the time or place does not fit")
    with world.client(world.family_b) as family:
        status, page = _page_search(family, picture, world.case_b)
    assert status == 422 and REFUSED in page
    with pytest.raises(InvalidInput, match=REFUSED):
        _as_the_api_runs_it(world, world.family_b, picture, world.case_b)

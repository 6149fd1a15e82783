"""Probe s28 B4: once a case was closed as reunited, the found child's street photos stayed browsable, searchable
by photo and openable, face clear, by every verified family. The child is home: the reports confirmed for that case,
and the rest of the child's trail, leave every family's and partner's view; police and moderators keep them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reunite.bootstrap import Container
from reunite.domain import access
from reunite.domain.access import OPERATOR, Role
from reunite.domain.errors import InvalidInput
from reunite.domain.model import GeoPoint, NewCase, Sex, Upload
from reunite.services import intake, moderation, reunion, search
from reunite.services.accounts import from_session
from tests.conftest import session_for
from tests.e2e import world as w
from tests.e2e.test_workbench import loop
from tests.photos import portrait


def _other_family(world: w.World) -> str:
    """A second family, its own case verified: it browses and searches sightings."""
    _, cookie = session_for(world.container, Role.REPORTER)
    family = from_session(world.container.deps, cookie)
    assert family is not None
    case = NewCase(given_name="Wen", family_name="Other", sex=Sex.MALE, birth_date=date(2001, 1, 1),
                   missing_since=datetime(2003, 6, 1, 8, tzinfo=UTC), last_seen_place=GeoPoint(31.2, 121.4),
                   police_report="PR-OTHER-1")
    case_id = intake.register_case(world.container.deps, family, case, [Upload(portrait("hopper", 2), "c.jpg")],
                                   [date(2003, 1, 1)]).case_id
    moderation.verify_case(world.container.deps, OPERATOR, case_id, "police report checked")
    world.cookies["other_family"] = cookie
    return "other_family"


def test_a_found_childs_reports_leave_other_families_views_but_not_the_police(world: w.World) -> None:
    other = world.client(_other_family(world))
    paths = (f"/sightings/{world.sighting}", f"/api/sightings/{world.sighting}",
             f"/api/photos/{world.photo_of_sighting}", f"/api/faces/{world.child_face}/crop")

    def listed(client: w.TestClient) -> set[int]:
        return {s["id"] for s in client.get("/api/sightings", params={"limit": 200}).json()["items"]}

    def searched() -> set[int]:
        """What a partner's ``read:sightings`` token finds by the child's photo (the other family cannot search
        for a child not its own: probe s32 F3)."""
        with world.client("token_read_sightings") as partner:
            found = partner.post("/api/search", files={"photo": ("c.jpg", portrait("collins", 2), "image/jpeg")})
        assert found.status_code == 200, found.text
        return {hit["sighting_id"] for hit in found.json()}

    principal = from_session(world.container.deps, world.cookies["other_family"])
    assert principal is not None
    with pytest.raises(InvalidInput):
        search.search_by_photo(world.container.deps, principal, portrait("collins", 2), 50, None)
    assert all(other.get(path).status_code == 200 for path in paths)
    assert world.sighting in listed(other) and world.sighting in searched()

    reunion.record_verification(world.container.deps, OPERATOR, world.case_a, world.confirmed, "dna", "match", "")
    reunion.close_case(world.container.deps, OPERATOR, world.case_a, reunited=True, keep_data=True)

    assert [other.get(path).status_code for path in paths] == [404] * len(paths)
    assert world.sighting not in listed(other) and world.sighting not in searched()
    police = world.client("police")
    assert all(police.get(path).status_code == 200 for path in paths)
    assert world.sighting in listed(police)



def test_a_child_found_on_a_lead_police_checked_before_any_reviewer_confirmed_it_is_found_too(
    container: Container
) -> None:
    """Probe s31 E6: a case closed as reunited on a DNA match of a lead only proposed left its report in every
    family's view, as a confirmed one no longer did."""
    looped = loop(container, photos=(("collins", 1),))
    [lead] = container.deps.read.candidates(looped.case_id, None)
    assert lead["status"] == "proposed" and not container.deps.read.sighting_head(lead["sighting_id"])["found"]
    reunion.record_verification(container.deps, OPERATOR, looped.case_id, lead["id"], "dna", "match", "")
    reunion.close_case(container.deps, OPERATOR, looped.case_id, reunited=True, keep_data=True)
    assert container.deps.read.sighting_head(lead["sighting_id"])["found"]
    assert not access.sighting_visible(looped.family, "approved", found=True)  # families: hidden

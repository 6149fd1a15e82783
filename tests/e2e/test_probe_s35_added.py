"""Probe s35 J1: a verified family added another family's child's photo to its case ("Add photos"); the moderator's
card showed two small thumbnails and no machine reading, and once accepted the family searched that child by photo.
Now a photo added to a verified case is read before anyone decides, as a registration is beside Verify: against the
case's own photos ("does NOT look like the case's child") and against other accounts' open cases ("looks most like
case N's child"), on the corrections card (larger photos) and in the API's queue; such a photo is accepted only with
"I have checked: this is the same child", and the reading is audited with the decision. The family never reads of
the other case. J7: a case closed while photos added wait says on its timeline (and before closing) that the photos
are dropped too, and they are deleted. On fgnet-dev: one child's photos across the years, as a family has them."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from reunite.bootstrap import Container
from reunite.config import Settings
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.model import GeoPoint, NewSighting, Upload
from reunite.services import corrections, intake, moderation, reunion
from reunite.services.accounts import from_session
from tests.conftest import newest_sighting, run_jobs, session_for
from tests.e2e.test_journeys import csrf
from tests.fgnet_world import FgnetWorld

pytestmark = [pytest.mark.corpus]

WUHAN, SHENZHEN = GeoPoint(30.5801, 114.2950), GeoPoint(22.5431, 114.0579)
CHECK = "I have checked: this is the same child"


@dataclass
class World(FgnetWorld):
    haoran_family: str = ""  # session cookies
    jun_family: str = ""
    haoran: int = 0  # case ids
    jun: int = 0
    seen: int = 0  # an approved report of Haoran


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shipped operating point (1 in 500), as a family's search by photo reads it."""
    return settings.model_copy(update={"propose_one_in": 500})


@pytest.fixture
def world(container: Container, fgnet: Path) -> Iterator[World]:
    w = World(container, fgnet)
    w.haoran_family, w.haoran = w.family_case("029a10", "Haoran", date(2014, 3, 1), date(2024, 3, 1), WUHAN,
                                             "Wuhan")
    w.jun_family, w.jun = w.family_case("015a10", "Jun", date(2012, 5, 1), date(2022, 5, 1), SHENZHEN, "Shenzhen")
    run_jobs(container)
    for case_id in (w.haoran, w.jun):
        moderation.verify_case(container.deps, OPERATOR, case_id, "police report checked")
    report = NewSighting(seen_at=datetime(2025, 7, 1, 2, 15, tzinfo=UTC), place=WUHAN, place_text="Wuhan")
    intake.report_sighting(container.deps, OPERATOR, report, [Upload(w.photo("029a11"), "s.jpg")])
    w.seen = newest_sighting(container)
    run_jobs(container)
    yield w


def _add(client: TestClient, case_id: int, photo: bytes, taken: str) -> Response:
    return client.post(f"/cases/{case_id}/photos", follow_redirects=False,
                       data={"csrf": csrf(client, f"/cases/{case_id}/photos"), "photo_dates": [taken]},
                       files=[("photos", ("p.jpg", photo, "image/jpeg"))])


def _search(client: TestClient, photo: bytes, case_id: int) -> tuple[int, str]:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/search").text)
    assert token is not None
    answer = client.post("/search", data={"csrf": token.group(1), "case_id": str(case_id)},
                         files={"photos": ("p.jpg", photo, "image/jpeg")})
    return answer.status_code, answer.text


def _waiting(world: World, case_id: int) -> dict[str, Any]:
    [row] = [r for r in world.desk().get("/api/moderation/queues").json()["corrections"] if r["case_id"] == case_id]
    return row


def _card(page: str, correction_id: int) -> str:
    return html.unescape(page).split(f'id="correction-{correction_id}"')[1].split('<div class="card-row"')[0]


def _audit(world: World, action: str, case_id: int) -> list[dict[str, Any]]:
    with world.container.engine.connect() as conn:
        return [row[0] for row in conn.exec_driver_sql(
            "SELECT detail FROM audit_log WHERE action = %s AND subject = 'case' AND subject_id = %s ORDER BY id",
            (action, case_id)).fetchall()]


def test_another_childs_photo_added_to_a_verified_case_is_read_before_accepting_and_needs_a_persons_check(
        world: World) -> None:
    jun = world.client(world.jun_family)
    assert _search(jun, world.photo("029a11"), world.jun)[0] == 422  # Haoran's later photo: not Jun
    sent = _add(jun, world.jun, world.photo("029a13"), "2025-01-01")  # another photo of Haoran, not the poster's
    assert sent.headers["location"] == f"/cases/{world.jun}?photos=1&held=1#photos"
    run_jobs(world.container)  # its faces found (held: neither published nor matched)

    row = _waiting(world, world.jun)  # the API's queue: the reading, in words too
    check = row["added_check"]
    assert check["check_needed"] is True
    [photo] = check["photos"]
    assert photo["why"] in ("not_own", "other") and photo["own"]["looks_like"] is False
    assert "does NOT look like the case's child" in photo["own_words"]
    first = photo["look_alikes"][0]
    assert first["case_id"] == world.haoran and first["births_disagree"] is True
    assert first["words"].startswith(f"Looks most like case {world.haoran}'s child: ")
    assert re.search(r"(Strong|Possible|Weak) lead", first["words"])

    moderator = world.client(session_for(world.container, Role.MODERATOR)[1])
    card = _card(moderator.get("/moderation").text, row["id"])
    assert "This face does NOT look like the case's child" in card and "Check before accepting" in card
    assert f'<a href="/cases/{world.haoran}">Looks most like case {world.haoran}\'s child: ' in card
    assert f'src="/api/photos/{photo["photo_id"]}?max_side=480" alt="Photo waiting" width="240"' in card
    assert 'width="96"' not in card.split("look-alike")[0]  # the photos compared are large, not thumbnails
    assert CHECK in card
    with world.container.engine.connect() as conn:  # who read another family's child beside this case: audited
        viewed = [row[0] for row in conn.exec_driver_sql(
            "SELECT detail FROM audit_log WHERE action = 'look_alikes.viewed' ORDER BY id").fetchall()]
    assert any(d.get("photos_added") and d["shown"].get(str(world.jun)) == [world.haoran] for d in viewed)

    # accepted without the tick: refused, saying why, the form as it was sent
    token = csrf(moderator, "/moderation")
    refused = moderator.post(f"/moderation/corrections/{row['id']}",
                             data={"csrf": token, "decision": "accept", "reason": "looked at it"})
    assert refused.status_code == 422
    again = _card(refused.text, row["id"])
    assert "tick “I have checked: this is the same child” to accept" in again and 'value="looked at it"' in again
    api = world.desk().post(f"/api/moderation/corrections/{row['id']}", json={"decision": "accept"})
    assert api.status_code == 422 and CHECK in api.text
    assert corrections.waiting_for(world.container.deps, OPERATOR, world.jun) is not None  # nothing decided
    zh = world.client(session_for(world.container, Role.MODERATOR)[1], "zh-CN")
    assert "这张面孔看起来不像本案件中的孩子" in html.unescape(zh.get("/moderation").text)

    # the family never reads of the other case: not on its case page, nor in what it was told
    page = html.unescape(jun.get(f"/cases/{world.jun}").text)
    assert f"/cases/{world.haoran}" not in page and "Haoran" not in page and "does NOT look" not in page

    # a moderator who compared and refuses: the photo deleted, the reading kept with the decision
    refused_ok = world.desk().post(f"/api/moderation/corrections/{row['id']}",
                                   json={"decision": "refuse", "reason": "this is another family's child"})
    assert refused_ok.status_code == 204
    [said] = _audit(world, "case.correction_refused", world.jun)
    assert said["photos_read"]["check_needed"] is True and said["checked"] is False
    assert said["photos_read"]["photos"][0]["look_alikes"][0]["case_id"] == world.haoran
    assert _search(jun, world.photo("029a11"), world.jun)[0] == 422  # still refused


def test_accepting_with_the_tick_is_audited_with_the_reading(world: World) -> None:
    jun = world.client(world.jun_family)
    _add(jun, world.jun, world.photo("029a13"), "2025-01-01")
    run_jobs(world.container)
    row = _waiting(world, world.jun)
    moderator = world.client(session_for(world.container, Role.MODERATOR)[1])
    accepted = moderator.post(f"/moderation/corrections/{row['id']}", follow_redirects=False,
                              data={"csrf": csrf(moderator, "/moderation"), "decision": "accept", "checked": "yes"})
    assert accepted.status_code == 303
    [said] = _audit(world, "case.correction_accepted", world.jun)
    assert said["checked"] is True and said["photos_read"]["check_needed"] is True
    assert said["photos_read"]["photos"][0]["looks_like_own"] is False


def test_a_later_photo_of_the_cases_own_child_reads_so_and_is_accepted_without_a_tick(world: World) -> None:
    haoran = world.client(world.haoran_family)
    _add(haoran, world.haoran, world.photo("029a13"), "2025-01-01")
    run_jobs(world.container)
    row = _waiting(world, world.haoran)
    [photo] = row["added_check"]["photos"]
    assert row["added_check"]["check_needed"] is False and photo["why"] is None
    assert photo["own"]["looks_like"] is True and photo["own_words"].startswith("This face looks like the case's child")
    assert all(alike["case_id"] != world.jun for alike in photo["look_alikes"][:1]) or not photo["look_alikes"]
    card = _card(world.client(session_for(world.container, Role.MODERATOR)[1]).get("/moderation").text, row["id"])
    assert "This face looks like the case's child" in card and CHECK not in card and "Check before" not in card
    assert world.desk().post(f"/api/moderation/corrections/{row['id']}",
                             json={"decision": "accept"}).status_code == 204
    [said] = _audit(world, "case.correction_accepted", world.haoran)
    assert said["photos_read"]["photos"][0]["looks_like_own"] is True


def test_photos_not_read_yet_wait_for_a_persons_check(world: World) -> None:
    _add(world.client(world.haoran_family), world.haoran, world.photo("029a13"), "2025-01-01")  # no jobs run
    row = _waiting(world, world.haoran)
    assert row["added_check"]["check_needed"] is True
    assert row["added_check"]["photos"][0]["why"] == "unread"
    assert "not read yet" in row["added_check"]["photos"][0]["own_words"]
    assert world.desk().post(f"/api/moderation/corrections/{row['id']}",
                             json={"decision": "accept"}).status_code == 422


def _held_photos(world: World, case_id: int) -> int:
    with world.container.engine.connect() as conn:
        return int(conn.exec_driver_sql(
            f"SELECT count(*) FROM photos WHERE case_id = {case_id} AND held_since IS NOT NULL").scalar_one())


def test_closing_a_case_with_photos_waiting_says_they_are_dropped_and_deletes_them(world: World) -> None:
    owner = from_session(world.container.deps, world.haoran_family)
    assert owner is not None
    corrections.correct_case(world.container.deps, owner, world.haoran, {"birth_date": date(2014, 3, 10)})
    haoran = world.client(world.haoran_family)
    _add(haoran, world.haoran, world.photo("029a13"), "2025-01-01")
    run_jobs(world.container)
    assert _held_photos(world, world.haoran) == 1
    police = world.client(session_for(world.container, Role.POLICE)[1])
    close_form = html.unescape(police.get(f"/cases/{world.haoran}").text).split('id="close"')[1]
    assert "The photos added with it wait too: closed now, they are dropped and deleted (1)." in close_form
    officer = Principal(role=Role.POLICE, account_id=9001)
    reunion.close_case(world.container.deps, officer, world.haoran, reunited=False, keep_data=True)
    assert _held_photos(world, world.haoran) == 0
    shown = html.unescape(haoran.get(f"/cases/{world.haoran}").text)
    assert ("The correction that was waiting was dropped undecided: the case was closed (Birth date) and the photos "
            "added with it, never shown to anyone and now deleted: 1") in shown
    zh = html.unescape(world.client(world.haoran_family, "zh-CN").get(f"/cases/{world.haoran}").text)
    assert "以及随之添加的照片（从未向任何人展示，现已删除）：1 张" in zh

    # photos alone waiting (no fact corrected), the case rejected: said so, and deleted too
    jun = world.client(world.jun_family)
    _add(jun, world.jun, world.photo("015a12"), "2024-01-01")
    run_jobs(world.container)
    moderation.reject_case(world.container.deps, OPERATOR, world.jun, "the police report does not exist")
    assert _held_photos(world, world.jun) == 0
    shown = html.unescape(jun.get(f"/cases/{world.jun}").text)
    assert ("The photos added that waited for a moderator were dropped undecided: the case was closed. Never shown "
            "to anyone, they are deleted: 1") in shown

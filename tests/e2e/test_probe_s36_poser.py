"""Probe s36 K1: someone posing as a parent registers a child seen on the street with a report's face crop (any
verified family or ``read:sightings`` partner downloads one, by design). The case photo is flagged as a copy of the
report to moderators (queue, case page), verification is refused, and the photo is never published, even when a
moderator verified the case before the check ran. A genuine, different photo of the same child is no copy. A second
poser after the first was rejected is flagged too, with the rejection's date and reason. On fgnet-dev."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.errors import Conflict
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation, moderation_queues, photo_copies
from reunite.services.accounts import from_session
from tests.conftest import newest_sighting, run_jobs, session_for

pytestmark = [pytest.mark.corpus]

GUANGZHOU = GeoPoint(23.125, 113.265)
COPY = "is a copy of street report"


def _client(container: Container, cookie: str) -> TestClient:
    test = TestClient(create_app(container))
    test.cookies.set("reunite_session", cookie)
    return test


def _report(container: Container, fgnet: Path) -> int:
    """A street report of child 043 (approved on arrival: staff sent it), its faces found."""
    seen = NewSighting(seen_at=datetime(2025, 8, 2, 7, 40, tzinfo=UTC), place=GUANGZHOU, place_text="Guangzhou")
    intake.report_sighting(container.deps, OPERATOR, seen,
                           [Upload((fgnet / "images" / "043a10.jpg").read_bytes(), "s.jpg")])
    run_jobs(container)
    return newest_sighting(container)


def _crop_scaled(container: Container, sighting_id: int) -> bytes:
    """The report's child face crop as a verified reader downloads it, scaled up three times (the probe's copy)."""
    _, cookie = session_for(container, Role.POLICE)
    with _client(container, cookie) as police:
        face = police.get(f"/api/sightings/{sighting_id}").json()["child_face_id"]
        crop = police.get(f"/api/faces/{face}/crop")
    assert crop.status_code == 200
    image = Image.open(io.BytesIO(crop.content)).convert("RGB")
    out = io.BytesIO()
    image.resize((image.width * 3, image.height * 3)).save(out, format="JPEG", quality=90)
    return out.getvalue()


def _register(container: Container, photo: bytes, name: str) -> tuple[str, int]:
    _, cookie = session_for(container, Role.REPORTER)
    family = from_session(container.deps, cookie)
    assert family is not None
    case = NewCase(given_name=name, family_name="Liu", sex=Sex.MALE, birth_date=date(2015, 1, 10),
                   missing_since=datetime(2025, 7, 20, 6, tzinfo=UTC), last_seen_place=GUANGZHOU,
                   last_seen_text="Guangzhou", police_report=f"PR-{name}")
    return cookie, intake.register_case(container.deps, family, case, [Upload(photo, "c.jpg")],
                                        [date(2025, 7, 20)]).case_id


def _moderator(container: Container) -> TestClient:
    return _client(container, session_for(container, Role.MODERATOR)[1])


def _queued(container: Container, case_id: int) -> dict[str, object]:
    overview = moderation_queues.queue_overview(container.deps, OPERATOR)
    rows = [row for row in overview["cases"] if row["id"] == case_id]  # type: ignore[attr-defined]
    assert rows
    return rows[0]  # type: ignore[no-any-return]


def test_a_case_registered_with_a_reports_face_crop_is_flagged_and_cannot_be_verified(
        container: Container, fgnet: Path) -> None:
    sighting_id = _report(container, fgnet)
    _, case_id = _register(container, _crop_scaled(container, sighting_id), "Yang")
    run_jobs(container)
    copies = _queued(container, case_id)["photo_copies"]
    assert [c["sighting_id"] for c in copies] == [sighting_id] and copies[0]["blocks"]  # type: ignore[index]
    with _moderator(container) as moderator:
        page = moderator.get(f"/cases/{case_id}").text
        assert COPY in page and f"/sightings/{sighting_id}" in page and "2025-08-02" in page
        assert COPY in moderator.get("/moderation").text
    with pytest.raises(Conflict, match="copy of the photo of street report"):
        moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-Yang checked by phone")


def test_a_copy_verified_before_the_check_ran_is_held_never_published_nor_matched_to_its_report(
        container: Container, fgnet: Path) -> None:
    sighting_id = _report(container, fgnet)
    _, case_id = _register(container, _crop_scaled(container, sighting_id), "Yang")
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-Yang checked by phone")  # quicker
    run_jobs(container)  # the faces job finds the copy after all: the case waits for verification again
    assert container.deps.read.case(case_id)["verified_at"] is None
    with TestClient(create_app(container)) as anyone:
        assert anyone.get(f"/p/{case_id}/photo.jpg").status_code == 404
        assert f"/p/{case_id}/photo.jpg" not in anyone.get("/feeds/cases.atom").text
    assert not [c for c in container.deps.read.candidates(case_id, None) if c["sighting_id"] == sighting_id]


def test_a_genuine_other_photo_of_the_same_child_is_no_copy(container: Container, fgnet: Path) -> None:
    _report(container, fgnet)
    _, case_id = _register(container, (fgnet / "images" / "043a05.jpg").read_bytes(), "Ming")
    run_jobs(container)
    assert _queued(container, case_id)["photo_copies"] == []
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-Ming checked by phone")
    run_jobs(container)
    with TestClient(create_app(container)) as anyone:
        assert anyone.get(f"/p/{case_id}/photo.jpg").status_code == 200


def test_a_report_made_later_of_a_cases_own_photo_never_flags_the_case(container: Container, fgnet: Path) -> None:
    """The reverse order: someone reposts a verified case's poster photo as a street report. That report copies
    the case's photo; the case, checked again (a rematch, a photo added), is no copy of it and stays verified."""
    _, case_id = _register(container, (fgnet / "images" / "043a10.jpg").read_bytes(), "Ming")
    run_jobs(container)
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-Ming checked by phone")
    run_jobs(container)
    with TestClient(create_app(container)) as anyone:
        poster = anyone.get(f"/p/{case_id}/photo.jpg")
    assert poster.status_code == 200
    seen = NewSighting(seen_at=datetime(2025, 8, 2, 7, 40, tzinfo=UTC), place=GUANGZHOU, place_text="Guangzhou")
    intake.report_sighting(container.deps, OPERATOR, seen, [Upload(poster.content, "repost.jpg")])
    run_jobs(container)
    with container.deps.uow() as uow:
        assert photo_copies.flag_copies(uow, case_id) == 0  # the check run again, as a rematch runs it
        uow.commit()
    assert _queued_or_none(container, case_id) is None  # not held for verification again
    assert container.deps.read.case(case_id)["verified_at"] is not None


def _queued_or_none(container: Container, case_id: int) -> dict[str, object] | None:
    overview = moderation_queues.queue_overview(container.deps, OPERATOR)
    rows = [row for row in overview["cases"] if row["id"] == case_id]  # type: ignore[attr-defined]
    return rows[0] if rows else None  # type: ignore[no-any-return]


def test_a_second_poser_after_a_rejection_is_flagged_with_the_rejection(container: Container, fgnet: Path) -> None:
    sighting_id = _report(container, fgnet)
    crop = _crop_scaled(container, sighting_id)
    _, first = _register(container, crop, "Yang")
    run_jobs(container)
    moderation.reject_case(container.deps, OPERATOR, first, "photo copied from a street report")
    mirrored = io.BytesIO()
    Image.open(io.BytesIO(crop)).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(mirrored, format="JPEG")
    _, second = _register(container, mirrored.getvalue(), "Hao")
    run_jobs(container)
    copies = _queued(container, second)["photo_copies"]
    assert {c["kind"] for c in copies} == {"sighting", "rejected"}  # type: ignore[attr-defined]
    assert {c["other_case_id"] for c in copies if c["kind"] == "rejected"} == {first}  # type: ignore[attr-defined]
    with _moderator(container) as moderator:
        page = moderator.get(f"/cases/{second}").text
    assert "was rejected on" in page and "photo copied from a street report" in page and COPY in page
    with pytest.raises(Conflict):
        moderation.verify_case(container.deps, OPERATOR, second, "police report PR-Hao checked by phone")

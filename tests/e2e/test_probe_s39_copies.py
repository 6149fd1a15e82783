"""Probe s39: the copy check of case photos against street reports' pictures (s36 K1), as moderators and reviewers
live with it. L4: a family whose own appeal photo reached Reunite first as a "report" (reposted from WeChat, rejected
as not a sighting) is not blocked for good: the flag says the report was rejected and why, and a moderator clears
it, saying why (audited). L6: the blocking alert comes first, styled as blocking, and rejected cases with the photo
are one line. On fgnet-dev."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.audit import AuditQuery
from reunite.domain.errors import Conflict, InvalidInput
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation, moderation_queues, photo_copies, reports
from reunite.services.accounts import from_session
from tests.conftest import newest_sighting, run_jobs, session_for
from tests.e2e.test_probe_s36_poser import _crop_scaled

pytestmark = [pytest.mark.corpus]

SHANGHAI = GeoPoint(31.23, 121.47)
APPEAL = "Not a sighting: a photo copied from a WeChat appeal"


def _report(container: Container, photo: bytes, words: str = "Saw this on WeChat moments") -> int:
    seen = NewSighting(seen_at=datetime(2025, 8, 6, 9, tzinfo=UTC), place=SHANGHAI, place_text=words)
    witness = from_session(container.deps, session_for(container, Role.REPORTER)[1])
    assert witness is not None  # a member of the public: the report waits for a moderator
    intake.report_sighting(container.deps, witness, seen, [Upload(photo, "s.jpg")])
    run_jobs(container)
    return newest_sighting(container)


def _register(container: Container, photo: bytes, name: str, born: date = date(2013, 2, 2)) -> int:
    _, cookie = session_for(container, Role.REPORTER)
    family = from_session(container.deps, cookie)
    assert family is not None
    case = NewCase(given_name=name, family_name="Sun", sex=Sex.MALE, birth_date=born,
                   missing_since=datetime(2025, 7, 30, 6, tzinfo=UTC), last_seen_place=SHANGHAI,
                   last_seen_text="Shanghai", police_report=f"PR-{name}")
    case_id = intake.register_case(container.deps, family, case, [Upload(photo, "c.jpg")], [date(2025, 7, 20)]).case_id
    run_jobs(container)
    return case_id


def _copies(container: Container, case_id: int) -> list[dict[str, object]]:
    rows = [row for row in moderation_queues.queue_overview(container.deps, OPERATOR)["cases"]  # type: ignore[attr-defined]
            if row["id"] == case_id]
    assert rows
    return rows[0]["photo_copies"]  # type: ignore[no-any-return]


def _moderator(container: Container) -> TestClient:
    test = TestClient(create_app(container))
    test.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    return test


def test_a_family_whose_appeal_photo_was_reported_first_is_cleared_by_a_moderator(
        container: Container, fgnet: Path) -> None:
    appeal = (fgnet / "images" / "049a06.jpg").read_bytes()
    sighting_id = _report(container, appeal)
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], False, APPEAL)
    seen = _report(container, (fgnet / "images" / "049a07.jpg").read_bytes(), "a boy begging at the station")
    moderation.moderate_sightings(container.deps, OPERATOR, [seen], True)  # the child, a year later, in the street
    case_id = _register(container, appeal, "Jun")
    [copy] = _copies(container, case_id)
    assert copy["blocks"] and copy["sighting_status"] == "rejected" and copy["sighting_reason"] == APPEAL
    with _moderator(container) as moderator:
        page = moderator.get(f"/cases/{case_id}").text
        assert "That report was rejected: " + APPEAL in page
        assert f'action="/moderation/photo-copies/{copy["id"]}/clear"' in page
        assert f"/moderation/photo-copies/{copy['id']}/clear" in moderator.get("/moderation").text
    with pytest.raises(Conflict):
        moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-Jun checked by phone")
    with pytest.raises(InvalidInput):
        photo_copies.clear_copy(container.deps, OPERATOR, int(copy["id"]), "")  # type: ignore[call-overload]
    why = "The family sent the WeChat appeal it posted on 2025-07-31; the report reposted it"
    assert photo_copies.clear_copy(container.deps, OPERATOR, int(copy["id"]), why)  # type: ignore[call-overload]
    assert not photo_copies.clear_copy(container.deps, OPERATOR, int(copy["id"]), why)  # type: ignore[call-overload]
    [cleared] = _copies(container, case_id)
    assert not cleared["blocks"] and cleared["cleared_reason"] == why
    audit = container.deps.read.audit_entries(AuditQuery(subject="case", subject_id=case_id,
                                                         action="case.photo_copy_cleared"))
    assert [entry["detail"]["reason"] for entry in audit] == [why]
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-Jun checked by phone")
    run_jobs(container)
    with container.deps.uow() as uow:
        assert photo_copies.flag_copies(uow, case_id) == 0  # checked again: the cleared flag is not raised anew
        uow.commit()
    assert container.deps.read.case(case_id)["verified_at"] is not None
    # the cleared photo is matched now: the street report of the child is proposed to the case
    assert seen in {c["sighting_id"] for c in container.deps.read.candidates(case_id, None)}
    with TestClient(create_app(container)) as anyone:
        assert anyone.get(f"/p/{case_id}/photo.jpg").status_code == 200
    with _moderator(container) as moderator:
        assert "a moderator found it is the family&#39;s own: " + why in moderator.get(f"/cases/{case_id}").text


def test_the_blocking_alert_comes_first_and_rejected_cases_are_one_line(container: Container, fgnet: Path) -> None:
    photo = (fgnet / "images" / "049a10.jpg").read_bytes()
    sighting_id = _report(container, photo, "Near People's Square")
    for name in ("Lei", "Tao", "Bin"):
        rejected = _register(container, photo, name)
        moderation.reject_case(container.deps, OPERATOR, rejected, f"photo copied from report, poser {name}")
    case_id = _register(container, photo, "Kai")
    with _moderator(container) as moderator:
        page = moderator.get(f"/cases/{case_id}").text
    blocking = page.index('class="error photo-copy blocking"')
    summary = page.index("3 cases with this photo were rejected, the latest on")
    assert blocking < summary and "poser Bin" in page[summary:]
    assert "A case with this photo was rejected on" not in page
    assert len(re.findall(r'class="alert photo-copy"', page)) == 1
    assert f"/sightings/{sighting_id}" in page


def test_a_report_reposting_the_cases_own_photo_is_one_picture_never_a_strong_lead(
        container: Container, fgnet: Path) -> None:
    """L5: a street report that is the verified case's poster photo again (a repost) is a candidate whose likeness
    is no evidence: the workbench and the lead's words say it is one picture, never "Strong lead"."""
    photo = (fgnet / "images" / "043a05.jpg").read_bytes()
    case_id = _register(container, photo, "Wei", born=date(2015, 1, 10))
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-Wei checked by phone")
    run_jobs(container)
    sighting_id = _report(container, photo, "Saw this poster near Tianhe")
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], True)
    run_jobs(container)
    [candidate] = [c for c in container.deps.read.candidates(case_id, None) if c["sighting_id"] == sighting_id]
    with _moderator(container) as moderator:
        page = moderator.get(f"/workbench/{candidate['id']}?lang=en").text
    assert 'id="one-picture"' in page and "their likeness is no evidence that the child was seen" in page
    assert "One picture: this report&#39;s photo is the case&#39;s own photo" in page
    assert "Strong lead" not in page


def test_a_crop_saved_before_its_report_was_withdrawn_is_still_a_copy(container: Container, fgnet: Path) -> None:
    """L3: a poser saves a report's face crop, the witness withdraws the report (its photos deleted), then the poser
    registers the crop: still flagged as that report's picture (its prints kept for the copy check only), the case
    cannot be verified and its photo is never on a public poster; the flag says the report was withdrawn."""
    seen = NewSighting(seen_at=datetime(2025, 8, 2, 7, 40, tzinfo=UTC), place=SHANGHAI, place_text="Chunxi Road")
    receipt = intake.report_sighting(container.deps, OPERATOR, seen,
                                     [Upload((fgnet / "images" / "045a12.jpg").read_bytes(), "s.jpg")])
    run_jobs(container)
    saved = _crop_scaled(container, receipt.sighting_id)
    reports.withdraw(container.deps, receipt.receipt, reports.link_token(container.deps, receipt.receipt), sure=True)
    assert container.deps.read.sighting_head(receipt.sighting_id)["status"] == "withdrawn"
    case_id = _register(container, saved, "Bo", born=date(2014, 9, 9))
    [copy] = _copies(container, case_id)
    assert copy["sighting_id"] == receipt.sighting_id and copy["blocks"]
    with _moderator(container) as moderator:
        assert "That report was withdrawn or removed." in moderator.get(f"/cases/{case_id}").text
    with pytest.raises(Conflict):
        moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-Bo checked by phone")
    with TestClient(create_app(container)) as anyone:
        assert anyone.get(f"/p/{case_id}/photo.jpg").status_code == 404


def test_a_genuine_photo_registered_after_a_withdrawal_is_no_copy(container: Container, fgnet: Path) -> None:
    """L3's other side: the kept prints flag only the report's picture, not another photo of the child."""
    seen = NewSighting(seen_at=datetime(2025, 8, 2, 7, 40, tzinfo=UTC), place=SHANGHAI, place_text="Chunxi Road")
    receipt = intake.report_sighting(container.deps, OPERATOR, seen,
                                     [Upload((fgnet / "images" / "043a10.jpg").read_bytes(), "s.jpg")])
    run_jobs(container)
    reports.withdraw(container.deps, receipt.receipt, reports.link_token(container.deps, receipt.receipt), sure=True)
    case_id = _register(container, (fgnet / "images" / "043a05.jpg").read_bytes(), "Ming", born=date(2015, 1, 10))
    assert _copies(container, case_id) == []

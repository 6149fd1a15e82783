"""Probe s42 N1: a case's own photo sent back as a street report, re-saved a little smaller or framed in a screenshot
with a caption, read faces 0.980 and 0.987 alike as the trail's fused score, under ``SAME_PHOTO``: it was a "Strong
lead · 1st", above a real sighting of the child, and joined the child's trail. The pair is one picture by the copy
check's three tests (faces, on the most alike pair, not the fused score; perceptual hashes; chips): no lead (the
words say one picture), after the real leads in the case's list, in a search by the case's photo too, and it joins
no trail. On fgnet-dev."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.services import intake, moderation, queries, search
from reunite.services.accounts import from_session
from tests.conftest import newest_sighting, run_jobs, session_for
from tests.e2e.test_workbench import _client

pytestmark = [pytest.mark.corpus]

TAIPEI = GeoPoint(25.04, 121.56)


def _jpeg(image: Image.Image, quality: int = 70) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def resaved(photo: bytes) -> bytes:
    """The poster's photo saved from a share and sent back: 3 px cropped off each side, ×1.3, JPEG quality 70."""
    image = Image.open(io.BytesIO(photo))
    image = image.crop((3, 3, image.width - 3, image.height - 3))
    return _jpeg(image.resize((round(image.width * 1.3), round(image.height * 1.3))))


def framed(photo: bytes) -> bytes:
    """The poster's photo in a screenshot's white frame with a caption above and below."""
    image = Image.open(io.BytesIO(photo)).convert("RGB")
    frame = Image.new("RGB", (image.width + 80, image.height + 200), (255, 255, 255))
    frame.paste(image, (40, 100))
    draw = ImageDraw.Draw(frame)
    draw.text((40, 30), "MISSING - have you seen this child?", fill=(200, 0, 0))
    draw.text((40, image.height + 130), "Please share!", fill=(0, 0, 0))
    return _jpeg(frame, 85)


def cropped(photo: bytes) -> bytes:
    """The poster's photo cropped 15% off every side: faces 0.9915 alike, hashes 28 bits apart; the chips tell."""
    image = Image.open(io.BytesIO(photo))
    w, h = image.size
    return _jpeg(image.crop((round(w * 0.15), round(h * 0.15), round(w * 0.85), round(h * 0.85))), 60)


def _report(container: Container, photo: bytes, day: int) -> int:
    seen = NewSighting(seen_at=datetime(2026, 11, day, 9, tzinfo=UTC), place=TAIPEI, place_text="Taipei")
    intake.report_sighting(container.deps, OPERATOR, seen, [Upload(photo, "s.jpg")])
    run_jobs(container)
    sighting = newest_sighting(container)
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting], approve=True)
    run_jobs(container)
    return sighting


@pytest.mark.parametrize("copy", [resaved, framed, cropped])
def test_a_case_photo_sent_back_as_a_report_is_one_picture_and_joins_no_trail(
        container: Container, fgnet: Path, copy: object) -> None:
    photo = (fgnet / "images" / "079a10.jpg").read_bytes()
    _, token = session_for(container, Role.REPORTER)
    family = from_session(container.deps, token)
    assert family is not None
    case = NewCase(given_name="Yu-Ting", family_name="Lin", sex=Sex.FEMALE, birth_date=date(2014, 3, 1),
                   missing_since=datetime(2024, 11, 1, 8, tzinfo=UTC), last_seen_place=TAIPEI,
                   last_seen_text="Taipei")
    case_id = intake.register_case(container.deps, family, case, [Upload(photo, "c.jpg")],
                                   [date(2024, 3, 1)]).case_id
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    run_jobs(container)
    real = _report(container, (fgnet / "images" / "079a11.jpg").read_bytes(), 14)  # the child a year on
    repost = _report(container, copy(photo), 15)  # type: ignore[operator]
    _report(container, (fgnet / "images" / "079a12.jpg").read_bytes(), 16)  # a real sighting after it (s43 E1)

    rows = {r["sighting_id"]: r for r in queries.case_candidates(container.deps, OPERATOR, case_id)}
    assert rows[repost]["lead"]["strength"] == "none" and rows[repost]["lead"]["one_picture"]
    assert list(rows).index(repost) > list(rows).index(real)  # after the child's real sighting
    assert not rows[real]["lead"].get("one_picture")
    found = {h["sighting_id"]: h for h in search.search_by_photo(container.deps, OPERATOR, photo, 50, case_id)}
    assert found[repost]["lead"]["strength"] == "none" and found[repost]["lead"]["one_picture"] == "case"
    # a search by a report's own photo names it as the photo searched with, never as the case's (probe s43 E5)
    own = search.search_by_photo(container.deps, OPERATOR, (fgnet / "images" / "079a11.jpg").read_bytes(), 50)
    assert {h["sighting_id"]: h["lead"].get("one_picture") for h in own}[real] == "searched"
    with container.engine.connect() as conn:
        group = conn.exec_driver_sql("SELECT group_id FROM sightings WHERE id = %s", (repost,)).scalar()
    assert group is None  # no trail counts the family's own photo as a sighting, nor forms around it
    if copy is not cropped:  # faces one picture's: the workbench gives the real lead first (a copy read so only by
        reviewer = _client(container, session_for(container, Role.MODERATOR)[1])  # its chips waits in score order)
        first = reviewer.get("/workbench", follow_redirects=False).headers["location"]
        assert first != f"/workbench/{rows[repost]['id']}"  # a real lead first

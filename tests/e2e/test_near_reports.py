"""A street report's face crop with a sticker over the mouth, registered as "my child's photo" (probe s39 L2), is no
copy by any test that spares two photos of one child; so whoever verifies the case reads, beside the Verify form,
the reports sent before the case photo whose face reads nearly as the child's in it, both faces side by side, to
compare by eye. The family never reads it; a case with a different child's photo lists none."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from bench.covered_copies import COPIES
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import NewCase, NewSighting, Sex, Upload
from reunite.services import added_photos, intake, moderation
from reunite.services.accounts import from_session
from tests.conftest import count_rows, run_jobs, session_for
from tests.e2e.test_workbench import _client
from tests.photos import another_shot, portrait

SEEN = datetime(2026, 12, 1, 7, 30, tzinfo=timezone(timedelta(hours=8)))  # in Shanghai: 30 November in UTC


def _report(container: Container) -> tuple[int, int]:
    seen = NewSighting(seen_at=SEEN, place=None, place_text="Shanghai")
    sighting = intake.report_sighting(container.deps, OPERATOR, seen, [Upload(portrait("hopper", 0), "s.jpg")],
                                      ).sighting_id
    run_jobs(container)
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting], approve=True)
    [face] = container.deps.read.sighting(sighting)["faces"]
    return sighting, int(face["id"])


def _register(container: Container, token: str, photo: bytes) -> int:
    family = from_session(container.deps, token)
    assert family is not None
    case = NewCase(given_name="Lin", family_name="Family", sex=Sex.MALE, birth_date=date(2016, 1, 1),
                   missing_since=datetime(2026, 11, 1, 8, tzinfo=UTC), last_seen_place=None)
    case_id = intake.register_case(container.deps, family, case, [Upload(photo, "c.jpg")],
                                   [date(2026, 1, 1)]).case_id
    run_jobs(container)
    return case_id


def test_a_case_photo_covering_a_reports_face_is_shown_beside_verify_with_the_report(container: Container) -> None:
    sighting, face = _report(container)
    moderator = _client(container, session_for(container, Role.MODERATOR)[1])
    crop = moderator.get(f"/api/faces/{face}/crop")
    assert crop.status_code == 200
    _, poser = session_for(container, Role.REPORTER)
    case_id = _register(container, poser, COPIES["mouth sticker"](crop.content))
    page = moderator.get(f"/cases/{case_id}?lang=en").text
    assert "photo-copy blocking" not in page  # no copy by the tests that block (they would block real families)
    assert f'id="near-report-{case_id}-{sighting}"' in page
    assert "Street reports sent before this case photo whose face reads nearly as the child" in page
    assert "seen on Dec 1, 2026" in page  # the day where it was seen (07:30 in Shanghai), not the UTC day
    assert f'src="/api/faces/{face}/crop"' in page
    queue = moderator.get("/moderation?lang=zh-CN").text
    assert f'id="near-report-{case_id}-{sighting}"' in queue and "早于此案件照片发送的街头报告" in queue
    assert count_rows(container, "audit_log WHERE action = 'photo_copies.near_viewed'") == 2
    own = _client(container, poser).get(f"/cases/{case_id}?lang=en").text
    assert "near-report" not in own and f"Report {sighting}" not in own  # the registrant never learns of it


def test_a_different_childs_photo_lists_no_report(container: Container) -> None:
    sighting, _ = _report(container)
    _, family = session_for(container, Role.REPORTER)
    case_id = _register(container, family, another_shot(portrait("collins", 0)))
    moderator = _client(container, session_for(container, Role.MODERATOR)[1])
    page = moderator.get(f"/cases/{case_id}?lang=en").text
    assert 'id="verify"' in page and "near-report" not in page and f"/sightings/{sighting}" not in page


def test_a_covered_copy_added_to_a_verified_case_is_shown_beside_the_correction(container: Container) -> None:
    """Probe s43 E9: a photo added to a verified case waits for a moderator, who read no near report beside it."""
    sighting, face = _report(container)
    moderator = _client(container, session_for(container, Role.MODERATOR)[1])
    crop = moderator.get(f"/api/faces/{face}/crop").content
    _, family = session_for(container, Role.REPORTER)
    case_id = _register(container, family, another_shot(portrait("collins", 0)))
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report seen")
    who = from_session(container.deps, family)
    assert who is not None
    added_photos.add_photos(container.deps, who, case_id, [Upload(COPIES["mouth sticker"](crop), "more.jpg")], [None])
    run_jobs(container)
    queue = moderator.get("/moderation?lang=en").text
    entry = queue.split('id="correction-', 1)[1]
    assert f'id="near-report-{case_id}-{sighting}"' in entry

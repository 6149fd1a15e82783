"""What the numbers and words of a lead say to the people who read them (probe s10, findings 2, 3, 8).

- The band reads the face alone (docs/benchmarks.md, "Place and time are not face evidence"), so when
  the reporter saw a boy of 2-3 and the case is a girl of 11, the words beside the band say so.
- The rank counts only cases proposed for the sighting: a case that outranks it on the combined score
  but is no face match is not "1st", leaving the reader to look for a child nobody is shown.
- Families and partners' tokens read bands, ranks and words, never a raw score or similarity.
- A family that moves its own last-seen point and reads its lead's distance again and again learns no
  more than the ~1 km cell the sighting is shown in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.config import Settings
from reunite.domain.access import OPERATOR, RAW_SCORES, Principal, Role, Scope, coarse_distance_km, distance_shown
from reunite.domain.model import AgeRange, CandidateStatus, GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.services import intake, moderation, review
from reunite.services.accounts import from_session, issue_token
from tests.conftest import as_read, run_jobs, session_for
from tests.e2e.test_probe_places import CORNER_A, CORNER_B, client
from tests.photos import portrait

BOY = "The reporter saw a boy; this child is a girl"


@pytest.fixture
def settings(tmp_path: Path, database_uri: str) -> Settings:
    """The shipped operating point (1 in 500): a different child's face is not proposed."""
    return Settings(data_dir=tmp_path / "data", database_url=database_uri, _env_file=None)  # type: ignore[call-arg]


def _case(container: Container, who: Principal, photo: str, sex: Sex, born: date, last_seen: GeoPoint) -> int:
    case = NewCase(given_name="Lin", family_name="Zhang", sex=sex, birth_date=born,
                   missing_since=datetime(2011, 1, 1, 8, tzinfo=UTC), last_seen_place=last_seen)
    case_id = intake.register_case(container.deps, who, case, [Upload(portrait(photo, 0), "c.jpg")],
                                   [date(2010, 6, 1)]).case_id
    if who is not OPERATOR:
        moderation.verify_case(container.deps, OPERATOR, case_id, "police report checked")
    return case_id


def _sighting(container: Container, place: GeoPoint, sex: Sex = Sex.UNKNOWN, age: AgeRange | None = None) -> int:
    report = NewSighting(seen_at=datetime(2011, 6, 1, 10, tzinfo=UTC), place=place, place_text="market",
                         apparent_sex=sex, apparent_age=age)
    sighting = intake.report_sighting(container.deps, OPERATOR, report,
                                      [Upload(portrait("collins", 1), "s.jpg")]).sighting_id
    run_jobs(container)
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting], approve=True)
    return sighting


def _family(container: Container) -> tuple[Principal, str]:
    _, cookie = session_for(container, Role.REPORTER)
    who = from_session(container.deps, cookie)
    assert who is not None
    return who, cookie


def _confirm_all(container: Container) -> None:
    for row in container.deps.read.candidates(None, None):
        if row["status"] == "proposed":
            review.review_candidate(container.deps, OPERATOR, row["id"], CandidateStatus.CONFIRMED, "")


def test_a_lead_says_what_the_reporter_saw_that_contradicts_the_case_and_ranks_among_what_is_shown(
        container: Container) -> None:
    """The probe's sighting: case A's face (a girl, 11), seen as a boy of 2-3. A boy of 3 with another face
    fits age and sex far better and outranks her on the combined score, but his face is no match."""
    family, cookie = _family(container)
    girl = _case(container, family, "collins", Sex.FEMALE, date(2000, 1, 1), GeoPoint(30.65, 104.06))
    boy = _case(container, OPERATOR, "hopper", Sex.MALE, date(2008, 3, 1), GeoPoint(30.65, 104.06))
    sighting = _sighting(container, GeoPoint(29.65, 91.1), Sex.MALE, AgeRange(2, 3))
    scored = {c["case_id"]: c for c in container.deps.read.candidates(None, None, sighting)}
    assert set(scored) == {girl}, "only the girl's face matches: the boy is not proposed"
    _, police_cookie = session_for(container, Role.POLICE)
    for reader in (police_cookie, cookie):
        _confirm_all(container)
        with client(container, reader) as api:
            for lang, said in (("en", BOY), ("zh-CN", "报告人看到的是男孩；这个孩子是女孩")):
                read = api.get(f"/api/cases/{girl}/candidates", headers={"Accept-Language": lang}).json()
                lead = next(c for c in read if c["sighting_id"] == sighting)
                words = lead["lead_words"]
                # ranked among the cases proposed for this sighting: the boy, not proposed, is not above her;
                # the family never reads where it stands among the cases proposed (other families')
                ranked = (lead["rank"], lead["rank_of"] and lead["rank_of"] >= 2)
                assert ranked == ((1, True) if reader == police_cookie else (None, None)), lead
                assert lead["lead"]["contradicts"] == ["sex", "age"]
                assert words[1] == said, words  # beside the band, which reads the face alone
                assert "11" in words[2] and "2–3" in words[2], words  # the ages that do not fit
                assert lead["explanation"].startswith(said)
            page = api.get(f"/cases/{girl}?lang=en").text
            assert BOY in page
            assert ("1st of the cases proposed for this sighting" in page) is (reader == police_cookie)
    assert boy not in scored


def test_families_and_partners_read_no_raw_score_reviewers_do(container: Container) -> None:
    family, cookie = _family(container)
    case_id = _case(container, family, "collins", Sex.FEMALE, date(2000, 1, 1), GeoPoint(30.65, 104.06))
    _sighting(container, GeoPoint(30.66, 104.06), Sex.FEMALE, AgeRange(10, 12))
    _confirm_all(container)
    _, police_cookie = session_for(container, Role.POLICE)
    partner = issue_token(container.deps, OPERATOR, "ngo", [Scope.READ_SIGHTINGS, Scope.READ_CASES])
    registry = issue_token(container.deps, OPERATOR, "police registry", [Scope.ADMIN])  # reviews candidates
    photo = {"photo": ("c.jpg", portrait("collins", 0), "image/jpeg")}
    with client(container, cookie) as fam, client(container, police_cookie) as police, \
            client(container, bearer=partner) as ngo, client(container, bearer=registry) as reviewer:
        mine = fam.get(f"/api/cases/{case_id}/candidates").json()
        checked = police.get(f"/api/cases/{case_id}/candidates").json()
        hits = ngo.post("/api/search", files=photo).json()
        reviewed = reviewer.post("/api/search", files=photo).json()
    assert mine and hits and reviewed
    for row in [*mine, *hits]:
        shown = {k: row[k] for k in RAW_SCORES if row.get(k) is not None}
        assert not shown, f"a raw number an app would print as a percentage: {shown}"
        assert row["lead_words"] and row["lead"]["strength"]
    assert checked[0]["score"] is not None and checked[0]["face_score"] is not None
    assert reviewed[0]["similarity"] is not None


def _read(api: TestClient, case_id: int) -> list[tuple[Any, ...]]:
    return [(c["distance_km"], c["explanation"], tuple(c["lead_words"]), c["rank"], c["time_score"],
             c["place_score"]) for c in api.get(f"/api/cases/{case_id}/candidates?lang=en").json()]


def test_a_family_moving_its_own_last_seen_point_learns_no_more_than_the_cell(container: Container) -> None:
    """The family reads its lead's distance, words and rank from its own last-seen point moved around the
    sighting's cell (here set in the database, as an edit or a new case would): the answers are the
    distance between the two places' cells, the same whichever corner of the cell the child was seen at."""
    family, cookie = _family(container)
    case_id = _case(container, family, "collins", Sex.FEMALE, date(2000, 1, 1), CORNER_A)
    points = [GeoPoint(CORNER_A.lat + dy * 0.004, CORNER_A.lon + dx * 0.004) for dy in range(-3, 4)
              for dx in range(-3, 4)]
    answers = []
    for corner in (CORNER_A, CORNER_B):
        sighting = _sighting(container, corner, Sex.FEMALE, AgeRange(10, 12))
        _confirm_all(container)
        read = []
        with client(container, cookie) as api:
            for point in points:
                with container.engine.begin() as conn:
                    conn.exec_driver_sql("UPDATE cases SET last_seen_lat = %s, last_seen_lon = %s WHERE id = %s",
                                         (point.lat, point.lon, case_id))
                [answer] = _read(api, case_id)
                assert answer[0] == distance_shown(coarse_distance_km(point, corner))  # 1: within about 1 km
                read.append(answer)
        answers.append(read)
        moderation.moderate_sightings(container.deps, OPERATOR, [sighting], approve=False, reason="next corner",
                                      versions=as_read(container, sighting))
    assert answers[0] == answers[1]
    assert len({a[0] for a in answers[0]}) > 1  # the distance does move with the family's point, by cells

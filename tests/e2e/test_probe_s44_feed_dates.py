"""The outside probe s44's P2: the public feed's ``<updated>``, ``ETag`` and ``Last-Modified`` jumped to the instant a
case nobody outside its family and staff ever saw (never verified) was rejected, closed, or withdrawn with a revoked
partner's imports: anyone polling the feed learnt when moderators refused a hidden case. The feed's dates and
validators come only from what was ever in it; the exports' placeholders likewise (a case withdrawn, then rejected
or reopened while it waited, keeps the date and status partners already hold)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.model import NewCase, Sex, Upload
from reunite.domain.pfif import pfif_time
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation, reunion
from reunite.services.accounts import from_session, issue_token
from tests.conftest import SettableClock, a_case, count_rows, plain_photo, session_for

NS = "{http://zesty.ca/pfif/1.4}"


def _feed(public: TestClient) -> tuple[str, str, str]:
    answer = public.get("/feeds/cases.atom")
    assert answer.status_code == 200
    return answer.headers["etag"], answer.headers["last-modified"], answer.text


def _placeholder(exporter: TestClient, case_id: int) -> dict[str, str]:
    for element in ET.fromstring(exporter.get("/api/pfif").content).iter(f"{NS}person"):
        fields = {child.tag.removeprefix(NS): child.text or "" for child in element}
        if fields["person_record_id"].endswith(f"/case.{case_id}"):
            return fields
    raise AssertionError(f"case {case_id} is not exported")


def _pending(container: Container, given_name: str) -> int:
    """A family's case, waiting for verification: nobody outside the family and staff reads it."""
    family = from_session(container.deps, session_for(container, Role.REPORTER)[1])
    assert family is not None
    case = NewCase(given_name=given_name, family_name="", sex=Sex.FEMALE, birth_date=date(2015, 1, 1),
                   missing_since=datetime(2020, 6, 1, 8, tzinfo=UTC), last_seen_place=None)
    made = intake.register_case(container.deps, family, case, [Upload(plain_photo(seed=len(given_name)), "a.jpg")],
                                [None]).case_id
    assert count_rows(container, f"cases WHERE id = {made} AND verified_at IS NULL") == 1
    return made


def _csv_status(exporter: TestClient, case_id: int) -> str:
    lines = exporter.get("/api/cases.csv").text.splitlines()
    header = lines[0].split(",")
    row = next(line.split(",") for line in lines[1:] if line.split(",")[0] == str(case_id))
    return row[header.index("status")]


def test_a_case_never_in_the_feed_moves_none_of_its_dates_and_one_that_was_does(container: Container) -> None:
    clock = SettableClock(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2))
    deps = container.deps = replace(container.deps, clock=clock)
    public = TestClient(create_app(container))
    shown = a_case(container, "Shown")
    moderation.verify_case(deps, OPERATOR, shown, "police report checked")
    before = _feed(public)

    clock.current += timedelta(minutes=5)
    hidden = _pending(container, "Hidden")
    clock.current += timedelta(minutes=5)
    moderation.reject_case(deps, OPERATOR, hidden, "no police report")  # never verified: never in the feed
    clock.current += timedelta(minutes=5)
    closed = _pending(container, "Closed")
    reunion.close_case(deps, OPERATOR, closed, reunited=False, keep_data=False)  # closed by its family, unseen
    assert _feed(public) == before
    assert public.get("/feeds/cases.atom", headers={"If-None-Match": before[0]}).status_code == 304

    # a case that was in the feed leaving it moves the feed's date: that is public
    clock.current += timedelta(minutes=5)
    reunion.close_case(deps, OPERATOR, shown, reunited=False, keep_data=True)
    left = _feed(public)
    assert left[0] != before[0] and "Shown" not in left[2]
    assert datetime.strptime(left[1], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC) == clock.current

    # reopened (back to waiting, unseen) and rejected while it waited: nothing public moves, the exports'
    # placeholder keeps the date and status partners hold
    token = issue_token(deps, OPERATOR, "mirror", [Scope.EXPORT])
    exporter = TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"})
    held = _placeholder(exporter, shown)
    assert held["source_date"] == pfif_time(clock.current) and "full_name" not in held
    assert _csv_status(exporter, shown) == "closed"
    clock.current += timedelta(minutes=5)
    moderation.reopen_case(deps, OPERATOR, shown, "closed by mistake")
    assert _feed(public) == left and _placeholder(exporter, shown) == held
    assert _csv_status(exporter, shown) == "withdrawn"  # waiting for verification again, as partners read it
    clock.current += timedelta(minutes=5)
    moderation.reject_case(deps, OPERATOR, shown, "the family withdrew it")
    assert _feed(public) == left and _placeholder(exporter, shown) == held
    assert _csv_status(exporter, shown) == "withdrawn"  # never when, nor what, was decided since

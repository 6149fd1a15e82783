"""Probe s44 P4: a family in Los Angeles registered a child last seen in Wuhan; its browser's offset (-07:00) went to
partners with the time the child went missing (the read:cases API, the CSV export, webhooks) while the poster and
PFIF dated it in Wuhan's zone: where the family lives, told to every partner. Partners now read the same instant at
the offset of the zone the public reads its day in; the family and reviewers read it as it was given."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.model import NewCase, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation, reach
from reunite.services.accounts import from_session, issue_token
from tests.conftest import admin_token, session_for
from tests.photos import another_shot, portrait


def test_partners_read_when_a_child_went_missing_at_the_offset_of_its_place_never_the_familys(
    container: Container,
) -> None:
    deps = container.deps
    _, token = session_for(container, Role.REPORTER)
    family = from_session(deps, token)
    assert family is not None
    case = NewCase(given_name="Mei", family_name="Lin", sex=Sex.FEMALE, birth_date=date(2016, 1, 1),
                   missing_since=datetime.fromisoformat("2026-10-03T21:30-07:00"), last_seen_place=None,
                   last_seen_text="武汉市武昌区")
    case_id = intake.register_case(deps, family, case, [Upload(another_shot(portrait()), "c.jpg")], [None]).case_id
    moderation.verify_case(deps, OPERATOR, case_id, "police report seen")
    wuhan = "2026-10-04T12:30:00+08:00"

    partner = TestClient(create_app(container), headers={
        "Authorization": f"Bearer {issue_token(deps, OPERATOR, 'news site', [Scope.READ_CASES, Scope.EXPORT])}"})
    assert partner.get(f"/api/cases/{case_id}").json()["missing_since"] == wuhan
    exported = list(csv.DictReader(io.StringIO(partner.get("/api/cases.csv").text.lstrip("\ufeff"))))
    assert [row["missing_since"] for row in exported if row["id"] == str(case_id)] == [wuhan]
    poster = reach.public_case(deps, case_id, "en")
    webhook = reach.alert_payload(deps, {"public_id": "a1", "subscription_id": 1}, poster, 3)
    assert webhook["case"]["missing_since"] == wuhan

    own = TestClient(create_app(container))
    own.cookies.set("reunite_session", token)
    assert own.get(f"/api/cases/{case_id}").json()["missing_since"] == "2026-10-03T21:30:00-07:00"  # as given
    staff = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    assert staff.get(f"/api/cases/{case_id}").json()["missing_since"] == "2026-10-03T21:30:00-07:00"

"""The outside probe of rights (findings/probe-rights.md) in the access tests' world: two families' cases,
a confirmed and a proposed candidate. Tests that end a case come last (the world is built once)."""

from __future__ import annotations

from reunite.domain.access import OPERATOR
from reunite.services import retention, reunion
from tests.conftest import count_rows
from tests.e2e import world as w


def test_a_verification_cannot_cite_another_cases_candidate(world: w.World) -> None:
    police = world.client("token_admin")
    before = count_rows(world.container, "verifications")
    for candidate in (world.proposed, 10**9):  # case B's candidate; one that does not exist
        refused = police.post(f"/api/cases/{world.case_a}/verifications?lang=zh-CN",
                              json={"method": "dna", "result": "match", "candidate_id": candidate})
        assert refused.status_code == 422, refused.text
        assert f"不是案件 {world.case_a} 的候选" in refused.text
    assert count_rows(world.container, "verifications") == before
    own = police.post(f"/api/cases/{world.case_a}/verifications",
                      json={"method": "dna", "result": "pending", "candidate_id": world.confirmed})
    assert own.status_code == 201, own.text


def test_an_ended_case_keeps_its_confirmed_leads_and_says_browsing_has_ended(world: w.World) -> None:
    deps = world.container.deps
    family = world.client("family")
    assert "Confirmed by a reviewer" in family.get(f"/cases/{world.case_a}").text
    reunion.record_verification(deps, OPERATOR, world.case_a, world.confirmed, "dna", "match", "")
    reunion.close_case(deps, OPERATOR, world.case_a, reunited=True, keep_data=True)
    page = family.get(f"/cases/{world.case_a}").text
    assert "Confirmed by a reviewer" in page  # the lead stays listed, as docs/pages.md promises
    assert "compared with this case as they arrive" not in page and "This may be my child" not in page
    assert f"/api/faces/{world.child_face}/crop" not in page  # no photo that would not load
    leads = family.get(f"/api/cases/{world.case_a}/candidates").json()
    assert [c["id"] for c in leads] == [world.confirmed]
    refused = family.get("/sightings?lang=en")
    assert refused.status_code == 403 and "your case has ended" in refused.text
    assert "once a moderator has verified" not in refused.text
    assert family.get(f"/api/faces/{world.child_face}/crop").status_code == 404  # the photos end with the case

    with world.container.engine.begin() as conn:  # closed long ago: due for expiry
        conn.exec_driver_sql("UPDATE cases SET closed_at = now() - interval '400 days' WHERE id = %s",
                             (world.case_a,))
        closed_at = conn.exec_driver_sql("SELECT closed_at FROM cases WHERE id = %s", (world.case_a,)).scalar_one()
    retention.expire(deps)
    with world.container.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT status, closed_at FROM cases WHERE id = %s", (world.case_a,)).one()
    assert row == ("expired", closed_at)  # the day it closed, not the day it expired

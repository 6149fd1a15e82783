"""The outside probe of rights (findings/probe-rights.md) in the access tests' world: two families' cases,
a confirmed and a proposed candidate. Tests that end a case come last (the world is built once)."""

from __future__ import annotations

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

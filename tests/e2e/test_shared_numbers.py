"""Words approved for sharing with partners and the public: a phone number said aloud ("one three eight double oh
…", 幺三八拐拐…) is refused as a contact, a child's identity card number is refused named as one (in the reader's
language), and a reward's sum or a bracelet's date-like number is approved."""

from __future__ import annotations

import pytest

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.services.accounts import issue_token
from tests.e2e.test_case_description import SHARED, registered
from tests.e2e.test_probe_places import client


@pytest.mark.parametrize("words", [
    "call one three eight double oh one three eight triple oh", "请打幺三八拐拐幺三八勾勾勾",
])
def test_a_phone_number_said_aloud_is_refused_as_a_contact(container: Container, words: str) -> None:
    _, case_id = registered(container)
    desk = client(container, bearer=issue_token(container.deps, OPERATOR, "moderation desk", [Scope.ADMIN]))
    refused = desk.put(f"/api/cases/{case_id}/shared-description", json={"shared_description": f"{SHARED}; {words}"})
    assert refused.status_code == 422 and refused.json()["detail"].startswith("these words give a contact")
    assert container.deps.read.case(case_id)["shared_description"] == ""


def test_an_identity_card_number_is_refused_named_as_one(container: Container) -> None:
    _, case_id = registered(container)
    desk = client(container, bearer=issue_token(container.deps, OPERATOR, "moderation desk", [Scope.ADMIN]))
    shared = f"/api/cases/{case_id}/shared-description"
    refused = desk.put(shared, json={"shared_description": f"{SHARED}; 身份证号 11010519491231002X"})
    assert refused.status_code == 422 and refused.json()["field"] == "shared_description"
    assert refused.json()["detail"] == (
        "these words give an identity card's number (“11010519491231002X”): partners and the public never read one, "
        "the child's or anyone's")
    chinese = desk.put(shared, json={"shared_description": f"{SHARED}; ID 11010519491231002X"},
                       headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and "身份证号码（“11010519491231002X”）" in chinese.json()["detail"]
    assert container.deps.read.case(case_id)["shared_description"] == ""


def test_a_reward_sum_and_a_bracelets_number_are_approved(container: Container) -> None:
    _, case_id = registered(container)
    desk = client(container, bearer=issue_token(container.deps, OPERATOR, "moderation desk", [Scope.ADMIN]))
    ordinary = f"{SHARED}; reward 100,000 yuan; her ID bracelet reads 2014 0314"
    assert desk.put(f"/api/cases/{case_id}/shared-description",
                    json={"shared_description": ordinary}).status_code == 204
    assert container.deps.read.case(case_id)["shared_description"] == ordinary

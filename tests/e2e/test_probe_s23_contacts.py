"""The outside probe s23's W3: a moderator's description approved for sharing with partners and the public gave a
phone number split by "/" and a 加微 (add on WeChat) handle, and both were approved. Both are refused now, naming
them; the family's own number without its country code too; a description with a date, a time and a height passes."""

from __future__ import annotations

import pytest

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.services.accounts import issue_token
from tests.e2e.test_case_description import SHARED, registered
from tests.e2e.test_probe_places import client


@pytest.mark.parametrize(("words", "named"), [
    ("联系电话 138/0013/8000", "138/0013/8000"), ("有线索请加微 lihua88，谢谢", "加微 lihua88"),
    ("家长电话 139//1234//5678", "139//1234//5678"),  # the family's own (+86 139 1234 5678), in any separators
])
def test_a_shared_description_giving_a_split_phone_number_or_a_wechat_handle_is_refused(
    container: Container, words: str, named: str
) -> None:
    _, case_id = registered(container)
    desk = client(container, bearer=issue_token(container.deps, OPERATOR, "moderation desk", [Scope.ADMIN]))
    shared = f"/api/cases/{case_id}/shared-description"
    refused = desk.put(shared, json={"shared_description": f"{SHARED}; {words}"})
    assert refused.status_code == 422 and refused.json()["field"] == "shared_description"
    assert refused.json()["detail"].startswith(f"these words give a contact (“{named}”)")
    assert container.deps.read.case(case_id)["shared_description"] == ""
    ordinary = f"{SHARED}; born 2019-04-01, last seen 2024/05/01 at 10:30, about 1.25 m, size 120/60"
    assert desk.put(shared, json={"shared_description": ordinary}).status_code == 204
    assert container.deps.read.case(case_id)["shared_description"] == ordinary

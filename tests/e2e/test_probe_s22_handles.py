"""The outside probe s22's V8: a messenger's handle (微信号, QQ, LINE, Telegram) reaches the family as a phone number
does: words approved for sharing with partners and the public that give one are refused, naming it."""

from __future__ import annotations

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.services.accounts import issue_token
from tests.e2e.test_case_description import SHARED, registered
from tests.e2e.test_probe_places import client


def test_a_shared_description_giving_a_wechat_handle_is_refused_as_a_contact(container: Container) -> None:
    _, case_id = registered(container)
    desk = client(container, bearer=issue_token(container.deps, OPERATOR, "moderation desk", [Scope.ADMIN]))
    shared = f"/api/cases/{case_id}/shared-description"
    refused = desk.put(shared, json={"shared_description": f"{SHARED}; 有线索请加微信号：li-hua88"})
    assert refused.status_code == 422 and refused.json()["field"] == "shared_description"
    assert refused.json()["detail"] == (
        "these words give a contact (“微信号：li-hua88”): partners and the public never read a phone number, an email "
        "or a messenger ID (WeChat, QQ…), the family's or anyone's")
    chinese = desk.put(shared, json={"shared_description": f"{SHARED}, WeChat ID lihua88"},
                       headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and "WeChat ID lihua88" in chinese.json()["detail"]
    assert "聊天软件账号" in chinese.json()["detail"]
    assert container.deps.read.case(case_id)["shared_description"] == ""
    # a messenger named without a handle is no contact: the text is approved
    ordinary = f"{SHARED}; a QQ penguin on her school bag"
    assert desk.put(shared, json={"shared_description": ordinary}).status_code == 204
    assert container.deps.read.case(case_id)["shared_description"] == ordinary

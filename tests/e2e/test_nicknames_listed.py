"""Nicknames typed as a Chinese list (probe s40 A4): "豪豪、小豪" with the enumeration comma, "婷婷，小婷" with the
full-width comma (what "逗號" types in Chinese), semicolons and slashes are several nicknames, wherever they come in,
and the case page shows them to the family and staff, so a list read as one name can be seen and put right."""

from __future__ import annotations

import html

from reunite.bootstrap import Container
from reunite.domain.access import Role
from tests.e2e.test_journeys import as_role, register


def test_nicknames_typed_the_chinese_way_are_several_and_shown_on_the_case_page(container: Container) -> None:
    family = as_role(container, Role.FAMILY)
    sent = register(family, sex="male", nicknames="豪豪、小豪，浩浩；Haohao; 王仔/阿浩")
    assert sent.status_code == 303, sent.text
    case_id = int(sent.headers["location"].split("/")[2].split("?")[0])
    expected = ["豪豪", "小豪", "浩浩", "Haohao", "王仔", "阿浩"]
    assert family.get(f"/api/cases/{case_id}").json()["nicknames"] == expected
    page = html.unescape(family.get(f"/cases/{case_id}", headers={"Accept-Language": "zh-TW"}).text)
    assert "小名" in page and all(f"<li>{name}</li>" in page for name in expected)


"""What is shown of a case and of its leads follows where the case stands now (probe s20 T4, T5): a case's
verification is kept after it is rejected or closed, yet "My account" reads it as the case page does, and a
sighting's leads are ranked among the cases verified and open now, each saying its decision."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import NewCase, Sex, Upload
from reunite.services import intake, moderation, reunion
from reunite.services.accounts import from_session
from tests.conftest import plain_photo, session_for
from tests.e2e.test_probe_places import client


def test_my_account_says_where_each_case_stands_now(container: Container) -> None:
    _, cookie = session_for(container, Role.REPORTER)
    who = from_session(container.deps, cookie)
    assert who is not None
    ids = {}
    for seed, name in enumerate(("Waiting", "Active", "Rejected", "Closed")):
        case = NewCase(given_name=name, family_name="Zhang", sex=Sex.FEMALE, birth_date=date(2018, 1, 1),
                       missing_since=datetime(2024, 6, 1, tzinfo=UTC), last_seen_place=None)
        ids[name] = intake.register_case(container.deps, who, case, [Upload(plain_photo(seed=seed), "c.jpg")],
                                         [None]).case_id
    for name in ("Active", "Rejected", "Closed"):
        moderation.verify_case(container.deps, OPERATOR, ids[name], "police report checked")
    moderation.reject_case(container.deps, OPERATOR, ids["Rejected"], "police report number does not exist")
    reunion.close_case(container.deps, OPERATOR, ids["Closed"], reunited=False, keep_data=True)

    family = client(container, cookie)
    for language, words in (
        ("en", {"Waiting": "waiting for verification", "Active": "verified and open", "Rejected": "rejected",
                "Closed": "closed"}),
        ("zh-CN", {"Waiting": "等待核实", "Active": "已核实且进行中", "Rejected": "已驳回", "Closed": "已结案"}),
        ("zh-TW", {"Waiting": "等待核實", "Active": "已核實且進行中", "Rejected": "已駁回", "Closed": "已結案"}),
    ):
        page = family.get("/account", headers={"Accept-Language": language})
        assert page.status_code == 200
        shown = {case: " ".join(re.sub(r"<[^>]+>", "", said).split()) for case, said in
                 re.findall(r'href="/cases/(\d+)">[^<]*</a> ·(.*?)</li>', page.text, re.S)}
        assert shown == {str(ids[name]): said for name, said in words.items()}, language

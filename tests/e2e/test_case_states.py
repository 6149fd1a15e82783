"""What is shown of a case and of its leads follows where the case stands now (probe s20 T4, T5): a case's
verification is kept after it is rejected or closed, yet "My account" reads it as the case page does, and a
sighting's leads are ranked among the cases verified and open now, each saying its decision."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import CandidateStatus, GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.services import grouping, intake, moderation, reunion, review
from reunite.services.accounts import from_session
from tests.conftest import newest_sighting, plain_photo, run_jobs, session_for
from tests.e2e.test_probe_places import client
from tests.photos import portrait

MARKET, FAR = GeoPoint(31.235, 121.45), GeoPoint(39.9, 116.4)  # Shanghai, and Beijing 1,000 km away
RANKED = (r"(\d+\w\w) of the cases proposed for this sighting, by face, age, time, place and sex "
          r"\(open cases searched: (\d+)\)")


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
    # the closed case's own page tells the family the way back from a close made by mistake (probe s43 E10)
    closed = family.get(f"/cases/{ids['Closed']}?lang=en").text
    assert "If it was closed by mistake, ask the police who handle it to have a moderator reopen it" in closed


def one_child_two_cases(container: Container) -> tuple[int, int, int]:
    """Two verified cases of one child's photos, one last seen where the child was then seen (it ranks first),
    one far away; the sighting, matched. Returns (near, far, sighting)."""
    ids = []
    for place, name in ((MARKET, "Lin"), (FAR, "Lina")):  # one registration each (the same one twice is one)
        case = NewCase(given_name=name, family_name="Zhang", sex=Sex.FEMALE, birth_date=date(2000, 1, 1),
                       missing_since=datetime(2002, 6, 1, 8, tzinfo=UTC), last_seen_place=place)
        ids.append(intake.register_case(container.deps, OPERATOR, case, [Upload(portrait("collins", 0), "c.jpg")],
                                        [date(2002, 1, 1)]).case_id)  # verified at once
    report = NewSighting(seen_at=datetime(2005, 3, 1, 10, tzinfo=UTC), place=MARKET, place_text="market")
    intake.report_sighting(container.deps, OPERATOR, report, [Upload(portrait("collins", 1), "s.jpg")])
    run_jobs(container)
    return ids[0], ids[1], newest_sighting(container)


def by_case(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {row["case_id"]: row for row in rows}


def test_a_lead_is_ranked_among_the_cases_verified_and_open_now(container: Container) -> None:
    near, far, sighting = one_child_two_cases(container)
    _, cookie = session_for(container, Role.MODERATOR)
    moderator = client(container, cookie)
    api = f"/api/sightings/{sighting}/candidates"
    before = by_case(moderator.get(api).json())
    assert (before[near]["rank"], before[far]["rank"], before[far]["rank_of"]) == (1, 2, 2)
    assert {row["case_state"] for row in before.values()} == {"verified and open"}

    # the far case's lead is the child's: confirmed; the near one a case found false, rejected
    review.review_candidate(container.deps, OPERATOR, before[far]["id"], CandidateStatus.CONFIRMED, "")
    moderation.reject_case(container.deps, OPERATOR, near, "police report number does not exist")

    after = moderator.get(api).json()
    assert [row["case_id"] for row in after] == [far, near]  # the open cases' leads first
    kept, rejected = after
    assert (kept["rank"], kept["rank_of"], kept["lead"]["rank"]) == (1, 1, 1)
    assert (kept["status"], kept["case_state"]) == ("confirmed", "verified and open")
    assert "1st of the cases proposed for this sighting" in " ".join(kept["lead_words"])
    assert (rejected["rank"], rejected["rank_of"], rejected["case_state"]) == (None, None, "rejected")
    assert not any("of the cases proposed" in words for words in rejected["lead_words"])

    page = moderator.get(f"/sightings/{sighting}?lang=en").text
    listed = re.search(r'<h2 id="matches">.*?</ol>', page, re.S)
    history = re.search(r'<h2 id="other-cases">.*?</ul>', page, re.S)
    assert listed and history
    assert re.findall(r'href="/cases/(\d+)#', listed.group(0)) == [str(far)]
    assert re.findall(RANKED, listed.group(0)) == [("1st", "1")]
    assert '<span class="decision">confirmed</span>' in listed.group(0)
    assert re.findall(r'href="/cases/(\d+)#', history.group(0)) == [str(near)]
    assert '<strong class="case-state">rejected</strong>' in history.group(0)
    assert re.findall(RANKED, history.group(0)) == []  # history: not ranked among the open cases
    chinese = moderator.get(f"/sightings/{sighting}?lang=zh-CN").text
    assert "目前并非已核实且进行中的案件" in chinese and "已驳回" in chinese

    # the workbench and the case page read the same ranks
    assert re.findall(RANKED, moderator.get(f"/workbench/{kept['id']}?lang=en").text) == [("1st", "1")]
    assert re.findall(RANKED, moderator.get(f"/cases/{far}?lang=en").text) == [("1st", "1")]
    assert re.findall(RANKED, moderator.get(f"/cases/{near}?lang=en").text) == []

    # reopened, it waits for verification: still not ranked; verified again, it ranks first again
    moderation.reopen_case(container.deps, OPERATOR, near, "the police report was found after all")
    waiting = by_case(moderator.get(api).json())
    assert (waiting[near]["rank"], waiting[near]["case_state"]) == (None, "waiting for verification")
    assert (waiting[far]["rank"], waiting[far]["rank_of"]) == (1, 1)
    flags = moderator.get("/api/moderation/duplicates").json()  # one child registered twice: linked first
    assert [{f["case_id"], f["other_case_id"]} for f in flags] == [{near, far}]
    grouping.decide_duplicate(container.deps, OPERATOR, flags[0]["id"], "link")
    moderation.verify_case(container.deps, OPERATOR, near, "police report checked")
    again = by_case(moderator.get(api).json())
    assert (again[near]["rank"], again[far]["rank"], again[far]["rank_of"]) == (1, 2, 2)

    # closed for another reason: its confirmed lead is history, the other case ranks alone
    reunion.close_case(container.deps, OPERATOR, far, reunited=False, keep_data=True)
    closed = by_case(moderator.get(api).json())
    assert (closed[far]["rank"], closed[far]["status"], closed[far]["case_state"]) == (None, "confirmed", "closed")
    assert (closed[near]["rank"], closed[near]["rank_of"]) == (1, 1)

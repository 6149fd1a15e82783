"""One child seen several times is one trail; one child registered twice is flagged for moderators;
every candidate carries its rank and its lead in the reader's language, never a percentage."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.entrypoints.api.app import create_app
from reunite.services.accounts import issue_token
from tests.conftest import count_rows, run_jobs
from tests.e2e.test_api import register, report
from tests.photos import another_shot, portrait, upload


def test_sightings_of_one_child_by_different_people_become_one_trail(
    client: TestClient, container: Container
) -> None:
    case = register(client, ("c.jpg", another_shot(portrait()), "image/jpeg"), given_name="Lin")  # the family's own
    first = report(client, [upload("collins", 1)], seen_at="2005-03-01T10:00:00Z", lat=30.59, lon=114.31,
                   place_text="Hankou station").json()["id"]
    # another photo of the child (the same photo sent again would be one sighting: test_same_photo_again.py)
    second = report(client, [upload("collins", 2)], seen_at="2005-03-01T15:00:00Z", lat=30.60, lon=114.30,
                    place_text="Jianghan road").json()["id"]
    elsewhere = report(client, [upload("collins", 1)], seen_at="2005-03-01T16:00:00Z", lat=43.83, lon=87.62,
                       place_text="Urumqi").json()["id"]  # 2,700 km in an hour: not the same child's journey
    run_jobs(container)

    shown = client.get(f"/api/sightings/{second}").json()
    assert shown["group_id"] is not None
    assert [t["id"] for t in shown["trail"]] == [first, second]
    assert [t["place_text"] for t in shown["trail"]] == ["Hankou station", "Jianghan road"]
    assert client.get(f"/api/sightings/{elsewhere}").json()["group_id"] != shown["group_id"]

    candidates = client.get(f"/api/cases/{case}/candidates", headers={"Accept-Language": "zh-CN"}).json()
    grouped = [c for c in candidates if c["sighting_id"] == second]
    assert grouped and grouped[0]["group_size"] == 2
    words = " ".join(grouped[0]["lead_words"])
    assert "在为这次目击提出的案件中排第 1" in words and "%" not in words
    assert grouped[0]["rank"] == 1 and grouped[0]["rank_of"] == 1

    case_page = client.get(f"/cases/{case}?lang=en").text
    assert ("1st of the cases proposed for this sighting, by face, age, time, place and sex "
            "(open cases searched: 1)") in case_page
    assert "one child seen 2 times" in case_page
    assert not re.search(r"\d\s*%", case_page) and not re.search(r"similarity \d", case_page)
    sighting_page = client.get(f"/sightings/{second}?lang=zh_CN").text
    assert "同一个孩子被看到 2 次" in sighting_page and "Jianghan road" in sighting_page


def test_one_child_registered_twice_is_flagged_then_linked_and_unlinked(
    client: TestClient, container: Container
) -> None:
    family = register(client, upload(), given_name="Lin")
    police = register(client, upload(), given_name="Lin Wang", birth_date="2000-03-01")
    other = register(client, upload("hopper", 0), given_name="Other", birth_date="1994-01-01")
    run_jobs(container)

    flags = client.get("/api/moderation/duplicates").json()
    assert [{f["case_id"], f["other_case_id"]} for f in flags] == [{family, police}]  # ids tell no order
    assert flags[0]["lead"]["strength"] == "strong" and "by the face alone" in " ".join(flags[0]["lead_words"])
    assert other not in (flags[0]["case_id"], flags[0]["other_case_id"])

    page = client.get("/moderation")
    assert page.status_code == 200 and f"/moderation/duplicates/{flags[0]['id']}" in page.text

    assert client.post(f"/api/moderation/duplicates/{flags[0]['id']}", json={"decision": "link"}).status_code == 204
    with container.engine.connect() as conn:
        rows = conn.exec_driver_sql(f"SELECT id, linked_case_id FROM cases WHERE id IN ({family}, {police})").all()
    links = {int(a): b for a, b in rows}
    assert links == {family: police, police: family}
    assert client.get("/api/moderation/duplicates").json() == []

    # decided: another decision is refused until the flag is reopened (two moderators never silently last-win)
    flag = f"/api/moderation/duplicates/{flags[0]['id']}"
    again = client.post(flag, json={"decision": "dismiss", "reason": "DNA differs"})
    assert again.status_code == 409 and "already linked as one child: reopen it first" in again.json()["detail"]
    # the same decision again (a retried request) answers as the first did, and writes nothing more
    assert client.post(flag, json={"decision": "link"}).status_code == 204
    assert count_rows(container, "audit_log WHERE action = 'case.duplicate_linked'") == 2
    chinese = client.post(flag, json={"decision": "dismiss", "reason": "DNA 不同"},
                          headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 409 and "已被认定为同一个孩子：如需重新决定，请先重新打开" in chinese.json()["detail"]
    assert client.post(flag, json={"decision": "reopen"}).status_code == 204
    assert client.post(flag, json={"decision": "reopen"}).status_code == 409  # open: nothing to reopen
    # a reason is words, not a mark: "-" does not dismiss
    for mark in ("-", "...", "?!", "a."):
        refused = client.post(flag, json={"decision": "dismiss", "reason": mark})
        assert refused.status_code == 422 and refused.json()["field"] == "reason", mark
    assert client.post(flag, json={"decision": "dismiss", "reason": "不同"}).status_code == 204
    dismissed = client.post(flag, json={"decision": "link"})
    assert dismissed.status_code == 409 and "already dismissed as different children" in dismissed.json()["detail"]
    assert client.post(flag, json={"decision": "reopen"}).status_code == 204
    with container.engine.connect() as conn:
        unlinked = conn.exec_driver_sql(f"SELECT linked_case_id FROM cases WHERE id IN ({family}, {police})").all()
    assert unlinked == [(None,), (None,)]
    bad = client.post(f"/api/moderation/duplicates/{flags[0]['id']}", json={"decision": "merge"})
    assert bad.status_code == 422


def test_a_child_registered_again_is_flagged_while_the_second_case_waits_for_verification(
    client: TestClient, container: Container
) -> None:
    """Probe s10, finding 11: the moderator verifying the second case is the one who must know it may be a
    child registered already; flagged only after verification, both posters were live by then."""
    first = register(client, upload(), given_name="Lin")
    token = issue_token(container.deps, OPERATOR, "NGO", [Scope.WRITE])  # may register, not verify
    partner = TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"})
    second = register(partner, upload(), given_name="Lin Wang", birth_date="2000-03-01")
    run_jobs(container)
    assert client.get(f"/p/{second}").status_code == 404  # not verified: no poster yet
    flags = client.get("/api/moderation/duplicates").json()
    assert [{f["case_id"], f["other_case_id"]} for f in flags] == [{first, second}]
    assert f"/moderation/duplicates/{flags[0]['id']}" in client.get("/moderation").text

    # the second registration rejected as a hoax: nothing to link, the flag leaves the moderators' list
    assert client.post(f"/api/cases/{second}/reject", json={"reason": "a hoax"}).status_code == 204
    assert client.get("/api/moderation/duplicates").json() == []
    assert f"/moderation/duplicates/{flags[0]['id']}" not in client.get("/moderation").text
    assert client.post(f"/api/cases/{second}/reopen", json={"reason": "it was real"}).status_code == 204
    assert [f["id"] for f in client.get("/api/moderation/duplicates").json()] == [flags[0]["id"]]  # back


def test_several_registrations_of_one_child_are_listed_together_as_one_child(
    client: TestClient, container: Container
) -> None:
    """Probe s12, F19: eleven registrations of one face gave 55 unrelated pairs. The flags of one child
    carry every registration they join and come together, under one heading on the moderators' page."""
    lins = [register(client, upload(), given_name=f"Lin {n}", birth_date="2000-03-01") for n in range(3)]
    others = [register(client, upload("hopper", n), given_name=f"Ada {n}", birth_date="1994-01-01")
              for n in range(2)]
    run_jobs(container)
    flags = client.get("/api/moderation/duplicates").json()
    children = [tuple(f["child_cases"]) for f in flags]
    lins, others = sorted(lins), sorted(others)  # listed by id, which tells nothing of the order registered
    assert set(children) == {tuple(lins), tuple(others)} and children.count(tuple(lins)) == 3
    assert children == sorted(children, key=children.index)  # one child's flags one after another
    page = client.get("/moderation?lang=en").text
    assert page.count("registrations may be one child") == 1  # the three of Lin; a pair needs no heading
    assert f"These 3 registrations may be one child: cases {', '.join(map(str, lins))}" in page

"""The outside probe s23's W10: answering a removal request refused an anonymous caller with "sign in to register
cases", an action it is not; and a removal request about a record that does not exist was stored, filling the
moderators' queue. Now such a request stores nothing, and is answered exactly as one about a real record, so that
the answer never tells whether a case or a sighting exists (ids are opaque; an unverified case is nobody's to
find); moderators, who read every record, are told."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import Role, Scope
from reunite.entrypoints.api.app import create_app
from tests.conftest import a_case, a_sighting, count_rows
from tests.e2e.test_probe_pfif import token_client
from tests.e2e.test_retries import form_fields, page_client

ANSWER = {"answer": "object"}


def test_answering_a_removal_request_is_refused_in_its_own_words(container: Container) -> None:
    for language, words in (("en", "sign in to answer removal requests about the cases you registered"),
                            ("zh-CN", "请登录后回复关于您所登记案件的删除请求")):
        anonymous = TestClient(create_app(container), headers={"Accept-Language": language})
        refused = anonymous.post("/api/takedowns/1/answer", json=ANSWER)
        assert refused.status_code == 401 and refused.json()["detail"] == words
        registering = anonymous.post("/api/cases", data={"given_name": "Lin"})  # that action keeps its own words
        assert registering.status_code == 401
        assert registering.json()["detail"] in ("sign in to register cases", "请登录后登记案件")
    reader = token_client(container, Scope.READ_CASES).post("/api/takedowns/1/answer", json=ANSWER)
    assert reader.status_code == 403
    assert reader.json()["detail"] == "this API token may not answer removal requests about the cases you registered"


def new_hour(container: Container) -> None:
    """An hour passes: the address may ask again (at most a few removal requests an hour from one)."""
    with container.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM rate_counters")


def asked(client: TestClient, subject: str, subject_id: int, key: str = "", **words: str) -> Any:
    body = {"subject": subject, "subject_id": subject_id, "requester": "me@example.org", "reason": "that is me"}
    answer = client.post("/api/takedowns", json=body | words, headers={"Idempotency-Key": key} if key else {})
    return answer.status_code, answer.json()


def test_a_removal_request_about_nothing_stores_nothing_and_is_answered_as_any_other(container: Container) -> None:
    records = {"sighting": a_sighting(container), "case": a_case(container)}
    nothing = next(n for n in range(10_000_000, 10_000_100) if n not in records.values())
    for subject, real in records.items():
        stored = count_rows(container, "takedowns")
        answers = {}
        for record in (real, nothing):
            new_hour(container)  # each as a new address would
            phone = TestClient(create_app(container))  # each its own client, as a prober would
            first, again = asked(phone, subject, record), asked(phone, subject, record)
            other = asked(phone, subject, record, requester="aunt@example.org")
            keyed = [asked(phone, subject, record, key=f"k-{subject}-{record}-7f3a9c2e41b8d605") for _ in range(2)]
            limited = asked(TestClient(create_app(container)), subject, record)  # one address: a few an hour
            new_hour(container)
            elsewhere = asked(TestClient(create_app(container)), subject, record)  # someone else, the same words
            answers[record] = [first, again, other, *keyed, elsewhere]
            assert limited[0] == 429 and set(limited[1]) == {"detail", "field", "problems"}, record
        for record, (first, again, other, keyed, keyed_again, elsewhere) in answers.items():
            assert {first[0], again[0], other[0], keyed[0], keyed_again[0], elsewhere[0]} == {202}, record
            assert all(set(a[1]) == {"receipt", "status", "status_text"} and a[1]["status"] == "pending"
                       and len(a[1]["receipt"]) == len(answers[real][0][1]["receipt"])
                       for a in (first, again, other, keyed, keyed_again, elsewhere))
            assert again == first and keyed_again == keyed  # a retry: its request
            assert len({first[1]["receipt"], other[1]["receipt"], elsewhere[1]["receipt"]}) == 3
        # which answers are one request's, and which another's: alike about a record and about nothing
        assert [[a == b for b in answers[real]] for a in answers[real]] == \
            [[a == b for b in answers[nothing]] for a in answers[nothing]]
        assert count_rows(container, "takedowns") == stored + 3  # only the real record's
        assert count_rows(container, f"takedowns WHERE subject_id = {nothing}") == 0

    moderator = page_client(container, Role.MODERATOR)
    assert f"{nothing}" not in moderator.get("/moderation").text

    # the page's form alike: a request about nothing is thanked for as any, and stores nothing
    new_hour(container)
    browser = page_client(container)
    pages = []
    for record in (records["case"], nothing):
        form = form_fields(browser, "/takedown", "/takedown") | {"subject": "case", "subject_id": str(record),
                                                                  "requester": "dad@example.org", "reason": "found"}
        pages.append(browser.post("/takedown", data=form))
    assert [p.status_code for p in pages] == [200, 200]
    assert [re.sub(r'value="[^"]*"', "", p.text) for p in pages] == [re.sub(r'value="[^"]*"', "", pages[0].text)] * 2
    assert count_rows(container, f"takedowns WHERE subject_id = {nothing}") == 0

    # a moderator reads every record: told
    new_hour(container)
    told = page_client(container, Role.MODERATOR)
    fields = form_fields(told, "/takedown", "/takedown")
    page = told.post("/takedown", data=fields | {"subject": "sighting", "subject_id": str(nothing),
                                                 "requester": "me", "reason": "mine"})
    assert page.status_code == 404 and f"sighting {nothing} does not exist" in page.text
    assert count_rows(container, f"takedowns WHERE subject_id = {nothing}") == 0

"""Probe s16, P4: two people behind one address (a carrier's NAT, a school's Wi-Fi) sending the same
picture with the same words were taken for one sender retrying: the second got the first's receipt and
private link (and could withdraw the first's report), and the second witness's report was never stored.
A retry is the very same request (its puzzle, its cookie, its key); an address is shared by many."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.abuse import solve
from reunite.entrypoints.api.app import create_app
from tests.conftest import a_sighting, count_rows, plain_photo
from tests.e2e.test_retries import Inbox

ADDRESS = ("198.51.100.7", 40000)  # one public address: a carrier's NAT
TYPED = {"seen_at": "2026-03-01T18:00:00+08:00", "place_text": "Wuhan"}


def phone(container: Container) -> TestClient:
    """A phone of its own (its own cookies) behind the shared address."""
    return TestClient(create_app(container), client=ADDRESS)


def puzzle(sender: TestClient) -> dict[str, str]:
    challenge = sender.get("/api/pow").json()["challenge"]
    return {"pow_challenge": challenge, "pow_nonce": solve(challenge)}


def viral() -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("photos", ("wechat.jpg", plain_photo(seed=25), "image/jpeg"))]  # the same bytes for everyone


def report(sender: TestClient, data: dict[str, str], **headers: str) -> dict[str, Any]:
    sent = sender.post("/api/sightings", files=viral(), data=data, headers=headers)
    assert sent.status_code == 202, sent.text
    answer: dict[str, Any] = sent.json()
    return answer


def private_page(sender: TestClient, receipt: str, token: str) -> int:
    return sender.get(f"/reports/{receipt}/{token}").status_code


def test_two_people_behind_one_address_sending_one_picture_each_get_their_own_report(container: Container) -> None:
    first, second = phone(container), phone(container)
    proof_a, proof_b = puzzle(first), puzzle(second)
    a = report(first, TYPED | proof_a)
    b = report(second, TYPED | proof_b)
    assert a["receipt"] != b["receipt"] and a["report_token"] != b["report_token"] and a["id"] != b["id"]
    assert count_rows(container, "sightings") == 2  # the second witness is stored

    # each link opens its own report only; neither receipt opens with the other's secret
    assert private_page(first, a["receipt"], a["report_token"]) == 200
    assert private_page(second, b["receipt"], b["report_token"]) == 200
    assert private_page(second, a["receipt"], b["report_token"]) == 404
    assert private_page(first, b["receipt"], a["report_token"]) == 404

    # a retry is the very same request (its puzzle too): the first receipt, nothing stored
    for sender, proof, answer in ((first, proof_a, a), (second, proof_b, b)):
        again = report(sender, TYPED | proof)
        assert again == answer | {"already_received": True}  # said truly: nothing new was stored
    assert count_rows(container, "sightings") == 2

    # the second withdrawing their report leaves the first's as it was
    link = f"/reports/{b['receipt']}/{b['report_token']}"
    csrf = re.search(r'name="csrf" value="([^"]+)"', second.get(link).text)
    assert csrf and second.post(link + "/withdraw", data={"csrf": csrf.group(1), "sure": "1"}).status_code == 200
    with container.engine.connect() as conn:
        statuses = dict(conn.exec_driver_sql("SELECT id, status FROM sightings").all())
    assert statuses[a["id"]] == "pending" and statuses[b["id"]] != "pending"


def test_without_a_puzzle_a_report_is_known_again_by_its_cookie_never_by_its_address(container: Container) -> None:
    first, second = phone(container), phone(container)
    a = report(first, TYPED)
    again = report(first, TYPED)  # the same phone's retry, its cookie sent back: one report, its link not again
    assert again["id"] == a["id"] and again["already_received"] and again["report_token"] == again["receipt"] == ""
    b = report(second, TYPED)  # another phone, no puzzle, same address: its own report
    assert b["receipt"] != a["receipt"] and count_rows(container, "sightings") == 2
    second.cookies.clear()
    bare = report(second, TYPED)  # holding nothing (no puzzle, key nor cookie): stored, never another's
    assert bare["receipt"] not in (a["receipt"], b["receipt"]) and count_rows(container, "sightings") == 3


def test_the_same_key_from_two_phones_behind_one_address_never_shares_an_answer(container: Container) -> None:
    """A partner app sending one key for all its users (chosen at random once: a plain 1, 2, 3 is refused,
    ``test_retry_secrets``), two of them behind one NAT: an anonymous sender's key is bound to the puzzle
    it spent, which only that phone holds."""
    first, second = phone(container), phone(container)
    proof_a, proof_b = puzzle(first), puzzle(second)
    key = {"Idempotency-Key": "5f0c2e9a-7b41-4d3c-8e26-1a9b7c3d4e50"}
    a = report(first, TYPED | proof_a, **key)
    b = report(second, TYPED | proof_b, **key)
    assert a["receipt"] != b["receipt"] and a["report_token"] != b["report_token"]
    assert count_rows(container, "sightings") == 2
    assert report(first, TYPED | proof_a, **key) == a | {"already_received": True}  # its own retry: its receipt
    assert report(second, TYPED | proof_b, **key) == b | {"already_received": True}
    assert count_rows(container, "sightings") == 2


def form_of(browser: TestClient) -> dict[str, str]:
    """The report page's hidden fields (CSRF token, one-time key, puzzle), the puzzle solved as its script does."""
    fields = dict(re.findall(r'name="(csrf|idempotency_key|pow_challenge)" value="([^"]*)"',
                             browser.get("/report").text))
    return fields | {"pow_nonce": solve(fields["pow_challenge"])}


def private_link(page: str) -> str:
    found = re.search(r'id="private-link">[^<]*(/reports/[^<]+)<', page)
    assert found, page[:500]
    return found.group(1)


def test_two_browsers_behind_one_address_sending_the_report_form_alike_each_get_their_own_link(
    container: Container
) -> None:
    first, second = phone(container), phone(container)
    typed = {"seen_at": "2026-03-01T18:00", "tz": "Asia/Shanghai", "place_text": "Wuhan", "client_key": "k-1"}
    form_a, form_b = form_of(first) | typed, form_of(second) | typed  # the same phone key, chosen alike
    sent_a = first.post("/report", files=viral(), data=form_a)
    sent_b = second.post("/report", files=viral(), data=form_b)
    assert sent_a.status_code == sent_b.status_code == 200
    link_a, link_b = private_link(sent_a.text), private_link(sent_b.text)
    assert link_a != link_b and count_rows(container, "sightings") == 2
    receipt_a, token_a = link_a.split("/")[2:4]
    receipt_b, token_b = link_b.split("/")[2:4]
    assert private_page(second, receipt_a, token_b) == 404 and private_page(first, receipt_b, token_a) == 404

    again = first.post("/report", files=viral(), data=form_a)  # the queue resends it: same cookie, same form
    assert again.status_code == 200 and private_link(again.text) == link_a
    copied = second.post("/report", files=viral(), data=form_b | {"client_key": "", "idempotency_key":
                                                                  form_a["idempotency_key"], "doing": "again"}
                         | puzzle(second))  # words of its own: not B's first report sent again (test_form_sent_again)
    assert copied.status_code == 200 and private_link(copied.text) not in (link_a, link_b)  # A's key: B's own
    assert count_rows(container, "sightings") == 3


def test_two_people_behind_one_address_asking_the_same_removal_each_get_their_own_receipt(
    container: Container
) -> None:
    first, second = phone(container), phone(container)
    body = {"subject": "sighting", "subject_id": a_sighting(container), "requester": "me@example.org",
            "reason": "that is me"}
    a, b = (sender.post("/api/takedowns", json=body) for sender in (first, second))
    assert a.status_code == b.status_code == 202 and a.json() != b.json()
    assert count_rows(container, "takedowns") == 2
    assert first.post("/api/takedowns", json=body).json() == a.json()  # the same phone again: its request
    assert second.post("/api/takedowns", json=body).json() == b.json()
    assert count_rows(container, "takedowns") == 2


def test_an_anonymous_subscriber_is_never_told_whether_someone_else_asked_first(container: Container) -> None:
    """The subscription is the address's (its owner confirms it): a second asker gets the same answer
    as the first, with no id to tell whether someone had asked before (or how many subscribe)."""
    container.deps = replace(container.deps, mailer=Inbox())
    first, second = phone(container), phone(container)
    body = {"address": "mum@example.org", "region": "Wuhan"}
    a, b = (sender.post("/api/subscriptions", json=body) for sender in (first, second))
    assert a.status_code == b.status_code == 201 and a.json() == b.json() and "id" not in a.json()
    other = second.post("/api/subscriptions", json=body | {"address": "dad@example.org"})
    assert other.json() == a.json()


def test_a_spent_puzzle_sent_again_by_another_client_is_no_password_for_the_first_private_link(
    container: Container
) -> None:
    """Probe s19 S2: the puzzle travels in the request's body; a client without the first one's cookie
    sending the same puzzle, nonce, photos and words (a logging relay, a shared device) got the first
    reporter's receipt and private link, told ``already_received: false``. It is now known (nothing
    stored) and told it was received, without the link."""
    first = phone(container)
    proof = puzzle(first)
    a = report(first, TYPED | proof)
    assert a["receipt"] and a["report_token"] and a["already_received"] is False

    stranger = phone(container)  # no cookies at all
    replayed = report(stranger, TYPED | proof)
    assert replayed["id"] == a["id"] and replayed["already_received"] is True
    assert replayed["receipt"] == replayed["report_token"] == replayed["report_link"] == ""
    assert a["report_token"] not in str(replayed) and a["receipt"] not in str(replayed)
    assert "received already" in replayed["message"]
    assert count_rows(container, "sightings") == 1

    # the client that spent the puzzle, with its cookie, still gets its whole answer on a retry
    assert report(first, TYPED | proof) == a | {"already_received": True}

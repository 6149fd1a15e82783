"""Probe s30, D1: in China most phones share an address behind a carrier's NAT, and six cheap junk reports
(each puzzle solved in a moment) shut every other witness there out for an hour, told "too many requests: at
most 10 in 60 minutes". Now a solved puzzle buys a report whatever others at the address sent: the puzzle
grows harder with each report past the address's free ones (a flood costs its sender twice the work per
report, up to what a phone still solves in seconds); only reports without a solved puzzle (no JavaScript) keep
a small limit per address, and a ceiling far above what witnesses send stays. A refusal says that many reports
came from the reader's network, when to send again (words and Retry-After), and offers the police's number as
the police's. The tests run with small difficulties: the rules are the same."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.abuse import pow_bits, solve
from reunite.entrypoints.api.app import create_app
from tests.conftest import count_rows, plain_photo, said_at_top

ADDRESS = ("198.51.100.30", 40000)  # one public address: a carrier's NAT
FREE, BASE, MOST, CEILING = 2, 2, 6, 9


@pytest.fixture
def container(container: Container) -> Container:
    """Two reports an hour from an address at the base difficulty (2 bits), one bit more for each further one up
    to 6, at most 9 with a puzzle, 1 without."""
    limits = replace(container.deps.limits, reports_per_hour=FREE, proof_of_work_bits=BASE,
                     proof_of_work_max_bits=MOST, puzzle_reports_per_hour=CEILING, reports_per_hour_without_proof=1)
    return replace(container, deps=replace(container.deps, limits=limits))


def phone(container: Container, language: str = "en") -> TestClient:
    """A phone of its own (its own cookies) behind the shared address."""
    return TestClient(create_app(container), client=ADDRESS, headers={"Accept-Language": language})


def photos(seed: int) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("photos", ("street.jpg", plain_photo(seed=seed), "image/jpeg"))]


def puzzle(sender: TestClient) -> dict[str, str]:
    challenge = sender.get("/api/pow").json()["challenge"]
    return {"pow_challenge": challenge, "pow_nonce": solve(challenge)}


def report(sender: TestClient, seed: int, **form: str) -> Any:
    return sender.post("/api/sightings", files=photos(seed), data={"place_text": f"junk {seed}"} | form)


def page_form(browser: TestClient, solved: bool = True) -> dict[str, str]:
    """The report page's hidden fields; its puzzle solved as its script does (or not: no JavaScript)."""
    fields = dict(re.findall(r'name="(csrf|idempotency_key|pow_challenge)" value="([^"]*)"',
                             browser.get("/report").text))
    return fields | {"pow_nonce": solve(fields["pow_challenge"]) if solved else ""}


def form_error(page: str) -> str:
    found = said_at_top(page)
    assert found, page[-3000:]
    return found


def test_a_flood_from_one_address_does_not_stop_the_next_witness_who_solves_the_harder_puzzle(
    container: Container
) -> None:
    flooder = phone(container)
    asked = []
    for seed in range(7):  # well-formed junk, each with its puzzle solved
        proof = puzzle(flooder)
        asked.append(pow_bits(proof["pow_challenge"]))
        assert report(flooder, seed, **proof).status_code == 202
    assert asked == [2, 2, 3, 4, 5, 6, 6], "twice the work for each report past the free ones, up to the most"

    witness = phone(container, "zh-CN")  # the page's script solves the puzzle the page carries: the hardest
    form = page_form(witness)
    assert pow_bits(form["pow_challenge"]) == MOST
    sent = witness.post("/report", files=photos(99), data=form | {"place_text": "成都东站"})
    assert sent.status_code == 200 and "id=\"private-link\"" in sent.text, sent.text[-2000:]
    assert count_rows(container, "sightings") == 8


def test_a_puzzle_served_before_the_flood_is_answered_with_fetch_a_new_one_and_a_new_one_goes_through(
    container: Container
) -> None:
    witness, flooder = phone(container), phone(container)
    early = puzzle(witness)  # the page opened before the flood: the base difficulty
    for seed in range(4):
        assert report(flooder, seed, **puzzle(flooder)).status_code == 202
    stale = report(witness, 50, **early)
    assert stale.status_code == 429 and stale.headers["Retry-After"] == "1", stale.json()
    assert stale.json()["field"] == "pow_challenge" and "too easy now" in stale.json()["detail"]
    assert report(witness, 50, **puzzle(witness)).status_code == 202  # what the page's script does next
    assert count_rows(container, "sightings") == 5


def test_a_page_served_before_a_flood_of_junk_and_refused_reports_is_told_to_fetch_a_new_puzzle_at_once(
    container: Container
) -> None:
    """Refused reports from the address past their limit answer 429 for an hour, but never to a solved puzzle: one
    too easy by now is told at once (Retry-After 1) to fetch the harder one, which the page's script does."""
    container = replace(container, deps=replace(container.deps, limits=replace(container.deps.limits,
                                                                                 refused_reports_per_hour=2)))
    witness, flooder = phone(container), phone(container)
    early = page_form(witness)  # opened before the flood: the base difficulty
    for seed in range(4):
        assert report(flooder, seed, **puzzle(flooder)).status_code == 202
    for seed in range(2):
        assert report(flooder, 10 + seed, lat="95").status_code == 422  # refused junk, past their limit now
    assert report(flooder, 12, lat="95").status_code == 429
    stale = witness.post("/report", files=photos(50), data=early)
    assert stale.status_code == 429 and stale.headers["Retry-After"] == "1"
    assert "too easy now" in form_error(stale.text)
    assert witness.post("/report", files=photos(50), data=page_form(witness)).status_code == 200
    assert count_rows(container, "sightings") == 5


def test_without_a_solved_puzzle_the_small_limit_per_address_still_applies_and_says_it_was_the_network(
    container: Container
) -> None:
    browser = phone(container, "zh-CN")  # no JavaScript: the page's puzzle is sent unsolved
    assert browser.post("/report", files=photos(1), data=page_form(browser, solved=False)).status_code == 200
    busy = browser.post("/report", files=photos(2), data=page_form(browser, solved=False) | {"doing": "红色外套"})
    assert busy.status_code == 429 and "红色外套" in busy.text  # the form kept
    wait = int(busy.headers["Retry-After"])
    error = form_error(busy.text)
    assert 0 < wait <= 3660 and f"请 {min(60, -(-wait // 60))} 分钟后再次发送" in error
    assert "您所在的网络" in error and "JavaScript" in error and "最多" not in error  # never "at most 1"
    assert "请立即报警：110" in busy.text and "告诉我们" not in busy.text  # 110 is the police, not "us"

    api = phone(container).post("/api/sightings", files=photos(3))  # the API alike, in its reader's language
    assert api.status_code == 429 and int(api.headers["Retry-After"]) > 1
    assert "many reports without the report page's script were sent from your network" in api.json()["detail"]
    assert "at most" not in api.json()["detail"]

    # the same address's witness with the page's script still gets through, and the flood of no-JS reports
    # did not make the puzzle harder
    form = page_form(browser)
    assert pow_bits(form["pow_challenge"]) == BASE
    assert browser.post("/report", files=photos(4), data=form).status_code == 200
    assert count_rows(container, "sightings") == 2


def test_past_the_ceiling_a_report_with_a_puzzle_is_told_its_network_sent_many_and_when_to_send_again(
    container: Container
) -> None:
    flooder = phone(container)
    for seed in range(CEILING):
        assert report(flooder, seed, **puzzle(flooder)).status_code == 202
    past = report(flooder, 20, **puzzle(flooder))
    assert past.status_code == 429 and int(past.headers["Retry-After"]) > 1, past.json()
    assert past.json()["detail"].startswith("many reports were sent from your network in the last hour")
    assert "at most" not in past.json()["detail"] and past.json().get("field") is None

    browser = phone(container, "zh-CN")  # the page: the form kept, the wait said, the police offered as such
    busy = browser.post("/report", files=photos(21), data=page_form(browser) | {"place_text": "成都东站"})
    assert busy.status_code == 429 and 'value="成都东站"' in busy.text
    error = form_error(busy.text)
    wait = int(busy.headers["Retry-After"])
    assert "过去一小时内从您所在的网络发送的报告很多" in error and f"请 {min(60, -(-wait // 60))} 分钟后" in error
    assert "请立即报警：110" in busy.text and "告诉我们" not in busy.text
    assert count_rows(container, "sightings") == CEILING


def test_a_no_script_report_double_tapped_costs_the_network_one_report(container: Container) -> None:
    """Probe s40 A6: the same form sent three times at once (a double tap and the phone's resend) is one report,
    and counts once against the address's hourly reports without a puzzle: the next witness there still sends."""
    from concurrent.futures import ThreadPoolExecutor

    container = replace(container, deps=replace(container.deps, limits=replace(
        container.deps.limits, reports_per_hour_without_proof=2)))
    tapper = phone(container, "zh-HK")
    form = page_form(tapper, solved=False)
    copies = [phone(container, "zh-HK") for _ in range(3)]
    for copy in copies:
        copy.cookies.update(tapper.cookies)  # one browser: its copies carry its cookie, key and CSRF token

    def send(copy: TestClient) -> tuple[int, str]:
        answer = copy.post("/report", files=photos(70), data=form | {"place_text": "Mong Kok"})
        return answer.status_code, (re.findall(r"[A-Z0-9]{4}-[A-Z0-9]{4}", answer.text) or [""])[0]

    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = set(pool.map(send, copies))
    assert len(answers) == 1 and next(iter(answers))[0] == 200, answers  # one receipt, answered to every copy
    assert count_rows(container, "sightings") == 1

    neighbour = phone(container, "zh-HK")  # another phone behind the same address, no script either
    sent = neighbour.post("/report", files=photos(71), data=page_form(neighbour, solved=False) | {
        "place_text": "Yau Ma Tei"})
    assert sent.status_code == 200, form_error(sent.text)
    assert count_rows(container, "sightings") == 2

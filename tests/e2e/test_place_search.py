"""The place box of the sightings list (page and API): one rule for the words searched and the words
stored (``adapters/regions.py``). A district or former town finds its city and the city finds them,
in either Chinese script or in English; families match the public city only, police and moderators
the words as written too."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import NewSighting, Upload
from reunite.services import intake
from tests.conftest import plain_photo, session_for
from tests.e2e.test_probe_places import client, verified_family

Ask = Callable[[str], set[int]]


def reported(container: Container, place_text: str, seed: int) -> int:
    """An approved report (a moderator's are approved at once) described by its words alone."""
    report = NewSighting(seen_at=datetime(2025, 5, 1, 9, tzinfo=UTC), place=None, place_text=place_text)
    photos = [Upload(plain_photo(seed=seed), "s.jpg")]
    return intake.report_sighting(container.deps, OPERATOR, report, photos).sighting_id


def api(test: TestClient) -> Ask:
    def ask(words: str) -> set[int]:
        answer = test.get("/api/sightings", params={"place": words, "limit": 200})
        assert answer.status_code == 200, answer.text
        return {item["id"] for item in answer.json()["items"]}
    return ask


def page(test: TestClient) -> Ask:
    def ask(words: str) -> set[int]:
        answer = test.get("/sightings", params={"place": words})
        assert answer.status_code == 200
        return {int(i) for i in re.findall(r'href="/sightings/(\d+)"', answer.text)}
    return ask


@pytest.fixture
def askers(container: Container) -> dict[str, Ask]:
    family, _ = verified_family(container)
    _, police = session_for(container, Role.POLICE)
    return {"family API": api(client(container, family)), "family page": page(client(container, family)),
            "police API": api(client(container, police)), "police page": page(client(container, police))}


@pytest.mark.parametrize("reader", ["family API", "family page", "police API", "police page"])
def test_wuhan_and_its_former_towns_find_each_other_in_every_script(
    container: Container, askers: dict[str, Ask], reader: str
) -> None:
    wuhan = {reported(container, words, seed) for seed, words in enumerate(
        ["漢口火車站", "Hankou railway station", "武汉市洪山区 街口", "Wuchang, by the river"])}
    chengdu = {reported(container, "Chengdu, Chunxi Road", 7), reported(container, "四川省成都市武侯区", 8)}
    new_york = reported(container, "New York Penn Station", 9)
    ask = askers[reader]
    for words in ("汉口", "Hankou", "Wuhan", "武汉", "漢口", "wuhan", "湖北武汉"):
        assert ask(words) == wuhan, words
    assert ask("Chengdu Tianfu Square") == ask("成都") == ask("Sichuan") == chengdu
    assert ask("from Wuhan to Chengdu") == wuhan  # the first city mentioned
    assert ask("New York") == {new_york}
    # Penn Station is in New York, not York; police also find the word as written
    assert ask("York") == ({new_york} if reader.startswith("police") else set())


def test_a_family_filtering_by_place_learns_the_city_and_nothing_finer(
    container: Container, askers: dict[str, Ask]
) -> None:
    """Two sightings in one city told apart by their words only: every family search finds both or
    neither, however it is worded; police find the words themselves."""
    a = reported(container, "成都市春熙路 SECRETSTALL 4号", 1)
    b = reported(container, "Chengdu, Tianfu Square east exit", 2)
    elsewhere = reported(container, "Mianyang station", 3)
    probes = ["Chengdu", "成都", "Chengdu Tianfu Square", "Tianfu", "Tianfu Square", "SECRETSTALL", "春熙路",
              "east exit", "4号", "Chunxi", "四川", "Sichuan", "Mianyang", "exit", "成都市春熙路"]
    for reader in ("family API", "family page"):
        answers = {words: askers[reader](words) for words in probes}
        assert all((a in found) == (b in found) for found in answers.values()), answers
        assert answers["Tianfu Square"] == answers["SECRETSTALL"] == set()
        assert answers["Chengdu Tianfu Square"] == {a, b} and answers["Sichuan"] == {a, b, elsewhere}
    police = askers["police API"]
    assert police("Tianfu Square") == {b} and police("SECRETSTALL") == {a} and police("Chengdu") == {a, b}


@pytest.mark.parametrize("reader", ["family API", "family page", "police API", "police page"])
def test_full_width_letters_find_what_half_width_ones_find(
    container: Container, askers: dict[str, Ask], reader: str
) -> None:
    """A phone's Chinese keyboard often types full-width Latin: ＳＨＡＮＧＨＡＩ is Shanghai, searched or stored."""
    bund = reported(container, "Ｓｈａｎｇｈａｉ, Ｂｕｎｄ", 2)
    shanghai = {reported(container, "上海市黄浦区", 1), bund}
    reported(container, "Chengdu", 3)
    ask = askers[reader]
    assert ask("Shanghai") == ask("ＳＨＡＮＧＨＡＩ") == ask("ｓｈａｎｇｈａｉ") == shanghai
    if reader.startswith("police"):  # the words as written, whatever their width
        assert ask("Bund") == ask("ＢＵＮＤ") == {bund}  # ids are opaque (0027): named, not the largest

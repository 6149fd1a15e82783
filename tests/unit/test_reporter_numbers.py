"""Probe s32 F6: words for families repeated the house number of the reporter's description ("begging by the
gate of No. 17 every morning", docs/security.md's own example) unrefused, and a refusal for words of the
description or of who was with the child named them "the place the reporter gave". Every number the
reporter wrote, in any of their words, is looked for now (an age or a size said as one passes), and the
refusal says which of the reporter's words it repeats."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from reunite.adapters.sources.parse import Gazetteer
from reunite.domain.summary import PLACE, Repeated, pinning
from reunite.services.words import city_names

GAZETTEER = Gazetteer()
PLACE_WORDS = "Shanghai"
DESCRIPTION = "a boy of about 6 in a blue coat, begging by the gate of No. 17 Huaihai Road every morning"
WITH_WHOM = "a woman in a red coat who sells flowers at Xintiandi, takes the number 42 bus home"


def found(summary: str, *words: str) -> Repeated | None:
    deps = SimpleNamespace(places=GAZETTEER)
    return pinning(summary, list(words or (PLACE_WORDS, DESCRIPTION, WITH_WHOM)), None,
                   lambda place: city_names(deps, place),  # type: ignore[arg-type]
                   GAZETTEER.simplified, readings=GAZETTEER.readings, spellings=GAZETTEER.spellings)


@pytest.mark.parametrize(("summary", "words", "source"), [
    ("Begging by the gate of No. 17 every morning", "17", 1),  # the doc's own example
    ("begging at number seventeen, every morning", "17", 1),  # spelled out
    ("begging by gate １７", "17", 1),  # full-width
    ("Begging on Huaihai Road every morning", "Huaihai", 1),  # a name of the description, not of the place
    ("with a woman who takes bus 42", "42", 2),
    ("With a woman in a red coat who sells flowers at Xintiandi", "Xintiandi", 2),
])
def test_numbers_and_names_of_any_of_the_reporters_words_are_refused_naming_those_words(
        summary: str, words: str, source: int) -> None:
    repeated = found(summary)
    assert repeated is not None and repeated.kind == PLACE
    assert (repeated.words, repeated.source) == (words, source)


def test_the_place_words_are_named_as_the_place() -> None:
    repeated = found("seen outside No. 12", "Outside No. 12 Jiefang Road, Wuhan", "crying", "")
    assert repeated is not None and (repeated.words, repeated.source) == ("12", 0)


@pytest.mark.parametrize("summary", [
    "A boy of about 6 in a blue coat, begging every morning",  # the age the reporter gave
    "boy, 6 years old, begging with a woman in a red coat",
    "a boy aged 6, seen every morning",
    "a woman in a red coat who sells flowers",  # "sells" names no place
    "about 17 years old, begging",  # the house number's digits said only as an age
])
def test_ages_clothes_and_ordinary_words_pass(summary: str) -> None:
    assert found(summary) is None


@pytest.mark.parametrize("words", [
    "A caseworker will call you within 3 days", "We checked 7 photos this week", "Please bring 10 photos of your son",
    "He is 3 years old in this photo", "He looked about 7", "Call at 3 o'clock", "3天内联系您",
    "He is ten years old now",
    "DNA test done, 2 samples matched", "Interview took 2 hours with both parents", "We will call within three days",
])
def test_small_counts_ages_and_durations_pass_though_a_report_holds_the_same_number(words: str) -> None:
    """Probe s38 M2: one report's "exit 3", "bench 7", "bench 10" or "gate 2" refused every small number."""
    for place in ("metro exit 3", "bench 7", "bench 10", "Futian bus station gate 2"):
        assert found(words, place, "a boy crying", "") is None, place


@pytest.mark.parametrize(("words", "place", "named"), [
    ("He was seen at exit 3", "metro exit 3", "3"),
    ("seen by exit three of the metro", "metro exit 3", "3"),  # spelled out, checked the same way
    ("he sat on bench 10", "People's Park, bench 10", "10"),
    ("near gate 2", "Futian bus station gate 2", "2"),
    ("takes bus 41 home", "bus 41 stop", "41"),
    ("outside number 12", "Outside No. 12 Jiefang Road, Wuhan", "12"),
    ("在十二号门口", "解放路12号", "12"),
    ("a boy seen at 1398 Jiefang", "1398 Jiefang Road", "1398"),  # three digits or more: anywhere
])
def test_a_number_repeated_beside_the_reporters_word_is_refused_naming_it(words: str, place: str, named: str) -> None:
    repeated = found(words, place, "a boy crying", "")
    assert repeated is not None and (repeated.words, repeated.source) == (named, 0)

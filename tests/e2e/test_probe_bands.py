"""The outside probe's findings on calibrated readings (F4, F5, F9): one sighting reads the same band
and "1 in N" in a search by photo as on its case page, for a family and for a reviewer, in both
languages; a family's proposal is calibrated for everyone; the API explains a candidate in the
reader's language."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from reunite.domain.access import OPERATOR
from reunite.domain.model import CandidateStatus, NewSighting, Upload
from reunite.services import families, intake, moderation, review, search
from reunite.services.accounts import from_session
from tests.conftest import run_jobs
from tests.e2e import world as w
from tests.photos import portrait

LANGS = {"en": "en", "zh-CN": "zh_CN"}
CASE_PHOTO = ("collins", 0)  # case A's photo (tests/e2e/world.py)


def _without_rank(words: list[str]) -> list[str]:
    """The lead's words but its rank among open cases (a search has no rank)."""
    return [word for word in words if not re.search(r"open cases|个未结案件|第 \d", word)]


def _reading(lead: dict[str, Any]) -> tuple[Any, ...]:
    return lead["strength"], lead["one_in"], lead["bounded"], lead["gap_years"], lead["long_gap"]


def _card(page: str, sighting_id: int) -> list[str]:
    """The words of one sighting's card in the web search's results."""
    card = re.search(rf'<a class="card" href="/sightings/{sighting_id}">(.*?)</a>', page, re.S)
    assert card, f"sighting {sighting_id} is not among the results"
    return [html.unescape(word) for word in re.findall(r"<span>(.*?)</span>", card.group(1))]


def _lead_words(page: str, candidate_id: int) -> list[str]:
    """The lead's words of one candidate on the case page."""
    found = re.search(rf'id="candidate-{candidate_id}".*?<p class="lead-words"><strong>(.*?)</strong>(.*?)</p>',
                      page, re.S)
    assert found, f"candidate {candidate_id} is not on the case page"
    rest = [html.unescape(word.strip()) for word in found.group(2).split(" · ") if word.strip()]
    return [html.unescape(found.group(1)), *rest]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("who", "api"), [("family", None), ("police", "token_admin")])
def test_a_sighting_reads_the_same_in_a_search_for_its_case_as_on_the_case_page(
    world: w.World, who: str, api: str | None, lang: str
) -> None:
    photo = ("c.jpg", portrait(*CASE_PHOTO), "image/jpeg")
    with world.client(who) as client:
        client.headers["Accept-Language"] = lang
        candidate = next(c for c in client.get(f"/api/cases/{world.case_a}/candidates").json()
                         if c["id"] == world.confirmed)
        case_page = _lead_words(client.get(f"/cases/{world.case_a}").text, world.confirmed)
        form = client.get("/search").text
        token = re.search(r'name="csrf" value="([^"]+)"', form)
        assert token
        found = client.post("/search", files={"photos": photo},
                            data={"csrf": token.group(1), "case_id": str(world.case_a)})
        assert found.status_code == 200, found.text
    assert candidate["lead"]["one_in"] is not None or candidate["lead"]["bounded"]  # calibrated
    assert case_page == candidate["lead_words"]
    words = _without_rank(candidate["lead_words"])
    assert _card(found.text, world.sighting)[:len(words)] == words, (candidate, _card(found.text, world.sighting))
    deps = world.container.deps
    if api is None:  # the family's search as the API runs it (a family has no API token)
        family = from_session(deps, world.cookies[who])
        assert family is not None
        hits = search.search_by_photo(deps, family, portrait(*CASE_PHOTO), 50, world.case_a)
    else:
        with world.client(api) as partner:
            response = partner.post(f"/api/search?case_id={world.case_a}&lang={LANGS[lang]}", files={"photo": photo})
            assert response.status_code == 200, response.text
            hits = response.json()
            hit = next(h for h in hits if h["face_id"] == candidate["sighting_face_id"])
            assert hit["lead_words"] == words
    hit = next(h for h in hits if h["face_id"] == candidate["sighting_face_id"])
    assert _reading(hit["lead"]) == _reading(candidate["lead"])


def test_a_lead_at_the_test_limit_carries_no_number_its_words_do_not_say(world: w.World) -> None:
    """A lead as alike as the closest pairs of different children tested, or more: its words give no "1 in N"
    (the only N would be the size of the sample that bounds it, which differs with the child's age), and the
    family's JSON carried that N all the same (``lead.one_in``), as its search did."""
    for lang, said in (("en", "more alike than almost any two different children"),
                       ("zh-CN", "比我们测试过的几乎任何两个不同孩子都更相像")):
        with world.client("family") as family:
            family.headers["Accept-Language"] = lang
            candidate = next(c for c in family.get(f"/api/cases/{world.case_a}/candidates").json()
                             if c["id"] == world.confirmed)
            page = _lead_words(family.get(f"/cases/{world.case_a}").text, world.confirmed)
        assert candidate["lead"]["bounded"] and any(said in word for word in page), page
        assert not any(re.search(r"1 in|每 [\d,]+ 个", word) for word in page)
        assert candidate["lead"]["one_in"] is None, candidate["lead"]
    family_of_a = from_session(world.container.deps, world.cookies["family"])
    assert family_of_a is not None  # the family's search by photo naming its case, as the API runs it
    hits = search.search_by_photo(world.container.deps, family_of_a, portrait(*CASE_PHOTO), 50, world.case_a)
    hit = next(h for h in hits if h["face_id"] == candidate["sighting_face_id"])
    assert hit["lead"]["bounded"] and hit["lead"]["one_in"] is None


def test_a_search_without_a_case_never_reads_the_pooled_curve(world: w.World) -> None:
    """The photo's age unknown: read against the child cells, never the pool of all ages (adults'
    pairs included), and never bounded by more pairs than the cell that gave the share holds."""
    calibration = world.container.deps.policy.calibration
    assert calibration is not None
    pooled = calibration.band_for(None, None)
    assert pooled.case_age is None  # the pool the probe saw read: a search must not read it
    cells = {band.pairs for band in calibration.bands if band.case_age is not None}
    with world.client("token_read_sightings") as partner:
        hits = partner.post("/api/search", files={"photo": ("c.jpg", portrait("collins", 1), "image/jpeg")}).json()
    assert hits
    for hit in hits:
        lead = hit["lead"]
        assert lead["bounded"] or (lead["one_in"] is not None and lead["one_in"] <= max(cells))
        assert not lead["bounded"] or lead["one_in"] is None  # a bound names no sample's size


def _family_proposal(world: w.World) -> int:
    """A confirmed candidate the family of case A proposed (once per module's world)."""
    deps = world.container.deps
    if not hasattr(world, "family_proposal"):
        other = intake.report_sighting(deps, OPERATOR, NewSighting(seen_at=w._when(2006), place=None),
                                       [Upload(portrait("hopper", 2), "h.jpg")]).sighting_id
        run_jobs(world.container)
        moderation.moderate_sightings(deps, OPERATOR, [other], approve=True)
        with world.container.engine.begin() as conn:  # as a sighting matching did not propose for case A
            conn.exec_driver_sql("DELETE FROM candidates WHERE sighting_id = %s", (other,))
        family = from_session(deps, world.cookies["family"])
        assert family is not None
        proposal = families.propose_sighting(deps, family, other, world.case_a, "her coat")
        review.review_candidate(deps, OPERATOR, proposal, CandidateStatus.CONFIRMED, "")
        world.family_proposal = proposal  # type: ignore[attr-defined]
    return int(world.family_proposal)  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", LANGS)
def test_a_familys_proposal_is_calibrated_for_the_reviewers_and_the_family_alike(world: w.World, lang: str) -> None:
    proposal = _family_proposal(world)
    read = {}
    for who in ("family", "police"):
        with world.client(who) as client:
            client.headers["Accept-Language"] = lang
            rows = client.get(f"/api/cases/{world.case_a}/candidates").json()
            read[who] = next(c for c in rows if c["id"] == proposal)
    for row in read.values():
        assert row["proposed_by"] == "family" and (row["lead"]["one_in"] is not None or row["lead"]["bounded"])
        assert row["lead"]["gap_years"] is not None
        assert not any("calibrated" in word or "校准" in word for word in row["lead_words"])
    assert _reading(read["family"]["lead"]) == _reading(read["police"]["lead"])


def test_the_api_explains_a_candidate_in_the_readers_language(world: w.World) -> None:
    with world.client("family") as family:
        english = family.get(f"/api/cases/{world.case_a}/candidates", headers={"Accept-Language": "en"}).json()[0]
        chinese = family.get(f"/api/cases/{world.case_a}/candidates?lang=zh_CN").json()[0]
        page = family.get(f"/cases/{world.case_a}", headers={"Accept-Language": "zh-CN"}).text
    assert "after the child went missing" in english["explanation"]
    assert re.search(r"[\u4e00-\u9fff]", chinese["explanation"]) and "missing" not in chinese["explanation"]
    for part in chinese["explanation"].split("；"):
        assert f"<li>{part}</li>" in page


def test_a_family_proposing_a_confirmed_lead_again_keeps_the_reviewers_decision(world: w.World) -> None:
    proposal = _family_proposal(world)
    deps = world.container.deps
    before = next(c for c in deps.read.candidates(world.case_a, None) if c["id"] == proposal)
    family = from_session(deps, world.cookies["family"])
    assert family is not None
    again = families.propose_sighting(deps, family, before["sighting_id"], world.case_a, "her coat, again")
    after = next(c for c in deps.read.candidates(world.case_a, None) if c["id"] == proposal)
    assert again == proposal and after["status"] == "confirmed"
    assert (after["reviewed_by"], after["reviewed_at"]) == (before["reviewed_by"], before["reviewed_at"])


def test_a_familys_proposal_stored_without_its_gap_gets_it_back(world: w.World) -> None:
    """Migration 0020: proposals stored before this fix had no gap, so they read the cautious cell."""
    from alembic import command

    from reunite.adapters.db.migrate import alembic_config, upgrade

    proposal = _family_proposal(world)
    engine = world.container.engine
    with engine.begin() as conn:
        stored = conn.exec_driver_sql("SELECT gap_years FROM candidates WHERE id = %s", (proposal,)).scalar()
        conn.exec_driver_sql("UPDATE candidates SET gap_years = NULL WHERE id = %s", (proposal,))
    command.downgrade(alembic_config(engine), "0019_blank_cases")
    upgrade(engine)
    with engine.begin() as conn:
        again = conn.exec_driver_sql("SELECT gap_years FROM candidates WHERE id = %s", (proposal,)).scalar()
    assert stored is not None and again == pytest.approx(stored, abs=0.01)

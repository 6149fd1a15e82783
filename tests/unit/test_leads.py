"""What a family reads about a lead: calibrated bands, "1 in N" bounded by the calibration sample,
the rank among open cases in both languages, the caveat of long gaps, never a percentage."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from reunite.domain.grouping import GroupPolicy, Seen, gap_years, reachable, same_child_by_face
from reunite.domain.leads import Calibration, LeadPolicy, Strength, fit_band, lead, proposable, told
from reunite.domain.matching_store import CandidateRow
from reunite.domain.model import GeoPoint
from reunite.domain.scoring import MatchPolicy, Score, contradictions, impostor_share, lead_for
from reunite.i18n import Language
from reunite.services.matching import shortlist
from reunite.wording import lead_summary, lead_words, ordinal, why

EN, ZH = Language("en"), Language("zh_CN")
RNG = np.random.default_rng(11)
IMPOSTORS = RNG.normal(0.5, 0.1, 20_000).tolist()  # scores of pairs of different children
YOUNG_IMPOSTORS = RNG.normal(0.7, 0.1, 5_000).tolist()  # small children look more alike
CALIBRATION = Calibration((
    fit_band(None, None, IMPOSTORS + YOUNG_IMPOSTORS),
    fit_band(None, (0, 3), IMPOSTORS),
    fit_band((0, 5), (0, 3), YOUNG_IMPOSTORS),
))


def test_share_of_impostors_scoring_as_high_follows_the_sample() -> None:
    band = CALIBRATION.band_for(30, 1)
    assert band.case_age is None and band.gap == (0, 3)
    for score in (0.6, 0.7, 0.8):
        measured = np.mean(np.asarray(IMPOSTORS) >= score)
        assert band.share(score) == pytest.approx(measured, rel=0.35)
    assert band.share(0.9) < band.share(0.8) < band.share(0.7)


def test_small_childrens_pairs_are_read_against_small_children() -> None:
    """The same score is far more common among small children: a weaker lead for them."""
    young, older = CALIBRATION.band_for(3, 1), CALIBRATION.band_for(12, 1)
    assert young.case_age == (0, 5)
    assert young.share(0.85) > 10 * older.share(0.85)


def test_one_in_n_never_claims_more_than_the_calibration_sample_holds() -> None:
    band = CALIBRATION.band_for(30, 1)
    share = band.share(5.0)  # beyond every impostor in the sample
    assert share == pytest.approx(1 / band.pairs)
    facts = lead(LeadPolicy(), share, band.pairs, 1.0)
    assert facts.bounded and facts.one_in is None  # no N the words refuse to say: not in the API either
    said = lead_summary(EN, asdict(facts))
    assert "more alike than almost any two different children we tested" in said and "20,000" not in said


def test_bands_follow_the_operating_point() -> None:
    policy = LeadPolicy(strong_share=0.001, possible_share=0.01, propose_share=0.1)
    assert lead(policy, 0.0005, 20_000, 1.0).strength is Strength.STRONG
    assert lead(policy, 0.005, 20_000, 1.0).strength is Strength.POSSIBLE
    assert lead(policy, 0.05, 20_000, 1.0).strength is Strength.WEAK
    assert lead(policy, 0.2, 20_000, 1.0).strength is Strength.NONE  # beyond the operating point: no lead
    assert proposable(policy, 0.05) and not proposable(policy, 0.2)
    assert lead(policy, 0.005, 20_000, 1.0).one_in == 200


def test_a_face_beyond_the_operating_point_is_no_lead_never_weak_in_both_languages() -> None:
    """A family marks a sighting whose face about 1 in 2 different children match as well (probe s16 P6):
    not "Weak lead", the band of a proposal at 1 in 660-2,000, but no lead by the face, said as the family's
    word when they marked it; a long gap or a contradiction never lifts it back to a band, and the "1 in N"
    is still said."""
    half = lead(LeadPolicy(), 0.5, 20_000, 1.0)
    assert half.strength is Strength.NONE and half.one_in == 2
    assert told(lead(LeadPolicy(), 0.5, 20_000, 8.0), ["sex"])["strength"] == "none"
    machine = lead_words(EN, asdict(half))
    assert machine[0] == "Not a lead by the face"
    assert machine[-1] == "by the face alone, about 1 in 2 different children look this similar"
    for facts in ({"proposed_by": "family"}, {"proposed_by": "machine", "family_answer": "maybe"}):
        assert lead_words(EN, asdict(half), facts)[0] == "Not a lead by the face: only the family's word"
        assert lead_words(ZH, asdict(half), facts)[0] == "仅看脸不算线索：只是家属的说法"
    assert lead_words(ZH, asdict(half))[0] == "仅看脸不算线索"
    at_the_point = lead(LeadPolicy(), LeadPolicy().propose_share, 20_000, 1.0)
    assert at_the_point.strength is Strength.WEAK  # proposed: still a lead
    assert "Weak lead" not in lead_summary(EN, asdict(half)) and "微弱线索" not in lead_summary(ZH, asdict(half))


def test_long_gap_is_said_and_weakens_the_lead() -> None:
    policy = LeadPolicy(strong_share=0.001, possible_share=0.01)
    facts = asdict(lead(policy, 0.0005, 20_000, 7.2))
    assert facts["strength"] == "possible"
    assert "photos 7 years apart: faces change a lot" in lead_summary(EN, facts)
    assert "照片相隔 7 年" in lead_summary(ZH, facts)
    assert "apart" not in lead_summary(EN, asdict(lead(policy, 0.0005, 20_000, 2.0)))


@pytest.mark.parametrize(("n", "english"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"),
                                            (12, "12th"), (13, "13th"), (21, "21st"), (22, "22nd"), (111, "111th")])
def test_rank_ordinals(n: int, english: str) -> None:
    assert ordinal(EN, n) == english
    assert ordinal(ZH, n) == f"第 {n}"


def test_rank_and_one_in_n_each_say_what_they_read_in_both_languages() -> None:
    """A case ranked 2nd by the whole ranking may read a rarer "1 in N" (the face alone) than the 1st:
    each sentence names what it reads, so the two numbers do not seem to contradict each other."""
    facts = asdict(lead(LeadPolicy(), 0.0001, 20_000, 1.0, rank=2, rank_of=1051))
    assert lead_words(EN, facts)[1:] == [
        "2nd of the cases proposed for this sighting, by face, age, time, place and sex (open cases searched: 1,051)",
        "by the face alone, about 1 in 10,000 different children look this similar"]
    assert lead_words(ZH, facts)[1:] == [
        "按脸、年龄、时间、地点和性别，在为这次目击提出的案件中排第 2（共比对了 1,051 个未结案件）",
        "仅看脸：大约每 10,000 个其他孩子中有 1 个看起来这么像"]
    assert lead_words(EN, facts)[0] == "Strong lead" and lead_words(ZH, facts)[0] == "有力线索"


def test_what_contradicts_the_case_lowers_the_band_and_is_said_next_to_it_in_both_languages() -> None:
    """A strong face match seen as a boy of 2-3 for an 11-year-old girl (probe s11 F6, s12 F15): never
    "Strong lead" beside words saying the reporter's account does not fit; the band a step lower, what
    does not fit said at once after it, the "1 in N" still the face's."""
    facts = {"apparent_sex": "male", "apparent_age_low": 2, "apparent_age_high": 3, "expected_age": 11.2}
    lead_facts = told(lead(LeadPolicy(), 0.0001, 20_000, 1.0, rank=1, rank_of=2), ["sex", "age"])
    assert lead_facts["strength"] == "weak" and lead_facts["face_strength"] == "strong"  # a step for each
    assert told(lead(LeadPolicy(), 0.0001, 20_000, 1.0), ["sex"])["strength"] == "possible"
    assert lead_words(EN, lead_facts, facts)[:3] == [
        "Weak lead", "The reporter saw a boy; this child is a girl",
        "The reporter guessed age 2–3; this child would be 11 years old: the ages do not fit"]
    assert lead_words(ZH, lead_facts, facts)[1:3] == ["报告人看到的是男孩；这个孩子是女孩",
                                                      "报告人估计年龄为 2–3 岁；这个孩子当时应为 11 岁：年龄对不上"]
    assert lead_words(EN, lead_facts, facts)[-1].startswith("by the face alone, about 1 in 10,000 different")
    weak = told(lead(LeadPolicy(), 0.001, 20_000, 1.0), ["sex"])
    assert weak["strength"] == "weak"  # the lowest band stays the lowest
    fits = told(lead(LeadPolicy(), 0.0001, 20_000, 1.0), [])
    assert lead_words(EN, fits, facts) == [
        "Strong lead", "by the face alone, about 1 in 10,000 different children look this similar"]


@pytest.mark.parametrize("share", [1e-9, 1e-5, 0.0005, 0.003, 0.2, 0.5, 1.0])
@pytest.mark.parametrize("lang", [EN, ZH])
def test_never_a_percentage_or_certainty(share: float, lang: Language) -> None:
    text = lead_summary(lang, asdict(lead(LeadPolicy(), share, 20_000, 3.0, 1, 40)))
    assert "%" not in text and "100" not in text.replace("1,000", "").replace("20,000", "")
    assert "certain" not in text and "99.9" not in text


def test_without_calibration_the_words_say_so() -> None:
    facts = asdict(lead(LeadPolicy(), None, None, 2.0))
    assert "not calibrated" in lead_summary(EN, facts) and "未经校准" in lead_summary(ZH, facts)


def score(total: float) -> Score:
    return Score(total, total, None, None, None, None, 1, 9.0, None, 100.0, 0.0, 8.0)


def test_a_sighting_proposes_only_plausible_cases_and_at_most_per_sighting_but_keeps_rank() -> None:
    class Fake:
        policy = MatchPolicy(leads=LeadPolicy(propose_share=0.01, per_sighting=2), calibration=CALIBRATION)

    rows = [CandidateRow(case_id, 1, 1, score(total)) for case_id, total in
            enumerate([0.95, 0.55, 0.99, 0.6, 0.9, 0.4])]
    kept = shortlist(Fake(), rows, 1051, None, {})  # type: ignore[arg-type]
    assert [r.case_id for r in kept] == [2, 0]
    assert [r.rank for r in kept] == [1, 2] and {r.rank_of for r in kept} == {1051}
    assert all(r.impostor_share is not None and r.impostor_share <= 0.01 for r in kept)
    nothing_alike = [CandidateRow(c, 1, 1, score(0.5)) for c in range(30)]
    assert shortlist(Fake(), nothing_alike, 1051, None, {}) == []  # type: ignore[arg-type]


def test_stored_share_reads_back_as_the_same_lead() -> None:
    policy = MatchPolicy(calibration=CALIBRATION)
    share = impostor_share(policy, score(0.9))
    facts = lead_for(policy, share, 9.0, 1.0, 3, 20)
    assert facts.rank == 3 and facts.bounded and facts.one_in is None  # beyond the pairs tested: no N


def test_groups_need_alike_faces_and_a_journey_one_child_could_make() -> None:
    start = datetime(2026, 5, 1, 9, tzinfo=UTC)
    shanghai, suzhou, urumqi = GeoPoint(31.23, 121.47), GeoPoint(31.30, 120.58), GeoPoint(43.83, 87.62)
    here = Seen(1, start, shanghai)
    assert reachable(GroupPolicy(), here, Seen(2, start + timedelta(hours=1), suzhou))
    assert not reachable(GroupPolicy(), here, Seen(3, start + timedelta(hours=2), urumqi))
    assert reachable(GroupPolicy(), here, Seen(3, start + timedelta(days=3), urumqi))
    assert reachable(GroupPolicy(), here, Seen(4, start + timedelta(hours=2), None))
    assert not reachable(GroupPolicy(), here, Seen(5, start + timedelta(days=3 * 365), shanghai))
    # a report dated by its arrival: its time is unknown, so neither far in time nor far in place rules it out
    assert reachable(GroupPolicy(), here, Seen(6, start + timedelta(days=3 * 365), urumqi, doubt=None))
    assert gap_years(here, Seen(6, start + timedelta(days=3 * 365), urumqi, doubt=None)) is None
    assert same_child_by_face(CALIBRATION, 0.95, 0.0, 0.002)
    assert not same_child_by_face(CALIBRATION, 0.6, 0.0, 0.002)
    assert not same_child_by_face(None, 0.99, 0.0, 0.002)  # uncalibrated: never grouped


def test_a_case_photos_age_band_holds_whatever_the_gap() -> None:
    """The shipped calibration has one curve per case photo age band, not per gap: the pipeline's gap
    (the missing child's expected age at the sighting) says nothing of another child's age in the
    sighting, so a baby's case photo is read against babies' impostors at every gap."""
    by_age = Calibration((fit_band(None, None, IMPOSTORS + YOUNG_IMPOSTORS), fit_band((0, 5), None, YOUNG_IMPOSTORS)))
    assert by_age.band_for(1, 0.5) is by_age.band_for(1, 14.0) is by_age.bands[1]
    assert by_age.band_for(12, 3.0) is by_age.bands[0]


def test_a_group_of_sightings_is_no_likelier_proposed_for_another_child_than_its_members() -> None:
    """A grouped sighting is matched as one face whose score is its members' mean score: the
    calibration describes one face's scores, and the normalised mean of several photos resembles
    everyone more than any of them does (docs/benchmarks.md: 30 false proposals became 61)."""
    from reunite.domain.grouping import fuse_group

    rng = np.random.default_rng(12)
    common = rng.normal(size=16)  # what all faces share, as dlib's embeddings do
    child = common + 0.5 * rng.normal(size=16)
    members = [child + 0.8 * rng.normal(size=16) for _ in range(3)]
    members = [m / np.linalg.norm(m) for m in members]
    others = [common + 0.5 * rng.normal(size=16) for _ in range(200)]  # other children's case photos
    others = [o / np.linalg.norm(o) for o in others]
    fused = fuse_group([m.tolist() for m in members], [0.01, 0.02, 0.03])
    unit = np.array(fused.embedding)
    assert np.linalg.norm(unit) == pytest.approx(1.0) and fused.hubness == pytest.approx(0.02)
    for other in others:
        each = [float(m @ other) for m in members]
        assert fused.scale * float(unit @ other) == pytest.approx(np.mean(each))
    normalised_above_best = sum(float(unit @ o) > max(float(m @ o) for m in members) for o in others)
    assert normalised_above_best > len(others) / 2  # the risk is real: the unscaled mean beats every member


def test_no_reading_claims_a_floor_larger_than_the_sample_of_the_cell_that_read_it() -> None:
    """The shipped calibration, read at every score and case photo age (unknown too): a "1 in N" never
    exceeds the sample of the cell whose curve gave the share (a bounded reading names no N), and a pair of
    unknown age is read by the child cell that is most cautious at its score, never the pooled curve."""
    from reunite.adapters.faces.calibration import CALIBRATION_FILE, load_calibration
    from reunite.domain.leads import reading

    shipped = load_calibration(CALIBRATION_FILE)
    assert shipped is not None
    pooled = shipped.band_for(None, None)
    for age in (None, 1.0, 7.0, 12.0, 30.0):
        for total in np.linspace(0.9, 1.05, 61):
            read = reading(shipped, LeadPolicy(), float(total), age, None)
            cell = shipped.cell(float(total), age, None)
            assert read.share is not None and read.share >= 1 / cell.pairs - 1e-12
            if read.lead.bounded:
                assert read.lead.one_in is None
            else:
                assert read.lead.one_in is not None and read.lead.one_in <= cell.pairs
            if age is None:
                assert cell is not pooled and cell.case_age is not None
                assert read.share == max(b.share(float(total)) for b in shipped.bands
                                        if b.case_age is not None and b.sighting_age is None)
    beyond = reading(shipped, LeadPolicy(), 1.0, None, None).lead
    assert beyond.bounded and beyond.one_in is None
    # the words say what a bound is, not the sample's size: the same faces read alike whichever cell bounds them
    assert lead_summary(EN, asdict(beyond)) == lead_summary(EN, asdict(lead(LeadPolicy(), 1 / 9437, 9437, None)))


def test_a_stored_candidate_reads_as_its_pair_does() -> None:
    """The case page's reading (stored total, expected age, gap) is the search's (the pair's score)."""
    from reunite.domain.scoring import read_pair, read_stored

    policy = MatchPolicy(calibration=CALIBRATION)
    for total in (0.7, 0.8, 0.9, 1.2):
        pair = score(total)
        assert read_stored(policy, pair.total, pair.expected_age, pair.gap_years) == read_pair(policy, pair)
        unknown = Score(total, total, None, None, None, None, 1, 9.0, None, 100.0, 0.0, None)
        assert read_stored(policy, total, 9.0, None) == read_pair(policy, unknown)


def test_a_sighting_seen_before_the_child_went_missing_says_so_and_lowers_the_band() -> None:
    """Probe s13 F3, F8: a time someone gave, a day before the child went missing, makes the pair
    impossible (time term 0): said as such beside the band, a step lower, and the ranking's words say
    "before", never "25 hours after"."""
    seen = {"elapsed_days": -25 / 24, "expected_age": 9.0, "apparent_sex": "female"}
    assert contradictions("female", "female", 9.0, None, 0.0) == ["time"]
    assert contradictions("female", "female", 9.0, None, None) == []  # no time given: nothing ruled out
    told_lead = told(lead(LeadPolicy(), 0.0001, 20_000, 1.0), ["time"])
    assert told_lead["strength"] == "possible"
    assert lead_words(EN, told_lead, seen)[:2] == [
        "Possible lead", "Seen 25 hours before the child went missing: the times do not fit"]
    assert lead_words(ZH, told_lead, seen)[1] == "在孩子失踪 25 小时前被看到：时间对不上"
    assert "25 hours before the child went missing" in why(EN, seen)
    assert not any("after" in w for w in why(EN, seen))


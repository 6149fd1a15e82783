"""What of a candidate each reader sees: part of the one visibility policy, which ``domain.access``
re-exports (callers ask ``access``). Reviewers see every candidate as matching scored it; a family only a
lead a reviewer confirmed, its place terms, score and rank from grid cells (``domain.places_shown``), never
the reviewer's own words, the raw scores nor the other cases proposed for its report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reunite.domain.leads import OWN_CHILD_SHARE
from reunite.domain.model import GeoPoint, SeenAtBasis
from reunite.domain.places_shown import coarse_distance_km, distance_shown
from reunite.domain.principals import P, Principal
from reunite.domain.scoring import MatchPolicy, Score, doubt_hours, with_distance


def candidate_visible(who: Principal, row: dict[str, Any], settled_before: datetime,
                      case_id: int | None = None, ended: bool = False, held: bool = False) -> bool:
    """Reviewers see every candidate. A family only one a reviewer confirmed, of a report a moderator
    approved, once the reviewer's undo window is over (confirmed at or before ``settled_before``), and
    only while its case is verified and active; ``ended``: its own case was closed or reunited, and the
    lead stays listed as a record (when, where to ~1 km, when confirmed), its photos no longer shown.
    A confirmed lead whose report is back with the moderators (its reporter added a photo, words or the
    time seen: ``held_again``) stays listed (``held``: the lists and the family's answer, never a photo or
    a face) with its decision, its photos not shown until they approve. A candidate of a face a moderator
    ruled out (``ruled_out``: another face of its photo is marked the child's, probe s28 B1) reaches no family,
    confirmed or not: the face it compares is a bystander's, never shown to anyone as their child. Nor one of a
    report of a child found for another case (``found_elsewhere``, probe s35 J2): that child is home."""
    if who.can(P.REVIEW_CANDIDATES):
        return True
    reviewed = row.get("reviewed_at")
    return (row["status"] == "confirmed" and not row.get("ruled_out") and not found_elsewhere(row)
            and row.get("sighting_status") in (("approved", "pending") if held else ("approved",))
            and reviewed is not None and reviewed <= settled_before
            and (case_id is None or case_id in who.verified_cases or (ended and who.owns(case_id))))


def picture_shown_as_lead(who: Principal, row: dict[str, Any], settled_before: datetime, case_id: int) -> bool:
    """Whether ``who``, the family of ``case_id``, is shown this candidate's picture as a lead of its case while the
    case is verified and open: a confirmed lead its case page lists (``candidate_visible``), or a report it sent the
    reviewers as possibly its child that still reads "waiting" to it (``family_sent_view``: undecided, or decided
    within the reviewer's undo window, which the family is not told of yet), its report approved and open to it.
    A report it sent counts only when matching reads the pair as a lead of the case by the face (its stored share at
    most ``leads.OWN_CHILD_SHARE``, as the search's gate reads a photo against the case's own): marking any report it
    browsed "possibly my child" never opens a search by another child's face. Never a report a reviewer dismissed or
    did not confirm (once the family reads "checked"), one withdrawn (no candidate any more), a face ruled out, nor
    a child found (``sighting_found``): a family's search by photo takes such a picture as its child's
    (``services.search``)."""
    if case_id not in who.verified_cases or not who.owns(case_id):
        return False
    if candidate_visible(who, row, settled_before, case_id):
        return True
    waiting = row["status"] == "proposed" or (row["status"] == "dismissed"
                                              and not decision_settled(row, settled_before))
    share = row.get("impostor_share")  # the pair as matching reads it: a lead by the face, or the family's word alone
    return (waiting and bool(row.get("family_words")) and row.get("sighting_status") == "approved"
            and (share is None or share <= OWN_CHILD_SHARE)
            and not row.get("ruled_out") and not row.get("sighting_found") and not found_elsewhere(row))


def found_elsewhere(row: dict[str, Any]) -> list[int]:
    """The cases closed as reunited that found a candidate's report, when its own case is not one of them (the
    child found is no other family's lead: probe s35 J2); empty otherwise."""
    found = list(row.get("found_for") or [])
    return [] if row.get("case_id") in found else found


def decision_settled(row: dict[str, Any], settled_before: datetime) -> bool:
    """A reviewer's decision on a candidate, read by the family only once its undo window is over (decided at or
    before ``settled_before``), as ``candidate_visible`` reads a confirmation (probe s35 J4)."""
    reviewed = row.get("reviewed_at")
    return reviewed is not None and reviewed <= settled_before


def held_again(row: dict[str, Any]) -> bool:
    """A confirmed lead whose report waits for a moderator again: it was approved when it was confirmed
    (``workbench.decide``), so its reporter has added to it since (``reports.held_again``)."""
    return row.get("status") == "confirmed" and row.get("sighting_status") == "pending"


# what a family reads of a sighting it sent to the reviewers (``family_sent_view``), as sighting_view shaped it
SENT_SHOWN = ("id", "case_id", "sighting_id", "seen_at", "seen_at_basis", "seen_at_zone", "seen_at_precision",
              "place_text")
SENT_SEEN = ("seen_at", "seen_at_basis", "seen_at_zone", "seen_at_precision", "place_text")  # while its case is active


def family_sent_view(who: Principal, row: dict[str, Any], settled_before: datetime) -> dict[str, Any] | None:
    """What the family reads of a candidate it sent words on (it marked the report as possibly its child,
    or answered on a lead), or None when it is not the child's family or sent none: when and where the child
    was seen as ``sighting_view`` shaped them (``row``), every word it sent with its time, and where it
    stands (``state``): "waiting" for a reviewer; once the reviewer's undo window is over, "confirmed", or
    "checked" (a reviewer compared it and did not confirm it, or confirmed a face of the report a moderator then
    ruled out: not the child's). Never a score, a rank, the reviewer's words,
    nor anything of a candidate the family said nothing on. ``open``: its report may be opened (approved).
    Once its case is no longer verified and open (rejected, ended, waiting again), the family no longer reads
    reports: when and where each was seen leaves the list (``SENT_SEEN``), its own words and their fate stay."""
    if not who.owns(row["case_id"]) or not row.get("family_words"):
        return None
    reviewed = row.get("reviewed_at")
    decided = row["status"] != "proposed" and reviewed is not None and reviewed <= settled_before
    # a confirmation of a face ruled out since (another face of the report marked the child's) stands for nothing
    confirmed = row["status"] == "confirmed" and not row.get("ruled_out")
    state = ("confirmed" if confirmed else "checked") if decided else "waiting"
    active = row["case_id"] in who.verified_cases  # rights follow the case's status (probe s32 F4)
    return {k: row.get(k) if active or k not in SENT_SEEN else None for k in SENT_SHOWN} | {
        "words": [{"answer": w["answer"], "note": w["note"], "at": w["at"]} for w in row["family_words"]],
        "state": state, "open": active and row.get("sighting_status") == "approved"}


# the sighting's place (lat, lon) is shaped by sighting_view; the rank shown is one of the two ranks
CANDIDATE_HIDDEN = ("case_lat", "case_lon", "coarse_rank", "dismissed_members")
# what a family or a partner reads for a reviewer's reason: a reviewer explaining why it is the same child
# cites where the reporter saw the child. Their words stay with staff; everyone else reads these fixed
# words and the sighting's words for families, which the moderators wrote and the place check read
CONFIRMED_WORDS = "A reviewer confirmed this lead"


def review_reason(who: Principal, row: dict[str, Any]) -> str:
    """A candidate's review reason as this principal may read it: the reviewer's own words for staff
    (those who review candidates), the fixed ``CONFIRMED_WORDS`` for anyone else."""
    if who.can(P.REVIEW_CANDIDATES):
        return str(row.get("review_reason") or "")
    return CONFIRMED_WORDS if row.get("status") == "confirmed" else ""


def coarse_score(policy: MatchPolicy, score: Score, last_seen: GeoPoint | None, seen: GeoPoint | None) -> Score:
    """A score as anyone without exact places reads it: the place and time terms, and so the total,
    from the distance between the two places' grid cells. Ranks and orders shown to them use this."""
    return with_distance(policy, score, coarse_distance_km(last_seen, seen))


# where the sighting stands among the cases proposed for it ("2nd of 2"): that other cases, other families'
# unconfirmed candidates, were proposed for it too. Reviewers read it; families never
RANKS = ("rank", "rank_of")
# the reviewers' own history of a candidate: when a reviewer dismissed it before the family's words brought it
# back (``dismissed_before_at``, the workbench's "Already dismissed on …"). Families never read a dismissal
# (their case page says "checked", never when nor why); reviewers read it on the workbench and in the API
# And a waiting lead whose face, in the same picture, another report's lead for the case was dismissed on (probe s28
# B5: the same photo sent again): that report and the dismissal's date
REVIEW_HISTORY = ("dismissed_before_at", "same_photo_dismissed_in", "same_photo_dismissed_at")


def candidate_view(who: Principal, row: dict[str, Any], policy: MatchPolicy) -> dict[str, Any]:
    """A candidate as this principal may see it: the reviewer's reason (``review_reason``), its rank
    among the cases proposed (``RANKS``), its review history (``REVIEW_HISTORY``) and the other cases its
    sighting was confirmed for (``confirmed_for``: another family's lead) and the cases that found its child
    (``found_for``: closed as reunited) for staff only, its place as
    ``_placed`` reads it."""
    shown = _placed(who, row, policy)
    shown["held_again"] = held_again(row)
    if "review_reason" in row:
        shown["review_reason"] = review_reason(who, row)
    if who.can(P.REVIEW_CANDIDATES):
        return shown
    return (shown | dict.fromkeys(RANKS) | dict.fromkeys(REVIEW_HISTORY)
            | ({"confirmed_for": []} if "confirmed_for" in row else {})
            | ({"found_for": []} if "found_for" in row else {}))


def _placed(who: Principal, row: dict[str, Any], policy: MatchPolicy) -> dict[str, Any]:
    """A candidate's place terms as this principal may see them. Without exact places, the distance and everything
    derived from it (place and time plausibility, the total, the rank among the cases
    searched: ``coarse_rank``, ordered by matching and counted when read among the cases verified and open
    then) come from the two places' grid cells, the
    distance in whole kilometres: never an arc around the place the family typed."""
    shown = {k: v for k, v in row.items() if k not in CANDIDATE_HIDDEN}
    if who.can(P.SEE_EXACT_PLACES):
        return shown
    # even a candidate without a place: its rank among the other cases follows their distances
    shown["rank"] = row.get("coarse_rank")
    if row.get("distance_km") is None:
        return shown
    gap = row.get("gap_years")
    exact = Score(row["score"], row["face_score"], row["age_score"], row["time_score"], row["place_score"],
                  row["sex_score"], row["case_face_id"], row["expected_age"], row["distance_km"],
                  row["elapsed_days"], row["hubness"], None if gap is None else row["expected_age"] - gap,
                  time_doubt_h=doubt_hours(SeenAtBasis(row.get("seen_at_basis") or SeenAtBasis.GIVEN)))
    coarse = coarse_score(policy, exact, _point(row, "case_"), _point(row, ""))
    # the calibrated reading (band, "1 in N": ``scoring.read_stored``) reads the face evidence alone,
    # which no place enters: the same for every reader
    shown |= {"score": coarse.total, "time_score": coarse.time, "place_score": coarse.place,
              "distance_km": distance_shown(coarse.distance_km)}
    return shown


# uncalibrated numbers (a total above 1, a similarity of 0.997): an app would print them as "100%". Only
# reviewers read them; everyone else reads the band, "1 in N", the rank and the facts in words
RAW_SCORES = ("score", "face_score", "age_score", "time_score", "place_score", "sex_score", "similarity",
              "hubness", "impostor_share", "decided_face_score", "decided_hubness")


def scores_shown(who: Principal, row: dict[str, Any]) -> dict[str, Any]:
    """A candidate or a search hit, its raw scores kept for reviewers only (None for anyone else), once
    they have ordered it and been read into its lead."""
    if who.can(P.REVIEW_CANDIDATES):
        return row
    return row | {k: None for k in RAW_SCORES if k in row}


def _point(row: dict[str, Any], prefix: str) -> GeoPoint | None:
    lat, lon = row.get(f"{prefix}lat"), row.get(f"{prefix}lon")
    return GeoPoint(lat, lon) if lat is not None and lon is not None else None


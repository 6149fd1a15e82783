"""Response DTOs of leads: a candidate (a sighting's face proposed for a case) and its lead, a duplicate flag (a
child possibly registered twice), a hit of a search by photo."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from reunite.entrypoints.api.schemas import SEEN_AT_BASIS, SEEN_AT_PRECISION, Years


class Lead(BaseModel):
    strength: str = Field(description=(
        "strong, possible or weak: the face evidence's band, one step lower for a long gap between the photos "
        "and one step lower when the reporter saw what the case contradicts (see contradicts); none: the face is "
        "no lead (beyond the operating point), a candidate only a family's word (or an earlier review) keeps"))
    face_strength: str | None = Field(default=None, description="The band the face evidence alone gives")
    one_in: int | None = Field(description=(
        "About 1 in this many pairs of different children of similar ages and age gap look this similar; null "
        "without calibration, and when bounded"))
    bounded: bool = Field(description=(
        "True: more alike than almost any two different children tested (as the closest pairs, or more); no number "
        "is given (one_in is null): the only one would be the size of the sample tested, not how alike the pair is"))
    gap_years: Years | None = Field(description=(
        "Years between the case photo compared and the sighting, to one decimal (rounded); null when unknown"))
    long_gap: bool
    rank: int | None = Field(description="Among the cases proposed for this sighting (see CandidateOut.rank)")
    rank_of: int | None = Field(description="How many open cases the sighting is searched against now")
    contradicts: list[str] = Field(default_factory=list, description=(
        "What the reporter saw that the case contradicts: 'sex' (seen as a boy, the case is a girl's, or the "
        "reverse), 'age' (the case's expected age lies outside the reporter's range by more than the ranking's "
        "tolerance), 'time' (a time seen that was given, seen before the child went missing at every time each "
        "may be: the whole day, month or year of a date given alone, a camera's clock read in an assumed zone "
        "at any zone it may have been set to). Each takes the band one step down; `lead_words` say them next to "
        "it"))
    together: int = Field(1, description=(
        "How many sightings' faces (distinct pictures: the same photo sent again counts once) `one_in` reads "
        "together: 1, this face alone; more, the trail's faces fused (one child seen several times), as "
        "`lead_words` say (\"these N sightings together\")"))
    photos_removed: bool = Field(False, description=(
        "True: the case was closed with the family's photos deleted; the face evidence read faces no longer kept, "
        "so one_in is null and no reading when decided is given (the band stays as the record)"))
    when_decided: LeadThen | None = Field(default=None, description=(
        "Of a confirmed or dismissed lead whose reading changed since the decision (its trail grew or shrank): "
        "the reading the decision was made on; null when it reads the same, or is undecided"))


class LeadThen(BaseModel):
    """A decided lead's reading when it was decided, given only when it reads otherwise now."""

    status: str = Field(description="The decision: confirmed or dismissed")
    at: datetime | None = Field(default=None, description="When it was decided")
    strength: str
    face_strength: str | None = None
    one_in: int | None
    bounded: bool
    together: int = Field(1, description="As Lead.together, then")


class FamilyWordOut(BaseModel):
    answer: str = Field(description="'maybe' (this may be my child) or 'not' (not my child)")
    note: str = Field(description="The family's words with it; empty: none")
    at: datetime


class CandidateOut(BaseModel):
    id: int
    case_id: int
    sighting_id: int
    sighting_face_id: int
    case_face_id: int | None = Field(description="None once the family's photos were deleted (closed case)")
    score: float | None = Field(default=None, description=(
        "Only for reviewers (null for anyone else): the uncalibrated total that orders candidates (face evidence "
        "plus age, time, place and sex plausibility). Not a probability: it can exceed 1. Show `lead_words`"))
    face_score: float | None = Field(default=None, description=(
        "Only for reviewers: the raw face similarity, uncalibrated (different children often score 0.95): "
        "never show it as a percentage; `lead.one_in` is what it means"))
    age_score: float | None = Field(default=None, description="Only for reviewers: uncalibrated plausibility term")
    time_score: float | None = Field(default=None, description="Only for reviewers: uncalibrated plausibility term")
    place_score: float | None = Field(default=None, description="Only for reviewers: uncalibrated plausibility term")
    sex_score: float | None = Field(default=None, description="Only for reviewers: uncalibrated plausibility term")
    expected_age: Years = Field(description="The child's age on the day seen, in years to one decimal (rounded)")
    distance_km: float | None = Field(description=(
        "From where last seen; for anyone who does not see exact places, between the two places' ~1 km grid "
        "cells, in whole kilometres, 1 meaning within about 1 km (never 0: the place is known to ~1 km)"))
    elapsed_days: float = Field(description=(
        "Days from when the child went missing to the sighting's seen_at (with `seen_at_basis` `arrival`: to "
        "when the report arrived, a latest time; to the start of its hour for anyone who does not see originals), "
        "the number the ranking reads. From `missing_since` as stored: for a date given alone "
        "(`missing_since_precision` day, month or year) its first instant, midnight where it was given, a time "
        "nobody gave: read it then by `elapsed_precision` and `elapsed_periods`, never as hours. With "
        "`camera_zone_assumed`, seen_at may be 14 hours off either way"))
    elapsed_precision: str = Field("instant", description=(
        "How precisely elapsed_days is known, the coarser of the two times: `instant` (both to the minute), `hour` "
        "(the time seen is its hour: `seen_at_precision`), or `day`, `month`, `year` (the case's missing since "
        "was given as a date alone: count whole days, months or years, `elapsed_periods`). `explanation` says it "
        "so: \"the same day the child went missing\", \"3 days after the day the child went missing\""))
    elapsed_periods: list[int] | None = Field(None, description=(
        "With `elapsed_precision` day, month or year: the whole calendar days (months, years) from the day (month, "
        "year) the child went missing to the one the child was seen in, as [fewest, most] (equal unless the time "
        "seen spans two: an hour across midnight, a camera's clock read in an assumed zone), counted where the "
        "date was given (its date as missing_since's offset writes it): 0 the same day, negative before it. Null "
        "otherwise"))
    seen_at_basis: str = Field("given", description=SEEN_AT_BASIS)
    seen_at_precision: str = Field("instant", description=SEEN_AT_PRECISION)
    status: str
    review_reason: str = Field(description=(
        "The reviewer's own words only for those who review candidates (they can name where the child was "
        "seen); anyone else reads the fixed words “A reviewer confirmed this lead” in the request's language"))
    family_summary: str = Field(default="", description=(
        "The moderators' words about the child for families (checked against the reporter's place); "
        "empty: none written"))
    explanation: str = Field(description=(
        "In the request's language: first what the reporter saw that contradicts the case (sex, age, time), "
        "then distance, time and ages; the time as precisely as both times are known (`elapsed_precision`)"))
    held_again: bool = Field(default=False, description=(
        "A confirmed lead whose report its reporter added to since (a photo, words, the time seen): moderators "
        "are checking it again; its sighting and photos are not shown until they approve it"))
    ruled_out: bool = Field(default=False, description=(
        "The face this candidate compares was ruled out: a moderator marked another face of its photo as the "
        "child's (the compared face is a bystander's). It is nobody's lead: no rank, not in the workbench, never "
        "confirmed any more, and shown to no family or partner (so only reviewers ever read true here); a "
        "decision taken on it before is kept as history"))
    confirmed_for: list[int] = Field(default_factory=list, description=(
        "Only for reviewers (empty for anyone else): the other cases a reviewer confirmed this sighting for. "
        "A sighting confirmed for one child's case is rarely another child's: one of the two may be a child "
        "registered twice, perhaps by someone who is not the family"))
    found_for: list[int] = Field(default_factory=list, description=(
        "Only for reviewers (empty for anyone else): the cases closed as reunited that found the child of this "
        "candidate's sighting. Such a report is no other family's lead: never proposed, never confirmed for "
        "another case"))
    family_answer: str | None = Field(default=None, description="The family's latest answer (see family_words)")
    family_note: str = Field(default="", description="The note sent with the family's latest answer")
    family_words: list[FamilyWordOut] = Field(default_factory=list, description=(
        "Every answer the child's family sent on this candidate, each with its note and time, oldest first: a "
        "note sent again is kept once, a new one never replaces an earlier one"))
    proposed_by: str = "machine"
    dismissed_before_at: datetime | None = Field(default=None, description=(
        "Only for reviewers (null for anyone else): when a reviewer dismissed this candidate before the family's "
        "new words brought it back for a second look (the workbench's “Already dismissed on …”); null when it "
        "was never brought back. Families never read a dismissal"))
    rank: int | None = Field(default=None, description=(
        "Among the cases proposed for this sighting (those at the operating point: every case ranked above it is "
        "a candidate too), one ranking whatever face of its photos each case was matched by (the child's face "
        "alone once a moderator marked it; every face while none is), so no two cases share a rank; by face "
        "evidence and age, time, place and sex plausibility; for "
        "anyone who does not see exact places, with the distance between the places' ~1 km grid cells. "
        "Counted when read, among the cases verified and open then: a case rejected, closed or held again "
        "since matching ranks above nobody. Null for a candidate of a case not verified and open now "
        "(`case_state`: its history, not a lead among the open cases), for one of a face ruled out (`ruled_out`) "
        "and for a family's proposal matching has not ranked yet"))
    rank_of: int | None = Field(default=None, description=(
        "How many open cases (verified, open, the child missing before it was seen) the sighting is searched "
        "against now; null with `rank`"))
    case_state: str | None = Field(default=None, description=(
        "Where the candidate's case stands now, in the words the case page uses: 'verified and open' (searched "
        "and ranked), 'waiting for verification' (never verified, reopened, or held again as possibly a child "
        "registered already), 'reunited', 'closed', 'rejected', 'expired'. `status` says the lead's own decision "
        "(proposed, confirmed, dismissed)"))
    lead: Lead
    lead_words: list[str] = Field(description="The lead in words, in the request's language (Accept-Language)")
    group_id: int | None = Field(default=None, description="The sighting's group (one child seen several times)")
    group_size: int | None = Field(default=None, description="Reports in the sighting's group (its trail)")
    group_copies: int | None = Field(default=None, description=(
        "Of those, reports that only send again a photo an earlier report of the trail holds: the child was "
        "seen group_size - group_copies times"))
    copy_of: int | None = Field(default=None, description=(
        "The earlier report of the trail whose photo this sighting's report sends again, if it is such a copy"))
    same_photo_dismissed_in: int | None = Field(default=None, description=(
        "Only for reviewers, of a waiting lead: another report whose lead for this case, on the same face in the "
        "same picture (the same photo sent again), a reviewer dismissed (“Already dismissed on …”)"))
    same_photo_dismissed_at: datetime | None = Field(default=None, description=(
        "Only for reviewers: when that lead was dismissed"))


class DuplicateOut(BaseModel):
    id: int
    case_id: int
    other_case_id: int
    case_name: str
    other_name: str
    status: str
    child_cases: list[int] = Field(description=(
        "Every case the open flags join to these two: registrations that may all be one child, listed together"))
    verification_waits: list[int] = Field(default_factory=list, description=(
        "The case of the two (if any) that cannot be verified until this flag is resolved (linked or dismissed): "
        "the other is verified already and was registered by another account"))
    same_name: bool = Field(False, description=(
        "Both cases give one name (in any order, script or spelling: 李华, Li Hua) and birth dates within a year: "
        "flagged whatever their faces look like, as a registration copied from another's poster would be"))
    births_apart_days: int | None = Field(None, description="How many days apart the two birth dates are")
    same_photo: bool = Field(False, description=(
        "A photo of one case is a photo of the other (the same picture: faces of one picture, or a copy resized, "
        "re-encoded or cropped): flagged whatever the birth dates and names, a poster's photo registered again"))
    photo_on_poster: int | None = Field(None, description=(
        "With `same_photo`: the case (of the two) whose public poster shows that photo, if either's does"))
    linked_by: str | None = Field(None, description=(
        "A partner registry linked the two as one child (a PFIF note's `linked_person_record_id`): the token (by "
        "name) or account whose import made the link"))
    linked_note: str | None = Field(None, description="That PFIF note's record id")
    partner_only: bool = Field(False, description=(
        "Only that link flagged them: it holds neither case back (no verification waits on it) until you decide"))
    lead: Lead
    lead_words: list[str] = Field(description=(
        "The flag in words, in the request's language: \"Same photo: …\" first with `same_photo`, then who linked "
        "them (`linked_by`), then the reading"))


class SearchHit(BaseModel):
    face_id: int
    sighting_id: int
    similarity: float | None = Field(default=None, description=(
        "Only for reviewers (null for anyone else): the raw face similarity, uncalibrated; never show it as a "
        "percentage. Hits come by band, then by `lead.one_in`, most alike first"))
    seen_at: datetime
    seen_at_basis: str = Field("given", description=SEEN_AT_BASIS)
    seen_at_precision: str = Field("instant", description=SEEN_AT_PRECISION)
    place_text: str
    query_face: int
    lead: Lead
    lead_words: list[str]
    group_id: int | None = None

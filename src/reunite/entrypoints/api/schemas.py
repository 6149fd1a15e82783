"""Response DTOs: what the API promises to return (never ORM rows, never internal paths)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from reunite.domain.access import exact
from reunite.domain.model import age_shown

# a coordinate as it is given out: exact ones to 6 decimals (never a float's noise), coarse ones as they are
Coordinate = Annotated[float | None, AfterValidator(exact)]
Years = Annotated[float, AfterValidator(age_shown)]  # an age, or a gap between ages: one decimal, rounded


class FieldProblem(BaseModel):
    field: str | None = Field(description="The input, as it is sent (`sex`, `seen_from`), else `body` or `query`")
    detail: str = Field(description="What is wrong with it and what to send instead, in the reader's language")
    loc: list[str | int] | None = Field(None, description=(
        "Found by the request's validation: where (`[\"query\", \"seen_from\"]`, `[\"body\", \"sex\"]`)"))
    type: str | None = Field(None, description="Found by the request's validation: the kind of problem")


class Problem(BaseModel):
    """Every error of the API, whatever found it, in the reader's language (``?lang=``, ``Accept-Language``)."""

    detail: str = Field(description="A sentence for the reader: what is wrong and what to do")
    field: str | None = Field(description="The input it is about (the first one's, when several are wrong)")
    problems: list[FieldProblem] = Field(description="Each problem of the input (a 422's), else empty")


SEEN_AT_BASIS = (
    "How seen_at was obtained: `given` (the reporter said when), `camera` (the photo's clock, with the offset "
    "the camera wrote), `camera_zone_assumed` (the photo's clock, which wrote no zone: read in `seen_at_zone`), "
    "`arrival` (no time was given, or the photo's clock was not plausible: seen_at is when the report arrived, "
    "only a latest time; matching draws nothing from it). Show `arrival` as \"time not given (report received "
    "…)\", never as a time seen")


SEEN_AT_ZONE = ("With `camera_zone_assumed`: the zone the camera's zone-less clock was read in (an IANA name, or "
                "an offset such as UTC+09:00). With `given`: when not empty, the time was read from the report's "
                "own words (an e-mail's, a public post's), in that zone: show it as such, to be checked against "
                "the words. Empty otherwise")


CAMERA_CLOCK = ("A photo's clock set aside as implausible (before 2000-01-01, more than 25 years before the "
                "report, or in the future), as the camera wrote it (e.g. `1970-01-01 00:00`): seen_at is then "
                "the report's arrival (`arrival`); empty otherwise")


SEEN_AT_PRECISION = (
    "`instant`, or `hour`: an `arrival` read by someone who does not see originals (partners, families), "
    "who read the hour it arrived in (seen_at is the hour's start, cut in UTC; show it as a range: \"between 4 "
    "and 5 PM\"), and filter and sort on that hour too")


PROCESSED_AT = ("When the photo's faces were searched for (null: not yet); to the hour for anyone who does not "
                "see originals")


class SightingAccepted(BaseModel):
    id: int
    photo_ids: list[int]
    seen_at: datetime
    seen_at_basis: str = Field("given", description=SEEN_AT_BASIS)
    time_from_photo: bool
    place_from_photo: bool
    zone_assumed: str = Field("", description=(
        "Set when seen_at is the camera's clock, which wrote no time zone: the zone it was read in (the "
        "reporter's, else the site's; an IANA name, or an offset such as UTC+09:00). Send seen_at with its "
        "offset to correct it."))
    camera_clock: str = Field("", description=CAMERA_CLOCK)
    message: str = Field(description=(
        "For the reporter, in the request's language; when no time could be used (`arrival`), it asks when the "
        "child was seen"))
    receipt: str = Field("", description=(
        "The report's receipt number, for the reporter (empty when the report joined a sighting reported "
        "before)"))
    report_token: str = Field("", description=(
        "The secret of the reporter's private link: with `receipt`, it gives the time seen later "
        "(POST /api/reports/{receipt}/{report_token}/time) and opens `report_link`. Keep it as private as "
        "the reporter's contact: whoever holds it can add to or withdraw the report"))
    report_link: str = Field("", description=(
        "The reporter's private page (to add details or a photo, give the time, or withdraw the report): "
        "give it to the reporter alone"))
    already_received: bool = Field(False, description=(
        "This very report was received already (true on every retry: nothing new was stored). Sent again "
        "with its `Idempotency-Key`, or anonymously with the same puzzle and the cookie this API gave with "
        "it, the answer is the first one's, `receipt`, `report_token` and `report_link` included; sent again "
        "without them (by the same token, or the same puzzle or cookie alone) within 10 minutes, those three "
        "are left empty, as they were given in the first answer only (a token may relay many people, and a "
        "puzzle travels in the request: the next one's identical report must not get the first one's link). "
        "Send each report with its own `Idempotency-Key` to get the whole first answer on a retry"))


class TimeGiven(BaseModel):
    id: int
    seen_at: datetime
    seen_at_basis: str = Field("given", description=SEEN_AT_BASIS)
    message: str = Field(description="For the reporter, in the request's language")


class CaseAccepted(BaseModel):
    id: int
    photo_ids: list[int]
    message: str
    already_registered: bool = False  # answered 200: this sender had registered the child as case ``id``


class SightingPhoto(BaseModel):
    id: int
    width: int
    height: int
    face_count: int | None
    processed_at: datetime | None = Field(description=PROCESSED_AT)


class SightingFace(BaseModel):
    id: int
    photo_id: int
    box_left: int
    box_top: int
    box_right: int
    box_bottom: int
    quality: float
    detector: str


class SightingOut(BaseModel):
    id: int
    seen_at: datetime
    seen_at_basis: str = Field("given", description=SEEN_AT_BASIS)
    seen_at_precision: str = Field("instant", description=SEEN_AT_PRECISION)
    seen_at_zone: str = Field("", description=SEEN_AT_ZONE)
    camera_clock: str | None = Field(default=None, description="Only for reviewers who see originals: " + CAMERA_CLOCK)
    lat: Coordinate
    lon: Coordinate
    place_text: str
    apparent_age_low: int | None
    apparent_age_high: int | None
    apparent_sex: str
    description: str = Field(description=(
        "What the child was doing, wearing: the reporter's words, empty for readers without exact places "
        "(they can name the place)"))
    with_whom: str = Field(default="", description="Who the child was with (as description: reviewers only)")
    family_summary: str = Field(default="", description=(
        "A moderator's words about the child for every reader (clothes, what the child was doing, who was with "
        "the child), never the place beyond its city; empty until a moderator writes them"))
    photo_count: int
    face_count: int = Field(description=(
        "Faces found, as this reader is shown them: for anyone who does not see originals, the child's face "
        "(1) or none (0); the bystanders, withheld, are not counted (nor in each photo's face_count)"))
    first_face_id: int | None
    status: str = Field(description="Moderation: pending, approved or rejected")
    state: str = Field(description="Processing: processing, faces found or no face found")
    place_precise: bool = Field(description="False: the place is coarsened to about 1 km for this reader")
    words_withheld: bool = Field(default=False, description=(
        "True: the reporter wrote a description, withheld from this reader (it can name the place)"))
    child_face_id: int | None = None
    reporter_contact: str | None = Field(default=None, description="Only for police and moderators")
    group_id: int | None = Field(default=None, description="Sightings that look like the same child share a group")


class TrailPoint(BaseModel):
    id: int
    seen_at: datetime
    seen_at_basis: str = Field("given", description=SEEN_AT_BASIS)
    seen_at_precision: str = Field("instant", description=SEEN_AT_PRECISION)
    lat: Coordinate
    lon: Coordinate
    place_text: str
    place_precise: bool


class SightingDetail(SightingOut):
    version: str | None = Field(default=None, description=(
        "Only for moderators: what they read of the report, sent back with a decision on it (409 once it changed)"))
    photos: list[SightingPhoto]
    faces: list[SightingFace]
    trail: list[TrailPoint] = Field(default=[], description=(
        "Every sighting of the same group (this one included), oldest first: one child's places and times"))


class SightingPage(BaseModel):
    total: int
    items: list[SightingOut]


class CasePhoto(BaseModel):
    id: int
    taken_on: date | None
    face_count: int | None
    processed_at: datetime | None


class NoteOut(BaseModel):
    id: int
    author_name: str
    status: str
    last_known_location: str
    text: str
    source_date: datetime
    source: str
    contacts: dict[str, str] = Field(description="author_email, author_phone, email_/phone_of_found_person")


class CaseOut(BaseModel):
    """A case; of an expired one (retention, a takedown), only the placeholder: id, status, dates
    (every other field null, no photos)."""

    id: int
    given_name: str | None = None
    family_name: str | None = None
    nicknames: list[str] | None = None
    sex: str | None = None
    birth_date: date | None = None
    missing_since: datetime | None = None
    last_seen_lat: Coordinate = None
    last_seen_lon: Coordinate = None
    last_seen_text: str | None = None
    description: str | None = Field(default=None, description=(
        "The family's words about the child for the family, police and moderators; for anyone else (partners' "
        "tokens) only the text a moderator approved for sharing (shared_description), empty until one has: the "
        "family's own words may say where the child lives"))
    description_withheld: bool = Field(default=False, description=(
        "True: the family wrote a description that this reader does not read, as no moderator has approved a "
        "text of it for sharing"))
    shared_description: str | None = Field(default=None, description=(
        "Only for the family and reviewers: what everyone else reads as the description (partners' tokens, "
        "webhooks, exports, alerts, the poster); empty: nothing"))
    marks: str | None = Field(default=None, description=(
        "The family's distinguishing marks for the family, police and moderators; for anyone else only the marks a "
        "moderator approved for sharing (shared_marks), empty until one has, as the description"))
    marks_withheld: bool = Field(default=False, description=(
        "True: the family wrote marks that this reader does not read, as no moderator has approved them for sharing"))
    shared_marks: str | None = Field(default=None, description=(
        "Only for the family and reviewers: what everyone else reads as the marks (partners' tokens, exports); "
        "empty: nothing"))
    sharing_review_since: datetime | None = Field(default=None, description=(
        "Only for the family and reviewers: since when the case waits for a moderator to approve its texts for "
        "sharing again, a partner's record having rewritten them (what was approved withdrawn); null: nothing waits"))
    status: str
    verified_at: datetime | None
    closed_at: datetime | None = None
    photos: list[CasePhoto]
    family_contact: str | None = Field(default=None, description="Only for the family and reviewers")
    police_report: str | None = Field(default=None, description="Only for the family and reviewers")
    birth_date_precision: str = Field(default="day", description=(
        "How precisely the birth date is known: day, month, year, or age (estimated from an age); a partial "
        "date is stored as the middle of what it spans"))
    missing_since_precision: str = Field(default="instant", description=(
        "How precisely missing_since is known: instant (a date and time was given), or day, month, year (a date "
        "was given alone: missing_since is then the first instant of that day, month or year where it was given, "
        "its date read at the offset missing_since carries, and no time of day is known)"))
    imported_contacts: dict[str, str] | None = Field(default=None, description=(
        "Only for reviewers: what a partner registry's PFIF record said about its author's contacts and the "
        "family's home (author_name, author_email, author_phone, home_*)"))
    notes: list[NoteOut] | None = Field(default=None, description="Only for reviewers: a partner registry's notes")
    notes_aside: list[NoteOut] | None = Field(default=None, description=(
        "Only for reviewers: notes another registry (source) sent on this case, kept aside as their sender may not "
        "write or read it; a moderator may attach one (POST /api/cases/{id}/notes/{note_id}/attach)"))


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
        "True: as alike as the closest pairs of different children tested, or more; no number is given (one_in is "
        "null): the only one would be the size of the sample tested, not how alike the pair is"))
    gap_years: Years | None = Field(description=(
        "Years between the case photo compared and the sighting, to one decimal (rounded); null when unknown"))
    long_gap: bool
    rank: int | None = Field(description="Among the cases proposed for this sighting face (see CandidateOut.rank)")
    rank_of: int | None = Field(description="How many open cases the sighting is searched against now")
    contradicts: list[str] = Field(default_factory=list, description=(
        "What the reporter saw that the case contradicts: 'sex' (seen as a boy, the case is a girl's, or the "
        "reverse), 'age' (the case's expected age lies outside the reporter's range by more than the ranking's "
        "tolerance), 'time' (a time seen that was given, seen before the child went missing at every time each "
        "may be: the whole day, month or year of a date given alone, a camera's clock read in an assumed zone "
        "at any zone it may have been set to). Each takes the band one step down; `lead_words` say them next to "
        "it"))


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
    confirmed_for: list[int] = Field(default_factory=list, description=(
        "Only for reviewers (empty for anyone else): the other cases a reviewer confirmed this sighting for. "
        "A sighting confirmed for one child's case is rarely another child's: one of the two may be a child "
        "registered twice, perhaps by someone who is not the family"))
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
        "Among the cases proposed for this sighting face (those at the operating point: every case ranked "
        "above it is a candidate too), by face evidence and age, time, place and sex plausibility; for "
        "anyone who does not see exact places, with the distance between the places' ~1 km grid cells. "
        "Counted when read, among the cases verified and open then: a case rejected, closed or held again "
        "since matching ranks above nobody. Null for a candidate of a case not verified and open now "
        "(`case_state`: its history, not a lead among the open cases) and for a family's proposal matching "
        "has not ranked yet"))
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
    group_size: int | None = None


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
    lead: Lead
    lead_words: list[str]


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


class PowChallenge(BaseModel):
    challenge: str
    bits: int


class MessageOut(BaseModel):
    id: int
    from_family: bool
    body: str
    created_at: datetime


class TokenIssued(BaseModel):
    id: int = Field(description="The token's number, for DELETE /api/tokens/{id}")
    token: str = Field(description="The secret, shown only in this answer")

"""Request DTOs: the bodies the API takes in (JSON), validated before any service runs; every problem
is answered in the one error shape (``problems.py``). Every body is a ``BodyIn``: a field it does not
name is refused (422 naming it), never silently dropped (a misspelt ``keep_data`` must not keep a
family's photos); the OpenAPI document says so (``additionalProperties: false``). Its texts are read as every
typed text is (``spelling.without_controls``), in this one place for every body."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reunite.domain.access import Scope
from reunite.domain.spelling import texts_without_controls
from reunite.entrypoints.api.guard import Id
from reunite.entrypoints.api.validation import GivenTime


class BodyIn(BaseModel):
    """A JSON body the API takes: only the fields it names (``inputs`` refuses the same of forms and queries)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _typed(cls, data: Any) -> Any:
        """Every text it holds (a reason, a token's name, evidence, a label…) trimmed and without invisible
        control characters, before any field's length is counted, as a page's form reads it (``forms.text``);
        a lone surrogate never comes so far (``guard.check_json`` refuses it naming its field)."""
        return texts_without_controls(data) if isinstance(data, dict) else data


class TimeIn(BodyIn):
    seen_at: GivenTime = Field(description="When the reporter saw the child, with its UTC offset")


class PlaceIn(BodyIn):
    place_text: str = Field("", max_length=500, description=(
        "Where the reporter saw the child, in words naming the town or city (a street alone names none)"))
    lat: float | None = Field(None, description="Or, with lon, the position")
    lon: float | None = None


class DuplicateIn(BodyIn):
    decision: str = Field(description="link, dismiss or reopen")
    reason: str = Field("", description=(
        "Required to dismiss (they are different children): what was checked; kept in the audit log of both "
        "cases. Optional for the others"))


class PhotoCopyClearIn(BodyIn):
    reason: str = Field(description=(
        "Required: why the case photo is the family's own although a report holds it (e.g. the report reposted "
        "the family's appeal and was rejected); kept in the case's audit log and shown on the flag"))


class DuplicateFlagIn(BodyIn):
    case_id: Id = Field(description="A case (one of two open cases a moderator judges may be one child)")
    other_case_id: Id = Field(description="The other case")


class ReviewIn(BodyIn):
    decision: str
    reason: str = Field("", description=(
        "Required to dismiss: why, in words (three letters or more, or two Chinese characters: \".\" or \"x\" is "
        "refused, 422), or a one-key reason's number 1–5; optional to confirm"))
    members: list[int] | None = Field(None, description=(
        "To confirm with it: other candidates of the same case on this child's trail (as the workbench's "
        "ticks); the reviewed candidate is always confirmed, listed or not; one not on the trail is refused "
        "(422) and nothing is confirmed"))
    take_over: bool = Field(False, description=(
        "Decide a candidate another reviewer holds on their workbench (the 409 names them and until when); "
        "audited as taken over"))


class ModerateIn(BodyIn):
    ids: list[Id] = Field(max_length=500)
    approve: bool
    reason: str = ""
    child_faces: dict[Id, Id | None] = Field(default_factory=dict, description=(
        "For approving a report whose photos show several faces, none marked as the child's (required then): "
        "its id → the child's face id (marked so), or null when the child's face is not among them. A choice "
        "for a report whose child's face someone marked meanwhile, other than that face, is refused (409): "
        "a mark is changed with POST /api/sightings/{id}/child-face"))
    versions: dict[Id, str] = Field(default_factory=dict, description=(
        "Each report's id → its `version` as read (GET /api/sightings/{id}): a report changed since (decided by "
        "another moderator, back in the queue, a photo, a face or words added) is refused (409) and nothing is "
        "decided. Without it a report is decided only while it waits with the photos it came with; changing a "
        "decision (an approved report rejected, a rejected one approved) or approving photos its reporter added "
        "later is 409 until its version is sent"))


class ChildFaceIn(BodyIn):
    face_id: Id | None
    version: str | None = Field(default=None, description=(
        "The report's `version` as read: refused (409) when the report changed since; without it the face "
        "named is marked"))


class CaseChildFaceIn(BodyIn):
    face_id: Id | None = Field(description=(
        "The child's face among the photo's `face_ids`; null (police and moderators only): cannot tell, the photo "
        "is then published nowhere and not matched"))


class FamilySummaryIn(BodyIn):
    family_summary: str = Field(description="What families may read about the child; empty: nothing")


SHARED_DESCRIPTION = (
    "The case's description as partners' tokens, webhooks, exports, alerts and the poster may read it (the "
    "family's words, a home address or a school taken out); empty: nothing. Words that repeat where the family "
    "said the child was last seen beyond its city, a position, a map code or a contact are refused (422)")


SHARED_MARKS = (
    "The case's distinguishing marks as partners' tokens and exports (CSV, the PFIF note's text) may read them (the "
    "family's words, a school, a name or a phone taken out); empty: nothing. Refused (422) as the shared "
    "description is")


class EvidenceIn(BodyIn):
    evidence: str
    shared_description: str | None = Field(default=None, description=(
        SHARED_DESCRIPTION + "; left out: nothing is shared until it is written (PUT "
        "/api/cases/{id}/shared-description)"))
    shared_marks: str | None = Field(default=None, description=(
        SHARED_MARKS + "; left out: nothing is shared until they are written (PUT /api/cases/{id}/shared-marks)"))

    child_faces: dict[Id, Id | None] = Field(default_factory=dict, description=(
        "Of each photo showing several faces none chosen as the child's (`face_ids` of GET /api/cases/{id}): "
        "photo id → the child's face id, or null when you cannot tell (the photo then stays unpublished and "
        "unmatched until someone chooses). Refused (422) while such a photo is left out"))
    version: str | None = Field(default=None, max_length=64, description=(
        "The case's `version` as GET /api/cases/{id} gave it when you read the case: send it. The case changed "
        "since (corrected by its family, a photo added) is refused (409: read it again) rather than verified with "
        "facts you never saw. Left out (older clients), the case is verified as it stands"))

    def shared(self) -> dict[str, str]:
        """The free texts approved with the verification, by name (``access.SHARED_TEXTS``): those given."""
        given = {"description": self.shared_description, "marks": self.shared_marks}
        return {name: text for name, text in given.items() if text is not None}


class SharedDescriptionIn(BodyIn):
    shared_description: str = Field(description=SHARED_DESCRIPTION)


class SharedMarksIn(BodyIn):
    shared_marks: str = Field(description=SHARED_MARKS)


class ReasonIn(BodyIn):
    reason: str


class CaseDecisionIn(ReasonIn):
    version: str | None = Field(default=None, max_length=80, description=(
        "The case's `version` as GET /api/cases/{id} gave it when you read the case: send it. A case decided "
        "meanwhile by another moderator (verified, or reopened and ended again), or changed since, is refused (409: "
        "read it again) rather than that decision overturned unseen. Left out (older clients), the case is taken as it "
        "stands"))


class MessageIn(BodyIn):
    body: str


class VerificationIn(BodyIn):
    candidate_id: Id | None = None
    method: str = Field(description="dna, document or interview")
    result: str = Field(description="match, no_match or pending")
    notes: str = ""


class CloseIn(BodyIn):
    reunited: bool
    keep_data: bool = Field(description=(
        "Required, as on the case's page: true keeps the family's photos until the closed case expires, false "
        "deletes them and their faces for good"))
    version: str | None = Field(default=None, max_length=80, description=(
        "The case's `version` as GET /api/cases/{id} gave it when you read the case: send it. A case decided "
        "meanwhile (verified, held back, reopened) or changed since is refused (409: read it again). Left out "
        "(older clients), the case is closed as it stands"))


class TakedownIn(BodyIn):
    subject: str = Field(description="sighting or case")
    subject_id: Id
    requester: str = Field(description="How a moderator can reach you to check your identity")
    relation: str = ""
    reason: str


class DecisionIn(BodyIn):
    approve: bool
    evidence: str


class UndoIn(BodyIn):
    evidence: str = Field(description="Why the removal is undone")


class AnswerIn(BodyIn):
    answer: Literal["object", "confirm"] = Field(description=(
        "object: the registrant objects (the case stays); confirm: the registrant asked for it (removed now)"))


class TokenIn(BodyIn):
    name: str
    scopes: list[Scope]
    domains: list[str] = []


class SubscriptionIn(BodyIn):
    channel: str = Field(default="email", description="email or webhook")
    address: str = Field(description="An email address, or the webhook's http(s) URL")
    lat: float | None = None
    lon: float | None = None
    radius_km: float = Field(default=10, description="The subscriber's own area around the point")
    region: str = Field(default="", description="Or a region's name, matched against where a child was last seen")
    language: str = Field(default="en", description=(
        "The alerts' language: `en`, `zh_CN` (simplified Chinese), `zh_TW` or `zh_HK` (traditional Chinese, "
        "as written in Taiwan and in Hong Kong)"))
    digest: bool = Field(default=False, description="One email a day instead of one per case")


class CaseCorrectionIn(BodyIn):
    """A case corrected by whoever registered it (docs/decisions/0007): only the fields given change."""

    given_name: str | None = Field(None, max_length=200)
    family_name: str | None = Field(None, max_length=200)
    nicknames: list[str] | None = Field(None, description="Every nickname, replacing those kept")
    sex: str | None = Field(None, description="female, male or unknown")
    birth_date: str | None = Field(None, max_length=40, description=(
        "As at registration: YYYY-MM-DD, or a month or a year alone (2015-03, 2015) kept as that month or year"))
    missing_since: str | None = Field(None, max_length=100, description=(
        "As at registration: a date and time with its UTC offset, or a date, month or year alone"))
    last_seen_lat: float | None = None
    last_seen_lon: float | None = None
    last_seen_text: str | None = Field(None, max_length=500)
    description: str | None = Field(None, max_length=4000)
    marks: str | None = Field(None, max_length=2000)
    police_report: str | None = Field(None, max_length=200)
    family_contact: str | None = Field(None, max_length=500)
    shared_description: str | None = Field(None, description=SHARED_DESCRIPTION + "; police and moderators only")
    shared_marks: str | None = Field(None, description=SHARED_MARKS + "; police and moderators only")


class CorrectionDecisionIn(BodyIn):
    decision: Literal["accept", "refuse"]
    reason: str = Field("", description="Required to refuse: why, in words (the family reads that it was refused)")
    checked: bool = Field(False, description="To accept photos held with it that the machine reads as not the "
                          "case's child, as more like another account's case, or not read yet "
                          "(``added_check.check_needed`` in the queue): you compared them and it is the same child")

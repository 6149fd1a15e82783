"""Response DTOs of cases: a registration accepted, a case as its reader may see it (its photos, a partner
registry's notes), a message between its family and the reviewers."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from reunite.entrypoints.api.schemas import Coordinate


class CaseAccepted(BaseModel):
    id: int
    photo_ids: list[int]
    message: str
    already_registered: bool = False  # answered 200: this sender had registered the child as case ``id``


class CasePhoto(BaseModel):
    id: int
    taken_on: date | None
    face_count: int | None = Field(description=(
        "Faces found; for partners, the child's face alone (1), never how many others were blurred"))
    processed_at: datetime | None
    face_ids: list[int] | None = Field(default=None, description=(
        "Its family, police and moderators: the photo's faces in the order found (face 1, face 2…), to choose the "
        "child's in a photo of several (PUT /api/cases/{id}/photos/{photo_id}/child-face, or `child_faces` when "
        "verifying). A photo of several faces none chosen is published nowhere and not matched"))
    child_face_id: int | None = Field(default=None, description=(
        "Its family, police and moderators: the face chosen as the child's in a photo of several"))


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
    version: str | None = Field(default=None, description=(
        "Only for reviewers, of a case open, reunited, closed or rejected: what this answer read of it (where it "
        "stood and since when, its facts and photos). Send it with POST /api/cases/{id}/verify, /reject, /close or "
        "/reopen: a case changed since (verified, rejected or reopened by another moderator, its family corrected it, "
        "a photo was added) is then refused (409) instead of decided unread"))
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


class MessageOut(BaseModel):
    id: int
    from_family: bool
    body: str
    created_at: datetime


class CaseCorrected(BaseModel):
    """What a correction did (docs/decisions/0007)."""

    id: int
    applied: list[str] = Field(description="The fields changed now")
    waiting: list[str] = Field(description=(
        "The identity facts of a verified case corrected by someone who may not verify cases: they wait for a "
        "moderator (``correction_id``); the case keeps its values until one accepts them"))
    correction_id: int | None = None
    replaced: bool = Field(default=False, description=(
        "It replaced a correction of this case still waiting for a moderator: that one's values are dropped (send "
        "them again with this one to keep them)"))
    message: str

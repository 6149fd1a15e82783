"""Response DTOs of a child possibly registered twice, as people judge it: the other accounts' cases that look
alike a case being verified (``GET /api/cases/{id}/look-alikes``, each case of ``GET /api/moderation/queues``),
and a moderator's own duplicate flag (``POST /api/moderation/duplicates``)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from reunite.entrypoints.api.candidate_schemas import Lead


class LookAlikeOut(BaseModel):
    case_id: int = Field(description=(
        "The other case, registered by another account: open (verified or waiting), or ended (closed, reunited: "
        "a child registered again after its case ended is missing again, or sought by someone posing as a parent)"))
    face_id: int = Field(description="Its face most alike this case's (`GET /api/faces/{id}/crop`)")
    this_face_id: int = Field(description="This case's face it is most alike")
    registered_by: str = Field(description=(
        "Who registered it, as a kind, never who: family (a family's account), import (a partner registry's "
        "record), partner (a partner's API token) or staff (police, a moderator)"))
    verified: bool
    status: str = Field(description="Where the other case stands: open, closed or reunited")
    birth_date: date = Field(description="The birth date the other case gives")
    this_birth_date: date = Field(description="The birth date this case gives")
    births_disagree: bool = Field(description=(
        "The two birth dates are more than a year apart: the automatic duplicate check never compares such "
        "cases, and a birth date given differently on purpose is itself a warning sign"))
    births_apart_years: int = Field(description="About how many years apart the two birth dates are")
    missing_since: datetime | None
    missing_since_precision: str
    place_city: str = Field(description="The city the other case's last-seen words and pin name")
    impostor_share: float | None = Field(description=(
        "The share of pairs of different children as alike, read as the duplicate check reads a pair of case "
        "photos (by each photo's age by its own case's birth date); null without calibration"))
    same_photo: bool = Field(False, description=(
        "The two cases' photos are one picture (a copy, not a look-alike): flagged as a duplicate whatever the "
        "birth dates"))
    on_poster: bool = Field(False, description="With `same_photo`: that picture is the other case's public poster's")
    lead: Lead
    lead_words: list[str] = Field(description=(
        "The pair's reading in words, in the request's language: \"Same photo: …\" first with `same_photo`"))
    flag_id: int | None = Field(description="The two cases' duplicate flag, if one was raised")
    flag_status: str | None = Field(description="open, linked or dismissed; null without a flag")


class FlagOut(BaseModel):
    id: int = Field(description="The duplicate flag (`POST /api/moderation/duplicates/{id}` decides it)")
    raised: bool = Field(description="False: the two cases were flagged already, and the flag is open")

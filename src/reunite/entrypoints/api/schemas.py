"""Response DTOs: what the API promises to return (never ORM rows, never internal paths)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class Problem(BaseModel):
    detail: str
    field: str | None = None


class SightingAccepted(BaseModel):
    id: int
    photo_ids: list[int]
    seen_at: datetime
    time_from_photo: bool
    place_from_photo: bool
    message: str


class CaseAccepted(BaseModel):
    id: int
    photo_ids: list[int]
    message: str


class SightingPhoto(BaseModel):
    id: int
    width: int
    height: int
    face_count: int | None
    processed_at: datetime | None


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
    lat: float | None
    lon: float | None
    place_text: str
    apparent_age_low: int | None
    apparent_age_high: int | None
    apparent_sex: str
    description: str
    photo_count: int
    face_count: int
    first_face_id: int | None
    status: str


class SightingDetail(SightingOut):
    photos: list[SightingPhoto]
    faces: list[SightingFace]


class SightingPage(BaseModel):
    total: int
    items: list[SightingOut]


class CasePhoto(BaseModel):
    id: int
    taken_on: date | None
    face_count: int | None
    processed_at: datetime | None


class CaseOut(BaseModel):
    id: int
    given_name: str
    family_name: str
    nicknames: list[str]
    sex: str
    birth_date: date
    missing_since: datetime
    last_seen_lat: float | None
    last_seen_lon: float | None
    last_seen_text: str
    description: str
    marks: str
    status: str
    photos: list[CasePhoto]


class CandidateOut(BaseModel):
    id: int
    case_id: int
    sighting_id: int
    sighting_face_id: int
    case_face_id: int
    score: float
    face_score: float
    age_score: float | None
    time_score: float | None
    place_score: float | None
    sex_score: float | None
    expected_age: float
    distance_km: float | None
    elapsed_days: float
    face_percentile: float | None = None
    status: str
    review_reason: str
    explanation: str


class SearchHit(BaseModel):
    face_id: int
    sighting_id: int
    similarity: float
    seen_at: datetime
    place_text: str
    query_face: int


class ReviewIn(BaseModel):
    decision: str
    reason: str = ""

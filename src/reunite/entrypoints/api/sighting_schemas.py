"""Response DTOs of reports and sightings: a report accepted, a time given later, a sighting as its reader may
see it (its photos, faces and trail), a page of them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from reunite.entrypoints.api.schemas import SEEN_AT_BASIS, SEEN_AT_PRECISION, Coordinate

SEEN_AT_ZONE = ("With `camera_zone_assumed`: the zone the camera's zone-less clock was read in (an IANA name, or "
                "an offset such as UTC+09:00). With `given`: when not empty, the time was read from the report's "
                "own words (an e-mail's, a public post's), in that zone: show it as such, to be checked against "
                "the words. Empty otherwise")


CAMERA_CLOCK = ("A photo's clock set aside as implausible (before 2000-01-01, more than 25 years before the "
                "report, or in the future), as the camera wrote it (e.g. `1970-01-01 00:00`): seen_at is then "
                "the report's arrival (`arrival`); empty otherwise")


PROCESSED_AT = ("When the photo's faces were searched for (null: not yet); to the hour for anyone who does not "
                "see originals")


PLACE_BASIS = ("How the place was obtained: `given` (a position the reporter gave), `photo` (the photo's EXIF "
               "position), `words` (the reporter's words alone: none given, or the photo's position lay far from the "
               "city they name, `photo_km` away, and was set aside), `none` (no place: ask the reporter where, "
               "POST /api/reports/{receipt}/{report_token}/place)")
PHOTO_KM = ("Set when the photo's EXIF position lay this many km from the city the reporter's words name (more than "
            "50): it was not used, the report is placed by the words (a photo forwarded, or taken earlier?)")


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
    place_basis: str = Field("given", description=PLACE_BASIS)
    photo_km: int | None = Field(None, description=PHOTO_KM)
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


class PlaceGiven(BaseModel):
    id: int
    place_basis: str = Field(description=PLACE_BASIS)
    message: str = Field(description="For the reporter, in the request's language")


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
    place_basis: str | None = Field(default=None, description="Only for those who see exact places: " + PLACE_BASIS)
    photo_lat: Coordinate = Field(default=None, description=(
        "Only for those who see exact places: the photo's EXIF position, set aside (not used) because it lay "
        "`photo_km` from the city the reporter's words name"))
    photo_lon: Coordinate = None
    photo_km: int | None = Field(default=None, description="Only for those who see exact places: " + PHOTO_KM)
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
    copy_of: int | None = Field(default=None, description=(
        "The earlier sighting of the trail whose photo this report only sends again (the same picture, re-encoded "
        "or resized): not another time the child was seen. The trail's sightings are those with none"))


class SightingDetail(SightingOut):
    version: str | None = Field(default=None, description=(
        "Only for moderators: what they read of the report, sent back with a decision on it (409 once it changed)"))
    photos: list[SightingPhoto]
    faces: list[SightingFace]
    trail: list[TrailPoint] = Field(default=[], description=(
        "Every sighting of the same group (this one included), oldest first: one child's places and times; a "
        "report that sends again an earlier one's photo says so (copy_of) and is no time of its own"))


class SightingPage(BaseModel):
    total: int
    items: list[SightingOut]

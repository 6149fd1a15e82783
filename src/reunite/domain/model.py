"""Entities and value objects of cases, sightings and faces."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Final

from reunite.domain.errors import InvalidInput
from reunite.domain.spelling import nickname_list, person_name, sex_word, without_controls, without_format
from reunite.domain.times import ZONE_DOUBT


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"

    @classmethod
    def read(cls, text: str) -> Sex | None:
        """The sex as people write it, wherever it comes in (``domain.spelling.SEX_WORDS``: ``女``, ``F``,
        ``male``…); None when the words name none."""
        found = sex_word(text)
        return None if found is None else cls(found)


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    REUNITED = "reunited"
    CLOSED = "closed"
    REJECTED = "rejected"
    EXPIRED = "expired"


class SightingStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REMOVED = "removed"  # taken down on request
    WITHDRAWN = "withdrawn"  # taken back by its reporter (private link on the receipt)
    EXPIRED = "expired"


class CandidateStatus(enum.StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class SeenAtBasis(enum.StrEnum):
    """How a sighting's time was obtained (``seen_at_basis``): shown wherever the time is, and read by the
    ranking (a time nobody gave cannot make a pair impossible)."""

    GIVEN = "given"  # the reporter said when (the form, the API, a post's text or time)
    CAMERA = "camera"  # the photo's clock, with the offset the camera wrote
    CAMERA_ZONE_ASSUMED = "camera_zone_assumed"  # the photo's clock, which wrote no zone: read in an assumed one
    ARRIVAL = "arrival"  # not given (or the photo's clock was not plausible): the time the report arrived

    @property
    def doubt(self) -> timedelta | None:
        """How far from the stored time the child may have been seen, either way; None when it is unknown: a
        report dated by its arrival says only that the child was seen before it, so nothing is drawn from
        that time (no pair made unlikely, no sightings grouped or kept apart by it). A camera's zone-less clock
        read in an assumed zone may be off by as much as another zone is (``times.ZONE_DOUBT``)."""
        if self is SeenAtBasis.ARRIVAL:
            return None
        return ZONE_DOUBT if self is SeenAtBasis.CAMERA_ZONE_ASSUMED else timedelta(0)


class PlaceBasis(enum.StrEnum):
    """How a sighting's place was obtained (``place_basis``): told to the reporter on the receipt and the private
    page, and to the moderators (``services.where_seen``)."""

    GIVEN = "given"  # a position the reporter gave: a map pin, their phone's location, coordinates
    PHOTO = "photo"  # the photo's EXIF position (read by the server, or by the phone before it shrank the photo)
    WORDS = "words"  # the reporter's words alone, no position (also kept over a photo's position far from them)
    NONE = "none"  # no place at all: the reporter is asked where through their private link


class PhotoOwner(enum.StrEnum):
    CASE = "case"
    SIGHTING = "sighting"


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lon: float

    def __post_init__(self) -> None:
        # nan, inf: no number a person gives (nor one to quote back as out of range)
        if not math.isfinite(self.lat):
            raise InvalidInput("the latitude is not a number", field="lat")
        if not math.isfinite(self.lon):
            raise InvalidInput("the longitude is not a number", field="lon")
        if not -90.0 <= self.lat <= 90.0:
            raise InvalidInput("latitude {lat} is out of range (-90 to 90)", field="lat", lat=self.lat)
        if not -180.0 <= self.lon <= 180.0:
            raise InvalidInput("longitude {lon} is out of range (-180 to 180)", field="lon", lon=self.lon)

    def distance_km(self, other: GeoPoint) -> float:
        """Great-circle distance (haversine, mean Earth radius)."""
        p1, p2 = math.radians(self.lat), math.radians(other.lat)
        dp, dl = p2 - p1, math.radians(other.lon - self.lon)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


# the oldest apparent age a reporter may give: children missing for years are adults when seen again
MAX_APPARENT_AGE = 60


@dataclass(frozen=True)
class AgeRange:
    """An apparent age as a reporter gives it: 'about 8 to 10'."""

    low: int
    high: int

    @classmethod
    def of(cls, low: int | None, high: int | None) -> AgeRange | None:
        """From optional bounds: one bound alone means that exact age; none means no estimate. A bound
        alone that is no age is refused as that age, never as a range nobody gave."""
        if low is None and high is None:
            return None
        alone = high if low is None else low if high is None else None
        if alone is not None and not 0 <= alone <= MAX_APPARENT_AGE:
            raise InvalidInput("apparent age {age} is not a valid age (0 to 60 years)", field="apparent_age", age=alone)
        low = high if low is None else low
        high = low if high is None else high
        assert low is not None and high is not None
        return cls(low, high)

    @property
    def middle(self) -> float:
        """The one age the calibration reads a sighting by (``leads.Calibration.cell``)."""
        return (self.low + self.high) / 2

    def __post_init__(self) -> None:
        if not (0 <= self.low <= self.high <= MAX_APPARENT_AGE):
            raise InvalidInput(
                "apparent age from {low} to {high} is not a valid range (0 to 60 years, low before high)",
                field="apparent_age", low=self.low, high=self.high,
            )


@dataclass(frozen=True)
class Upload:
    """A photo as received: raw bytes and the name the sender gave it (never shown to others); ``number``, which
    photo of its form it is (the form's row: 3 when the second was left empty), as its problems name it (0: by its
    place among the photos sent)."""

    data: bytes
    filename: str = ""
    number: int = 0


@dataclass(frozen=True)
class PhotoFacts:
    """What the photo adapter learned from a decoded photo."""

    sha256: str
    width: int
    height: int
    mime: str
    taken_at: datetime | None = None  # with the camera's offset, or naive (wall-clock) when it wrote none
    place: GeoPoint | None = None
    phash: int | None = None  # perceptual hash (64 bits, signed): the same picture re-encoded or resized


@dataclass(frozen=True)
class Provenance:
    """Where a report came from when it was not typed into the form: a public post or an email."""

    kind: str  # "post" | "email" | "form"
    url: str = ""
    author: str = ""
    posted_at: datetime | None = None
    source_id: int | None = None


# the most characters each of a case's texts holds, whichever way it comes in: the web form and the API refuse a
# longer one naming the field, a sheet's row and a PFIF record keep it up to there and say so, a text approved for
# sharing (``services.sharing``) is as long as the family's may be. The one table all of them read.
CASE_TEXT_LIMITS: Final[Mapping[str, int]] = MappingProxyType({
    "given_name": 200, "family_name": 200, "last_seen_text": 500, "description": 4000, "marks": 2000,
    "police_report": 200, "family_contact": 500,
})
NICKNAMES_LIMIT: Final = 500  # a case's nicknames as the form and the API take them: one text, comma-separated
# the same for a report's texts (the report form's ``maxlength`` too: ``doing`` is the description, ``with`` with_whom)
SIGHTING_TEXT_LIMITS: Final[Mapping[str, int]] = MappingProxyType({
    "place_text": 500, "description": 4000, "with_whom": 1000, "reporter_contact": 500})


@dataclass(frozen=True)
class NewCase:
    """A missing child as a family, police or NGO registers it."""

    given_name: str
    family_name: str
    sex: Sex
    birth_date: date
    missing_since: datetime
    last_seen_place: GeoPoint | None
    last_seen_text: str = ""
    description: str = ""
    marks: str = ""
    police_report: str = ""
    family_contact: str = ""  # never shown publicly: the platform mediates contact
    nicknames: tuple[str, ...] = ()
    # how precisely missing_since is known (``domain.typed_time``): "instant", or "day", "month", "year" for a
    # date given alone, missing_since then being its first instant in the zone it was given in
    missing_since_precision: str = "instant"

    def __post_init__(self) -> None:
        """Names in one spelling however they came in (``domain.spelling``): NFKC, without the format
        characters that would let a name display other than it is stored; the short fields without them."""
        names = {"given_name": person_name(self.given_name), "family_name": person_name(self.family_name),
                 "nicknames": nickname_list(*self.nicknames)}
        short = {name: without_format(getattr(self, name)) for name in ("last_seen_text", "police_report")}
        # every other text without invisible control characters, which a page cannot show nor XML carry
        texts = {name: without_controls(getattr(self, name)) for name in ("description", "marks", "family_contact")}
        for name, value in (names | short | texts).items():
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class NewSighting:
    """A child seen in the street, as a reporter describes it."""

    seen_at: datetime | None
    place: GeoPoint | None
    place_text: str = ""
    apparent_age: AgeRange | None = None
    apparent_sex: Sex = Sex.UNKNOWN
    description: str = ""  # what the child was doing, wearing
    reporter_contact: str = ""
    with_whom: str = ""  # who the child was with
    # What the reporter's phone read from the photo's EXIF before shrinking it (the shrunk copy has
    # none): used like the photo's own time and place, hints only: what is no time or place is left out,
    # never a reason to refuse the report.
    photo_taken_at: datetime | None = None
    photo_place: GeoPoint | None = None
    photo_zone_assumed: bool = False  # the camera wrote no zone: the phone read its time in its own zone
    photo_clock_words: str = ""  # the phone's reading when it was no time ("0000-00-00 00:00"): a clock set aside
    reporter_zone: str = ""  # the IANA zone of the reporter's browser, where known (a camera's zone-less time)
    # seen_at was read from the report's own words (an e-mail's, a post's) in this zone: said so wherever shown
    seen_at_read_in: str = ""
    # when the report left its sender (a post's publication, an e-mail's Date), if before its arrival: a report
    # without a time is dated by it as by its arrival (the child was seen before it), never as a time given
    sent_at: datetime | None = None

    def __post_init__(self) -> None:
        """The short fields without format characters (``domain.spelling``): a place or a contact displays
        as it is stored; the description without control characters."""
        for name in ("place_text", "reporter_contact", "with_whom"):
            object.__setattr__(self, name, without_format(getattr(self, name)))
        object.__setattr__(self, "description", without_controls(self.description))


@dataclass(frozen=True)
class SeenTime:
    """When a child was seen, as stored: the instant and how it was obtained."""

    at: datetime
    basis: SeenAtBasis = SeenAtBasis.GIVEN
    # CAMERA_ZONE_ASSUMED: the zone its zone-less clock was read in (an IANA name, "UTC+09:00"); GIVEN: when not
    # empty, the time was read from the report's words (an e-mail's, a post's), in this zone
    zone: str = ""
    camera_clock: str = ""  # a camera's clock reading set aside as implausible, as the camera wrote it


@dataclass(frozen=True)
class SeenPlace:
    """Where a child was seen, as stored: the position (None: the words alone, or nothing) and how it was obtained,
    with the photo's EXIF position set aside when it lies ``photo_km`` from the city the words name (for the
    moderators only)."""

    point: GeoPoint | None
    basis: PlaceBasis
    photo_aside: GeoPoint | None = None
    photo_km: int | None = None


@dataclass(frozen=True)
class BoundingBox:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass(frozen=True)
class ExtraEmbedding:
    """The same face embedded by a second model the operator added (``adapters/faces/onnx_engine.py``)."""

    model: str
    version: str
    vector: tuple[float, ...] = field(repr=False)


@dataclass(frozen=True)
class DetectedFace:
    """One face found in a photo, with its embedding and the model that made it."""

    box: BoundingBox
    landmarks: tuple[tuple[int, int], ...]
    detection_score: float
    quality: float
    embedding: tuple[float, ...]
    model: str
    model_version: str
    detector: str
    crop_jpeg: bytes = field(repr=False, default=b"")
    hubness: float = 0.0  # how much the face resembles many people at once (0: a typical face)
    extra: tuple[ExtraEmbedding, ...] = ()  # the operator's second model's embeddings, if one is configured
    sharpness: float | None = None  # variance of the Laplacian of the aligned chip (domain/quality.py)
    chip: bytes = field(repr=False, default=b"")  # the aligned chip's print (domain/chips.py): one picture's test


BIRTH_YEARS = 100  # a child registered today was born at most this many years ago: a birth date before is a
# century typed wrong (1915 for 2015), not a child anyone could still find


def earliest_birth(today: date) -> date:
    """The earliest birth date a case takes on ``today`` (``BIRTH_YEARS`` before it; 29 February: the 28th)."""
    return today.replace(year=today.year - BIRTH_YEARS, day=min(today.day, 28) if today.month == 2 else today.day)


def age_in_years(birth: date, when: date) -> float:
    """Age by the calendar, as a decimal number of years: the full years since ``birth`` plus the share
    of the current year of age gone by, so on the Nth birthday the age is exactly N (a 29 February
    birthday falls on 1 March in other years). Negative when ``when`` comes before ``birth``."""
    years = when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))
    last, following = _anniversary(birth, years), _anniversary(birth, years + 1)
    return years + (when - last).days / (following - last).days


def age_shown(years: float) -> float:
    """An age in years (or a gap between ages) as it is given out, pages and API alike: to one decimal,
    rounded half up (6.58 years reads 6.6, never cut to 6.5; 6.758904109589041 reads 6.8); the ranking keeps
    the exact number."""
    return math.floor(years * 10 + 0.5) / 10


def years_between(a: date, b: date) -> float:
    """How many years apart two days are, by the calendar (``age_in_years`` from the earlier)."""
    return age_in_years(min(a, b), max(a, b))


def _anniversary(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year
        return date(birth.year + years, 3, 1)


@dataclass(frozen=True)
class SightingFilter:
    """How people narrow the sightings they browse."""

    near: GeoPoint | None = None
    radius_km: float = 50.0
    place: str = ""  # words in the place description, e.g. a street or station name
    seen_from: datetime | None = None
    seen_to: datetime | None = None
    # days seen, each sighting's day where it was seen (its place's cell's zone, as its card shows it; else
    # ``day_zone``, the site's): the browse page's From/To
    seen_on_from: date | None = None
    seen_on_to: date | None = None
    day_zone: str = "UTC"
    age: int | None = None
    sex: Sex | None = None
    limit: int = 50
    offset: int = 0
    statuses: tuple[str, ...] = ("approved",)  # moderators also see pending and rejected reports
    include_unknown: bool = True  # reports that do not say age or sex are kept (labelled "unknown")
    grid_deg: float | None = None  # set: places compared by grid cell only (access.sighting_filter)
    arrival_hours: bool = False  # set: a report dated by its arrival compared and ordered by its hour only
    found_hidden: bool = False  # set: reports of a child found (``access.found_child_hidden``) are left out

    def __post_init__(self) -> None:
        if not 0 < self.radius_km <= 20_000:
            raise InvalidInput("the radius must be between 0 and 20,000 km", field="radius_km")
        if self.seen_from and self.seen_to and self.seen_from > self.seen_to:
            raise InvalidInput("the date range ends before it starts", field="seen_to")
        if self.seen_on_from and self.seen_on_to and self.seen_on_from > self.seen_on_to:
            raise InvalidInput("the date range ends before it starts", field="seen_to")
        if not 1 <= self.limit <= 200:
            raise InvalidInput("the page size must be 1 to 200", field="limit")
        if self.offset < 0:
            raise InvalidInput("the offset must not be negative", field="offset")

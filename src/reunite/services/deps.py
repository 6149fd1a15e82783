"""What every service receives: the ports, wired once in ``bootstrap.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from reunite.domain.ports import (
    Clock,
    FaceEngine,
    Mailer,
    PasswordHasher,
    PfifCodec,
    PhotoCodec,
    PhotoStore,
    PlaceNames,
    PosterRenderer,
    ReadModel,
    RenditionCache,
    SourceReader,
    TableCodec,
    UnitOfWorkFactory,
    WebhookSender,
)
from reunite.domain.reach import DEFAULT_SCHEDULE, Step, parse_schedule
from reunite.domain.scoring import MatchPolicy
from reunite.domain.times import DEFAULT_ZONE, zone


@dataclass(frozen=True)
class Limits:
    max_photos_per_report: int = 10
    ann_neighbours: int = 200
    # abuse resistance: per hour, per IP for anonymous people, per account or token otherwise
    reports_per_hour: int = 10  # anonymous: the reports an address sends with a puzzle at the base difficulty
    reports_per_hour_without_proof: int = 3
    puzzle_reports_per_hour: int = 200  # anonymous reports with a solved puzzle: the ceiling per address
    refused_reports_per_hour: int = 30  # reports refused for their input (these do not use the limits above)
    searches_per_hour: int = 30
    messages_per_hour: int = 20
    partner_requests_per_hour: int = 5000
    import_records_per_request: int = 1000  # PFIF records or a sheet's rows in one import (tokens, accounts)
    imported_records_per_hour: int = 2000  # records imported per token or account per hour
    listings_per_hour: int = 600  # sighting listings and single reads by families and partners (places by grid cell)
    proof_of_work_bits: int = 14  # the puzzle's base difficulty, one bit more per report past reports_per_hour
    proof_of_work_max_bits: int = 20  # ... up to this (2**20 hashes: a few seconds in a slow phone's browser)
    # sign-in backoff: failures in a row allowed per account and per address, then a lock that doubles
    sign_in_failures_per_account: int = 5
    sign_in_failures_per_address: int = 20
    sign_in_lockout: timedelta = timedelta(seconds=30)
    sign_in_lockout_max: timedelta = timedelta(hours=1)
    sign_ups_per_hour: int = 5  # per address (and 3 per email address)
    takedowns_per_hour: int = 5  # per address
    # sessions and retention
    session_lifetime: timedelta = timedelta(days=14)
    invitation_lifetime: timedelta = timedelta(days=7)
    sighting_retention: timedelta = timedelta(days=730)
    sighting_years: int = 25  # a report's child seen at most this long before it is sent (``times.earliest_given``)
    closed_case_retention: timedelta = timedelta(days=180)
    rejected_sighting_retention: timedelta = timedelta(days=30)  # a report the moderators did not take up
    case_removal_wait: timedelta = timedelta(days=7)  # an approved request about an open case waits for an objection
    case_removal_undo: timedelta = timedelta(days=14)  # an open case removed stays hidden, restorable, this long
    # reviewers' queues: their pace, the longest wait before an alarm, two reviewers per confirmation
    reviews_per_day: int = 300
    queue_max_wait_hours: float = 24.0
    four_eyes: bool = False
    # a confirmation can be undone this long; the family sees and hears of it only after
    undo_window: timedelta = timedelta(minutes=2)


@dataclass(frozen=True)
class Site:
    """What messages, posters and exports say about this installation."""

    base_url: str = "http://127.0.0.1:8000"
    pfif_domain: str = "reunite.local"  # the domain part of the PFIF record ids this site writes
    contact_phone: str = "110"  # the number posters, feeds and alerts give: the platform's line, or the police's
    contact_email: str = ""
    police_phone: str | None = "110"  # the emergency number readers are told to call; None: not known here
    contact_is_police: bool = True  # ``contact_phone`` is the police's, never to be called "us"
    alert_schedule: tuple[Step, ...] = parse_schedule(DEFAULT_SCHEDULE)
    timezone: str = DEFAULT_ZONE  # read times given without an offset in this IANA zone

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.timezone) or ZoneInfo(DEFAULT_ZONE)

    @property
    def own_phone(self) -> str | None:
        """The platform's own line, which pages may call "us"; None where the number given is the police's."""
        return None if self.contact_is_police else self.contact_phone


@dataclass(frozen=True)
class Deps:
    uow: UnitOfWorkFactory
    read: ReadModel
    photos: PhotoStore
    codec: PhotoCodec
    faces: FaceEngine
    clock: Clock
    policy: MatchPolicy
    limits: Limits
    passwords: PasswordHasher
    secret: bytes
    mailer: Mailer
    webhooks: WebhookSender
    posters: PosterRenderer
    pfif: PfifCodec
    tables: TableCodec
    site: Site
    sources: SourceReader
    places: PlaceNames
    renditions: RenditionCache

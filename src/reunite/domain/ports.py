"""Ports: what the services need from the outside world, as typed Protocols.

Only ``bootstrap.py`` knows which adapter implements each one."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from reunite.domain.case_faces import CaseFaceStore
from reunite.domain.correction_store import CorrectionStore
from reunite.domain.exchange_stores import PfifStore, SourcesStore
from reunite.domain.fusion import ExtraFaceStore
from reunite.domain.matching_store import MatchingStore
from reunite.domain.model import (
    DetectedFace,
    GeoPoint,
    NewCase,
    NewSighting,
    PhotoFacts,
    PhotoOwner,
    SeenPlace,
    SeenTime,
)
from reunite.domain.pfif_faults import Fault
from reunite.domain.photo_copies import PhotoCopyStore
from reunite.domain.reach_store import ReachStore
from reunite.domain.reads import ReadModel
from reunite.domain.recipes import FaceRecipe, RecipeStore
from reunite.domain.removal_store import RemovalStore
from reunite.domain.shortlist_store import ShortlistStore
from reunite.domain.sources import Page, SourceKind
from reunite.domain.stores import ModerationStore, PeopleStore, ReportStore
from reunite.domain.workbench import WorkbenchStore

__all__ = ["ReadModel"]  # the read model is a port too; kept in its own module


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class PhotoCodec(Protocol):
    """Decodes and checks uploaded photos, and makes the clean copies people see."""

    def inspect(self, data: bytes) -> PhotoFacts:
        """Validate a photo fully (format, size, truncation, bombs) and read its EXIF time and place.
        Raises InvalidInput, UnsupportedMedia or PayloadTooLarge naming the problem."""
        ...

    def clean_copy(
        self, data: bytes, max_side: int | None = None, blur: Sequence[tuple[int, int, int, int]] = (),
        keep: tuple[int, int, int, int] | None = None, sharp: Sequence[Sequence[tuple[int, int]]] | None = None,
        unkept: Sequence[Sequence[tuple[int, int]]] = (),
    ) -> bytes:
        """A JPEG re-encoded from the pixels alone: orientation applied, all metadata stripped, and
        the ``blur`` boxes (left, top, right, bottom in the upright photo) made unrecognisable,
        except where they overlap ``keep`` (the child's face box) outside the ``unkept`` outlines (the
        parts of it that are a bystander's face, ``access.shared_with_child``). With ``sharp`` (a list,
        even empty), everything outside those outlines (polygons: the child's head,
        ``access.sharp_regions``) is obscured too."""
        ...

    def face_copy(
        self, data: bytes, face: tuple[int, int, int, int], blur: Sequence[tuple[int, int, int, int]] = (),
        *, sharp: Sequence[Sequence[tuple[int, int]]] | None = None, unkept: Sequence[Sequence[tuple[int, int]]] = (),
    ) -> bytes:
        """A crop around ``face`` cut from the photo after the ``blur`` boxes were blurred (``face`` kept
        sharp over them outside the ``unkept`` outlines, as ``clean_copy`` keeps ``keep``) and, with
        ``sharp``, everything outside those outlines obscured."""
        ...


class FaceEngine(Protocol):
    """Finds every face in a photo and embeds it. Records its model name and version."""

    @property
    def model(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def recipe(self) -> FaceRecipe:
        """The model and versions it writes on sighting faces and on cases' faces (and the second model's)."""
        ...

    def detect(self, data: bytes, thorough: bool = False) -> list[DetectedFace]:
        """All faces in the photo, each with box, landmarks, quality, embedding and a crop.
        ``thorough``: spend more time on a better embedding (a missing child's photos: few, and
        searched against every sighting for years)."""
        ...

    def preload(self) -> None:
        """Load every model now, not on first use (before forking processes that share them)."""
        ...


class RenditionCache(Protocol):
    """Photos as served (re-encoded, scaled, bystanders blurred), kept so that each is made once.
    Looked up only after the reader's rights were checked; keys name everything the bytes depend on."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


class PhotoStore(Protocol):
    """Where photo bytes live: a local folder or S3-compatible storage. A store that cannot be reached
    raises ``errors.PhotoStoreUnavailable`` from any method (never the library's own error)."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def list_keys(self) -> list[str]:
        """Every stored key (for backups)."""
        ...

    def check(self) -> None:
        """Cheaply, that photos can be stored now (for /readyz); ``PhotoStoreUnavailable`` when not."""
        ...


class Mailer(Protocol):
    @property
    def configured(self) -> bool:
        """False when no server is set up: nothing can be sent."""
        ...

    def send(self, to: str, kind: str, language: str, context: dict[str, Any],
             headers: dict[str, str] | None = None) -> str:
        """Render the ``kind`` email in ``language`` and send it; its subject. Raises on failure."""
        ...


class WebhookSender(Protocol):
    def check(self, url: str) -> None:
        """InvalidInput unless the URL is http(s) and its host resolves to public addresses only."""
        ...

    def post(self, url: str, secret: str, timestamp: str, payload: dict[str, Any]) -> None:
        """POST the JSON payload signed with HMAC-SHA256; raises unless the receiver answers 2xx."""
        ...


class SourceReader(Protocol):
    """Public feeds and timelines, and their photos (adapters/sources)."""

    def read(self, kind: SourceKind, url: str, etag: str, last_modified: str, cursor: str) -> Page:
        """Posts newer than what ``etag``, ``last_modified`` or ``cursor`` say was read; raises SourceFailed."""
        ...

    def image(self, url: str) -> bytes:
        """A post's photo; raises SourceFailed (unreachable, too large)."""
        ...

    def check(self, url: str) -> None:
        """Raise InvalidInput unless ``url`` may be read (http(s), a public address)."""
        ...


class ReaderScript(Protocol):
    """How the person reading writes (``i18n.Language``): in Latin letters or in Chinese characters, and
    words the platform holds in simplified Chinese (a place's name) as they write them (traditional in
    Taiwan and Hong Kong)."""

    @property
    def latin(self) -> bool: ...

    def script(self, text: str) -> str: ...


class PlaceNames(Protocol):
    """An offline gazetteer (adapters/sources/parse.py)."""

    def warm(self) -> None:
        """Read the gazetteers' indexes now (seconds, once a process), so that a web process's first readers do
        not wait for them."""
        ...

    def region(self, words: str, near: GeoPoint | None = None) -> str:
        """The province of the city (or the province alone) that place words name, in any script, the pin
        ``near`` (as the public sees it) deciding as for ``city``: cpca's name (四川省 for 成都, 成都市 and
        Chengdu alike), '' when none or abroad. Coarse enough to publish."""
        ...

    def words(self, text: str) -> str:
        """The province and city a free text names (四川省成都市), '' when none."""
        ...

    def city(self, text: str, latin: bool | None = None, near: GeoPoint | None = None) -> str:
        """The city (and province) a free text names, nothing finer, '' when none: what the public reads
        of where a child was last seen (``domain.access.case_view``), one gazetteer entry named for its
        reader: ``latin`` True, in Latin letters where the gazetteer knows the name (Shanghai for 上海市黄浦区,
        Chengdu, Sichuan), for readers of a language written in them; False, in (simplified) Chinese
        characters (四川省成都市 for "Chengdu"), for readers of Chinese; None, in the script of the words.
        ``near``: the map pin as the public sees it (``access.public_pin``), which decides between the
        places the words may name (Chaoyang: a city in Liaoning, a district of Beijing), vetoes one far
        from it, and names its own city when the words name none near it."""
        ...

    def simplified(self, text: str) -> str:
        """The text with traditional Chinese characters in their simplified forms (the rest as it is)."""
        ...

    def city_names(self, text: str, near: GeoPoint | None = None) -> frozenset[str]:
        """Every name (lower case, any script) of the city and province a free text (and pin) names, as ``city``
        reads them (上海市, 上海, shanghai); nothing finer, nothing when it names none."""
        ...

    def readings(self, character: str) -> frozenset[str]:
        """The pinyin (lower case, without tones; ü also as v) a Chinese character may be read as; nothing for
        any other character."""
        ...

    def spellings(self, character: str) -> frozenset[str]:
        """Those readings as Wade-Giles spells them (lower case, without tones: ho, p'ing, hsin) and as bopomofo,
        Taiwan's phonetic script, writes them (ㄏㄜ, ㄆㄧㄥ, without tone marks); nothing for any other character."""
        ...

    def known(self, name: str) -> bool:
        """Whether ``name`` is a place the gazetteer knows (a province, city, state or country)."""
        ...

    def covers(self, region: str, city: str) -> bool:
        """Whether the region (a city, a province; any script) includes ``city``: what the public reads
        of a case's place (``city``), never the family's own words. No city is in no region."""
        ...

    def area(self, region: str) -> str:
        """The area a region's name reads as, the same whatever the script or the name (武汉, Wuhan, 武汉市, Hankou:
        one), as ``covers`` reads it: what tells two regions asked for apart; '' for none."""
        ...

    def zone(self, lat: float, lon: float) -> str:
        """The IANA time zone at that point (callers ask for a place's ~1 km grid cell only), '' where
        none is known: the zone a date alone of something that happened there is the day in."""
        ...

    def km_from(self, words: str, point: GeoPoint) -> float | None:
        """How far ``point`` lies from the city (else the province) place words alone name, as ``city`` reads
        them without a pin: from its nearest seat (a district's, a county's), the nearest of the places they
        name as surely (a bare "Richmond"); None when they name none (or none the gazetteers place)."""
        ...

    def city_zone(self, words: str, near: GeoPoint | None = None) -> str:
        """The IANA time zone at the centre of the city (else province) place words (and the pin as the
        public sees it) name, as the public reads them (``city``), '' when they name none: a public date's
        zone, never nearer the pin than that city."""
        ...

    def country(self, zone: str) -> str | None:
        """The country (ISO 3166 alpha-2) that keeps that IANA zone, None for a zone of no country (Etc/GMT+5)."""
        ...


class PosterRenderer(Protocol):
    def render(self, labels: dict[str, str], fields: dict[str, Any], photo_jpeg: bytes | None, url: str,
               lang: str) -> bytes:
        """An A4 PDF poster, declaring its language (``lang``, a BCP 47 tag: what a screen reader reads it in)."""
        ...


class PfifCodec(Protocol):
    def parse(self, data: bytes, charset: str = "") -> tuple[str, list[dict[str, str]], list[dict[str, str]],
                                                           list[Fault]]:
        """(version, persons, notes, faults) with 1.4 field names, and what the document holds that is not read as
        sent (``pfif_faults``); ``charset`` the one the document was sent with (its Content-Type's), if any: read
        before its XML declaration's (RFC 7303)."""
        ...

    def write(self, persons: list[dict[str, str]], notes: list[dict[str, str]]) -> bytes: ...


class TableCodec(Protocol):
    def read_rows(self, data: bytes, most: int = ...) -> list[tuple[int, list[str]]]:
        """(row number as the spreadsheet shows it, its cells), the header row first, blank rows skipped; refused
        (413) as soon as it passes ``most`` rows of data."""
        ...

    def write_csv(self, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> bytes: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, hashed: str, password: str) -> bool: ...

    def verify_dummy(self, password: str) -> bool:
        """As long as ``verify`` takes, against a hash made once at start-up; always False (for
        unknown accounts, so that sign-in takes the same time whether the email exists or not)."""
        ...


class IdempotencyStore(Protocol):
    def remembered_result(self, key: str, within: timedelta | None = None) -> dict[str, Any] | None:
        """The answer first given under this key, if any (given within this long ago, when ``within`` is given)."""
        ...

    def remember_result(self, key: str, result: dict[str, Any], replacing_older_than: timedelta | None = None) -> bool:
        """Keep the answer under the key; False when another transaction took the key first. With
        ``replacing_older_than``, an answer that old is replaced: False only when the key was taken since."""
        ...

    def forget_results(self, before: datetime) -> int:
        """Drop answers remembered before this instant (a retry comes within minutes, not weeks)."""
        ...

    def one_at_a_time(self, name: str) -> None:
        """Hold a lock named ``name`` until this unit of work ends: two copies of one request sent at once
        (a double click, a client's retry) look for each other's write one after the other."""
        ...


class UnitOfWork(PeopleStore, ModerationStore, ReachStore, PfifStore, SourcesStore, WorkbenchStore, ShortlistStore,
                 IdempotencyStore, ReportStore, ExtraFaceStore, RecipeStore, MatchingStore, RemovalStore, CaseFaceStore,
                 CorrectionStore, PhotoCopyStore, Protocol):
    """One database transaction. Nothing is written until ``commit``; leaving the block without it
    rolls everything back, jobs included."""

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self, durable: bool = True) -> None:
        """``durable=False``: do not wait for the disk (a database crash may lose the last fraction of a
        second of such commits; never a person's state change: only records of reads, rate counters,
        and a background job's own idempotent writes, which a crash leaves to be redone)."""
        ...

    def enqueue(self, task: str, *, lock: str | None = None, at: datetime | None = None, unless_waiting: bool = False,
                **args: Any) -> None:
        """Defer a background job in this same transaction (to run at ``at``, default now); with
        ``unless_waiting``, not when a job of this task with the same arguments is already waiting (it
        will do the same)."""
        ...

    def waiting_jobs(self, task: str) -> list[dict[str, Any]]:
        """The arguments of every job of ``task`` waiting to run (read once, where ``unless_waiting`` would
        look again for each of many jobs)."""
        ...

    def audit(self, actor: str, action: str, subject: str, subject_id: int, **detail: Any) -> None:
        """Append to the audit log: who did what to which record."""
        ...

    def add_case(self, case: NewCase, created_at: datetime) -> int: ...

    def registered_cases(self, actor: str, domains: Collection[str],
                         cases: Sequence[NewCase]) -> list[tuple[int, str] | None]:
        """For each of ``cases``, the case ``actor`` (or another token of its partner organisation: one sharing
        one of the PFIF ``domains``, ``access.registered_by``) registered or imported for the same child, with its
        status: open, else closed or reunited since; the same given and family names (case-insensitive), birth
        date, and day missing as the case here reads it (its instant in the offset the case was given with); None
        where there is none. One query, whatever the number of cases."""
        ...

    def add_sighting(
        self, sighting: NewSighting, seen: SeenTime, created_at: datetime, status: str,
        reporter_account_id: int | None, day_zone: str = "", placed: SeenPlace | None = None,
    ) -> int:
        """A new sighting; ``day_zone``: the zone its day is read in, its place's cell's ('' none: the site's);
        ``placed``: how its place was obtained, and a photo's position set aside (None: a position given, else
        the words, else none, as ``sighting`` holds them)."""
        ...

    def add_photo(
        self, owner: PhotoOwner, owner_id: int, facts: PhotoFacts, storage_key: str, taken_on: date | None
    ) -> int: ...

    def all_ids(self, owner: PhotoOwner) -> list[int]: ...

    def mark_verified(self, case_id: int, verifier: str, at: datetime) -> None:
        """Record that a person checked the case (police report, documents)."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> AbstractContextManager[UnitOfWork]: ...

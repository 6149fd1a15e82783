"""Accepting reports: a sighting from the street, a missing child's case. Uploads return at once:
the photos are stored, the records written and the face jobs deferred in one transaction. When the child was
seen is read in ``when_seen``."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Any

from reunite.domain.access import Permission, Principal, require
from reunite.domain.corrections import vouched
from reunite.domain.doubles import BIRTH_WINDOW_DAYS
from reunite.domain.errors import Conflict, InvalidInput, ReuniteError
from reunite.domain.model import (
    CaseStatus,
    NewCase,
    NewSighting,
    PhotoFacts,
    PhotoOwner,
    PlaceBasis,
    Provenance,
    SeenAtBasis,
    SightingStatus,
    Upload,
)
from reunite.domain.pfif import birth_written
from reunite.domain.ports import UnitOfWork
from reunite.domain.times import with_offset, zone
from reunite.domain.typed_time import INSTANT, same_day_missing
from reunite.services import case_photos, idempotency, reports, rights, throttle
from reunite.services.case_checks import check_case
from reunite.services.deps import Deps
from reunite.services.place_days import sighting_day_zone
from reunite.services.when_seen import check_seen, seen_time
from reunite.services.where_seen import seen_place

FROM_PHOTO = (SeenAtBasis.CAMERA, SeenAtBasis.CAMERA_ZONE_ASSUMED)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}


@dataclass(frozen=True)
class SightingReceipt:
    sighting_id: int
    photo_ids: list[int]
    seen_at: datetime
    time_from_photo: bool
    place_from_photo: bool
    # the camera wrote its clock's time without a zone: read in ``zone_assumed`` (the reporter's browser's
    # zone, else the site's; the offset the phone read it at when that is another), and said so wherever
    # the time is shown
    zone_assumed: str = ""
    repeated: bool = False  # the same picture was reported before: this report joined that sighting
    receipt: str = ""  # the reporter's receipt number (none when the report joined another's sighting)
    resent: bool = False  # the phone had sent this report already: nothing new was stored
    sender: str = ""  # a digest of who sent it (an account, a browser's pre-session): only they get it again
    seen_at_basis: str = SeenAtBasis.GIVEN.value  # how seen_at was obtained (``SeenAtBasis``)
    camera_clock: str = ""  # the photo's clock, set aside as implausible (seen_at is then the report's arrival)
    place_basis: str = PlaceBasis.GIVEN.value  # how the place was obtained (``PlaceBasis``, ``where_seen``)
    photo_km: int | None = None  # the photo's position, set aside, lay this far from the city the words name

    def to(self, sender: str) -> SightingReceipt:
        """This receipt as answered again to ``sender``: without the receipt number (the private link's
        key) unless they sent the report, even with its key and its very photos."""
        return self if sender == self.sender else replace(self, receipt="", sender="")

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"seen_at": self.seen_at.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SightingReceipt:
        return cls(**(data | {"seen_at": datetime.fromisoformat(data["seen_at"])}))


@dataclass(frozen=True)
class CaseReceipt:
    case_id: int
    photo_ids: list[int]
    verified: bool = False  # registered by police or a moderator: active (compared with sightings) at once
    known: bool = False  # the sender had registered this child already: that case, nothing new stored

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CaseReceipt:
        return cls(**data)


def earlier_sighting(deps: Deps, key: idempotency.Key | None, sender: str = "") -> SightingReceipt | None:
    """The receipt of the report first sent under this key (see ``services.idempotency``), as ``sender``
    may be given it (``again``)."""
    found = idempotency.earlier(deps, key)
    return again(found, key, sender) if found else None


def again(found: dict[str, Any], key: idempotency.Key | None, sender: str) -> SightingReceipt:
    """A report's first receipt answered to its retry: as ``sender`` may be given it (``SightingReceipt.to``),
    and when the key withholds (``idempotency.same_request``: a key-less retry known only by a sender who
    may stand for many people: a partner's token, a cookie) as received (``resent``), without its receipt number,
    the private link's key: the same report from the next person the sender relays is never answered with
    the first person's link. Always ``resent``: nothing was stored this time (probe s19 S2: a retry
    answered in full said ``already_received: false``)."""
    first = replace(SightingReceipt.from_json(found).to(sender), resent=True)
    return replace(first, receipt="", sender="") if key is not None and key.withholds else first


def earlier_case(deps: Deps, key: idempotency.Key | None) -> CaseReceipt | None:
    found = idempotency.earlier(deps, key)
    return CaseReceipt.from_json(found) if found else None


def check_photo_count(deps: Deps, uploads: Sequence[Upload], case: bool = False) -> None:
    """At least one photo, and no more than a report (or case) may hold."""
    if not uploads:
        raise InvalidInput("add at least one photo", field="photos")
    if len(uploads) > deps.limits.max_photos_per_report and case:
        raise InvalidInput("at most {limit} photos per case", field="photos", limit=deps.limits.max_photos_per_report)
    if len(uploads) > deps.limits.max_photos_per_report:
        raise InvalidInput("at most {limit} photos per report", field="photos", limit=deps.limits.max_photos_per_report)


def inspect_all(deps: Deps, uploads: Sequence[Upload], case: bool = False) -> list[PhotoFacts]:
    check_photo_count(deps, uploads, case)
    facts = []
    for number, upload in enumerate(uploads, start=1):
        try:
            facts.append(deps.codec.inspect(upload.data))
        except ReuniteError as exc:
            exc.field = "photos"
            raise exc.within("photo {number}: ", number=upload.number or number) from None
    return facts


def store_originals(deps: Deps, uploads: Sequence[Upload], facts: Sequence[PhotoFacts]) -> list[str]:
    """Content-addressed: storing the same photo twice writes one file. Written before the
    transaction so that a committed record never points at a missing file."""
    keys = []
    for upload, fact in zip(uploads, facts, strict=True):
        key = f"originals/{fact.sha256[:2]}/{fact.sha256}.{EXTENSIONS[fact.mime]}"
        deps.photos.put(key, upload.data)
        keys.append(key)
    return keys



def report_sighting(deps: Deps, who: Principal, sighting: NewSighting, uploads: Sequence[Upload],
                    provenance: Provenance | None = None, key: idempotency.Key | None = None,
                    client_key: str | None = None, sender: str = "", same: idempotency.Key | None = None,
                    ) -> SightingReceipt:
    """Accept a sighting. Time and place come from the reporter, else the photos' EXIF (read by the
    server, or by the phone before it shrank the photo) when plausible, else the report's arrival, marked
    so (``seen_time``); a photo's position far from the city the reporter's words name never replaces them
    (``where_seen.seen_place``: set aside, for the moderators).
    It waits for a moderator before anyone but reviewers sees it (reviewers' own reports do not).
    A public post whose picture was reported before (a repost) joins that sighting as another source;
    a person's report (form, API, email) always stands as its own sighting with its own time, place and
    description, even with a picture seen before: a second witness is evidence, not a duplicate.
    With an idempotency ``key`` (scoped; the API's Idempotency-Key), a retry returns the first receipt
    and stores nothing (a key-less one known by its sender alone: without the private link, ``again``),
    and another request under that key is refused; ``client_key`` is the phone's key
    for a report it queued (``resent_report``); ``sender``: who sent it (only they get its receipt again);
    ``same``: the report named by itself (``same_report``), checked and kept beside ``key``: a fresh key
    does not make the same report from the same sender a new one."""
    require(who, Permission.REPORT_SIGHTING)
    if first := earlier_sighting(deps, key, sender) or earlier_sighting(deps, same, sender):
        return first
    facts = inspect_all(deps, uploads)
    now = deps.clock.now()
    where = zone(sighting.reporter_zone) or deps.site.zone  # the reporter's browser's zone, else the site's
    seen = seen_time(sighting, facts, now, where, deps.site.zone)
    check_seen(deps, seen.at, now)
    placed = seen_place(deps, sighting, facts)  # a photo's position far from the words' city is set aside
    sighting = replace(sighting, place=placed.point)
    keys = store_originals(deps, uploads, facts)
    with deps.uow() as uow:
        rights.still_held(uow, who, Permission.REPORT_SIGHTING)  # revoked while its photos were read (probe s34 H3)
        repeated = _repeated(deps, uow, who, facts, keys, provenance)
        if repeated is not None:
            return SightingReceipt(repeated, [], seen.at, False, False, repeated=True)
        status = SightingStatus.APPROVED if who.can(Permission.MODERATE) else SightingStatus.PENDING
        place = sighting.place  # its day is read in its place's zone: the card's and the date filter's
        sighting_id = uow.add_sighting(sighting, seen, now, status.value, who.account_id, sighting_day_zone(deps, {
            "lat": place.lat if place else None, "lon": place.lon if place else None,
            "place_text": sighting.place_text, "seen_at": seen.at, "seen_at_basis": seen.basis.value}), placed)
        photo_ids = [
            uow.add_photo(PhotoOwner.SIGHTING, sighting_id, fact, key, seen.at.date())
            for fact, key in zip(facts, keys, strict=True)
        ]
        if provenance is not None:
            uow.add_provenance(sighting_id, provenance)
        number = reports.issue(uow, sighting_id, client_key)
        uow.audit(who.actor, "sighting.reported", "sighting", sighting_id, photos=len(photo_ids))
        uow.enqueue("faces.process_sighting", lock=f"sighting-{sighting_id}", sighting_id=sighting_id)
        receipt = SightingReceipt(
            sighting_id, photo_ids, seen.at, time_from_photo=seen.basis in FROM_PHOTO, zone_assumed=seen.zone,
            place_from_photo=placed.basis is PlaceBasis.PHOTO, receipt=number,
            sender=sender, seen_at_basis=seen.basis.value, camera_clock=seen.camera_clock,
            place_basis=placed.basis.value, photo_km=placed.photo_km,
        )
        for named in (key, same):
            if (won := idempotency.remember(uow, named, receipt.as_json())) is not None:
                return again(won, named, sender)  # a concurrent retry won
        uow.commit()
    return receipt


def same_report(deps: Deps, sender: str, fields: Sequence[tuple[str, str]],
                uploads: Sequence[Upload]) -> idempotency.Key | None:
    """A report sent through the form named by itself for 10 minutes (``idempotency.same_request``): its
    fields and its photos from ``sender`` (the account, else the browser's pre-session), however many
    one-time keys its pages carried. The form's key is served with the page, not chosen by the sender: the
    form served again (Back, a reload, the page without its script) carries a fresh key for the very same
    report, which is answered with the first receipt and stores nothing (probe s26 Z8). Each photo is
    known by the picture it holds (its perceptual hash: the same photo shrunk on the phone or sent whole),
    else by its bytes. The receipt goes to ``sender`` alone (``SightingReceipt.to``), the browser or account
    the first page was served to."""
    if not sender:
        return None
    pictures = [("photo", _picture(deps, upload.data)) for upload in uploads]
    return idempotency.same_request(sender, "report", [*fields, *pictures], sole=True)


def _picture(deps: Deps, data: bytes) -> str:
    try:
        phash = deps.codec.inspect(data).phash
    except ReuniteError:  # no photo: refused when the report is read
        phash = None
    return hashlib.sha256(data).hexdigest() if phash is None else f"phash:{phash}"


def add_report_photos(deps: Deps, receipt: str, token: str, uploads: Sequence[Upload]) -> int:
    """A closer photo the reporter adds through their private link (invited when the first showed no face
    fit to match): kept with the report and matched. A photo the report has already is not added twice
    (a resent form). Returns how many were added."""
    row = reports.open_report(deps, receipt, token)
    reports.require_open(row, "photos")
    facts = inspect_all(deps, uploads)
    with deps.uow() as uow:
        have = uow.report_photos(row["id"])
    known = {p.sha256 for p in have}
    fresh = [(u, f) for u, f in zip(uploads, facts, strict=True) if f.sha256 not in known]
    fresh = list({f.sha256: (u, f) for u, f in fresh}.values())
    if len(have) + len(fresh) > deps.limits.max_photos_per_report:
        raise InvalidInput("at most {limit} photos per report", field="photos", limit=deps.limits.max_photos_per_report)
    if not fresh:
        return 0
    keys = store_originals(deps, [u for u, _ in fresh], [f for _, f in fresh])
    with deps.uow() as uow:
        for (_, fact), key in zip(fresh, keys, strict=True):
            uow.add_photo(PhotoOwner.SIGHTING, row["id"], fact, key, row["seen_at"].date())
        uow.audit("reporter", "sighting.photos_added", "sighting", row["id"], photos=len(fresh))
        reports.held_again(deps, uow, row)
        uow.enqueue("faces.process_sighting", lock=f"sighting-{row['id']}", sighting_id=row["id"])
        uow.commit()
    return len(fresh)


def _repeated(deps: Deps, uow: UnitOfWork, who: Principal, facts: Sequence[PhotoFacts], keys: Sequence[str],
              provenance: Provenance | None) -> int | None:
    """For a public post: the sighting that already holds one of these pictures, now also recorded as
    coming from this post."""
    if provenance is None or provenance.kind != "post":
        return None
    found = uow.sighting_with_photo([f.phash for f in facts if f.phash is not None])
    if found is None:
        return None
    uow.add_provenance(found, provenance)
    uow.audit(who.actor, "sighting.repeated", "sighting", found)
    unused = uow.storage_keys_unused(keys)
    uow.commit()
    for key in unused:
        deps.photos.delete(key)
    return found


def resent_report(deps: Deps, key: idempotency.Key | None, sender: str = "") -> SightingReceipt | None:
    """The receipt of a report this phone (or form) already sent under ``key`` (checked before any
    rate limit: a resent report is not a new one); 422 when that key was sent with another report.
    Its receipt number (the private link) only to the ``sender`` who sent it first."""
    first = idempotency.earlier(deps, key)
    row = reports.already_sent(deps, key.name if key else None)
    if row is None:
        return None
    return SightingReceipt(row["id"], [], row["seen_at"], time_from_photo=row["seen_at_basis"] in FROM_PHOTO,
                           place_from_photo=row["place_basis"] == PlaceBasis.PHOTO.value,
                           place_basis=row["place_basis"], photo_km=row["photo_km"],
                           zone_assumed=row["seen_at_zone"], receipt=row["receipt"],
                           resent=True, seen_at_basis=row["seen_at_basis"], camera_clock=row["camera_clock"],
                           sender=str(first.get("sender", "")) if first else "-").to(sender)


def registered(uow: UnitOfWork, who: Principal, case: NewCase) -> int | None:
    """The open case ``who`` (or its partner organisation: ``access.registered_by``) registered already for this
    child (the same names as spelled at intake, birth date and day missing): a retried registration or import,
    which registers nothing again. Two copies sent at once look for each other one after the other (the lock is
    held until the write ends). One that ended since (closed, reunited) is refused (409, naming it), never
    registered again unseen for a moderator to republish (probe s41 D4); a child missing again went missing on
    another day."""
    found = registered_cases(uow, who, [case])[0]
    if found is not None and found[1] != CaseStatus.OPEN:
        raise Conflict(ENDED[found[1]], field="missing_since", case=found[0])
    return None if found is None else found[0]


ENDED = {
    "closed": "you registered this child already, as case {case}, closed since: nothing was registered again; if the child is missing again, register the new disappearance with its day missing; if the case was closed by mistake, ask the police who handle it to have a moderator reopen it as it stood",  # noqa: E501
    "reunited": "you registered this child already, as case {case}, reunited since: nothing was registered again; if the child is missing again, register the new disappearance with its day missing; if the case was closed by mistake, ask the police who handle it to have a moderator reopen it as it stood",  # noqa: E501
}


def registered_cases(uow: UnitOfWork, who: Principal, cases: list[NewCase]) -> list[tuple[int, str] | None]:
    """``uow.registered_cases`` for ``who``'s organisation, one sender of it at a time (its token, and each of its
    PFIF domains: two keys of one partner sending the same sheet at once look for each other)."""
    for name in [who.actor, *sorted(f"domain:{domain}" for domain in who.domains)]:
        uow.one_at_a_time(f"cases-of:{name}")
    return uow.registered_cases(who.actor, who.domains if who.token_id is not None else (), cases)


def registered_before(uow: UnitOfWork, who: Principal, case: NewCase) -> int | None:
    """A family's own open case of this child under another birth date (the same names and day missing, born within
    the doubles window): the family is pointed at correcting it rather than registering the child twice."""
    if who.account_id is None or who.token_id is not None or who.can(Permission.VERIFY_CASE):
        return None
    for row in uow.own_open_cases(who.account_id):
        missing = with_offset(row["missing_since"], row["missing_since_offset"])
        same = (row["given_name"].lower(), (row["family_name"] or "").lower()) == (case.given_name.lower(),
                                                                                   case.family_name.lower())
        if same and same_day_missing(case.missing_since, case.missing_since_precision, missing,
                                     row.get("missing_since_precision", INSTANT)) \
                and _near(row["birth_date"], case.birth_date):
            return int(row["id"])
    return None


def _near(one: date, other: date) -> bool:
    return one != other and abs((one - other).days) <= BIRTH_WINDOW_DAYS


def register_case(
    deps: Deps, who: Principal, case: NewCase, uploads: Sequence[Upload], taken: Sequence[date | None],
    key: idempotency.Key | None = None, birth_precision: str = "day",
) -> CaseReceipt:
    """Register a missing child with photos at known dates (unknown dates count as the date missing).
    ``birth_precision``: a birth date known to the month or year ("month", "year": ``births.birth_given``) is
    kept so, as a sheet's or a PFIF record's is (probe s46 P10).
    A family's registration waits for verification; police and moderators registering one verify it.
    A child the sender registered already (``registered``) is answered with that case (``known``), the
    photos it did not hold added to it (``case_photos``: the receipt's ``photo_ids``)."""
    require(who, Permission.REGISTER_CASE)
    if first := earlier_case(deps, key):
        return first
    if len(taken) != len(uploads):
        raise InvalidInput("give one date taken per photo (or leave each blank)", field="photo_dates")
    check_case(case, taken, deps.clock.now(), [upload.number or n for n, upload in enumerate(uploads, start=1)])
    facts = inspect_all(deps, uploads, case=True)
    if who.token_id is not None:  # a partner's cases one by one count as its imports do (probe s22 V6)
        throttle.records_limit(deps, who, 1)
    keys = store_originals(deps, uploads, facts)
    days = [day or case.missing_since.date() for day in taken]
    with deps.uow() as uow:
        rights.still_held(uow, who, Permission.REGISTER_CASE)  # revoked while its photos were read (probe s34 H3)
        if (other := registered_before(uow, who, case)) is not None:
            raise Conflict("you registered this child already, as case {case}, with another birth date: correct that case (its page, “Correct this case”), and add a photo to it there (“Add photos”), rather than registering the child again", field="birth_date", case=other)  # noqa: E501
        if (known := registered(uow, who, case)) is not None:  # the photos it lacked added to it
            receipt = CaseReceipt(known, case_photos.add_to_registered(deps, uow, who, known, facts, keys, days),
                                  verified=who.can(Permission.VERIFY_CASE), known=True)
        else:
            receipt = _add_case(uow, who, case, facts, keys, days, deps.clock.now())
            if birth_precision != "day":  # shown as that month or year, never an invented day
                uow.merge_pfif(receipt.case_id, {"date_of_birth": birth_written(case.birth_date, birth_precision)})
        if (won := idempotency.remember(uow, key, receipt.as_json())) is not None:
            return CaseReceipt.from_json(won)  # a concurrent retry won
        uow.commit()
    return receipt


def _add_case(uow: UnitOfWork, who: Principal, case: NewCase, facts: Sequence[PhotoFacts], keys: Sequence[str],
              days: Sequence[date], now: datetime) -> CaseReceipt:
    case_id = uow.add_case(case, now)
    photo_ids = [uow.add_photo(PhotoOwner.CASE, case_id, fact, key, day)
                 for fact, key, day in zip(facts, keys, days, strict=True)]
    uow.audit(who.actor, "case.registered", "case", case_id, photos=len(photo_ids))
    if who.account_id is not None and not who.can(Permission.VERIFY_CASE):
        uow.add_case_owner(case_id, who.account_id)
    if who.can(Permission.VERIFY_CASE):
        uow.mark_verified(case_id, who.actor, now)
        uow.vouch_facts(case_id, vouched(case))
        uow.audit(who.actor, "case.verified", "case", case_id, evidence="registered by a reviewer")
        uow.enqueue("reach.case_activated", case_id=case_id)
    uow.enqueue("faces.process_case", lock=f"case-{case_id}", case_id=case_id)
    return CaseReceipt(case_id, photo_ids, verified=who.can(Permission.VERIFY_CASE))

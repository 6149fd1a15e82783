"""Reads for pages and the API. Every record passes through ``domain.access`` before it is returned,
and every read of personal data by anyone but its subject is written to the audit log, saying what
was really read."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reunite.domain import access, staff
from reunite.domain.access import Permission, Principal, require, require_case
from reunite.domain.errors import Conflict, NotFound, NotSignedIn
from reunite.domain.leads import told
from reunite.domain.model import AgeRange, CandidateStatus, CaseStatus, SightingFilter, age_in_years
from reunite.domain.pfif import birth_precision
from reunite.domain.ports import ReaderScript
from reunite.domain.scoring import contradictions, face_evidence, read_stored
from reunite.domain.workbench import waits_for_report
from reunite.services import throttle
from reunite.services.deps import Deps

FEED_BATCH = 200  # cases read at a time while a feed looks for those of a region
RENDERING = 3  # bump when the way photos are re-encoded, scaled or blurred, or posters laid out, changes:
# older copies are not served


@dataclass(frozen=True)
class Rendition:
    """A photo as served, and its entity tag; ``data`` is None when the reader already has these bytes."""

    data: bytes | None
    etag: str


def _rendition(deps: Deps, known: str | None, render: Callable[[], bytes], *key: object) -> Rendition:
    """Made once and kept (``deps.renditions``), keyed by everything the bytes depend on: the stored
    original, the size, the boxes blurred and kept. Called after the rights were checked and the read
    audited; ``known`` is the reader's If-None-Match, answered without the bytes when it still holds."""
    etag = hashlib.sha256(repr((RENDERING, *key)).encode()).hexdigest()[:32]
    if known == etag:
        return Rendition(None, etag)
    data = deps.renditions.get(etag)
    if data is None:
        data = render()
        deps.renditions.put(etag, data)
    return Rendition(data, etag)


def audit_read(deps: Deps, who: Principal, action: str, subject: str, subject_id: int, **detail: Any) -> None:
    """One row, committed without waiting for the disk: a read never queues behind WAL flushes."""
    with deps.uow() as uow:
        uow.audit(who.actor, action, subject, subject_id, **detail)
        uow.commit(durable=False)


def list_sightings(deps: Deps, who: Principal, query: SightingFilter,
                   reader: ReaderScript | None = None) -> tuple[int, list[dict[str, Any]]]:
    """Sightings as ``who`` may filter and see them (``access.sighting_filter``), their cities named for
    ``reader``. Without exact places, each listing counts against an hourly limit, and every listing, empty
    or not, is audited with the filter that really ran."""
    require(who, Permission.BROWSE_SIGHTINGS)
    asked = access.sighting_filter(who, query)
    if asked.grid_deg is not None:
        throttle.hit(deps, f"browse:{who.actor}", deps.limits.listings_per_hour)
    total, rows = deps.read.sightings(asked)
    shown = [sighting_shown(deps, who, r, reader) for r in rows]
    near = asked.near
    audit_read(deps, who, "sightings.listed", "sighting", shown[0]["id"] if shown else 0,
                ids=[r["id"] for r in shown], total=total, exact_places=asked.grid_deg is None,
                near=[near.lat, near.lon] if near else None, radius_km=asked.radius_km if near else None,
                place=asked.place or None)
    return total, shown


def public_city(deps: Deps, words: str, reader: ReaderScript | None) -> str:
    """The city place words name, as the public reads it: one gazetteer entry, named in ``reader``'s language
    and script (成都 and Chengdu alike: 四川省成都市 for a reader of Chinese, 四川省成都市 in traditional
    characters in Taiwan, "Chengdu, Sichuan" in English); without a reader, as the words are written."""
    if reader is None:
        return deps.places.city(words)
    return reader.script(deps.places.city(words, reader.latin))


def sighting_shown(deps: Deps, who: Principal, row: dict[str, Any],
                   reader: ReaderScript | None = None) -> dict[str, Any]:
    """A sighting as ``who`` may see it (``access.sighting_view``), given the city its place words name
    for readers who may not see exact places, named in ``reader``'s language."""
    if not who.can(Permission.SEE_EXACT_PLACES):
        row = row | {"place_city": public_city(deps, row.get("place_text") or "", reader)}
    return access.sighting_view(who, row)


def get_sighting(deps: Deps, who: Principal, sighting_id: int,
                 reader: ReaderScript | None = None) -> dict[str, Any]:
    """One sighting as ``who`` may see it, its city named for ``reader``. Without exact places, each read
    counts against the same hourly limit as a listing (a listing of one: sequential ids must not bypass it),
    before anything is read, whether the sighting exists or not."""
    require(who, Permission.BROWSE_SIGHTINGS)
    if not who.can(Permission.SEE_EXACT_PLACES):
        throttle.hit(deps, f"browse:{who.actor}", deps.limits.listings_per_hour)
    visible_sighting(deps, who, sighting_id)
    row = deps.read.sighting(sighting_id)
    shown = sighting_shown(deps, who, row, reader)
    shown["trail"] = []
    if who.can(Permission.REVIEW_CANDIDATES):  # reviewers weigh where a report came from and who else sent it
        shown["sources"] = deps.read.sighting_provenance(sighting_id)
        shown["same_picture"] = deps.read.same_picture(sighting_id)
    if row["group_id"] is not None:  # one child seen several times: where and when, as this reader may see
        trail = deps.read.group_trail(row["group_id"], access.browsable_statuses(who))
        trail = [sighting_shown(deps, who, r, reader) for r in trail]  # in the order of the times this reader reads
        shown["trail"] = sorted(trail, key=lambda r: (r["seen_at"], r["id"]))
    _audit_view(deps, who, shown)
    return shown


def _audit_view(deps: Deps, who: Principal, shown: dict[str, Any]) -> None:
    """A sighting's read, and one read of each other report its trail showed, filed under that report (as
    the workbench files its trail): "who saw sighting N" finds it by N's own entries, whatever becomes of
    the group later (before, only through the trail's ids, while N stayed in that group)."""
    sighting_id = shown["id"]
    with deps.uow() as uow:
        uow.audit(who.actor, "sighting.viewed", "sighting", sighting_id, exact_place=shown["place_precise"],
                  contact="reporter_contact" in shown, trail_shown=[r["id"] for r in shown["trail"]])
        for member in shown["trail"]:
            if member["id"] != sighting_id:
                uow.audit(who.actor, "sighting.viewed", "sighting", member["id"], via="trail", of=sighting_id,
                          exact_place=member["place_precise"])
        uow.commit(durable=False)


def visible_sighting(deps: Deps, who: Principal, sighting_id: int) -> dict[str, Any]:
    """The sighting's head (id, status, child's face) if this reader may see it. One that exists but is
    hidden from them is refused as one that does not exist, after the same one statement: what was
    reported (its photos, faces, place) is read only once access is granted, so that not even the time
    an answer takes tells the two apart; one held again is said so (409: ``access.held_again_shown``)."""
    head = deps.read.sighting_head(sighting_id)
    if head is not None and access.held_again_shown(who, head):
        raise Conflict("sighting {id} is being checked again: something was added to it since it was approved, and moderators are checking the addition; it is shown again once they have",  # noqa: E501
                       id=sighting_id)
    if head is None or not access.sighting_visible(who, head["status"]):
        raise NotFound("sighting {id} does not exist", id=sighting_id)
    return head


def visible_case(deps: Deps, who: Principal, case_id: int) -> dict[str, Any]:
    """The case's head (id, status, verified_at) if this reader may see it at all (its family, reviewers;
    partners once it is verified); refused as a missing case otherwise, by the same work (see
    ``visible_sighting``)."""
    require_case(who, case_id)
    head = deps.read.case_head(case_id)
    if head is None or not access.case_checked_for(who, head):
        raise NotFound("case {id} does not exist", id=case_id)
    return head


def checked_case(deps: Deps, who: Principal, case_id: int, reader: ReaderScript | None = None) -> dict[str, Any]:
    """The case, read in full once ``visible_case`` granted it, with the city its last-seen words name
    (for ``reader``)."""
    visible_case(deps, who, case_id)
    row = deps.read.case(case_id)
    return row | {"last_seen_city": public_city(deps, row.get("last_seen_text") or "", reader)}


def get_case(deps: Deps, who: Principal, case_id: int, reader: ReaderScript | None = None) -> dict[str, Any]:
    row = checked_case(deps, who, case_id, reader)
    shown = access.case_view(who, row)
    shown["birth_date_precision"] = birth_precision(row.get("pfif") or {})
    shown["missing_since_precision"] = row["missing_since_precision"]
    if not who.owns(case_id):
        audit_read(deps, who, "case.viewed", "case", case_id, contact="family_contact" in shown,
                    imported_contacts=sorted(shown.get("imported_contacts", {})),
                    notes=[note["id"] for note in shown.get("notes", [])])
    return shown


def case_timeline(deps: Deps, who: Principal, case_id: int) -> list[dict[str, Any]]:
    """A case's history as this reader may see it: a family learns of a reviewer's confirmation only
    once it can no longer be undone, as with the lead itself, and never of a dismissal (dismissed
    candidates are not shown to it: their mention would tell that a proposal existed)."""
    if not access.case_in_full(who, visible_case(deps, who, case_id)):
        return []  # a placeholder has no history to tell
    entries = deps.read.case_timeline(case_id)
    if who.can(Permission.REVIEW_CANDIDATES):
        return entries
    settled = deps.clock.now() - deps.limits.undo_window
    return [e for e in entries if e["action"] != "candidate.dismissed"
            and (e["action"] != "candidate.confirmed" or e["at"] <= settled)]


def with_lead(deps: Deps, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each candidate's lead (band, "1 in N", rank, long-gap caveat, what the reporter saw that the case
    contradicts: ``scoring.contradictions``): what a person is shown, read from
    its face evidence (the same whoever reads it: places never enter it) and its sighting's apparent age by
    the one reading of a pair (``scoring.read_stored``); the rank is the one this reader sees
    (``access.candidate_view``)."""
    for row in rows:
        apparent = AgeRange.of(row.get("apparent_age_low"), row.get("apparent_age_high"))
        evidence = face_evidence(deps.policy, row["face_score"], row["hubness"])
        reading = read_stored(deps.policy, evidence, row["expected_age"], row["gap_years"], row["rank"],
                              row["rank_of"], apparent.middle if apparent else None)
        row["impostor_share"] = reading.share
        row["lead"] = told(reading.lead, contradictions(row.get("case_sex"), row.get("apparent_sex"),
                                                        row["expected_age"], apparent, row.get("time_score")))
        row["resembles_many"] = row["hubness"] > deps.policy.hub_words_above
    return rows


def case_candidates(
    deps: Deps, who: Principal, case_id: int, status: CandidateStatus | None = None,
    reader: ReaderScript | None = None,
) -> list[dict[str, Any]]:
    """The case's shortlist: every candidate for reviewers, only confirmed ones for the family."""
    case = visible_case(deps, who, case_id)  # 404 for an unknown case rather than an empty list
    settled = deps.clock.now() - deps.limits.undo_window
    ended = case["status"] in (CaseStatus.CLOSED, CaseStatus.REUNITED)  # its confirmed leads stay listed
    rows = [sighting_shown(deps, who, access.candidate_view(who, r, deps.policy), reader)
            for r in deps.read.candidates(case_id, status, group_statuses=access.browsable_statuses(who))
            if access.candidate_visible(who, r, settled, case_id, ended, held=True)]
    rows.sort(key=lambda r: (waits_for_report(r), -r["score"], r["id"]))  # those reviewers can act on first
    audit_read(deps, who, "candidates.viewed", "case", case_id, ids=[r["id"] for r in rows],
                sightings=sorted({r["sighting_id"] for r in rows}), exact_places=who.can(Permission.SEE_EXACT_PLACES))
    return [access.scores_shown(who, r) for r in with_lead(deps, rows)]


def sighting_candidates(deps: Deps, who: Principal, sighting_id: int) -> list[dict[str, Any]]:
    require(who, Permission.REVIEW_CANDIDATES)
    visible_sighting(deps, who, sighting_id)
    found = deps.read.candidates(None, None, sighting_id, access.browsable_statuses(who))
    rows = [access.candidate_view(who, r, deps.policy) for r in found]
    audit_read(deps, who, "candidates.viewed", "sighting", sighting_id, ids=[r["id"] for r in rows],
                exact_places=who.can(Permission.SEE_EXACT_PLACES))
    return with_lead(deps, rows)


def poster(deps: Deps, case_id: int, latin: bool | None = None) -> dict[str, Any]:
    """What a public poster shows of a verified, open case: first name, ages, when and where last seen
    (``latin``: the place in Latin letters, for a reader of English, else in Chinese characters, for a
    reader of Chinese; None: as the words are written). Never the family's name or contact. Public: no
    principal needed."""
    row = deps.read.poster(case_id)
    row["last_seen_text"] = deps.places.city(row["last_seen_text"], latin)  # the city, as case_view shows the public
    now = deps.clock.now().astimezone(deps.site.zone).date()  # the site's day, never the server's UTC one
    row["age_then"] = int(age_in_years(row["birth_date"], row["missing_since"].date()))
    row["age_now"] = int(age_in_years(row["birth_date"], now))
    return row


def front_page(deps: Deps, latin: bool | None = None, limit: int = 24) -> dict[str, Any]:
    """What anyone sees first: how many children were reunited and the posters of verified cases."""
    posters = [poster(deps, row["id"], latin) for row in deps.read.active_cases(None, limit)]
    return {"reunions": deps.read.reunion_count(), "posters": posters}


def feed_cases(deps: Deps, region: str, before: datetime | None, limit: int) -> list[dict[str, Any]]:
    """Active cases for a feed, newest first: with a region, those whose public place (the city their
    last-seen words name, as on the poster) lies inside it (a city, or any city of a province, named
    in any script), as alerts choose their subscribers. Never matched against the family's own words,
    so a feed tells no more than the posters."""
    region = region.strip()
    if not region:
        return deps.read.active_cases(before, limit)
    found: list[dict[str, Any]] = []
    while len(found) < limit:
        rows = deps.read.active_cases(before, FEED_BATCH)
        found += [r for r in rows if deps.places.covers(region, deps.places.city(r["last_seen_text"] or ""))]
        if len(rows) < FEED_BATCH:
            break
        before = rows[-1]["verified_at"]
    return found[:limit]


def poster_photo(deps: Deps, case_id: int) -> bytes:
    made = poster_rendition(deps, case_id)
    assert made.data is not None
    return made.data


def poster_document(deps: Deps, case: dict[str, Any], labels: dict[str, str], lang: str,
                    known: str | None = None) -> Rendition:
    """A case's printable poster, ``case`` as ``poster`` read it for this request (so a poster taken
    down is gone at once). Made once per content shown, keyed by everything printed (the words in the
    reader's language, the language itself: ``lang``, zh-HK's and zh-TW's scripts alike or not, the name,
    the description, the photo, the link), so an edited case makes a new one."""
    url = f"{deps.site.base_url}/p/{case['id']}"
    printed = (lang, labels, case["given_name"], case["description"], case["photo_id"], url)

    def render() -> bytes:
        photo = poster_photo(deps, case["id"]) if case["photo_id"] else None
        return deps.posters.render(labels, case, photo, url, lang)

    return _rendition(deps, known, render, "poster.pdf", *printed)


def poster_rendition(deps: Deps, case_id: int, known: str | None = None) -> Rendition:
    """A poster's photo (public while the poster is): asked again at every showing, answered without
    the bytes when the reader's copy (``known``) is still current."""
    photo_id = deps.read.poster(case_id)["photo_id"]
    if photo_id is None:
        raise NotFound("case {id} has no photo", id=case_id)
    photo = deps.read.photo(photo_id)
    if photo is None:  # deleted since the poster was read
        raise NotFound("case {id} has no photo", id=case_id)
    key = photo["storage_key"]
    return _rendition(deps, known, lambda: deps.codec.clean_copy(deps.photos.get(key), 800), key, 800)


def photo_bytes(
    deps: Deps, who: Principal, photo_id: int, max_side: int | None = None, known: str | None = None
) -> Rendition:
    """A clean copy of a stored photo: re-encoded, metadata stripped, and for everyone but police and
    moderators, of a sighting, every face but the child's blurred and everything outside the child's
    head obscured (``access.sharp_regions``: a face the detector missed is shown sharp only where it lies
    on the child's head). A photo this reader may not see answers as one that does not exist, after the
    same one statement: its faces are read only once access is granted."""
    _signed_in(who)
    row = deps.read.photo(photo_id)
    if row is None or not _sees_photo(who, row):
        raise NotFound("photo {id} does not exist", id=photo_id)
    blur: list[access.Box] = []
    keep = None
    sharp: list[access.Outline] | None = None
    if row["case"]:
        if not who.owns(row["case_id"]):
            audit_read(deps, who, "photo.viewed", "case", row["case_id"], photo=photo_id)
    else:
        if not access.photo_shown(who, row):
            raise NotFound("photo {id} is not shown: its faces are not known yet, so bystanders cannot be blurred",
                           id=photo_id)
        faces = deps.read.sighting_faces(row["sighting_id"])
        child = access.child_face_of(row["child_face_id"], [f["id"] for f in faces])
        faces = [f for f in faces if f["photo_id"] == photo_id]
        blur = [access.box_of(f) for f in access.blur_faces(who, faces, child)]
        keep = next((access.box_of(f) for f in faces if f["id"] == child), None) if blur else None
        sharp = access.sharp_regions(who, faces, child)
        audit_read(deps, who, "photo.viewed", "sighting", row["sighting_id"], photo=photo_id,
                    unblurred=sharp is None)
    key = row["storage_key"]
    # the key names every box blurred and kept, and the outline left sharp: a copy made for one audience
    # (police's, sharp None) is never served to another (a family's, sharp a list)
    return _rendition(deps, known, lambda: deps.codec.clean_copy(deps.photos.get(key), max_side, blur, keep, sharp),
                      "photo", key, max_side, blur, keep, sharp)


def _sees_case(who: Principal, case: dict[str, Any]) -> bool:
    """Whether this reader may see the case a photo or face belongs to (``checked_case``'s rule), from
    its head read with the photo: a photo's answer never tells which case it is of."""
    return (who.may_view_case(case["id"]) and access.case_checked_for(who, case)
            and access.case_in_full(who, case))


def _sees_photo(who: Principal, row: dict[str, Any]) -> bool:
    """A case's photos for those who see the case; a sighting's for those who see the sighting."""
    return _sees_case(who, row["case"]) if row["case"] else access.sighting_visible(who, row["sighting_status"])


def _signed_in(who: Principal) -> None:
    """Nobody signed out sees a stored photo or face (posters have their own copy): asked before the
    record is read, so that the answer is the same whether the id exists or not."""
    if not who.signed_in:
        raise NotSignedIn("sign in to see this photo")


def _sees_face(deps: Deps, who: Principal, row: dict[str, Any]) -> bool:
    """A case's faces for its family and reviewers; of a sighting, the child's face (or one a reviewer
    confirmed as the family's child); a bystander's only for police and moderators."""
    if row["case"]:
        return _sees_case(who, row["case"])
    settled = deps.clock.now() - deps.limits.undo_window  # the candidates list's rule, not a sooner one
    child = access.child_face_of(row["child_face_id"], row["sighting_face_ids"])
    return (who.can(Permission.SEE_ORIGINALS)
            or any(access.candidate_visible(who, c, settled, c["case_id"]) for c in row["confirmations"])
            or (access.sighting_visible(who, row["sighting_status"]) and row["id"] == child))


def face_crop(deps: Deps, who: Principal, face_id: int, known: str | None = None) -> Rendition:
    """A face crop, for those ``_sees_face`` names. A face this reader may not see answers as one that
    does not exist, after the same one statement: the photo it was cut from is read only once access
    is granted."""
    _signed_in(who)
    # a confirmation shows a face only to the family of its case (``access.candidate_visible``); the
    # reviewers who read every confirmation see every face (SEE_ORIGINALS) whatever they say
    row = deps.read.face(face_id, sorted(who.verified_cases))
    if row is None or not _sees_face(deps, who, row):
        raise NotFound("face {id} does not exist", id=face_id)
    if row["case"]:
        if not who.owns(row["case_id"]):
            audit_read(deps, who, "face.viewed", "case", row["case_id"], face=face_id)
    else:
        child = access.child_face_of(row["child_face_id"], row["sighting_face_ids"])
        audit_read(deps, who, "face.viewed", "sighting", row["sighting_id"], face=face_id,
                    bystander=face_id != child)
        if not who.can(Permission.SEE_ORIGINALS):  # cut from the photo with every other face blurred first,
            # and all but this face's head obscured, as on the whole photo (``access.sharp_regions``)
            faces = [f for f in deps.read.sighting_faces(row["sighting_id"]) if f["photo_id"] == row["photo_id"]]
            others = [access.box_of(f) for f in faces if f["id"] != face_id]
            sharp = access.sharp_regions(who, faces, face_id)
            key, box = row["photo_key"], access.box_of(row)
            return _rendition(deps, known, lambda: deps.codec.face_copy(deps.photos.get(key), box, others, sharp=sharp),
                              "face", key, box, others, sharp)
    crop = row["crop_key"]
    return _rendition(deps, known, lambda: deps.photos.get(crop), "crop", crop)


def case_messages(deps: Deps, who: Principal, case_id: int) -> list[dict[str, Any]]:
    """The conversation on a case: for the family and reviewers only."""
    access.require_correspondent(who, case_id, reading=True)
    found = deps.read.messages(case_id)
    audit_read(deps, who, "case.messages_read", "case", case_id, messages=len(found))
    return found


def admin_lists(deps: Deps, who: Principal) -> dict[str, list[dict[str, Any]]]:
    """Staff accounts, API tokens and invitations (emails) for the admin page; each token and invitation
    says who issued it and whether that account still vouches for it (``staff.vouches``)."""
    require(who, Permission.ADMINISTER)
    tokens = [t | {"vouched": t["issuer_account"] is None or staff.vouches(t["issuer_role"], t["issuer_disabled"])}
              for t in deps.read.api_tokens()]
    invitations = [i | {"vouched": staff.vouches(i["inviter_role"], i["inviter_disabled"]),
                        "pending": i["used_at"] is None and i["expires_at"] > deps.clock.now()}
                   for i in deps.read.invitations()]
    lists = {"accounts": deps.read.staff_accounts(), "tokens": tokens, "invitations": invitations}
    audit_read(deps, who, "admin.viewed", "system", 0, invitations=len(invitations), accounts=len(lists["accounts"]))
    return lists

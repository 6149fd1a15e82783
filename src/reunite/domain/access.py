"""The one visibility policy: who may do what (the roles, scopes and permissions of
``domain.principals``, re-exported here), and what of each record they may see (what of a sighting's
photos and faces: ``domain.photos_shown``; of a report's times: ``domain.times_shown``; of a place:
``domain.places_shown``; of a candidate: ``domain.candidates_shown``, all re-exported here too).

Every read of a case, a sighting, a photo, a place or a contact passes through the functions here;
entry points ask ``Principal.can`` before calling a service, services shape every record with
``case_view`` / ``sighting_view`` / ``candidate_visible`` before returning it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, tzinfo
from typing import Any

from reunite.domain.candidates_shown import (
    CONFIRMED_WORDS,
    RAW_SCORES,
    candidate_view,
    candidate_visible,
    coarse_score,
    decision_settled,
    family_sent_view,
    found_elsewhere,
    held_again,
    picture_shown_as_lead,
    scores_shown,
)
from reunite.domain.cases_shown import (
    CASE_PLACEHOLDER,
    CASE_PRIVATE,
    SHARED_TEXTS,
    WITHDRAWN,
    case_checked_for,
    case_history_shown,
    case_in_full,
    case_status_shown,
    case_view,
    corrections_decided,
    exact_last_seen,
    exported_in_full,
    exported_status,
    may_correct,
    registered_by,
    text_shown,
    text_withheld,
)
from reunite.domain.errors import Forbidden, NotFound, NotSignedIn
from reunite.domain.model import SightingFilter
from reunite.domain.pfif_shown import note_view, notes_shown, pfif_hidden
from reunite.domain.photos_shown import (
    HEAD,
    Box,
    Outline,
    blur_faces,
    box_of,
    case_original,
    case_photo_child,
    case_photo_shown,
    case_photos_listed,
    child_face,
    child_face_of,
    faces_counted,
    head_outline,
    photo_shown,
    ruled_out_faces,
    shared_with_child,
    sharp_regions,
)
from reunite.domain.places_shown import (
    COARSE_DIGITS,
    PLACE_GRID_DEG,
    coarse_distance_km,
    coarse_point,
    coarse_radius,
    coarsen,
    distance_shown,
    exact,
    exact_places,
    public_pin,
)
from reunite.domain.principals import (
    ACTIVE_CASE_STATUSES,
    ANONYMOUS,
    FAMILY_NEEDS_VERIFIED_CASE,
    OPERATOR,
    ROLE_PERMISSIONS,
    SCOPE_PERMISSIONS,
    P,
    Permission,
    Principal,
    Role,
    Scope,
)
from reunite.domain.times_shown import hours_only, in_place_zone, times_view

# re-exported: callers ask this module for who may do what and what of a photo, a time, a place or a
# candidate they see, never domain.principals, domain.photos_shown, domain.times_shown,
# domain.places_shown, domain.candidates_shown, domain.cases_shown or domain.pfif_shown
__all__ = ["ACTIVE_CASE_STATUSES", "ANONYMOUS", "CASE_PLACEHOLDER", "CASE_PRIVATE", "COARSE_DIGITS", "CONFIRMED_WORDS",
           "FAMILY_NEEDS_VERIFIED_CASE", "HEAD", "OPERATOR", "PLACE_GRID_DEG", "RAW_SCORES", "ROLE_PERMISSIONS",
           "SCOPE_PERMISSIONS", "SHARED_TEXTS", "WITHDRAWN", "Box", "Outline", "P", "Permission", "Principal", "Role",
           "Scope", "blur_faces", "box_of", "candidate_view", "candidate_visible", "case_checked_for",
           "case_history_shown", "case_in_full", "case_original", "case_photo_child", "case_photo_shown",
           "case_photos_listed", "case_status_shown", "case_view", "child_face", "child_face_of", "coarse_distance_km",
           "coarse_point", "coarse_radius", "coarse_score", "coarsen", "corrections_decided", "decision_settled",
           "distance_shown", "exact", "exact_last_seen", "exact_places", "exported_in_full", "exported_status",
           "family_sent_view", "found_child_hidden", "found_elsewhere", "head_outline", "held_again", "hours_only",
           "may_correct", "note_view", "notes_shown", "pfif_hidden", "photo_shown", "picture_shown_as_lead",
           "public_pin", "registered_by", "ruled_out_faces", "scores_shown", "shared_with_child", "sharp_regions",
           "text_shown", "text_withheld", "times_view"]

REVIEWABLE = ("pending", "approved", "rejected")


# a permission's words where one route needs it for another action (probe s23 W10: answering a removal request
# about one's case needs ``register cases``, and a refusal naming that tells the wrong action); in ``WORDS``
ANSWER_REMOVALS = "answer removal requests about the cases you registered"
ACTION_WORDS = frozenset({ANSWER_REMOVALS})


def require(who: Principal, permission: Permission, what: str = "") -> None:
    """Raise NotSignedIn (401) or Forbidden (403) unless ``who`` holds ``permission``; the refusal names
    ``what`` (one of ``ACTION_WORDS``) as the action refused, else the permission."""
    if who.can(permission):
        return
    what = what or permission.value
    if not who.signed_in:
        raise NotSignedIn("sign in to {what}", what=what)
    if who.role is Role.FAMILY and permission in FAMILY_NEEDS_VERIFIED_CASE:
        if who.own_cases and who.own_cases <= who.ended_cases:
            raise Forbidden("your case has ended (closed, reunited or expired), so you can no longer {what}",
                            what=what)
        raise Forbidden("families can {what} once a moderator has verified their case", what=what)
    if who.account_id is None and who.token_id is not None:
        raise Forbidden("this API token may not {what}", what=what)
    raise Forbidden("your account may not {what}", what=what)


def require_case(who: Principal, case_id: int) -> None:
    """The family that owns a case, and reviewers, may see it; nobody else: for them it does not
    exist (the same answer as for an id nobody uses, so that ids tell nothing)."""
    if who.may_view_case(case_id):
        return
    if not who.signed_in:
        raise NotSignedIn("sign in to see this case")
    raise NotFound("case {id} does not exist", id=case_id)


def look_alikes_shown(who: Principal) -> bool:
    """Whether ``who`` reads, beside a case waiting for verification, the open cases of other accounts whose
    photos look most alike its own (``services.look_alikes``: another family's child, side by side, with its
    birth date, when and where it went missing, and who registered it): those who verify cases and moderate
    (police, moderators, admins); never a family, whose own case it is not, nor a partner's token."""
    return who.can(P.VERIFY_CASE) and who.can(P.MODERATE)


def sighting_filter(who: Principal, query: SightingFilter) -> SightingFilter:
    """A browse filter as this principal may ask it. Without exact places, everything place-derived
    (which rows match, the count) is computed from grid cells only: the point asked about snapped
    to its cell's centre, the radius widened to a coarse step, and each sighting's place replaced
    by its cell's centre, so that no sequence of questions tells two places of one cell apart. Without
    the originals, a report dated by its arrival (read as its hour only: ``sighting_view``) is compared
    and ordered by that hour, so that no run of time filters tells the instant it was sent."""
    statuses, found = browsable_statuses(who), found_child_hidden(who)
    hours = hours_only(who)  # a reader of hours (``times_shown``)
    if who.can(P.SEE_EXACT_PLACES):
        return replace(query, statuses=statuses, grid_deg=None, arrival_hours=hours, found_hidden=found)
    radius = coarse_radius(query.radius_km) if query.near else query.radius_km
    return replace(query, statuses=statuses, near=coarse_point(query.near), radius_km=radius,
                   grid_deg=PLACE_GRID_DEG, arrival_hours=hours, found_hidden=found)


def browsable_statuses(who: Principal) -> tuple[str, ...]:
    """The report states ``who`` browses and searches (see ``sighting_visible``)."""
    return REVIEWABLE if who.can(P.MODERATE) else ("approved",)


def sighting_visible(who: Principal, status: str, found: bool = False) -> bool:
    """Moderators and police see every report still held (pending, approved, rejected); others only
    reports a moderator approved, and not those of a child found (``found_child_hidden``). Removed and
    expired reports are placeholders nobody browses."""
    if not who.can(P.BROWSE_SIGHTINGS):
        return False
    if found and found_child_hidden(who):
        return False
    return status in REVIEWABLE if who.can(P.MODERATE) else status == "approved"


def searches_own_child_only(who: Principal) -> bool:
    """Whether ``who`` searches by photo only for its own child (probe s32 F3): a family, that is an account
    without the rights of those who check cases (``VERIFY_CASE``) or moderate, names one of its verified, open
    cases, and only the faces of its photo that look like that case's child are searched
    (``services.search``). Staff search any photo, as do the tokens of partner organisations an admin issued
    ``read:sightings``: otherwise any checked family could ask, with another family's poster photo, whether
    and when and where that child was seen."""
    return who.account_id is not None and not (who.can(P.VERIFY_CASE) or who.can(P.MODERATE))


def found_child_hidden(who: Principal) -> bool:
    """Whether the reports of a child found (confirmed for a case closed as reunited, and the reports of that
    child's trail, recorded when the case was closed so: probe s32 F2) are left out of what ``who`` browses,
    searches and opens (probe s28 B4): the child is home, and only police and moderators, who keep the case's
    history, read them still."""
    return not who.can(P.MODERATE)


def held_again_shown(who: Principal, head: dict[str, Any]) -> bool:
    """A report approved once and back with the moderators (``held_again``: its reporter added to it) is
    said to be checked again to readers of approved reports only, who may have read it: nothing of it."""
    return (bool(head.get("held_again")) and not sighting_visible(who, head["status"])
            and sighting_visible(who, "approved"))


REPORTER_WORDS = ("description", "with_whom")  # free text: read only by those who see exact places
# how the place was obtained, and the photo's EXIF position set aside as far from the words' city (its distance):
# what the photo file said of where it was taken, read only by those who see exact places
PHOTO_PLACE = ("place_basis", "photo_lat", "photo_lon", "photo_km")


def sighting_view(who: Principal, row: dict[str, Any]) -> dict[str, Any]:
    """A sighting as this principal may see it: exact place and reporter contact only for reviewers;
    for everyone else, places coarsened to ~1 km, the reporter's place words reduced to the city they
    name (``place_city``, which the caller reads from the offline gazetteer; nothing when it is not
    given: "outside 12 Nanjing Road" pins a child as well as a map pin), the reporter's free words about
    the child withheld (``words_withheld``) and only the child's face; how the place was obtained and a photo's
    position set aside as far from the words' city (``PHOTO_PLACE``) only for those who see exact places."""
    shown = exact_places({k: v for k, v in row.items() if k != "place_city"})
    if not who.can(P.SEE_EXACT_PLACES):
        shown["lat"], shown["lon"] = coarsen(row.get("lat")), coarsen(row.get("lon"))
        if "place_text" in row:
            shown["place_text"] = row.get("place_city") or ""
        # the reporter's own words about the child can name the place too ("by the gate of No. 17")
        shown["words_withheld"] = any(row.get(k) for k in REPORTER_WORDS)
        shown.update({k: "" for k in REPORTER_WORDS if k in row})
        for name in PHOTO_PLACE:
            shown.pop(name, None)
        shown |= in_place_zone(row)  # never the offset the time was given in: where the camera or phone was
        shown["place_precise"] = False
    else:
        shown["place_precise"] = True
    if not who.can(P.SEE_CONTACTS):
        shown.pop("reporter_contact", None)
    if not who.can(P.MODERATE):  # the stamp a moderator's decision sends back: of their pages only
        shown.pop("version", None)
    if not who.can(P.SEE_ORIGINALS):  # what the photo's clock read (EXIF): with the originals only
        shown.pop("camera_clock", None)
    if "photos" in row and not who.can(P.SEE_ORIGINALS):
        shown["photos"] = [{k: v for k, v in p.items() if k != "failed_reason"} for p in row["photos"]
                           if photo_shown(who, p)]
    if "faces" in row and not who.can(P.SEE_ORIGINALS):
        shown["faces"] = [f for f in row["faces"] if f["id"] == child_face(row)]
    if "first_face_id" in row and not who.can(P.SEE_ORIGINALS):  # the face a gallery card shows
        shown["first_face_id"] = row.get("child_face_id")
    if not who.can(P.SEE_ORIGINALS):  # faces counted as shown: never how many bystanders were found
        shown |= faces_counted(row, shown.get("photos"))
    return times_view(who, shown)  # an arrival to the hour, and every time derived from it


# Public statistics (anyone, unsigned): counts of what anyone may read, never of a private status. A report
# counts once a moderator approved it (a pending, rejected or removed one: never), a case once verified and
# while open or reunited (a hoax, an expired case: never); everything as it stood at the start of the site's
# day, so that no figure moves when a report arrives or is approved (provinces: ``sources.public_regions``).
PUBLIC_REPORTS = ("approved",)
PUBLIC_CASES = ("open", "reunited")


def public_as_of(now: datetime, where: tzinfo) -> datetime:
    """The instant public figures are counted up to: the start of the current day in the site's zone."""
    return datetime.combine(now.astimezone(where).date(), time(), tzinfo=where)


def may_write_domain(who: Principal, domain: str) -> bool:
    """A partner writes PFIF records only of the domains its token names; admins' accounts and the
    operator's command line write any."""
    return (who.can(P.ADMINISTER) and who.token_id is None) or domain in who.domains


def require_correspondent(who: Principal, case_id: int, reading: bool = False) -> None:
    """The family and reviewers write to each other on a case (``case_history_shown``); nobody else reads or
    writes there. The refusal says what was asked: ``reading`` the messages, or writing one."""
    require_case(who, case_id)
    if not case_history_shown(who, case_id):
        if reading:
            raise Forbidden("only the family and reviewers read the messages on a case")
        raise Forbidden("only the family and reviewers write on a case")

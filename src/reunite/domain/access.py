"""The one visibility policy: who may do what, and what of each record they may see.

Every read of a case, a sighting, a photo, a place or a contact passes through the functions here;
entry points ask ``Principal.can`` before calling a service, services shape every record with
``case_view`` / ``sighting_view`` / ``candidate_visible`` before returning it."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reunite.domain.errors import Forbidden, NotSignedIn

REVIEWABLE = ("pending", "approved", "rejected")
PLACE_GRID_DEG = 0.01  # about 1.1 km of latitude: the precision families and partners see


class Role(enum.StrEnum):
    ANONYMOUS = "anonymous"
    REPORTER = "reporter"  # a registered reporter
    FAMILY = "family"  # owns one or more cases
    MODERATOR = "moderator"  # volunteers who review reports and candidates
    POLICE = "police"  # police and caseworkers
    ADMIN = "admin"
    PARTNER = "partner"  # an organisation calling the API with a scoped token


class Scope(enum.StrEnum):
    READ_CASES = "read:cases"
    READ_SIGHTINGS = "read:sightings"
    WRITE = "write"
    EXPORT = "export"
    ADMIN = "admin"


class Permission(enum.StrEnum):
    REPORT_SIGHTING = "report sightings"
    REGISTER_CASE = "register cases"
    VIEW_ALL_CASES = "view every case"
    BROWSE_SIGHTINGS = "browse sightings"
    SEARCH_BY_PHOTO = "search sightings by photo"
    REVIEW_CANDIDATES = "review machine candidates"
    MODERATE = "moderate reports and cases"
    VERIFY_CASE = "verify cases"
    RECORD_REUNION = "record verification and reunion"
    SEE_EXACT_PLACES = "see exact places"
    SEE_CONTACTS = "see reporters' and families' contacts"
    SEE_ORIGINALS = "see original, unblurred photos"
    EXPORT = "export records"
    ADMINISTER = "invite people and issue API tokens"


P = Permission
_REVIEWER = frozenset({
    P.REPORT_SIGHTING, P.REGISTER_CASE, P.VIEW_ALL_CASES, P.BROWSE_SIGHTINGS, P.SEARCH_BY_PHOTO,
    P.REVIEW_CANDIDATES, P.MODERATE, P.VERIFY_CASE, P.SEE_EXACT_PLACES, P.SEE_CONTACTS, P.SEE_ORIGINALS,
})
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ANONYMOUS: frozenset({P.REPORT_SIGHTING}),
    Role.REPORTER: frozenset({P.REPORT_SIGHTING, P.REGISTER_CASE}),
    # BROWSE and SEARCH only once one of the family's cases is verified (see Principal.can)
    Role.FAMILY: frozenset({P.REPORT_SIGHTING, P.REGISTER_CASE, P.BROWSE_SIGHTINGS, P.SEARCH_BY_PHOTO}),
    Role.MODERATOR: _REVIEWER,
    Role.POLICE: _REVIEWER | {P.RECORD_REUNION, P.EXPORT},
    Role.ADMIN: frozenset(Permission),
    Role.PARTNER: frozenset(),
}
SCOPE_PERMISSIONS: dict[Scope, frozenset[Permission]] = {
    Scope.READ_CASES: frozenset({P.VIEW_ALL_CASES}),
    Scope.READ_SIGHTINGS: frozenset({P.BROWSE_SIGHTINGS, P.SEARCH_BY_PHOTO}),
    Scope.WRITE: frozenset({P.REPORT_SIGHTING, P.REGISTER_CASE}),
    Scope.EXPORT: frozenset({P.EXPORT}),
    Scope.ADMIN: frozenset(Permission),
}
FAMILY_NEEDS_VERIFIED_CASE = frozenset({P.BROWSE_SIGHTINGS, P.SEARCH_BY_PHOTO})


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in account, a partner's API token, or nobody in particular."""

    role: Role = Role.ANONYMOUS
    account_id: int | None = None
    token_id: int | None = None
    name: str = ""
    own_cases: frozenset[int] = frozenset()
    verified_cases: frozenset[int] = frozenset()
    scopes: frozenset[Scope] = field(default_factory=frozenset)
    domains: frozenset[str] = frozenset()  # PFIF record domains a partner's token may write

    @property
    def actor(self) -> str:
        """How the audit log names this principal: an id, never personal data."""
        if self.account_id is not None:
            return f"account:{self.account_id}"
        if self.token_id is not None:
            return f"token:{self.token_id}"
        return "operator" if self.role is Role.ADMIN else "anonymous"

    @property
    def signed_in(self) -> bool:
        return self.account_id is not None or self.token_id is not None

    def permissions(self) -> frozenset[Permission]:
        granted = set(ROLE_PERMISSIONS[self.role])
        for scope in self.scopes:
            granted |= SCOPE_PERMISSIONS[scope]
        if self.role is Role.FAMILY and not self.verified_cases:
            granted -= FAMILY_NEEDS_VERIFIED_CASE
        return frozenset(granted)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions()

    def may_view_case(self, case_id: int) -> bool:
        return self.can(P.VIEW_ALL_CASES) or case_id in self.own_cases

    def owns(self, case_id: int) -> bool:
        return case_id in self.own_cases


ANONYMOUS = Principal()
OPERATOR = Principal(role=Role.ADMIN, name="operator")  # the command line, run by whoever runs the server


def require(who: Principal, permission: Permission) -> None:
    """Raise NotSignedIn (401) or Forbidden (403) unless ``who`` holds ``permission``."""
    if who.can(permission):
        return
    if not who.signed_in:
        raise NotSignedIn("sign in to {what}", what=permission.value)
    if who.role is Role.FAMILY and permission in FAMILY_NEEDS_VERIFIED_CASE:
        raise Forbidden("families can {what} once a moderator has verified their case", what=permission.value)
    raise Forbidden("your account may not {what}", what=permission.value)


def require_case(who: Principal, case_id: int) -> None:
    """The family that owns a case, and reviewers, may see it; nobody else."""
    if who.may_view_case(case_id):
        return
    if not who.signed_in:
        raise NotSignedIn("sign in to see this case")
    raise Forbidden("only the family and reviewers may see this case")


def coarsen(value: float | None) -> float | None:
    """A coordinate snapped to the centre of its ~1 km grid cell."""
    if value is None:
        return None
    return round(math.floor(value / PLACE_GRID_DEG) * PLACE_GRID_DEG + PLACE_GRID_DEG / 2, 3)


def sighting_visible(who: Principal, status: str) -> bool:
    """Moderators and police see every report still held (pending, approved, rejected); others only
    reports a moderator approved. Removed and expired reports are placeholders nobody browses."""
    if not who.can(P.BROWSE_SIGHTINGS):
        return False
    return status in REVIEWABLE if who.can(P.MODERATE) else status == "approved"


def sighting_view(who: Principal, row: dict[str, Any]) -> dict[str, Any]:
    """A sighting as this principal may see it: exact place and reporter contact only for reviewers;
    for everyone else, places coarsened to ~1 km and only the child's face."""
    shown = dict(row)
    if not who.can(P.SEE_EXACT_PLACES):
        shown["lat"], shown["lon"] = coarsen(row.get("lat")), coarsen(row.get("lon"))
        shown["place_precise"] = False
    else:
        shown["place_precise"] = True
    if not who.can(P.SEE_CONTACTS):
        shown.pop("reporter_contact", None)
    if "faces" in row and not who.can(P.SEE_ORIGINALS):
        shown["faces"] = [f for f in row["faces"] if f["id"] == child_face(row)]
    if "first_face_id" in row and not who.can(P.SEE_ORIGINALS):  # the face a gallery card shows
        shown["first_face_id"] = row.get("child_face_id") or (row["first_face_id"] if row["face_count"] == 1
                                                               else None)
    return shown


def child_face(row: dict[str, Any]) -> int | None:
    """The face a reporter or moderator marked as the child's; a photo set with one face: that one."""
    return child_face_of(row.get("child_face_id"), [f["id"] for f in row.get("faces") or []])


def child_face_of(marked: int | None, sighting_face_ids: Sequence[int]) -> int | None:
    if marked:
        return int(marked)
    return int(sighting_face_ids[0]) if len(sighting_face_ids) == 1 else None


def blur_faces(who: Principal, faces: Iterable[dict[str, Any]], child: int | None) -> list[dict[str, Any]]:
    """The faces to blur on a sighting photo shown to this principal: everyone's but the child's,
    except for police and moderators, who see originals."""
    if who.can(P.SEE_ORIGINALS):
        return []
    return [f for f in faces if f["id"] != child]


CASE_PRIVATE = ("family_contact", "police_report")


def case_view(who: Principal, row: dict[str, Any]) -> dict[str, Any]:
    """A case as this principal may see it: the family's contact and the police report number only
    for the family itself and for reviewers."""
    shown = dict(row)
    if not (who.can(P.SEE_CONTACTS) or who.owns(int(row["id"]))):
        for name in CASE_PRIVATE:
            shown.pop(name, None)
    return shown


def candidate_visible(who: Principal, status: str) -> bool:
    """Reviewers see every candidate; a family only those a reviewer confirmed."""
    return who.can(P.REVIEW_CANDIDATES) or status == "confirmed"


def may_write_domain(who: Principal, domain: str) -> bool:
    """A partner writes PFIF records only of the domains its token names; admins' accounts and the
    operator's command line write any."""
    return (who.can(P.ADMINISTER) and who.token_id is None) or domain in who.domains


def require_correspondent(who: Principal, case_id: int) -> None:
    """The family and reviewers write to each other on a case; nobody else reads or writes there."""
    require_case(who, case_id)
    if not (who.owns(case_id) or who.can(P.REVIEW_CANDIDATES)):
        raise Forbidden("only the family and reviewers write on a case")

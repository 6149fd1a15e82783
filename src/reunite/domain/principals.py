"""Who is asking and what they may do: roles, API token scopes, permissions and the principal.
What each of them may see of a record is decided in ``domain.access``, which re-exports these names:
callers ask it, never this module."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

# A case gives its family browsing and search only while it is verified and in one of these states
ACTIVE_CASE_STATUSES = ("open",)


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
    WEBHOOKS = "webhooks"
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
    SUBSCRIBE_WEBHOOKS = "subscribe webhooks"
    ADMINISTER = "invite people and issue API tokens"
    READ_AUDIT = "read the audit log"


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
    Role.POLICE: _REVIEWER | {P.RECORD_REUNION, P.EXPORT, P.READ_AUDIT},
    Role.ADMIN: frozenset(Permission),
    Role.PARTNER: frozenset(),
}
SCOPE_PERMISSIONS: dict[Scope, frozenset[Permission]] = {
    Scope.READ_CASES: frozenset({P.VIEW_ALL_CASES}),
    Scope.READ_SIGHTINGS: frozenset({P.BROWSE_SIGHTINGS, P.SEARCH_BY_PHOTO}),
    Scope.WRITE: frozenset({P.REPORT_SIGHTING, P.REGISTER_CASE}),
    Scope.EXPORT: frozenset({P.EXPORT}),
    Scope.WEBHOOKS: frozenset({P.SUBSCRIBE_WEBHOOKS}),
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
    # the own cases that are verified and still active (ACTIVE_CASE_STATUSES), read on every request:
    # rights follow the case's current status
    verified_cases: frozenset[int] = frozenset()
    ended_cases: frozenset[int] = frozenset()  # the own cases closed, reunited or expired
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

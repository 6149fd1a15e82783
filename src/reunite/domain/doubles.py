"""A child registered twice: what an open duplicate flag (two open cases whose faces are as alike as a
strong lead, born within a year: ``services.grouping.flag_duplicates``) means for verifying them.

Anyone with a photo of a missing child (the public poster's is enough) can register the child again
from a new account, with a made-up police report: verified, that account would browse every sighting
and get the real child's sightings as leads. So a case tied by an open flag to a verified, open case
that shares no owning account with it is not verified until a moderator resolves the flag (links the
two as one child, or says they are different children, and why). A flag found only once both are
verified (the faces are found by a job, after a moderator may have acted) holds the one registered
later, when a family's account owns it: it waits for verification again (no browsing, no leads, no
poster, its untouched proposals withdrawn) until the flag is resolved and someone verifies it again."""

from __future__ import annotations

from dataclasses import dataclass

# a flag's status and the statuses it may come from: open → linked or dismissed; a decided flag is only
# reopened (two moderators' conflicting decisions are never silently last-wins)
FLAG_FROM = {"linked": ("open",), "dismissed": ("open",), "open": ("linked", "dismissed")}


@dataclass(frozen=True)
class Double:
    """One open flag seen from one of its two cases (``case_id``), both cases open."""

    flag_id: int
    case_id: int
    other_case_id: int
    verified: bool  # this case is verified
    other_verified: bool
    owned: bool  # an account (a family's) owns this case
    same_owner: bool  # an account owns both
    other_first: bool  # the other case was registered before this one

    @property
    def blocks(self) -> bool:
        """Verifying this case waits until the flag is resolved: the other is verified already, and
        registered by someone else (a family registering its child twice is not kept waiting)."""
        return self.other_verified and not self.same_owner

    @property
    def held(self) -> bool:
        """This case, verified before the flag was found, waits again: a family's registration made after
        the other's, which was verified, by another account."""
        return self.verified and self.owned and self.other_first and self.blocks

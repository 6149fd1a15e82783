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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reunite.domain.chips import SAME_CHIP, chip_correlation
from reunite.domain.leads import Reading
from reunite.domain.scoring import CasePhoto, MatchPolicy, read_case_photos

# the duplicate check (``services.grouping.flag_duplicates``) compares cases born within about a year of each
# other: beyond, the automatic flag would be raised too often between different children (1 in 5,000 pairs
# read as a strong lead × thousands of cases), so people compare them (``most_alike``)
BIRTH_WINDOW_DAYS = 366
# a case photo that is another case's photo (probe s25 Y1: the public poster's photo downloaded and registered
# again): always flagged, whatever the birth dates and names (``services.grouping.flag_duplicates``), by either
# reading. Faces this alike are one picture (``services.search`` reads a searched photo so too): the poster's photo
# reads 0.9993 or more against its original, copies of it (re-encoded, halved, cropped, mirrored, framed in a
# screenshot) 0.997 in the median, while two different photos of fgnet-dev read at most 0.992 (one child's two
# photos) and 0.978 (two children's) (docs/benchmarks.md, "The same photo registered again")
SAME_PHOTO = 0.995
# perceptual hashes (64 bits) this near are one picture, for a copy whose face was read otherwise (or not found):
# the poster's photo, re-encoded or halved read 0 to 4 bits off its original; no two different photos of fgnet-dev
# came within 6 (2 pairs of 119,451 within 8). A crop, a mirror or a border moves it 10 to 30 bits: the faces
# catch those. As ``adapters.db.sources.REPOST_BITS`` reads reposted sightings
SAME_PHOTO_BITS = 6
# faces this alike whose aligned chips correlate ``domain.chips.SAME_CHIP`` are one picture too: a copy cropped into
# the face, framed, turned or mirrored, which moves the embedding below ``SAME_PHOTO`` (probe s27 A1: 12% cropped off
# every side). The poster's photo cropped 15% off every side still reads 0.980 or more; two children's photos whose
# faces read 0.96 alike correlate 0.90 at most (at 0.95: 0.947, too near) (docs/benchmarks.md, "The same photo")
SAME_CHIP_FACES = 0.96
LOOK_ALIKES_SHOWN = 3  # the other accounts' cases shown beside a Verify form, most alike first
# a flag's status and the statuses it may come from: open → linked or dismissed; a decided flag is only
# reopened (two moderators' conflicting decisions are never silently last-wins)
FLAG_FROM = {"linked": ("open",), "dismissed": ("open",), "open": ("linked", "dismissed")}



def one_picture(face: float, same_print: bool, chip: bytes | None, chips: Sequence[bytes]) -> bool:
    """Whether a report's picture and a case's (or a searched) photo are one picture, by the copy check's three tests
    (a repost of the case's poster, cropped, framed in a screenshot or re-encoded: probe s39 L5, s42 N1): faces
    ``SAME_PHOTO`` alike (``face``, the most alike pair); perceptual hashes ``SAME_PHOTO_BITS`` apart
    (``same_print``, read by the store); or the report face's ``chip`` correlating ``chips.SAME_CHIP`` with one of
    ``chips``, those of the other photos' faces at least ``SAME_CHIP_FACES`` alike."""
    if face >= SAME_PHOTO or same_print:
        return True
    if not chip:
        return False
    return any((read := chip_correlation(chip, other)) is not None and read >= SAME_CHIP for other in chips if other)


CASE_PICTURE, SEARCHED_PICTURE = "case", "searched"  # whose picture a report's is (``as_one_picture``)


def as_one_picture(lead: dict[str, Any], of: str | None) -> dict[str, Any]:
    """A lead whose report picture is one picture (``one_picture``) with the case's own (``CASE_PICTURE``: a repost
    of its poster or appeal) or with the photo searched with (``SEARCHED_PICTURE``) is no evidence that the child
    was seen: no band, and said so, naming which (probe s39 L5, s43 E5). Every reading of a pair goes through here
    (a case's candidates, a search by photo), so a reviewer, the family and a partner read the same."""
    return lead | {"strength": "none", "one_picture": of} if of else lead


@dataclass(frozen=True)
class SamePhoto:
    """A photo of a case that is a photo of another case (``SAME_PHOTO`` or ``SAME_PHOTO_BITS``)."""

    case_id: int
    photo_id: int
    other_case_id: int
    other_photo_id: int


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
    same_photo: bool = False  # flagged as one picture in both cases (``SamePhoto``)
    other_on_poster: bool = False  # that picture is the other case's public poster's photo
    partner_only: bool = False  # raised by nothing but a partner registry's PFIF link (probe s29 C7)

    @property
    def blocks(self) -> bool:
        """Verifying this case waits until the flag is resolved: the other is verified already, and
        registered by someone else (a family registering its child twice is not kept waiting). Not for a flag only
        a partner's link raised: a registry's word alone holds back no other registrant's case (its moderators
        read it in the queue)."""
        return self.other_verified and not self.same_owner and not self.partner_only

    @property
    def held(self) -> bool:
        """This case, verified before the flag was found, waits again: a family's registration made after
        the other's, which was verified, by another account."""
        return self.verified and self.owned and self.other_first and self.blocks


@dataclass(frozen=True)
class FacePair:
    """A face of a case being verified and a face of another open case near it in the face index, with what
    the duplicate check reads them by: each photo's date and its own case's birth date, each face's hubness."""

    case_id: int
    face_id: int
    birth_date: date
    taken_on: date | None
    hubness: float
    other_case_id: int
    other_face_id: int
    other_birth_date: date
    other_taken_on: date | None
    other_hubness: float
    similarity: float

    def reading(self, policy: MatchPolicy) -> Reading:
        """The pair read as the duplicate check reads it (``scoring.read_case_photos``)."""
        return read_case_photos(policy, self.similarity, CasePhoto.of(self.birth_date, self.taken_on, self.hubness),
                                CasePhoto.of(self.other_birth_date, self.other_taken_on, self.other_hubness))


@dataclass(frozen=True)
class LookAlike:
    """Another account's open case whose photos look like this case's: its most alike pair of faces, read."""

    pair: FacePair
    reading: Reading

    @property
    def births_apart_days(self) -> int:
        return abs((self.pair.other_birth_date - self.pair.birth_date).days)

    @property
    def births_disagree(self) -> bool:
        """The two registrations give birth dates more than a year apart: the duplicate check never compares
        them, and an impostor who typed another birth date would be passed by it (itself a sign)."""
        return self.births_apart_days > BIRTH_WINDOW_DAYS

    @property
    def same_photo(self) -> bool:
        """The two faces are one picture's (``SAME_PHOTO``): a copy, not a look-alike."""
        return self.pair.similarity >= SAME_PHOTO

    def order(self) -> tuple[bool, bool, float, float, int]:
        """Most alike first: one picture, then the rarest reading (fewest different children as alike), then the
        similarity."""
        share = self.reading.share
        return (not self.same_photo, share is None, share if share is not None else 0.0, -self.pair.similarity,
                self.pair.other_case_id)


def alike_enough(policy: MatchPolicy, reading: Reading) -> bool:
    """Worth a verifier's look: read as a lead would be (at most the operating point's share of different
    children as alike); everything, without a calibration (its words say so)."""
    return reading.share is None or reading.share <= policy.leads.propose_share


def best_pair(policy: MatchPolicy, pairs: Iterable[FacePair]) -> LookAlike | None:
    """The most alike of these pairs of faces of two cases, read."""
    read = [LookAlike(pair, pair.reading(policy)) for pair in pairs]
    return min(read, key=LookAlike.order) if read else None


def most_alike(policy: MatchPolicy, pairs: Iterable[FacePair],
               shown: int = LOOK_ALIKES_SHOWN) -> dict[int, list[LookAlike]]:
    """For each case, the ``shown`` other cases whose best pair of faces reads most alike, whatever their
    birth dates (those alike enough to be worth a look: ``alike_enough``), most alike first."""
    by_pair: dict[tuple[int, int], list[FacePair]] = {}
    for pair in pairs:
        by_pair.setdefault((pair.case_id, pair.other_case_id), []).append(pair)
    found: dict[int, list[LookAlike]] = {}
    for (case_id, _), faces in by_pair.items():
        best = best_pair(policy, faces)
        if best is not None and (best.same_photo or alike_enough(policy, best.reading)):
            found.setdefault(case_id, []).append(best)
    return {case_id: sorted(alikes, key=LookAlike.order)[:shown] for case_id, alikes in found.items()}

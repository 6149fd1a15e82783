"""Photos added to a verified case, read before a moderator decides (probe s35 J1: a family added another family's
child's photo to its verified case; the accept card showed two thumbnails, and once accepted the family searched that
child by photo). As a registration is read beside its Verify form (``look_alikes``), each photo held with a
correction is read (a) against the case's own photos as verified, the pair read as the duplicate check reads two case
photos, and (b) against other accounts' open cases (the few whose photos look most alike, whatever their birth
dates). A photo whose face does not look like the case's child, or looks more like another account's case than its
own, or whose faces are not read yet, asks the moderator to tick "I have checked: this is the same child" before
accepting (``require_checked``). Shown to moderators and police only (``access.look_alikes_shown``): a family never
learns of another case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from reunite.domain import access
from reunite.domain.access import Principal
from reunite.domain.doubles import FacePair, LookAlike, best_pair, most_alike
from reunite.domain.errors import InvalidInput
from reunite.domain.leads import OWN_CHILD_SHARE
from reunite.domain.photo_copies import SIGHTING
from reunite.domain.ports import ReaderScript
from reunite.services.deps import Deps
from reunite.services.look_alikes import PAIR, PER_FACE, shown_alike
from reunite.services.queries import audit_read

CHECK_FIELD = "checked"


def _more_alike(one: LookAlike, than: LookAlike) -> bool:
    """Whether ``one`` reads more alike than ``than``: the rarer share (fewer different children as alike), or
    without a calibration the higher similarity."""
    if one.reading.share is not None and than.reading.share is not None:
        return one.reading.share < than.reading.share
    return one.pair.similarity > than.pair.similarity


def read_added(deps: Deps, case_id: int, photo_ids: Sequence[int],
               reader: ReaderScript | None = None) -> dict[str, Any]:
    """Each held photo of case ``case_id`` read: ``photos``, each with ``read`` (its faces found), ``faces``,
    ``own`` (its most alike face against the case's own photos: ``lead``, ``impostor_share``, ``looks_like``: at
    least as alike as a family's search by photo asks, ``leads.OWN_CHILD_SHARE``), ``look_alikes`` (other accounts'
    open cases, most alike first, as ``look_alikes`` shows them) and ``why`` a person must check it (``unread``,
    ``not_own``, ``other``) or None; ``check_needed`` when any photo asks for it."""
    found = deps.read.held_photo_reads(case_id, sorted(set(photo_ids)), PER_FACE)
    photo_of = {face: int(row["id"]) for row in found["photos"] for face in row["face_ids"] or []}
    own: dict[int, list[FacePair]] = {}
    for row in found["own"]:
        if row["birth_date"] is None:
            continue
        own.setdefault(int(row["photo_id"]), []).append(FacePair(
            case_id, row["face_id"], row["birth_date"], row["taken_on"], row["hubness"], case_id, row["own_face_id"],
            row["birth_date"], row["own_taken_on"], row["own_hubness"], float(row["similarity"])))
    others: dict[int, list[dict[str, Any]]] = {}
    for row in found["others"]:
        others.setdefault(photo_of.get(row["face_id"], 0), []).append(row)
    photos = [_photo(deps, case_id, row, own.get(int(row["id"]), []), others.get(int(row["id"]), []), reader)
              for row in found["photos"]]
    copied: dict[int, list[int]] = {}  # a report's picture added as the child's (probe s36 K1)
    for copy in deps.read.photo_copies([case_id]):
        if copy["kind"] == SIGHTING and copy["sighting_id"] is not None:
            copied.setdefault(int(copy["photo_id"]), []).append(int(copy["sighting_id"]))
    for photo in photos:
        photo["copy_of"] = copied.get(photo["photo_id"], [])
        if photo["copy_of"]:
            photo["why"] = "copy"
    return {"photos": photos, "check_needed": any(photo["why"] for photo in photos)}


def _photo(deps: Deps, case_id: int, row: dict[str, Any], own_pairs: list[FacePair], rows: list[dict[str, Any]],
           reader: ReaderScript | None) -> dict[str, Any]:
    mine = best_pair(deps.policy, own_pairs)
    about = {r["other_case_id"]: r for r in rows}
    posters = {r["other_face_id"] for r in rows if r["on_poster"]}
    alikes = most_alike(deps.policy, [FacePair(**{name: r[name] for name in PAIR}) for r in rows]).get(case_id, [])
    looks_like = mine is not None and (mine.reading.share is None or mine.reading.share <= OWN_CHILD_SHARE)
    why = None
    if not row["read"]:
        why = "unread"
    elif row["faces"] and not looks_like:
        why = "not_own"
    elif alikes and mine is not None and _more_alike(alikes[0], mine):
        why = "other"
    return {"photo_id": int(row["id"]), "read": bool(row["read"]), "faces": int(row["faces"]),
            "own": None if mine is None else {"lead": asdict(mine.reading.lead), "impostor_share": mine.reading.share,
                                              "looks_like": looks_like},
            "look_alikes": [shown_alike(deps, alike, about[alike.pair.other_case_id], reader,
                                   alike.pair.other_face_id in posters) for alike in alikes],
            "why": why}


def shown_with(deps: Deps, who: Principal, rows: list[dict[str, Any]], reader: ReaderScript | None = None) -> None:
    """Each correction row of the moderators' queue holding photos gets ``added_check`` (``read_added``), for those
    who read look-alikes; nothing for anyone else."""
    if not access.look_alikes_shown(who):
        return
    shown: dict[str, list[int]] = {}
    for row in rows:
        if row.get("held_photo_ids"):
            row["added_check"] = read_added(deps, int(row["case_id"]), row["held_photo_ids"], reader)
            shown[str(row["case_id"])] = [a["case_id"] for p in row["added_check"]["photos"] for a in p["look_alikes"]]
    if shown:  # another family's child shown beside a case: audited as the look-alikes beside Verify are
        audit_read(deps, who, "look_alikes.viewed", "case", 0, of=sorted(int(i) for i in shown), shown=shown,
                   photos_added=True)


def summary(reading: dict[str, Any]) -> dict[str, Any]:
    """What the audit keeps of a reading: per photo, why it asked a check, its own reading's share and whether it
    looks like the case's child, and the other cases found with their shares."""
    return {"check_needed": reading["check_needed"], "photos": [
        {"photo_id": p["photo_id"], "why": p["why"], "faces": p["faces"],
         "own_share": p["own"]["impostor_share"] if p["own"] else None,
         "looks_like_own": bool(p["own"] and p["own"]["looks_like"]),
         "look_alikes": [{"case_id": a["case_id"], "share": a["impostor_share"], "same_photo": a["same_photo"]}
                         for a in p["look_alikes"]]} for p in reading["photos"]]}


def require_checked(reading: dict[str, Any], checked: bool) -> None:
    """422 when a photo asks a person's check (``why``) and the moderator did not tick that they made it; always when
    a photo is a copy of a report's picture (``copy``: a family cannot hold it unless it came from Reunite)."""
    copies = sorted({s for p in reading["photos"] for s in p.get("copy_of", [])})
    if copies:
        raise InvalidInput("a photo added is a copy of the photo of street report {other}: a family cannot hold it unless it came from Reunite. Refuse the correction",  # noqa: E501
                           field=CHECK_FIELD, other=", ".join(map(str, copies)))
    if reading["check_needed"] and not checked:
        raise InvalidInput("a photo added does not look like the case's child, or looks more like another case's child, or its faces are not read yet: compare them, then tick “I have checked: this is the same child” to accept (or refuse the correction)",  # noqa: E501
                           field=CHECK_FIELD)

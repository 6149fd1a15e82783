"""``reunite regroup``: every group of sightings made again, the same way whatever order its sightings
were reported, approved or matched in (after a ``rematch --reembed``, or with groups made under earlier
grouping rules). One transaction: interrupted, nothing changed, and run again it starts over; run twice,
the second changes nothing. Reviewed candidates keep their decisions: only scores follow the groups."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from reunite.domain.model import PhotoOwner
from reunite.domain.ports import UnitOfWork
from reunite.services.deps import Deps
from reunite.services.grouping import join_likeliest_group


@dataclass(frozen=True)
class Regrouped:
    sightings: int  # approved sightings looked at
    moved: int  # sightings whose trail (the other sightings grouped with them) changed
    groups: int  # groups now


def regroup_all(deps: Deps, actor: str) -> Regrouped:
    """Every approved sighting, in the order they were seen, joins the likeliest group of sightings seen
    before it (``grouping.join_likeliest_group`` with ``earlier_only``): the groups depend on the
    sightings alone. A group keeps its id when it keeps its earliest member's; the sightings whose trail
    changed are matched again by jobs enqueued in this transaction (their candidates' reviews kept)."""
    with deps.uow() as uow:
        before = uow.grouped_sightings()
        order = uow.approved_in_time_order()
        uow.ungroup_all()
        for sighting_id in order:
            join_likeliest_group(deps, uow, uow.sighting_facts(sighting_id),
                                 uow.faces_of(PhotoOwner.SIGHTING, sighting_id), earlier_only=True)
        after = _keep_ids(uow, before, uow.grouped_sightings(), order)
        was, now = _trails(before), _trails(after)
        moved = sorted(s for s in set(before) | set(after) if was.get(s) != now.get(s))
        for group in sorted({after[s] for s in moved if s in after}):
            uow.enqueue("matching.rescore_group", lock=f"group-{group}", unless_waiting=True, group_id=group)
        alone = set(order) - set(after)
        for sighting_id in (s for s in moved if s in alone):  # alone now: matched without a group
            uow.enqueue("matching.rescore_sighting", lock=f"sighting-{sighting_id}", sighting_id=sighting_id)
        dropped = uow.drop_empty_groups()
        groups = len(set(after.values()))
        uow.audit(actor, "sightings.regrouped", "system", 0, sightings=len(order), moved=len(moved), groups=groups,
                  groups_dropped=dropped)
        uow.commit()
    return Regrouped(len(order), len(moved), groups)


def _trails(groups: dict[int, int]) -> dict[int, frozenset[int]]:
    """Each grouped sighting's trail: the sightings of its group."""
    members: dict[int, set[int]] = defaultdict(set)
    for sighting_id, group in groups.items():
        members[group].add(sighting_id)
    return {sighting_id: frozenset(members[group]) for sighting_id, group in groups.items()}


def _keep_ids(uow: UnitOfWork, before: dict[int, int], after: dict[int, int], order: list[int]) -> dict[int, int]:
    """Give each new group the id its earliest member (the first seen) had, when no other new group took it.
    Ids say nothing of when a sighting came (they are permuted): ``order`` is the sightings' in time."""
    place = {sighting_id: n for n, sighting_id in enumerate(order)}
    members: dict[int, list[int]] = defaultdict(list)
    for sighting_id, group in after.items():
        members[group].append(sighting_id)
    taken: set[int] = set()
    for group, sightings in sorted(members.items(), key=lambda item: min(place[s] for s in item[1])):
        old = before.get(min(sightings, key=place.__getitem__))
        if old is not None and old not in taken and old != group:
            uow.relabel_group(group, old)
        taken.add(old if old is not None and old not in taken else group)
    return uow.grouped_sightings()

"""SQL fragments that recognise one picture sent again among reports (probe s28 B5): photos whose perceptual
hashes are within ``domain.doubles.SAME_PHOTO_BITS`` of each other (the same photo sent again, re-encoded or
resized), as the intake reads reposts (``sources.sighting_with_photo``) and grouping a copy of a report
(``shortlist.same_pictures_as``)."""

from __future__ import annotations

from reunite.domain.doubles import SAME_PHOTO, SAME_PHOTO_BITS

SAME = f"bit_count(({{a}}.phash # {{b}}.phash)::bit(64)) <= {SAME_PHOTO_BITS}"


def _same(a: str, b: str) -> str:
    return f"{a}.phash IS NOT NULL AND {b}.phash IS NOT NULL AND " + SAME.format(a=a, b=b)


def copy_of(me: str, statuses: str) -> str:
    """The report of ``me``'s trail (its group's, in ``statuses``) seen before it (by time seen, then id) that
    holds every picture ``me`` holds, the earliest: ``me`` then adds no sighting of its own; NULL when none."""
    return (
        f"(SELECT o.id FROM sightings o WHERE o.group_id = {me}.group_id AND o.status = ANY({statuses}) "
        f"AND (o.seen_at, o.id) < ({me}.seen_at, {me}.id) "
        f"AND EXISTS (SELECT 1 FROM photos mp WHERE mp.sighting_id = {me}.id) "
        f"AND NOT EXISTS (SELECT 1 FROM photos mp WHERE mp.sighting_id = {me}.id AND NOT EXISTS ("
        f"SELECT 1 FROM photos op WHERE op.sighting_id = o.id AND {_same('op', 'mp')})) "
        "ORDER BY o.seen_at, o.id LIMIT 1)")


def same_photo_as(me: str) -> str:
    """The other reports waiting or approved that hold a picture ``me`` holds, first received first (at most 5)."""
    return (
        f"ARRAY(SELECT o.id FROM sightings o WHERE o.id <> {me}.id AND o.status IN ('pending', 'approved') "
        "AND o.id IN (SELECT op.sighting_id FROM photos mp JOIN photos op ON op.sighting_id IS NOT NULL "
        f"AND op.sighting_id <> mp.sighting_id AND {_same('op', 'mp')} WHERE mp.sighting_id = {me}.id) "
        "ORDER BY o.created_at, o.id LIMIT 5)")


# a waiting candidate (``c``) whose face is, in the same picture, the face of another report's candidate for the
# same case that a reviewer dismissed: that dismissal's report and date, the latest (JSON), else NULL
SAME_PHOTO_DISMISSED = (
    "(SELECT json_build_object('sighting_id', d.sighting_id, 'at', d.reviewed_at) FROM candidates d "
    "JOIN sightings ds ON ds.id = d.sighting_id AND ds.status IN ('pending', 'approved') "
    "JOIN faces df ON df.id = d.sighting_face_id JOIN photos dp ON dp.id = df.photo_id "
    "JOIN faces cf ON cf.id = c.sighting_face_id JOIN photos cp ON cp.id = cf.photo_id "
    "WHERE c.status = 'proposed' AND d.case_id = c.case_id AND d.status = 'dismissed' "
    f"AND d.sighting_id <> c.sighting_id AND {_same('dp', 'cp')} "
    f"AND (df.embedding <=> cf.embedding) <= {1.0 - SAME_PHOTO:.6f} "
    "ORDER BY d.reviewed_at DESC, d.id LIMIT 1)")

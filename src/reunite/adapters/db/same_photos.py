"""SQL fragments that recognise one picture sent again among reports (probe s28 B5): photos whose perceptual
hashes are within ``domain.doubles.SAME_PHOTO_BITS`` of each other (the same photo sent again, re-encoded or
resized), as the intake reads reposts (``sources.sighting_with_photo``) and grouping a copy of a report
(``shortlist.same_pictures_as``)."""

from __future__ import annotations

from typing import Any

from reunite.domain.doubles import SAME_CHIP_FACES, SAME_PHOTO, SAME_PHOTO_BITS, one_picture

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


def case_picture(face: str, case: str) -> str:
    """What tells whether report face ``face``'s picture is one of case ``case``'s own (``domain.doubles.one_picture``:
    a repost of its poster, probe s42 N1), as columns ``read_one_picture`` reads: the most alike pair of faces, whether
    a photo of each has the same perceptual hash, the report face's chip and the chips of the case's faces alike
    enough for the chip test."""
    return (
        f"(SELECT max(1 - (cf.embedding <=> sf.embedding)) FROM faces cf, faces sf WHERE sf.id = {face} "
        f"AND cf.case_id = {case}) AS pic_face, "
        "EXISTS (SELECT 1 FROM faces sf JOIN photos sp ON sp.id = sf.photo_id JOIN photos cp "
        f"ON cp.case_id = {case} WHERE sf.id = {face} AND {_same('sp', 'cp')}) AS pic_print, "
        f"(SELECT sf.chip FROM faces sf WHERE sf.id = {face}) AS pic_chip, "
        f"ARRAY(SELECT cf.chip FROM faces cf, faces sf WHERE sf.id = {face} AND cf.case_id = {case} "
        f"AND cf.chip IS NOT NULL AND 1 - (cf.embedding <=> sf.embedding) >= {SAME_CHIP_FACES}) AS pic_chips")


def read_one_picture(row: dict[str, Any]) -> bool:
    """Whether the row's report picture is its case's own (``case_picture``'s columns, taken off the row)."""
    face, same, chip, chips = (row.pop(k) for k in ("pic_face", "pic_print", "pic_chip", "pic_chips"))
    return one_picture(float(face or 0.0), bool(same), None if chip is None else bytes(chip),
                       [bytes(c) for c in chips or ()])


# each report face of :ids against every case's pictures, as ``read_one_picture`` reads them: its nearest case faces
# (their index), and every case photo's perceptual hash
ANY_CASE_PICTURE = (
    "WITH sf AS MATERIALIZED (SELECT f.id, f.photo_id, f.embedding, f.chip FROM faces f WHERE f.id = ANY(:ids)) "
    "SELECT sf.id AS face_id, max(1 - n.distance) AS pic_face, EXISTS (SELECT 1 FROM photos sp "
    f"JOIN photos cp ON cp.case_id IS NOT NULL AND {_same('sp', 'cp')} WHERE sp.id = sf.photo_id) AS pic_print, "
    f"sf.chip AS pic_chip, array_remove(array_agg(CASE WHEN 1 - n.distance >= {SAME_CHIP_FACES} THEN n.chip END), "
    "NULL) AS pic_chips FROM sf LEFT JOIN LATERAL (SELECT g.chip, g.embedding <=> sf.embedding AS distance "
    "FROM faces g WHERE g.case_id IS NOT NULL ORDER BY g.embedding <=> sf.embedding LIMIT 5) n ON true "
    "GROUP BY sf.id, sf.photo_id, sf.chip")

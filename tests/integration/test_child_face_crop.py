"""The family's view of a sighting: the child's face crop is cut after bystanders are blurred (no half
of a neighbour's face at its edge), no blur box covers the child's face beyond the part of it that is a
bystander's face (``access.shared_with_child``), and nothing but the child's head (an ellipse around the
face, ``access.head_outline``) is left sharp."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from reunite.adapters.photos.codec import PillowPhotoCodec
from reunite.domain.access import Principal, Role, head_outline, shared_with_child
from tests.conftest import jpeg

CODEC = PillowPhotoCodec(max_bytes=5_000_000, max_pixels=40_000_000)
CHILD = (200, 100, 300, 200)
NEIGHBOUR = (310, 100, 410, 200)  # right beside the child: inside the crop's margin


def street() -> np.ndarray:
    """Fine stripes everywhere (a blurred patch loses them; an untouched one keeps them)."""
    pixels = np.zeros((400, 600, 3), dtype=np.uint8)
    pixels[:, ::2] = 255
    return pixels


def detail(pixels: np.ndarray, box: tuple[int, int, int, int]) -> float:
    left, top, right, bottom = box
    return float(np.abs(np.diff(pixels[top:bottom, left:right].astype(int), axis=1)).mean())


def decode(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_the_child_crop_shows_the_neighbour_blurred_and_the_child_sharp() -> None:
    crop = decode(CODEC.face_copy(jpeg(street()), CHILD, [NEIGHBOUR], size=1000))
    # the crop spans x 160..340 (40 px margin): the child at 40..140, the neighbour from 150 on
    assert crop.shape[1] == 180
    assert detail(crop, (45, 45, 135, 135)) > 100  # the child's face: untouched stripes
    assert detail(crop, (152, 45, 178, 135)) < 20  # the neighbour's edge: blurred


def face(box: tuple[int, int, int, int], id_: int = 1) -> dict[str, object]:
    return {"id": id_, "box_left": box[0], "box_top": box[1], "box_right": box[2], "box_bottom": box[3],
            "landmarks": []}


def test_a_bystanders_box_overlapping_the_childs_face_is_split_between_the_two_faces() -> None:
    """A bystander's face box reaching into the child's (a face pressed cheek to cheek): the bystander's
    blur never covers the child's side of the overlap, nor the child's face box beyond it, and the child's
    face box never puts the bystander's side of the overlap back sharp (``access.shared_with_child``)."""
    overlapping = (250, 100, 380, 200)  # centres 250 and 315, sizes 100 and 115: split at x ≈ 280
    faces = [face(CHILD, 1), face(overlapping, 2)]
    family = Principal(role=Role.FAMILY, account_id=1)
    unkept = shared_with_child(family, faces, 1)
    assert unkept == [((280, 100), (300, 100), (300, 200), (280, 200))]
    assert shared_with_child(Principal(role=Role.POLICE, account_id=2), faces, 1) == []
    assert shared_with_child(family, faces, None) == []  # no child's face: nothing is kept sharp anyway
    shown = decode(CODEC.clean_copy(jpeg(street()), blur=[overlapping], keep=CHILD, unkept=unkept))
    assert detail(shown, (205, 105, 275, 195)) > 100  # the child's side stays sharp
    assert detail(shown, (284, 105, 298, 195)) < 20  # the bystander's side of the overlap is blurred
    assert detail(shown, (305, 105, 375, 195)) < 20  # and the rest of the bystander
    crop = decode(CODEC.face_copy(jpeg(street()), CHILD, [overlapping], size=1000, unkept=unkept))
    # the crop spans x 160..340 (40 px margin): the child's side of the overlap at 90..120, the other's from 124
    assert detail(crop, (45, 45, 115, 135)) > 100
    assert detail(crop, (124, 45, 138, 135)) < 20


def test_a_bystanders_side_follows_the_line_between_the_faces_and_their_sizes() -> None:
    family = Principal(role=Role.FAMILY, account_id=1)
    # a smaller face (60 px) at the child's (100 px) lower right corner: centres (250, 150) and (300, 200),
    # split across that line at 100/160 of the way, (281.25, 181.25): x + y = 462.5. The overlap (270..300,
    # 170..200) is the bystander's but for its corner nearest the child's centre
    [corner] = shared_with_child(family, [face(CHILD, 1), face((270, 170, 330, 230), 2)], 1)
    assert set(corner) == {(292, 170), (300, 170), (300, 200), (270, 200), (270, 192)}
    # boxes that only touch, or a face beside the child's box but not on it, take nothing
    assert shared_with_child(family, [face(CHILD, 1), face((300, 100, 400, 200), 2)], 1) == []
    assert shared_with_child(family, [face(CHILD, 1), face((310, 100, 410, 200), 2)], 1) == []


def test_outside_the_childs_head_nothing_is_recognisable_even_a_face_nobody_found() -> None:
    face = {"box_left": CHILD[0], "box_top": CHILD[1], "box_right": CHILD[2], "box_bottom": CHILD[3], "landmarks": []}
    head = head_outline(face)  # an ellipse: x 185..315, y 45..215 (centre 250, 130)
    shown = decode(CODEC.clean_copy(jpeg(street()), blur=[NEIGHBOUR], keep=CHILD, sharp=[head]))
    assert detail(shown, (205, 105, 295, 195)) > 100  # the child's face: untouched
    assert detail(shown, (230, 55, 270, 95)) > 100  # the hair above the brow too
    assert detail(shown, (188, 120, 198, 160)) > 100  # and the ears
    for missed in ((10, 10, 60, 60), (500, 300, 590, 390), (200, 300, 300, 390),  # faces the detector missed:
                   (150, 200, 190, 250), (310, 200, 350, 250), (150, 30, 190, 70)):  # beside the chin, the brow
        assert detail(shown, missed) < 5, missed
    assert detail(shown, (315, 105, 345, 195)) < 20  # a found neighbour beside the head: still blurred
    nothing = decode(CODEC.clean_copy(jpeg(street()), sharp=[]))  # no face known to be the child's
    assert detail(nothing, (0, 0, 600, 400)) < 5
    police = decode(CODEC.clean_copy(jpeg(street())))
    assert detail(police, (10, 10, 60, 60)) > 100


def test_the_childs_head_turns_with_the_eyes_and_the_crop_keeps_only_it_sharp() -> None:
    """A child's head tilted on a shoulder: the sharp ellipse leans with the eyes' line (the hair
    stays sharp), and the family's crop of the face shows nothing sharp outside it."""
    upright = {"box_left": 200, "box_top": 100, "box_right": 300, "box_bottom": 200,
               "landmarks": [[280, 130], [265, 130], [220, 130], [235, 130], [250, 165]]}
    # the face's left eye (the photo's right one) lower: the crown leans to the photo's right
    tilted = upright | {"landmarks": [[275, 150], [262, 142], [223, 120], [236, 127], [245, 170]]}
    assert head_outline({**upright, "landmarks": []}) == head_outline(upright)
    xs = [x for x, _ in head_outline(upright)]
    assert min(xs) + max(xs) == 500  # symmetric about the face
    top_upright = min(head_outline(upright), key=lambda p: p[1])
    top_tilted = min(head_outline(tilted), key=lambda p: p[1])
    assert top_tilted[0] > top_upright[0] + 15  # the crown follows the tilt
    crop = decode(CODEC.face_copy(jpeg(street()), CHILD, [NEIGHBOUR], size=1000, sharp=[head_outline(upright)]))
    # the crop spans x 160..340, y 60..240 (40 px margin)
    assert detail(crop, (45, 45, 135, 135)) > 100  # the child's face: untouched
    assert detail(crop, (0, 150, 20, 180)) < 5  # the corner beside the chin: obscured

"""The family's view of a sighting: the child's face crop is cut after bystanders are blurred (no half
of a neighbour's face at its edge), no blur box ever covers the child's face, and nothing but the child's
head (an ellipse around the face, ``access.head_outline``) is left sharp."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from reunite.adapters.photos.codec import PillowPhotoCodec
from reunite.domain.access import head_outline
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


def test_a_blur_box_overlapping_the_child_never_covers_the_childs_face() -> None:
    overlapping = (250, 100, 380, 200)  # a bystander's box reaching into the child's face
    shown = decode(CODEC.clean_copy(jpeg(street()), blur=[overlapping], keep=CHILD))
    assert detail(shown, (205, 105, 295, 195)) > 100  # the whole face stays sharp
    assert detail(shown, (305, 105, 375, 195)) < 20  # the bystander is blurred


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

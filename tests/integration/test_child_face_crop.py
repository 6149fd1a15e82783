"""The family's view of a sighting: the child's face crop is cut after bystanders are blurred (no half
of a neighbour's face at its edge), and no blur box ever covers the child's face."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from reunite.adapters.photos.codec import PillowPhotoCodec
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
    head = (150, 30, 350, 260)  # the child's face box grown by access.HEAD_MARGIN
    shown = decode(CODEC.clean_copy(jpeg(street()), blur=[NEIGHBOUR], keep=CHILD, sharp=[head]))
    assert detail(shown, (205, 105, 295, 195)) > 100  # the child's face: untouched
    assert detail(shown, (160, 40, 195, 250)) > 100  # the rest of the head (hair, ears, chin) too
    for missed in ((10, 10, 60, 60), (500, 300, 590, 390), (200, 300, 300, 390)):  # faces the detector missed
        assert detail(shown, missed) < 5, missed
    assert detail(shown, (315, 105, 345, 195)) < 20  # a found neighbour inside the head's margin: still blurred
    nothing = decode(CODEC.clean_copy(jpeg(street()), sharp=[]))  # no face known to be the child's
    assert detail(nothing, (0, 0, 600, 400)) < 5
    police = decode(CODEC.clean_copy(jpeg(street())))
    assert detail(police, (10, 10, 60, 60)) > 100

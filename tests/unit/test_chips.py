"""A face's chip print compared with another's (``domain.chips``): one picture's however framed or mirrored."""

from __future__ import annotations

import numpy as np

from reunite.adapters.faces.dlib_engine import chip_print
from reunite.domain.chips import CHIP_SIDE, SAME_CHIP, chip_correlation, mirrored


def face(seed: int) -> np.ndarray:
    """A 150×150 chip of smooth random shading (a stand-in for an aligned face)."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(30, 220, (10, 10, 1)).astype(np.float64)
    grey = np.kron(coarse, np.ones((15, 15, 1))) + rng.normal(0, 4, (150, 150, 1))
    return np.clip(np.repeat(grey, 3, axis=2), 0, 255).astype(np.uint8)


SEEN = np.full((150, 150, 3), 255, dtype=np.uint8)
INNER = 1 / 6


def test_a_chip_is_one_picture_with_itself_re_encoded_and_mirrored_and_not_with_another() -> None:
    chip = face(1)
    noisy = np.clip(chip + np.random.default_rng(9).normal(0, 3, chip.shape), 0, 255).astype(np.uint8)
    print_ = chip_print(chip, SEEN, INNER)
    assert len(print_) == CHIP_SIDE * CHIP_SIDE and 0 not in print_
    assert chip_correlation(print_, chip_print(noisy, SEEN, INNER)) >= SAME_CHIP  # type: ignore[operator]
    mirror = np.ascontiguousarray(chip[:, ::-1])
    assert chip_correlation(print_, chip_print(mirror, SEEN, INNER)) >= SAME_CHIP  # type: ignore[operator]
    assert chip_correlation(print_, chip_print(face(2), SEEN, INNER)) < SAME_CHIP  # type: ignore[operator]


def test_a_crop_into_the_face_is_compared_where_both_saw_the_photo() -> None:
    chip = face(3)
    cut, seen = chip.copy(), SEEN.copy()
    cut[:, :60], seen[:, :60] = 0, 0  # the photo ended there: dlib fills the chip black
    cropped = chip_print(cut, seen, INNER)
    assert cropped[0] == 0 and cropped[CHIP_SIDE - 1] != 0
    assert chip_correlation(chip_print(chip, SEEN, INNER), cropped) >= SAME_CHIP  # type: ignore[operator]
    nothing = bytes(CHIP_SIDE * CHIP_SIDE)
    assert chip_correlation(cropped, nothing) is None  # no pixel seen by both
    assert chip_correlation(cropped, b"\x01\x02") is None  # not a print


def test_the_mirror_of_a_print_reverses_each_row() -> None:
    row = bytes(range(1, CHIP_SIDE + 1))
    assert mirrored(row * CHIP_SIDE) == row[::-1] * CHIP_SIDE

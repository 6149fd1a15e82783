"""One picture, however copied: the face's aligned chip compared pixel by pixel (probe s27 A1).

The face engine aligns every face onto a canonical chip by its landmarks, so a photo cropped, resized,
re-encoded, framed or turned a little gives nearly the same chip, and a mirrored copy gives its mirror image,
while another photo of the same child does not (another moment: light, expression, pose). A face's *chip print*
is that chip's face (its padding left out), ``CHIP_SIDE`` × ``CHIP_SIDE`` grey levels 1 to 255, row by row, 0
where the chip falls outside the photo (a crop cutting into the face): two prints are compared where both saw
the photo, as the Pearson correlation of their grey levels, the second print as it is and mirrored."""

from __future__ import annotations

import math

CHIP_SIDE = 24
# the share of the print both must have seen for a correlation to say anything (a crop into the face leaves less)
CHIP_OVERLAP = 0.4
# the correlation at which two faces are one picture, with the faces at least ``SAME_CHIP_FACES`` alike
# (``domain.doubles``): the poster's photo cropped 12% off every side reads 0.998 in the median; of two children's
# photos whose faces read that alike none reached 0.91, of one child's two photos one 0.959 (docs/benchmarks.md,
# "The same photo registered again")
SAME_CHIP = 0.95


def chip_correlation(a: bytes, b: bytes) -> float | None:
    """How alike two chip prints are (the Pearson correlation of their grey levels where both saw the photo,
    the better of ``b`` as it is and mirrored); ``None`` where they are not prints of one size, or overlap in
    less than ``CHIP_OVERLAP`` of it, or either is flat there."""
    if len(a) != CHIP_SIDE * CHIP_SIDE or len(b) != len(a):
        return None
    found = [r for r in (_correlation(a, b), _correlation(a, mirrored(b))) if r is not None]
    return max(found) if found else None


def mirrored(print_: bytes) -> bytes:
    """The print of the mirror image (each row reversed)."""
    return b"".join(print_[row:row + CHIP_SIDE][::-1] for row in range(0, len(print_), CHIP_SIDE))


def _correlation(a: bytes, b: bytes) -> float | None:
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x and y]
    if len(pairs) < CHIP_OVERLAP * len(a):
        return None
    mean_x = sum(x for x, _ in pairs) / len(pairs)
    mean_y = sum(y for _, y in pairs) / len(pairs)
    xy = sum((x - mean_x) * (y - mean_y) for x, y in pairs)
    xx = sum((x - mean_x) ** 2 for x, _ in pairs)
    yy = sum((y - mean_y) ** 2 for _, y in pairs)
    return xy / math.sqrt(xx * yy) if xx and yy else None

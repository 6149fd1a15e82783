"""Decoding and checking uploaded photos with Pillow; clean, metadata-free copies for display."""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pillow_heif
from PIL import Image, ImageDraw, ImageFilter, ImageOps, UnidentifiedImageError

from reunite.domain.errors import InvalidInput, PayloadTooLarge, UnsupportedMedia
from reunite.domain.model import GeoPoint, PhotoFacts
from reunite.domain.times import iso_time

pillow_heif.register_heif_opener()

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic"}
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 36867, 36881
# A photo of more than SPARSE_FROM pixels is at least MIN_BYTES_PER_PIXEL bytes per pixel on disk: a camera's
# least detailed JPEG (a flat grey wall) is 0.016, a phone's real ones 0.1 and more; a 70 kB PNG of 56 megapixels
# (0.001) is a pixel flood, minutes of decoding and face searching for the worker, not a photo.
SPARSE_FROM, MIN_BYTES_PER_PIXEL = 2_000_000, 0.01


class PillowPhotoCodec:
    """Implements ``domain.ports.PhotoCodec``."""

    def __init__(self, max_bytes: int, max_pixels: int) -> None:
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels

    def open(self, data: bytes) -> Image.Image:
        """Open and fully decode a photo, or raise an error that names the problem."""
        return self._decode(data)[0]

    def _decode(self, data: bytes, draft: float | None = None, longest: int | None = None) -> tuple[Image.Image, float]:
        """The photo decoded; a JPEG at the smallest of ½, ¼ or ⅛ of its size that keeps the ``draft``
        share of its resolution (or its longer side at least ``longest``), and that scale."""
        if not data:
            raise InvalidInput("the photo is empty")
        if len(data) > self.max_bytes:
            raise PayloadTooLarge(
                "the photo is {size} MB; the largest accepted is {limit} MB",
                size=f"{len(data) / 1e6:.1f}", limit=f"{self.max_bytes / 1e6:.0f}",
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                # only the accepted formats' parsers read the header: another format's (or a text file
                # that starts like one) cannot be taken for "too many pixels"
                image = Image.open(io.BytesIO(data), formats=list(FORMATS))
                self._check_header(image, len(data))
                full = image.width
                share = draft if longest is None else longest / max(image.size)
                if share is not None and share <= 0.5 and image.format == "JPEG":  # decoded smaller, in the DCT
                    image.draft("RGB", (math.ceil(image.width * share), math.ceil(image.height * share)))
                image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PayloadTooLarge("the photo has too many pixels to be a real photo") from exc
        except UnidentifiedImageError as exc:
            other = unaccepted_format(data)
            if other:
                raise UnsupportedMedia(
                    "{format} images are not accepted: send a JPEG, PNG, WebP or HEIC photo", format=other) from exc
            raise UnsupportedMedia("this file is not a photo: send a JPEG, PNG, WebP or HEIC image") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise InvalidInput("the photo is truncated or corrupt and cannot be read") from exc
        return image, image.width / full

    def _check_header(self, image: Image.Image, size: int) -> None:
        """The format and the pixel count the header declares, checked before any pixel is decoded."""
        if image.format not in FORMATS:
            raise UnsupportedMedia(
                "{format} images are not accepted: send a JPEG, PNG, WebP or HEIC photo", format=image.format)
        pixels = image.width * image.height
        if pixels > self.max_pixels:
            raise PayloadTooLarge(
                "the photo is {width}×{height} pixels; the limit is {limit} megapixels",
                width=image.width, height=image.height, limit=f"{self.max_pixels / 1e6:.0f}",
            )
        if pixels > SPARSE_FROM and size < pixels * MIN_BYTES_PER_PIXEL:
            raise PayloadTooLarge("the photo has too many pixels to be a real photo")

    def inspect(self, data: bytes) -> PhotoFacts:
        image = self.open(data)
        oriented = ImageOps.exif_transpose(image) or image
        exif = image.getexif()
        return PhotoFacts(
            sha256=hashlib.sha256(data).hexdigest(),
            width=oriented.width,
            height=oriented.height,
            mime=FORMATS[str(image.format)],
            taken_at=_exif_time(exif),
            place=_exif_place(exif),
            phash=perceptual_hash(oriented),
        )

    def rgb(self, data: bytes, max_side: int | None = None, draft: float | None = None) -> tuple[np.ndarray, float]:
        """Upright RGB pixels, scaled so the longer side is at most ``max_side``; and that scale. A JPEG is
        decoded at the smallest of ½, ¼ or ⅛ of its size that keeps ``max_side`` (or, with ``draft``, that share
        of its resolution), several times faster: a phone's 48-megapixel photo is read for the face detector's
        1600 px in a seventh of the time, never decoded whole."""
        image, scale = self._decode(data, draft, max_side)
        image = (ImageOps.exif_transpose(image) or image).convert("RGB")
        if max_side and max(image.size) > max_side:
            factor = max_side / max(image.size)
            scale *= factor
            size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))  # 20000×10 too
            image = image.resize(size, Image.Resampling.LANCZOS)
        return np.asarray(image), scale

    def clean_copy(
        self, data: bytes, max_side: int | None = None, blur: Sequence[Box] = (), keep: Box | None = None,
        sharp: Sequence[Outline] | None = None, unkept: Sequence[Outline] = (),
    ) -> bytes:
        pixels, scale = self.rgb(data, max_side, draft=1.0)  # with max_side: decoded at about that size
        if blur:
            pixels = blur_regions(pixels, [_scaled(box, scale) for box in blur],
                                  keep=_scaled(keep, scale) if keep else None,
                                  unkept=[_scaled_outline(outline, scale) for outline in unkept])
        if sharp is not None:
            pixels = obscure_outside(pixels, [_scaled_outline(outline, scale) for outline in sharp])
        return encode_jpeg(pixels)

    def face_copy(self, data: bytes, face: Box, blur: Sequence[Box] = (), margin: float = 0.4,
                  size: int = 200, sharp: Sequence[Outline] | None = None, unkept: Sequence[Outline] = ()) -> bytes:
        """One face with some context, cut from the photo *after* the ``blur`` boxes were blurred
        (a neighbour's face beside the child's stays unrecognisable in the crop too; ``face`` is kept sharp
        over them but for the ``unkept`` parts of it, as ``clean_copy`` keeps ``keep``) and, with ``sharp``,
        everything outside those outlines obscured (as ``clean_copy`` does)."""
        left, top, right, bottom = face
        mx, my = int((right - left) * margin), int((bottom - top) * margin)
        cut = (left - mx, top - my, right + mx, bottom + my)
        near = [box for box in blur if _overlap(_grown(box, BLUR_MARGIN), cut)]  # the rest never reaches the cut
        pixels, scale = self.rgb(data, draft=size / max(cut[2] - cut[0], cut[3] - cut[1], 1))
        face = _scaled(face, scale)
        if near:
            pixels = blur_regions(pixels, [_scaled(box, scale) for box in near], keep=face,
                                  unkept=[_scaled_outline(outline, scale) for outline in unkept])
        if sharp is not None:
            pixels = obscure_outside(pixels, [_scaled_outline(outline, scale) for outline in sharp])
        left, top, right, bottom = face
        mx, my = int((right - left) * margin), int((bottom - top) * margin)
        h, w = pixels.shape[:2]
        crop = Image.fromarray(pixels[max(top - my, 0):min(bottom + my, h), max(left - mx, 0):min(right + mx, w)])
        crop.thumbnail((size, size), Image.Resampling.LANCZOS)
        return encode_jpeg(np.asarray(crop))

PHASH_SIDE, PHASH_BITS = 32, 8  # imagehash.phash's defaults: a 32 px grey copy, its 8×8 lowest frequencies
_n, _k = np.arange(PHASH_SIDE), np.arange(PHASH_BITS)[:, None]
# the lowest rows of the (unnormalised) DCT-II matrix, scipy.fftpack.dct's, so that ``C @ x @ C.T`` is its 2-D DCT
_DCT_LOW = 2 * np.cos(np.pi * _k * (2 * _n + 1) / (2 * PHASH_SIDE))


def perceptual_hash(image: Image.Image) -> int:
    """pHash as a signed 64-bit number: near-identical for the same picture resized, re-encoded or
    lightly cropped, as reposts are. The same bits as ``imagehash.phash`` (tests/integration/test_codec.py
    compares them), with the DCT's 64 wanted coefficients as one matrix product: no SciPy, whose import
    costs each web process most of a CPU-second at its first upload."""
    grey = image.convert("L").resize((PHASH_SIDE, PHASH_SIDE), Image.Resampling.LANCZOS)
    low = _DCT_LOW @ np.asarray(grey, dtype=np.float64) @ _DCT_LOW.T
    bits = int("".join("1" if b else "0" for b in (low > np.median(low)).flatten()), 2)
    return bits - (1 << 64) if bits >= 1 << 63 else bits


def unaccepted_format(data: bytes) -> str | None:
    """The name of a real image format we do not accept (GIF, BMP, TIFF …), or None when the file is
    no image at all (a text file starting with ``GIF89a`` included)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.load()
            return str(image.format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError, ValueError):
        return None


Box = tuple[int, int, int, int]
Outline = Sequence[tuple[int, int]]  # a polygon's corners (``access.head_outline``)


def _scaled(box: Sequence[int], scale: float) -> Box:
    left, top, right, bottom = (round(v * scale) for v in box)
    return left, top, right, bottom


def _scaled_outline(outline: Outline, scale: float) -> list[tuple[float, float]]:
    return [(x * scale, y * scale) for x, y in outline]


BLUR_MARGIN = 0.3  # a blurred face's box grows by this share of its size on each side


def _grown(box: Sequence[int], margin: float) -> tuple[int, int, int, int]:
    left, top, right, bottom = box
    grow_x, grow_y = int((right - left) * margin), int((bottom - top) * margin)
    return left - grow_x, top - grow_y, right + grow_x, bottom + grow_y


def _overlap(a: Sequence[int], b: Sequence[int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def blur_regions(pixels: np.ndarray, boxes: Sequence[Sequence[int]], margin: float = BLUR_MARGIN,
                 keep: Sequence[int] | None = None,
                 unkept: Sequence[Sequence[tuple[float, float]]] = ()) -> np.ndarray:
    """Faces made unrecognisable: each box, grown by ``margin``, pixelated to 6×6 blocks then blurred.
    Irreversible: the copy carries no trace of the original pixels beyond the coarse blocks.
    ``keep`` (the child's face box) is not blurred: its pixels are put back after the others, all but
    those inside the ``unkept`` outlines (the parts of it that are a bystander's face,
    ``access.shared_with_child``), which stay blurred."""
    image = Image.fromarray(pixels)
    kept, mask = None, None
    if keep is not None and keep[2] > keep[0] and keep[3] > keep[1]:
        kept = image.crop((keep[0], keep[1], keep[2], keep[3]))
        if unkept:
            mask = Image.new("L", kept.size, 255)
            draw = ImageDraw.Draw(mask)
            for outline in unkept:
                if len(outline) >= 3:
                    draw.polygon([(x - keep[0], y - keep[1]) for x, y in outline], fill=0)
    for box in boxes:
        left, top, right, bottom = _grown(box, margin)
        region = (max(0, left), max(0, top), min(image.width, right), min(image.height, bottom))
        if region[2] - region[0] < 2 or region[3] - region[1] < 2:
            continue
        patch = image.crop(region)
        coarse = patch.resize((6, 6), Image.Resampling.BOX).resize(patch.size, Image.Resampling.NEAREST)
        image.paste(coarse.filter(ImageFilter.GaussianBlur(max(2, patch.width // 12))), region[:2])
    if kept is not None and keep is not None:
        image.paste(kept, (keep[0], keep[1]), mask)
    return np.asarray(image)


OBSCURED_SIDE = 24  # everything outside the sharp regions keeps no more detail than a 24 px picture of it


def obscure_outside(pixels: np.ndarray, sharp: Sequence[Sequence[tuple[float, float]]]) -> np.ndarray:
    """Everything but the ``sharp`` outlines (polygons: the child's head) made unrecognisable, whatever
    it shows (a face nobody detected included): the photo shrunk to OBSCURED_SIDE px on its longer side,
    enlarged and blurred, so that only the scene's colours and shapes are left; inside the outlines the
    original pixels are kept."""
    image = Image.fromarray(pixels)
    factor = OBSCURED_SIDE / max(image.width, image.height)
    small = image.resize((max(1, round(image.width * factor)), max(1, round(image.height * factor))),
                         Image.Resampling.BOX)
    obscured = small.resize(image.size, Image.Resampling.BILINEAR).filter(
        ImageFilter.GaussianBlur(max(2, max(image.width, image.height) // (4 * OBSCURED_SIDE))))
    mask = Image.new("L", image.size, 0)
    draw = ImageDraw.Draw(mask)
    for outline in sharp:
        if len(outline) >= 3:
            draw.polygon(list(outline), fill=255)
    return np.asarray(Image.composite(image, obscured, mask))


def encode_jpeg(pixels: np.ndarray, quality: int = 85) -> bytes:
    """JPEG from raw pixels: nothing but the picture goes in (no EXIF, no ICC, no comments)."""
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _exif_time(exif: Image.Exif) -> datetime | None:
    """When the photo was taken: with its offset when the camera wrote ``OffsetTimeOriginal``, else
    the camera's wall-clock time without a zone (the caller reads it in the deployment's zone)."""
    ifd = exif.get_ifd(EXIF_IFD)
    raw = ifd.get(DATETIME_ORIGINAL) or exif.get(306)
    if not isinstance(raw, str):
        return None
    try:
        wall = datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007 (the camera's wall clock)
    except ValueError:
        return None
    offset = ifd.get(OFFSET_TIME_ORIGINAL)
    offset = offset.strip("\x00 ") if isinstance(offset, str) else ""
    # read as every time from outside is (``times.iso_time``): +08:00, +0800, +08 and Z alike; an offset that
    # is none leaves the wall clock, which the caller reads in a zone and says so
    given = iso_time(wall.strftime("%Y-%m-%dT%H:%M:%S") + offset) if offset else None
    return given or wall


def _exif_place(exif: Image.Exif) -> GeoPoint | None:
    gps = exif.get_ifd(GPS_IFD)
    try:
        lat = _degrees(gps[2]) * (-1 if gps.get(1) == "S" else 1)
        lon = _degrees(gps[4]) * (-1 if gps.get(3) == "W" else 1)
        return GeoPoint(lat, lon)
    except (KeyError, TypeError, ValueError, ZeroDivisionError, InvalidInput):
        return None


def _degrees(dms: tuple[float, float, float]) -> float:
    d, m, s = (float(x) for x in dms)
    return d + m / 60 + s / 3600

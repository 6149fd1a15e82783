"""Photo intake with real Pillow: what is accepted, what is refused and why, what is read from EXIF,
and that every copy shown is stripped of metadata."""

from __future__ import annotations

import io
import zlib
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import imagehash
import numpy as np
import pytest
from PIL import Image

from reunite.adapters.photos.codec import GPS_IFD, PillowPhotoCodec, perceptual_hash
from reunite.domain.errors import InvalidInput, PayloadTooLarge, UnsupportedMedia
from tests.conftest import jpeg, plain_photo
from tests.photos import PEOPLE, face_jpeg

CODEC = PillowPhotoCodec(max_bytes=5_000_000, max_pixels=40_000_000)


def phone_exif() -> Image.Exif:
    """EXIF as a phone writes it: time with zone, GPS in Wuhan, camera make, rotated 90°."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6  # rotate 90° clockwise to view
    exif.get_ifd(0x8769).update({36867: "2024:05:06 14:30:00", 36881: "+08:00"})
    exif.get_ifd(GPS_IFD).update({
        1: "N", 2: (Fraction(30), Fraction(35), Fraction(2412, 100)),
        3: "E", 4: (Fraction(114), Fraction(18), Fraction(36)),
    })
    return exif


def test_exif_time_place_and_orientation_are_read() -> None:
    data = jpeg(np.full((100, 200, 3), 128, np.uint8), phone_exif())
    facts = CODEC.inspect(data)
    assert facts.taken_at == datetime(2024, 5, 6, 6, 30, tzinfo=UTC)
    assert facts.taken_at is not None and facts.taken_at.utcoffset() == timedelta(hours=8)  # the camera's offset
    assert facts.place is not None
    assert facts.place.lat == pytest.approx(30.5901, abs=1e-3) and facts.place.lon == pytest.approx(114.31, abs=1e-3)
    assert (facts.width, facts.height) == (100, 200)  # upright after the EXIF rotation
    assert facts.mime == "image/jpeg"


def test_exif_time_without_offset_stays_wall_clock() -> None:
    """A camera that writes no OffsetTimeOriginal: the time is the camera's wall clock, not UTC."""
    exif = phone_exif()
    del exif.get_ifd(0x8769)[36881]
    facts = CODEC.inspect(jpeg(np.full((60, 80, 3), 128, np.uint8), exif))
    assert facts.taken_at == datetime(2024, 5, 6, 14, 30)
    assert facts.taken_at.tzinfo is None


@pytest.mark.parametrize(("offset", "east"), [("-05", -5), ("-0500", -5), ("Z", 0), ("+08", 8), ("+0530", 5.5)])
def test_exif_offsets_in_every_iso_form_are_the_cameras(offset: str, east: float) -> None:
    """Probe s13 F10: an offset written "-05", "-0500" or "Z" by a phone app was dropped and the time read
    in the site's zone (13 hours off): it is the camera's offset, as every time from outside is read."""
    exif = phone_exif()
    exif.get_ifd(0x8769)[36881] = offset
    facts = CODEC.inspect(jpeg(np.full((60, 80, 3), 128, np.uint8), exif))
    assert facts.taken_at is not None and facts.taken_at.utcoffset() == timedelta(hours=east)
    assert facts.taken_at.replace(tzinfo=None) == datetime(2024, 5, 6, 14, 30)


def test_an_exif_offset_that_is_none_leaves_the_wall_clock() -> None:
    exif = phone_exif()
    exif.get_ifd(0x8769)[36881] = "   :  "  # what some cameras write for "not set"
    facts = CODEC.inspect(jpeg(np.full((60, 80, 3), 128, np.uint8), exif))
    assert facts.taken_at == datetime(2024, 5, 6, 14, 30)


def test_clean_copy_has_no_metadata_at_all() -> None:
    data = jpeg(np.full((100, 200, 3), 128, np.uint8), phone_exif())
    clean = Image.open(io.BytesIO(CODEC.clean_copy(data)))
    assert len(clean.getexif()) == 0
    assert "exif" not in clean.info and "icc_profile" not in clean.info
    assert clean.size == (100, 200)
    assert b"PhoneMaker" not in CODEC.clean_copy(data)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "HEIF"])
def test_png_webp_and_heic_are_accepted(fmt: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 200, 30)).save(out, format=fmt)
    facts = CODEC.inspect(out.getvalue())
    assert (facts.width, facts.height) == (80, 60)


def test_not_an_image_is_refused_as_unsupported() -> None:
    with pytest.raises(UnsupportedMedia, match="not a photo"):
        CODEC.inspect(b"%PDF-1.4 this is a document")


def test_gif_is_refused_by_name() -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(UnsupportedMedia, match="GIF images are not accepted"):
        CODEC.inspect(out.getvalue())


def test_truncated_jpeg_is_refused() -> None:
    data = plain_photo(640, 480)
    with pytest.raises(InvalidInput, match="truncated or corrupt"):
        CODEC.inspect(data[: len(data) // 2])


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    # A 30000×30000 PNG (900 megapixels) that compresses to a few hundred kilobytes.
    width = height = 30_000
    row = b"\x00" + b"\x00" * width
    body = zlib.compress(row * 2000, 9)  # enough rows for a valid start; the header is what counts

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return len(payload).to_bytes(4, "big") + kind + payload + zlib.crc32(kind + payload).to_bytes(4, "big")

    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    with pytest.raises(PayloadTooLarge, match="pixels"):
        CODEC.inspect(bomb)


def test_oversized_file_is_refused() -> None:
    with pytest.raises(PayloadTooLarge, match="MB"):
        CODEC.inspect(b"\xff\xd8" + b"\0" * 6_000_000)


def test_empty_file_is_refused() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        CODEC.inspect(b"")


def test_perceptual_hash_is_imagehash_phash_on_real_photos() -> None:
    """Reposts are found by pHash distance to the hashes stored so far: ours must be imagehash's bits,
    else photos stored before and after a change would no longer compare (reposts missed)."""
    for person in PEOPLE:
        for height, mirror in ((180, False), (420, True), (900, False)):
            image = Image.open(io.BytesIO(face_jpeg(height=height, mirror=mirror, person=person)))
            theirs = int(str(imagehash.phash(image.convert("L"))), 16)
            assert perceptual_hash(image) & (2**64 - 1) == theirs


def test_a_big_jpeg_is_decoded_for_the_face_detector_at_its_size_not_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A phone's 27-megapixel photo is read at half its size for the detector's 1600 px (never decoded
    whole, which took seconds per photo): the same picture, the same scale back to the original's pixels."""
    rng = np.random.default_rng(3)
    scene = np.asarray(Image.fromarray(rng.integers(0, 255, (150, 200, 3), dtype=np.uint8)).resize((6000, 4500)))
    data = jpeg(scene)
    decoded: list[tuple[int, int]] = []
    decode = PillowPhotoCodec._decode

    def spy(self: PillowPhotoCodec, *args: object, **kwargs: object) -> tuple[Image.Image, float]:
        image, share = decode(self, *args, **kwargs)  # type: ignore[arg-type]
        decoded.append(image.size)
        return image, share

    monkeypatch.setattr(PillowPhotoCodec, "_decode", spy)
    pixels, scale = CODEC.rgb(data, 1600)
    assert decoded == [(3000, 2250)]  # half of it, in the DCT: the least that keeps 1600 px
    whole = np.asarray(Image.open(io.BytesIO(data)).convert("RGB").resize((1600, 1200), Image.Resampling.LANCZOS))
    assert pixels.shape == (1200, 1600, 3) and scale == pytest.approx(1600 / 6000)
    assert np.abs(pixels.astype(int) - whole.astype(int)).mean() < 3

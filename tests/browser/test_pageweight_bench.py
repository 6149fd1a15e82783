"""The snapshot-journey benchmark measures a real report: a receipt comes back, the photo it sends is
the phone-shrunk one, and its generated photo is the size the benchmark claims."""

from __future__ import annotations

from bench.pageweight import journey, phone_photo
from tests.conftest import count_rows


def test_the_journey_benchmark_times_a_report_that_really_arrives(server: str, container: object) -> None:
    photo = phone_photo(1200, 900, target_bytes=300_000)
    result = journey(server, photo, network=None, cpu=1)
    assert result["receipt"] and result["seconds"] > 0
    assert 0 < result["upload_bytes"] < len(photo)  # sent, and shrunk on the phone first
    assert count_rows(container, "sightings") == 1  # type: ignore[arg-type]


def test_the_benchmark_photo_is_a_12_megapixel_3_mb_phone_photo() -> None:
    from io import BytesIO

    from PIL import Image

    photo = phone_photo()
    image = Image.open(BytesIO(photo))
    assert image.size == (4000, 3000) and 2_700_000 <= len(photo) <= 4_500_000
    assert image.getexif().get_ifd(0x8825)  # GPS, as a phone writes it

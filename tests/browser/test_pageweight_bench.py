"""The snapshot-journey benchmark measures a real report: a receipt comes back, the photo it sends is
the phone-shrunk one, and its generated photo is the size the benchmark claims."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bench.pageweight import journey, phone_photo, stored_photos
from reunite.bootstrap import Container
from tests.conftest import count_rows


def test_the_journey_benchmark_times_a_report_that_really_arrives(server: str, container: Container) -> None:
    photo = phone_photo(2400, 1800, target_bytes=1_000_000)
    with ThreadPoolExecutor(1) as other:  # its own Playwright, beside the tests' browser
        result = other.submit(journey, server, [photo], None, 1).result(timeout=300)
    assert result["receipt"] and result["seconds"] > 0
    assert result["copy_shown"] == "made on the phone"  # the thank-you page shows the phone's own copy
    assert count_rows(container, "sightings") == 1
    received = stored_photos(container)
    assert len(received) == 1 and received[0]["bytes"] < len(photo)  # shrunk on the phone before upload


def test_the_benchmark_photo_is_a_12_megapixel_3_mb_phone_photo() -> None:
    from io import BytesIO

    from PIL import Image

    photo = phone_photo()
    image = Image.open(BytesIO(photo))
    assert image.size == (4000, 3000) and 2_700_000 <= len(photo) <= 4_500_000
    assert image.getexif().get_ifd(0x8825)  # GPS, as a phone writes it

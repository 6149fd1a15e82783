"""Pixel floods: a small file declaring tens of megapixels (a flat PNG of 7500×7500 is 70 kB) would hold the
face worker for minutes and a search for seconds. Refused from its header on every upload path, in the
reader's language, and nothing already stored is lost."""

from __future__ import annotations

import io

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from reunite.bootstrap import Container
from tests.conftest import count_rows, plain_photo
from tests.e2e.test_reports_and_places import csrf, private_link, send


def flat_png(side: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (side, side), 128).save(out, format="PNG")
    return out.getvalue()


# 56 megapixels (over the limit), and 49 (under it, but 0.001 bytes a pixel: no camera's photo)
FLOODS = [flat_png(7500), flat_png(7000)]


@pytest.mark.parametrize("flood", FLOODS, ids=["56MP", "49MP"])
def test_a_pixel_flood_is_refused_on_every_upload_path_and_nothing_stored_is_lost(
    client: TestClient, anonymous: TestClient, container: Container, flood: bytes
) -> None:
    status, thanks = send(anonymous, key="k-first")  # a report already stored, with its private link
    assert status == 200
    link = private_link(thanks)
    photo = [("photos", ("flood.png", flood, "image/png"))]
    chinese = {"Accept-Language": "zh-CN"}

    api = client.post("/api/sightings", files=photo, headers=chinese)
    assert api.status_code == 413 and "像素" in api.json()["detail"], api.text
    english = client.post("/api/sightings", files=photo)
    assert english.status_code == 413 and "pixels" in english.json()["detail"]
    case = client.post("/api/cases", files=photo, data={
        "given_name": "Lin", "sex": "female", "birth_date": "2016-01-01", "missing_since": "2026-06-01T08:00:00Z",
        "photo_dates": "2026-01-01"})
    assert case.status_code == 413 and "pixels" in case.json()["detail"]
    search = client.post("/api/search", files={"photo": ("flood.png", flood, "image/png")})
    assert search.status_code == 413 and "pixels" in search.json()["detail"]

    form = anonymous.post("/report", files=photo, data={"csrf": csrf(anonymous)}, headers=chinese)
    assert form.status_code == 413 and "像素" in form.text
    added = anonymous.post(link + "/photos", files=photo, data={"csrf": csrf(anonymous)})
    assert added.status_code == 413 and "pixels" in added.text

    assert count_rows(container, "sightings") == 1 and count_rows(container, "photos") == 1
    assert count_rows(container, "cases") == 0


def test_a_real_photo_of_many_pixels_is_still_taken(client: TestClient) -> None:
    """A phone photo of a plain scene: its sensor's grain makes it weigh more than a pixel flood."""
    scene = np.asarray(Image.open(io.BytesIO(plain_photo(4000, 3000))), dtype=np.int16)
    grain = np.random.default_rng(1).integers(-6, 7, size=scene.shape)
    big = io.BytesIO()
    Image.fromarray(np.clip(scene + grain, 0, 255).astype(np.uint8)).save(big, format="JPEG", quality=80)
    response = client.post("/api/sightings", files=[("photos", ("big.jpg", big.getvalue(), "image/jpeg"))])
    assert response.status_code == 202, response.text

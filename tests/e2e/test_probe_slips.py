"""Probe s18, R11: small slips seen on the journeys, each fixed at its root.

- An exact place is given out to 6 decimals, never with a float's noise (a photo's EXIF position read as
  degrees, minutes and seconds is 30.645699999999998)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.entrypoints.api.app import create_app
from tests.conftest import admin_token, jpeg, newest_sighting, plain_photo, session_for

NOISY = 30 + 38 / 60 + 44.52 / 3600  # 30.645699999999998: 30° 38′ 44.52″ as a float


def gps_photo() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Pillow writes a GPS block only beside a tag of the main one
    exif.get_ifd(0x8825).update({1: "N", 2: (Fraction(30), Fraction(38), Fraction(4452, 100)),
                                 3: "E", 4: (Fraction(104), Fraction(3), Fraction(36))})
    return jpeg(np.random.default_rng(3).integers(0, 255, (240, 320, 3), dtype=np.uint8), exif)


def test_exact_places_are_given_out_to_six_decimals_never_with_a_floats_noise(container: Container) -> None:
    assert repr(NOISY) == "30.645699999999998"
    moderator = TestClient(create_app(container))
    moderator.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    sent = moderator.post("/api/sightings", files=[("photos", ("gps.jpg", gps_photo(), "image/jpeg"))])
    assert sent.status_code == 202, sent.text
    sighting = newest_sighting(container)
    read = moderator.get(f"/api/sightings/{sighting}")
    assert read.status_code == 200 and read.json()["place_precise"]
    assert (read.json()["lat"], read.json()["lon"]) == (30.6457, 104.06)
    assert "30.6456999" not in read.text
    queues = moderator.get("/api/moderation/queues")
    assert "30.6456999" not in queues.text and any(r["lat"] == 30.6457 for r in queues.json()["sightings"])
    listed = moderator.get("/api/sightings")
    assert "30.6456999" not in listed.text
    police = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    case = police.post("/api/cases", files=[("photos", ("c.jpg", plain_photo(), "image/jpeg"))], data={
        "given_name": "Lin", "sex": "female", "birth_date": "2016-01-01", "missing_since": "2024-01-01T08:00+08:00",
        "last_seen_lat": repr(NOISY), "last_seen_lon": "104.06"})
    assert case.status_code == 201, case.text
    shown = police.get(f"/api/cases/{case.json()['id']}")
    assert shown.json()["last_seen_lat"] == 30.6457 and "30.6456999" not in shown.text

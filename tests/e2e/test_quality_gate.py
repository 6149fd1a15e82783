"""Issue 14, item 6: a reporter whose photo shows the face too small (or blurred, or turned) to be matched
is told at once, in their language, and invited to add a closer photo; the report is kept either way."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from PIL import Image

from reunite.bootstrap import Container
from tests.conftest import count_rows, run_jobs
from tests.e2e.test_reports_and_places import csrf, private_link
from tests.photos import face_jpeg, face_pixels


def far_away() -> bytes:
    """The portrait shrunk into a street-sized frame: a face about 43 px wide, found but too small."""
    portrait = Image.fromarray(face_pixels())
    canvas = Image.new("RGB", (640, 480), (120, 130, 140))
    canvas.paste(portrait.resize((round(portrait.width * 160 / portrait.height), 160)), (200, 150))
    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=92)
    return out.getvalue()


def poll_url(html: str) -> str:
    found = re.search(r'data-poll="([^"]+)"', html)
    assert found, html[:3000]
    return found.group(1).replace("&amp;", "&")


def test_a_tiny_face_is_told_at_once_a_closer_photo_is_invited_and_the_report_is_kept(
    anonymous: TestClient, container: Container
) -> None:
    files = [("photos", ("far.jpg", far_away(), "image/jpeg"))]
    thanks = anonymous.post("/report", files=files, data={"csrf": csrf(anonymous), "place_text": "Hankou"})
    assert thanks.status_code == 200
    assert "We are checking the face in your photo" in thanks.text  # the worker has not looked yet
    check = poll_url(thanks.text)  # the page asks again until it knows (static/facecheck.js)
    link = private_link(thanks.text)
    assert check.startswith(link + "/check")

    run_jobs(container)

    told = anonymous.get(check)
    assert told.status_code == 200 and told.headers["cache-control"] == "no-store"
    assert "too small to compare well" in told.text and "Your report is kept" in told.text
    assert f'href="{link}?from=thanks#closer"' in told.text and "data-poll" not in told.text  # known: asking stops
    zh = anonymous.get(check.replace("lang=en", "lang=zh_CN"))
    assert "太小" in zh.text and "添加一张更近的照片" in zh.text
    assert count_rows(container, "sightings") == 1 and count_rows(container, "faces") == 1  # kept, searched

    page = anonymous.get(link)
    assert 'id="closer"' in page.text and "too small to compare well" in page.text
    closer = [("photos", ("close.jpg", face_jpeg(), "image/jpeg"))]
    added = anonymous.post(link + "/photos", files=closer, data={"csrf": csrf(anonymous)}, follow_redirects=False)
    assert added.status_code == 303
    again = anonymous.post(link + "/photos", files=closer, data={"csrf": csrf(anonymous)})  # a resent form
    assert again.status_code == 200 and "Your photo was added" in again.text
    assert count_rows(container, "photos") == 2 and count_rows(container, "sightings") == 1

    run_jobs(container)
    now = anonymous.get(link)
    assert "clear enough to compare" in now.text and 'id="closer"' not in now.text
    assert count_rows(container, "faces") == 2  # the closer face is searched with the same report


def test_a_photo_without_a_face_says_so_and_a_withdrawn_report_says_nothing(
    anonymous: TestClient, container: Container
) -> None:
    from tests.conftest import plain_photo

    files = [("photos", ("street.jpg", plain_photo(), "image/jpeg"))]
    thanks = anonymous.post("/report", files=files, data={"csrf": csrf(anonymous)})
    run_jobs(container)
    check = poll_url(thanks.text)
    assert "could not find a face" in anonymous.get(check).text
    link = private_link(thanks.text)
    anonymous.post(link + "/withdraw", data={"csrf": csrf(anonymous), "sure": "1"})
    assert 'id="face-check"' not in anonymous.get(check).text
    refused = anonymous.post(link + "/photos", files=[("photos", ("c.jpg", face_jpeg(), "image/jpeg"))],
                             data={"csrf": csrf(anonymous)})
    assert refused.status_code == 422 and count_rows(container, "photos") == 0

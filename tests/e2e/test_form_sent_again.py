"""Probe s26 Z8: without a script, Back and sending the report form again stored a second report with a
second receipt: the page served again carries a fresh one-time key, and the form's key was taken for a
new report. The same report from the same browser within 10 minutes is one report, whatever key its page
carried: the first receipt and private link, nothing stored."""

from __future__ import annotations

import io
import re
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from reunite.bootstrap import Container
from reunite.entrypoints.api.app import create_app
from tests.conftest import count_rows, plain_photo

TYPED = {"seen_at": "2026-03-04T20:10", "tz": "Asia/Taipei", "place_text": "高雄市"}


def served(browser: TestClient) -> dict[str, str]:
    """The report page as served (again): its CSRF token and a fresh one-time key; no puzzle solved (no script)."""
    return dict(re.findall(r'name="(csrf|idempotency_key)" value="([^"]*)"', browser.get("/report").text))


def send(browser: TestClient, photo: bytes, **typed: str) -> Any:
    page = served(browser)
    sent = browser.post("/report", files=[("photos", ("063a08.jpg", photo, "image/jpeg"))],
                        data=page | TYPED | typed)
    assert sent.status_code == 200, sent.text[-2000:]
    return sent


def receipt_of(page: Any) -> str:
    found = re.search(r'class="receipt-no">([^<]+)<', page.text)
    assert found, page.text[:2000]
    return found.group(1)


def smaller(photo: bytes) -> bytes:
    """The same picture shrunk and re-encoded, as the page's script sends it from a phone."""
    image = Image.open(io.BytesIO(photo))
    out = io.BytesIO()
    image.resize((image.width // 2, image.height // 2)).save(out, "JPEG", quality=80)
    return out.getvalue()


def test_the_report_form_sent_again_after_back_answers_the_first_receipt_and_stores_nothing(
    container: Container
) -> None:
    browser = TestClient(create_app(container), headers={"Accept-Language": "zh-TW"})
    photo = plain_photo(seed=63)
    first = send(browser, photo)
    again = send(browser, photo)  # Back: the form served again with a new key, the same photo and words
    assert receipt_of(again) == receipt_of(first) and count_rows(container, "sightings") == 1
    assert "您之前已經發送過這份報告" in again.text and "sent-before" not in first.text
    shrunk = send(browser, smaller(photo))  # the same picture, shrunk on the phone this time
    assert receipt_of(shrunk) == receipt_of(first) and count_rows(container, "sightings") == 1

    other = send(browser, photo, doing="穿紅色外套")  # more words: another report
    assert receipt_of(other) != receipt_of(first) and count_rows(container, "sightings") == 2
    second_browser = TestClient(create_app(container))  # someone else sending the same picture: their own
    theirs = send(second_browser, photo)
    assert receipt_of(theirs) not in (receipt_of(first), receipt_of(other))
    assert count_rows(container, "sightings") == 3

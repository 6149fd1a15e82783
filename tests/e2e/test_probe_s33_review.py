"""Probe s33: what reviewers read of a report. A report placed by its photo's position with no words showed "—" as
its place in the moderators' queues and the workbench, though its reporter was told the city (G3); the queue card
left out the sex the reporter saw and who was with the child, which the moderator needs before approving."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import Role
from tests.e2e.test_place_said import CHENGDU_EAST, gps_photo, report, signed_in, text_of


def words_of(page: str) -> str:
    """A page as read: its text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text_of(page))).replace(" )", ")").replace("( ", "(")


def test_a_report_placed_by_its_photo_shows_its_city_and_what_the_reporter_saw_in_the_queues(
    anonymous: TestClient, container: Container
) -> None:
    seen = {"sex": "male", "with": "和两个大人在一起"}
    thanks = report(anonymous, gps_photo(*CHENGDU_EAST), client_key="gps", **seen)
    assert "near Chengdu, Sichuan, from your photo's location" in thanks
    moderator = signed_in(anonymous, container, Role.MODERATOR)
    queue = words_of(moderator.get("/moderation/reports").text)
    assert "Place Chengdu, Sichuan (from the photo's location) · 30.62850, 104.13750" in queue
    assert "Sex, as the reporter saw it Boy" in queue and "Who was with the child 和两个大人在一起" in queue
    overview = words_of(moderator.get("/moderation").text)
    assert "Chengdu, Sichuan (from the photo's location)" in overview and "和两个大人在一起" in overview
    in_chinese = words_of(moderator.get("/moderation/reports", params={"lang": "zh_CN"}).text)
    assert "四川省成都市 (根据照片的位置)" in in_chinese

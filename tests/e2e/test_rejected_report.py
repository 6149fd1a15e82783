"""A report the moderators rejected (probe s18 R3): its sender's page says plainly that it was not taken up
(never why), "Withdraw my report" still deletes its photos, faces and words at once, and the report is
deleted a short while after the rejection, not kept for the two years approved reports are."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from reunite.adapters.clock import SystemClock
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR
from reunite.services import moderation, retention
from tests.conftest import count_rows, newest_sighting
from tests.e2e.test_reports_and_places import csrf, private_link, send


class Later(SystemClock):
    """The real clock, moved forward."""

    def __init__(self, by: timedelta) -> None:
        self.by = by

    def now(self) -> datetime:
        return super().now() + self.by


def reject(container: Container, sighting_id: int, reason: str = "no child in the photos") -> None:
    assert moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=False, reason=reason) == 1


def status_of(container: Container, sighting_id: int) -> tuple[str, str]:
    with container.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT status, place_text FROM sightings WHERE id = %(id)s",
                                   {"id": sighting_id}).one()
    return str(row[0]), str(row[1])


def test_a_rejected_report_says_it_was_not_taken_up_and_its_sender_can_still_delete_it(
    anonymous: TestClient, container: Container
) -> None:
    _, thanks = send(anonymous, key="rejected-1", place_text="People's Square, by the fountain")
    link = private_link(thanks)
    sighting_id = newest_sighting(container)
    reject(container, sighting_id)
    photos = count_rows(container, "photos")
    assert photos > 0

    for language, says, withdraw in (("en", "did not take this report up", "Withdraw my report"),
                                     ("zh-CN", "审核员没有采用这份报告", "撤回我的报告")):
        page = anonymous.get(link, headers={"Accept-Language": language})
        assert page.status_code == 200 and says in page.text and withdraw in page.text
        # nothing false (its photos are still here) and never the moderator's reason
        assert "withdrawn or removed" not in page.text and "已撤回或删除" not in page.text
        assert "no child in the photos" not in page.text and "照片中没有孩子" not in page.text
    assert "to add details or withdraw" not in anonymous.get(link).text  # only withdrawing is left
    deleted_by = (datetime.now().astimezone() + container.deps.limits.rejected_sighting_retention).date()
    page = anonymous.get(link)
    assert re.search(r"deleted with its photos by [A-Z][a-z]{2} \d{1,2}, \d{4}", page.text)
    assert str(deleted_by.year) in page.text

    token = csrf(anonymous)
    added = anonymous.post(link + "/details", data={"csrf": token, "details": "red coat"})
    assert added.status_code == 422 and "send a new report" in added.text  # nothing added to a rejected report
    unsure = anonymous.post(link + "/withdraw", data={"csrf": token})
    assert unsure.status_code == 422 and count_rows(container, "photos") == photos  # the box unticked: nothing

    gone = anonymous.post(link + "/withdraw", data={"csrf": token, "sure": "1"})
    assert gone.status_code == 200 and "withdrawn" in gone.text and "Withdraw my report" not in gone.text
    assert "to add details or withdraw" not in gone.text  # the link can do nothing more, and says so (R11)
    assert count_rows(container, "photos") == 0 and count_rows(container, "faces") == 0
    assert status_of(container, sighting_id) == ("withdrawn", "")
    with container.engine.connect() as conn:
        actions = conn.exec_driver_sql("SELECT action FROM audit_log WHERE subject = 'sighting' "
                                       "AND subject_id = %(id)s ORDER BY at, id", {"id": sighting_id}).scalars()
        assert list(actions)[-1] == "sighting.withdrawn"


def test_a_rejected_report_is_deleted_a_month_after_the_rejection_not_two_years_later(
    anonymous: TestClient, container: Container
) -> None:
    send(anonymous, key="kept-1", seed=1, place_text="Hankou station")
    waiting = newest_sighting(container)
    _, thanks = send(anonymous, key="rejected-2", seed=2, place_text="Wuchang bus stop")
    link = private_link(thanks)
    rejected = newest_sighting(container)
    reject(container, rejected, "not relevant")
    retention_days = container.deps.limits.rejected_sighting_retention
    assert retention_days <= timedelta(days=30)

    soon = replace(container.deps, clock=Later(retention_days - timedelta(days=1)))
    assert retention.expire(soon) == (0, 0)  # a mistaken rejection can still be undone meanwhile
    assert status_of(container, rejected) == ("rejected", "Wuchang bus stop")

    later = replace(container.deps, clock=Later(retention_days + timedelta(hours=1)))
    assert retention.expire(later) == (1, 0)
    assert status_of(container, rejected) == ("expired", "")
    assert status_of(container, waiting) == ("pending", "Hankou station")  # the report waiting is kept
    with container.engine.connect() as conn:
        left = conn.exec_driver_sql("SELECT count(*) FROM photos WHERE sighting_id = %(id)s",
                                    {"id": rejected}).scalar_one()
    assert left == 0 and count_rows(container, "photos") > 0
    # its sender reads that it was deleted as promised, on which day: not "withdrawn or removed"
    deleted_on = (datetime.now().astimezone() + retention_days).date()
    for language, says in (("en", "deleted on "), ("zh-CN", "按承诺在保存期满时删除")):
        page = anonymous.get(link, headers={"Accept-Language": language}).text
        assert says in page and "withdrawn or removed" not in page and "已撤回或删除" not in page, language
    assert str(deleted_on.year) in anonymous.get(link).text

"""Probe s29 C5: a correction reached nobody outside. The PFIF export kept a corrected case's old dates (so "newer
wins" at a partner ignored it, and a second installation kept the old name for ever), the feed entry's ``<updated>``
did not move, and webhooks had no update event. Now whatever changes what partners and readers hold dates the case
(``cases.entry_date``), and the webhooks alerted to it get ``case.updated``. The public feed is cacheable: an entity
tag and a date, 304 on a conditional GET, no cookie."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.domain.model import GeoPoint
from reunite.domain.pfif import pfif_time
from reunite.domain.places_shown import public_pin
from reunite.entrypoints.api.app import create_app
from reunite.services import moderation, pfif, reach, reunion
from reunite.services.accounts import issue_token
from tests.conftest import SettableClock, admin_token, run_jobs
from tests.e2e.test_pfif_sync import fresh, register_local_case, rows  # noqa: F401
from tests.e2e.test_probe_s21_reach import Recorder

NS = "{http://zesty.ca/pfif/1.4}"
ATOM = "{http://www.w3.org/2005/Atom}"
HOOK = "https://partner.example/hook"


def _person(exporter: TestClient, case_id: int) -> dict[str, str]:
    answer = exporter.get("/api/pfif")
    assert answer.status_code == 200
    for element in ET.fromstring(answer.content).iter(f"{NS}person"):
        fields = {child.tag.removeprefix(NS): child.text or "" for child in element}
        if fields["person_record_id"].endswith(f"/case.{case_id}"):
            return fields
    raise AssertionError(f"case {case_id} is not exported")


def _entry_updated(feed: str, case_id: int) -> datetime:
    for entry in ET.fromstring(feed).iter(f"{ATOM}entry"):
        if (entry.findtext(f"{ATOM}id") or "").endswith(f"/p/{case_id}"):
            return datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "")
    raise AssertionError(f"case {case_id} is not in the feed")


def test_a_correction_moves_the_exports_dates_the_feeds_updated_and_tells_webhooks(
        container: Container, fresh: Container  # noqa: F811
) -> None:
    clock = SettableClock(datetime.now(UTC).replace(microsecond=0))
    receiver = Recorder()
    deps = container.deps = replace(container.deps, clock=clock, webhooks=receiver)
    reach.subscribe(deps, OPERATOR, "webhook", HOOK, GeoPoint(30.6, 114.3), 50)
    case_id = register_local_case(container, "Tri")  # the police's: verified at once, last seen in Wuchang
    run_jobs(container)
    [(_, alert)] = receiver.sent
    assert alert["event"] == "case.alert"
    receiver.sent.clear()
    exporter = TestClient(create_app(container), headers={
        "Authorization": f"Bearer {issue_token(deps, OPERATOR, 'mirror', [Scope.EXPORT])}"})
    desk = TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})
    public = TestClient(create_app(container))
    before = _person(exporter, case_id)
    old_document = exporter.get("/api/pfif").content
    feed = public.get("/feeds/cases.atom")
    assert feed.status_code == 200
    assert feed.headers["cache-control"].startswith("public") and "max-age=" in feed.headers["cache-control"]
    assert "set-cookie" not in feed.headers  # public: never a cookie a shared cache would keep
    tag, modified = feed.headers["etag"], feed.headers["last-modified"]
    assert public.get("/feeds/cases.atom", headers={"If-None-Match": tag}).status_code == 304
    assert public.get("/feeds/cases.atom", headers={"If-Modified-Since": modified}).status_code == 304
    first = _entry_updated(feed.text, case_id)

    # an admin corrects the name: partners, the feed and the webhook alerted to it read it
    clock.current += timedelta(minutes=5)
    done = desk.patch(f"/api/cases/{case_id}", json={"given_name": "Trixie"})
    assert done.status_code == 200 and done.json()["applied"] == ["given_name"]
    after = _person(exporter, case_id)
    assert after["given_name"] == "Trixie"
    assert after["entry_date"] == after["source_date"] == pfif_time(clock.current) > before["source_date"]
    again = public.get("/feeds/cases.atom")
    assert again.headers["etag"] != tag and _entry_updated(again.text, case_id) == clock.current > first
    assert "Trixie" in again.text
    assert public.get("/feeds/cases.atom", headers={"If-None-Match": tag}).status_code == 200
    assert public.get("/feeds/cases.atom", headers={"If-Modified-Since": modified}).status_code == 200
    run_jobs(container)
    [(address, updated)] = receiver.sent
    assert address == HOOK and updated["event"] == "case.updated" and updated["alert_id"] == alert["alert_id"]
    assert set(updated) == set(alert) and set(updated["case"]) == set(alert["case"])  # the alert's body, read anew
    assert updated["case"]["given_name"] == "Trixie" and updated["case"]["id"] == case_id
    receiver.sent.clear()

    # a second installation that held the old export takes the new one: newer wins (before, "unchanged" for ever)
    assert pfif.import_pfif(fresh.deps, OPERATOR, old_document).created == 1
    taken = pfif.import_pfif(fresh.deps, OPERATOR, exporter.get("/api/pfif").content)
    assert taken.updated == 1
    assert rows(fresh, "SELECT given_name FROM cases") == [("Trixie",)]

    # the words a moderator approves for sharing are what partners read: moved again, told again
    clock.current += timedelta(minutes=5)
    moderation.share_texts(deps, OPERATOR, case_id, {"description": "Yellow coat, red boots"})
    assert _person(exporter, case_id)["source_date"] == pfif_time(clock.current)
    run_jobs(container)
    [(_, shared)] = receiver.sent
    assert shared["event"] == "case.updated" and shared["case"]["description"] == "Yellow coat, red boots"
    receiver.sent.clear()

    # what stays here (the police report number) moves nothing and tells nobody
    clock.current += timedelta(minutes=5)
    assert desk.patch(f"/api/cases/{case_id}", json={"police_report": "PR-8"}).json()["applied"] == ["police_report"]
    assert _person(exporter, case_id)["source_date"] == pfif_time(clock.current - timedelta(minutes=5))
    run_jobs(container)
    assert receiver.sent == []

    # what partners read only as the city and the ~1 km cell, and the family's own marks (they read only words a
    # moderator shared), move nothing and tell nobody: the exact words within the city, the pin moved within its
    # cell, the marks (probe s41 D1: the public feed's date said when a private fact was edited)
    clock.current += timedelta(minutes=5)
    dated = _person(exporter, case_id)["source_date"]
    near = (30.6003, 114.3002)
    assert public_pin(*near) == public_pin(30.6, 114.3)
    for change in ({"last_seen_text": "Wuchang, Zhongnan road 3, building 2"},
                   {"last_seen_lat": near[0], "last_seen_lon": near[1]}, {"marks": "a scar on her left hand"}):
        assert desk.patch(f"/api/cases/{case_id}", json=change).json()["applied"]  # written
    assert _person(exporter, case_id)["source_date"] == dated
    assert _entry_updated(public.get("/feeds/cases.atom").text, case_id) < clock.current
    run_jobs(container)
    assert receiver.sent == []
    # nor a pin in another cell of the same city (the API reads the cell when asked; the feed, exports and webhooks
    # give the city: probe s43 E8); another city is read: dated and told
    moved = {"last_seen_lat": 30.58, "last_seen_lon": 114.27}
    assert desk.patch(f"/api/cases/{case_id}", json=moved).status_code == 200
    assert _person(exporter, case_id)["source_date"] == dated
    run_jobs(container)
    assert receiver.sent == []
    chengdu = {"last_seen_text": "Chengdu", "last_seen_lat": 30.66, "last_seen_lon": 104.07}
    assert desk.patch(f"/api/cases/{case_id}", json=chengdu).status_code == 200
    assert _person(exporter, case_id)["source_date"] == pfif_time(clock.current)
    run_jobs(container)
    assert [payload["event"] for _, payload in receiver.sent] == ["case.updated"]
    receiver.sent.clear()

    # once the case ends, its webhook is told it ended, never updated
    reunion.close_case(deps, OPERATOR, case_id, reunited=False, keep_data=True)
    moderation.share_texts(deps, OPERATOR, case_id, {"description": "Yellow coat"})
    run_jobs(container)
    assert [payload["event"] for _, payload in receiver.sent] == ["case.ended"]
    gone = public.get("/feeds/cases.atom")
    assert f"/p/{case_id}<" not in gone.text
    assert public.get("/feeds/cases.atom", headers={"If-None-Match": again.headers["etag"]}).status_code == 200
    assert re.search(r"<updated>", gone.text)  # the feed's own date still given

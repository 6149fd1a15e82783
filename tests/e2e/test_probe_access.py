"""Attacks of the outside probe (issue 10) on the access world: rights that outlive a case (finding 2),
reads of personal data that leave no audit row (9), and candidates' distances (1)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from reunite.domain.access import OPERATOR
from reunite.entrypoints.api.app import create_app
from reunite.services import grouping, moderation, reunion
from tests.e2e import world as w
from tests.e2e.test_access import app_routes, fill
from tests.photos import portrait

# --- finding 2: what a family may still see, for every state its case can be in -------------------


def set_status(status: str) -> Callable[[w.World], None]:
    def change(world: w.World) -> None:
        with world.container.deps.uow() as uow:
            uow.set_case_status(world.case_a, status, world.container.deps.clock.now())
            uow.commit()
    return change


def reject(world: w.World) -> None:
    moderation.reject_case(world.container.deps, OPERATOR, world.case_a, "a false report")


def close(world: w.World) -> None:
    reunion.close_case(world.container.deps, OPERATOR, world.case_a, reunited=False, keep_data=True)


# how the case gets there → whether its family may still browse, open photos and search
TRANSITIONS: dict[str, tuple[Callable[[w.World], None], bool]] = {
    "verified and open": (set_status("open"), True),
    "rejected as a false report": (reject, False),
    "closed": (close, False),
    "reunited": (set_status("reunited"), False),
    "expired": (set_status("expired"), False),
    "reopened after rejection": (set_status("open"), True),
}


def family_sees(world: w.World, family: TestClient) -> dict[str, bool]:
    """Each thing a verified family may see, asked as the family (its session cookie unchanged)."""
    candidates = family.get(f"/api/cases/{world.case_a}/candidates")
    return {
        "sightings (API)": family.get("/api/sightings").status_code == 200,
        "sightings (page)": family.get("/sightings").status_code == 200,
        "a sighting": family.get(f"/api/sightings/{world.sighting}").status_code == 200,
        "a sighting's photo": family.get(f"/api/photos/{world.photo_of_sighting}").status_code == 200,
        "the child's face": family.get(f"/api/faces/{world.child_face}/crop").status_code == 200,
        "search": family.get("/search").status_code == 200,
        "confirmed candidates": candidates.status_code == 200 and bool(candidates.json()),
    }


@pytest.fixture
def reopened(world: w.World) -> Iterator[None]:
    yield
    set_status("open")(world)


@pytest.mark.parametrize("state", TRANSITIONS)
def test_a_family_sees_sightings_only_while_its_case_is_verified_and_open(
    world: w.World, reopened: None, state: str
) -> None:
    change, allowed = TRANSITIONS[state]
    change(world)
    with world.client("family") as family:
        seen = family_sees(world, family)
        # a case that ended (closed, reunited) keeps listing its confirmed leads for its family, without
        # their photos (docs/pages.md); nothing else stays
        kept = {"confirmed candidates": True} if state in ("closed", "reunited") else {}
        assert seen == dict.fromkeys(seen, allowed) | kept
        assert family.get(f"/api/cases/{world.case_a}").status_code == 200  # its own case, always


def test_a_family_whose_case_is_not_verified_yet_sees_nothing(world: w.World) -> None:
    with world.client("family_unverified") as family:
        assert family.get("/api/sightings").status_code == 403
        assert family.get(f"/api/photos/{world.photo_of_sighting}").status_code == 404  # as if it did not exist


# --- finding 1: a family's candidates -------------------------------------------------------------


def test_candidates_show_families_whole_kilometres_between_grid_cells(world: w.World) -> None:
    with world.client("family") as family, world.client("police") as police:
        mine = family.get(f"/api/cases/{world.case_a}/candidates").json()[0]
        exact = police.get(f"/api/cases/{world.case_a}/candidates").json()
    exact_one = next(c for c in exact if c["id"] == mine["id"])
    assert exact_one["distance_km"] != round(exact_one["distance_km"])  # the exact distance (6.6… km)
    assert mine["distance_km"] == round(mine["distance_km"]) and abs(mine["distance_km"] - exact_one["distance_km"]) < 2
    assert f"seen {mine['distance_km']:.0f} km" in mine["explanation"]


# --- finding 9: every route that returns personal data writes an audit row ------------------------

# (method, path) → who reads it in the test, and the audit action that read must write
AUDITED: dict[tuple[str, str], tuple[str, str]] = {
    ("GET", "/api/sightings"): ("token_read_sightings", "sightings.listed"),
    ("GET", "/api/sightings/{sighting_id}"): ("family", "sighting.viewed"),
    ("GET", "/api/sightings/{sighting_id}/candidates"): ("moderator", "candidates.viewed"),
    ("GET", "/api/cases/{case_id}"): ("token_read_cases", "case.viewed"),
    ("GET", "/api/cases/{case_id}/candidates"): ("family", "candidates.viewed"),
    ("GET", "/api/cases/{case_id}/messages"): ("family", "case.messages_read"),
    ("POST", "/api/search"): ("token_read_sightings", "sightings.searched"),
    ("GET", "/api/photos/{photo_id}"): ("family", "photo.viewed"),
    ("GET", "/api/faces/{face_id}/crop"): ("police", "face.viewed"),  # a bystander's face
    ("GET", "/api/moderation/queues"): ("moderator", "queues.viewed"),
    ("GET", "/api/pfif"): ("token_export", "cases.exported"),
    ("GET", "/api/cases.csv"): ("token_export", "cases.exported"),
    ("GET", "/sightings"): ("family", "sightings.listed"),
    ("GET", "/sightings/{sighting_id}"): ("police", "sighting.viewed"),
    ("GET", "/cases/{case_id}"): ("police", "case.viewed"),
    ("GET", "/cases/{case_id}/correct"): ("police", "case.viewed"),  # the form holds the family's contact
    ("POST", "/search"): ("family", "sightings.searched"),
    ("GET", "/moderation"): ("moderator", "queues.viewed"),
    ("GET", "/admin"): ("admin", "admin.viewed"),
    ("GET", "/api/accounts"): ("admin", "admin.viewed"), ("GET", "/api/tokens"): ("admin", "admin.viewed"),
    ("GET", "/api/subscriptions"): ("admin", "subscriptions.listed"),
    ("GET", "/api/subscriptions/{subscription_id}"): ("admin", "subscription.viewed"),
    ("GET", "/api/subscriptions/{subscription_id}/ended"): ("admin", "subscription.ended_listed"),
    ("GET", "/moderation/reports"): ("moderator", "queues.viewed"),
    ("GET", "/workbench"): ("moderator", "sighting.viewed"),  # claims the next candidate and shows it
    ("GET", "/workbench/{candidate_id}"): ("moderator", "sighting.viewed"),
    ("GET", "/api/moderation/duplicates"): ("moderator", "duplicates.viewed"),
    ("GET", "/api/cases/{case_id}/look-alikes"): ("moderator", "look_alikes.viewed"),
    ("GET", "/audit"): ("police", "audit.viewed"), ("GET", "/api/audit"): ("admin", "audit.viewed"),
}
# routes that read and show no one's personal data, or only the reader's own, or what is public by design
NOT_PERSONAL: dict[tuple[str, str], str] = {
    ("GET", "/openapi.json"): "the API's description", ("GET", "/docs"): "the API's description",
    ("GET", "/docs/oauth2-redirect"): "the API's description", ("GET", "/redoc"): "the API's description",
    ("GET", "/healthz"): "status", ("GET", "/readyz"): "status", ("GET", "/api/pow"): "a puzzle",
    ("GET", "/metrics"): "counts for the operator's scraper (its token or loopback only)",
    ("GET", "/favicon.ico"): "an icon", ("GET", "/sw.js"): "the offline queue's script", ("GET", "/report"): "a form",
    ("GET", "/report/challenge"): "a fresh proof-of-work puzzle for a report kept on a phone",
    ("GET", "/reports/{receipt}/{token}"): "the reporter's own report, through its signed private link",
    ("GET", "/reports/{receipt}/{token}/check"): "the verdict on the reporter's own photo, through its link",
    ("GET", "/"): "a form", ("GET", "/cases/new"): "a form", ("GET", "/search"): "a form",
    ("GET", "/cases/{case_id}/photos"): "a form, to whoever may correct the case: how many photos it holds",
    ("GET", "/subscribe"): "a form", ("GET", "/takedown"): "a form", ("GET", "/privacy"): "text",
    ("GET", "/login"): "a form", ("GET", "/signup"): "a form", ("GET", "/invite/{token}"): "a form",
    ("GET", "/signup/{token}"): "a form showing the address its signed link was sent to",
    ("GET", "/reset"): "a form", ("GET", "/reset/{token}"): "a form showing the address its signed link was sent to",
    ("GET", "/lang/{code}"): "a redirect", ("GET", "/subscriptions/{subscription_id}/{purpose}"): "a button",
    ("GET", "/account"): "the reader's own account and cases",
    ("GET", "/p/{case_id}"): "a poster: public by the family's choice, verified cases only",
    ("GET", "/p/{case_id}/photo.jpg"): "a poster's photo", ("GET", "/p/{case_id}/poster.pdf"): "a poster",
    ("GET", "/feeds/cases.atom"): "posters' public fields",
    ("GET", "/api/stats"): "counts by province, small ones hidden", ("GET", "/stats"): "the same counts",
    ("GET", "/api/sources"): "feeds polled (addresses of public feeds)", ("GET", "/moderation/sources"): "the same",
    ("GET", "/moderation/dashboard"): "queue sizes and decisions per day",
}
# writes answer with what was written, never with others' data: their audit row is the change's own
WRITES_RETURNING_DATA = {("POST", "/api/search"), ("POST", "/search")}


def test_every_route_that_reads_is_classified(world: w.World) -> None:
    reads = {r for r in app_routes(create_app(world.container)) if r[0] == "GET"} | WRITES_RETURNING_DATA
    assert reads - AUDITED.keys() - NOT_PERSONAL.keys() == set(), "say whether these routes return personal data"
    assert (AUDITED.keys() | NOT_PERSONAL.keys()) - reads == set(), "entries for routes that no longer exist"


def read(world: w.World, client: TestClient, method: str, path: str, face: bytes) -> Response:
    url = fill(path, {**world.ids(), "face_id": world.bystander_face})
    if path == "/api/search":
        return client.post(url, files={"photo": ("kid.jpg", face, "image/jpeg")})
    if path == "/search":
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/takedown").text)  # bound to the session
        # a family searches for its own child, naming its case (probe s32 F3)
        return client.post(url, data={"csrf": token.group(1) if token else "", "case_id": str(world.case_a)},
                           files={"photos": ("kid.jpg", face, "image/jpeg")})
    return client.get(url)


def audit_rows(world: w.World, action: str, after: int) -> list[str]:
    with world.container.engine.connect() as conn:
        found = conn.exec_driver_sql("SELECT actor FROM audit_log WHERE action = %s AND id > %s",
                                     (action, after)).fetchall()
    return [row[0] for row in found]


@pytest.mark.parametrize("route", AUDITED, ids=lambda r: f"{r[0]} {r[1]}")
def test_every_read_of_personal_data_is_audited(world: w.World, route: tuple[str, str]) -> None:
    who, action = AUDITED[route]
    face = portrait("collins", 1)
    with world.container.engine.connect() as conn:
        last = int(conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM audit_log").scalar_one())
    with world.client(who) as client:
        answer = read(world, client, *route, face)
    assert answer.status_code == 200, f"{route} as {who}: {answer.status_code}"
    actors = audit_rows(world, action, last)
    assert actors and all(re.fullmatch(r"(account|token):\d+", actor) for actor in actors), (route, actors)


def _csv_rows(exporter: TestClient) -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in csv.DictReader(io.StringIO(exporter.get("/api/cases.csv").content.decode(
        "utf-8-sig")))}


def test_a_partner_sees_a_case_only_once_it_is_verified_and_never_a_false_report(world: w.World) -> None:
    deps = world.container.deps
    unchecked = world.case_unverified
    photo = deps.read.case(unchecked)["photos"][0]["id"]
    with world.client("token_read_cases") as partner, world.client("moderator") as moderator, \
            world.client("family_unverified") as family:
        for reader, allowed in ((partner, False), (moderator, True), (family, True)):
            assert (reader.get(f"/api/cases/{unchecked}").status_code == 200) is allowed
            assert (reader.get(f"/api/photos/{photo}").status_code == 200) is allowed
        assert partner.get(f"/api/cases/{unchecked}").json()["detail"] == f"case {unchecked} does not exist"
        # the same child as case B, which the police registered: linked first (probe s16 P5), then verified
        [flag] = [d["id"] for d in deps.read.duplicates() if unchecked in (d["case_id"], d["other_case_id"])]
        grouping.decide_duplicate(deps, OPERATOR, flag, "link", "the family's own registration of the child")
        moderation.verify_case(deps, OPERATOR, unchecked, "police report seen")
        assert partner.get(f"/api/cases/{unchecked}").status_code == 200
        moderation.reject_case(deps, OPERATOR, unchecked, "hoax: the family made it up")
        assert partner.get(f"/api/cases/{unchecked}").status_code == 404
        assert partner.get(f"/api/photos/{photo}").status_code == 404
    # probe s12 F16: the export told the same partner that the case was judged false. Now it reads
    # "withdrawn" there (so that a mirror deletes its copy), PFIF a placeholder; never the status or why
    with world.client("token_export") as exporter:
        rows = _csv_rows(exporter)
        pfif = exporter.get("/api/pfif").text
    assert rows[str(unchecked)]["status"] == "withdrawn" and rows[str(unchecked)]["given_name"] == ""
    assert "rejected" not in pfif and "hoax" not in pfif
    close(world)  # a closed case: its status is no secret, the same in the API and the export
    with world.client("token_read_cases") as partner, world.client("token_export") as exporter:
        assert partner.get(f"/api/cases/{world.case_a}").json()["status"] == "closed"
        rows = _csv_rows(exporter)
    assert rows[str(world.case_a)]["status"] == "closed"


def test_the_queues_audit_names_every_item_shown_with_its_exact_place(world: w.World) -> None:
    """The moderators' queues show reports with their exact places, the family's words and removal
    requesters: the audit row names each item shown, queue by queue, not only how many wait, and copies
    none of what they said."""
    with world.container.engine.connect() as conn:
        last = int(conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM audit_log").scalar_one())
    with world.client("moderator") as moderator:
        shown = moderator.get("/api/moderation/queues", params={"limit": 2}).json()
    with world.container.engine.connect() as conn:
        detail, actor = conn.exec_driver_sql("SELECT detail, actor FROM audit_log WHERE action = 'queues.viewed' "
                                             "AND id > %s", (last,)).one()
    queues = ("sightings", "cases", "sharing", "candidates", "takedowns", "corrections", "families")
    assert detail["ids"] == {name: [item["id"] for item in shown[name]] for name in queues}
    assert world.pending in detail["ids"]["sightings"] and shown["sightings"][0]["lat"] == round(w.EXACT_LAT, 6)
    assert world.takedown in detail["ids"]["takedowns"]
    assert detail["exact_places"] is True and detail["counts"] == shown["counts"]
    assert actor.startswith("account:")
    written = str(detail)
    assert not any(secret in written for secret in (*w.EXACT_MARKS, w.REPORTER_CONTACT, "me@example.org"))

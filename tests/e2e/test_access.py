"""Who may do what, and what nobody may see: every route of the app × every role and token scope,
and a walk of every readable route looking for private values."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from PIL import Image
from starlette.routing import Mount, Route

from reunite.domain import access
from reunite.entrypoints.api.app import create_app
from reunite.services import search
from reunite.services.accounts import from_session
from tests.e2e import world as w
from tests.photos import portrait

ALL = frozenset(w.PRINCIPALS)
SESSIONS = frozenset(w.ROLES) - {"anonymous"}
TOKEN_ADMIN = frozenset({"token_admin"})
REVIEWERS = w.REVIEWERS
RECORDERS = frozenset({"police", "admin", "token_admin"})
ADMINS = frozenset({"admin", "token_admin"})
REPORTERS = ALL - {"token_read_cases", "token_read_sightings", "token_export", "token_webhooks"}
REGISTRARS = frozenset({"reporter", "family", "family_unverified", "moderator", "police", "admin", "token_write",
                        "token_admin"})
CASE_READERS = frozenset({"family", "moderator", "police", "admin", "token_read_cases", "token_admin"})
BROWSERS = frozenset({"family", "moderator", "police", "admin", "token_read_sightings", "token_admin"})
API_SEARCHERS = frozenset({"token_read_sightings", "token_admin"})
EXPORTERS = frozenset({"police", "admin", "token_export", "token_admin"})
API_WRITERS = frozenset({"token_write", "token_admin"})

# (method, path) → who is let through. Adding a route without a line here fails the matrix test.
RULES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/openapi.json"): ALL, ("GET", "/docs"): ALL, ("GET", "/docs/oauth2-redirect"): ALL,
    ("GET", "/redoc"): ALL,
    ("GET", "/healthz"): ALL, ("GET", "/readyz"): ALL,
    # /metrics answers only its token or loopback (404 to the rest): nobody is "denied"
    ("GET", "/metrics"): ALL, ("GET", "/api/pow"): ALL,
    ("POST", "/api/sightings"): REPORTERS,  # API changes ignore cookies: sessions count as anonymous
    ("GET", "/api/sightings"): BROWSERS,
    ("GET", "/api/sightings/{sighting_id}"): BROWSERS,
    ("GET", "/api/sightings/{sighting_id}/candidates"): REVIEWERS,
    ("POST", "/api/cases"): API_WRITERS,
    ("GET", "/api/cases/{case_id}"): CASE_READERS,
    ("GET", "/api/cases/{case_id}/candidates"): CASE_READERS,
    ("POST", "/api/candidates/{candidate_id}/review"): TOKEN_ADMIN,
    ("POST", "/api/search"): API_SEARCHERS,
    ("GET", "/api/photos/{photo_id}"): BROWSERS,
    ("GET", "/api/faces/{face_id}/crop"): BROWSERS,
    ("GET", "/api/moderation/queues"): REVIEWERS,
    ("GET", "/api/moderation/duplicates"): REVIEWERS,
    ("POST", "/api/moderation/duplicates/{flag_id}"): TOKEN_ADMIN,
    ("POST", "/api/moderation/photo-copies/{copy_id}/clear"): TOKEN_ADMIN,
    ("POST", "/api/moderation/duplicates"): TOKEN_ADMIN, ("GET", "/api/cases/{case_id}/look-alikes"): REVIEWERS,
    ("POST", "/api/moderation/sightings"): TOKEN_ADMIN,
    ("POST", "/api/sightings/{sighting_id}/child-face"): TOKEN_ADMIN,
    ("POST", "/api/cases/{case_id}/verify"): TOKEN_ADMIN,
    ("POST", "/api/cases/{case_id}/reject"): TOKEN_ADMIN, ("POST", "/api/cases/{case_id}/reopen"): TOKEN_ADMIN,
    ("GET", "/api/cases/{case_id}/messages"): frozenset({"family"}) | REVIEWERS,
    ("POST", "/api/cases/{case_id}/messages"): TOKEN_ADMIN,
    ("POST", "/api/cases/{case_id}/verifications"): TOKEN_ADMIN,
    ("POST", "/api/cases/{case_id}/close"): TOKEN_ADMIN,
    ("POST", "/api/takedowns"): ALL,
    ("POST", "/api/reports/{receipt}/{token}/time"): ALL,  # the API reporter's private link: its secret is the right
    ("POST", "/api/reports/{receipt}/{token}/place"): ALL,  # where: the same private link
    ("POST", "/api/takedowns/{takedown_id}/decision"): TOKEN_ADMIN,
    ("POST", "/api/takedowns/{takedown_id}/undo"): TOKEN_ADMIN,
    # the case's registrant only (services/removals.answer): 404 to anyone else, as for a request that does not exist
    ("POST", "/api/takedowns/{takedown_id}/answer"): API_WRITERS,
    ("POST", "/api/tokens"): TOKEN_ADMIN,
    ("DELETE", "/api/tokens/{token_id}"): TOKEN_ADMIN,
    ("POST", "/api/tokens/{token_id}/withdraw-imports"): TOKEN_ADMIN,
    ("POST", "/api/cases/{case_id}/notes/{note_id}/attach"): TOKEN_ADMIN,
    ("POST", "/api/subscriptions"): ALL,  # email for anyone; webhooks checked in the service
    # its own (an admin: all); another's answers 404 as one that does not exist. API writes ignore cookies
    ("GET", "/api/subscriptions"): ALL - {"anonymous"},
    ("GET", "/api/subscriptions/{subscription_id}"): ALL - {"anonymous"},
    ("GET", "/api/subscriptions/{subscription_id}/ended"): ALL - {"anonymous"},  # its maker's (404 otherwise)
    ("POST", "/api/subscriptions/{subscription_id}/secret"): frozenset({"token_admin", "token_webhooks"}),
    ("DELETE", "/api/subscriptions/{subscription_id}"): frozenset(w.TOKENS),
    ("POST", "/admin/subscriptions/{subscription_id}/end"): ADMINS,
    ("GET", "/api/pfif"): EXPORTERS, ("POST", "/api/pfif"): API_WRITERS,
    ("POST", "/api/cases/import"): API_WRITERS, ("GET", "/api/cases.csv"): EXPORTERS,
    ("GET", "/subscribe"): ALL, ("POST", "/subscribe"): ALL,
    ("GET", "/subscriptions/{subscription_id}/{purpose}"): ALL,
    ("POST", "/subscriptions/{subscription_id}/{purpose}"): ALL,  # signed links instead of sign-in
    ("GET", "/feeds/cases.atom"): ALL, ("GET", "/p/{case_id}/poster.pdf"): ALL,
    ("GET", "/"): ALL, ("GET", "/report"): ALL, ("POST", "/report"): REPORTERS, ("GET", "/report/challenge"): ALL,
    ("GET", "/reports/{receipt}/{token}"): ALL,  # the reporter's private link: its secret is the right
    ("POST", "/reports/{receipt}/{token}/details"): ALL, ("POST", "/reports/{receipt}/{token}/withdraw"): ALL,
    ("POST", "/reports/{receipt}/{token}/time"): ALL,
    ("POST", "/reports/{receipt}/{token}/place"): ALL,
    ("GET", "/reports/{receipt}/{token}/check"): ALL, ("POST", "/reports/{receipt}/{token}/photos"): ALL,
    ("GET", "/sw.js"): ALL, ("GET", "/favicon.ico"): ALL,
    ("GET", "/cases/new"): REGISTRARS, ("POST", "/cases/new"): REGISTRARS,
    ("GET", "/cases/{case_id}"): CASE_READERS,
    ("POST", "/candidates/{candidate_id}/review"): REVIEWERS,
    ("GET", "/sightings"): BROWSERS, ("GET", "/sightings/{sighting_id}"): BROWSERS,
    ("GET", "/search"): BROWSERS, ("POST", "/search"): BROWSERS,
    ("GET", "/p/{case_id}"): ALL, ("GET", "/p/{case_id}/photo.jpg"): ALL,
    ("GET", "/lang/{code}"): ALL,
    ("GET", "/login"): ALL, ("POST", "/login"): ALL, ("POST", "/logout"): ALL,
    ("GET", "/signup"): ALL, ("POST", "/signup"): ALL,
    ("GET", "/signup/{token}"): ALL, ("POST", "/signup/{token}"): ALL,  # the signed link sent by email
    ("GET", "/invite/{token}"): ALL, ("POST", "/invite/{token}"): ALL,
    ("GET", "/account"): SESSIONS | frozenset(w.TOKENS),
    ("POST", "/account/password"): SESSIONS,  # the current password is asked too
    ("POST", "/account/language"): SESSIONS,  # the language of one's emails: an account's, never a token's
    ("GET", "/reset"): ALL, ("POST", "/reset"): ALL,
    ("GET", "/reset/{token}"): ALL, ("POST", "/reset/{token}"): ALL,  # the signed link sent by email
    ("GET", "/privacy"): ALL, ("GET", "/takedown"): ALL, ("POST", "/takedown"): ALL,
    ("GET", "/moderation"): REVIEWERS, ("POST", "/moderation/sightings"): REVIEWERS,
    ("POST", "/moderation/candidates"): REVIEWERS, ("POST", "/moderation/duplicates/{flag_id}"): REVIEWERS,
    ("POST", "/moderation/duplicates"): REVIEWERS, ("POST", "/moderation/photo-copies/{copy_id}/clear"): REVIEWERS,
    ("POST", "/sightings/{sighting_id}/child-face"): REVIEWERS,
    ("POST", "/sightings/{sighting_id}/family-summary"): REVIEWERS,
    ("PUT", "/api/sightings/{sighting_id}/family-summary"): TOKEN_ADMIN,
    ("POST", "/sightings/{sighting_id}/photo-place"): REVIEWERS,
    ("POST", "/api/sightings/{sighting_id}/place-from-photo"): TOKEN_ADMIN,
    ("POST", "/cases/{case_id}/verify"): REVIEWERS, ("POST", "/cases/{case_id}/reject"): REVIEWERS,
    ("POST", "/cases/{case_id}/shared-description"): REVIEWERS,
    # the child's face in a case photo of several: its family (on its case page) and reviewers; tokens that verify
    ("POST", "/cases/{case_id}/photos/{photo_id}/child-face"): frozenset({"family"}) | REVIEWERS,
    ("PUT", "/api/cases/{case_id}/photos/{photo_id}/child-face"): TOKEN_ADMIN,
    ("PUT", "/api/cases/{case_id}/shared-description"): TOKEN_ADMIN,
    ("PUT", "/api/cases/{case_id}/shared-marks"): TOKEN_ADMIN,
    ("POST", "/cases/{case_id}/reopen"): REVIEWERS,
    ("POST", "/cases/{case_id}/notes/{note_id}/attach"): REVIEWERS,
    ("POST", "/moderation/takedowns/{takedown_id}"): REVIEWERS,
    ("POST", "/moderation/removals/{takedown_id}/undo"): REVIEWERS,
    # the world's request is about a report, so no case's registrant may answer it: refused to everyone
    ("POST", "/cases/{case_id}/removals/{takedown_id}"): frozenset(),
    ("POST", "/cases/{case_id}/messages"): frozenset({"family"}) | REVIEWERS,
    ("POST", "/cases/{case_id}/verifications"): RECORDERS,
    ("POST", "/cases/{case_id}/close"): RECORDERS,
    ("GET", "/workbench"): REVIEWERS, ("GET", "/workbench/{candidate_id}"): REVIEWERS,
    ("POST", "/workbench/{candidate_id}"): REVIEWERS, ("POST", "/workbench/undo"): REVIEWERS,
    ("GET", "/moderation/reports"): REVIEWERS, ("POST", "/moderation/reports/{verdict}"): REVIEWERS,
    ("POST", "/candidates/{candidate_id}/answer"): frozenset({"family"}),  # probed on the family's own lead
    ("POST", "/sightings/{sighting_id}/mine"): BROWSERS,
    ("GET", "/admin"): ADMINS, ("POST", "/admin/invitations"): frozenset({"admin"}),
    ("POST", "/admin/tokens"): ADMINS, ("POST", "/admin/tokens/{token_id}/revoke"): ADMINS,
    ("POST", "/admin/tokens/{token_id}/withdraw-imports"): ADMINS,
    ("POST", "/admin/accounts/{account_id}/disable"): ADMINS, ("POST", "/admin/accounts/{account_id}/enable"): ADMINS,
    ("POST", "/admin/accounts/{account_id}/role"): ADMINS,
    ("POST", "/admin/invitations/{invitation_id}/withdraw"): ADMINS,
    ("GET", "/api/accounts"): ADMINS, ("GET", "/api/tokens"): ADMINS,
    ("POST", "/api/accounts/{account_id}/disable"): TOKEN_ADMIN,
    ("POST", "/api/accounts/{account_id}/enable"): TOKEN_ADMIN,
    ("PUT", "/api/accounts/{account_id}/role"): TOKEN_ADMIN,
    ("DELETE", "/api/invitations/{invitation_id}"): TOKEN_ADMIN,
    ("GET", "/api/sources"): REVIEWERS, ("POST", "/api/sources"): TOKEN_ADMIN,
    ("POST", "/api/sources/{source_id}/pause"): TOKEN_ADMIN, ("POST", "/api/sources/{source_id}/resume"): TOKEN_ADMIN,
    ("GET", "/moderation/sources"): REVIEWERS, ("POST", "/moderation/sources"): REVIEWERS,
    ("POST", "/moderation/sources/{source_id}/{state}"): REVIEWERS, ("GET", "/moderation/dashboard"): REVIEWERS,
    ("GET", "/stats"): ALL, ("GET", "/api/stats"): ALL,
    ("GET", "/audit"): RECORDERS, ("GET", "/api/audit"): RECORDERS,  # the audit log: admins and police
    # a case corrected by its registrant (the world's case is a family's), or by a moderator or police
    ("GET", "/cases/{case_id}/correct"): frozenset({"family"}) | REVIEWERS,
    ("POST", "/cases/{case_id}/correct"): frozenset({"family"}) | REVIEWERS,
    ("GET", "/cases/{case_id}/photos"): frozenset({"family"}) | REVIEWERS,  # "Add photos": as the correction form
    ("POST", "/cases/{case_id}/photos"): frozenset({"family"}) | REVIEWERS,
    ("PATCH", "/api/cases/{case_id}"): TOKEN_ADMIN,  # API changes ignore cookies; a token that did not register it
    ("POST", "/moderation/corrections/{correction_id}"): REVIEWERS,
    ("POST", "/api/moderation/corrections/{correction_id}"): TOKEN_ADMIN,
}
# Writes whose harmless probe needs a record that does not exist (so an allowed caller changes nothing)
PROBE_MISSING = {"/cases/{case_id}/close", "/admin/tokens/{token_id}/revoke", "/api/tokens/{token_id}",
                 "/admin/tokens/{token_id}/withdraw-imports", "/api/tokens/{token_id}/withdraw-imports",
                 "/cases/{case_id}/notes/{note_id}/attach", "/api/cases/{case_id}/notes/{note_id}/attach",
                 "/sightings/{sighting_id}/child-face", "/api/sources/{source_id}/pause",
                 "/sightings/{sighting_id}/family-summary", "/api/sightings/{sighting_id}/family-summary",
                 "/cases/{case_id}/shared-description", "/api/cases/{case_id}/shared-description",
                 "/api/cases/{case_id}/shared-marks",
                 "/api/sources/{source_id}/resume", "/moderation/sources/{source_id}/{state}",
                 "/admin/accounts/{account_id}/disable", "/admin/accounts/{account_id}/enable",
                 "/admin/accounts/{account_id}/role", "/admin/invitations/{invitation_id}/withdraw",
                 "/api/accounts/{account_id}/disable", "/api/accounts/{account_id}/enable",
                 "/api/accounts/{account_id}/role", "/api/invitations/{invitation_id}"}


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, routers included; mounts are the static folders only."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        entries = list(contexts()) if contexts else [route]
        for entry in entries:
            if isinstance(route, Mount):
                assert route.path in {"/static", "/vendor/leaflet", "/vendor/markercluster"}, route.path
                continue
            assert isinstance(entry, APIRoute | Route) or hasattr(entry, "methods"), entry
            found |= {(m, entry.path) for m in entry.methods or () if m != "HEAD"}
    return found


def fill(path: str, values: dict[str, int | str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


RECORD_IDS = {"case_id", "sighting_id", "photo_id", "face_id", "candidate_id"}  # probed with records that exist


def denied(response: object, path: str = "") -> bool:
    """Refused: 401, 403, a redirect to sign in, or, probed with records that exist, 404 (a record the
    caller may not see answers exactly as one that does not exist)."""
    status = response.status_code  # type: ignore[attr-defined]
    location = response.headers.get("location", "")  # type: ignore[attr-defined]
    names = set(re.findall(r"\{(\w+)\}", path))
    hidden = status == 404 and path not in PROBE_MISSING and bool(RECORD_IDS & names)
    return status in (401, 403) or hidden or (status == 303 and location.startswith("/login"))


def probe(client: TestClient, method: str, path: str, world: w.World) -> object:
    values: dict[str, int | str] = {**world.ids(), "code": "en", "token": "not-an-invitation",
                                    "subscription_id": 1, "purpose": "unsubscribe", "verdict": "reject",
                                    "flag_id": 999_999, "receipt": "NONE-0000",
                                    "correction_id": 999_999, "copy_id": 999_999}
    if path == "/candidates/{candidate_id}/answer":
        values["candidate_id"] = world.confirmed
    if path in PROBE_MISSING:
        values |= {"case_id": 999_999, "token_id": 999_999, "sighting_id": 999_999, "source_id": 999_999,
                   "state": "pause", "account_id": 999_999, "invitation_id": 999_999, "note_id": 999_999}
    url = fill(path, values)
    if method == "GET":
        return client.get(url, follow_redirects=False)
    if url.startswith("/api/"):
        return client.request(method, url, json={} if method != "DELETE" else None, follow_redirects=False)
    page = client.get("/takedown").text  # a page's form carries the CSRF token bound to this session
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    return client.post(url, data={"csrf": csrf.group(1) if csrf else ""}, follow_redirects=False)


def test_every_route_has_a_rule(world: w.World) -> None:
    routes = app_routes(create_app(world.container))
    assert routes - RULES.keys() == set(), "routes without an access rule: add them to RULES"
    assert RULES.keys() - routes == set(), "rules for routes that no longer exist"


def readable_urls(world: w.World) -> Iterator[str]:
    """Every GET route with every record of the world in its path."""
    choices: dict[str, list[int | str]] = {
        "case_id": [world.case_a, world.case_b, world.case_unverified],
        "sighting_id": [world.sighting, world.pending],
        "photo_id": [world.photo_of_sighting, world.photo_of_case_a],
        "face_id": [world.child_face, world.bystander_face],
        "code": ["en"], "token": ["x"], "subscription_id": [1], "purpose": ["confirm"], "receipt": ["NONE-0000"],
        "candidate_id": [world.proposed, world.confirmed],
    }
    for method, path in RULES:
        if method != "GET" or path.startswith("/docs") or path == "/redoc":
            continue
        names = re.findall(r"\{(\w+)\}", path)
        for combo in itertools.product(*(choices[n] for n in names)):
            yield fill(path, dict(zip(names, combo, strict=True)))
    yield "/api/sightings?limit=200"
    yield f"/api/cases/{world.case_a}/candidates?status=proposed"


def leaks(world: w.World, who: str) -> list[str]:
    """Private values a principal's responses show that the policy says it may not see."""
    forbidden = [w.ORIGINAL_NAME]
    if who not in REVIEWERS:
        forbidden += [w.REPORTER_CONTACT, *w.EXACT_MARKS, w.EXACT_WORDS, w.FAMILY_B_CONTACT, w.FAMILY_B_HOME,
                      w.FAMILY_B_MARKS]
    if who not in REVIEWERS | {"family"}:
        forbidden += [w.FAMILY_A_CONTACT, w.POLICE_REPORT_A, w.FAMILY_A_HOME, w.FAMILY_A_MARKS]
    found = []
    with world.client(who) as client:
        for url in readable_urls(world):
            response = client.get(url, follow_redirects=False)
            kind = response.headers.get("content-type", "")
            if kind.startswith("image/") and not kind.startswith("image/svg"):  # photos; the icon is text
                image = Image.open(io.BytesIO(response.content))
                if len(image.getexif()) or image.info.get("exif") or b"Exif" in response.content[:4096]:
                    found.append(f"{url}: a photo with EXIF")
                continue
            found += [f"{url}: {value}" for value in forbidden if value in response.text]
    return found


@pytest.mark.parametrize("who", w.PRINCIPALS)
def test_nothing_private_leaks(world: w.World, who: str) -> None:
    assert leaks(world, who) == []


def test_the_leak_test_catches_a_leak(world: w.World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Proof that the walk would notice: skip the policy's redaction of sightings, and it fails."""
    monkeypatch.setattr(access, "sighting_view", lambda who, row: {**row, "place_precise": True})
    found = leaks(world, "family")
    assert any(w.REPORTER_CONTACT in f for f in found) and any("31.2345" in f for f in found)


def face_region(content: bytes, box: dict[str, int]) -> np.ndarray:
    pixels = np.asarray(Image.open(io.BytesIO(content)).convert("L"), dtype=float)
    return pixels[box["box_top"]:box["box_bottom"], box["box_left"]:box["box_right"]]


def test_bystanders_are_blurred_for_families_not_for_police(world: w.World) -> None:
    faces = {f["id"]: f for f in world.container.deps.read.sighting(world.sighting)["faces"]}
    url = f"/api/photos/{world.photo_of_sighting}"
    with world.client("family") as family, world.client("police") as police:
        shown, original = family.get(url).content, police.get(url).content
        assert family.get(f"/api/faces/{world.bystander_face}/crop").status_code == 404  # as a missing face
        assert family.get(f"/api/faces/{world.child_face}/crop").status_code == 200
    bystander, child = faces[world.bystander_face], faces[world.child_face]
    detail = lambda content, box: np.abs(np.diff(face_region(content, box), axis=1)).mean()  # noqa: E731
    assert detail(shown, bystander) < 0.35 * detail(original, bystander)  # the bystander's face is gone
    assert detail(shown, child) > 0.8 * detail(original, child)  # the child's face is intact


def test_families_see_places_to_about_a_kilometre_and_reads_are_audited(world: w.World) -> None:
    with world.client("family") as family, world.client("police") as police:
        coarse = family.get(f"/api/sightings/{world.sighting}").json()
        exact = police.get(f"/api/sightings/{world.sighting}").json()
    assert exact["lat"] == pytest.approx(w.EXACT_LAT) and exact["reporter_contact"] == w.REPORTER_CONTACT
    assert coarse["place_precise"] is False and coarse["reporter_contact"] is None
    assert 0 < abs(coarse["lat"] - w.EXACT_LAT) < 0.01 and abs(coarse["lon"] - w.EXACT_LON) < 0.01
    # the reporter's words about the place: to the city they name (Pudong is a part of Shanghai)
    assert exact["place_text"] == f"Pudong station, {w.EXACT_WORDS}" and coarse["place_text"] == "Shanghai"
    # and the reporter's free words, which name it too, are withheld (the page says so)
    assert w.EXACT_WORDS in exact["description"] and coarse["description"] == coarse["with_whom"] == ""
    with world.client("family") as family:
        assert "Read by moderators and police only" in family.get(f"/sightings/{world.sighting}").text
    with world.container.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT actor, detail->>'exact_place', detail->>'contact' FROM audit_log "
            "WHERE action = 'sighting.viewed' AND subject_id = %s ORDER BY id", (world.sighting,)).fetchall()
    assert {(r[1], r[2]) for r in rows} >= {("false", "false"), ("true", "true")}
    assert all(re.fullmatch(r"account:\d+|token:\d+", r[0]) for r in rows)


def test_a_familys_search_by_photo_reads_the_reporters_place_words_to_the_city(world: w.World) -> None:
    """Search by photo answers the place words as the sighting's own page does: the city for a family."""
    deps, shown = world.container.deps, {}
    for who in ("family", "police"):
        principal = from_session(deps, world.cookies[who])
        assert principal is not None
        hits = search.search_by_photo(deps, principal, portrait("collins", 0), 50, world.case_a)
        shown[who] = [h["place_text"] for h in hits if h["sighting_id"] == world.sighting]
    assert shown == {"family": ["Shanghai"], "police": [f"Pudong station, {w.EXACT_WORDS}"]}


def test_families_see_only_confirmed_candidates_and_pending_reports_stay_hidden(world: w.World) -> None:
    with world.client("family") as family, world.client("moderator") as moderator:
        mine = family.get(f"/api/cases/{world.case_a}/candidates").json()
        listed = {s["id"] for s in family.get("/api/sightings").json()["items"]}
        assert family.get(f"/api/sightings/{world.pending}").status_code == 404
        everything = {s["id"] for s in moderator.get("/api/sightings").json()["items"]}
    assert [c["status"] for c in mine] == ["confirmed"]
    assert world.pending not in listed and world.sighting in listed
    assert world.pending in everything


def test_what_depends_on_who_asks_is_kept_by_no_cache_but_static_files_are(world: w.World) -> None:
    """A police officer's page on a shared computer (an exact place, a family's phone number, a PFIF
    export, a photo) is not left in the browser's cache or a proxy's (attacker probe, finding 3)."""
    asked = {"police": [f"/sightings/{world.sighting}", f"/api/sightings/{world.sighting}", f"/cases/{world.case_a}",
                        f"/api/cases/{world.case_a}", f"/api/photos/{world.photo_of_sighting}"],
             "token_export": ["/api/pfif"], "family": [f"/api/faces/{world.child_face}/crop", "/"]}
    for who, paths in asked.items():
        with world.client(who) as client:
            for path in paths:
                response = client.get(path)
                assert response.status_code == 200, (who, path)
                assert response.headers["cache-control"] == "private, no-store", (who, path)
    with world.client("police") as police:
        asset = police.get("/static/app.css")
    assert asset.status_code == 200 and "no-store" not in asset.headers.get("cache-control", "")


def test_authorization_matrix(world: w.World) -> None:
    """Runs last: its probes are harmless, but they do touch the world (a signed-out session)."""
    wrong = []
    order = sorted(RULES, key=lambda rule: (rule == ("POST", "/logout"), rule))
    for who in w.PRINCIPALS:
        with world.client(who) as client:
            for method, path in order:
                response = probe(client, method, path, world)
                if denied(response, path) == (who in RULES[method, path]):
                    wrong.append(f"{method} {path} as {who}: {response.status_code}")  # type: ignore[attr-defined]
    assert not wrong, "\n".join(wrong)

"""Abuse resistance, sessions, moderation, removal, expiry and reunion through HTTP and the services."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reunite.adapters.clock import SystemClock
from reunite.bootstrap import Container
from reunite.domain.abuse import solve
from reunite.domain.access import Role
from reunite.domain.errors import InvalidInput
from reunite.entrypoints.api.app import create_app
from reunite.services import accounts, retention
from tests.conftest import count_rows, plain_photo, run_jobs, session_for
from tests.photos import face_jpeg

POLICE_FORM = {"given_name": "Lin", "sex": "female", "birth_date": "2000-01-01",
               "missing_since": "2002-06-01T08:00:00Z", "photo_dates": "2002-01-01"}


class Later(SystemClock):
    """The real clock, moved forward."""

    def __init__(self, by: timedelta) -> None:
        self.by = by

    def now(self) -> datetime:
        return super().now() + self.by


def anonymous_report(client: TestClient, seed: int, **form: Any) -> Any:
    files = [("photos", ("street.jpg", plain_photo(seed=seed), "image/jpeg"))]
    return client.post("/api/sightings", files=files, data=form)


def test_anonymous_reports_are_throttled_and_proof_of_work_lifts_the_limit(anonymous: TestClient) -> None:
    for seed in range(3):
        assert anonymous_report(anonymous, seed).status_code == 202
    refused = anonymous_report(anonymous, 3)
    assert refused.status_code == 429 and "sent from your network" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) > 1

    puzzle = anonymous.get("/api/pow").json()
    proof = {"pow_challenge": puzzle["challenge"], "pow_nonce": solve(puzzle["challenge"])}
    assert anonymous_report(anonymous, 4, **proof).status_code == 202
    used = anonymous_report(anonymous, 5, **proof)  # one puzzle buys one report
    assert used.status_code == 429 and "this puzzle was used already" in used.json()["detail"]
    assert "minutes" not in used.json()["detail"] and used.headers["retry-after"] == "1"
    forged = {"pow_challenge": puzzle["challenge"], "pow_nonce": "not-the-answer"}
    assert anonymous_report(anonymous, 6, **forged).status_code == 429


def test_pages_refuse_forms_without_their_csrf_token_and_send_security_headers(anonymous: TestClient) -> None:
    page = anonymous.get("/report")
    headers = page.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in headers  # plain HTTP here; sent on TLS
    assert "HttpOnly" in headers["set-cookie"] and "SameSite=strict" in headers["set-cookie"]
    files = [("photos", ("street.jpg", plain_photo(), "image/jpeg"))]
    assert anonymous.post("/report", files=files, data={"csrf": "forged"}).status_code == 403
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token and anonymous.post("/report", files=files, data={"csrf": token.group(1)}).status_code == 200
    assert anonymous.get("/", headers={"x-forwarded-proto": "https"}).status_code == 200


def test_sign_in_sign_out_and_wrong_passwords(anonymous: TestClient, container: Container) -> None:
    accounts.sign_up(container.deps, "mother@example.org", "a long enough password", "Mother")
    with pytest.raises(Exception, match="already exists"):
        accounts.sign_up(container.deps, "MOTHER@example.org", "another long password", "Someone")
    csrf = re.search(r'name="csrf" value="([^"]+)"', anonymous.get("/login").text).group(1)
    wrong = anonymous.post("/login", data={"csrf": csrf, "email": "mother@example.org", "password": "wrong one!"})
    assert wrong.status_code == 422 and "not right" in wrong.text
    signed = anonymous.post("/login", data={"csrf": csrf, "email": "mother@example.org",
                                            "password": "a long enough password", "next": "//evil.example"},
                            follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/account"  # no open redirect
    assert "HttpOnly" in signed.headers["set-cookie"]
    account = anonymous.get("/account")
    assert account.status_code == 200
    signed_in_csrf = re.search(r'name="csrf" value="([^"]+)"', account.text).group(1)
    assert signed_in_csrf != csrf  # forms are bound to the session now
    anonymous.post("/logout", data={"csrf": signed_in_csrf})
    assert anonymous.get("/account", follow_redirects=False).headers["location"].startswith("/login")
    with container.engine.connect() as conn:
        hashes = conn.exec_driver_sql("SELECT password_hash FROM accounts").scalars().all()
    assert all(h.startswith("$argon2id$") for h in hashes)


def test_invitations_make_moderators_once(container: Container) -> None:
    admin = accounts.from_session(container.deps, session_for(container, Role.ADMIN)[1])
    assert admin is not None
    token = accounts.invite(container.deps, admin, "volunteer@example.org", Role.MODERATOR)
    account_id = accounts.accept_invitation(container.deps, token, "volunteer password", "Volunteer")
    session = accounts.sign_in(container.deps, "volunteer@example.org", "volunteer password")
    moderator = accounts.from_session(container.deps, session)
    assert moderator is not None and moderator.role is Role.MODERATOR and moderator.account_id == account_id
    with pytest.raises(InvalidInput, match="not valid"):
        accounts.accept_invitation(container.deps, token, "volunteer password", "Again")
    with pytest.raises(Exception, match="may not"):
        accounts.invite(container.deps, moderator, "x@example.org", Role.ADMIN)


def test_takedown_leaves_a_placeholder_and_deletes_the_photos(client: TestClient, container: Container) -> None:
    files = [("photos", ("a.jpg", face_jpeg(), "image/jpeg"))]
    sighting = client.post("/api/sightings", files=files, data={"contact": "+86 139", "place_text": "Gate 3"})
    sighting_id = sighting.json()["id"]
    run_jobs(container)
    photo_dir = container.settings.photos_path()
    assert len(list(photo_dir.rglob("*.jpg"))) == 2  # the original and the face crop
    request = client.post("/api/takedowns", json={"subject": "sighting", "subject_id": sighting_id,
                                                   "requester": "me@example.org", "reason": "it is me"})
    assert request.status_code == 202
    decision = f"/api/takedowns/{request.json()['id']}/decision"
    assert client.post(decision, json={"approve": True, "evidence": ""}).status_code == 422
    assert client.post(decision, json={"approve": True, "evidence": "ID card seen by video call"}).status_code == 204
    left = client.get(f"/api/sightings/{sighting_id}")
    assert left.status_code == 404  # gone from every view
    with container.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT status, reporter_contact, place_text FROM sightings").one()
    assert tuple(row) == ("removed", "", "")
    assert count_rows(container, "photos") == 0 and not list(photo_dir.rglob("*.jpg"))
    assert client.post(decision, json={"approve": True, "evidence": "again"}).status_code == 204  # decided so already
    assert client.post(decision, json={"approve": False, "evidence": "not them"}).status_code == 409  # not undone
    assert client.post("/api/takedowns/999/decision", json={"approve": True, "evidence": "ID seen"}).status_code == 404


def test_expiry_blanks_old_sightings_and_long_closed_cases(client: TestClient, container: Container) -> None:
    def send() -> int:
        sent = client.post("/api/sightings", files=[("photos", ("a.jpg", plain_photo(), "image/jpeg"))],
                           data={"description": "boy in red"}, headers={"Idempotency-Key": "retry-me"})
        return int(sent.json()["id"])

    first = send()
    assert retention.expire(replace(container.deps, clock=Later(timedelta(days=1)))) == (0, 0)
    assert count_rows(container, "idempotency_keys") >= 1 and send() == first  # a retry still gets the first answer
    assert count_rows(container, "sightings") == 1
    shifted = replace(container.deps, clock=Later(container.deps.limits.sighting_retention + timedelta(days=1)))
    assert retention.expire(shifted) == (1, 0)
    assert count_rows(container, "idempotency_keys") == 0  # remembered answers do not pile up for ever
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT status, description FROM sightings").one() == ("expired", "")
    assert retention.expire(shifted) == (0, 0)


def test_reunion_needs_a_matching_verification_then_withdraws_the_poster(
    client: TestClient, container: Container
) -> None:
    files = [("photos", ("kid.jpg", face_jpeg(), "image/jpeg"))]
    case_id = client.post("/api/cases", files=files, data=POLICE_FORM).json()["id"]
    run_jobs(container)
    assert client.get(f"/p/{case_id}").status_code == 200
    close = f"/api/cases/{case_id}/close"
    refused = client.post(close, json={"reunited": True, "keep_data": True})
    assert refused.status_code == 422 and "verification that matched" in refused.json()["detail"]
    assert client.post(f"/api/cases/{case_id}/verifications",
                       json={"method": "dna", "result": "match", "notes": "lab 2026-11"}).status_code == 201
    assert client.post(close, json={"reunited": True, "keep_data": False}).status_code == 204
    assert "Found — thank you" in client.get(f"/p/{case_id}").text  # posters on walls say so
    assert client.get(f"/api/cases/{case_id}").json()["status"] == "reunited"
    assert count_rows(container, "photos") == 0 and count_rows(container, "faces") == 0
    assert retention.expire(container.deps) == (0, 0)  # closed today: kept until its retention ends


def test_moderators_dismiss_candidates_in_bulk_with_a_reason(client: TestClient, container: Container) -> None:
    files = [("photos", ("kid.jpg", face_jpeg(), "image/jpeg"))]
    client.post("/api/cases", files=files, data=POLICE_FORM)
    for name, data in (("a.jpg", face_jpeg(mirror=True)), ("b.jpg", face_jpeg(height=300))):
        client.post("/api/sightings", files=[("photos", (name, data, "image/jpeg"))],
                    data={"seen_at": "2008-06-01T10:00:00Z"})
    run_jobs(container)
    ids = [str(c["id"]) for c in client.get("/api/moderation/queues").json()["candidates"]]
    assert len(ids) == 2
    moderator = TestClient(create_app(container))
    moderator.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    csrf = re.search(r'name="csrf" value="([^"]+)"', moderator.get("/moderation").text)
    assert csrf
    refused = moderator.post("/moderation/candidates", data={"csrf": csrf.group(1), "ids": ids})
    assert refused.status_code == 422 and "say why" in refused.text
    done = moderator.post("/moderation/candidates", data={"csrf": csrf.group(1), "ids": ids, "reason": "other child"},
                          follow_redirects=False)
    assert done.status_code == 303
    with container.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT status, review_reason FROM candidates").fetchall()
    assert {tuple(r) for r in rows} == {("dismissed", "other child")}

"""The audit log the privacy page promises "police and admins can check" (probe s12, finding F18): an admin
or a police officer reads it on /audit, from GET /api/audit and with ``reunite audit``, filtered by who,
which record, which action and when, newest first, a page at a time; nobody else can; every reading is
itself written to the log; a question by record or by actor is answered from an index."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from reunite.adapters.db.audit import audit_sql
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR
from reunite.domain.audit import AuditQuery
from reunite.entrypoints.cli import app as cli
from reunite.services import queries
from reunite.services.accounts import from_session
from tests.e2e import world as w


def actor_of(world: w.World, who: str) -> str:
    found = from_session(world.container.deps, world.cookies[who])
    assert found is not None
    return found.actor


def email_of(world: w.World, who: str) -> str:
    with world.container.engine.connect() as conn:
        return str(conn.execute(text("SELECT email FROM accounts WHERE id = :id"),
                                {"id": int(actor_of(world, who).split(":")[1])}).scalar_one())


def entries(world: w.World, who: str, **asked: Any) -> list[dict[str, Any]]:
    with world.client(who) as client:
        answer = client.get("/api/audit", params=asked)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def test_an_admin_finds_who_opened_a_sightings_exact_place(world: w.World) -> None:
    with world.client("police") as police, world.client("family") as family:
        assert police.get(f"/sightings/{world.sighting}").status_code == 200
        assert family.get(f"/sightings/{world.sighting}").status_code == 200
    views = entries(world, "admin", subject="sighting", subject_id=world.sighting, action="sighting.viewed")
    by = {e["actor"]: e for e in views}
    police, family = by[actor_of(world, "police")], by[actor_of(world, "family")]
    assert police["detail"]["exact_place"] is True and police["detail"]["contact"] is True
    assert family["detail"]["exact_place"] is False and family["detail"]["contact"] is False
    assert police["actor_named"].startswith(email_of(world, "police")) and police["actor_role"] == "police"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", police["at"])  # ISO 8601, offset
    assert {e["subject_id"] for e in views} == {world.sighting}
    assert [e["id"] for e in views] == sorted((e["id"] for e in views), reverse=True)  # newest first

    with world.client("admin") as admin:  # the page says the same, in the reader's zone, zone named
        page = admin.get("/audit", params={"subject": f"sighting:{world.sighting}", "action": "sighting.viewed"})
    assert page.status_code == 200
    entry = re.search(rf'<li id="entry-{police["id"]}">.*?</li>', page.text, re.S)
    assert entry and email_of(world, "police") in entry.group(0) and "sighting.viewed" in entry.group(0)
    assert '"exact_place": true' in html.unescape(entry.group(0))
    assert "China Standard Time" in entry.group(0)


def test_a_listing_that_showed_the_sighting_is_found_by_the_sighting_too(world: w.World) -> None:
    with world.client("moderator") as moderator:
        assert moderator.get("/api/sightings").status_code == 200
    found = entries(world, "police", subject="sighting", subject_id=world.sighting, action="sightings.listed",
                    actor=email_of(world, "moderator"))
    assert found and world.sighting in found[0]["detail"]["ids"] and found[0]["detail"]["exact_places"] is True


def test_every_read_that_showed_the_sighting_is_found_by_it_in_the_same_form_everywhere(world: w.World) -> None:
    """Probe s13 F12: "who saw sighting N" missed the family's candidate listings (filed under the case, with
    candidate ids) and the moderators' queues; the API refused ``subject=sighting:N``, which the page and
    ``reunite audit`` take; ``account:03`` found nothing."""
    family, moderator = actor_of(world, "family"), actor_of(world, "moderator")
    with world.client("family") as client:
        listed = client.get(f"/api/cases/{world.case_a}/candidates").json()
    assert world.sighting in {c["sighting_id"] for c in listed}
    with world.client("moderator") as client:  # the queues: the pending report, and the request to remove it
        assert client.get("/moderation").status_code == 200
    with world.container.engine.begin() as conn:  # a listing written before the sightings' ids were recorded
        conn.execute(text("INSERT INTO audit_log (actor, action, subject, subject_id, detail) VALUES "
                          "('account:999999', 'candidates.viewed', 'case', :case, jsonb_build_object('ids', "
                          "jsonb_build_array(:candidate)))"), {"case": world.case_a, "candidate": world.confirmed})
    seen = entries(world, "admin", subject=f"sighting:{world.sighting}", action="candidates.viewed")
    assert {(e["actor"], e["subject"], e["subject_id"]) for e in seen} >= {
        (family, "case", world.case_a), ("account:999999", "case", world.case_a)}
    assert seen == entries(world, "admin", subject="sighting", subject_id=world.sighting, action="candidates.viewed")
    assert all(e["subject"] != "case" or e["subject_id"] == world.case_a for e in seen)
    queues = entries(world, "police", subject=f"sighting:{world.pending}", actor=moderator, action="queues.")
    assert queues and world.pending in queues[0]["detail"]["sightings"]
    assert entries(world, "police", subject=f"sighting:{10**12}", action="candidates.") == []
    padded = "account:" + "0" + family.split(":")[1]
    assert entries(world, "admin", actor=padded, action="candidates.viewed")[0]["actor"] == family
    with world.client("admin") as admin:
        both = admin.get("/api/audit", params={"subject": f"sighting:{world.sighting}", "subject_id": world.pending})
    assert both.status_code == 422 and "subject_id" in both.text


def test_who_saw_a_sightings_exact_place_finds_police_lists_and_trails_whatever_became_of_its_group(
    world: w.World
) -> None:
    """Probe s14 F6: police listed sighting N (API and page) and read it in another report's trail; "who saw
    N" must find each read, also once N has left that trail (a moderator split a wrong group)."""
    police = actor_of(world, "police")
    with world.container.engine.begin() as conn:
        other = int(conn.execute(text("SELECT max(id) FROM sightings WHERE id NOT IN (:a, :b)"),
                                 {"a": world.sighting, "b": world.pending}).scalar_one())
        group = int(conn.execute(text("INSERT INTO sighting_groups DEFAULT VALUES RETURNING id")).scalar_one())
        conn.execute(text("UPDATE sightings SET group_id = :g, status = 'approved' WHERE id IN (:a, :b)"),
                     {"g": group, "a": world.sighting, "b": other})
    with world.client("police") as client:
        trail = client.get(f"/api/sightings/{other}").json()["trail"]
        assert world.sighting in [t["id"] for t in trail] and any(str(w.EXACT_LAT)[:7] in str(t) for t in trail)
        assert world.sighting in [s["id"] for s in client.get("/api/sightings").json()["items"]]
        assert client.get("/sightings").status_code == 200  # the page's list, exact places for police
    with world.container.engine.begin() as conn:  # the report leaves the trail it was read in
        conn.execute(text("UPDATE sightings SET group_id = NULL WHERE id = :a"), {"a": world.sighting})
    seen = entries(world, "admin", subject=f"sighting:{world.sighting}", actor=police)
    assert len([e for e in seen if e["action"] == "sightings.listed"]) == 2  # the API's list and the page's
    read_in_trail = [e for e in seen if e["action"] == "sighting.viewed"]
    assert read_in_trail and all(e["detail"]["exact_place"] for e in read_in_trail)
    assert {e["subject_id"] for e in read_in_trail} == {world.sighting}  # filed under the sighting it showed
    assert read_in_trail[0]["detail"]["via"] == "trail" and read_in_trail[0]["detail"]["of"] == other


def test_a_case_listing_that_showed_the_sighting_is_found_after_the_proposal_is_withdrawn(world: w.World) -> None:
    """Probe s14 F6 variation: a proposal withdrawn (the sighting matched again) or trimmed leaves no candidate
    row; police who listed the case's candidates with that sighting's exact place are still found."""
    police = actor_of(world, "police")
    with world.container.engine.connect() as conn:
        sighting = int(conn.execute(text("SELECT sighting_id FROM candidates WHERE id = :id"),
                                    {"id": world.proposed}).scalar_one())
    with world.client("police") as client:
        listed = client.get(f"/api/cases/{world.case_b}/candidates").json()
    assert sighting in {c["sighting_id"] for c in listed}
    with world.container.engine.begin() as conn:
        conn.execute(text("DELETE FROM candidates WHERE id = :id"), {"id": world.proposed})
    seen = entries(world, "admin", subject=f"sighting:{sighting}", actor=police, action="candidates.viewed")
    assert [e["subject_id"] for e in seen if e["subject"] == "case"] == [world.case_b]


@pytest.mark.parametrize("who", ["admin", "police", "token_admin"])
def test_admins_police_and_an_admin_token_read_it(world: w.World, who: str) -> None:
    with world.client(who) as client:
        assert client.get("/api/audit").status_code == 200
        assert client.get("/audit").status_code == 200


@pytest.mark.parametrize("who", ["moderator", "family", "reporter", "token_read_cases", "token_read_sightings",
                                 "token_export"])
def test_moderators_families_reporters_and_partners_cannot(world: w.World, who: str) -> None:
    with world.client(who) as client:
        api, page = client.get("/api/audit"), client.get("/audit")
    assert api.status_code == 403 and page.status_code == 403
    assert "audit" in api.json()["detail"]
    assert 'href="/audit"' not in page.text


def test_anonymous_is_asked_to_sign_in(world: w.World) -> None:
    with world.client("anonymous") as client:
        assert client.get("/api/audit").status_code == 401
        assert client.get("/audit", follow_redirects=False).headers["location"].startswith("/login")


def test_reading_the_log_is_written_to_the_log(world: w.World) -> None:
    entries(world, "police", subject="case", subject_id=world.case_a, action="case.")
    mine = entries(world, "admin", actor=actor_of(world, "police"), action="audit.viewed")
    assert mine[0]["detail"]["query"] == {"subject": "case", "subject_id": world.case_a, "action": "case."}
    assert mine[0]["subject"] == "audit"


def test_filters_by_actor_action_time_and_pages(world: w.World) -> None:
    police = actor_of(world, "police")
    by_email = entries(world, "admin", actor=email_of(world, "police"))
    assert by_email and {e["actor"] for e in by_email} == {police}
    assert {e["actor"] for e in entries(world, "admin", actor=police)} == {police}
    actions = entries(world, "admin", action="sighting.")
    assert actions and all(e["action"].startswith("sighting.") for e in actions)
    assert entries(world, "admin", since="2099-01-01T00:00+08:00") == []
    assert entries(world, "admin", until="2000-01-01T00:00Z") == []
    first = entries(world, "admin", action="case.", limit=1)
    with world.client("admin") as admin:
        page = admin.get("/api/audit", params={"action": "case.", "limit": 1}).json()
        older = admin.get("/api/audit", params={"action": "case.", "limit": 1, "before": page["next_before"]}).json()
        everything = admin.get("/api/audit", params={"action": "case.", "limit": 200}).json()["items"]
    assert page["items"][0]["id"] == first[0]["id"] and older["items"][0]["id"] == everything[1]["id"]
    assert everything[0]["id"] == first[0]["id"]


def test_a_question_that_cannot_be_read_is_named_not_guessed(world: w.World) -> None:
    with world.client("admin") as admin:
        naive = admin.get("/api/audit", params={"since": "2026-12-01T10:00"})
        backwards = admin.get("/api/audit", params={"since": "2026-12-02T00:00Z", "until": "2026-12-01T00:00Z"})
        too_many = admin.get("/api/audit", params={"limit": 5000})
        page = admin.get("/audit", params={"from": "2026-12-02", "to": "2026-12-01"},
                         headers={"Accept-Language": "zh-CN"})
    assert naive.status_code == 422 and "since" in naive.text
    assert backwards.status_code == 422 and "before its start" in backwards.text
    assert too_many.status_code == 422
    assert page.status_code == 422 and "时间范围的结束早于开始" in page.text


def test_the_page_speaks_chinese(world: w.World) -> None:
    with world.client("police") as police:
        page = police.get("/audit", headers={"Accept-Language": "zh-CN"}).text
        moderation = police.get("/moderation", headers={"Accept-Language": "zh-CN"}).text
    assert "<h1>审计日志</h1>" in page and "中国标准时间" in page and "日期和时间按" in page
    assert 'href="/audit"' in moderation and "审计日志：谁查看了什么" in moderation
    with world.client("admin") as admin:
        assert 'href="/audit"' in admin.get("/admin").text


def test_the_command_line_reads_it_and_is_audited(container: Container, cli_env: CliRunner) -> None:
    queries.admin_lists(container.deps, OPERATOR)  # writes admin.viewed
    shown = cli_env.invoke(cli, ["audit", "--action", "admin."])
    assert shown.exit_code == 0, shown.output
    line = next(line for line in shown.stdout.splitlines() if "\tadmin.viewed\t" in line)
    assert re.search(r"\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00\toperator\t", line)
    assert "times in Asia/Shanghai" in shown.stderr
    audited = cli_env.invoke(cli, ["audit", "--action", "audit.viewed", "--json"])
    last = json.loads(audited.stdout.splitlines()[0])
    assert last["actor"] == "operator" and last["detail"]["query"] == {"action": "admin."}
    refused = cli_env.invoke(cli, ["audit", "--subject", "sighting:twelve"])
    assert refused.exit_code == 2 and "sighting:12" in refused.output


def test_questions_by_record_and_by_actor_are_read_from_an_index(container: Container) -> None:
    """On a log of 200,000 entries, the planner reads the entries asked for from an index, never the table."""
    with container.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO audit_log (at, actor, action, subject, subject_id, detail) SELECT "
            "now() - make_interval(secs => g), 'account:' || (g % 500), "
            "CASE WHEN g % 3 = 0 THEN 'sightings.listed' ELSE 'sighting.viewed' END, 'sighting', g % 20000, "
            "CASE WHEN g % 3 = 0 THEN jsonb_build_object('ids', jsonb_build_array(g % 20000, (g + 1) % 20000)) "
            "ELSE '{}'::jsonb END FROM generate_series(1, 200000) g"))
        conn.execute(text("ANALYZE audit_log"))
    asked = {"ix_audit_log_actor_at": AuditQuery(actor="account:42"),
             "ix_audit_log_subject_at": AuditQuery(subject="sighting", subject_id=1234),
             "ix_audit_log_listed_ids": AuditQuery(subject="sighting", subject_id=1234, action="sighting"),
             "ix_audit_log_at": AuditQuery(action="sighting.viewed")}
    with container.engine.connect() as conn:
        for index, query in asked.items():
            sql, params = audit_sql(query)
            plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN " + sql), params))
            assert "Seq Scan on audit_log" not in plan and index in plan, (index, plan)


def test_an_admins_own_token_is_not_taken_for_a_partner_in_the_log(world: w.World) -> None:
    with world.client("token_admin") as admin_token, world.client("token_read_sightings") as partner:
        assert admin_token.get(f"/api/sightings/{world.sighting}").status_code == 200
        assert partner.get(f"/api/sightings/{world.sighting}").status_code == 200
    views = entries(world, "admin", subject="sighting", subject_id=world.sighting, action="sighting.viewed")
    roles = {e["actor_named"]: e["actor_role"] for e in views if e["actor"].startswith("token:")}
    assert roles == {"token_admin": "admin token", "token_read_sightings": "partner"}

"""A family registering a case and a caseworker closing it, through the pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.entrypoints.api.app import create_app
from reunite.i18n import Language
from tests.conftest import count_rows, plain_photo, run_jobs, session_for
from tests.photos import portrait

CASE_FORM = {"given_name": "浩然", "family_name": "王", "birth_date": "2018-03-01",
             "missing_since": "2026-06-01T17:30", "tz": "Asia/Shanghai",
             "description": "Red jacket, 110 cm, a blue backpack", "police_report": "PR-1"}


def as_role(container: Container, role: Role) -> TestClient:
    client = TestClient(create_app(container))
    client.cookies.set("reunite_session", session_for(container, role)[1])
    return client


def csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def register(family: TestClient, **extra: str) -> TestClient | int:
    files = [("photos", ("kid.jpg", plain_photo(), "image/jpeg"))]
    return family.post("/cases/new", files=files, data=CASE_FORM | {"csrf": csrf(family, "/cases/new")} | extra,
                       follow_redirects=False)


def test_registration_asks_for_the_sex_and_shows_the_case_back_coherently(container: Container) -> None:
    family = as_role(container, Role.FAMILY)
    form = family.get("/cases/new").text
    assert re.search(r'<select name="sex" id="sex" required>\s*<option value="" disabled selected>', form)  # no default
    refused = register(family)
    assert refused.status_code == 422 and "choose the child" in refused.text
    assert count_rows(container, "cases") == 0

    sent = register(family, sex="unknown")
    assert sent.status_code == 303
    page = family.get(sent.headers["location"]).text
    assert "<h1>王浩然</h1>" in page  # family name first, as Chinese names are written
    assert "Red jacket, 110 cm, a blue backpack" in page  # what the family typed, shown back
    banner = re.findall(r'id="case-state"', page)
    assert len(banner) == 1 and "Matching starts once the case is verified" in page
    assert "being compared" not in page
    assert "this page changes as soon as that is done" in page  # too few verified cases to quote a median

    case_id = int(sent.headers["location"].split("/")[2].split("?")[0])
    police = as_role(container, Role.POLICE)
    verified = police.post(f"/cases/{case_id}/verify",
                           data={"csrf": csrf(police, f"/cases/{case_id}"), "evidence": "called the station"})
    assert verified.status_code == 200
    page = family.get(f"/cases/{case_id}").text
    assert f'href="/p/{case_id}"' in page and "Poster to print and share" in page
    assert "Matching starts once" not in page


def test_closing_a_case_asks_to_confirm_and_the_poster_then_says_found(container: Container) -> None:
    admin = as_role(container, Role.ADMIN)
    files = [("photos", ("kid.jpg", portrait(), "image/jpeg"))]
    token = csrf(admin, "/cases/new")
    sent = admin.post("/cases/new", files=files, data=CASE_FORM | {"csrf": token, "sex": "male",
                                                                    "birth_date": "2000-01-01",
                                                                    "missing_since": "2002-06-01T08:00"},
                      follow_redirects=False)
    case_id = int(sent.headers["location"].split("/")[2].split("?")[0])
    admin.post(f"/cases/{case_id}/verify", data={"csrf": token, "evidence": "police report seen"})
    sighting = [("photos", ("s.jpg", portrait("collins", 1), "image/jpeg"))]
    admin.post("/report", files=sighting, data={"csrf": token, "seen_at": "2005-06-01T10:00", "tz": "Asia/Shanghai"})
    run_jobs(container)
    page = admin.get(f"/cases/{case_id}").text
    candidate = re.search(r'id="candidate-(\d+)"', page)
    assert candidate
    admin.post(f"/candidates/{candidate.group(1)}/review", data={"csrf": token, "decision": "confirm",
                                                                 "case_id": str(case_id)})
    page = admin.get(f"/cases/{case_id}").text
    record = page[page.index(f'action="/cases/{case_id}/verifications"'):]
    record = record[:record.index("</form>")]
    assert not re.search(r"<option[^>]*\bselected", record)  # never "DNA · Matched" unless chosen
    for chosen in ({"method": "dna"}, {"result": "match"}):  # a note alone records nothing
        unchosen = admin.post(f"/cases/{case_id}/verifications", data={"csrf": token, "notes": "called"} | chosen)
        assert unchosen.status_code == 422 and "choose" in unchosen.text
    assert " · called" not in admin.get(f"/cases/{case_id}").text  # nothing recorded
    admin.post(f"/cases/{case_id}/verifications", data={"csrf": token, "method": "dna", "result": "match"})

    form = admin.get(f"/cases/{case_id}").text
    close_form = form[form.index(f'action="/cases/{case_id}/close"'):]
    close_form = close_form[:close_form.index("</form>")]
    assert not re.search(r"<input[^>]*\bchecked", close_form)  # nothing chosen for the caseworker
    assert 'name="confirm"' in close_form

    close = f"/cases/{case_id}/close"
    unconfirmed = admin.post(close, data={"csrf": token, "outcome": "reunited", "keep_data": "no"})
    assert unconfirmed.status_code == 422 and "tick the box" in unconfirmed.text
    unchosen = admin.post(close, data={"csrf": token, "outcome": "reunited", "confirm": "yes"})
    assert unchosen.status_code == 422 and "keep or delete" in unchosen.text
    assert admin.get(f"/api/cases/{case_id}").json()["status"] == "open"

    done = admin.post(close, data={"csrf": token, "outcome": "reunited", "keep_data": "no", "confirm": "yes"})
    assert done.status_code == 200
    assert count_rows(container, "photos") == 1  # the family's photo is gone; the sighting's stays
    poster = TestClient(create_app(container)).get(f"/p/{case_id}")
    assert poster.status_code == 200 and "Found — thank you" in poster.text
    assert "浩然" not in poster.text  # the poster no longer names the child
    page = admin.get(f"/cases/{case_id}").text
    assert "Found and reunited" in page
    assert f'id="candidate-{candidate.group(1)}"' in page  # the confirmed lead stays in the history
    assert "photos were deleted when the case closed" in page
    assert TestClient(create_app(container)).get("/p/999").status_code == 404


def test_police_get_the_exact_place_as_map_links_a_phone_to_tap_and_each_answer_apart(
    anonymous: TestClient, container: Container
) -> None:
    files = [("photos", ("street.jpg", plain_photo(), "image/jpeg"))]
    form = {"csrf": csrf(anonymous, "/report"), "seen_at": "2026-06-01T17:30", "tz": "Asia/Shanghai",
            "lat": "31.2345678",
            "lon": "121.4567891", "sex": "female", "doing": "crying at the bus stop", "with": "a tall man in grey",
            "contact": "Wang, 138 0013 8000 or wang@example.org"}
    assert anonymous.post("/report", files=files, data=form).status_code == 200
    with container.engine.connect() as conn:
        sighting = int(conn.exec_driver_sql("SELECT id FROM sightings").scalar_one())
    page = as_role(container, Role.POLICE).get(f"/sightings/{sighting}").text
    assert 'href="geo:31.234568,121.456789?q=31.234568,121.456789"' in page
    assert "https://www.openstreetmap.org/?mlat=31.234568&amp;mlon=121.456789" in page
    assert "openstreetmap.org/directions?route=%3B31.234568%2C121.456789" in page
    assert 'href="tel:13800138000"' in page and 'href="mailto:wang@example.org"' in page
    assert re.search(r"What the child was doing</dt><dd[^>]*>crying at the bus stop</dd>", page)
    assert re.search(r"Who was with the child</dt><dd[^>]*>a tall man in grey</dd>", page)
    assert re.search(r"Sex, as the reporter saw it</dt><dd>Girl</dd>", page)

    moderation = as_role(container, Role.MODERATOR)
    moderation.post("/moderation/sightings", data={"csrf": csrf(moderation, "/moderation"), "ids": str(sighting),
                                                   "action": "approve"})
    family = as_role(container, Role.FAMILY).get(f"/sightings/{sighting}")
    assert "geo:" not in family.text and "tel:" not in family.text  # exact places and contacts stay with police


def test_without_smtp_nobody_is_promised_an_email_and_invitations_say_who_for(
    anonymous: TestClient, container: Container
) -> None:
    assert not container.deps.mailer.configured  # tests run without REUNITE_SMTP_HOST
    alerts = anonymous.get("/subscribe").text
    assert "email alerts are off" in alerts and 'action="/subscribe"' not in alerts
    assert 'href="/feeds/cases.atom"' in alerts  # what to do instead
    refused = anonymous.post("/api/subscriptions", json={"address": "n@example.org", "region": "Wuhan"})
    assert refused.status_code == 422 and "cannot send email" in refused.json()["detail"]

    family = as_role(container, Role.FAMILY)
    sent = register(family, sex="female")
    assert 'id="mail-off"' in family.get(sent.headers["location"]).text  # news shows on the case page

    admin = as_role(container, Role.ADMIN)
    page = admin.get("/admin").text
    assert 'id="mail-off"' in page and "REUNITE_SMTP_HOST is not set" in page
    made = admin.post("/admin/invitations", data={"csrf": csrf(admin, "/admin"), "email": "officer@example.org",
                                                  "role": "police"}).text
    assert "Invitation for officer@example.org as police" in made
    link = re.search(r'id="shown">[^<]*(/invite/[^<\s]+)<', made)
    assert link
    invited = TestClient(create_app(container))
    form = invited.get(link.group(1)).text
    assert "You are invited as police with the email officer@example.org" in form
    accepted = invited.post(link.group(1), data={"csrf": csrf(invited, link.group(1)), "name": "Officer Li",
                                                 "password": "correct horse battery"})
    assert accepted.status_code == 200 and "Your account is created and you are signed in." in accepted.text
    assert invited.get(link.group(1)).status_code == 422  # used: it says so rather than inviting again


def test_without_smtp_sign_up_and_reset_say_how_else_and_promise_no_email(
    anonymous: TestClient, container: Container
) -> None:
    """No form that leads nowhere, no "a message is on its way": the pages say whom to ask instead, in
    the reader's language, and answer the same for an address with an account and one without."""
    assert not container.deps.mailer.configured
    for path in ("/signup", "/reset"):
        page = anonymous.get(path).text
        assert 'id="mail-off"' in page and 'type="email"' not in page and "ask the people who run this site" in page
        answers = set()
        for email in ("admin@example.org", "nobody@example.org"):
            sent = anonymous.post(path, data={"csrf": csrf(anonymous, "/login"), "email": email})
            assert sent.status_code == 200 and "on its way" not in sent.text and 'id="mail-off"' in sent.text
            answers.add(re.sub(r'name="(csrf|idempotency_key)" value="[^"]*"', "", sent.text))
        assert len(answers) == 1
        chinese = anonymous.get(path, headers={"Accept-Language": "zh-CN"}).text
        assert "本站无法发送电子邮件" in chinese and "请联系本站的管理人员" in chinese
    assert "reunite create-account" in anonymous.get("/signup").text


def test_approving_reports_keeps_no_reason_and_a_rejections_reason_reads_in_the_readers_language(
    anonymous: TestClient, container: Container
) -> None:
    """"Approve all shown" sits beside the list of reasons to reject: the approved report says only
    "Approved", nothing of "not relevant"; a rejection's reason reads in Chinese to a Chinese reviewer."""
    sent = [anonymous.post("/api/sightings", files=[("photos", ("s.jpg", plain_photo(seed=n), "image/jpeg"))],
                           data={"seen_at": "2026-06-01T10:00:00Z"}).json()["id"] for n in range(2)]
    run_jobs(container)
    moderator = as_role(container, Role.MODERATOR)
    token = csrf(moderator, "/moderation/reports")
    approved = moderator.post("/moderation/reports/approve", follow_redirects=False,
                              data={"csrf": token, "reason": "1", "scope": "all", "all": str(sent[0])})
    assert approved.status_code == 303
    rejected = moderator.post("/moderation/reports/reject", follow_redirects=False,
                              data={"csrf": token, "reason": "1", "one": str(sent[1])})
    assert rejected.status_code == 303
    page = moderator.get(f"/sightings/{sent[0]}").text
    assert "<p class=\"ok\">approved</p>" in page and "not relevant" not in page
    with container.engine.connect() as conn:
        reasons = dict(conn.exec_driver_sql("SELECT id, moderation_reason FROM sightings WHERE id = ANY(%s)",
                                            (sent,)).all())
        audited = conn.exec_driver_sql("SELECT detail::text FROM audit_log WHERE action = 'sighting.approved' "
                                       "AND subject_id = %s", (sent[0],)).scalar_one()
    assert not reasons[sent[0]] and "not relevant" not in audited
    chinese = moderator.get(f"/sightings/{sent[1]}", headers={"Accept-Language": "zh-CN"}).text
    assert Language("zh_CN").gettext("not relevant") in chinese and "not relevant" not in chinese

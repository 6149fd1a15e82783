"""Probe s20 T2: a family's description of the child ("height, build, clothes when last seen") often says
where the child lives ("home is 漕溪北路595号"). It reaches partners' tokens, webhooks, exports, alerts,
feeds and the poster only as a moderator approved it for sharing, never as the family wrote it; the
family, police and moderators read the family's own words, and the form tells the family so. The
distinguishing marks, the family's other free words, are read by the same rule."""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.model import GeoPoint, NewCase, Sex, Upload
from reunite.services import intake, moderation, pfif, reach
from reunite.services.accounts import from_session, issue_token
from tests.conftest import plain_photo, run_jobs_settled, session_for
from tests.e2e.test_case_removal import removed_for_good
from tests.e2e.test_probe_places import client

HOME = "home is 漕溪北路595号"  # the family's words: where the child lives
WORDS = f"{HOME}; 1.2 m tall, thin, red padded coat"
PRIVATE = ("漕溪", "595号", "home is")  # what no reader without exact places may read, in any form
SHARED = "About 1.2 m tall, thin, red padded coat"
XUHUI = GeoPoint(31.187654, 121.436789)


class Hooks:
    """A partner's webhook endpoint: every payload delivered, kept."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def check(self, url: str) -> None:
        return None

    def post(self, url: str, secret: str, timestamp: str, payload: dict[str, Any]) -> None:
        self.sent.append(payload)


def registered(container: Container, marks: str = "") -> tuple[TestClient, int]:
    """A family's signed-in client and its case, waiting for verification."""
    _, cookie = session_for(container, Role.REPORTER)
    who = from_session(container.deps, cookie)
    assert who is not None
    case = NewCase(given_name="Xiaoyu", family_name="Wang", sex=Sex.FEMALE, birth_date=date(2019, 4, 1),
                   missing_since=datetime.now(UTC) - timedelta(hours=2), last_seen_place=XUHUI,
                   last_seen_text="上海市徐汇区漕溪北路 595 号 3 栋 201 室", description=WORDS, marks=marks,
                   family_contact="+86 139 1234 5678")
    case_id = intake.register_case(container.deps, who, case, [Upload(plain_photo(seed=5), "c.jpg")], [None]).case_id
    return client(container, cookie), case_id


def everything_a_partner_reads(container: Container, case_id: int, hooks: Hooks) -> dict[str, str]:
    """What a partner's read:cases, export and webhooks tokens and the public read of the case, by channel."""
    def token(scope: Scope) -> TestClient:
        return client(container, bearer=issue_token(container.deps, OPERATOR, scope.value, [scope]))

    anonymous = client(container)
    pdf = anonymous.get(f"/p/{case_id}/poster.pdf")
    assert pdf.status_code == 200
    exporter = token(Scope.EXPORT)
    read = {"api": token(Scope.READ_CASES).get(f"/api/cases/{case_id}").text, "pfif": exporter.get("/api/pfif").text,
            "csv": exporter.get("/api/cases.csv").text, "poster": anonymous.get(f"/p/{case_id}?lang=en").text,
            "poster_zh": anonymous.get(f"/p/{case_id}", params={"lang": "zh_CN"}).text,
            "feed": anonymous.get("/feeds/cases.atom").text,
            "pdf": PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text(),
            "webhook": json.dumps(hooks.sent[-1], ensure_ascii=False)}
    return {channel: html.unescape(text) for channel, text in read.items()}


def leaked(read: dict[str, str]) -> list[str]:
    return [f"{channel}: {word}" for channel, text in read.items() for word in PRIVATE if word in text]


def test_the_familys_words_never_leave_and_the_reviewed_text_does(container: Container) -> None:
    hooks = Hooks()
    container.deps = replace(container.deps, webhooks=hooks)
    desk = client(container, bearer=issue_token(container.deps, OPERATOR, "moderation desk", [Scope.ADMIN]))
    partner = client(container, bearer=issue_token(container.deps, OPERATOR, "ngo", [Scope.WEBHOOKS]))
    assert partner.post("/api/subscriptions", json={"channel": "webhook", "address": "https://ngo.example/hook",
                                                    "region": "Shanghai"}).status_code == 201
    family, case_id = registered(container)
    verified = desk.post(f"/api/cases/{case_id}/verify", json={"evidence": "police report SH-2026-118 checked"})
    assert verified.status_code == 204
    run_jobs_settled(container)
    assert len(hooks.sent) == 1  # the alert went out: without a word of the description

    # nothing approved yet: every partner and the public read no description at all, and are told one is withheld
    assert leaked(everything_a_partner_reads(container, case_id, hooks)) == []
    assert hooks.sent[0]["case"]["description"] == ""
    shown = client(container, bearer=issue_token(container.deps, OPERATOR, "registry", [Scope.READ_CASES])).get(
        f"/api/cases/{case_id}").json()
    assert shown["description"] == "" and shown["description_withheld"] is True
    assert shown["shared_description"] is None
    # the family and reviewers read the family's words, and what is shared (nothing yet)
    for reader in (family, desk):
        mine = reader.get(f"/api/cases/{case_id}").json()
        assert (mine["description"], mine["shared_description"], mine["description_withheld"]) == (WORDS, "", False)
    assert "Nothing yet: a moderator reads the description first" in family.get(f"/cases/{case_id}?lang=en").text

    # a text repeating where the family said the child was last seen is refused, naming it, in the reader's language
    repeated = desk.put(f"/api/cases/{case_id}/shared-description", json={"shared_description": HOME})
    assert repeated.status_code == 422 and repeated.json()["field"] == "shared_description"
    assert "repeat where the family said the child was last seen" in repeated.json()["detail"]
    chinese = desk.put(f"/api/cases/{case_id}/shared-description", json={"shared_description": "家在漕溪北路"},
                       headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and "漕溪" in chinese.json()["detail"] and "家属" in chinese.json()["detail"]
    contact = desk.put(f"/api/cases/{case_id}/shared-description",
                       json={"shared_description": "red coat; call 13912345678"})
    assert contact.status_code == 422 and "contact" in contact.json()["detail"]
    # nor may anyone but police and moderators approve one
    for scope in (Scope.READ_CASES, Scope.WEBHOOKS, Scope.EXPORT, Scope.WRITE):
        other = client(container, bearer=issue_token(container.deps, OPERATOR, scope.value, [scope]))
        assert other.put(f"/api/cases/{case_id}/shared-description", json={"shared_description": HOME}
                         ).status_code == 403
    assert container.deps.read.case(case_id)["shared_description"] == ""

    # approved: the reviewed text, and only it, reaches everyone else; the same text again changes nothing
    for _ in range(2):
        assert desk.put(f"/api/cases/{case_id}/shared-description", json={"shared_description": SHARED}
                        ).status_code == 204
    with container.engine.connect() as conn:
        audited = conn.exec_driver_sql("SELECT detail->>'words' FROM audit_log WHERE subject_id = %s "
                                       "AND action = 'case.description_shared'", (case_id,)).scalars().all()
    assert audited == [SHARED]
    assert partner.post("/api/subscriptions", json={"channel": "webhook", "address": "https://ngo.example/late",
                                                    "region": "上海"}).status_code == 201
    reach.alert_round(container.deps, case_id)
    run_jobs_settled(container)
    # the webhook alerted before is told the case changed (probe s29 C5); the one subscribed since is alerted with it
    assert sorted((p["event"], p["case"]["description"]) for p in hooks.sent) == [
        ("case.alert", ""), ("case.alert", SHARED), ("case.updated", SHARED)]
    read = everything_a_partner_reads(container, case_id, hooks)
    assert leaked(read) == []
    assert [channel for channel, text in read.items() if SHARED not in text] == ["feed"]  # which never had one
    for reader in (family, desk):
        mine = reader.get(f"/api/cases/{case_id}").json()
        assert (mine["description"], mine["shared_description"]) == (WORDS, SHARED)
    assert SHARED in family.get(f"/cases/{case_id}").text


def test_a_verifier_approves_the_text_with_the_verification_and_the_form_tells_the_family(
    container: Container
) -> None:
    family, case_id = registered(container)
    moderator = client(container, session_for(container, Role.MODERATOR)[1])
    page = moderator.get(f"/cases/{case_id}?lang=en").text
    assert 'name="shared_description"' in page and HOME in page  # the family's words beside the box
    queue = moderator.get("/moderation?lang=en").text
    [row] = [r for r in queue.split('<div class="card-row">') if f'action="/cases/{case_id}/verify"' in r]
    assert HOME in row and 'name="shared_description"' in row

    def verify(words: str) -> Any:
        csrf = re.search(r'name="csrf" value="([^"]+)"', moderator.get(f"/cases/{case_id}").text)
        assert csrf
        return moderator.post(f"/cases/{case_id}/verify?lang=en", follow_redirects=False,
                              data={"csrf": csrf.group(1), "evidence": "police report checked",
                                    "shared_description": words})

    refused = verify(f"{SHARED}, lives at 595")
    assert refused.status_code == 422  # on the case page, with what was typed kept; nothing verified
    assert "595" in html.unescape(refused.text) and f"{SHARED}, lives at 595" in html.unescape(refused.text)
    assert container.deps.read.case(case_id)["verified_at"] is None
    assert verify(SHARED).status_code == 303
    stored = container.deps.read.case(case_id)
    assert stored["verified_at"] is not None and stored["shared_description"] == SHARED
    assert SHARED in client(container).get(f"/p/{case_id}").text
    # a case taken down keeps nothing of either text
    removed_for_good(container, case_id)
    assert (stored := container.deps.read.case(case_id))["description"] == stored["shared_description"] == ""

    # the family is told, in its language, who reads the description and that it may be shortened
    form = family.get("/cases/new?lang=en").text
    assert "Partner organisations, alerts and the public poster read only what a moderator approves" in form
    assert "审核员" in family.get("/cases/new?lang=zh_CN").text.split('id="description-hint"')[1][:300]


MARKS = "mole on the left cheek; her school is 漕溪北路小学, teacher 13912345678"
MARKS_PRIVATE = ("漕溪", "13912345678", "school")
SHARED_MARKS = "A mole on the left cheek"


def test_the_distinguishing_marks_are_shared_only_as_a_moderator_approved_them(container: Container) -> None:
    """The marks field is free words too (a school, a teacher's phone): partners' ``read:cases`` tokens, the CSV
    export and the PFIF export (its note's text) read only what a moderator approved, as for the description."""
    desk = client(container, bearer=issue_token(container.deps, OPERATOR, "moderation desk", [Scope.ADMIN]))
    family, case_id = registered(container, marks=MARKS)
    moderator = client(container, session_for(container, Role.MODERATOR)[1])
    queue = html.unescape(moderator.get("/moderation?lang=en").text)  # a box for the marks beside the family's
    [row] = [r for r in queue.split('<div class="card-row">') if f'action="/cases/{case_id}/verify"' in r]
    assert MARKS in row and 'name="shared_marks"' in row and 'name="shared_description"' in row
    assert desk.post(f"/api/cases/{case_id}/verify", json={"evidence": "police report checked"}).status_code == 204
    reader = client(container, bearer=issue_token(container.deps, OPERATOR, "registry", [Scope.READ_CASES]))
    exporter = client(container, bearer=issue_token(container.deps, OPERATOR, "export", [Scope.EXPORT]))

    def partners_read() -> dict[str, str]:
        return {"api": reader.get(f"/api/cases/{case_id}").text, "csv": exporter.get("/api/cases.csv").text,
                "pfif": html.unescape(exporter.get("/api/pfif").text)}

    def marks_leaked(read: dict[str, str]) -> list[str]:
        return [f"{channel}: {word}" for channel, text in read.items() for word in MARKS_PRIVATE if word in text]

    assert marks_leaked(partners_read()) == []
    shown = reader.get(f"/api/cases/{case_id}").json()
    assert (shown["marks"], shown["marks_withheld"], shown["shared_marks"]) == ("", True, None)
    for own in (family, desk):  # the family and reviewers read the family's words, and what is shared
        mine = own.get(f"/api/cases/{case_id}").json()
        assert (mine["marks"], mine["shared_marks"], mine["marks_withheld"]) == (MARKS, "", False)
    assert "Nothing yet: a moderator reads the marks first" in family.get(f"/cases/{case_id}?lang=en").text

    # refused as the description is: the place beyond its city, a contact; in the reader's language
    place = desk.put(f"/api/cases/{case_id}/shared-marks", json={"shared_marks": "mole; goes to 漕溪北路小学"})
    assert place.status_code == 422 and place.json()["field"] == "shared_marks", place.text
    assert "repeat where the family said the child was last seen" in place.json()["detail"]
    contact = desk.put(f"/api/cases/{case_id}/shared-marks", json={"shared_marks": "mole; call 13912345678"},
                       headers={"Accept-Language": "zh-CN"})
    assert contact.status_code == 422 and contact.json()["field"] == "shared_marks", contact.text
    for scope in (Scope.READ_CASES, Scope.EXPORT, Scope.WRITE):  # only police and moderators approve
        other = client(container, bearer=issue_token(container.deps, OPERATOR, scope.value, [scope]))
        assert other.put(f"/api/cases/{case_id}/shared-marks", json={"shared_marks": SHARED_MARKS}
                         ).status_code == 403
    assert container.deps.read.case(case_id)["shared_marks"] == ""

    # approved (twice: changed once, audited once), the approved marks and only they reach partners
    for _ in range(2):
        assert desk.put(f"/api/cases/{case_id}/shared-marks", json={"shared_marks": SHARED_MARKS}
                        ).status_code == 204
    with container.engine.connect() as conn:
        audited = conn.exec_driver_sql("SELECT detail->>'words' FROM audit_log WHERE subject_id = %s "
                                       "AND action = 'case.marks_shared'", (case_id,)).scalars().all()
    assert audited == [SHARED_MARKS]
    read = partners_read()
    assert marks_leaked(read) == [] and all(SHARED_MARKS in text for text in read.values()), read
    assert reader.get(f"/api/cases/{case_id}").json()["marks"] == SHARED_MARKS
    assert desk.get(f"/api/cases/{case_id}").json()["marks"] == MARKS
    assert SHARED_MARKS in family.get(f"/cases/{case_id}").text

    # the moderator's box for them, beside the family's words; the family's form says who reads them
    page = html.unescape(moderator.get(f"/cases/{case_id}?lang=en").text)
    assert 'name="shared_marks"' in page and MARKS in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    sent = {"csrf": csrf.group(1), "shared_description": SHARED, "shared_marks": "a mole; 13912345678"}
    refused = moderator.post(f"/cases/{case_id}/shared-description?lang=en", data=sent, follow_redirects=False)
    assert refused.status_code == 422 and "a mole; 13912345678" in html.unescape(refused.text)  # kept as typed
    assert 'id="error-shared_marks"' in refused.text
    sent["shared_marks"] = "a small mole on the left cheek"
    assert moderator.post(f"/cases/{case_id}/shared-description", data=sent,
                          follow_redirects=False).status_code == 303
    stored = container.deps.read.case(case_id)
    assert (stored["shared_description"], stored["shared_marks"]) == (SHARED, "a small mole on the left cheek")
    form = family.get("/cases/new?lang=en").text
    assert "Partner organisations read only the marks a moderator approves" in form


def test_a_partners_new_words_withdraw_what_was_shared_and_ask_the_moderators_again(container: Container) -> None:
    """A partner's PFIF record re-sent with a new description (a newer ``source_date``): the text a moderator
    approved for the old words is withdrawn at once (partners read none) and the case waits in the moderators'
    queue until one approves the new words, audited; a record re-sent with the same words changes nothing."""
    from tests.e2e.test_pfif_sync import PARTNER, doc, person

    def sent(day: int, description: str, names: str = "Sam") -> bytes:
        when = f"2026-03-{day:02d}T10:00:00Z"
        return doc(person("partner.org/s", entry_date=when, source_date=when, full_name="Sam", age="6",
                          alternate_names=names, description=description))

    assert pfif.import_pfif(container.deps, PARTNER, sent(1, "red coat")).created == 1
    [(case_id,)] = conn_rows(container, "SELECT id FROM cases")
    moderation.verify_case(container.deps, OPERATOR, case_id, "checked with the partner",
                           shared={"description": "red coat"})
    desk = client(container, bearer=issue_token(container.deps, OPERATOR, "moderation desk", [Scope.ADMIN]))
    reader = client(container, bearer=issue_token(container.deps, OPERATOR, "registry", [Scope.READ_CASES]))
    exporter = client(container, bearer=issue_token(container.deps, OPERATOR, "export", [Scope.EXPORT]))
    assert reader.get(f"/api/cases/{case_id}").json()["description"] == "red coat"
    assert desk.get("/api/moderation/queues").json()["counts"]["sharing"] == 0

    # the same words in a newer record (another field changed): what was approved stands, nobody is asked
    assert pfif.import_pfif(container.deps, PARTNER, sent(2, "red coat", "Sammy")).updated == 1
    assert reader.get(f"/api/cases/{case_id}").json()["description"] == "red coat"
    assert desk.get("/api/moderation/queues").json()["counts"]["sharing"] == 0

    # new words: the approved text is withdrawn, partners read none, and the moderators are asked again
    new = "blue coat; lives at 12 Hankou Road, call 13912345678"
    assert pfif.import_pfif(container.deps, PARTNER, sent(3, new)).updated == 1
    shown = reader.get(f"/api/cases/{case_id}").json()
    assert (shown["description"], shown["description_withheld"]) == ("", True)
    assert "red coat" not in exporter.get("/api/pfif").text and "red coat" not in exporter.get("/api/cases.csv").text
    queues = desk.get("/api/moderation/queues").json()
    assert queues["counts"]["sharing"] == 1 and [c["id"] for c in queues["sharing"]] == [case_id]
    assert queues["sharing"][0]["description"] == new
    moderator = client(container, session_for(container, Role.MODERATOR)[1])
    page = html.unescape(moderator.get("/moderation?lang=en").text)
    assert f'href="/cases/{case_id}"' in page.split('id="sharing"')[1] and new in page.split('id="sharing"')[1]
    case_page = html.unescape(moderator.get(f"/cases/{case_id}?lang=en").text)
    assert "The partner registry changed these words" in case_page and 'name="shared_description"' in case_page
    assert "合作机构改动了文字的案件: 1" in moderator.get("/moderation?lang=zh_CN").text  # its count, in Chinese
    with container.engine.connect() as conn:
        [held] = conn.exec_driver_sql("SELECT actor, detail FROM audit_log WHERE subject_id = %s "
                                      "AND action = 'case.held_for_sharing'", (case_id,)).fetchall()
    assert held[0] == PARTNER.actor
    assert held[1]["changed"] == ["description"] and held[1]["withdrawn"] == {"description": "red coat"}
    # the same record again: nothing more
    assert pfif.import_pfif(container.deps, PARTNER, sent(3, new)).unchanged == 1
    assert count_actions(container, case_id, "case.held_for_sharing") == 1

    # a moderator approves the new words: shared again, the case leaves the queue, audited
    assert desk.put(f"/api/cases/{case_id}/shared-description", json={"shared_description": "blue coat"}
                    ).status_code == 204
    assert reader.get(f"/api/cases/{case_id}").json()["description"] == "blue coat"
    assert desk.get("/api/moderation/queues").json()["counts"]["sharing"] == 0
    assert count_actions(container, case_id, "case.sharing_reviewed") == 1
    # a moderator who decides nothing of new words is shared takes the case out of the queue as well
    assert pfif.import_pfif(container.deps, PARTNER, sent(4, "a home address only")).updated == 1
    assert desk.get("/api/moderation/queues").json()["counts"]["sharing"] == 1
    assert desk.put(f"/api/cases/{case_id}/shared-description", json={"shared_description": ""}
                    ).status_code == 204
    assert desk.get("/api/moderation/queues").json()["counts"]["sharing"] == 0
    assert count_actions(container, case_id, "case.sharing_reviewed") == 2


def conn_rows(container: Container, sql: str) -> list[Any]:
    with container.engine.connect() as conn:
        return list(conn.exec_driver_sql(sql).fetchall())


def count_actions(container: Container, case_id: int, action: str) -> int:
    with container.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM audit_log WHERE subject = 'case' AND subject_id = %s "
                                        "AND action = %s", (case_id, action)).scalar_one())

"""Attacks of the outside probe on PFIF exchange: a partner note's place published on the poster
(finding 1), notes as a probe of cases a token may not read (2), contacts and notes in partners'
exports (3), and closed cases read in full by tokens (4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.domain.model import GeoPoint, NewCase, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation, pfif, reunion
from reunite.services.accounts import issue_token
from tests.conftest import plain_photo, run_jobs
from tests.e2e.test_pfif_sync import RECENT, doc, note, person, rows

SECRET = "SECRETNOTELOC"
XML = {"Content-Type": "application/xml"}
PERSON = {"entry_date": RECENT, "source_date": RECENT, "full_name": "Mei Chen", "date_of_birth": "2016-02-02",
          "description": "Missing since: 2025-11-01", "author_name": "Auntie Lan", "home_neighborhood": "Qiaokou",
          "home_postal_code": "430000"}
NOTE = {"entry_date": RECENT, "source_date": RECENT, "author_name": "Street vendor Wang",
        "last_known_location": f"Behind {SECRET} market stall 4", "text": "Saw her near my stall"}


def token_client(container: Container, *scopes: Scope, domains: tuple[str, ...] = ()) -> TestClient:
    token = issue_token(container.deps, OPERATOR, "partner " + "+".join(scopes), list(scopes), list(domains))
    return TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"})


CHILDREN = count()


WUHAN = GeoPoint(30.6, 114.3)


def local_case(container: Container, last_seen: str = "Behind the bakery on Jiefang Road, Wuhan",
               verified: bool = True, place: GeoPoint = WUHAN) -> int:
    """A family's case (registered by police: verified at once; by a family: waiting to be checked), each
    of another child (the same child registered again is answered with its case)."""
    case = NewCase(given_name="Lin", family_name="Zhang", sex=Sex.FEMALE, birth_date=date(2015, 1, 1),
                   missing_since=datetime(2019, 6, 1, 8, tzinfo=UTC) + timedelta(days=next(CHILDREN)),
                   last_seen_place=place,
                   last_seen_text=last_seen, family_contact="+86 138 0000 2222")
    case_id = intake.register_case(container.deps, OPERATOR, case, [Upload(plain_photo(), "lin.jpg")],
                                   [None]).case_id
    if not verified:
        with container.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE cases SET verified_at = NULL WHERE id = {case_id}")
    return case_id


def imported_with_note(container: Container) -> int:
    """What ``reunite import-pfif`` does with a partner's person and its note, then a reviewer verifies."""
    pfif.import_pfif(container.deps, OPERATOR, doc(person("partner.org/mei", **PERSON,
                                                          notes=note("partner.org/mei.n1", **NOTE))))
    case_id = int(rows(container, "SELECT id FROM cases WHERE record_id = 'partner.org/mei'")[0][0])
    moderation.verify_case(container.deps, OPERATOR, case_id, "checked with the partner")
    return case_id


def test_a_partner_notes_place_never_becomes_public(container: Container, anonymous: TestClient,
                                                    client: TestClient) -> None:
    mei = imported_with_note(container)
    for page in (f"/p/{mei}", "/", "/feeds/cases.atom"):
        answer = anonymous.get(page)
        assert answer.status_code == 200 and SECRET not in answer.text and "Mei" in answer.text
    reader = token_client(container, Scope.READ_CASES).get(f"/api/cases/{mei}").json()
    assert SECRET not in str(reader) and not reader.get("notes")
    reviewer = client.get(f"/api/cases/{mei}").json()  # a reviewer reads the note, place and all
    assert [n["last_known_location"] for n in reviewer["notes"]] == [NOTE["last_known_location"]]


def test_the_public_and_tokens_read_the_city_the_family_typed_reviewers_and_family_all_of_it(
        container: Container, anonymous: TestClient, client: TestClient) -> None:
    lin = local_case(container)
    poster = anonymous.get(f"/p/{lin}").text
    assert "Wuhan" in poster and "bakery" not in poster and "Jiefang" not in poster
    assert "bakery" not in anonymous.get("/feeds/cases.atom").text
    # a feed's region is matched against the city, not the family's words: it cannot probe them
    assert anonymous.get("/feeds/cases.atom", params={"region": "bakery"}).text.count("<entry>") == 0
    assert anonymous.get("/feeds/cases.atom", params={"region": "wuhan"}).text.count("<entry>") == 1
    assert anonymous.get("/feeds/cases.atom", params={"region": "ＷＵＨＡＮ"}).text.count("<entry>") == 1  # full width
    shown = token_client(container, Scope.READ_CASES).get(f"/api/cases/{lin}").json()
    assert shown["last_seen_text"] == "Wuhan, Hubei"
    assert client.get(f"/api/cases/{lin}").json()["last_seen_text"] == "Behind the bakery on Jiefang Road, Wuhan"
    nowhere = local_case(container, last_seen="Behind the old water tower")  # no city in it: nothing shown
    assert "water tower" not in anonymous.get(f"/p/{nowhere}").text
    csv = token_client(container, Scope.EXPORT).get("/api/cases.csv").text
    assert "Wuhan" in csv and "bakery" not in csv and "water tower" not in csv


def test_an_export_token_reads_no_contacts_and_no_notes(container: Container, client: TestClient) -> None:
    imported_with_note(container)
    lin = local_case(container)
    exported = token_client(container, Scope.EXPORT).get("/api/pfif")
    assert exported.status_code == 200
    for private in ("Auntie Lan", "Qiaokou", "430000", "Street vendor Wang", SECRET, "Saw her near", "bakery"):
        assert private not in exported.text
    assert "Mei Chen" in exported.text and f"reunite.local/case.{lin}" in exported.text and "Wuhan" in exported.text
    full = client.get("/api/pfif").text  # a reviewer's export (police registry) keeps them
    assert "Qiaokou" in full and SECRET in full and "bakery" in full


def report(answer: Any) -> dict[str, str]:
    assert answer.status_code == 200, answer.text
    return {p["record"]: p["reason"] for p in answer.json()["problems"]}


def about(case_id: int, number: int, **extra: str) -> str:
    return note(f"partner.org/probe.{number}", person_record_id=f"reunite.local/case.{case_id}",
                entry_date=RECENT, source_date=RECENT, author_name="Prober", text="Found her, case closed", **extra)


def test_notes_tell_nothing_of_cases_the_token_may_not_read(container: Container, client: TestClient) -> None:
    open_case, unverified, rejected = local_case(container), local_case(container, verified=False), \
        local_case(container, verified=False)
    moderation.reject_case(container.deps, OPERATOR, rejected, "a false report")
    missing = rejected + 100
    reader = token_client(container, Scope.WRITE, Scope.READ_CASES, domains=("partner.org",))
    problems = report(reader.post("/api/pfif", headers=XML, content=doc(
        about(open_case, 1) + about(unverified, 2) + about(rejected, 3) + about(missing, 4))))
    assert "partner.org/probe.1" not in problems  # a case it reads: the note is kept (for reviewers)
    assert problems["partner.org/probe.2"] == problems["partner.org/probe.3"] == problems["partner.org/probe.4"]
    assert reader.get(f"/api/cases/{unverified}").status_code == 404
    # a token that may not read cases learns nothing of any, and writes into none
    writer = token_client(container, Scope.WRITE, domains=("partner.org",))
    problems = report(writer.post("/api/pfif", headers=XML, content=doc(about(open_case, 5) + about(missing, 6))))
    assert problems["partner.org/probe.5"] == problems["partner.org/probe.6"]
    assert rows(container, "SELECT record_id FROM case_notes WHERE starts_with(record_id, 'partner.org/probe')") == [
        ("partner.org/probe.1",)]
    # the note kept reaches reviewers only, never another partner's export
    assert "Found her" not in token_client(container, Scope.EXPORT).get("/api/pfif").text
    assert "Found her" in str(client.get(f"/api/cases/{open_case}").json()["notes"])


def test_a_link_to_a_case_nobody_checked_answers_as_a_missing_one(container: Container) -> None:
    pfif.import_pfif(container.deps, OPERATOR, doc(person("other.org/hidden", **PERSON)))  # not verified
    mei = imported_with_note(container)
    writer = token_client(container, Scope.WRITE, Scope.READ_CASES, domains=("partner.org",))
    links = [note(f"partner.org/link.{n}", person_record_id="partner.org/mei", entry_date=RECENT,
                  source_date=RECENT, author_name="P", text="same child", linked_person_record_id=target)
             for n, target in ((1, "other.org/hidden"), (2, "other.org/nobody"))]
    for body in links:
        answer = writer.post("/api/pfif", headers=XML, content=doc(body))
        assert answer.status_code == 200 and answer.json()["linked"] == 0
    assert rows(container, f"SELECT linked_case_id FROM cases WHERE id = {mei}") == [(None,)]


def test_a_closed_case_reads_as_its_placeholder_to_tokens_and_in_full_to_its_reviewers(
        container: Container, client: TestClient) -> None:
    lin = local_case(container)
    run_jobs(container)  # its photo's faces found: a case photo reaches partners only once they are
    photo = client.get(f"/api/cases/{lin}").json()["photos"][0]["id"]
    reader = token_client(container, Scope.READ_CASES)
    assert reader.get(f"/api/cases/{lin}").json()["given_name"] == "Lin"
    assert reader.get(f"/api/photos/{photo}").status_code == 200
    reunion.close_case(container.deps, OPERATOR, lin, reunited=False, keep_data=True)
    shown = reader.get(f"/api/cases/{lin}")
    assert shown.status_code == 200 and shown.json()["status"] == "closed"
    assert "Lin" not in shown.text and "Zhang" not in shown.text and "2015-01-01" not in shown.text
    assert reader.get(f"/api/photos/{photo}").status_code == 404
    assert client.get(f"/api/cases/{lin}").json()["given_name"] == "Lin"  # reviewers as before
    assert client.get(f"/api/photos/{photo}").status_code == 200


def test_every_problem_of_a_pfif_import_is_said_in_the_readers_language(container: Container) -> None:
    """A partner reading Chinese is told why each record was not taken (or not whole) in Chinese, and one
    reading English in English: the same import, the same records."""
    body = doc(person("partner.org/adult", entry_date=RECENT, source_date=RECENT, full_name="王伟",
                      date_of_birth="1960-01-01", description="Missing since: 2025-11-01")
               + person("other.org/p1", entry_date=RECENT, source_date=RECENT, full_name="Li")
               + note("partner.org/n1", entry_date=RECENT, text="seen")
               + note("partner.org/n2", person_record_id="partner.org/adult", entry_date=RECENT, text="seen")
               + note("partner.org/n3", person_record_id="partner.org/later", entry_date=RECENT, status="maybe"))
    writer = token_client(container, Scope.WRITE, domains=("partner.org",))
    chinese = report(writer.post("/api/pfif", headers=XML | {"Accept-Language": "zh-CN"}, content=body))
    english = report(writer.post("/api/pfif", headers=XML | {"Accept-Language": "en"}, content=body))
    assert set(chinese) == set(english) == {"partner.org/adult", "other.org/p1", "partner.org/n1", "partner.org/n2",
                                            "partner.org/n3"}
    assert "adult" in english["partner.org/adult"] and "other.org" in english["other.org/p1"]
    for record, reason in chinese.items():
        assert reason != english[record] and any("\u4e00" <= ch <= "\u9fff" for ch in reason), (record, reason)
    assert "other.org" in chinese["other.org/p1"] and "maybe" in chinese["partner.org/n3"]  # values as they were

"""Probe s34 H1, H5, H9: an invisible control character (ESC, BEL, backspace…) sent in a name or a text is left
out whichever way it comes in, and the Atom feed and every PFIF export stay well-formed XML even when a stored
row holds one; an emailed report whose text part names a charset Python does not know keeps its photo and its
words; a date the calendar does not have is said to be one, wherever it comes in; a multipart text field that
is not UTF-8 is refused naming it; every form field takes as many characters as the server does."""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.model import (
    CASE_TEXT_LIMITS,
    NICKNAMES_LIMIT,
    SIGHTING_TEXT_LIMITS,
    NewCase,
    NewSighting,
    Sex,
    Upload,
)
from reunite.entrypoints.cli import app as cli
from reunite.entrypoints.mail import IntakeHandler
from reunite.services import intake, moderation
from tests.conftest import newest_sighting, plain_photo
from tests.e2e.test_journeys import CASE_FORM, as_role, csrf
from tests.e2e.test_pfif_sync import RECENT, doc, person
from tests.e2e.test_probe_pfif import token_client

PHOTO = [("photos", ("kid.jpg", plain_photo(seed=34), "image/jpeg"))]
ATOM = "{http://www.w3.org/2005/Atom}"
NO_SUCH_DAY = "the date is not valid (no such day in the calendar)"


def stored(container: Container, sql: str) -> list[tuple[object, ...]]:
    with container.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql).fetchall()]


def test_a_control_character_is_left_out_of_names_and_texts_whichever_way_they_come_in(
        client: TestClient, container: Container) -> None:
    api = client.post("/api/cases", files=PHOTO, data={
        "given_name": "a\x1b[2Jb", "family_name": "Zh\x07ang\x7f", "sex": "male", "birth_date": "2015-02-01",
        "missing_since": "2024-05-01", "description": "desc \x1b[31m red \x07\x85end", "marks": "\x08scar"})
    assert api.status_code == 201, api.text
    case_id = api.json()["id"]
    assert stored(container, f"SELECT given_name, family_name, description, marks FROM cases WHERE id = {case_id}") \
        == [("a[2Jb", "Zhang", "desc [31m red  end", "scar")]
    family = as_role(container, Role.FAMILY)
    page = family.post("/cases/new", follow_redirects=False, files=PHOTO, data=CASE_FORM | {
        "csrf": csrf(family, "/cases/new"), "sex": "female", "given_name": "Li\x0bNa\x1b", "family_name": "Wu"})
    assert page.status_code == 303, page.text
    assert stored(container, "SELECT given_name FROM cases WHERE family_name = 'Wu'") == [("Li Na",)]
    sheet = "given_name,family_name,sex,birth_date,missing_since\nBob\x1b[2J,Ctrl\x9b,m,2016-07-08,2024-05-01\n"
    imported = client.post("/api/cases/import?dry_run=false", files={"file": ("c.csv", sheet.encode())})
    assert imported.status_code == 200 and imported.json()["created"] == 1, imported.text
    assert stored(container, "SELECT given_name, family_name FROM cases WHERE given_name LIKE 'Bob%%'") \
        == [("Bob[2J", "Ctrl")]
    report = client.post("/api/sightings", files=PHOTO, data={
        "description": "a\x1b[31mred\x07\x08", "with_whom": "mother\x1b", "place_text": "Wuhan\x07"})
    assert report.status_code == 202, report.text
    assert stored(container, f"SELECT description, with_whom, place_text FROM sightings "
                             f"WHERE id = {newest_sighting(container)}") == [("a[31mred", "mother", "Wuhan")]
    assert not stored(container, "SELECT id FROM cases WHERE given_name ~ '[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]'")


def test_the_feed_and_every_pfif_export_are_well_formed_even_if_a_stored_row_holds_a_control(
        client: TestClient, container: Container, cli_env: CliRunner, tmp_path: Path) -> None:
    case = NewCase(given_name="Mei", family_name="Chen", sex=Sex.FEMALE, birth_date=date(2016, 2, 2),
                   missing_since=datetime.now(UTC) - timedelta(days=3), last_seen_place=None)
    case_id = intake.register_case(container.deps, OPERATOR, case, [Upload(plain_photo(seed=35), "c.jpg")],
                                   [None]).case_id
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report 55 checked")
    with container.engine.begin() as conn:  # a row written before the input was cleaned
        conn.exec_driver_sql(f"UPDATE cases SET given_name = 'Mei' || chr(27) || '[2J' || chr(7), "
                             f"family_name = 'Ch' || chr(8) || 'en' || chr(127) WHERE id = {case_id}")
    feed = client.get("/feeds/cases.atom")
    assert feed.status_code == 200
    titles = [t.text for t in ET.fromstring(feed.content).iter(f"{ATOM}title")]
    assert any(t and "Mei[2J" in t for t in titles), titles
    exported = client.get("/api/pfif")
    assert exported.status_code == 200
    names = [e.text for e in ET.fromstring(exported.content).iter() if e.tag.endswith("}given_name")]
    assert "Mei[2J" in names, names
    out = tmp_path / "export.xml"
    written = cli_env.invoke(cli, ["export-pfif", str(out)])
    assert written.exit_code == 0, written.output
    ET.parse(out)  # well-formed: the site reads its own export back
    again = cli_env.invoke(cli, ["import-pfif", str(out)])
    assert again.exit_code == 0 and "not well-formed" not in again.output, again.output


def emailed(charset: str, words: bytes) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "witness@example.org", "sightings@example.org", "seen"
    message.set_content(words, maintype="text", subtype="plain", cte="base64")
    message.replace_header("Content-Type", f"text/plain; charset={charset}")
    message.add_attachment(plain_photo(seed=36), maintype="image", subtype="jpeg", filename="c9.jpg")
    return message.as_bytes()


def test_an_emailed_report_in_a_charset_python_does_not_know_keeps_its_photo_and_words(container: Container) -> None:
    handler = IntakeHandler(container.deps)
    words = "在武汉火车站看到一个穿红衣服的女孩 red coat"
    for number, charset in enumerate(("x-gbk", "unknown-8bit", "x-unknown")):
        raw = emailed(charset, f"{words} {number}".encode("gbk"))
        answer = asyncio.run(handler.handle_DATA(None, None, SimpleNamespace(content=raw)))
        assert answer.startswith("250"), (charset, answer)
        sighting = newest_sighting(container)
        [(description, photos)] = stored(container, f"SELECT description, (SELECT count(*) FROM photos p WHERE "
                                                    f"p.sighting_id = s.id) FROM sightings s WHERE id = {sighting}")
        assert photos == 1 and f"{words} {number}" in str(description), (charset, description)


def test_a_date_the_calendar_does_not_have_is_said_to_be_one_wherever_it_comes_in(
        client: TestClient, container: Container) -> None:
    seen = client.post("/api/sightings", files=PHOTO, data={"seen_at": "2026-02-29T10:00+08:00"})
    assert seen.status_code == 422 and seen.json()["field"] == "seen_at", seen.text
    assert NO_SUCH_DAY in seen.json()["detail"] and "with its zone" not in seen.json()["detail"]
    chinese = client.post("/api/sightings", files=PHOTO, data={"seen_at": "2026-02-29T10:00+08:00"},
                          headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and "日历上没有这一天" in chinese.json()["detail"], chinese.text
    case = {"given_name": "Lin", "sex": "female", "missing_since": "2024-05-01"}
    born = client.post("/api/cases", files=PHOTO, data=case | {"birth_date": "2015-02-29"})
    assert born.status_code == 422 and born.json()["field"] == "birth_date", born.text
    assert NO_SUCH_DAY in born.json()["detail"]
    made = client.post("/api/cases", files=PHOTO, data=case | {"birth_date": "2015-02-28"})
    assert made.status_code == 201, made.text
    patched = client.patch(f"/api/cases/{made.json()['id']}", json={"birth_date": "2015-02-29"})
    assert patched.status_code == 422 and patched.json()["detail"] == born.json()["detail"], patched.text
    shapeless = client.post("/api/cases", files=PHOTO, data=case | {"birth_date": "soon"})
    assert shapeless.status_code == 422 and "must be a date such as" in shapeless.json()["detail"]
    family = as_role(container, Role.FAMILY)
    page = family.post("/cases/new?lang=en", follow_redirects=False, files=PHOTO, data=CASE_FORM | {
        "csrf": csrf(family, "/cases/new"), "sex": "male", "birth_date": "2015-02-29"})
    assert page.status_code == 422 and NO_SUCH_DAY in page.text
    writer = token_client(container, Scope.WRITE, domains=("partner.org",))
    pfif = writer.post("/api/pfif", headers={"Content-Type": "application/xml"}, content=doc(person(
        "partner.org/leap", entry_date=RECENT, source_date=RECENT, full_name="Wang Fang", date_of_birth="2015-02-29",
        description="Missing since: 2025-11-01")))
    assert pfif.status_code == 200, pfif.text
    [problem] = pfif.json()["problems"]
    assert "date_of_birth" in problem["reason"] and NO_SUCH_DAY in problem["reason"], problem
    assert "no date of birth or age" not in problem["reason"]
    browse = as_role(container, Role.POLICE).get("/sightings", params={"from": "2025-02-29"})  # s35 J9: browse too
    assert browse.status_code == 422 and NO_SUCH_DAY in browse.text.replace("&#34;", "").replace("&#39;", "'")


def test_a_multipart_text_that_is_not_utf8_is_refused_naming_it(client: TestClient, container: Container) -> None:
    refused = client.post("/api/sightings", files=PHOTO, data={"description": b"\xff\xfe\xed\xa0\x80abc"})
    assert refused.status_code == 422 and refused.json()["field"] == "description", refused.text
    assert "not UTF-8" in refused.json()["detail"]
    chinese = client.post("/api/sightings", files=PHOTO, data={"with_whom": b"\xc3("},
                          headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 422 and "UTF-8" in chinese.json()["detail"] and chinese.json()["field"] == "with_whom"
    assert stored(container, "SELECT count(*) FROM sightings") == [(0,)]
    fine = client.post("/api/sightings", files=PHOTO, data={"description": "红衣服".encode()})
    assert fine.status_code == 202, fine.text


def test_a_poster_and_its_case_page_never_show_a_control_character_a_stored_row_holds(
        anonymous: TestClient, container: Container) -> None:
    case = NewCase(given_name="Hua", family_name="Wang", sex=Sex.FEMALE, birth_date=date(2016, 3, 3),
                   missing_since=datetime.now(UTC) - timedelta(days=2), last_seen_place=None)
    case_id = intake.register_case(container.deps, OPERATOR, case, [Upload(plain_photo(seed=36), "c.jpg")],
                                   [None]).case_id
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report 56 checked")
    with container.engine.begin() as conn:  # a row written before the input was cleaned
        conn.exec_driver_sql(f"UPDATE cases SET given_name = 'Hu' || chr(27) || '[2Ja' || chr(7) || chr(127), "
                             f"family_name = 'Wa' || chr(8) || 'ng' WHERE id = {case_id}")
    poster = anonymous.get(f"/p/{case_id}")
    assert poster.status_code == 200, poster.text
    title = re.search(r"<title>(.*?)</title>", poster.text, re.S)
    assert title and "Hu[2Ja" in title.group(1), poster.text[:500]
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", poster.text)
    staff = as_role(container, Role.POLICE).get(f"/cases/{case_id}")
    assert staff.status_code == 200 and "Hu[2Ja" in staff.text
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", staff.text)


def maxlengths(page: str) -> dict[str, int]:
    """Each text field of a page by its name, with the characters its ``maxlength`` lets the reader type."""
    found = {}
    for tag in re.findall(r"<(?:input|textarea)\b[^>]*>", page):
        name, most = re.search(r'name="([^"]+)"', tag), re.search(r'maxlength="(\d+)"', tag)
        if name and most:
            found[name.group(1)] = int(most.group(1))
    return found


def test_every_report_and_case_form_field_takes_as_many_characters_as_the_server(
        anonymous: TestClient, client: TestClient, container: Container) -> None:
    report = maxlengths(anonymous.get("/report").text)
    assert report == {"place_text": SIGHTING_TEXT_LIMITS["place_text"], "doing": SIGHTING_TEXT_LIMITS["description"],
                      "with": SIGHTING_TEXT_LIMITS["with_whom"], "contact": SIGHTING_TEXT_LIMITS["reporter_contact"]}
    case = maxlengths(as_role(container, Role.FAMILY).get("/cases/new").text)
    expected = {name: CASE_TEXT_LIMITS[name] for name in CASE_TEXT_LIMITS if name != "last_seen_text"}
    assert case == expected | {"place_text": CASE_TEXT_LIMITS["last_seen_text"], "nicknames": NICKNAMES_LIMIT}
    # the server takes as long a description as the form lets the reader type, and no longer
    typed = "红" * report["doing"]
    assert client.post("/api/sightings", files=PHOTO, data={"description": typed}).status_code == 202
    too_long = client.post("/api/sightings", files=PHOTO, data={"description": typed + "x"})
    assert too_long.status_code == 422 and too_long.json()["field"] == "description"


def test_a_lone_surrogate_escaped_in_json_is_left_out_never_a_server_error(
    anonymous: TestClient, client: TestClient, container: Container
) -> None:
    """Probe s35 J8: a JSON string escaping a lone UTF-16 surrogate ("\\ud800": valid JSON, no character) reached
    the database and answered 500, on the anonymous removal request and the reviewers' words for families."""
    case_id = intake.register_case(container.deps, OPERATOR, NewCase(
        given_name="Jun", family_name="Li", sex=Sex.MALE, birth_date=date(2015, 1, 1),
        missing_since=datetime(2024, 5, 1, tzinfo=UTC), last_seen_place=None), [Upload(plain_photo(seed=31), "c.jpg")],
        [None]).case_id
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report checked")
    body = ('{"subject": "case", "subject_id": ' + str(case_id) + ', "relation": "me\\ud800", '
            '"reason": "x\\ud800 please", "requester": "a@b.example"}')
    asked = anonymous.post("/api/takedowns", content=body, headers={"Content-Type": "application/json"})
    assert asked.status_code == 422 and "relation" in asked.text, asked.text  # named, nothing stored
    seen = NewSighting(seen_at=datetime(2025, 1, 1, tzinfo=UTC), place=None)
    photo = [Upload(plain_photo(seed=32), "s.jpg")]
    sighting = intake.report_sighting(container.deps, OPERATOR, seen, photo).sighting_id
    said = client.put(f"/api/sightings/{sighting}/family-summary", content='{"family_summary": "red coat\\ud800"}',
                      headers={"Content-Type": "application/json"})
    assert said.status_code == 422 and "family_summary" in said.text, said.text
    shared = client.put(f"/api/cases/{case_id}/shared-description", content='{"description": "a mole\\ud800"}',
                        headers={"Content-Type": "application/json"})
    assert shared.status_code == 422, shared.text

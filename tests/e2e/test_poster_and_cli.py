"""The public poster of a verified case, and the command line."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role, Scope
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.cli import app as cli
from reunite.services.accounts import issue_token
from reunite.services.moderation import share_texts, verify_case
from reunite.services.queries import get_case
from tests.conftest import count_rows, run_jobs
from tests.e2e.test_case_removal import removed_for_good
from tests.photos import face_jpeg

POLICE = Principal(role=Role.POLICE, account_id=7, name="officer Wang")


def register(client: TestClient, person: str = "collins") -> int:
    """A case sent by a partner that may write but not verify: it waits for verification (another ``person``'s
    photo for a second child: the same photo twice is one child registered twice)."""
    token = issue_token(client.app.state.container.deps, OPERATOR, "NGO", [Scope.WRITE])  # type: ignore[attr-defined]
    photo = ("kid.jpg", face_jpeg(person=person))
    response = client.post("/api/cases", files=[("photos", photo)], headers={"Authorization": f"Bearer {token}"},
                           data={"given_name": "Lin", "family_name": "Zhangsan", "sex": "female",
                                 "birth_date": "2015-01-01", "missing_since": "2019-06-01T08:00:00Z",
                                 "photo_dates": "2019-01-01", "last_seen_text": "Yellow Crane Tower park gate, Wuhan"})
    assert response.status_code == 201, response.text
    run_jobs(client.app.state.container)  # type: ignore[attr-defined]  # its photo's faces found: a poster shows it
    return int(response.json()["id"])


def test_poster_only_for_verified_cases_and_without_family_details(client: TestClient, container: Container) -> None:
    case_id = register(client)
    assert client.get(f"/p/{case_id}").status_code == 404
    with pytest.raises(Exception, match="say what was checked"):
        verify_case(container.deps, POLICE, case_id, "  ")

    verify_case(container.deps, POLICE, case_id, "police report 2019-0601 checked")
    page = client.get(f"/p/{case_id}")
    assert page.status_code == 200
    html = page.text
    # the city the family's words name, nothing finer (docs/privacy.md)
    assert "<h1>Lin</h1>" in html and "Wuhan" in html and "Crane Tower" not in html
    assert re.search(r"Age when last seen</dt><dd>4 years old<", html)
    base = container.deps.site.base_url  # the served address, whatever Host the request named
    assert f'<meta property="og:image" content="{base}/p/{case_id}/photo.jpg">' in html
    forged = client.get(f"/p/{case_id}", headers={"Host": "evil.example"}).text
    assert "evil.example" not in forged and f'content="{base}/p/{case_id}/photo.jpg"' in forged
    assert "Zhangsan" not in html and "138 1234" not in html
    assert "Call 110" in html
    photo = client.get(f"/p/{case_id}/photo.jpg")
    assert photo.status_code == 200 and len(Image.open(io.BytesIO(photo.content)).getexif()) == 0


def test_import_sightings_reports_each_photo_and_names_the_refused(
    cli_env: CliRunner, container: Container, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for number, name in enumerate(("001a05.jpg", "009a13.jpg", "013a08.jpg")):
        (folder / name).write_bytes(face_jpeg(height=300 + 20 * number))
    (folder / "broken.jpg").write_bytes(b"not a photo at all")
    result = cli_env.invoke(cli, ["import-sightings", str(folder), "--place-text", "Hankou"])
    assert result.exit_code == 1
    assert "3 sightings accepted, 1 refused" in result.output
    assert re.search(r"broken.jpg: .*this file is not a photo", result.output)
    assert count_rows(container, "sightings") == 3 and count_rows(container, "procrastinate_jobs") == 3


def test_db_upgrade_verify_case_and_rematch(
    cli_env: CliRunner, client: TestClient, container: Container
) -> None:
    assert "up to date" in cli_env.invoke(cli, ["db", "upgrade"]).output
    case_id = register(client)
    refused = cli_env.invoke(cli, ["verify-case", str(case_id), "--by", "officer Wang", "--evidence", "report seen",
                                   "--share-marks", "a mole; call 13912345678"])
    assert refused.exit_code == 1 and "contact" in refused.output  # checked as on the pages: nothing verified
    result = cli_env.invoke(cli, ["verify-case", str(case_id), "--by", "officer Wang", "--evidence", "report seen",
                                  "--share-description", "red coat", "--share-marks", "a mole on the chin"])
    assert result.exit_code == 0 and client.get(f"/p/{case_id}").status_code == 200
    stored = container.deps.read.case(case_id)
    assert (stored["shared_description"], stored["shared_marks"]) == ("red coat", "a mole on the chin")
    assert "1 matching jobs queued" in cli_env.invoke(cli, ["rematch"]).output


def read_one(container: Container, sql: str) -> object:
    with container.engine.connect() as conn:
        return conn.exec_driver_sql(sql).scalar_one()


def test_import_cases_dry_run_then_export_pfif_from_the_command_line(
    cli_env: CliRunner, container: Container, tmp_path: Path
) -> None:
    sheet = tmp_path / "cases.csv"
    sheet.write_text("given_name,sex,birth_date,missing_since\n"
                     "Lin,female,2015-01-01,2019-06-01T08:00:00Z\n"
                     ",male,2016-01-01,2020-01-01T00:00:00Z\n", encoding="utf-8")
    dry = cli_env.invoke(cli, ["import-cases", str(sheet), "--dry-run"])
    assert dry.exit_code == 1 and "1 would be created" in dry.output and "nothing was written" in dry.output
    assert "row 3: the child's given name is required" in dry.output
    assert count_rows(container, "cases") == 0
    sheet.write_text("given_name,sex,birth_date,missing_since\nLin,female,2015-01-01,2019-06-01T08:00:00Z\n")
    assert cli_env.invoke(cli, ["import-cases", str(sheet)]).exit_code == 0
    out = tmp_path / "pfif.xml"
    empty = cli_env.invoke(cli, ["export-pfif", str(out)])  # nothing verified: no empty, invalid document
    assert empty.exit_code == 0 and "nothing to export" in empty.output and not out.exists()
    case_id = str(read_one(container, "SELECT id FROM cases"))
    assert cli_env.invoke(cli, ["verify-case", case_id, "--by", "officer Wang", "--evidence", "seen"]).exit_code == 0
    assert cli_env.invoke(cli, ["export-pfif", str(out)]).exit_code == 0
    assert b"<pfif:given_name>Lin</pfif:given_name>" in out.read_bytes()
    adult = tmp_path / "adult.xml"
    adult.write_text('<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person><pfif:person_record_id>'
                     "p.org/1</pfif:person_record_id><pfif:source_date>2026-01-01T00:00:00Z</pfif:source_date>"
                     "<pfif:full_name>Paul</pfif:full_name><pfif:age>40</pfif:age></pfif:person></pfif:pfif>")
    refused = cli_env.invoke(cli, ["import-pfif", str(adult)])
    assert refused.exit_code == 1 and "p.org/1: went missing as an adult" in refused.output
    junk = tmp_path / "junk.xml"
    junk.write_text("not xml at all")
    broken = cli_env.invoke(cli, ["import-pfif", str(junk)])
    assert broken.exit_code == 2 and "not well-formed" in broken.output and "Traceback" not in broken.output


def test_a_poster_photo_taken_down_is_gone_at_the_next_showing(client: TestClient, container: Container) -> None:
    """Public, but no cache may show it again without asking (attacker probe, finding 3): a poster taken
    down answers 404 to a browser or a CDN revalidating its copy, not a 304 an hour long."""
    case_id = register(client)
    verify_case(container.deps, POLICE, case_id, "police report 2019-0601 checked")
    url = f"/p/{case_id}/photo.jpg"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["cache-control"] == "public, no-cache"
    held = {"If-None-Match": first.headers["etag"]}
    assert client.get(url, headers=held).status_code == 304  # still current: no bytes sent again

    removed_for_good(container, case_id)  # asked, approved, not objected to, its undo window passed
    gone = client.get(url, headers=held)
    assert gone.status_code == 404 and "no-store" in gone.headers["cache-control"]


def test_the_day_a_child_went_missing_reads_the_same_in_every_zone_and_every_channel(
    client: TestClient, container: Container
) -> None:
    """Probe s10, finding 7: missing since 1 June 2026, 02:00 in Shanghai (31 May 18:00 UTC). The poster,
    the front page, the feed and the PFIF note say 1 June to everyone: a relative in Los Angeles, the
    printed poster, a partner registry. The date where it happened, never the reader's nor UTC's."""
    case_id = register_missing(client, "2026-06-01T02:00:00+08:00")
    verify_case(container.deps, POLICE, case_id, "police report checked")
    abroad = TestClient(create_app(container))
    abroad.cookies.set("tz", "America/Los_Angeles")
    for path in (f"/p/{case_id}", "/"):
        page = abroad.get(path).text
        assert "Jun 1, 2026" in page and "May 31, 2026" not in page, path
        assert "2026年6月1日" in abroad.get(path, params={"lang": "zh_CN"}).text
    feed = client.get("/feeds/cases.atom").text
    assert "Last seen on Jun 1, 2026" in feed
    pfif = client.get("/api/pfif").text
    assert "Missing since 2026-06-01" in pfif and "Missing since 2026-05-31" not in pfif
    pdf = PdfReader(io.BytesIO(abroad.get(f"/p/{case_id}/poster.pdf").content)).pages[0].extract_text()
    assert "Missing since Jun 1, 2026" in pdf


def test_the_pdf_poster_speaks_the_language_the_pages_would(client: TestClient, container: Container) -> None:
    """Probe s10, finding 10: ``zh-CN``, ``zh``, the language cookie and Accept-Language choose the PDF's
    language as they choose the pages'; the link's ``zh_CN`` still works, and English stays the default."""
    case_id = register(client)
    verify_case(container.deps, POLICE, case_id, "police report 2019-0601 checked")
    reader = TestClient(create_app(container))

    def words(**asked: Any) -> str:
        pdf = reader.get(f"/p/{case_id}/poster.pdf", **asked)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        return str(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text())

    for asked in ({"params": {"lang": "zh-CN"}}, {"params": {"lang": "zh"}}, {"params": {"lang": "zh_CN"}},
                  {"headers": {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}}, {"cookies": {"lang": "zh_CN"}}):
        assert "走失儿童" in words(**asked), asked
    assert "Missing child" in words()
    assert "Missing child" in words(params={"lang": "en-GB"}, headers={"Accept-Language": "zh-CN"})


def register_missing(client: TestClient, since: str) -> int:
    photo = ("kid.jpg", face_jpeg())
    response = client.post("/api/cases", files=[("photos", photo)], data={
        "given_name": "Carl", "sex": "male", "birth_date": "2018-01-01", "missing_since": since,
        "photo_dates": "2025-01-01", "last_seen_text": "上海市"})
    assert response.status_code == 201, response.text
    run_jobs(client.app.state.container)  # type: ignore[attr-defined]  # its photo's faces found: a poster shows it
    return int(response.json()["id"])


def test_a_pdf_poster_is_made_once_revalidated_by_its_tag_and_gone_once_taken_down(
    client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Probe s14, F5 and F16: volunteers print a poster in bursts; it is made once per content and
    language (the same bytes, a 304 for a copy still current), an edited case gets a new one, a case
    taken down answers 404 at once, and a link checker's HEAD is answered."""
    case_id = register(client)
    verify_case(container.deps, POLICE, case_id, "police report 2019-0601 checked")
    posters = container.deps.posters
    made: list[str] = []
    real = posters.render
    monkeypatch.setattr(posters, "render", lambda labels, *rest: made.append(labels["title"]) or real(labels, *rest))
    volunteer = TestClient(create_app(container))
    url = f"/p/{case_id}/poster.pdf"
    first, again = volunteer.get(url), volunteer.get(url)
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert first.headers["cache-control"] == "public, no-cache" and made == ["Missing child"]
    held = {"If-None-Match": first.headers["etag"]}
    assert volunteer.get(url, headers=held).status_code == 304
    chinese = volunteer.get(url, params={"lang": "zh_CN"}, headers=held)
    assert chinese.status_code == 200 and chinese.headers["etag"] != first.headers["etag"]
    assert made == ["Missing child", "走失儿童"]
    for path in (f"/p/{case_id}", url, f"/p/{case_id}/photo.jpg"):
        assert volunteer.head(path).status_code == 200, path

    # the words shared corrected by a moderator (the family's own never reach a poster: access.text_shown)
    share_texts(container.deps, OPERATOR, case_id, {"description": "red coat, blue shoes"})
    edited = volunteer.get(url, headers=held)
    assert edited.status_code == 200 and "blue shoes" in PdfReader(io.BytesIO(edited.content)).pages[0].extract_text()

    removed_for_good(container, case_id)  # asked, approved, not objected to, its undo window passed
    for asked in ({}, {"If-None-Match": edited.headers["etag"]}):
        assert volunteer.get(url, headers=asked).status_code == 404


def test_a_poster_names_the_place_in_the_readers_script(client: TestClient, container: Container) -> None:
    """Probe s14, F16: the English poster (page, PDF, feed) read "Last seen: 上海市"; a visitor who reads
    English gets Shanghai, a Chinese reader still 上海市. Never finer than the city."""
    case_id = register_missing(client, "2026-06-01T02:00:00+08:00")
    with container.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE cases SET last_seen_text = '四川省成都市锦江区春熙路' WHERE id = {case_id}")
    verify_case(container.deps, POLICE, case_id, "police report checked")
    reader = TestClient(create_app(container))

    def pdf(**asked: Any) -> str:
        made = reader.get(f"/p/{case_id}/poster.pdf", **asked).content
        return str(PdfReader(io.BytesIO(made)).pages[0].extract_text())

    assert "Last seen: Chengdu, Sichuan" in pdf() and "成都" not in pdf()
    assert "四川省成都市" in pdf(params={"lang": "zh_CN"}) and "Chengdu" not in pdf(params={"lang": "zh_CN"})
    page = reader.get(f"/p/{case_id}").text
    assert "Chengdu, Sichuan" in page and "成都" not in page
    feed = reader.get("/feeds/cases.atom").text
    assert "in Chengdu, Sichuan" in feed and "锦江" not in feed and "春熙" not in feed
    assert "Chengdu" in reader.get("/").text
    assert "四川省成都市" in reader.get(f"/p/{case_id}", params={"lang": "zh_CN"}).text
    # probe s15 N9: Taiwan's and Hong Kong's readers read the city in their characters (廣東, not 广东)
    with container.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE cases SET last_seen_text = '广东省广州市白云区' WHERE id = {case_id}")
    for code in ("zh_TW", "zh_HK"):
        assert "廣東省廣州市" in reader.get(f"/p/{case_id}", params={"lang": code}).text
        assert "廣東省廣州市" in pdf(params={"lang": code})


def test_hong_kong_and_cantonese_readers_get_a_poster_of_their_own(client: TestClient, container: Container) -> None:
    """Each script its own poster: Hong Kong's PDF shared Taiwan's cached copy (the same key when the words
    convert alike), declaring Taiwan's language to a screen reader; and a reader whose browser asks for
    Cantonese (``yue``) was answered in English, pages and poster, instead of Hong Kong's characters."""
    case_id = register_missing(client, "2026-06-01T02:00:00+08:00")
    with container.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE cases SET last_seen_text = '广东省广州市白云区' WHERE id = {case_id}")
    verify_case(container.deps, POLICE, case_id, "police report checked")
    reader = TestClient(create_app(container))
    url = f"/p/{case_id}/poster.pdf"

    def pdf(**asked: Any) -> tuple[str, str, str]:
        made = reader.get(url, **asked)
        assert made.status_code == 200, made.text
        document = PdfReader(io.BytesIO(made.content))
        return str(document.trailer["/Root"].get("/Lang")), document.pages[0].extract_text(), made.headers["etag"]

    taiwan = pdf(params={"lang": "zh_TW"})  # made first, kept
    assert taiwan[0] == "zh-TW" and "走失兒童" in taiwan[1]
    for asked in ({"params": {"lang": "zh_HK"}}, {"headers": {"Accept-Language": "zh-HK"}},
                  {"headers": {"Accept-Language": "yue"}}, {"headers": {"Accept-Language": "yue-Hant-HK, en;q=0.5"}}):
        hong_kong = pdf(**asked)
        assert hong_kong[0] == "zh-HK" and hong_kong[2] != taiwan[2], asked
        assert "走失兒童" in hong_kong[1] and "廣東省廣州市" in hong_kong[1], asked
    cantonese = reader.get(f"/p/{case_id}", headers={"Accept-Language": "yue"})
    assert 'lang="zh-HK"' in cantonese.text and "廣東省廣州市" in cantonese.text
    assert "報告您看到的孩子" in reader.get("/report", headers={"Accept-Language": "yue"}).text
    guangzhou = pdf(headers={"Accept-Language": "yue-Hans-CN"})  # Cantonese written in simplified characters
    assert guangzhou[0] == "zh-CN" and "走失儿童" in guangzhou[1]


def test_verify_case_from_the_command_line_refuses_a_case_changed_since_its_version_was_read(
    cli_env: CliRunner, client: TestClient, container: Container
) -> None:
    token = issue_token(container.deps, OPERATOR, "NGO", [Scope.WRITE])
    ngo = {"Authorization": f"Bearer {token}"}
    answer = client.post("/api/cases", files=[("photos", ("kid.jpg", face_jpeg()))], headers=ngo,
                         data={"given_name": "Lin", "sex": "female", "birth_date": "2015-01-01",
                               "missing_since": "2019-06-01T08:00:00Z", "last_seen_text": "Wuhan"})
    case_id = answer.json()["id"]
    run_jobs(container)
    read = get_case(container.deps, OPERATOR, case_id)["version"]
    assert client.patch(f"/api/cases/{case_id}", json={"birth_date": "2014-01-01"}, headers=ngo).status_code == 200
    verify = ["verify-case", str(case_id), "--by", "officer Wang", "--evidence", "report seen", "--case-version"]
    stale = cli_env.invoke(cli, [*verify, read])
    assert stale.exit_code == 1 and "changed since you opened it" in stale.output
    assert client.get(f"/p/{case_id}").status_code == 404  # nothing verified
    again = get_case(container.deps, OPERATOR, case_id)["version"]
    assert cli_env.invoke(cli, [*verify, again]).exit_code == 0 and client.get(f"/p/{case_id}").status_code == 200

"""Probe s33, a family's journey after registering. G1: a family could not add a newer photo to its own case (the
correction form has no photo field; registering again was refused and pointed back to that form). Now the case
page offers "Add photos" to whoever may correct the case: on a case waiting for verification the photos join it;
on a verified one they wait for a moderator, who accepts or refuses them in the corrections queue. G2: a correction
still waiting vanished when the case was closed, the family's timeline saying "waiting" for ever, and the family was
not emailed. Now closing drops it, said on the timeline and audited, the close form warns first, and the family is
emailed in its language. G7: the language of a person's emails was fixed when the account was made; now "My account"
chooses it, and so does the language switch when signed in."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from httpx import Response
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.model import GeoPoint, NewCase, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.cli import app as cli
from reunite.services import corrections, intake, moderation, reunion
from reunite.services.accounts import from_session, sign_in, sign_up
from tests.conftest import count_rows, run_jobs, session_for
from tests.e2e.test_days_where import Rendered
from tests.e2e.test_journeys import csrf
from tests.photos import portrait

BORN = date(2016, 6, 1)
PASSWORD = "correct horse battery"


def _family(container: Container, email: str, language: str = "en") -> tuple[str, Principal]:
    sign_up(container.deps, email, PASSWORD, "宝贝回家志愿者", language=language)
    session = sign_in(container.deps, email, PASSWORD)
    who = from_session(container.deps, session)
    assert who is not None
    return session, who


def _page(container: Container, session: str, lang: str = "en") -> TestClient:
    client = TestClient(create_app(container), headers={"Accept-Language": lang})
    client.cookies.set("reunite_session", session)
    return client


def _register(container: Container, who: Principal) -> int:
    case = NewCase(given_name="浩然", family_name="王", sex=Sex.MALE, birth_date=BORN,
                   missing_since=datetime(2024, 11, 20, 8, 30, tzinfo=UTC), last_seen_place=GeoPoint(30.64, 104.04),
                   last_seen_text="成都市武侯区", police_report="PR-2024-1120")
    return intake.register_case(container.deps, who, case, [Upload(portrait("collins", 0), "a3.jpg")],
                                [date(2019, 6, 1)]).case_id


def _photos(client: TestClient, case_id: int, *photos: tuple[bytes, str]) -> Response:
    return client.post(f"/cases/{case_id}/photos", follow_redirects=False,
                       data={"csrf": csrf(client, f"/cases/{case_id}/photos"), "photo_dates": [d for _, d in photos]},
                       files=[("photos", (f"p{n}.jpg", data, "image/jpeg")) for n, (data, _) in enumerate(photos)])


def _held(container: Container, case_id: int) -> tuple[int, int]:
    """The case's photos: (all, held for a moderator)."""
    with container.engine.connect() as conn:
        return tuple(conn.exec_driver_sql(  # type: ignore[return-value]
            f"SELECT count(*), count(held_since) FROM photos WHERE case_id = {case_id}").one())


def test_a_family_adds_a_newer_photo_to_its_verified_case_and_a_moderator_accepts_it(container: Container) -> None:
    session, family = _family(container, "ngo@example.org", "zh_CN")
    case_id = _register(container, family)
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report PR-2024-1120 checked")
    page = _page(container, session, "zh-CN")
    shown = page.get(f"/cases/{case_id}").text
    assert f'<a href="/cases/{case_id}/photos">添加照片</a>' in shown
    form = page.get(f"/cases/{case_id}/photos").text
    assert 'enctype="multipart/form-data"' in form and 'type="file" name="photos"' in form
    assert 'type="date" name="photo_dates"' in form and "审核员会在使用前核查每张照片" in form  # said before sending

    sent = _photos(page, case_id, (portrait("collins", 2), "2022-05-01"))
    assert sent.status_code == 303 and sent.headers["location"] == f"/cases/{case_id}?photos=1&held=1#photos"
    told = html.unescape(page.get(sent.headers["location"]).text)
    assert "已添加 1 张照片。" in told and "审核员会在使用前核查每张照片" in told
    assert "已添加照片：1 张" in told  # the timeline, not "when the child was registered again"
    assert _held(container, case_id) == (2, 1)  # neither published nor matched until accepted
    assert _photos(page, case_id, (portrait("collins", 2), "2022-05-01")).headers["location"] == \
        f"/cases/{case_id}?photos=0#photos"  # the same photo again adds nothing
    assert _held(container, case_id) == (2, 1)

    run_jobs(container)  # its faces read: against the case's own photos (probe s35 J1)
    moderator = _page(container, session_for(container, Role.MODERATOR)[1])
    queue = html.unescape(moderator.get("/moderation").text).split('id="corrections"')[1]
    assert "Photos added to the verified case, published and matched only once you accept: 1" in queue
    assert "Accept the correction" in queue
    waiting = corrections.waiting_for(container.deps, OPERATOR, case_id)
    assert waiting is not None and len(waiting["photo_ids"]) == 1
    corrections.decide_correction(container.deps, OPERATOR, int(waiting["id"]), accept=True)
    assert _held(container, case_id) == (2, 0)


def test_photos_added_to_a_case_waiting_for_verification_join_it_and_bad_dates_are_said_by_photo(
        container: Container) -> None:
    session, family = _family(container, "fam@example.org")
    case_id = _register(container, family)
    page = _page(container, session)
    assert "The photos join the case at once" in page.get(f"/cases/{case_id}/photos").text
    early = _photos(page, case_id, (portrait("collins", 1), "2024-01-01"), (portrait("collins", 3), "2010-01-01"))
    assert early.status_code == 422 and "photo 2: the date taken must lie between birth and today" in \
        html.unescape(early.text)
    assert _held(container, case_id) == (1, 0)  # nothing added when a photo is refused
    sent = _photos(page, case_id, (portrait("collins", 1), "2024-01-01"), (portrait("collins", 3), ""))
    assert sent.headers["location"] == f"/cases/{case_id}?photos=2#photos"
    assert "2 photos added." in page.get(sent.headers["location"]).text
    assert _held(container, case_id) == (3, 0)  # the verifier sees them with the case

    stranger = _page(container, _family(container, "other@example.org")[0])
    assert stranger.get(f"/cases/{case_id}/photos").status_code == 404
    assert _photos(page, case_id).status_code == 422  # no photo chosen


def test_registering_again_says_how_to_add_a_photo_politely_in_chinese(container: Container) -> None:
    session, family = _family(container, "again@example.org")
    case_id = _register(container, family)
    typed = {"given_name": "浩然", "family_name": "王", "sex": "male", "birth_date": "2016-03-10",
             "missing_since": "2024-11-20", "missing_since_time": "16:30", "tz": "Asia/Shanghai"}
    for lang, words in (("zh-CN", "您已经登记过这个孩子（案件 {case}，出生日期不同）"), ("en", "“Add photos”")):
        page = _page(container, session, lang)
        again = page.post("/cases/new", data=typed | {"csrf": csrf(page, "/cases/new")},
                          files=[("photos", ("n.jpg", portrait("collins", 2), "image/jpeg"))])
        said = html.unescape(again.text)
        assert again.status_code == 409 and words.format(case=case_id) in said, said
        assert "你已经" not in said
    assert count_rows(container, "cases") == 1


def test_closing_a_case_drops_its_waiting_correction_said_everywhere_and_emails_the_family(
        container: Container) -> None:
    mail = Rendered(container.deps.site.timezone)
    container.deps = replace(container.deps, mailer=mail)
    session, family = _family(container, "ngo@example.org", "zh_CN")
    case_id = _register(container, family)
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report checked")
    owner = from_session(container.deps, session)  # now the case's owner
    assert owner is not None
    corrections.correct_case(container.deps, owner, case_id, {"birth_date": date(2016, 3, 10)})
    page = _page(container, session)
    _photos(page, case_id, (portrait("collins", 2), "2022-05-01"))  # held with the correction
    police = _page(container, session_for(container, Role.POLICE)[1])
    close_form = html.unescape(police.get(f"/cases/{case_id}").text).split('id="close"')[1]
    assert "A correction waits for a moderator (above): accept or refuse it first." in close_form

    officer = Principal(role=Role.POLICE, account_id=9001)
    reunion.record_verification(container.deps, officer, case_id, None, "dna", "match", "")
    reunion.close_case(container.deps, officer, case_id, reunited=True, keep_data=True)
    with container.engine.connect() as conn:
        status, reason = conn.exec_driver_sql(
            f"SELECT status, reason FROM case_corrections WHERE case_id = {case_id}").one()
    assert (status, reason) == ("dropped", "the case was closed")
    assert _held(container, case_id) == (1, 0)  # the held photo never became the case's
    assert "Nothing waiting." in police.get("/moderation").text.split('id="corrections"')[1].split("<h2")[0]
    assert corrections.waiting_for(container.deps, OPERATOR, case_id) is None
    shown = html.unescape(page.get(f"/cases/{case_id}").text)
    assert "The correction that was waiting was dropped undecided: the case was closed (Birth date)" in shown
    assert "A correction waits for a moderator" not in shown
    run_jobs(container)
    [(to, _, body)] = [sent for sent in mail.sent if sent[1] == "case_reunited"]
    assert to == "ngo@example.org" and "我们由衷地为浩然回到您身边而高兴" in body and f"/cases/{case_id}" in body

    other = _register(container, _family(container, "f2@example.org")[1])
    reunion.close_case(container.deps, officer, other, reunited=False, keep_data=False)
    run_jobs(container)
    [(to, _, body)] = [sent for sent in mail.sent if sent[1] == "case_closed"]
    assert to == "f2@example.org" and "closed the case of 浩然" in body and "glad" not in body


def test_a_person_chooses_the_language_of_their_emails_on_my_account_or_by_the_language_switch(
        container: Container, cli_env: CliRunner) -> None:
    mail = Rendered(container.deps.site.timezone)
    container.deps = replace(container.deps, mailer=mail)
    session, family = _family(container, "lang@example.org")
    page = _page(container, session)
    account = page.get("/account").text
    assert "Language of emails" in account and '<option value="en" lang="en" selected>' in account
    chosen = page.post("/account/language", data={"csrf": csrf(page, "/account"), "language": "zh_CN"},
                       follow_redirects=False)
    assert chosen.status_code == 303 and "your emails will be written" in page.get("/account?language=1").text.lower()
    assert _language(container) == "zh_CN"
    wrong = page.post("/account/language", data={"csrf": csrf(page, "/account"), "language": "fr"})
    assert wrong.status_code == 422 and _language(container) == "zh_CN"

    page.get("/lang/zh_HK?next=/account", headers={"Sec-Fetch-Site": "cross-site"})  # a link on another site
    assert _language(container) == "zh_CN"
    page.get("/lang/zh_HK?next=/account", headers={"Sec-Fetch-Site": "same-origin"})
    assert _language(container) == "zh_HK"
    case_id = _register(container, family)
    moderation.verify_case(container.deps, OPERATOR, case_id, "police report checked")
    run_jobs(container)
    [(_, _, body)] = [sent for sent in mail.sent if sent[1] == "case_verified"]
    assert "已核實" in body  # traditional characters, as chosen

    made = cli_env.invoke(cli, ["create-account", "--email", "op@example.org", "--role", "family", "--lang", "zh_TW"],
                          env={"REUNITE_NEW_PASSWORD": PASSWORD})
    assert made.exit_code == 0, made.output
    assert _language(container, "op@example.org") == "zh_TW"


def _language(container: Container, email: str = "lang@example.org") -> str:
    with container.engine.connect() as conn:
        return str(conn.exec_driver_sql("SELECT language FROM accounts WHERE email = %s", (email,)).scalar_one())

"""A witness's answer to the email intake's reply (probe s45 P1, P2, P3): the reply carries the report's receipt and
private link, says what was understood and asks only for what is missing, in the writer's language and script; the
witness's answer from the same address is added to the report it answers (its words, time and place), never to a
decided lead's time and place; anyone else's is not."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command

from reunite.adapters.db.migrate import alembic_config, upgrade
from reunite.adapters.notify.mail import render
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR
from reunite.entrypoints.mail import IntakeHandler, own_words, reply_language
from reunite.services import moderation
from tests.conftest import plain_photo, run_jobs

SHANGHAI = ZoneInfo("Asia/Shanghai")
VOUCHED = "mx.example.net; dmarc=pass header.from=example.org"


class Sent:
    """A mailer that renders each email with the real templates and keeps it (subject, body, headers)."""

    configured = True

    def __init__(self) -> None:
        self.mails: list[dict[str, Any]] = []

    def send(self, to: str, kind: str, language: str, context: dict[str, Any],
             headers: dict[str, str] | None = None) -> str:
        subject, body = render(kind, language, context, "Asia/Shanghai")
        self.mails.append({"to": to, "kind": kind, "subject": subject, "body": body, "headers": headers or {}})
        return subject


@pytest.fixture
def sent(container: Container) -> Sent:
    mailer = Sent()
    container.deps = replace(container.deps, mailer=mailer)
    return mailer


def mail(sender: str, subject: str, words: str, photo: bytes | None = None, answers: str = "",
         vouched: bool = True, date: datetime | None = None) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "sightings@example.org", subject
    message["Date"] = format_datetime(date or datetime.now(SHANGHAI).replace(microsecond=0))
    message["Message-ID"] = f"<{abs(hash((sender, subject, words)))}@example.org>"
    if vouched:
        message["Authentication-Results"] = VOUCHED
    if answers:
        message["In-Reply-To"] = message["References"] = answers
    message.set_content(words)
    if photo is not None:
        message.add_attachment(photo, maintype="image", subtype="jpeg", filename="a.jpg")
    return message.as_bytes()


def deliver(container: Container, raw: bytes) -> None:
    assert asyncio.run(IntakeHandler(container.deps).handle_DATA(None, None, SimpleNamespace(content=raw))) \
        == "250 Message accepted"


def report_of(container: Container, sender: str) -> Any:
    with container.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT id, receipt, status, description, place_text, seen_at, seen_at_basis FROM sightings "
            "WHERE reporter_contact = %s", (sender,)).one()


def test_a_reply_without_a_photo_adds_its_time_place_and_words_to_the_report_it_answers(
        container: Container, sent: Sent) -> None:
    deliver(container, mail("m4@example.org", "Saw a child", "I saw this boy begging near the station, alone.",
                            plain_photo(seed=41)))
    first = report_of(container, "m4@example.org")
    [thanks] = sent.mails
    # the receipt and the private link, as the form gives them; never the record's number; asks where and when
    assert first.receipt in thanks["subject"] and str(first.id) not in thanks["subject"] + thanks["body"]
    assert f"/reports/{first.receipt}/" in thanks["body"] and "time not given" in thanks["body"]
    assert "reply to this email with where and when you saw the child" in thanks["body"]
    assert first.receipt in thanks["headers"]["Message-ID"]

    yesterday = (datetime.now(SHANGHAI) - timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)
    words = ("I saw him yesterday at 3pm near Guangzhou East railway station (广州东站), he was with an older man.\n\n"
             "On Sat, Dec 5, 2026 at 3:10 PM Reunite wrote:\n> Thank you: your sighting is number "
             f"{first.receipt}\n> Seen at: today at 9am in Shanghai")
    deliver(container, mail("m4@example.org", f"Re: {thanks['subject']}", words,
                            answers=thanks["headers"]["Message-ID"]))
    after = report_of(container, "m4@example.org")
    assert "with an older man" in after.description and "I saw this boy" in after.description
    assert "Shanghai" not in after.description  # the quoted reply is not the witness's words
    assert (after.seen_at, after.seen_at_basis) == (yesterday, "given")
    assert after.place_text == "广东省广州市" and after.status == "pending"
    added = sent.mails[-1]
    assert added["kind"] == "sighting_added" and added["to"] == "m4@example.org"
    assert "what you wrote was added to your report" in added["body"]  # English, for all its two Chinese words
    assert "Place: in Guangzhou, Guangdong, from your words" in added["body"]
    assert "reply to this email with" not in added["body"]  # nothing left to ask

    # by the receipt in the subject alone (a client that drops In-Reply-To), from the same address
    deliver(container, mail("M4@Example.org", f"Re: number {first.receipt}", "He wore a blue school uniform."))
    assert "blue school uniform" in report_of(container, "m4@example.org").description
    # an answer to a reply sent before replies gave the receipt: its subject names the record's number
    deliver(container, mail("m4@example.org", f"Re: Thank you: your sighting is number {first.id}",
                            "She had a red backpack."))
    assert "red backpack" in report_of(container, "m4@example.org").description
    # from another address, even vouched for and naming the receipt: nothing added, no photo asked for
    deliver(container, mail("stranger@example.org", f"Re: {thanks['subject']}", "He is my son, call me.",
                            answers=thanks["headers"]["Message-ID"]))
    assert "my son" not in report_of(container, "m4@example.org").description
    assert sent.mails[-1]["kind"] == "sighting_needs_photo" and "Nothing from your email was kept" in sent.mails[-1][
        "body"]


def test_an_answer_naming_another_city_than_the_reports_says_it_was_not_made_its_place(
        container: Container, sent: Sent) -> None:
    """Probe s48 P5: the report read one city from the first email; the witness's answer named another (深圳): it
    was added as words only and the reply said "added", confirming the first city without a word on the second."""
    deliver(container, mail("m6@example.org", "看到一个孩子", "今天下午3点在成都春熙路看到这个孩子",
                            plain_photo(seed=43)))
    first = report_of(container, "m6@example.org")
    assert first.place_text == "四川省成都市"
    [thanks] = sent.mails
    deliver(container, mail("m6@example.org", f"回复：{thanks['subject']}", "不对，是在深圳罗湖火车站东广场",
                            answers=thanks["headers"]["Message-ID"]))
    after = report_of(container, "m6@example.org")
    assert after.place_text == "四川省成都市" and "深圳罗湖火车站" in after.description
    added = sent.mails[-1]
    assert added["kind"] == "sighting_added"
    assert "您写的地点（广东省深圳市）没有改成报告的地点" in added["body"], added["body"]


def test_after_approval_an_answer_goes_to_the_moderators_and_keeps_the_reports_time_and_place(
        container: Container, sent: Sent) -> None:
    evening = (datetime.now(SHANGHAI) - timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
    deliver(container, mail("m5@example.org", "看到孩子", "今天下午3点在成都春熙路看到这个孩子，在乞讨",
                            plain_photo(seed=42), date=evening))  # "today" is the day it was sent
    first = report_of(container, "m5@example.org")
    thanks = sent.mails[-1]
    assert "四川省成都市（根据您邮件中的文字）" in thanks["body"] and "15:00 中国标准时间" in thanks["body"]
    assert "请回复这封邮件，说明" not in thanks["body"]  # time and place given: not asked again
    run_jobs(container)
    moderation.moderate_sightings(container.deps, OPERATOR, [first.id], approve=True)
    deliver(container, mail("m5@example.org", f"回复：{thanks['subject']}", "其实是昨天上午10点在重庆解放碑看到的",
                            answers=thanks["headers"]["Message-ID"]))
    after = report_of(container, "m5@example.org")
    assert (after.seen_at, after.place_text) == (first.seen_at, first.place_text)  # a decided report's own
    assert after.status == "pending" and "重庆解放碑" in after.description  # for the moderators to read
    assert "您的报告已经通过审核" in sent.mails[-1]["body"]


def test_the_reply_is_in_the_writers_script_and_a_refused_photo_is_explained_in_it(
        container: Container, sent: Sent) -> None:
    deliver(container, mail("m3@example.org", "看到孩子", "今天下午3點在臺北西門町看到這個孩子", plain_photo(seed=43)))
    assert report_of(container, "m3@example.org").place_text == "台北"  # read as the form reads it
    assert "謝謝" in sent.mails[-1]["subject"] and "臺北（根據您郵件中的文字）" in sent.mails[-1]["body"]
    deliver(container, mail("m6@example.org", "看到孩子", "在北京朝阳区看到这个孩子", plain_photo(seed=44)))
    assert report_of(container, "m6@example.org").place_text == "北京市"  # never cpca's 北京市市辖区
    command.downgrade(alembic_config(container.engine), "0057_photo_copies_cleared")  # as stored before: mended
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE sightings SET place_text = '北京市市辖区' "
                             "WHERE reporter_contact = 'm6@example.org'")
    upgrade(container.engine)
    assert report_of(container, "m6@example.org").place_text == "北京市"
    deliver(container, mail("m7@example.org", "看到孩子", "今天早上在成都看到这个孩子", b"not really a jpeg"))
    refused = sent.mails[-1]
    assert refused["kind"] == "sighting_refused" and "第 1 张照片：这个文件不是照片" in refused["body"]
    assert "this file is not a photo" not in refused["body"]


@pytest.mark.parametrize(("text", "language"), [
    ("I saw him near Guangzhou East railway station (广州东站), he was with an older man.", "en"),
    ("今天下午3点在成都春熙路看到这个孩子", "zh_CN"),
    ("今天下午3點在臺北西門町看到這個孩子", "zh_TW"),
    ("今日喺銅鑼灣見到呢個細路，佢冇著鞋", "zh_HK"),
    ("在Chunxi Road看到一个孩子", "zh_CN"),
])
def test_the_reply_language_is_the_one_the_words_are_written_in(text: str, language: str) -> None:
    assert reply_language(text) == language


def test_the_message_answered_is_not_read_as_the_writers_words() -> None:
    text = "在广州东站\n\n在 2026年12月5日 15:10，Reunite 写道：\n> 谢谢：您的目击报告编号为 Z39C-AZM9\n> 上海"
    assert own_words(text) == "在广州东站"
    assert own_words("Near the bus stop\n-----Original Message-----\nFrom: Reunite") == "Near the bus stop"
    wrapped = "Near the bus stop\n\nOn Sat, Dec 5, 2026 at 3:10 PM Reunite <\nsightings@example.org> wrote:\n> Seen at"
    assert own_words(wrapped) == "Near the bus stop"  # no time of our reply's date left to read

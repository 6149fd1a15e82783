"""The outside probe s46's P12: the cap of three confirmation emails an address gets a day was bypassed by writing
one mailbox many ways (RFC 5322 comments, quoted local parts, angle brackets, a domain ending in a dot, which was
also sent with an empty envelope recipient): anyone, with no account, could mail-bomb an address from the site.
Every address the site takes is read by ``domain.mailboxes``: such forms are refused saying how to write the
address, the cap counts the mailbox, and no email goes out without its mailbox as the envelope recipient.

And P4: one partner asking again for the same area written another way (武汉, Wuhan, 武汉市) made one webhook (or
one email subscription) per spelling, each sending every alert again; a body with both a region and a point was
kept with both. The area is the place the gazetteer reads, and a body naming two areas is refused."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from reunite.adapters.notify.mail import SmtpMailer
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.domain.errors import InvalidInput
from reunite.entrypoints.api.app import create_app
from reunite.services import accounts, mail_intake, signup
from reunite.services.accounts import issue_token
from tests.conftest import count_rows, run_jobs_settled
from tests.e2e.test_bad_input import csrf_of
from tests.e2e.test_probe_s21_reach import Recorder
from tests.e2e.test_reach import Inbox, inbox, mailing  # noqa: F401

VARIANTS = ["victim(a)@example.org", "victim(b)@example.org", "victim@example.org(c)", "<victim@example.org>",
            '"victim"@example.org', '"vic"tim@example.org', "Victim <victim@example.org>", "victim@example.org.",
            "Victim@example.org."]


def point(n: int) -> dict[str, float]:
    return {"lat": 30.5, "lon": 114.0 + n / 10, "radius_km": 5}


class Envelopes(Inbox):
    """The test SMTP server, keeping each envelope's recipients too."""

    def __init__(self) -> None:
        super().__init__()
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recipients.append(list(envelope.rcpt_tos))
        return await super().handle_DATA(server, session, envelope)


def test_one_mailbox_written_another_way_gets_no_fourth_confirmation_email(
    mailing: Container, inbox: Inbox  # noqa: F811
) -> None:
    anonymous = TestClient(create_app(mailing))
    token = issue_token(mailing.deps, OPERATOR, "any partner", [Scope.READ_SIGHTINGS])
    partner = TestClient(create_app(mailing), headers={"Authorization": f"Bearer {token}",
                                                        "Accept-Language": "zh-CN"})
    for n, address in enumerate(VARIANTS):
        for client in (anonymous, partner):
            refused = client.post("/api/subscriptions", json={"address": address} | point(n))
            assert refused.status_code == 422, (address, refused.text)
            assert refused.json()["field"] == "address"
        assert "name@example.org" in refused.json()["detail"] or "句点" in refused.json()["detail"], address
    assert count_rows(mailing, "subscriptions") == 0
    asked = [anonymous.post("/api/subscriptions", json={"address": address} | point(n)) for n, address in
             enumerate(["victim@example.org", "Victim@example.org", "VICTIM@EXAMPLE.ORG", "victim@Example.org",
                        " victim@example.ORG "])]
    assert {a.status_code for a in asked} == {201}
    run_jobs_settled(mailing)
    assert len(inbox.messages) == 3  # the mailbox's three a day, however it was written


def test_one_inbox_written_with_sub_addresses_or_dots_gets_no_fourth_confirmation_email(
    mailing: Container, inbox: Inbox  # noqa: F811
) -> None:
    """Probe s47 P2: victim+1@gmail.com, victim+2@gmail.com … each counted as a mailbox of its own: 19 confirmations
    reached one Gmail inbox in a minute. Sub-addresses and Gmail's dots are one mailbox to the cap."""
    anonymous = TestClient(create_app(mailing))
    addresses = [f"victim+{n}@gmail.com" for n in range(4)] + ["v.i.c.t.i.m@gmail.com", "Victim+x@googlemail.com"]
    asked = [anonymous.post("/api/subscriptions", json={"address": a} | point(n)) for n, a in enumerate(addresses)]
    assert {a.status_code for a in asked} == {201}
    run_jobs_settled(mailing)
    assert len(inbox.messages) == 3
    assert inbox.messages[0]["To"] == "victim+0@gmail.com"  # sent as written, counted as one inbox


@pytest.mark.parametrize(("one", "other"), [
    ("victim48@proton.me", "v.ic-tim_48@protonmail.com"), ("victim48@pm.me", "victim48@protonmail.ch"),
    ("x@victim48.fastmail.com", "victim48+y@fastmail.com"),
])
def test_one_inbox_at_proton_or_fastmail_is_one_mailbox_to_the_caps(one: str, other: str) -> None:
    """Probe s48 P3: Proton reads no dot, hyphen or underscore in a name and its domains are one account; Fastmail
    delivers any name at a user's subdomain to that user."""
    from reunite.domain.mailboxes import mailbox_key

    assert mailbox_key(one) == mailbox_key(other)
    assert mailbox_key("victim48@proton.me") != mailbox_key("victim49@proton.me")


def test_a_plain_address_reads_as_its_mailbox_in_the_subscription_and_the_form_says_how_to_write_it(
    mailing: Container, inbox: Inbox  # noqa: F811
) -> None:
    anonymous = TestClient(create_app(mailing))
    assert anonymous.post("/api/subscriptions", json={"address": " Li.Hua@Example.ORG "} | point(1)).status_code == 201
    run_jobs_settled(mailing)
    assert [m["To"] for m in inbox.messages] == ["Li.Hua@example.org"]
    browser = TestClient(create_app(mailing), base_url="https://reunite.test", headers={"Accept-Language": "zh-CN"})
    sent = browser.post("/subscribe", data={"email": "li(x)@example.org", "region": "武汉", "radius_km": "10",
                                            "csrf": csrf_of(browser.get("/subscribe").text)})
    assert sent.status_code == 422
    assert "请只填写电子邮箱地址本身" in sent.text and 'value="li(x)@example.org"' in sent.text  # kept as typed


def test_sign_up_links_and_accounts_take_the_plain_mailbox_only(mailing: Container,  # noqa: F811
                                                                 inbox: Inbox) -> None:  # noqa: F811
    for address in VARIANTS:
        with pytest.raises(InvalidInput, match="email address") as refused:
            signup.start(mailing.deps, address, "en", "203.0.113.5")
        assert refused.value.field == "email"
        with pytest.raises(InvalidInput, match="email address"):
            accounts.sign_up(mailing.deps, address, "long enough password", "A")
    assert count_rows(mailing, "accounts") == 0
    accounts.sign_up(mailing.deps, " Li.Hua@Example.ORG", "long enough password", "A")
    assert count_rows(mailing, "accounts WHERE email = 'Li.Hua@example.org'") == 1
    for address in ("li.hua@example.org", "LI.HUA@EXAMPLE.ORG", "Li.Hua@example.org"):
        signup.start(mailing.deps, address, "en", f"203.0.113.{len(address)}")
    run_jobs_settled(mailing)
    assert len(inbox.messages) == 1  # one mailbox asked three times within a minute: one email


def test_no_email_goes_out_without_its_mailbox_as_the_envelope_recipient() -> None:
    envelopes = Envelopes()
    controller = Controller(envelopes, hostname="127.0.0.1", port=envelopes.port)
    controller.start()
    try:
        mailer = SmtpMailer("127.0.0.1", envelopes.port, "alerts@reunite.test")
        for address in ("victim@example.org.", "victim(a)@example.org", '"v"@example.org', ""):
            with pytest.raises(ValueError, match="not an email address"):
                mailer.send(address, "sighting_needs_photo", "en", {"site": "https://reunite.test"})
        mailer.send("Victim@Example.ORG", "sighting_needs_photo", "en", {"site": "https://reunite.test"})
    finally:
        controller.stop()
    assert envelopes.recipients == [["Victim@example.org"]]


AREAS = [{"region": "武汉"}, {"region": "Wuhan"}, {"region": "武汉市"}, {"region": " wuhan "}, {"region": "Hankou"}]


def test_the_same_area_written_another_way_is_the_webhook_already_made(container: Container) -> None:
    container.deps = replace(container.deps, webhooks=Recorder())
    token = issue_token(container.deps, OPERATOR, "partner", [Scope.WEBHOOKS])
    client = TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"})
    hook = {"channel": "webhook", "address": "https://93.184.216.34/h"}
    made = [client.post("/api/subscriptions", json=hook | area) for area in AREAS]
    assert [m.status_code for m in made] == [201] * len(AREAS)
    assert {m.json()["id"] for m in made} == {made[0].json()["id"]}
    assert made[0].json()["secret"] and not any(m.json()["secret"] for m in made[1:])
    assert len(client.get("/api/subscriptions").json()) == 1

    other = client.post("/api/subscriptions", json=hook | {"region": "湖北"})  # the province is another area
    assert other.status_code == 201 and other.json()["id"] != made[0].json()["id"]

    both = client.post("/api/subscriptions", json=hook | {"region": "Wuhan", "lat": 30, "lon": 114})
    assert both.status_code == 422 and both.json()["field"] == "region"
    assert "not both" in both.json()["detail"]
    chinese = client.post("/api/subscriptions", headers={"Accept-Language": "zh-CN"},
                          json=hook | {"region": "Wuhan", "lat": 30, "lon": 114})
    assert "不要两者都填" in chinese.json()["detail"]
    assert len(client.get("/api/subscriptions").json()) == 2


def test_the_same_area_written_another_way_is_the_email_subscription_waiting(
    mailing: Container, inbox: Inbox  # noqa: F811
) -> None:
    token = issue_token(mailing.deps, OPERATOR, "partner", [Scope.READ_SIGHTINGS])
    client = TestClient(create_app(mailing), headers={"Authorization": f"Bearer {token}"})
    made = [client.post("/api/subscriptions", json={"address": "fan@example.org"} | area) for area in AREAS]
    assert [m.status_code for m in made] == [201] * len(AREAS)
    assert {m.json()["id"] for m in made} == {made[0].json()["id"]}
    assert count_rows(mailing, "subscriptions") == 1
    run_jobs_settled(mailing)
    assert len(inbox.messages) == 1


def test_an_emailed_report_from_a_sender_not_written_plainly_gets_no_reply(
    mailing: Container, inbox: Inbox  # noqa: F811
) -> None:
    for sender in ('"victim"@example.org', "victim@example.org.", "victim(a)@example.org"):
        assert mail_intake.receive(mailing.deps, sender, "seen", "a girl", [], "en", verified=True) == \
            "sighting_needs_photo"
    assert inbox.messages == []
    mail_intake.receive(mailing.deps, "Li@Example.ORG", "seen", "a girl", [], "en", verified=True)
    assert [m["To"] for m in inbox.messages] == ["li@example.org"]  # its mailbox (kept in small letters)

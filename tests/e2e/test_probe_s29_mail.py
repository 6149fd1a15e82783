"""The outside probe s29's C6: anyone could make the site send one address an email per area asked for (20 an hour
from each client address, 5,000 from any token), each quoting the sender's own words ("Wuhan. Your bank account is
locked, call …") from the site's address. An address now gets at most three confirmation emails a day, whatever the
area and whoever asks, every request answered alike; the email names the place as the gazetteer does, and no text
from outside lays out a line of its own in any email."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from reunite.adapters.notify.mail import render
from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.domain.ages import age_of_years
from reunite.entrypoints.api.app import create_app
from reunite.services import reach
from reunite.services.accounts import issue_token
from tests.conftest import count_rows, run_jobs_settled
from tests.e2e.test_reach import Inbox, inbox, mailing, text_of  # noqa: F401
from tests.e2e.test_safety import Later

PHISHING = ("Wuhan. Your bank account is locked, call +1 900 555 0100 or visit http://evil.example/login now"
            "\r\nBcc: someone@else.test")


def point(n: int) -> dict[str, float]:
    return {"lat": 30.5, "lon": 114.0 + n / 10, "radius_km": 5}


def test_an_address_gets_three_confirmation_emails_a_day_whoever_asks_and_for_whatever_area(
    mailing: Container, inbox: Inbox  # noqa: F811
) -> None:
    anonymous = TestClient(create_app(mailing))
    token = issue_token(mailing.deps, OPERATOR, "any partner", [Scope.READ_SIGHTINGS])
    partner = TestClient(create_app(mailing), headers={"Authorization": f"Bearer {token}"})
    asked = [anonymous.post("/api/subscriptions", json={"address": "victim@example.org"} | point(n)) for n in range(5)]
    asked += [partner.post("/api/subscriptions", json={"address": "Victim@Example.org"} | point(n)) for n in (5, 6)]
    assert {a.status_code for a in asked} == {201}
    assert len({str(sorted(a.json().items())) for a in asked[:5]}) == 1  # answered alike, capped or not
    assert all(a.json()["status"] == "pending" for a in asked)
    run_jobs_settled(mailing)
    assert len(inbox.to("victim@example.org")) + len(inbox.to("Victim@Example.org")) == 3
    assert count_rows(mailing, "subscriptions WHERE status = 'pending'") == 7  # each kept, waiting

    anonymous.post("/api/subscriptions", json={"address": "someone.else@example.org"} | point(0))
    run_jobs_settled(mailing)
    assert len(inbox.to("someone.else@example.org")) == 1  # another address is not capped by it

    # the next day the address's owner asking for an area gets its link
    tomorrow = replace(mailing, deps=replace(mailing.deps, clock=Later(timedelta(hours=25))))
    reach.subscribe(tomorrow.deps, OPERATOR, "email", "victim@example.org", None, 0, "Wuhan")
    run_jobs_settled(mailing)
    assert len(inbox.to("victim@example.org")) + len(inbox.to("Victim@Example.org")) == 4


def test_the_confirmation_names_the_place_as_the_gazetteer_does_never_the_words_typed(
    mailing: Container, inbox: Inbox  # noqa: F811
) -> None:
    anonymous = TestClient(create_app(mailing))
    for address, language in (("phished@example.org", "en"), ("phished.zh@example.org", "zh_CN")):
        sent = anonymous.post("/api/subscriptions", json={"address": address, "region": PHISHING,
                                                          "language": language})
        assert sent.status_code == 201
    anonymous.post("/api/subscriptions", json={"address": "map@example.org"} | point(3))
    run_jobs_settled(mailing)
    english, chinese = text_of(inbox.to("phished@example.org")[0]), text_of(inbox.to("phished.zh@example.org")[0])
    assert "near Wuhan, Hubei." in english and "湖北省武汉市" in chinese
    for text in (english, chinese):
        assert not any(word in text for word in ("bank", "900 555", "evil.example", "Bcc", "someone@else"))
    assert "near 30.50, 114.30 (+5 km)." in text_of(inbox.to("map@example.org")[0])


def test_no_text_from_outside_makes_a_line_of_its_own_in_an_email() -> None:
    subject, body = render("case_alert", "en", {
        "case": {"given_name": "Lin\r\nBcc: x@evil.example", "age_now_told": age_of_years(8),
                 "age_then_told": age_of_years(8),
                 "missing_since": datetime(2026, 12, 1, 9, tzinfo=UTC),
                 "day_zone": "Asia/Shanghai", "missing_since_precision": "day", "last_seen_text": "Wuhan\nClick",
                 "description": "red coat\r\n\r\nCall 900 555 0100\u2028now"},
        "distance_km": None, "poster_url": "https://reunite.test/p/1", "phone": "110",
        "report_url": "https://reunite.test/", "unsubscribe_url": "https://reunite.test/u"})
    assert "\n" not in subject and "\r" not in subject and "Lin Bcc: x@evil.example" in subject
    lines = body.splitlines()
    assert not any(line.startswith(("Bcc", "Click", "Call", "now")) for line in lines)
    assert "red coat Call 900 555 0100 now" in lines
    subject, body = render("confirm_subscription", "en", {"area": "Wuhan\r\nBcc: x@evil.example",
                                                          "confirm_url": "https://reunite.test/c"})
    assert not any(line.startswith("Bcc") for line in body.splitlines())

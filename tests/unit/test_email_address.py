"""Probe s31 E7: an alert address with a non-ASCII part before the "@" was accepted, and every email to it then
failed unseen (mail servers without SMTPUTF8 refuse it), so its confirmation never came. Accounts, sign-ups and
email alerts take only addresses mail can reach, and say so at once.

Probe s46 P12: one mailbox written many ways (comments, quotes, angle brackets, a domain ending in a dot) was taken as
so many addresses, each with its own daily cap of confirmation emails. Every address is read by one function
(``domain.mailboxes``): the plain form only, each other form refused with a message saying how to write it."""

from __future__ import annotations

import pytest

from reunite.domain.errors import InvalidInput
from reunite.domain.mailboxes import mailbox, mailbox_key, read_mailbox
from reunite.i18n import Language
from reunite.services.accounts import check_password


@pytest.mark.parametrize(("address", "read"), [
    ("li.hua+alerts@example.org", "li.hua+alerts@example.org"), ("a_b@sub.example.cn", "a_b@sub.example.cn"),
    ("X@Y.ORG", "X@y.org"), ("  victim@Example.org ", "victim@example.org"),
    ("o'brien@example.ie", "o'brien@example.ie"),
])
def test_an_address_mail_reaches_is_taken_as_its_mailbox(address: str, read: str) -> None:
    assert mailbox(address) == read


@pytest.mark.parametrize("address", ["李华@example.org", "ü@x.de", "li@例子.中国", "a@b", "@x.org", "a..b@x.org",
                                     ".a@x.org", "a@-x.org", "a@x..org", "a@[127.0.0.1]", "a@x_y.org", "x@y.org@z.org"])
def test_an_address_no_mail_server_takes_is_refused(address: str) -> None:
    assert read_mailbox(address) is None
    with pytest.raises(InvalidInput):
        mailbox(address)


@pytest.mark.parametrize("address", ["victim(a)@example.org", "victim@example.org(c)", "<victim@example.org>",
                                     '"victim"@example.org', '"vic"tim@example.org', "Bob <victim@example.org>",
                                     "a b@x.org", "victim@example.org, other@example.org"])
def test_one_mailbox_written_another_way_is_refused_saying_how_to_write_it(address: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        mailbox(address, "address")
    assert refused.value.field == "address"
    assert "name@example.org" in refused.value.message
    assert "name@example.org" in Language("zh_CN").error(refused.value)
    assert "尖括号" in Language("zh_CN").error(refused.value)


@pytest.mark.parametrize("address", ["victim@example.org.", "Victim@Example.org.."])
def test_a_domain_ending_in_a_dot_is_refused_naming_the_dot(address: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        mailbox(address)
    assert "dot" in refused.value.message
    assert "句点" in Language("zh_CN").error(refused.value)


def test_spellings_of_one_mailbox_are_counted_as_one() -> None:
    assert mailbox_key("Victim@Example.ORG") == mailbox_key("victim@example.org") == "victim@example.org"


def test_a_short_password_is_still_refused_beside_it() -> None:
    with pytest.raises(InvalidInput):
        check_password("short")

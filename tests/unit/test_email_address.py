"""Probe s31 E7: an alert address with a non-ASCII part before the "@" was accepted, and every email to it then
failed unseen (mail servers without SMTPUTF8 refuse it), so its confirmation never came. Accounts, sign-ups and
email alerts take only addresses mail can reach, and say so at once."""

from __future__ import annotations

import pytest

from reunite.domain.errors import InvalidInput
from reunite.services.accounts import EMAIL, check_password


@pytest.mark.parametrize("address", ["li.hua+alerts@example.org", "a_b@sub.example.cn", "X@Y.ORG"])
def test_an_address_mail_reaches_is_taken(address: str) -> None:
    assert EMAIL.match(address)


@pytest.mark.parametrize("address", ["李华@example.org", "ü@x.de", "li@例子.中国", "a b@x.org", "a@b", "@x.org"])
def test_an_address_no_mail_server_takes_is_refused(address: str) -> None:
    assert not EMAIL.match(address)


def test_a_short_password_is_still_refused_beside_it() -> None:
    with pytest.raises(InvalidInput):
        check_password("short")

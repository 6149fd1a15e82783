"""Email addresses: every address the platform takes (accounts, sign-up and reset links, invitations, email alerts,
the senders of emailed reports) and every one it sends to is read here, as the one mailbox it delivers to.

Only the plain form ``local@domain`` is taken: the part before the "@" a dot-atom of ASCII letters, digits and
``!#$%&'*+-/=?^_`{|}~`` (mail servers without SMTPUTF8, most, refuse any other: every email to it would fail
unseen, probe s31 E7), the domain a host name (letters, digits and hyphens, two labels or more). RFC 5322 writes
one mailbox countless other ways: with comments (``victim(a)@example.org``), a quoted local part
(``"victim"@example.org``), angle brackets or a display name (``Bob <victim@example.org>``), a domain ending in a
dot (``victim@example.org.``, which Python's mailer also sent with an empty envelope recipient). Each is refused
with a message that says how to write the address: a limit counted per address (three confirmation emails a day,
sign-up and reset links an hour) counts the mailbox (``mailbox_key``), never its spellings (probe s46 P12)."""

from __future__ import annotations

import re

from reunite.domain.errors import InvalidInput

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_DRESSED = re.compile(r"[\s<>()\"\\,;:\[\]]")  # a name, brackets, quotes, comments, spaces: more than the address
MAX_LENGTH = 254  # RFC 5321's longest path, less its angle brackets
MAX_LOCAL = 64


def read_mailbox(text: str) -> str | None:
    """The mailbox ``text`` names, its domain in small letters (the part before the "@" as written: a server may
    tell its letters' case apart); None when ``text`` is not an address written plainly."""
    address = text.strip()
    local, at, domain = address.rpartition("@")
    if not at or len(address) > MAX_LENGTH or len(local) > MAX_LOCAL:
        return None
    if not _LOCAL.fullmatch(local) or not _DOMAIN.fullmatch(domain):
        return None
    return f"{local}@{domain.lower()}"


def mailbox(text: str, field: str = "email") -> str:
    """``read_mailbox``, or a refusal naming ``field`` that says what to change."""
    if (found := read_mailbox(text)) is not None:
        return found
    address = text.strip()
    if _DRESSED.search(address):
        raise InvalidInput("write the email address alone, as name@example.org: no name, angle brackets, quotes, comments or spaces", field=field)  # noqa: E501
    if address.endswith(".") and read_mailbox(address.rstrip(".")) is not None:
        raise InvalidInput("an email address does not end with a dot: write it without the dot after the domain", field=field)  # noqa: E501
    raise InvalidInput("enter a valid email address", field=field)


# providers whose several domains are one mailbox, under their one name, with the characters they read in no
# address's name (v.i.c.tim@gmail.com is victim@gmail.com; Proton reads no dot, hyphen or underscore either)
ONE_INBOX = {"gmail.com": ("gmail.com", "."), "googlemail.com": ("gmail.com", "."),
             "proton.me": ("proton.me", ".-_"), "protonmail.com": ("proton.me", ".-_"),
             "protonmail.ch": ("proton.me", ".-_"), "pm.me": ("proton.me", ".-_")}
# providers that deliver any name at a user's own subdomain to that user (anything@victim.fastmail.com)
SUBDOMAIN_INBOX = ("fastmail.com", "fastmail.fm")


def mailbox_key(address: str) -> str:
    """What one mailbox is counted and compared under (the caps on emails an address is sent, the locks): its
    address in small letters (``Victim@Example.org`` and ``victim@example.org`` are one mailbox to every provider
    people use), without a sub-address (``victim+1@``, ``victim+2@``: one inbox at Gmail, Outlook, iCloud, Fastmail
    and most others: probe s47 P2), without what Gmail and Proton read in no name (dots; Proton's hyphens and
    underscores), each provider's domains as one, and a Fastmail user's subdomain as that user (probe s48 P3).
    Never the address mail is sent to.
    ``address`` as ``read_mailbox`` gave it; text that is no plain address is counted as itself, folded alike."""
    plain = (read_mailbox(address) or address.strip()).lower()
    name, at, domain = plain.rpartition("@")
    if not at:
        return plain
    name = name.split("+", 1)[0] or name
    user, _, provider = domain.partition(".")
    if provider in SUBDOMAIN_INBOX:
        name, domain = user, provider
    if domain in ONE_INBOX:
        domain, unread = ONE_INBOX[domain]
        name = name.translate({ord(c): None for c in unread}) or name
    return f"{name}@{domain}"

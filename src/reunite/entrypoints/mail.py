"""An SMTP server that takes sightings by email (aiosmtpd): ``reunite mail-intake``. Point an MX record,
or a forwarding rule of an existing mailbox, at it; every message goes through services/mail_intake."""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import re
from datetime import datetime
from email.message import EmailMessage, MIMEPart
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

from reunite.domain.errors import TooManyRequests
from reunite.domain.model import Upload
from reunite.services import mail_intake
from reunite.services.deps import Deps

log = logging.getLogger("reunite.mail")
CJK = re.compile(r"[\u3400-\u9fff]")
MAX_PHOTOS = 10


RESULT = re.compile(r"\b(spf|dkim|dmarc)=(\w+)([^;]*)", re.I)
DOMAIN_OF = re.compile(r"(?:header\.from|header\.d|header\.i|smtp\.mailfrom)=\S*?([\w.-]+\.[a-z]{2,})\b", re.I)


def vouched_for(message: EmailMessage, sender: str) -> bool:
    """Whether the receiving server's ``Authentication-Results`` (the topmost one: the server that took
    the message from the Internet adds it above any the sender wrote) say SPF, DKIM or DMARC passed for
    the From address's domain."""
    results = message.get_all("Authentication-Results") or []
    domain = sender.rpartition("@")[2].lower()
    if not results or not domain:
        return False
    for method, verdict, details in RESULT.findall(str(results[0])):
        named = {d.lower() for d in DOMAIN_OF.findall(details)}
        if verdict.lower() == "pass" and (method.lower() == "dmarc" or domain in named):
            return True
    return False


def read_message(raw: bytes) -> tuple[str, str, str, list[Upload], str, bool, datetime | None]:
    """(sender, subject, text, photos, message id, whether the sender is vouched for, its Date) of an email;
    photos are its image parts. The sender is the From address (what authentication vouches for)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    sender = parseaddr(str(message.get("From") or ""))[1]
    photos = [Upload(part.get_content(), part.get_filename() or f"photo-{number}")
              for number, part in enumerate(message.walk(), start=1)
              if part.get_content_maintype() == "image" and isinstance(part.get_content(), bytes)][:MAX_PHOTOS]
    body = message.get_body(preferencelist=("plain", "html"))
    text = part_text(body) if body is not None else ""
    return (sender, str(message.get("Subject") or ""), str(text).strip(), photos, str(message.get("Message-ID") or ""),
            vouched_for(message, sender), sent_date(str(message.get("Date") or "")))


# charsets mail clients name that Python does not know, read as what they mean (x-gbk: Chinese clients' GBK)
CHARSET_ALIASES = {"x-gbk": "gb18030", "x-gb2312": "gb18030", "x-euc-cn": "gb18030", "x-big5": "big5",
                   "x-sjis": "shift_jis", "x-euc-jp": "euc_jp", "x-euc-kr": "euc_kr"}
FALLBACKS = ("utf-8", "gb18030")  # then Latin-1, which reads any bytes


def part_text(part: MIMEPart) -> str:
    """A text part's words. A charset Python does not know (``x-gbk``, ``unknown-8bit``, ``x-unknown``: all sent by
    real mail clients) or bytes it does not hold are read as its known alias (``CHARSET_ALIASES``), else as UTF-8,
    GB18030, then Latin-1, the first that reads them whole: the message and its photos are never lost for a word
    in its header (probe s34 H5)."""
    try:
        return str(part.get_content())
    except (LookupError, UnicodeError):
        pass
    raw = part.get_payload(decode=True)
    data = raw if isinstance(raw, bytes) else b""
    charset = (part.get_content_charset() or "").lower()
    for encoding in ([CHARSET_ALIASES[charset]] if charset in CHARSET_ALIASES else []) + list(FALLBACKS):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def sent_date(header: str) -> datetime | None:
    """The Date header as an instant with the sender's offset (``-0000``, "no zone known", without one);
    None when missing or unreadable."""
    try:
        return parsedate_to_datetime(header) if header.strip() else None
    except (TypeError, ValueError, IndexError):
        return None


class IntakeHandler:
    """aiosmtpd handler: one sighting per message; 450 while a sender is over the hourly limit."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        sender, subject, text, photos, message_id, verified, date = read_message(envelope.content)
        language = "zh_CN" if CJK.search(subject + text) else "en"
        try:
            kind = await asyncio.to_thread(mail_intake.receive, self.deps, sender, subject, text, photos, language,
                                           message_id, verified, date)
        except TooManyRequests:
            return "450 Too many reports from this address: please try again in an hour"
        log.info("emailed sighting from a sender: %s", kind)
        return "250 Message accepted"


def serve(deps: Deps, host: str, port: int, max_bytes: int) -> Any:
    """Start the SMTP intake server in the background; the running controller (``.stop()`` ends it)."""
    from aiosmtpd.controller import Controller

    controller = Controller(IntakeHandler(deps), hostname=host, port=port, data_size_limit=max_bytes)
    controller.start()
    return controller

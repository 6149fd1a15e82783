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
from typing import Any, NamedTuple

from reunite.domain.errors import TooManyRequests
from reunite.domain.model import Upload
from reunite.services import mail_intake
from reunite.services.deps import Deps

log = logging.getLogger("reunite.mail")
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
CANTONESE = re.compile(r"[嘅咗喺唔佢冇嘢睇咁啲哋]")  # written Cantonese: Hong Kong's, never the mainland's or Taiwan's
MAX_PHOTOS = 10
QUOTED = re.compile(r"^\s*>")  # a line of the message answered, as mail clients quote it
# where a mail client starts the message answered: "-----Original Message-----", QQ Mail's "原始邮件", "On … wrote:",
# "在 … 写道：" (a line alone, the quote below it)
ANSWERED = re.compile(r"^\s*(?:-{2,}\s*(?:original message|原始邮件|原始郵件|回复的原邮件|原郵件)\s*-{2,}"
                      r"|on\b.{0,200}\bwrote:|.{0,200}(?:写道|寫道)[:：])\s*$", re.IGNORECASE)


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


def own_words(text: str) -> str:
    """What the sender wrote, without the message they answer, which mail clients quote below it ("> …" lines,
    from a line "On … wrote:", "-----Original Message-----", QQ Mail's "原始邮件"): the time and place in it are
    those of our own reply, never the sender's."""
    lines: list[str] = []
    for line in text.splitlines():
        if ANSWERED.match(line):
            break
        if lines and lines[-1].strip() and ANSWERED.match(f"{lines[-1]} {line.strip()}"):
            lines.pop()  # "On Sat, Dec 5, 2026 at 3:10 PM Reunite <" wrapped before "reunite@… wrote:"
            break
        if not QUOTED.match(line):
            lines.append(line)
    return "\n".join(lines).strip()


def reply_language(text: str, content_language: str = "") -> str:
    """The language to answer a message in, as its sender wrote it: Chinese when Chinese characters are as many as
    the words in Latin letters (a station's name in Chinese inside English words stays English), in the script
    written (traditional: Hong Kong's for written Cantonese or a message marked ``zh-HK``/``zh-MO``, else Taiwan's;
    simplified, or both alike: the mainland's); else English."""
    from reunite.adapters.place_names import script_of
    from reunite.language_tags import chosen

    chinese = CJK.findall(text)
    if not chinese or len(chinese) < len(LATIN_WORD.findall(text)):
        return "en"
    scripts = [script_of(c) for c in chinese[:500]]
    if scripts.count("traditional") <= scripts.count("simplified"):
        return "zh_CN"
    marked = chosen(content_language.split(",", maxsplit=1)[0]) if content_language.strip() else None
    return "zh_HK" if marked == "zh_HK" or CANTONESE.search(text) else "zh_TW"


class Mail(NamedTuple):
    """An email as the intake reads it."""

    sender: str  # the From address (what authentication vouches for)
    subject: str
    text: str  # the sender's own words (``own_words``)
    photos: list[Upload]  # its image parts
    message_id: str
    verified: bool  # whether the receiving server vouched for the sender (``vouched_for``)
    date: datetime | None
    answers: str = ""  # the messages it answers: its In-Reply-To and References headers
    language: str = ""  # its Content-Language header


def read_message(raw: bytes) -> Mail:
    """An email as the intake reads it (``Mail``)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    sender = parseaddr(str(message.get("From") or ""))[1]
    photos = [Upload(part.get_content(), part.get_filename() or f"photo-{number}")
              for number, part in enumerate(message.walk(), start=1)
              if part.get_content_maintype() == "image" and isinstance(part.get_content(), bytes)][:MAX_PHOTOS]
    body = message.get_body(preferencelist=("plain", "html"))
    text = own_words(part_text(body)) if body is not None else ""
    answers = " ".join(str(message.get(name) or "") for name in ("In-Reply-To", "References"))
    return Mail(sender, str(message.get("Subject") or ""), text, photos, str(message.get("Message-ID") or ""),
                vouched_for(message, sender), sent_date(str(message.get("Date") or "")), answers,
                str(message.get("Content-Language") or ""))


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
        mail = read_message(envelope.content)
        language = reply_language(mail.text or mail.subject, mail.language)
        try:
            kind = await asyncio.to_thread(mail_intake.receive, self.deps, mail.sender, mail.subject, mail.text,
                                           mail.photos, language, mail.message_id, mail.verified, mail.date,
                                           mail.answers)
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

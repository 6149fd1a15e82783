"""Emails: rendered from text templates in the recipient's language, sent through SMTP."""

from __future__ import annotations

import re
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from reunite.domain.mailboxes import read_mailbox
from reunite.domain.times import DEFAULT_ZONE
from reunite.i18n import Language

TEMPLATES = Path(__file__).parent / "templates"
POLICY = SMTP.clone(max_line_length=998)  # long links (List-Unsubscribe) stay on one line, unencoded
_env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=False,  # noqa: S701
                   keep_trailing_newline=True)


BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")  # line breaks, tabs and other control characters


def one_line(value: Any) -> Any:
    """Every text inside ``value`` (a string, or one in a dict, list or tuple) on one line: its line breaks and
    other control characters each a space. Whatever others wrote (a region typed, a name, an approved
    description) then lays out no email of its own: no line of its own, no header, no subject (probe s29 C6)."""
    if isinstance(value, str):
        return BREAKS.sub(" ", value)
    if isinstance(value, dict):
        return {key: one_line(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(one_line(item) for item in value)
    return value


def render(kind: str, language: str, context: dict[str, Any], zone: str = DEFAULT_ZONE) -> tuple[str, str]:
    """The subject (the template's first line) and the plain-text body; times in ``zone`` (the site's). The
    context's texts are put on one line each (``one_line``): only the templates make lines."""
    lang = Language(language, zone)
    text = _env.get_template(f"{kind}.txt").render(_=lang.gettext, ngettext=lang.ngettext, lang=lang,
                                                   **one_line(context))
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


class SmtpMailer:
    """Implements ``domain.ports.Mailer``. Without a host it sends nothing and says so."""

    def __init__(self, host: str, port: int, sender: str, user: str = "", password: str = "",
                 starttls: bool = False, timeout: float = 20.0, zone: str = DEFAULT_ZONE) -> None:
        self.zone = zone
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout

    @property
    def configured(self) -> bool:
        return bool(self.host)

    def send(self, to: str, kind: str, language: str, context: dict[str, Any],
             headers: dict[str, str] | None = None) -> str:
        """Send one email; returns its subject. Raises OSError / SMTPException on failure. It carries its
        origination date (RFC 5322 requires one: relays do not add it to mail from remote clients, and
        providers score mail without it as spam) and the language it is written in."""
        recipient = read_mailbox(to)
        if recipient is None:  # never an empty envelope recipient, nor one mail servers read otherwise (s46 P12)
            raise ValueError("not an email address written plainly: nothing is sent to it")
        subject, body = render(kind, language, context, self.zone)
        message = EmailMessage(policy=POLICY)
        message["From"], message["To"], message["Subject"] = self.sender, recipient, subject
        message["Date"] = format_datetime(datetime.now(UTC))  # the instant it is handed over, +0000
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(body)  # (which drops any Content-* header set before)
        message["Content-Language"] = Language(language).html_lang  # zh-CN, zh-TW, en (RFC 3282)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message, to_addrs=[recipient])  # the envelope: the mailbox, never read from To
        return subject

"""What the email intake says back, and a witness's answer to it (probe s45 P1, P2). Every reply to a report
carries what the report form's thank-you page gives: the receipt and the private link (never the record's
number), what was understood (the time seen, its zone named; the city, in the reader's script), and asks only
for what is missing. A witness who answers that reply from the address the report came from (vouched for, as
every address we write to is) adds to that report as its private link does: photos, and their words as details;
a time or place the words name becomes the report's own when it had none, unless a moderator approved it once:
then everything goes to the moderators (``reports.moderated_once``), never changing a decided lead."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from reunite.domain.errors import InvalidInput, NotFound, ReuniteError
from reunite.domain.model import SeenAtBasis, Upload
from reunite.domain.said_time import time_in_text, zone_read_in
from reunite.services import intake, reports, where_seen
from reunite.services.deps import Deps
from reunite.services.place_days import public_city

log = logging.getLogger("reunite.mail")
CODE = f"[{reports.ALPHABET}]{{4}}-[{reports.ALPHABET}]{{4}}"
# a receipt in a subject ("Re: 谢谢：您的目击报告编号为Z39C-AZM9"), never inside a longer word or number
RECEIPT = re.compile(rf"(?<![0-9A-Za-z-])({CODE})(?![0-9A-Za-z-])")
OWN_ID = re.compile(rf"<report-({CODE})\.", re.IGNORECASE)  # the Message-ID of our reply about a report
# the record's number our replies carried before they gave the receipt ("your sighting is number 4020122475")
NUMBER = re.compile(r"(?:number|编号为|編號為)\s*(\d{1,19})(?!\d)", re.IGNORECASE)
TIME_OPEN = (SeenAtBasis.ARRIVAL.value, SeenAtBasis.CAMERA.value, SeenAtBasis.CAMERA_ZONE_ASSUMED.value)
MAX_TEXT = 2000


class Script(NamedTuple):
    """A reader who writes in Latin letters or not (``domain.ports.ReaderScript``), their characters left to the
    template (``Language.script``)."""

    latin: bool

    def script(self, text: str) -> str:
        return text


def reply(deps: Deps, to: str, kind: str, language: str, context: dict[str, Any], answering: str = "",
          receipt: str = "") -> str:
    """Send the ``kind`` reply to ``to`` (nobody: none), in the thread of the message ``answering``, known by its
    Message-ID as about the report ``receipt``; its kind."""
    if to and deps.mailer.configured:
        answering = " ".join(answering.split())[:998]  # one header line, however it came folded
        headers = {"In-Reply-To": answering, "References": answering} if answering else {}
        if receipt:
            host = urlsplit(deps.site.base_url).hostname or "reunite.invalid"
            headers["Message-ID"] = f"<report-{receipt}.{secrets.token_hex(6)}@{host}>"
        try:
            deps.mailer.send(to, kind, language, context | {"site": deps.site.base_url}, headers)
        except OSError as exc:  # the report is kept; only the reply failed
            log.warning("reply to an emailed sighting not sent: %s", exc)
    return kind


def said(deps: Deps, receipt: str) -> dict[str, Any]:
    """What a reply tells of a report, as the form's thank-you page does: its receipt and private link, its time
    and how it is known, its city in both scripts (the template names it in the reader's), and what to ask for."""
    row = reports.open_report(deps, receipt, reports.link_token(deps, receipt))
    words, lat, lon = row["place_text"] or "", row["lat"], row["lon"]
    return {"receipt": receipt, "link": deps.site.base_url + reports.private_path(deps, receipt),
            "seen_at": row["seen_at"], "seen_at_basis": row["seen_at_basis"], "seen_at_zone": row["seen_at_zone"] or "",
            "city_latin": public_city(deps, words, Script(True), lat, lon),
            "city_chinese": public_city(deps, words, Script(False), lat, lon),
            "ask_time": bool(row["open"]) and row["seen_at_basis"] == SeenAtBasis.ARRIVAL.value,
            "ask_place": where_seen.placed(deps, row, None)["ask"]}


def answered(deps: Deps, sender: str, subject: str, answers: str) -> dict[str, Any] | None:
    """The report a message answers: ours its In-Reply-To or References name (``OWN_ID``), else the receipt its
    subject carries (or the record's number our replies carried before), sent from the address the report came
    from (``sender``, vouched for by the caller); None for any other message (a new report)."""
    named = [*OWN_ID.findall(answers), *RECEIPT.findall(subject.upper()), *_numbered(deps, subject)]
    for receipt in dict.fromkeys(code.upper() for code in named):
        try:
            row = reports.open_report(deps, receipt, reports.link_token(deps, receipt))
        except NotFound:
            continue
        if (row["reporter_contact"] or "").strip().lower() == sender:
            return row
    return None


def _numbered(deps: Deps, subject: str) -> list[str]:
    """The receipts of the reports a subject names by record number, as our replies did before (probe s45 P1: an
    answer to one of those still reaches its report)."""
    found = []
    for number in NUMBER.findall(subject):
        if int(number) < 2**63:
            with deps.uow() as uow:
                found.append(uow.receipt_of(int(number)))
    return [receipt for receipt in found if receipt]


def add(deps: Deps, row: dict[str, Any], to: str, text: str, photos: Sequence[Upload], language: str,
        sent: datetime, zone: tzinfo, answering: str) -> str:
    """A witness's answer to our reply about their report ``row``, added to it as its private link adds: the photos,
    the words as details; a time and a city the words name become the report's own if it had none (read against
    the message's sending time, in ``zone``), unless a moderator approved it once (``held``: all of it goes to the
    moderators in the details). The reply says what was added and what was not, and why, in the witness's
    language; ``sighting_not_added`` when nothing was."""
    receipt = str(row["receipt"])
    token, held = reports.link_token(deps, receipt), reports.moderated_once(row)
    problems: list[ReuniteError] = []
    added = False
    try:
        reports.require_open(row, "details")
    except InvalidInput as exc:
        return reply(deps, to, "sighting_not_added", language, {"receipt": receipt, "error": exc}, answering, receipt)
    if photos:
        try:
            added = intake.add_report_photos(deps, receipt, token, photos) > 0
        except ReuniteError as exc:
            problems.append(exc)
    words = text.strip()[:MAX_TEXT]
    if words:
        try:
            reports.add_details(deps, receipt, token, words, "")
            added = True
        except InvalidInput as exc:
            problems.append(exc)
    if added and words and not held:
        _time_and_place(deps, row, words, sent, zone, problems)
    if not added:
        error = problems[0] if problems else InvalidInput("write what you want to add", field="details")
        return reply(deps, to, "sighting_not_added", language, {"receipt": receipt, "error": error}, answering, receipt)
    return reply(deps, to, "sighting_added", language, said(deps, receipt) | {"held": held, "problems": problems},
                 answering, receipt)


def _time_and_place(deps: Deps, row: dict[str, Any], words: str, sent: datetime, zone: tzinfo,
                    problems: list[ReuniteError]) -> None:
    """The time and city ``words`` name, given to a report that had none (``reports.give_time``,
    ``where_seen.give_place``: the private link's rules); a refusal (a time after the report was sent) in
    ``problems``."""
    receipt = str(row["receipt"])
    token = reports.link_token(deps, receipt)
    when = time_in_text(words, sent, zone)
    try:
        if when is not None and row["seen_at_basis"] in TIME_OPEN:
            reports.give_time(deps, receipt, token, when, read_in=zone_read_in(zone, when))
    except InvalidInput as exc:
        problems.append(exc)
    city = deps.places.words(words)[:500]
    shown = public_city(deps, row["place_text"] or "", None, row["lat"], row["lon"])
    try:
        if city and row["lat"] is None and not shown:
            where_seen.give_place(deps, receipt, token, city, None)
        elif city and public_city(deps, city, None) not in ("", shown):  # said, never silently dropped (probe s48 P5)
            problems.append(InvalidInput("the place you name ({given}) was not made the report's: it has one already ({place}); the moderators read what you wrote",  # noqa: E501
                                         field="place_text", given=city, place=shown or row["place_text"] or ""))
    except InvalidInput as exc:
        problems.append(exc)

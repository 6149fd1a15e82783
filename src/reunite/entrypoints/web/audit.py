"""The audit log's page (/audit) for admins and police: who opened a sighting, an exact place or a
contact, and who changed what, filtered by who, what record, which action and which days (in the
reader's zone), newest first, a page at a time. Reading it is itself audited (``services.audit``)."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from reunite.domain.access import Permission, Principal
from reunite.domain.audit import AuditQuery, parse_subject
from reunite.domain.errors import InvalidInput, ReuniteError
from reunite.entrypoints.api.auth import allow
from reunite.entrypoints.web.forms import a_date, single
from reunite.entrypoints.web.pages import DepsDep, LangDep, address, refusal, render
from reunite.i18n import Language
from reunite.services import audit

router = APIRouter(include_in_schema=False)
Auditor = Annotated[Principal, Depends(allow(Permission.READ_AUDIT))]
FIELDS = ("actor", "subject", "action", "from", "to")
# a problem's field, by the box it is typed in
BOX_OF = {"subject_id": "subject", "audit_subject": "subject", "since": "from", "until": "to"}


def _day_edge(day: date | None, lang: Language, end: bool = False) -> datetime | None:
    """The first (or last) instant of a day in the reader's zone."""
    if day is None:
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=lang.tzinfo)


def _before(raw: str) -> int | None:
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidInput("this page's address is not valid: start again from the newest entries", field="before")
    return int(raw)


def read_query(asked: dict[str, str], lang: Language) -> AuditQuery:
    """The page's filters as a question to the log (a problem: InvalidInput naming the field)."""
    subject, subject_id = parse_subject(asked.get("subject", ""))
    since = _day_edge(a_date(asked.get("from", ""), "from"), lang)
    until = _day_edge(a_date(asked.get("to", ""), "to"), lang, end=True)
    return AuditQuery(actor=asked.get("actor", ""), subject=subject, subject_id=subject_id,
                      action=asked.get("action", ""), since=since, until=until,
                      before=_before(asked.get("before", "")))


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, lang: LangDep, deps: DepsDep, who: Auditor) -> HTMLResponse:
    query = address(request)  # what cannot be read in a filter is refused naming it, the filters shown as typed
    asked = {name: (query.get(name) or "").strip()[:420] for name in (*FIELDS, "before")}
    entries: list[dict[str, Any]] = []
    more: int | None = None
    try:
        for name in asked:  # each filter once: never one of several read and the others dropped
            single(query, name)
        page = audit.read_log(deps, who, read_query(asked, lang))
        entries, more = page.entries, page.next_before
    except ReuniteError as exc:
        told = refusal(lang, exc)  # by the box it is about (a record's kind and number: the record's box)
        told["field_errors"] = {BOX_OF.get(name, name): said for name, said in told["field_errors"].items()}
        return render(request, lang, "audit.html", status=exc.status_code, q=asked, entries=[], more=None, **told)
    shown = [e | {"detail_text": json.dumps(e["detail"], ensure_ascii=False, sort_keys=True, indent=1)}
             for e in entries]
    return render(request, lang, "audit.html", q=asked, entries=shown, more=more, error=None,
                  filters={k: v for k, v in asked.items() if k in FIELDS and v})

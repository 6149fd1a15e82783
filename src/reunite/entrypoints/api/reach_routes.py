"""API routes for reach and exchange: alert subscriptions, PFIF 1.4 export and import, spreadsheet
import (with a dry run) and CSV export for authorised partners."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile as StarletteUpload

from reunite.domain.access import Permission, Principal
from reunite.domain.errors import InvalidInput
from reunite.domain.model import GeoPoint
from reunite.entrypoints.api import bodies, inputs
from reunite.entrypoints.api.auth import PrincipalDep, allow, client_ip, get_deps
from reunite.entrypoints.api.guard import BIGINT_MAX
from reunite.entrypoints.api.routes import ERRORS, IdempotencyKey, Reader
from reunite.i18n import Language
from reunite.services import exchange, idempotency, pfif, reach, subscriptions, throttle
from reunite.services.deps import Deps

router = APIRouter(prefix="/api")
DepsDep = Annotated[Deps, Depends(get_deps)]
Exporter = Annotated[Principal, Depends(allow(Permission.EXPORT))]
Importer = Annotated[Principal, Depends(allow(Permission.REGISTER_CASE))]
PFIF_FORM = frozenset({"file"})  # a PFIF document sent as a multipart form


def report_json(report: exchange.ImportReport, lang: Language) -> dict[str, Any]:
    """The import's report; each record (or row) not taken, and why, in the reader's language; each sheet's
    row whose time named no UTC offset, and the zone it was read in (its ``zone`` column, else the site's)."""
    body = asdict(report)
    for name in ("problems", "already"):  # ``already``: a sheet's rows registered before, each with its case
        body[name] = [{"record": lang.gettext("row {number}", number=p.row) if p.row else p.record,
                       "reason": lang.error(InvalidInput(p.reason, field=p.field or None, **p.values))}
                      | ({"case": int(p.params["case"])} if "case" in p.params else {})
                      for p in getattr(report, name)]
    body["read_in_zone"] = [{
        "record": lang.gettext("row {number}", number=read.row) if read.row else read.record, "row": read.row,
        "zone": read.zone, "offset": read.offset,
        "note": lang.gettext("{field} has no UTC offset: read at {offset}", field=lang.field_name("missing_since"),
                             offset=read.offset) if read.zone == read.offset else
        lang.gettext("{field} has no UTC offset: read in {zone}, {offset}", field=lang.field_name("missing_since"),
                     zone=read.zone, offset=read.offset)} for read in report.read_in_zone]
    # each case registered, with its sheet's row (or PFIF record), so that the sender can follow it up
    body["registered"] = [{"row": r.row, "case": r.case} | ({"record": r.record} if r.record else {})
                          for r in report.registered]
    return body


@router.post("/subscriptions", status_code=201, responses=ERRORS)
def subscribe(request: Request, deps: DepsDep, who: PrincipalDep, lang: Reader,
              body: bodies.SubscriptionIn, idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """Alerts for an area (a point and radius, or a region's name) by email (confirmed through a link
    sent to the address) or by signed webhook (partners' tokens; the secret is in this answer only, and
    in a retry's under the same ``Idempotency-Key``: a webhook asked for again otherwise is answered without
    it, with ``secret_text`` saying how to have a new one, ``POST /api/subscriptions/{id}/secret``). Asked again
    for an address and area still waiting for confirmation, it answers that subscription and sends its link
    again at most once an hour; an address gets at most three confirmation emails a day, whatever the area and
    whoever asks (past that the subscription waits, answered alike, and no email goes). The
    subscription is the address's (its owner confirms it): anyone may have asked for it first, so a
    sender without an account or token is answered no id, which would tell them whether someone else
    had asked for alerts to that address (and how many subscriptions the site has)."""
    key = idempotency.scoped(who, "subscription", idempotency_key, [("body", body.model_dump_json())])
    first = throttle.retry_or_count(deps, key, who, "subscribe", client_ip(request), deps.limits.messages_per_hour)
    near = GeoPoint(body.lat, body.lon) if body.lat is not None and body.lon is not None else None
    subscription_id, secret = (int(first["id"]), str(first.get("secret") or "")) if first else reach.subscribe(
        deps, who, body.channel, body.address, near, body.radius_km, body.region, body.language, body.digest, key)
    # ``status`` a code, as GET /api/subscriptions gives it (a client switches on it); the words in ``status_text``
    webhook = body.channel == "webhook"
    answer: dict[str, Any] = {
        "secret": secret or None, "status": "active" if webhook else "pending",
        "status_text": lang.gettext("active" if webhook else "waiting for the confirmation link sent by email")}
    if webhook and not secret:  # made before: its secret was shown then, and only then (probe s29 C10)
        answer["secret_text"] = lang.gettext("This webhook was made before: its secret was shown once, when it was made. To have a new one, POST /api/subscriptions/{id}/secret.", id=subscription_id)  # noqa: E501
    return ({"id": subscription_id} | answer) if who.signed_in else answer


@router.post("/subscriptions/{subscription_id}/secret", status_code=201, responses=ERRORS)
def subscription_secret(deps: DepsDep, who: PrincipalDep, subscription_id: int,
                        idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """A new signing secret for a webhook this token made (an admin's: any), in this answer only (and in a
    retry's under the same ``Idempotency-Key``). The old secret signs nothing more from now on, deliveries
    being retried included: each delivery is signed as it goes. Audited. 404 for another's webhook, 409 for an
    email subscription or a webhook that ended."""
    key = idempotency.scoped(who, "subscription-secret", idempotency_key, [("id", subscription_id)])
    subscription_id, secret = subscriptions.new_secret(deps, who, subscription_id, key)
    return {"id": subscription_id, "secret": secret}


class SubscriptionOut(BaseModel):
    id: int
    channel: str = Field(description="email or webhook")
    address: str
    lat: float | None
    lon: float | None
    radius_km: float
    region: str
    language: str
    digest: bool
    status: str = Field(description="pending (its email's confirmation link not followed yet), active, unsubscribed "
                                    "(by the link in its emails) or ended (by an admin, by its maker, or when whatever "
                                    "made it lost the right: a token revoked, an account disabled or no longer an "
                                    "admin's)")
    working: bool = Field(description="Alerts go to it now: active, and whatever made it may still make it")
    void: bool = Field(description="Not ended yet, but whatever made it lost the right: nothing is sent to it, and "
                                   "it ends at its next delivery")
    made_by: str = Field(description="What made it, as the audit log names it: token:N, account:N, operator, "
                                     "anonymous")
    made_by_name: str = Field(description="That token's name or that account's email, if any")
    created_at: datetime
    confirmed_at: datetime | None
    ended_at: datetime | None = Field(description="When it was unsubscribed or ended")


def subscription_out(row: dict[str, Any]) -> dict[str, Any]:
    return row | {"made_by": row["created_by"]}


@router.get("/subscriptions", response_model=list[SubscriptionOut], responses=ERRORS)
def subscriptions_listed(deps: DepsDep, who: PrincipalDep) -> list[dict[str, Any]]:
    """The alert subscriptions this token or account made, newest first, each saying whether alerts go to
    it now; for an admin, every webhook and every subscription a token or account made. Never a webhook's
    secret. A subscription lasts only while whatever made it may still make it: a webhook needs the
    ``webhooks`` scope (or an admin's account), and revoking a token, disabling an account or making it
    anything but an admin's ends what it made."""
    return [subscription_out(r) for r in subscriptions.listed(deps, who)]


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut, responses=ERRORS)
def subscription_read(deps: DepsDep, who: PrincipalDep, subscription_id: int) -> dict[str, Any]:
    """One subscription this token or account made (an admin: any); 404 for another's."""
    return subscription_out(subscriptions.one(deps, who, subscription_id))


class EndedCase(BaseModel):
    id: int


class EndedAlert(BaseModel):
    alert_id: int = Field(description="The alert, as its case.alert and case.ended name it")
    case: EndedCase


@router.get("/subscriptions/{subscription_id}/ended", response_model=list[EndedAlert], responses=ERRORS)
def subscription_ended(deps: DepsDep, who: PrincipalDep, subscription_id: int,
                       limit: Annotated[int, Query(ge=1, le=1000)] = 500,
                       offset: Annotated[int, Query(ge=0, le=BIGINT_MAX)] = 0) -> list[dict[str, Any]]:
    """The alerts this subscription was sent (or was being sent) whose case is no longer active, newest alert
    first: each a ``case.ended`` the receiver may have missed while it was down (take down what you show of that
    child). Never why or when it ended. For the token that made the subscription (an admin's: any); 404 for
    another's. Audited."""
    return subscriptions.ended_alerts(deps, who, subscription_id, limit, offset)


@router.delete("/subscriptions/{subscription_id}", status_code=204, responses=ERRORS)
def subscription_end(deps: DepsDep, who: PrincipalDep, subscription_id: int) -> Response:
    """End a subscription this token made (an admin's token: any): no alert goes to it any more, and it
    cannot be confirmed again. Ending one already ended or unsubscribed answers 204 again and records
    nothing; another's answers 404, as one that does not exist."""
    subscriptions.end(deps, who, subscription_id)
    return Response(status_code=204)


PFIF_XML = ("application/xml", "text/xml")
CHARSET = re.compile(r""";\s*charset\s*=\s*"?([^";]*)"?""", re.IGNORECASE)
PFIF_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "additionalProperties": False,
                                       "properties": {"file": {"type": "string", "format": "binary"}}}},
    **{kind: {"schema": {"type": "string"}} for kind in PFIF_XML},
}}}


@router.get("/pfif", response_class=Response, responses={
    **ERRORS, 200: {"content": {"application/xml": {}}, "description": "A PFIF 1.4 document"},
    204: {"description": "No verified case yet: nothing to export"}})
def export_pfif(deps: DepsDep, who: Exporter) -> Response:
    """Verified cases and their notes as PFIF 1.4 (closed and expired cases as placeholders)."""
    document = pfif.export_pfif(deps, who)
    if document is None:
        return Response(status_code=204)
    return Response(document, media_type="application/xml",
                    headers={"Content-Disposition": 'attachment; filename="reunite-pfif.xml"'})


@router.post("/pfif", responses=ERRORS, openapi_extra=PFIF_BODY)
async def import_pfif(request: Request, deps: DepsDep, who: Importer, lang: Reader,
                      idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """Import a PFIF 1.1–1.4 document, as a multipart ``file`` or as the raw XML body (``Content-Type:
    application/xml``, as Person Finder's API takes it): persons who went missing as children become
    cases waiting for verification; the report lists every record not taken, with the reason. Records
    already here as sent are left unchanged; under the same ``Idempotency-Key`` a retry answers the
    first report. The document is read in the encoding its byte order mark names, else the ``charset`` of its
    Content-Type (``application/xml; charset=gbk``), else its XML declaration's, else UTF-8 (RFC 7303); bytes
    not valid in that encoding refuse the whole document (422, naming the encoding): nothing is imported."""
    sent_as = request.headers.get("content-type", "")
    if sent_as.split(";")[0].strip().lower() in PFIF_XML:
        data = await request.body()
    else:
        form = await request.form()  # read here (the body may be XML instead): its one field checked as any form's
        if found := inputs.problems((name for name, _ in form.multi_items()), "body", PFIF_FORM, frozenset(), True):
            raise RequestValidationError(found)
        upload = form.get("file")
        if not isinstance(upload, StarletteUpload):
            raise InvalidInput("send the PFIF document as the multipart field 'file' or as an application/xml body",
                               field="file")
        data, sent_as = await upload.read(), upload.headers.get("content-type", "")
    charset = charset_of(sent_as)  # read before the document's own declaration (RFC 7303)
    key = idempotency.scoped(who, "pfif", idempotency_key, [("document", hashlib.sha256(data).hexdigest())]
                             + ([("charset", charset.lower())] if charset else []))
    return report_json(await run_in_threadpool(pfif.import_pfif, deps, who, data, key, charset), lang)


def charset_of(content_type: str) -> str:
    """The ``charset`` parameter of a Content-Type header ("" when it names none)."""
    found = CHARSET.search(content_type)
    return found.group(1).strip() if found else ""


@router.post("/cases/import", responses=ERRORS)
def import_cases(
    deps: DepsDep, who: Importer, lang: Reader, file: Annotated[UploadFile, File(description="CSV or XLSX")],
    dry_run: Annotated[bool, Query(description="Check every row, write nothing")] = True,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Register cases from a spreadsheet, one per row; a dry run (the default) reports each row's errors.
    A row for a child this sender registered already (the same given and family names, birth date and day
    missing, of an open case) is not registered again: it is listed in ``already`` with that ``case``, as
    is a row repeating an earlier row of the sheet; sending the same sheet again registers nothing.
    Under the same ``Idempotency-Key``, a retried import answers the first report and registers nothing."""
    data = file.file.read()
    key = idempotency.scoped(who, "cases-import", idempotency_key, [("sheet", hashlib.sha256(data).hexdigest())])
    return report_json(exchange.import_cases_table(deps, who, data, dry_run, key=key), lang)


@router.get("/cases.csv", response_class=Response, responses=ERRORS)
def export_cases(deps: DepsDep, who: Exporter) -> Response:
    return Response(exchange.export_cases_csv(deps, who), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="reunite-cases.csv"'})

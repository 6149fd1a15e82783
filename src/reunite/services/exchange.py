"""Spreadsheets: CSV/XLSX import of cases (with a dry run) and CSV export; the import report that PFIF
imports share (PFIF itself: ``services/pfif.py``). Imported cases wait for verification like any family's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from reunite.domain import access, sheet_columns
from reunite.domain.access import (
    Permission,
    Principal,
    exact_last_seen,
    exported_in_full,
    exported_status,
    require,
    text_shown,
)
from reunite.domain.births import birth_given
from reunite.domain.errors import InvalidInput, ReuniteError, plain
from reunite.domain.model import CASE_TEXT_LIMITS, GeoPoint, NewCase, Sex
from reunite.domain.pfif import birth_written, canonical_domain, case_birth_precision, record_domain, record_id
from reunite.domain.ports import UnitOfWork
from reunite.domain.spelling import nickname_list
from reunite.domain.times import WallTime, ZoneName, given_zone, offset_only, zone_offset
from reunite.domain.typed_time import INSTANT, TypedTime, date_written, same_day_missing, typed_time, zone_label
from reunite.services import doubles, idempotency, intake, rights, throttle
from reunite.services.case_checks import check_case
from reunite.services.deps import Deps
from reunite.services.place_days import missing_since_shown
from reunite.services.posters import case_city

CSV_COLUMNS = ("id", "record_id", "given_name", "family_name", "nicknames", "sex", "birth_date", "missing_since",
               "last_seen_text", "description", "marks", "status", "verified_at", "source")


INSTANTS = "_instants"  # a Problem's params that were instants (kept as ISO 8601 text), by name
TYPED = "_typed"  # those that were typed times (their instant kept so), as name:precision; wall times and zones
WORDED: dict[str, type[str]] = {"WallTime": WallTime, "ZoneName": ZoneName}  # as name:WallTime, name:ZoneName


class Problem(NamedTuple):
    """A record (or a sheet's row) not taken, or not taken whole, and why: ``reason`` is an English
    message template and ``params`` its values, so that each reader is told in their own language."""

    record: str  # the record's id; "" for a sheet's row
    reason: str
    params: dict[str, str]
    row: int = 0  # the sheet's row number
    field: str = ""  # the field (column) in error, named in the reader's words

    @classmethod
    def of(cls, record: str, exc: ReuniteError, row: int = 0) -> Problem:
        params: dict[str, str] = {}
        instants, typed = [], []
        for name, value in exc.params.items():
            if isinstance(value, TypedTime):  # a date given alone stays that date (probe s22 V5: never its repr)
                params[name] = value.at.isoformat()
                typed.append(f"{name}:{value.precision}")
            elif isinstance(value, datetime):
                params[name] = value.isoformat()
                instants.append(name)
            elif isinstance(value, WallTime | ZoneName):  # shown as the reader writes a time, names a zone
                params[name] = str(value)
                typed.append(f"{name}:{type(value).__name__}")
            else:
                params[name] = str(value)
        kept = ({INSTANTS: ",".join(instants)} if instants else {}) | ({TYPED: ",".join(typed)} if typed else {})
        return cls(record, exc.template, params | kept, row, exc.field or "")

    @property
    def values(self) -> dict[str, object]:
        """The params as the message shows them: an instant again an instant, which each reader is shown in their
        own zone, named ("2027-01-01 00:00:00+00:00" is no way to write a time); a typed time again one (a day
        given alone shown as that day); the rest as they were."""
        instants = self.params.get(INSTANTS, "").split(",")
        typed = dict(kind.split(":", 1) for kind in self.params.get(TYPED, "").split(",") if ":" in kind)
        return {name: (WORDED[typed[name]](value) if typed.get(name) in WORDED
                       else TypedTime(datetime.fromisoformat(value), typed[name]) if name in typed
                       else datetime.fromisoformat(value) if name in instants else value)
                for name, value in self.params.items() if name not in (INSTANTS, TYPED)}

    @classmethod
    def from_json(cls, found: list[Any]) -> Problem:
        padded = [*found, {}, 0, ""] if len(found) == 2 else found  # remembered before problems had params
        record, reason, params, row, field = padded
        return cls(str(record), str(reason), dict(params), int(row), str(field))

    @property
    def where(self) -> str:
        """The record or row, in English (the command line)."""
        return f"row {self.row}" if self.row else self.record

    @property
    def message(self) -> str:
        """The reason in English (the command line), its values as ``errors.plain`` writes them."""
        return self.reason.format(**{name: plain(value) for name, value in self.values.items()})


class ReadInZone(NamedTuple):
    """A sheet's row (or a PFIF record) whose time named no UTC offset, and the zone it was read in (its
    ``zone``, else the site's)."""

    row: int
    zone: str
    record: str = ""  # a PFIF record's id ("" for a sheet's row)
    offset: str = ""  # the zone's UTC offset at that time ("UTC+08:00")


class Registered(NamedTuple):
    """A case an import registered: the sheet's row (0 for PFIF) or the PFIF record, and the case's number, so
    that the sender can follow it up (add photos, read its state)."""

    row: int
    case: int
    record: str = ""


@dataclass
class ImportReport:
    """What an import did, record by record: ``problems`` holds each record or row not taken whole."""

    created: int = 0  # by a dry run: would be created (nothing is written)
    dry_run: bool = False
    updated: int = 0
    notes_added: int = 0
    notes_known: int = 0
    linked: int = 0
    unchanged: int = 0  # records already here as sent, or this site's own records coming back
    expired: int = 0  # cases here that expired because their registry sent a placeholder
    problems: list[Problem] = field(default_factory=list)
    read_in_zone: list[ReadInZone] = field(default_factory=list)  # a sheet's rows whose time had no offset
    already: list[Problem] = field(default_factory=list)  # a sheet's rows registered before: each with its case
    registered: list[Registered] = field(default_factory=list)  # each case registered, with its row or record

    @classmethod
    def remembered(cls, deps: Deps, key: idempotency.Key | None) -> ImportReport | None:
        """The report the first import under ``key`` gave (a retried import writes nothing again)."""
        found = idempotency.earlier(deps, key)
        return None if found is None else cls.from_json(found)

    @classmethod
    def from_json(cls, found: dict[str, Any]) -> ImportReport:
        return cls(**{**found, "problems": [Problem.from_json(p) for p in found.get("problems", [])],
                      "read_in_zone": [ReadInZone(int(read[0]), str(read[1]), *(str(part) for part in read[2:4]))
                                       for read in found.get("read_in_zone", [])],
                      "already": [Problem.from_json(p) for p in found.get("already", [])],
                      "registered": [Registered(int(r[0]), int(r[1]), str(r[2]))
                                     for r in found.get("registered", [])]})

    def reasons(self) -> dict[str, str]:
        """Each record (or row) not taken whole, with the reason, in English (the command line, tests)."""
        return {problem.where: problem.message for problem in self.problems}

    def problem(self, record: str, reason: str, **params: object) -> None:
        """Report a record not taken (whole): ``reason`` an English template, ``params`` its values."""
        self.problems.append(Problem(record, reason, {name: str(value) for name, value in params.items()}))

    def kept(self, uow: UnitOfWork, key: idempotency.Key | None) -> ImportReport | None:
        """Remember this report under ``key`` in the import's transaction; the first report instead when a
        concurrent retry committed first."""
        won = idempotency.remember(uow, key, asdict(self))
        return None if won is None else ImportReport.from_json(won)


def _sex(row: dict[str, str]) -> Sex:
    """The sex as the API and the pages read it (``Sex.read``); blank: unknown; other words are refused."""
    given = row.get("sex", "").strip()
    found = Sex.read(given) if given else Sex.UNKNOWN
    if found is None:
        raise InvalidInput("{name} must be female, male or unknown (女, 男, f, m and 未知 are read too)",
                           field="sex", name="sex")
    return found


def _row_zone(row: dict[str, str], site: ZoneInfo) -> ZoneInfo:
    """The zone a row's times without an offset are in: its ``zone`` column (an IANA name, or an offset said as
    people say it, ``UTC+8``: ``times.given_zone``, which refuses ``Etc/GMT+8`` naming its real offset), else the
    site's."""
    return given_zone(row.get("zone", ""), "zone") or site


def read_in_zone(row: int, where: tzinfo, at: datetime, record: str = "") -> ReadInZone:
    """A row's (or record's) time read in a zone, said with the offset it had there then: a zone that names no
    place (``UTC+8`` given, kept as Etc/GMT-8) is said as its offset alone (probe s46 P13)."""
    key = zone_label(where)
    offset = zone_offset(where, at)
    return ReadInZone(row, offset if offset_only(key) else key, record, offset)


# what a sheet's column keeps of a row's text, as a case holds it (longer: kept up to there, and said)
KEPT = CASE_TEXT_LIMITS


def _kept(row: dict[str, str], name: str) -> str:
    value = row.get(name, "")
    return (value.strip() if name.endswith("_name") else value)[:KEPT[name]]


def _cut(row: dict[str, str], number: int) -> list[Problem]:
    """Each text of a row kept shorter than it was sent, and where it was cut (never silently: probe s23 W9)."""
    return [Problem("", "{name} is longer than {limit} characters: kept up to there, the rest is cut",
                    {"name": name, "limit": f"{limit:,}"}, number, name)
            for name, limit in KEPT.items() if len(_kept(row, name)) < len(row.get(name, "").strip())]


def _birth_kept(uow: UnitOfWork, case_id: int, row: dict[str, str]) -> None:
    """A row's month or year of birth kept with its case as PFIF's ``date_of_birth`` is (``birth_precision``), so
    that the case's page, the API and the exports give it as that month or year, never an invented day."""
    day, precision = birth_given(row.get("birth_date", ""))
    if precision != "day":
        uow.merge_pfif(case_id, {"date_of_birth": birth_written(day, precision)})


def _row_case(row: dict[str, str], where: ZoneInfo) -> tuple[NewCase, str]:
    """A spreadsheet row, and the zone its time was read in ("" when it named its offset): times and dates
    are read as every typed time is (``typed_time.read_typed_time``, with a sheet's serial numbers), those
    without an offset in ``where`` (the row's zone, else the site's)."""
    birth = birth_given(row.get("birth_date", ""))[0]
    missing = typed_time(row.get("missing_since", ""), where, "missing_since", serials=True, named=True)
    if not row.get("given_name", "").strip():
        raise InvalidInput("the child's given name is required", field="given_name")
    lat, lon = row.get("last_seen_lat", "").strip(), row.get("last_seen_lon", "").strip()
    try:
        place = GeoPoint(float(lat), float(lon)) if lat and lon else None
    except ValueError:
        raise InvalidInput("last_seen_lat and last_seen_lon must be numbers", field="last_seen_lat") from None
    return NewCase(
        given_name=_kept(row, "given_name"), family_name=_kept(row, "family_name"), sex=_sex(row), birth_date=birth,
        missing_since=missing.at, missing_since_precision=missing.precision, last_seen_place=place,
        last_seen_text=_kept(row, "last_seen_text"), description=_kept(row, "description"),
        marks=_kept(row, "marks"), police_report=_kept(row, "police_report"),
        family_contact=_kept(row, "family_contact"),
        nicknames=nickname_list(row.get("nicknames", "")),
    ), missing.read_in


def _sheet(rows: list[tuple[int, list[str]]], report: ImportReport) -> list[tuple[int, dict[str, str] | None]]:
    """The sheet's rows keyed by column (``sheet_columns``), the header's problems and each row not read in the
    report (that row then None). One clear error for a file that is not a table of cases, rather than one per
    row (or none at all: a file of which no row could be read is not 'nothing to do')."""
    if len(rows) < 2:
        raise InvalidInput("no row could be read: the file is empty, or not a CSV or XLSX table of cases",
                           field="file")
    (first, cells), keyed_rows = rows[0], list[tuple[int, dict[str, str] | None]]()
    names, problems = sheet_columns.header(cells)
    report.problems += [Problem.of("", problem, row=first) for problem in problems]
    report.problems += [Problem.of("", problem, row=first) for problem in sheet_columns.unnamed(names, rows[1:])]
    for number, row in rows[1:]:
        try:
            keyed_rows.append((number, sheet_columns.keyed(names, row)))
        except InvalidInput as exc:
            report.problems.append(Problem.of("", exc, row=number))
            keyed_rows.append((number, None))
    return keyed_rows


def _valid_rows(deps: Deps, sheet: list[tuple[int, dict[str, str] | None]], report: ImportReport,
                progress: Callable[[int], object] | None) -> list[tuple[int, NewCase, dict[str, str]]]:
    """Each row read that makes a case, with that case; the others in the report's problems."""
    valid: list[tuple[int, NewCase, dict[str, str]]] = []
    for number, row in sheet:
        try:
            if row is not None:  # else not read: in the report's problems already
                where = _row_zone(row, deps.site.zone)
                case, read_in = _row_case(row, where)
                check_case(case, [], deps.clock.now())
                if read_in:  # its time named no offset: say in which zone it was read
                    report.read_in_zone.append(read_in_zone(number, where, case.missing_since))
                valid.append((number, case, row))
                report.problems += _cut(row, number)
        except ReuniteError as exc:
            report.problems.append(Problem.of("", exc, row=number))
        if progress:
            progress(1)
    return valid


def _this_sites(deps: Deps, who: Principal, uow: UnitOfWork, row: dict[str, str], case: NewCase) -> int | None:
    """The case here that a row of a CSV export (this site's, a mirror's) names by its ``id`` or ``record_id``
    (``{REUNITE_PFIF_DOMAIN}/case.N``, or a partner's record this site imported), when it is that child (the
    same given name: another site's export numbers its own cases), so that it is not registered twice. Only a case
    an export could have carried (verified, and not rejected since) or one the sender may correct (its own
    organisation's: ``access.may_correct``): another's case waiting or rejected answers as no case at all, so that
    an id and a guessed name tell nobody it exists (probe s43 E7)."""
    record, number = record_id(row.get("record_id", "").strip()), row.get("id", "").strip()
    if record and record_domain(record) == canonical_domain(deps.site.pfif_domain):
        number, record = record.split("/", 1)[1].removeprefix("case."), ""
    local = int(number) if number.isdigit() and len(number) <= 18 else None
    found = uow.case_for_record(record, local) if record or local is not None else None
    if not found or str(found["given_name"]).casefold() != case.given_name.casefold():
        return None
    exported = found["verified_at"] is not None and found["status"] != "rejected"
    case_id = int(found["id"])
    return case_id if exported or access.may_correct(who, case_id, uow.registrant(case_id)) else None


# a row of a child registered before, by the case's status now: a case that ended is never registered again
# unseen (probe s41 D4: a fresh pending case republished and re-alerted a reunited child)
ALREADY = {
    "open": "already registered: case {case}",
    "closed": "already registered: case {case}, closed since: not registered again (a child missing again is registered with the new day missing)",  # noqa: E501
    "reunited": "already registered: case {case}, reunited since: not registered again (a child missing again is registered with the new day missing)",  # noqa: E501
}


def import_cases_table(
    deps: Deps, who: Principal, data: bytes, dry_run: bool, progress: Callable[[int], object] | None = None,
    key: idempotency.Key | None = None,
) -> ImportReport:
    """Cases from a CSV or XLSX sheet (one row each; columns as in docs/exchange.md). A dry run
    checks every row and writes nothing; otherwise valid rows are registered (pending verification,
    without photos) in one transaction and the others reported with the reason."""
    require(who, Permission.REGISTER_CASE)
    if not dry_run and (first := ImportReport.remembered(deps, key)) is not None:
        return first
    rows = deps.tables.read_rows(data, deps.limits.import_records_per_request) if who.signed_in else \
        deps.tables.read_rows(data)  # the command line: no limit but the file's
    report = ImportReport(dry_run=dry_run)
    sheet = _sheet(rows, report)
    throttle.records_limit(deps, who, len(sheet), counted=not dry_run)  # probe s21 U4
    valid = _valid_rows(deps, sheet, report, progress)
    with deps.uow() as uow:
        rights.still_held(uow, who, Permission.REGISTER_CASE)  # its token revoked meanwhile: nothing written (s34 H3)
        registered = intake.registered_cases(uow, who, [case for _, case, _ in valid])  # as ``intake.registered``
        children: dict[tuple[str, str, date], list[tuple[NewCase, int]]] = {}  # this sheet's rows, by child
        for (number, case, row), known in zip(valid, registered, strict=True):
            same = (case.given_name.casefold(), case.family_name.casefold(), case.birth_date)
            earlier = next((n for first, n in children.get(same, []) if same_day_missing(  # as a case here is
                case.missing_since, case.missing_since_precision, first.missing_since,
                first.missing_since_precision)), None)
            if (ours := _this_sites(deps, who, uow, row, case)) is not None:  # a row of an export coming back
                report.already.append(Problem.of("", InvalidInput(
                    "this site's own case {case} (its id in the sheet): not registered again", case=ours), number))
            elif earlier is not None:
                report.already.append(Problem.of("", InvalidInput(
                    "the same child as row {row}: registered once", row=earlier), number))
            elif known is not None:  # the same sheet sent again (by this key, or another of its organisation)
                report.already.append(Problem.of("", InvalidInput(ALREADY[known[1]], case=known[0]), number))
            else:
                children.setdefault(same, []).append((case, number))
                report.created += 1
                if not dry_run:
                    case_id = uow.add_case(case, deps.clock.now())
                    _birth_kept(uow, case_id, row)
                    uow.audit(who.actor, "case.imported", "case", case_id, row=number)
                    doubles.check_arrival(uow, case_id)
                    report.registered.append(Registered(number, case_id))
        report.unchanged = len(report.already)
        if dry_run:
            return report
        if (won := report.kept(uow, key)) is not None:
            return won
        uow.commit()
    return report


def export_cases_csv(deps: Deps, who: Principal) -> bytes:
    """Verified cases for authorised partners (no contacts, no police report numbers; the place, the
    description and the marks as the reader may read them: ``last_seen_as_read``, ``access.text_shown``); closed and
    expired ones, and those verified once that wait for verification again (held, reopened), as placeholders (id,
    record id, status), as in PFIF. The status as this reader reads it in the API (``access.exported_status``): a
    partner reads a hoax as ``withdrawn``, never ``rejected``; a case held back reads ``withdrawn`` too."""
    require(who, Permission.EXPORT)
    rows = [dict(case, nicknames=", ".join(case["nicknames"]), missing_since=_given(deps, case),
                 birth_date=_birth(case), last_seen_text=last_seen_as_read(deps, who, case),
                 description=text_shown(who, case, "description"),
                 marks=text_shown(who, case, "marks"))
            if exported_in_full(case) else
            {"id": case["id"], "record_id": case["record_id"], "status": exported_status(who, case)}
            for case in deps.read.export_cases()]
    audit_export(deps, who, "csv", len(rows))
    return deps.tables.write_csv(rows, CSV_COLUMNS)


def _birth(case: dict[str, Any]) -> str:
    """A case's birth date as precisely as it is known (probe s41 D6, s43 E4): a partner's or a sheet's
    ``2015-03`` as that month, a year as that year, an age alone as the year it gives (never the day in the
    middle it is kept as)."""
    return birth_written(case["birth_date"], case_birth_precision(case))


def _given(deps: Deps, case: dict[str, Any]) -> datetime | str:
    """A case's missing-since as a sheet's cell gives it back, read again as it was given: a time at the offset of
    the zone the public reads its day in (``place_days.missing_since_shown``), a date given alone as that date
    (2026-11-20, 2026-11, 2026), never its midnight."""
    at, precision = case["missing_since"], case["missing_since_precision"]
    return missing_since_shown(deps, case) if precision == INSTANT else date_written(at, precision)


def last_seen_as_read(deps: Deps, who: Principal, case: dict[str, Any]) -> str:
    """Where a child was last seen, as ``who`` may read it: the family's words for the family and
    reviewers (``access.exact_last_seen``), else only the public city (``posters.case_city``), or nothing."""
    return case["last_seen_text"] if exact_last_seen(who, case["id"]) else case_city(deps, case)


def audit_export(deps: Deps, who: Principal, kind: str, records: int) -> None:
    """Every export of cases is a read of personal data: written to the audit log."""
    with deps.uow() as uow:
        uow.audit(who.actor, "cases.exported", "case", 0, format=kind, records=records)
        uow.commit()

"""A PFIF person as the case of someone who went missing as a child: when its record was written, when the person
was born and went missing, and why a person cannot be one, each refusal naming the field and what is wrong with
the value sent (probe s46 P9: a date present but unreadable is no missing date). The fields themselves are read
in ``domain/pfif.py``."""

from __future__ import annotations

from datetime import UTC, datetime, time, tzinfo

from reunite.domain.dates import calendar_fault, no_such_day
from reunite.domain.errors import InvalidInput
from reunite.domain.model import NewCase, Sex, age_in_years
from reunite.domain.pfif import CHILD_YEARS, KEPT, MISSING_LINE, NAME_KEPT, OTHER_AGE, Birth, birth, instant, names
from reunite.domain.spelling import nickname_list
from reunite.domain.typed_time import DAY, TypedTime, read_typed_time

SHOWN = 80  # characters of a value sent shown in the message refusing it


def recorded_at(person: dict[str, str]) -> datetime:
    """When the record was written: its ``source_date``, else its ``entry_date``. One sent that is no date and time
    is refused naming it (never "missing", never passed over for the other: it decides which version is newer)."""
    for name in ("source_date", "entry_date"):
        sent = person.get(name, "").strip()
        if not sent:
            continue
        found = instant(sent)
        if found is None:
            raise InvalidInput("{name} “{value}” is not a date and time: write it in UTC as 2026-12-01T08:00:00Z",
                               name=name, value=sent[:SHOWN])  # named as sent (no ``field``: "source date")
        return found
    raise InvalidInput("no source_date or entry_date")


def born(person: dict[str, str], recorded: datetime) -> Birth:
    """When the person was born (``pfif.birth``); a date of birth or an age sent that cannot be read is refused
    naming the field and its value, as a day the calendar lacks is; neither sent: "no date of birth or age"."""
    found = birth(person, recorded)
    if found is not None:
        return found
    sent, age = person.get("date_of_birth", "").strip(), person.get("age", "").strip()
    if calendar_fault(sent) == "month":
        raise InvalidInput("date_of_birth: the month is not valid (a year has 12 months)")
    if no_such_day(sent):
        raise InvalidInput("date_of_birth: the date is not valid (no such day in the calendar)")
    if sent:
        raise InvalidInput("date_of_birth “{value}” is not a date of birth: write it as 2016-05-02, 2016-05 or 2016",
                           field="date_of_birth", value=sent[:SHOWN])
    other = OTHER_AGE.search(person.get("description", ""))
    if age or other:
        raise InvalidInput("age “{value}” is not an age: write it as years, 7, or a range, 6-8, the younger first",
                           field="age", value=(age or (other.group(1) if other else ""))[:SHOWN])
    raise InvalidInput("no date of birth or age: Reunite registers people who went missing as children")


def missing_since(person: dict[str, str], recorded: datetime, where: tzinfo) -> TypedTime:
    """When the person went missing: a ``missing since: …`` (``走失时间：…``) line of the description, read as
    every typed time is (``typed_time.read_typed_time``: a date and time is that instant, a date alone that
    whole day, month or year), else the record's own date, as a day (UTC's: the record's date is no instant
    anyone saw the child at). Adults looking for the family they lost as children say it this way. A time or
    date without an offset (or ``-00:00``) is read in ``where`` (the partner's zone, else the site's), and
    said so (``read_in``); a line that cannot be read is refused (InvalidInput), never replaced by the
    record's date; two lines saying different dates are refused naming both (probe s46 P7: the second was
    silently dropped)."""
    lines = list(dict.fromkeys(found.group(1).strip() for found in MISSING_LINE.finditer(person.get("description",
                                                                                                       ""))))
    if not lines:
        return TypedTime(datetime.combine(recorded.astimezone(UTC).date(), time(), UTC), DAY)
    if len(lines) > 1:
        raise InvalidInput("the description has {count} missing-since lines saying different dates ({first}; {second}): the person is not taken; give one",  # noqa: E501
                           field="missing_since", count=len(lines), first=lines[0][:SHOWN], second=lines[1][:SHOWN])
    said = lines[0]
    found = read_typed_time(said, where, "missing_since")
    if found is None:
        raise InvalidInput("the missing-since line “{said}” cannot be read: write it as 2026-11-20T10:00+08:00 or 2026-11-20",  # noqa: E501
                           field="missing_since", said=said[:SHOWN])
    return found


def person_case(person: dict[str, str], where: tzinfo) -> tuple[NewCase, datetime, str]:
    """A PFIF person as the case of someone who went missing as a child (whatever their age now),
    with the record's source date and the zone a time without an offset was read in (``missing_since``);
    InvalidInput says why a person cannot be one."""
    recorded = recorded_at(person)
    given, family = names(person)
    if not given:
        raise InvalidInput("no name")
    birth_day = born(person, recorded).day
    said = missing_since(person, recorded, where)
    missing = said.at
    if birth_day > missing.date():
        raise InvalidInput("the date of birth is after the date missing")
    if age_in_years(birth_day, missing.date()) >= CHILD_YEARS:
        raise InvalidInput("went missing as an adult: Reunite registers people who went missing as children")
    case = NewCase(
        given_name=given[:NAME_KEPT], family_name=family[:NAME_KEPT],
        sex=Sex.read(person.get("sex", "")) or Sex.UNKNOWN,
        birth_date=birth_day, missing_since=missing, missing_since_precision=said.precision,
        last_seen_place=None,  # last seen: from notes, not home
        description=person.get("description", "")[:KEPT["description"]],
        nicknames=nickname_list(*person.get("alternate_names", "").splitlines()),
    )
    return case, recorded, said.read_in

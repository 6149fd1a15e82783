"""A lead in words a parent understands, in the reader's language: the band (strong, possible or
weak lead), how often different children look this similar ("about 1 in 1,300"), the rank among
open cases ("2nd of 1,051 open cases") and the caveat of long gaps. Never a percentage: a score is
a lead, not a certainty. Pages, the API and emails all speak through here."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from reunite.domain.ages import age_of_years
from reunite.domain.doubles import SEARCHED_PICTURE
from reunite.domain.elapsed import DAY, HOUR, INSTANT, MONTH, YEAR, Elapsed, since_missing
from reunite.domain.model import SeenAtBasis
from reunite.domain.scoring import doubt_hours
from reunite.i18n import Language


def band(lang: Language, strength: str, family_word: bool = False) -> str:
    """The band's name; below the operating point (``none``) it says the face makes no lead, and, when the
    family marked the sighting (``family_word``), that only their word keeps it: never "Weak lead"."""
    if strength == "none":
        return lang.gettext("Not a lead by the face: only the family's word") if family_word \
            else lang.gettext("Not a lead by the face")
    words = {"strong": lang.gettext("Strong lead"), "possible": lang.gettext("Possible lead"),
             "weak": lang.gettext("Weak lead")}
    return words[strength]


def family_word(facts: dict[str, Any]) -> bool:
    """The family marked this sighting as possibly their child (proposed it, or answered "maybe")."""
    return facts.get("proposed_by") == "family" or facts.get("family_answer") == "maybe"


def ordinal(lang: Language, n: int) -> str:
    """1st, 2nd, 3rd, 11th … in English; 第 1, 第 2 … in Chinese."""
    if lang.code.startswith("zh"):
        return f"第 {n}"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{lang.number(n)}{suffix}"


def lead_words(lang: Language, lead: dict[str, Any], facts: dict[str, Any] | None = None) -> list[str]:
    """The sentences shown beside a candidate or a search result, most important first: the band (the
    face evidence's, a step lower for what follows it: ``leads.told``), then what the reporter saw that
    the case contradicts (from the pair's ``facts``: the candidate or hit), then the rank and how often
    different children look this similar. Each says what it reads: the rank the whole ranking (face,
    age, time, place, sex), the "1 in N" the face alone, so that a case ranked 2nd reading a rarer
    "1 in N" than the 1st explains itself."""
    facts = facts or {}
    # the report's photo is the case's own picture (a repost), or the photo searched with: said instead of the band
    # (probe s39 L5, s43 E5)
    if lead.get("one_picture") == SEARCHED_PICTURE:
        named = lang.gettext("One picture: this report's photo is the photo searched with. Their likeness says nothing more than that; read the report's own words.")  # noqa: E501
    elif lead.get("one_picture"):
        named = lang.gettext("One picture: this report's photo is the case's own photo (a repost of its poster or appeal). Their likeness is no evidence that the child was seen there.")  # noqa: E501
    else:
        named = band(lang, lead["strength"], family_word(facts))
    words = [named,
             *contradiction_words(lang, lead.get("contradicts") or [], facts)]
    if lead.get("rank") and lead.get("rank_of"):
        words.append(lang.gettext(
            "{ordinal} of the cases proposed for this sighting, by face, age, time, place and sex (open cases searched: {n})",  # noqa: E501
            ordinal=ordinal(lang, lead["rank"]), n=lang.number(lead["rank_of"])))
    if lead.get("photos_removed"):  # the case closed with the family's photos deleted: no figure is read now
        words.append(lang.gettext("the family's photos were deleted when the case closed: how alike the faces are is no longer read"))  # noqa: E501
    else:
        words.append(face_reading(lang, lead))
    then = lead.get("when_decided")
    if then:  # the trail changed since the decision: what it was decided on, beside what it reads now
        was, named = face_reading(lang, then), band(lang, then["strength"])
        words.append(lang.gettext("when it was confirmed: {band}, {reading}", band=named, reading=was)
                     if then["status"] == "confirmed"
                     else lang.gettext("when it was dismissed: {band}, {reading}", band=named, reading=was))
    if lead.get("long_gap") and lead.get("gap_years") is not None:
        words.append(lang.ngettext("photos {n} year apart: faces change a lot, so this is a weaker lead",
                                   "photos {n} years apart: faces change a lot, so this is a weaker lead",
                                   round(lead["gap_years"])))
    return words


def face_reading(lang: Language, lead: dict[str, Any]) -> str:
    """How often different children look this similar, saying what it reads: the face alone, or the trail's
    faces together (``together``: a group's fused face, each picture once; probe s28 B6), never one face's
    words for the trail's figure."""
    together = lead.get("together") or 1
    if lead.get("bounded"):  # no N: a sample's size is not the pair's, and the same faces read one sentence
        if together > 1:
            return lang.gettext("these {k} sightings' faces together, more alike than almost any two different children we tested",  # noqa: E501
                                k=together)
        return lang.gettext("by the face alone, more alike than almost any two different children we tested")
    if lead.get("one_in") is None:
        return lang.gettext("not calibrated: compare the faces yourself")
    if together > 1:
        return lang.gettext("these {k} sightings' faces together: about 1 in {n} different children look this similar",
                            k=together, n=lang.number(lead["one_in"]))
    return lang.gettext("by the face alone, about 1 in {n} different children look this similar",
                        n=lang.number(lead["one_in"]))


def contradiction_words(lang: Language, contradicts: list[str], facts: dict[str, Any]) -> list[str]:
    """Plain sentences for what the reporter saw that the case contradicts (``scoring.contradictions``)."""
    words = []
    if "sex" in contradicts:
        words.append(lang.gettext("The reporter saw a boy; this child is a girl") if facts.get("apparent_sex") == "male"
                     else lang.gettext("The reporter saw a girl; this child is a boy"))
    if "age" in contradicts and facts.get("apparent_age_low") is not None:
        words.append(lang.gettext(
            "The reporter guessed age {low}–{high}; this child would be {age}: the ages do not fit",
            low=facts["apparent_age_low"], high=facts["apparent_age_high"], age=_age(lang, facts["expected_age"])))
    if "time" in contradicts and facts.get("elapsed_days") is not None:
        when = since_missing_words(lang, seen_since(facts))  # before the child went missing at every time either may be
        words.append(lang.gettext("Seen {when}: the times do not fit", when=when))
    return words


def lead_summary(lang: Language, lead: dict[str, Any]) -> str:
    return ("；" if lang.code.startswith("zh") else "; ").join(lead_words(lang, lead))


def _whole(x: float) -> int:
    return math.floor(x + 0.5)


def _age(lang: Language, years: float) -> str:
    """An age as people say it and as posters print it (``ages.age_of_years``): the years completed (8 years 9
    months is "8 years old"), the months under 2 years ("9 months old")."""
    return lang.age(age_of_years(years))


# the spans words count in, from the largest: (days one counts, below how many days it is used)
UNITS = ((365.25, math.inf), (30.44, 730.0), (1.0, 60.0), (1 / 24, 2.0))


def _amount(lang: Language, low: float, high: float) -> str:
    """From ``low`` to ``high`` days (neither negative), in the unit the larger asks for: one number when the range
    is no wider than that unit ("5 hours"; a time known to its hour), else both ("6–34 hours": a camera's clock
    read in an assumed zone), never more precisely than it is known; under half an hour, "less than an hour"
    (never "0 hours")."""
    step = next(step for step, below in reversed(UNITS) if high < below)
    if high - low <= step * (1 + 1e-9):  # (an hour's width, as floats add it)
        low = high = (low + high) / 2
    if _whole(high / step) == 0:
        return lang.gettext("less than an hour")
    return _counted(lang, {1 / 24: HOUR, 1.0: DAY, 30.44: MONTH, 365.25: YEAR}[step],
                    _whole(low / step), _whole(high / step))


def _counted(lang: Language, unit: str, low: int, high: int) -> str:
    """``low``–``high`` hours (days, months, years) in words; one number when they are equal."""
    if low != high:
        return {HOUR: lang.gettext("{low}–{high} hours", low=low, high=high),
                DAY: lang.gettext("{low}–{high} days", low=low, high=high),
                MONTH: lang.gettext("{low}–{high} months", low=low, high=high),
                YEAR: lang.gettext("{low}–{high} years", low=low, high=high)}[unit]
    return {HOUR: lang.ngettext("{n} hour", "{n} hours", low), DAY: lang.ngettext("{n} day", "{n} days", low),
            MONTH: lang.ngettext("{n} month", "{n} months", low),
            YEAR: lang.ngettext("{n} year", "{n} years", low)}[unit]


# a span counted in the case's own calendar days (months) while shorter than this; beyond, a day's or a month's
# width is lost in the rounding, and the span reads as any other ("3 years after the child went missing")
CALENDAR_BELOW = {DAY: 60, MONTH: 24, YEAR: math.inf}


def seen_since(c: dict[str, Any]) -> Elapsed:
    """A candidate's or a search hit's time against the case's, as precisely as both are known: ``since_missing``
    (``queries.with_lead`` and search read it with the case's date and the site's zone), else from the
    ``elapsed_days`` alone, the case's time taken as given to the minute."""
    found = c.get("since_missing")
    if isinstance(found, Elapsed):
        return found
    basis = SeenAtBasis(c.get("seen_at_basis") or SeenAtBasis.GIVEN)
    return since_missing(c["elapsed_days"], doubt_hours(basis), c.get("seen_at_precision") or INSTANT)


def since_missing_words(lang: Language, e: Elapsed) -> str:
    """When the child was seen against when the child went missing, no more precisely than both are known: "15
    hours after the child went missing" (both times given), "the same day the child went missing", "3 days after
    the day the child went missing" (a date given alone: calendar days), "in the month the child went missing";
    "before" only when it is so at every time each may be, and when the two may meet, how near they are."""
    if e.calendar and max(abs(e.low), abs(e.high)) < CALENDAR_BELOW[e.unit]:
        return _calendar_words(lang, e)
    if e.before:
        return lang.gettext("{elapsed} before the child went missing", elapsed=_amount(lang, -e.high_days, -e.low_days))
    if e.low_days >= 0:
        return lang.gettext("{elapsed} after the child went missing", elapsed=_amount(lang, e.low_days, e.high_days))
    near = max(-e.low_days, e.high_days, 1 / 24)  # within an hour, at the least
    return lang.gettext("within {elapsed} of the time the child went missing", elapsed=_amount(lang, near, near))


def _calendar_words(lang: Language, e: Elapsed) -> str:
    """``since_missing_words`` of a case whose date was given alone, in its whole days (months, years)."""
    if e.low == e.high == 0:
        return {DAY: lang.gettext("the same day the child went missing"),
                MONTH: lang.gettext("in the month the child went missing"),
                YEAR: lang.gettext("in the year the child went missing")}[e.unit]
    if e.high < 0:
        span = _counted(lang, e.unit, -e.high, -e.low)
        return {DAY: lang.gettext("{elapsed} before the day the child went missing", elapsed=span),
                MONTH: lang.gettext("{elapsed} before the month the child went missing", elapsed=span),
                YEAR: lang.gettext("{elapsed} before the year the child went missing", elapsed=span)}[e.unit]
    if e.low >= 0:
        span = _counted(lang, e.unit, e.low, e.high)
        return {DAY: lang.gettext("{elapsed} after the day the child went missing", elapsed=span),
                MONTH: lang.gettext("{elapsed} after the month the child went missing", elapsed=span),
                YEAR: lang.gettext("{elapsed} after the year the child went missing", elapsed=span)}[e.unit]
    near = max(-e.low, e.high)
    span = _counted(lang, e.unit, near, near)
    return {DAY: lang.gettext("within {elapsed} of the day the child went missing", elapsed=span),
            MONTH: lang.gettext("within {elapsed} of the month the child went missing", elapsed=span),
            YEAR: lang.gettext("within {elapsed} of the year the child went missing", elapsed=span)}[e.unit]


def why(lang: Language, c: dict[str, Any]) -> list[str]:
    """A candidate's ranking in words (place, time, age, a face like many), as this reader sees it:
    the case page's list, and the API's ``explanation``. The face's part is told by the lead."""
    words = []
    if c.get("distance_km") is not None and c["distance_km"] <= 1:  # a family's: the same or the next 1 km square
        words.append(lang.gettext("seen within about 1 km of where last seen"))
    elif c.get("distance_km") is not None:
        words.append(lang.gettext("seen {km} km from where last seen", km=lang.number(c["distance_km"])))
    when = since_missing_words(lang, seen_since(c))
    if c.get("seen_at_basis") == "arrival":  # no time given: only when the report came
        words.append(lang.gettext("time seen not given: reported {when}", when=when))
    else:
        words.append(when)
    if c.get("apparent_age_low") is not None:
        words.append(lang.gettext("apparent age {low}–{high}, expected {age}", low=c["apparent_age_low"],
                                  high=c["apparent_age_high"], age=_age(lang, c["expected_age"])))
    else:
        words.append(lang.gettext("expected age: {age}", age=_age(lang, c["expected_age"])))
    if c.get("resembles_many"):
        words.append(lang.gettext("this face resembles many people's, so it is ranked lower"))
    return words


def explanation(lang: Language, c: dict[str, Any]) -> str:
    """The API's ``explanation``: what contradicts the case first, then the ranking in words."""
    said = contradiction_words(lang, (c.get("lead") or {}).get("contradicts") or [], c)
    return ("；" if lang.code.startswith("zh") else "; ").join([*said, *why(lang, c)])


def seen_when(lang: Language, at: datetime, basis: str | None = None, zone_read: str = "", day: bool = False,
              precision: str = "instant", where: str = "") -> str:
    """When a child was seen, in the reader's zone (zone named; ``day``: the date alone, the day at the place
    seen, ``where`` its zone: ``Language.day_at``, named to a reader elsewhere), saying how it is
    known (``seen_at_basis``): a time nobody gave is never shown as a time seen, but as the report's arrival;
    a camera's clock says so, and the zone its zone-less time was read in; a time read from the report's words
    says so too (``seen_at_zone`` beside ``given``). A time known to the hour (``seen_at_precision`` "hour")
    reads as that hour, never as its first minute. A time (not ``day``) with ``where``, the zone of the place seen
    (``services.place_days.day_zone``), also reads as the clock read there, to a reader whose clock reads another time
    (``Language.there``): the day where it happened, as cards and posters show it, beside the reader's."""
    shown = lang.day_at(at, where or lang.zone) if day else lang.hour(at) if precision == "hour" else lang.datetime(at)
    local = "" if day or not where or not at else lang.there(at, where, precision)
    if local:
        shown = lang.gettext("{time} ({local} where seen)", time=shown, local=local)
    if basis == "arrival":
        return lang.gettext("time not given (report received {time})", time=shown)
    if basis == "camera_zone_assumed" and not zone_read:  # the zone it was read in is the witness's: not said
        said = lang.gettext("the camera's clock, which records no time zone: the hour may be off")
        return f"{shown} ({said})"
    if basis == "camera_zone_assumed":
        return "{} ({})".format(shown, lang.gettext("the camera's clock, which records no time zone: read as {zone}",
                                                     zone=lang.zone_name_of(zone_read, at)))
    if basis == "camera":
        return "{} ({})".format(shown, lang.gettext("from the photo"))
    if zone_read:  # given in the report's words (an e-mail, a post), read by the site
        return "{} ({})".format(shown, lang.gettext("read from the report's words, as {zone}: check them",
                                                     zone=lang.zone_name_of(zone_read, at)))
    return shown


def clock_said(lang: Language, clock: str) -> str:
    """The day a photo's clock read (``camera_clock``, "1970-01-01 00:00"), as the reader's language writes a
    date: what the camera wrote, in no zone (it is no instant anyone saw the child at)."""
    try:
        return lang.day(datetime.fromisoformat(clock))
    except ValueError:
        return clock


def same_photo_words(lang: Language, case_id: int, other_case_id: int, on_poster: int | None = None) -> str:
    """A duplicate flag (or a look-alike) of two cases whose photos are one picture (``domain.doubles.SamePhoto``),
    said plainly: ``case_id``'s photo is ``other_case_id``'s, and, when ``on_poster`` names one of the two, the
    photo of that case's public poster."""
    if on_poster is not None:
        copy = other_case_id if on_poster == case_id else case_id
        return lang.gettext("Same photo: case {id}'s photo is the photo on the public poster of case {other}. Copied from the poster, or the same child registered again.",  # noqa: E501
                            id=copy, other=on_poster)
    return lang.gettext("Same photo: case {id}'s photo is the same photo as case {other}'s. The same child registered again, or a photo copied.",  # noqa: E501
                        id=case_id, other=other_case_id)


def alike_words(lang: Language, case_id: int, alike: dict[str, Any]) -> list[str]:
    """A look-alike of case ``case_id`` (``look_alikes.look_alikes``) in words: "Same photo" first when the two
    photos are one picture (``same_photo_words``), then the pair's reading (``lead_words``)."""
    same = [same_photo_words(lang, case_id, alike["case_id"], alike["case_id"] if alike.get("on_poster") else None)
            ] if alike.get("same_photo") else []
    return same + lead_words(lang, alike["lead"])


def duplicate_words(lang: Language, row: dict[str, Any]) -> list[str]:
    """A duplicate flag (``grouping.duplicates``) in words: "Same photo" first when the flag is for one picture in
    both cases, then the pair's reading (``lead_words``)."""
    same = [same_photo_words(lang, row["case_id"], row["other_case_id"], row.get("photo_on_poster"))
            ] if row.get("same_photo") else []
    linked = [partner_link_words(lang, row)] if row.get("linked_by") else []
    return same + linked + lead_words(lang, row["lead"])


def partner_link_words(lang: Language, row: dict[str, Any]) -> str:
    """Who linked a flag's two cases as one child (a partner registry's PFIF note: ``look_alikes.flag_linked``), and
    what that link does: nothing until a moderator decides."""
    if row.get("partner_only"):
        return lang.gettext("A partner registry linked these as one child ({who}, PFIF note {note}): its word alone holds neither case back. Compare them, then link or dismiss.",  # noqa: E501
                            who=row["linked_by"], note=row.get("linked_note") or "?")
    return lang.gettext("A partner registry linked these as one child too ({who}, PFIF note {note}).",
                        who=row["linked_by"], note=row.get("linked_note") or "?")


CLOCK_AHEAD = timedelta(minutes=15)  # as the server allows a camera's clock ahead of it (``times.CLOCK_SKEW``)


def clock_set_aside(lang: Language, clock: str, sent: datetime) -> str:
    """Why a photo's clock (``camera_clock``) is not the time the child was seen, to the reporter, for a report
    sent (arrived) at ``sent``: a clock ahead of that is said to be ahead, with the time it shows in the reader's
    zone, zone named ("Dec 4, 2026, 9:30 PM Eastern Standard Time, later than when you sent this report"),
    never only a day that is the reporter's today (probe s26 Z9b); any other (1970, 25 years ago) by its day.
    A zone-less clock is read in the reader's zone."""
    try:
        shown = datetime.fromisoformat(clock)
    except ValueError:
        return lang.gettext("Your photo's clock says {day}: that cannot be when you saw the child, so your report has no time yet.", day=clock)  # noqa: E501
    at = shown if shown.tzinfo else shown.replace(tzinfo=lang.tzinfo)
    if at > sent + CLOCK_AHEAD:
        return lang.gettext("Your photo's clock says {time}, later than when you sent this report ({sent}): the camera's clock is ahead, so it cannot be when you saw the child, and your report has no time yet.",  # noqa: E501
                            time=lang.datetime(at), sent=lang.datetime(sent))
    return lang.gettext("Your photo's clock says {day}: that cannot be when you saw the child, so your report has no time yet.", day=clock_said(lang, clock))  # noqa: E501



def own_child_words(lang: Language, photo: dict[str, Any]) -> str:
    """A photo added to a verified case against the case's own photos (``added_check.read_added``), in words."""
    own = photo.get("own")
    if not photo["read"]:
        return lang.gettext("Its faces are not read yet: look again in a minute before accepting")
    if not photo["faces"]:
        return lang.gettext("No face was found in this photo: it is never searched with")
    if not own:
        return lang.gettext("The case has no face of its own photos to compare this one with")
    said = " · ".join(lead_words(lang, own["lead"]))
    if own["looks_like"]:
        return lang.gettext("This face looks like the case's child: {reading}", reading=said)
    return lang.gettext("This face does NOT look like the case's child: {reading}", reading=said)


def added_alike_words(lang: Language, case_id: int, alike: dict[str, Any], first: bool) -> str:
    """Another account's case a photo added to case ``case_id`` looks like (``added_check``), in words."""
    said = " · ".join(alike_words(lang, case_id, alike))
    if first:
        return lang.gettext("Looks most like case {id}'s child: {reading}", id=alike["case_id"], reading=said)
    return lang.gettext("Looks like case {id}'s child too: {reading}", id=alike["case_id"], reading=said)

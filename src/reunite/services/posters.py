"""What the public reads of a verified, open case: its poster (the page, the photo, the printable PDF),
the front page's posters and the feeds. No principal needed: never the family's name or contact."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reunite.domain import access
from reunite.domain.ages import age_told
from reunite.domain.emergency import police_number
from reunite.domain.errors import NotFound
from reunite.domain.model import age_in_years
from reunite.domain.times import zone
from reunite.services import stats
from reunite.services.deps import Deps
from reunite.services.place_days import day_zone
from reunite.services.renditions import Rendition, case_copy, rendition

FEED_BATCH = 200  # cases read at a time while a feed looks for those of a region


def poster(deps: Deps, case_id: int, latin: bool | None = None) -> dict[str, Any]:
    """What a public poster shows of a verified, open case: first name, ages (whole years for partners, and as
    people tell them: ``ages.age_told``), when and where last seen
    (``latin``: the place in Latin letters, for a reader of English, else in Chinese characters, for a
    reader of Chinese; None: as the words are written), and the zone its day is shown in (``place_days.day_zone``
    for the public: the public city's, else the offset the time was given with, else the site's). Never the
    family's name or contact, nor the pin. Public: no principal needed. Its description is the text a moderator
    approved for sharing, else none (``access.text_shown``), as for alerts, webhooks and feeds, which read it
    here."""
    row = deps.read.poster(case_id)
    # the public city's zone (the city the words and the pin's cell name), never the pin's
    row["day_zone"] = day_zone(deps, row["last_seen_lat"], row["last_seen_lon"], row["last_seen_text"] or "",
                               row["missing_since"], public=True)
    row["last_seen_text"] = case_city(deps, row, latin)  # the city, as case_view shows the public
    # only what a moderator approved for sharing, never the family's own words (they may say where it lives)
    row["description"] = access.text_shown(access.ANONYMOUS, row, "description")
    row.pop("shared_description")
    row.pop("last_seen_lat"), row.pop("last_seen_lon")  # the pin itself is never on a poster
    now = deps.clock.now().astimezone(deps.site.zone).date()  # the site's day, never the server's UTC one
    missing = row["missing_since"].astimezone(zone(row["day_zone"]) or deps.site.zone).date()  # the day shown
    row["age_then"] = int(age_in_years(row["birth_date"], missing))
    row["age_now"] = int(age_in_years(row["birth_date"], now))
    # as people tell them (months under 2 years: ``Language.age`` words them), the integers for partners
    row["age_then_told"] = age_told(row["birth_date"], missing)
    row["age_now_told"] = age_told(row["birth_date"], now)
    row["phone"] = call_phone(deps, row["day_zone"])
    return row


def call_phone(deps: Deps, zone: str) -> str:
    """The number a poster, a feed entry or an alert tells whoever sees the child to call: the site's
    (``REUNITE_CONTACT_PHONE``) where the child was last seen in the site's own country (or nothing says
    where: ``zone`` the site's or ''), else the police number of the country the child was last seen in (a child
    lost in New York on a site in China: 911, not 110); '' where that country's number is not known, or
    no country keeps that zone (a time's offset abroad): pages then say to call the local police, as
    ``domain.emergency`` promises, never the site's number, which does not reach the police there (probe s31 E2)."""
    abroad = _abroad(deps, zone)
    return deps.site.contact_phone if abroad is None else abroad


def police_at(deps: Deps, zone: str) -> str:
    """The police number a page tells a reader to call when a child at a place in ``zone`` is in danger now: the
    site's (``REUNITE_POLICE_PHONE``, else its country's) in the site's own country or where nothing says where,
    else that country's, '' where unknown (pages then say to call the local police): a family in Los Angeles is
    never told 110 by a site in China (probe s42 N2)."""
    abroad = _abroad(deps, zone)
    return (deps.site.police_phone or "") if abroad is None else abroad


def _abroad(deps: Deps, zone: str) -> str | None:
    """None for a place in the site's own country (or nowhere said), else that country's police number ('')."""
    if not zone or zone == deps.site.timezone:
        return None
    there = deps.places.country(zone)
    if there is not None and there == deps.places.country(deps.site.timezone):
        return None
    return police_number(there) or ""


def case_city(deps: Deps, case: dict[str, Any], latin: bool | None = None) -> str:
    """The public city of a case: the city its last-seen words name, the pin (as the public sees it:
    ``access.public_pin``) deciding between the places they may name; in ``latin`` letters or not."""
    pin = access.public_pin(case.get("last_seen_lat"), case.get("last_seen_lon"))
    return deps.places.city(case.get("last_seen_text") or "", latin, pin)


def front_page(deps: Deps, latin: bool | None = None, limit: int = 24) -> dict[str, Any]:
    """What anyone sees first: how many children were reunited and the posters of verified cases. The count
    is the public one (``stats.public_statistics``, the same figure /stats and /api/stats give: under 5 None,
    "fewer than 5", else rounded to 5, as it stood at the start of the day), never an exact count that would
    single out the child whose case was just closed (probe s26 Z9c)."""
    posters = [poster(deps, row["id"], latin) for row in deps.read.active_cases(None, limit)]
    return {"reunions": stats.public_statistics(deps)["reunited"], "posters": posters}


def feed_cases(deps: Deps, region: str, before: datetime | None, limit: int) -> list[dict[str, Any]]:
    """Active cases for a feed, newest first: with a region, those whose public place (the city their
    last-seen words name, as on the poster) lies inside it (a city, or any city of a province, named
    in any script), as alerts choose their subscribers. Never matched against the family's own words,
    so a feed tells no more than the posters."""
    region = region.strip()
    if not region:
        return deps.read.active_cases(before, limit)
    found: list[dict[str, Any]] = []
    while len(found) < limit:
        rows = deps.read.active_cases(before, FEED_BATCH)
        found += [r for r in rows if deps.places.covers(region, case_city(deps, r))]
        if len(rows) < FEED_BATCH:
            break
        before = rows[-1]["verified_at"]
    return found[:limit]


def poster_photo(deps: Deps, case_id: int) -> bytes:
    made = poster_rendition(deps, case_id)
    assert made.data is not None
    return made.data


def poster_document(deps: Deps, case: dict[str, Any], labels: dict[str, str], lang: str,
                    known: str | None = None) -> Rendition:
    """A case's printable poster, ``case`` as ``poster`` read it for this request (so a poster taken
    down is gone at once). Made once per content shown, keyed by everything printed (the words in the
    reader's language, the language itself: ``lang``, zh-HK's and zh-TW's scripts alike or not, the name,
    the description, the photo and the face kept sharp in it, the link), so an edited case makes a new one."""
    url = f"{deps.site.base_url}/p/{case['id']}"
    printed = (lang, labels, case["given_name"], case["description"], case["photo_id"], case.get("photo_face"), url)

    def render() -> bytes:
        photo = poster_photo(deps, case["id"]) if case["photo_id"] else None
        return deps.posters.render(labels, case, photo, url, lang)

    return rendition(deps, known, render, "poster.pdf", *printed)


def poster_rendition(deps: Deps, case_id: int, known: str | None = None) -> Rendition:
    """A poster's photo (public while the poster is): asked again at every showing, answered without
    the bytes when the reader's copy (``known``) is still current."""
    photo_id = deps.read.poster(case_id)["photo_id"]
    if photo_id is None:
        raise NotFound("case {id} has no photo", id=case_id)
    photo = deps.read.photo(photo_id)
    if photo is None:  # deleted since the poster was read
        raise NotFound("case {id} has no photo", id=case_id)
    try:  # as the public reads it: a photo of several faces with every face but the chosen child's blurred
        return case_copy(deps, access.ANONYMOUS, photo, 800, known)
    except NotFound:  # no longer published since the poster was read (its choice undone)
        raise NotFound("case {id} has no photo", id=case_id) from None

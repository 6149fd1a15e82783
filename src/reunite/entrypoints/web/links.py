"""Links a phone acts on: tap to call or write, open the place in a maps app or on OpenStreetMap."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reunite.domain.access import COARSE_DIGITS

PHONE = re.compile(r"\+?\d[\d\s\-().]{4,}\d")
EMAIL = re.compile(r"[^\s@<>\"']+@[^\s@<>\"']+\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class Link:
    text: str
    href: str


def contact_links(contact: str | None) -> list[Link]:
    """Each phone number (tel:) and email address (mailto:) written in a contact field."""
    if not contact:
        return []
    links = [Link(m.group(0), "mailto:" + m.group(0)) for m in EMAIL.finditer(contact)]
    without_emails = EMAIL.sub(" ", contact)
    for match in PHONE.finditer(without_emails):
        digits = re.sub(r"[^\d]", "", match.group(0))
        if len(digits) >= 5:
            plus = "+" if match.group(0).startswith("+") else ""
            links.append(Link(match.group(0).strip(), f"tel:{plus}{digits}"))
    return links


def place_links(lat: float, lon: float) -> dict[str, str]:
    """The exact place: for the phone's maps app (geo:), on OpenStreetMap, and directions to it."""
    at = f"{lat:.6f},{lon:.6f}"
    return {
        "geo": f"geo:{at}?q={at}",
        "map": f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=17/{lat:.6f}/{lon:.6f}",
        "directions": f"https://www.openstreetmap.org/directions?route=%3B{lat:.6f}%2C{lon:.6f}",
    }


def position(lat: float, lon: float, precise: bool = False) -> str:
    """A map position as the reader may know it: exact (5 decimals, about 1 m), or the centre of its
    ~1 km cell written as the API gives it (``access.coarsen``: 30.665, never rounded again to 30.66)."""
    digits = 5 if precise else COARSE_DIGITS
    return f"{lat:.{digits}f}, {lon:.{digits}f}"

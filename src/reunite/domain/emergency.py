"""The police emergency number a reader is told to call when a child is in danger now.

A site serves the places its ``REUNITE_TIMEZONE`` lies in: the number is that country's (110 in mainland China and
Taiwan, 999 in Hong Kong and Macau, 911 in North America, 112 across the European Union), or the operator's
``REUNITE_POLICE_PHONE``. Where the country's number is not in this table, pages name no number ("call the local
police"): a wrong number costs a passer-by time when it counts most."""

from __future__ import annotations

POLICE_BY_COUNTRY = {  # ISO 3166 alpha-2 → the number that reaches the police (or all emergency services)
    "CN": "110", "TW": "110", "HK": "999", "MO": "999", "JP": "110", "KR": "112", "SG": "999", "MY": "999",
    "TH": "191", "VN": "113", "PH": "911", "ID": "110", "IN": "112", "AU": "000", "NZ": "111",
    "US": "911", "CA": "911", "MX": "911", "GB": "999", "IE": "112", "CH": "117", "NO": "112", "IS": "112",
    **dict.fromkeys(("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IT", "LT",
                     "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"), "112"),  # the EU's single number
}


def police_number(country: str | None) -> str | None:
    """The police emergency number of that country, or None where this table does not know it."""
    return POLICE_BY_COUNTRY.get(country.upper()) if country else None

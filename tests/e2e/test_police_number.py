"""Pages tell a reader in danger the police number of the places the site serves: the country of
REUNITE_TIMEZONE's (110 in China, 999 in Hong Kong, 911 in New York), or REUNITE_POLICE_PHONE; where the
country's number is not known, no number at all rather than a wrong one (probe s26 Z2)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container, site_from
from reunite.entrypoints.api.app import create_app


def footer(container: Container, lang: str = "en", **settings: str) -> str:
    changed = container.settings.model_copy(update=settings)
    served = replace(container, settings=changed, deps=replace(container.deps, site=site_from(changed)))
    page = TestClient(create_app(served)).get("/report", headers={"Accept-Language": lang}).text
    return page[page.index("<footer>"):]


@pytest.mark.parametrize(("zone", "number"), [("Asia/Shanghai", "110"), ("Asia/Hong_Kong", "999"),
                                              ("America/New_York", "911"), ("Europe/Berlin", "112")])
def test_the_footer_names_the_police_number_of_the_sites_country(container: Container, zone: str,
                                                                 number: str) -> None:
    told = footer(container, timezone=zone)
    assert f"Call the police: {number}." in told
    assert number == "110" or "110" not in told


def test_an_operators_number_wins_and_an_unknown_country_names_none(container: Container) -> None:
    assert "报警：999" in footer(container, "zh-CN", timezone="Asia/Shanghai", police_phone="999")
    told = footer(container, timezone="UTC")
    assert "Call the police." in told and "110" not in told

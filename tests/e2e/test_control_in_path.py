"""An address whose path holds a control character (%00, a line feed, a tab, an escape, DEL, C1's NEL) is an
address that does not exist: answered 404 in the reader's language saying so, as a page, the API's problem or a
feed's text, never the error page of a fault, and never the record the address names without it ("/api/cases/7%0a"
read as case 7)."""

from __future__ import annotations

import pytest

from reunite.bootstrap import Container
from tests.e2e.test_probe_places import client, verified_family

SAID = "this address holds an invisible control character, which no address here holds: the link may be mistyped or cut"
SAID_ZH = "这个地址含有一个看不见的控制字符，本站没有这样的地址：链接可能有误或不完整"
CONTROLS = ["%00", "%0a", "%09", "%0d", "%1b", "%7f", "%c2%85"]


@pytest.mark.parametrize("control", CONTROLS)
def test_a_page_address_with_a_control_character_is_a_clear_404_in_the_readers_language(
    container: Container, control: str
) -> None:
    browser = client(container)
    for path in (f"/sightings{control}", f"/cases/1{control}", f"/{control}", f"/report{control}"):
        english = browser.get(path)
        assert english.status_code == 404 and english.headers["content-type"].startswith("text/html"), path
        assert SAID in english.text and 'role="alert"' in english.text
        chinese = browser.get(path, headers={"Accept-Language": "zh-CN"})
        assert chinese.status_code == 404 and SAID_ZH in chinese.text
    form = browser.post(f"/report{control}", data={"place_text": "market"})
    assert form.status_code == 404 and SAID in form.text


@pytest.mark.parametrize("control", CONTROLS)
def test_an_api_or_feed_address_with_a_control_character_is_a_clear_404(container: Container, control: str) -> None:
    api = client(container)
    answer = api.get(f"/api/sightings{control}")
    assert answer.status_code == 404 and answer.json()["detail"] == SAID and answer.json()["field"] == "path"
    chinese = api.get(f"/api/cases/1{control}", headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 404 and chinese.json()["detail"] == SAID_ZH
    feed = api.get(f"/feeds/cases.atom{control}", headers={"Accept-Language": "zh-CN"})
    assert feed.status_code == 404 and feed.headers["content-type"].startswith("text/plain") and feed.text == SAID_ZH


def test_a_control_character_never_reaches_the_record_the_address_names_without_it(container: Container) -> None:
    cookie, case_id = verified_family(container)
    family = client(container, cookie=cookie)
    assert family.get(f"/api/cases/{case_id}").status_code == 200
    assert family.get(f"/cases/{case_id}").status_code == 200
    for control in ("%0a", "%09", "%00"):
        api = family.get(f"/api/cases/{case_id}{control}")
        assert api.status_code == 404 and api.json()["detail"] == SAID
        page = family.get(f"/cases/{case_id}{control}")
        assert page.status_code == 404 and SAID in page.text and "Lin" not in page.text

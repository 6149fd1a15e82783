"""Families never read a reporter's own words (they can name the exact place), so a moderator writes
what helps a parent recognise the child: families and partner tokens read those words; words that
repeat the reporter's place beyond its city are refused with what was typed kept; written twice, stored
and audited once; only moderators write them."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.services import moderation, retention
from reunite.services.accounts import issue_token
from tests.conftest import as_read, newest_sighting, run_jobs, session_for
from tests.e2e.test_report_additions import approved_report
from tests.e2e.test_reports_and_places import send

SUMMARY = "Boy about 6, red jacket, limping; an older woman beside him asked for money."


def moderator(anonymous: TestClient, container: Container) -> TestClient:
    """A moderator signed in to the pages."""
    client = TestClient(anonymous.app)
    client.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    return client


def desk(anonymous: TestClient, container: Container) -> TestClient:
    """A moderation desk's API client (the API's changes need a token; cookies only read)."""
    token = issue_token(container.deps, OPERATOR, "moderation desk", [Scope.ADMIN])
    return TestClient(anonymous.app, headers={"Authorization": f"Bearer {token}"})


def page_csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def audited(container: Container, sighting_id: int) -> int:
    with container.engine.connect() as conn:
        return int(conn.exec_driver_sql(
            "SELECT count(*) FROM audit_log WHERE action = 'sighting.family_summary_written' AND subject_id = %s",
            (sighting_id,)).scalar_one())


def test_a_moderators_words_reach_the_family_and_partners_never_the_reporters(
    anonymous: TestClient, container: Container
) -> None:
    _, sighting_id, family = approved_report(anonymous, container)
    mod = moderator(anonymous, container)
    path = f"/sightings/{sighting_id}"
    sent = mod.post(f"{path}/family-summary", data={"csrf": page_csrf(mod, path), "family_summary": SUMMARY},
                    follow_redirects=False)
    assert sent.status_code == 303
    page = family.get(path)
    assert "red jacket, limping" in page.text and "blue coat" not in page.text  # the reporter's words stay withheld
    assert family.get(f"/api/sightings/{sighting_id}").json()["family_summary"] == SUMMARY
    assert "red jacket, limping" in family.get("/sightings").text  # on the card a parent browses, too
    partner = TestClient(anonymous.app, headers={
        "Authorization": f"Bearer {issue_token(container.deps, OPERATOR, 'ngo', [Scope.READ_SIGHTINGS])}"})
    listed = partner.get("/api/sightings").json()["items"]
    assert [s["family_summary"] for s in listed if s["id"] == sighting_id] == [SUMMARY]
    # the same words again (a double tap): stored and audited once
    api = desk(anonymous, container)
    assert api.put(f"/api/sightings/{sighting_id}/family-summary", json={"family_summary": SUMMARY}).status_code == 204
    assert audited(container, sighting_id) == 1
    # only moderators write them
    tried = family.post(f"{path}/family-summary", data={"csrf": page_csrf(family, path), "family_summary": "x"})
    assert tried.status_code == 403
    assert partner.put(f"/api/sightings/{sighting_id}/family-summary", json={"family_summary": "x"}).status_code == 403
    assert family.get(f"/api/sightings/{sighting_id}").json()["family_summary"] == SUMMARY
    # a report taken down keeps nothing of them
    takedown = retention.request_takedown(container.deps, "sighting", sighting_id, "a parent", "parent", "my son")
    retention.decide_takedown(container.deps, OPERATOR, takedown, approve=True, evidence="ID card seen")
    assert container.deps.read.sighting(sighting_id)["family_summary"] == ""


def test_words_that_repeat_the_place_are_refused_in_the_readers_language_with_what_was_typed_kept(
    anonymous: TestClient, container: Container
) -> None:
    _, sighting_id, family = approved_report(anonymous, container)  # reported at "People's Square"
    mod = moderator(anonymous, container)
    path = f"/sightings/{sighting_id}"
    typed = "Boy in a red jacket begging at people's  square every evening"
    refused = mod.post(f"{path}/family-summary", data={"csrf": page_csrf(mod, path), "family_summary": typed},
                       headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 422
    assert "家属只能看到所在城市" in refused.text and typed in html.unescape(refused.text)  # in Chinese, words kept
    too_long = desk(anonymous, container).put(f"/api/sightings/{sighting_id}/family-summary",
                                              json={"family_summary": "a" * 1001})
    assert too_long.status_code == 422 and "1000" in too_long.text
    assert family.get(f"/api/sightings/{sighting_id}").json()["family_summary"] == ""  # nothing stored
    assert audited(container, sighting_id) == 0


def test_a_house_number_from_the_place_words_is_refused_and_a_rejected_report_gets_no_words(
    anonymous: TestClient, container: Container
) -> None:
    send(anonymous, key="k-house", place_text="No. 17 Lane 3 Xinhua Road, Beijing", doing="grey hat")
    run_jobs(container)
    sighting_id = newest_sighting(container)
    api = desk(anonymous, container)
    numbered = api.put(f"/api/sightings/{sighting_id}/family-summary",
                       json={"family_summary": "Girl in a grey hat near No. 17, with a man"})
    assert numbered.status_code == 422
    # the city alone is what every reader sees: naming it is fine (a pending report may be written for, too)
    fine = api.put(f"/api/sightings/{sighting_id}/family-summary",
                   json={"family_summary": "Girl in a grey hat, Beijing, with a man"})
    assert fine.status_code == 204
    moderation.moderate_sightings(container.deps, OPERATOR, [sighting_id], approve=False, reason="not a child",
                                  versions=as_read(container, sighting_id))
    rejected = api.put(f"/api/sightings/{sighting_id}/family-summary", json={"family_summary": "Girl"})
    assert rejected.status_code == 409


def test_the_box_shows_the_place_and_the_reporters_words_and_zero_width_words_are_none(
    anonymous: TestClient, container: Container
) -> None:
    _, sighting_id, family = approved_report(anonymous, container)
    page = html.unescape(moderator(anonymous, container).get(f"/sightings/{sighting_id}").text)
    beside = page[page.index('id="family-summary"'):page.index("</form>", page.index('id="family-summary"'))]
    # next to the box: what families must not read, and what the check cannot catch
    assert "People's Square" in beside and "blue coat" in beside and "a translation, pinyin" in beside
    api = desk(anonymous, container)
    assert api.put(f"/api/sightings/{sighting_id}/family-summary", json={"family_summary": SUMMARY}).status_code == 204
    cleared = api.put(f"/api/sightings/{sighting_id}/family-summary", json={"family_summary": "\u200b\u2060\ufeff"})
    assert cleared.status_code == 204
    assert family.get(f"/api/sightings/{sighting_id}").json()["family_summary"] == ""  # cleared, as blank words are
    assert "About the child, from the moderators" not in family.get(f"/sightings/{sighting_id}").text


def test_a_plus_code_a_geohash_or_a_witness_email_is_refused_naming_what_it_is(
    anonymous: TestClient, container: Container
) -> None:
    """Probe s14 F8: what a map app shares for a dropped pin got through, and a contact was called a place."""
    _, sighting_id, family = approved_report(anonymous, container)
    api = desk(anonymous, container)
    path = f"/api/sightings/{sighting_id}/family-summary"
    for words, named in (("Girl in red, plus code 6FPJ+X2 上海", "地图编码"), ("girl in red, wtw3sqe5", "地图编码"),
                         ("girl in red, ///index.home.raft", "地图编码"), ("girl in red at 31 deg 14 min N", "位置"),
                         ("girl in red; the witness is anon@x.org", "联系方式")):
        refused = api.put(path, json={"family_summary": words}, headers={"Accept-Language": "zh-CN"})
        assert refused.status_code == 422 and named in refused.text, words
    assert family.get(f"/api/sightings/{sighting_id}").json()["family_summary"] == ""
    assert api.put(path, json={"family_summary": SUMMARY}).status_code == 204  # ordinary words still pass

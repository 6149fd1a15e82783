"""A reporter's receipt and private link, a queued report sent twice, the front page, HTML errors,
map settings and place words across languages and scripts."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.config import Settings
from reunite.domain.access import Role
from reunite.domain.model import SightingFilter
from tests.conftest import count_rows, plain_photo, session_for


def csrf(client: TestClient) -> str:
    page = client.get("/report")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def send(client: TestClient, key: str = "", seed: int = 0, **fields: str) -> tuple[int, str]:
    files = [("photos", ("street.jpg", plain_photo(seed=seed), "image/jpeg"))]
    response = client.post("/report", files=files, data={"csrf": csrf(client), "client_key": key, **fields})
    return response.status_code, response.text


def private_link(html: str) -> str:
    found = re.search(r'id="private-link">[^<]*?(/reports/[^<"]+)<', html)
    assert found, html[:2000]
    return found.group(1)


def test_a_report_sent_twice_from_a_phone_queue_is_stored_once(anonymous: TestClient, container: Container) -> None:
    status, first = send(anonymous, key="phone-key-1", place_text="Hankou")
    assert status == 200
    status, again = send(anonymous, key="phone-key-1", place_text="Hankou")
    assert status == 200
    assert count_rows(container, "sightings") == 1
    assert private_link(first) == private_link(again)  # the same receipt, shown again
    receipt = re.search(r'class="receipt-no">([A-Z0-9-]+)<', first)
    assert receipt and receipt.group(1) in private_link(first)
    send(anonymous, key="phone-key-2", seed=1)
    assert count_rows(container, "sightings") == 2


def test_a_second_witness_with_the_same_picture_keeps_their_own_report(
    anonymous: TestClient, container: Container
) -> None:
    _, first = send(anonymous, key="witness-1", seed=7, place_text="Hankou station", doing="begging, blue coat")
    _, second = send(anonymous, key="witness-2", seed=7, place_text="Wuchang bus stop", doing="with a woman")
    assert private_link(first) != private_link(second)  # each witness has a receipt of their own
    with container.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, place_text, description FROM sightings ORDER BY created_at").fetchall()
    assert [(r[1], r[2]) for r in rows] == [("Hankou station", "begging, blue coat"),
                                            ("Wuchang bus stop", "with a woman")]
    reviewer = TestClient(anonymous.app)
    reviewer.cookies.set("reunite_session", session_for(container, Role.MODERATOR)[1])
    page = reviewer.get(f"/sightings/{rows[1][0]}")
    assert "The same picture also in" in page.text and f'href="/sightings/{rows[0][0]}"' in page.text
    assert f'href="/sightings/{rows[1][0]}"' in reviewer.get(f"/sightings/{rows[0][0]}").text


def test_the_private_link_adds_details_and_withdraws_and_nothing_else_opens_it(
    anonymous: TestClient, container: Container
) -> None:
    _, thanks = send(anonymous, key="k", place_text="People's Square")
    link = private_link(thanks)
    page = anonymous.get(link)
    assert page.status_code == 200 and "Withdraw my report" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
    assert anonymous.get(link[:-3] + "xyz").status_code == 404  # a guessed secret opens nothing
    token = csrf(anonymous)
    added = anonymous.post(link + "/details", data={"csrf": token, "details": "red coat, went north",
                                                    "contact": "+86 139 0000 0000"})
    assert added.status_code == 200 and "Your details were added" in added.text
    with container.engine.connect() as conn:
        description, contact = conn.exec_driver_sql("SELECT description, reporter_contact FROM sightings").one()
    assert "red coat, went north" in description and contact == "+86 139 0000 0000"
    photos = count_rows(container, "photos")
    for language, said in (("en", "tick the box to confirm"), ("zh-CN", "请勾选")):  # the box left unticked
        unsure = anonymous.post(link + "/withdraw", data={"csrf": token}, headers={"Accept-Language": language})
        assert unsure.status_code == 422 and said in unsure.text and f"{link}/withdraw" in unsure.text
        assert unsure.headers["Referrer-Policy"] == "no-referrer"
    assert count_rows(container, "photos") == photos > 0  # nothing deleted
    gone = anonymous.post(link + "/withdraw", data={"csrf": token, "sure": "1"})
    assert gone.status_code == 200 and "withdrawn" in gone.text
    # nothing is left to add to or withdraw: the page no longer offers its link for that (probe s18 R11)
    assert "Your private link" not in gone.text and "Your private link" not in anonymous.get(link).text
    assert count_rows(container, "photos") == 0
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT status, place_text FROM sightings").one() == ("withdrawn", "")
    assert anonymous.post(link + "/details", data={"csrf": token, "details": "x"}).status_code == 422


def test_every_page_with_a_secret_in_its_address_is_sent_without_referrer(container: Container) -> None:
    """One list of secret-bearing routes (redacted in the access log, sent with no-referrer): every route
    whose path names a token is on it, and its pages, found or not, leak no referrer."""
    from reunite.entrypoints.api.app import create_app
    from reunite.entrypoints.secret_links import carries_secret
    from tests.e2e.test_access import app_routes

    app = create_app(container)
    secret_paths = {path for _, path in app_routes(app) if "{token}" in path}
    assert len(secret_paths) >= 5
    with TestClient(app) as browser:
        for path in secret_paths:
            sample = path.replace("{receipt}", "R1").replace("{token}", "s3cr3t")
            assert carries_secret(sample), path
            assert browser.get(sample).headers["Referrer-Policy"] == "no-referrer", path
        unsubscribe = browser.get("/subscriptions/1/unsubscribe?t=s3cr3t")
        assert unsubscribe.headers["Referrer-Policy"] == "no-referrer"
        assert browser.get("/report").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_exif_read_on_the_phone_is_used(anonymous: TestClient, container: Container) -> None:
    status, _ = send(anonymous, key="a", photo_taken_at="2026-11-30T09:33:00+08:00", photo_lat="30.6",
                     photo_lon="104.06")
    assert status == 200
    with container.engine.connect() as conn:
        seen_at, lat = conn.exec_driver_sql("SELECT seen_at, lat FROM sightings").one()
    assert seen_at.isoformat().startswith("2026-11-30T01:33") and lat == pytest.approx(30.6)
    # what is no time or place (no zone, a latitude of 95°) is left out, never refused (tests/e2e/test_photo_clock.py)


def test_front_page_offers_two_choices_counts_reunions_and_lists_posters(
    anonymous: TestClient, client: TestClient, container: Container
) -> None:
    files = {"photos": ("lin.jpg", plain_photo(), "image/jpeg")}
    made = client.post("/api/cases", files=files, data={
        "given_name": "Lin", "family_name": "Wang", "sex": "female", "birth_date": "2015-01-01",
        "missing_since": "2024-06-01T08:00:00+08:00", "last_seen_text": "Chengdu"})
    assert made.status_code in (200, 201, 202), made.text
    with container.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE cases SET status = 'reunited' WHERE id <> %s", (made.json()["id"],))
    page = anonymous.get("/")
    assert 'href="/report"' in page.text and 'href="/cases/new"' in page.text
    assert "I saw a child" in page.text and "My child is missing" in page.text
    assert f'href="/p/{made.json()["id"]}"' in page.text and "Wang" not in page.text
    assert re.search(r"reunited with their families so far: fewer than 5", page.text)
    zh = anonymous.get("/?lang=zh_CN")
    assert "我看到了一个孩子" in zh.text


def test_unknown_addresses_answer_a_page_for_browsers_and_json_for_the_api(anonymous: TestClient) -> None:
    page = anonymous.get("/no-such-page", headers={"accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "This page does not exist" in page.text and '<html lang="en">' in page.text
    assert "页面不存在" in anonymous.get("/no-such-page?lang=zh_CN").text
    api = anonymous.get("/api/no-such-thing")
    assert api.status_code == 404 and "does not exist" in api.json()["detail"]
    icon = anonymous.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg")


def test_map_tiles_and_credit_are_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("REUNITE_MAP_TILES_URL", "http://tiles.example.cn/{z}/{x}/{y}.png")
    monkeypatch.setenv("REUNITE_MAP_ATTRIBUTION", "© Example Maps")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.map_tiles_url == "http://tiles.example.cn/{z}/{x}/{y}.png"
    assert settings.map_attribution == "© Example Maps"


def test_map_pages_carry_the_tile_settings_and_allow_the_tile_server(anonymous: TestClient) -> None:
    page = anonymous.get("/report")
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page.text
    assert "data-attribution=" in page.text and "data-failed=" in page.text
    assert "https://tile.openstreetmap.org" in page.headers["content-security-policy"]


def test_chengdu_in_either_script_finds_the_same_sightings(container: Container) -> None:
    account, _ = session_for(container, Role.MODERATOR)
    from reunite.domain.access import Principal
    from reunite.domain.model import NewSighting, Upload
    from reunite.services import intake

    reporter = Principal(account_id=account, role=Role.MODERATOR)
    for seed, place in enumerate(["成都市春熙路", "Chengdu, Chunxi Road", "漢口火車站", "Shanghai"]):
        intake.report_sighting(container.deps, reporter, NewSighting(seen_at=None, place=None, place_text=place),
                               [Upload(plain_photo(seed=seed))])

    def found(word: str) -> set[str]:
        _, rows = container.deps.read.sightings(SightingFilter(place=word))
        return {r["place_text"] for r in rows}

    assert found("成都") == found("Chengdu") == found("成都市") == {"成都市春熙路", "Chengdu, Chunxi Road"}
    assert found("汉口") == {"漢口火車站"}


def test_a_page_address_that_names_no_record_is_a_page_not_found(anonymous: TestClient) -> None:
    for path in ("/p/abc", "/p/1.5/photo.jpg", "/cases/abc"):
        page = anonymous.get(path, headers={"Accept": "text/html"}, follow_redirects=False)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html"), path
    assert anonymous.get("/api/sightings/abc").headers["content-type"].startswith("application/json")

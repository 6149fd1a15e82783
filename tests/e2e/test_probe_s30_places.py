"""Probe s30 D2: the public poster, feed and alerts of a child lost in Taiwan, Hong Kong, Singapore or a Chinatown
named the wrong city and country (大安區: Zigong; 板橋: Tokyo, dated in Japan time; Causeway Bay: Bay, Philippines,
"Call 911"; "Chinatown, London": Chinatown, California), or none ("Singapore"), so a region's feed and its
subscribers never heard of the child. Each now names its city, its day there and its police number."""

from __future__ import annotations

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.entrypoints.api.app import create_app
from reunite.services import posters
from tests.e2e.test_probe_s26_abroad import abroad_case
from tests.e2e.test_times import shown


def test_a_child_lost_in_taiwan_hong_kong_singapore_or_a_chinatown_is_posted_in_its_city(container: Container) -> None:
    # the probe's cases, in the words the families typed; a Taipei evening, 23:30, is the 3rd there
    mei = abroad_case(container, "Mei", "2026-12-03T23:30+08:00", "板橋")
    wen = abroad_case(container, "Wen", "2026-12-03T12:00+08:00", "大安區")
    ling = abroad_case(container, "Ling", "2026-12-03T12:00+08:00", "Causeway Bay")
    amy = abroad_case(container, "Amy", "2026-12-03T12:00+00:00", "Chinatown, London")
    xin = abroad_case(container, "Xin", "2026-12-03T12:00+08:00", "Singapore")
    deps = container.deps
    expected = {mei: ("New Taipei City", "Asia/Taipei", "110"), wen: ("Taipei", "Asia/Taipei", "110"),
                ling: ("Hong Kong", "Asia/Hong_Kong", "999"), amy: ("London", "Europe/London", "999"),
                xin: ("Singapore", "Asia/Singapore", "999")}
    for case_id, (city, zone, phone) in expected.items():
        poster = posters.poster(deps, case_id, latin=True)
        assert (poster["last_seen_text"], poster["day_zone"], poster["phone"]) == (city, zone, phone)

    anyone = TestClient(create_app(container))
    page = shown(anyone.get(f"/p/{mei}"))
    assert "Dec 3, 2026" in page and "Tokyo" not in page and "Japan" not in page
    assert "Call 911" not in shown(anyone.get(f"/p/{ling}"))
    for region, case_id in [("新北", mei), ("New Taipei", mei), ("台北", wen), ("Hong Kong", ling), ("香港", ling),
                            ("London", amy), ("Singapore", xin), ("新加坡", xin)]:
        assert case_id in {c["id"] for c in posters.feed_cases(deps, region, None, 50)}, region
    for region, case_id in [("Tokyo", mei), ("Sichuan", wen), ("Philippines", ling), ("California", amy)]:
        assert case_id not in {c["id"] for c in posters.feed_cases(deps, region, None, 50)}, region


def test_a_feed_for_taiwan_lists_a_child_lost_in_any_taiwanese_city(container: Container) -> None:
    """Probe s31 E3: ?region=台湾 (Taiwan, 台灣) listed nobody, while ?region=Kaohsiung listed the child."""
    abroad_case(container, "Zuo", "2026-12-04T21:00+08:00", "高雄市左營區")
    abroad_case(container, "Ann", "2026-12-04T21:00+08:00", "臺北市大安區")
    abroad_case(container, "Lin", "2026-12-04T21:00+08:00", "上海市黄浦区")
    anyone = TestClient(create_app(container))
    for region in ("台湾", "台灣", "臺灣", "Taiwan"):
        feed = shown(anyone.get("/feeds/cases.atom", params={"region": region}))
        assert "Zuo" in feed and "Ann" in feed and "Lin" not in feed

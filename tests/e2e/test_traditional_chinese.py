"""Readers in Taiwan and Hong Kong read traditional Chinese, with their own words (登入, 電郵), on the pages
and in the API's errors, and their pages say so (``lang``), so that screen readers and fonts follow."""

from __future__ import annotations

import re
from dataclasses import replace

from fastapi.testclient import TestClient

from reunite.adapters.notify.webhook import HttpWebhooks
from reunite.bootstrap import Container

SIMPLIFIED_ONLY = re.compile("[报这请录证认说]")  # characters a traditional text never has


def test_a_taiwan_reader_reads_the_report_page_in_traditional_chinese(anonymous: TestClient) -> None:
    for accept, lang, title in (("zh-TW,zh;q=0.9", "zh-TW", "報告您看到的孩子"),
                                ("zh-HK", "zh-HK", "報告您看到的孩子"), ("zh-CN", "zh-CN", "报告您看到的孩子")):
        page = anonymous.get("/report", headers={"Accept-Language": accept})
        assert page.status_code == 200 and f'<html lang="{lang}">' in page.text, accept
        assert f"<h1>{title}</h1>" in page.text, accept
    taiwan = anonymous.get("/report", headers={"Accept-Language": "zh-TW"}).text
    assert not SIMPLIFIED_ONLY.search(re.sub(r"<script.*?</script>|<style.*?</style>", "", taiwan, flags=re.S))
    chosen = anonymous.get("/lang/zh_TW?next=/report", follow_redirects=True)
    assert '<html lang="zh-TW">' in chosen.text  # chosen on the page too, and kept (a cookie)
    anonymous.cookies.clear()
    hong_kong = anonymous.get("/report", headers={"Accept-Language": "zh-HK"}).text
    switch = re.findall(r'lang="([\w-]+)"[^>]*>(English|简体中文|繁體中文)<', hong_kong)
    assert switch == [("en", "English"), ("zh-CN", "简体中文"), ("zh-HK", "繁體中文")], switch  # one traditional


def test_an_api_error_for_a_taiwan_reader_is_in_traditional_chinese(anonymous: TestClient) -> None:
    said = {}
    for accept in ("zh-TW", "zh-HK", "zh-CN"):
        answer = anonymous.get("/api/sightings", headers={"Accept-Language": accept})
        assert answer.status_code == 401 and answer.headers["content-language"] == accept
        said[accept] = answer.json()["detail"]
    assert said == {"zh-TW": "請登入後瀏覽目擊報告", "zh-HK": "請登入後瀏覽目擊報告", "zh-CN": "请登录后浏览目击报告"}
    refused = anonymous.post("/api/subscriptions", json={"channel": "email", "address": "a@example.org",
                                                         "lat": "north"}, headers={"Accept-Language": "zh-Hant"})
    assert refused.status_code == 422 and refused.json()["detail"] == "「緯度」必須是數字"


def test_a_hong_kong_reader_can_subscribe_to_alerts_in_traditional_chinese(client: TestClient,
                                                                           container: Container) -> None:
    container.deps = replace(container.deps, webhooks=HttpWebhooks(allowed_hosts=["127.0.0.1"]))
    subscribed = client.post("/api/subscriptions", headers={"Accept-Language": "zh-HK"}, json={
        "channel": "webhook", "address": "http://127.0.0.1:9999/alerts", "lat": 22.3, "lon": 114.2, "radius_km": 10,
        "language": "zh_HK"})
    assert subscribed.status_code == 201, subscribed.text
    refused = client.post("/api/subscriptions", headers={"Accept-Language": "zh-TW"}, json={
        "channel": "webhook", "address": "http://127.0.0.1:9999/alerts", "language": "fr"})
    assert refused.status_code == 422 and "語言" in refused.json()["detail"] and "zh_TW" in refused.json()["detail"]

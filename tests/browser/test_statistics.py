"""The public statistics page in a real browser, in both languages, with and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from reunite.bootstrap import Container


@pytest.mark.parametrize("javascript", [True, False])
def test_statistics_page_reads_the_same_with_and_without_javascript(
    browser: Browser, server: str, container: Container, javascript: bool
) -> None:
    with container.engine.begin() as conn:
        for i in range(7):  # seven open cases in one province: shown rounded; one elsewhere: counted with the others
            conn.exec_driver_sql(
                "INSERT INTO cases (given_name, sex, birth_date, missing_since, last_seen_text, status, verified_at) "
                "VALUES (%s, 'female', '2015-01-01', '2020-01-01', '湖北省武汉市', 'open', "
                "now() - interval '2 days')", (f"c{i}",))
        conn.exec_driver_sql(
            "INSERT INTO cases (given_name, sex, birth_date, missing_since, last_seen_text, status, verified_at) "
            "VALUES ('lonely', 'male', '2015-01-01', '2020-01-01', '四川省成都市', 'open', "
            "now() - interval '2 days')")
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 360, "height": 740})
    page = context.new_page()
    for lang, hidden, title in (("en", "fewer than 5", "Reunite in numbers"), ("zh_CN", "少于 5", "Reunite 数据")):
        page.goto(f"{server}/stats?lang={lang}")
        assert page.get_by_role("heading", name=title).is_visible()
        chart = page.get_by_role("img", name="Open cases by province" if lang == "en" else "各省进行中的案件")
        assert chart.is_visible()  # drawn by the server: no script needed
        text = page.inner_text("main")
        assert hidden in text and "lonely" not in text
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    context.close()

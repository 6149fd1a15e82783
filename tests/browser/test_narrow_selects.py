"""Probe s26 Z9d: on a 320 px phone in English the reports queue's reason to reject read "1 · not releva": a
select squeezed beside the buttons of its row. Every select on the pages reviewers, police, families and
passers-by use shows each of its choices whole at 320 px, in every language."""

from __future__ import annotations

from datetime import UTC, date, datetime

from playwright.sync_api import Browser, Page

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role
from reunite.domain.model import NewCase, NewSighting, Sex, Upload
from reunite.services import intake
from tests.browser.test_workbench import signed_in
from tests.conftest import plain_photo

# each select's choices that its box cannot show whole: the words are measured in the select's own font
# against its width less its padding and the arrow
CUT = """() => [...document.querySelectorAll('select')].filter(s => s.offsetParent !== null).flatMap(s => {
  const style = getComputedStyle(s), ctx = document.createElement('canvas').getContext('2d');
  ctx.font = style.font;
  const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16;
  return [...s.options].filter(o => ctx.measureText(o.text).width > room)
    .map(o => `${s.name}: "${o.text}" in ${Math.round(room)} px`);
})"""


def cut_choices(page: Page, server: str, path: str) -> list[str]:
    page.goto(server + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    return [f"{path} {choice}" for choice in page.evaluate(CUT)]


def test_every_select_shows_its_choices_whole_on_a_320_px_phone(
    browser: Browser, server: str, container: Container
) -> None:
    case = intake.register_case(container.deps, OPERATOR, NewCase(
        given_name="Lin", family_name="Wang", sex=Sex.FEMALE, birth_date=date(2015, 3, 1),
        missing_since=datetime(2024, 6, 1, tzinfo=UTC), last_seen_place=None, last_seen_text="Chengdu",
        family_contact="+86 138 0000 0000"), [Upload(plain_photo())], [None]).case_id
    intake.report_sighting(container.deps, Principal(), NewSighting(
        seen_at=None, place=None, place_text="Hankou railway station"), [Upload(plain_photo(seed=3))])
    cut: list[str] = []
    for language in ("en", "zh_CN", "zh_TW"):
        page, _ = signed_in(browser, server, container, Role.ADMIN, language, 320)
        for path in ("/moderation/reports", f"/cases/{case}", "/sightings", "/admin", "/cases/new", "/report",
                     "/subscribe", "/takedown", "/audit", "/moderation", "/moderation/sources", "/search", "/account"):
            cut += [f"{language} {each}" for each in cut_choices(page, server, path)]
        page.context.close()
    assert cut == [], "\n".join(cut)

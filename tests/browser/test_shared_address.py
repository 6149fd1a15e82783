"""Probe s30 D1 in a real browser: a witness behind an address that sent many reports since their page was
served (a carrier's NAT during a flood) sends the report; the puzzle the page solved is too easy by now, so the
page fetches the harder one, solves it (the hardest: 2**20 hashes, in plain script) and the report arrives."""

from __future__ import annotations

import time
from datetime import timedelta

from playwright.sync_api import Browser, expect

from reunite.bootstrap import Container
from reunite.domain.abuse import BUCKET, pow_bits, window_start
from tests.browser.test_kept_reports_limit import PHOTO
from tests.conftest import count_rows


def test_a_witness_whose_page_was_served_before_a_flood_gets_through_with_the_harder_puzzle(
    browser: Browser, server: str, container: Container
) -> None:
    limits = container.deps.limits
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="en-US")
    page = context.new_page()
    page.goto(server + "/report")
    assert pow_bits(page.locator("#pow_challenge").input_value()) == limits.proof_of_work_bits
    flood = limits.reports_per_hour + limits.proof_of_work_max_bits - limits.proof_of_work_bits
    with container.deps.uow() as uow:  # meanwhile, the address (loopback) sent a flood of reports with puzzles
        uow.count_hit("report:ip:127.0.0.1", window_start(container.deps.clock.now(), BUCKET) - timedelta(minutes=5),
                      flood)
        uow.commit()
    page.set_input_files("#photos", files=[PHOTO])
    page.fill("input[name=place_text]", "Chengdu East station")
    started = time.monotonic()
    page.click("#send")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible(timeout=60_000)
    took = time.monotonic() - started
    assert count_rows(container, "sightings") == 1
    with container.engine.connect() as conn:
        keys = conn.exec_driver_sql("SELECT key FROM rate_counters").scalars().all()
    spent = [pow_bits(key.removeprefix("pow:")) for key in keys if key.startswith("pow:")]
    assert spent == [limits.proof_of_work_max_bits], keys  # the puzzle too easy by then was not spent
    print(f"sent with a {limits.proof_of_work_max_bits}-bit puzzle in {took:.1f} s")
    context.close()

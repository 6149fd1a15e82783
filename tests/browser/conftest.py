"""Real Chromium (Debian's package, never a downloaded browser) against a live server on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.entrypoints.api.app import create_app
from reunite.services.accounts import sign_up

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).parents[2] / "test-artifacts" / "screenshots"
WIDTHS = {"phone": 360, "desktop": 1280}


# package scope: the sync API keeps an event loop running in this thread until it stops, which would
# break every later test that calls asyncio.run
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Chromium is missing: `make test` installs Debian's chromium (scripts/system-deps.sh)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(container: Container) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning")
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not live.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    live.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": WIDTHS["phone"], "height": 800}, locale="en-US")
    opened = context.new_page()
    yield opened
    context.close()


def screenshots(page: Page, name: str) -> None:
    """The page at phone and desktop widths, into test-artifacts/ (never committed: build output showing faces)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=SHOTS / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 800})


def sign_in(page: Page, server: str, container: Container, role: Role) -> str:
    """Make an account with this role and sign in through the login page; returns its email."""
    email = f"{role.value}-{time.monotonic_ns()}@example.org"
    sign_up(container.deps, email, "correct horse battery", f"Test {role.value}", role=role)
    page.goto(server + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse battery")
    page.click("main button.primary")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    return email

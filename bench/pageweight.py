"""Snapshot page weight and time to interactive on a throttled phone profile, in real Chromium; and
the whole snapshot journey on slow 3G with a 12-megapixel, 3 MB phone photo, from page load to the
receipt.

    python bench/pageweight.py [--out FILE] [--runs N] [--journey-only]

Pages: 'slow 4G' (400 ms round trip, 1.6 Mbit/s down, 750 kbit/s up) and a CPU slowed 4×, as
Lighthouse emulates a cheap phone. Transfer size counts every byte on the wire before any photo.
Journey: Chrome DevTools' 'Slow 3G' preset (2 s round trip, 400 kbit/s each way; CDP network
emulation), the same CPU slowdown; the photo is made here (4000×3000 JPEG with EXIF time and GPS),
another one each run; the median of N runs, with each phase's end (page, scripts, photo read and
shrunk, proof-of-work, upload, answer), the server's own time and the machine's load average."""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import uvicorn
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, scratch_instance
from reunite.bootstrap import Container
from reunite.entrypoints.api.app import create_app

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = ["/", "/report", "/cases/new", "/sightings", "/search"]
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
SLOW_4G = {"offline": False, "latency": 400, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}


def phone_photo(width: int = 4000, height: int = 3000, target_bytes: int = 3_000_000, seed: int = 7) -> bytes:
    """A camera-like JPEG: smooth shapes plus sensor-like grain (so it compresses like a real photo,
    about ``target_bytes``), with EXIF DateTimeOriginal, OffsetTimeOriginal and a GPS position. Another
    ``seed``, another picture (each run a different reporter's)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (height // 40, width // 40, 3), dtype=np.uint8)
    base = np.asarray(Image.fromarray(small).resize((width, height), Image.Resampling.BICUBIC), dtype=np.int16)
    exif = Image.Exif()
    exif.get_ifd(0x8769).update({36867: "2026:11:30 09:33:00", 36881: "+08:00"})
    exif.get_ifd(0x8825).update({1: "N", 2: (30.0, 39.0, 36.0), 3: "E", 4: (104.0, 3.0, 36.0)})
    grain = 7
    while True:
        noisy = np.clip(base + rng.normal(0, grain, base.shape), 0, 255).astype(np.uint8)
        out = io.BytesIO()
        Image.fromarray(noisy).save(out, format="JPEG", quality=90, exif=exif)
        if out.tell() >= target_bytes * 0.9 or grain > 60:
            return out.getvalue()
        grain = int(grain * 1.5)


SERVER_SECONDS: dict[str, list[float]] = {}  # "POST /report": the server's own time on each


def timed(app: Any) -> Any:
    """The app, noting the seconds from the request's last byte in to its answer's first byte out
    (the server's own work: not the upload, not the download)."""
    async def wrapper(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        received = [time.monotonic()]

        async def note_receive() -> Any:
            message = await receive()
            if message["type"] == "http.request" and not message.get("more_body"):
                received[0] = time.monotonic()
            return message

        async def note_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                key = f"{scope['method']} {scope['path']}"
                SERVER_SECONDS.setdefault(key, []).append(round(time.monotonic() - received[0], 2))
            await send(message)

        await app(scope, note_receive, note_send)
    return wrapper


def serve() -> tuple[str, Container]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    container = scratch_instance()
    server = uvicorn.Server(uvicorn.Config(timed(create_app(container)), port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", container


def stored_photos(container: Container) -> list[dict[str, Any]]:
    """What the server received: the photos' sizes (shrunk on the phone, or not)."""
    with container.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT width, height, storage_key FROM photos ORDER BY id").all()
    return [{"width": w, "height": h, "bytes": len(container.deps.photos.get(key))} for w, h, key in rows]


def measure(base: str, path: str, runs: int = 3) -> dict[str, Any]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        results = []
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 360, "height": 740})
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            page.goto(base + path, wait_until="load")
            timing = page.evaluate("""() => {
                const n = performance.getEntriesByType('navigation')[0];
                const all = [n].concat(performance.getEntriesByType('resource'));
                return {bytes: all.reduce((t, e) => t + e.transferSize, 0), requests: all.length,
                        interactive_ms: n.domInteractive, load_ms: n.loadEventEnd};
            }""")
            results.append(timing)
            context.close()
        browser.close()
    best = min(results, key=lambda r: r["load_ms"])
    return {"page": path, "transfer_bytes": best["bytes"], "requests": best["requests"],
            "time_to_interactive_ms": round(best["interactive_ms"]), "load_ms": round(best["load_ms"])}


PHASES = """() => {
    const n = performance.getEntriesByType('navigation')[0];
    const at = {html: n.responseEnd, dom_ready: n.domContentLoadedEventEnd, load: n.loadEventEnd};
    for (const m of performance.getEntriesByType('mark')) at[m.name.replace(/^(reunite|bench):/, '')] = m.startTime;
    const post = performance.getEntriesByType('resource').filter(r => r.initiatorType === 'xmlhttprequest').pop();
    if (post) Object.assign(at, {post_response_start: post.responseStart, post_response_end: post.responseEnd});
    const early = performance.getEntriesByType('resource').filter(r => r.startTime < n.domContentLoadedEventEnd);
    return {at: at, requests_before_ready: early.length};
}"""


def journey(base: str, photos: list[bytes], network: dict[str, Any] | None = SLOW_3G, cpu: float = 4) -> dict[str, Any]:
    """Seconds from opening the report page to the receipt on screen, with a photo chosen and sent
    at once, one run per photo (the median run, all listed); and when each phase ended, in seconds
    from the start (the page's own clock: Navigation and Resource Timing, the report script's marks).
    The photo is chosen from a file, as on a phone (handing Playwright its bytes costs seconds here)."""
    with sync_playwright() as p, tempfile.TemporaryDirectory() as folder:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        results = []
        for index, photo in enumerate(photos):
            path = Path(folder) / f"IMG_{index:04}.jpg"
            path.write_bytes(photo)
            context = browser.new_context(viewport={"width": 360, "height": 740}, service_workers="block")
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            if network:
                cdp.send("Network.emulateNetworkConditions", network)
            if cpu > 1:
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
            start = time.monotonic()
            page.goto(base + "/report", wait_until="domcontentloaded")
            page.set_input_files("#photos", path)
            page.evaluate("() => performance.mark('bench:click')")
            page.click("#send")
            try:
                receipt = page.locator(".receipt-no").inner_text(timeout=180_000)
            except PlaywrightTimeout:
                shown = page.locator("#form-error, #progress-text").all_inner_texts()
                raise RuntimeError(f"no receipt after 180 s; the page says {shown}") from None
            seconds = time.monotonic() - start
            phases = page.evaluate(PHASES)
            copy = page.evaluate("""() => { const img = document.querySelector('.thumbs img');
                return img ? (img.src.startsWith('blob:') ? 'made on the phone' : 'sent by the server') : null; }""")
            results.append({"seconds": round(seconds, 1), "receipt": receipt, "photo_bytes": len(photo),
                            "copy_shown": copy,
                            "requests_before_ready": phases["requests_before_ready"],
                            "phases_s": {k: round(v / 1000, 2) for k, v in sorted(phases["at"].items(),
                                                                                   key=lambda kv: kv[1])}})
            context.close()
        browser.close()
    median = sorted(results, key=lambda r: r["seconds"])[len(results) // 2]
    return {**median, "all_runs_s": [r["seconds"] for r in results]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--runs", type=int, default=3, help="journeys timed (the best is reported, all listed)")
    parser.add_argument("--journey-only", action="store_true", help="skip the page-weight loads")
    args = parser.parse_args()
    base, container = serve()
    photos = [phone_photo(seed=7 + run) for run in range(args.runs)]
    load_before = os.getloadavg()
    pages = [] if args.journey_only else [measure(base, path) for path in PAGES]
    trip = journey(base, photos)
    load = {"before": load_before, "after": os.getloadavg()}
    text = json.dumps({"machine": machine(), "load_average_1_5_15": load, "profile": "slow 4G, CPU 4x slower",
                       "results": pages,
                       "journey": {"profile": "DevTools 'Slow 3G' (2 s RTT, 400 kbit/s each way), CPU 4x slower",
                                   "photo": "4000x3000 JPEG with EXIF", **trip,
                                   "received": stored_photos(container),
                                   "server_seconds_post_report": SERVER_SECONDS.get("POST /report")}},
                      indent=1)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()

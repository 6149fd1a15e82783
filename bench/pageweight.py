"""Snapshot page weight and time to interactive on a throttled phone profile, in real Chromium.

    python bench/pageweight.py [--out FILE]

Profile: 'slow 4G' (400 ms round trip, 1.6 Mbit/s down, 750 kbit/s up) and a CPU slowed 4×, as
Lighthouse emulates a cheap phone. Transfer size counts every byte on the wire before any photo."""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, scratch_instance
from reunite.entrypoints.api.app import create_app

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = ["/", "/cases/new", "/sightings", "/search"]


def serve() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(scratch_instance()), port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}"


def measure(base: str, path: str, runs: int = 3) -> dict[str, Any]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        results = []
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 360, "height": 740})
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 400,
                     "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8})
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    base = serve()
    text = json.dumps({"machine": machine(), "profile": "slow 4G, CPU 4x slower",
                       "results": [measure(base, path) for path in PAGES]}, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()

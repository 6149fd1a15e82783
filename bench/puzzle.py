"""The anonymous report's proof-of-work (probe s30 D1): how fast it is solved, by Python (what a flooder's
script or an API client runs: ``abuse.solve``) and by the report page's script in Chromium (the solver in
``static/queue.js``, against the Web Crypto one it replaced), at full speed and with the CPU slowed 4x (a slow
phone), and what the difficulties the server asks cost: each puzzle, and a flood up to an address's ceiling.

    python bench/puzzle.py [--puzzles 8] [--out result.json]

Rates are hashes a second over every puzzle solved (the nonce found + 1 hashes each): Python's in CPU seconds, the
page's in the page's own clock (a loaded machine slows it); a puzzle's expected time is 2**bits over the rate.
Exits 1 when a solution is not valid for its challenge."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from reunite.domain.abuse import leading_zero_bits, pow_challenge, pow_digest, pow_valid, puzzle_bits, solve
from reunite.services.deps import Limits

SECRET = b"bench"
STATIC = Path(__file__).resolve().parents[1] / "src" / "reunite" / "entrypoints" / "web" / "static"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
# the page's solver before: one Web Crypto digest (a promise) per nonce, 256 asked for at a time
WEB_CRYPTO = """
async function webCryptoSolve(challenge) {
  var bits = +challenge.split(".")[1], enc = new TextEncoder(), BATCH = 256;
  function zeros(b) {
    var n = 0;
    for (var i = 0; i < b.length; i++) { if (b[i] === 0) { n += 8; continue; } return n + Math.clz32(b[i]) - 24; }
    return n;
  }
  for (var start = 0; ; start += BATCH) {
    if (start) await new Promise(function (ok) { setTimeout(ok, 0); });
    var batch = [];
    for (var i = start; i < start + BATCH; i++) {
      batch.push(crypto.subtle.digest("SHA-256", enc.encode(challenge + ":" + i)));
    }
    var digests = await Promise.all(batch);
    for (var j = 0; j < BATCH; j++) if (zeros(new Uint8Array(digests[j])) >= bits) return String(start + j);
  }
}
"""


def naive_solve(challenge: str) -> str:
    """``abuse.solve`` before: the whole challenge hashed again for every nonce."""
    bits, nonce = int(challenge.split(".")[1]), 0
    while leading_zero_bits(pow_digest(challenge, str(nonce))) < bits:
        nonce += 1
    return str(nonce)


def rate(solved: list[tuple[str, float]]) -> float:
    return sum(int(nonce) + 1 for nonce, _ in solved) / sum(seconds for _, seconds in solved)


def checked(challenge: str, nonce: str) -> str:
    if not pow_valid(SECRET, challenge, nonce, datetime.now(UTC)):
        sys.exit(f"not a solution: {challenge} {nonce}")
    return nonce


def python_rates(bits: int, puzzles: int) -> dict[str, float]:
    found: dict[str, list[tuple[str, float]]] = {"python": [], "python_before": []}
    for _ in range(puzzles):
        for name, solver in (("python", solve), ("python_before", naive_solve)):
            challenge = pow_challenge(SECRET, datetime.now(UTC), bits)
            started = time.process_time()  # CPU seconds: what a sender pays, whatever else the machine runs
            nonce = solver(challenge)
            found[name].append((checked(challenge, nonce), time.process_time() - started))
    return {name: rate(solved) for name, solved in found.items()}


def browser_rates(bits: int, puzzles: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with TemporaryDirectory() as folder:
        (Path(folder) / "queue.js").write_text((STATIC / "queue.js").read_text())
        (Path(folder) / "index.html").write_text(
            f'<html><body><script src="queue.js"></script><script>{WEB_CRYPTO}</script></body></html>')
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=folder))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        results: dict[str, float] = {}
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page()
                page.goto(f"http://localhost:{server.server_address[1]}/index.html")  # a secure context
                cdp = page.context.new_cdp_session(page)
                for slow in (1, 4):
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": slow})
                    for name, solver in (("page", "reuniteQueue.solve"), ("page_web_crypto", "webCryptoSolve")):
                        solved = []
                        for _ in range(puzzles if name == "page" else max(2, puzzles // 2)):
                            challenge = pow_challenge(SECRET, datetime.now(UTC), bits)
                            nonce, ms = page.evaluate(f"""async c => {{
                                const t = performance.now(), n = await {solver}(c);
                                return [n, performance.now() - t];
                            }}""", challenge)
                            solved.append((checked(challenge, nonce), ms / 1000))
                        results[f"{name}_{slow}x"] = rate(solved)
                browser.close()
        finally:
            server.shutdown()
    return results


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def flood_cost(limits: Limits, reports: int) -> int:
    """Hashes expected for ``reports`` reports from one address within an hour, each puzzle as hard as asked."""
    return sum(2 ** puzzle_bits(limits.proof_of_work_bits, limits.proof_of_work_max_bits, limits.reports_per_hour, n)
               for n in range(reports))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--puzzles", type=int, default=8, help="puzzles solved per solver (16 bits each)")
    parser.add_argument("--bits", type=int, default=16, help="the difficulty the rates are measured at")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rates = python_rates(args.bits, args.puzzles) | browser_rates(args.bits, args.puzzles)
    limits = Limits()
    print(f"hashes a second (puzzles of {args.bits} bits):")
    for name, value in rates.items():
        print(f"  {name:22} {value:>12,.0f}")
    print("expected seconds per puzzle:")
    print("  bits " + " ".join(f"{name:>16}" for name in rates))
    for bits in range(limits.proof_of_work_bits, limits.proof_of_work_max_bits + 1):
        print(f"  {bits:>4} " + " ".join(f"{2 ** bits / value:>16.2f}" for value in rates.values()))
    floods = {n: flood_cost(limits, n) for n in (limits.reports_per_hour, limits.puzzle_reports_per_hour)}
    for n, hashes in floods.items():
        print(f"{n} reports from one address in an hour: {hashes:,} hashes, {hashes / rates['python']:.1f} s of Python")
    if args.out:
        args.out.write_text(json.dumps({"rates": rates, "flood_hashes": floods}, indent=2))


if __name__ == "__main__":
    main()

"""Recall@K curves, baseline against Reunite, as an SVG (no plotting library needed).

    python bench/plot.py bench/out/accuracy.json docs/recall-curves.svg"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PANELS = [("dense", "Sighting → case, dense distractors"), ("case_to_sightings", "Case → sightings")]
SERIES = [("baseline", "plain dlib (baseline)", "#888", "6 4"), ("reunite", "Reunite default (cross-validated)",
          "#0b5cad", "")]
W, H, PAD = 420, 300, 44


def panel(result: dict, key: str, title: str, left: int) -> list[str]:
    out = [f'<g transform="translate({left},0)">', f'<text x="{W / 2}" y="18" text-anchor="middle" '
           f'font-weight="bold">{title}</text>']
    x0, y0, x1, y1 = PAD, H - PAD, W - 10, 30
    out.append(f'<rect x="{x0}" y="{y1}" width="{x1 - x0}" height="{y0 - y1}" fill="none" stroke="#ccc"/>')
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = y0 - (y0 - y1) * tick
        out.append(f'<text x="{x0 - 6}" y="{y + 4}" text-anchor="end" font-size="11">{tick:.2f}</text>')
        out.append(f'<line x1="{x0}" x2="{x1}" y1="{y}" y2="{y}" stroke="#eee"/>')
    for k in (1, 10, 20, 30, 40, 50):
        x = x0 + (x1 - x0) * (k - 1) / 49
        out.append(f'<text x="{x}" y="{y0 + 16}" text-anchor="middle" font-size="11">{k}</text>')
    out.append(f'<text x="{(x0 + x1) / 2}" y="{H - 6}" text-anchor="middle" font-size="12">K</text>')
    for name, _, colour, dash in SERIES:
        curve = result[name][key]["curve"]
        points = " ".join(f"{x0 + (x1 - x0) * (k - 1) / 49:.1f},{y0 - (y0 - y1) * curve[f'r@{k}']:.1f}"
                          for k in range(1, 51))
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2" '
                   f'stroke-dasharray="{dash}"/>')
    out.append("</g>")
    return out


def main() -> None:
    result = json.loads(Path(sys.argv[1]).read_text())
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H + 30}" '
             'font-family="sans-serif" font-size="13">', '<rect width="100%" height="100%" fill="white"/>']
    for i, (key, title) in enumerate(PANELS):
        parts += panel(result, key, title, i * W)
    for i, (_, label, colour, dash) in enumerate(SERIES):
        x = 60 + i * 300
        parts.append(f'<line x1="{x}" x2="{x + 30}" y1="{H + 18}" y2="{H + 18}" stroke="{colour}" '
                     f'stroke-width="2" stroke-dasharray="{dash}"/><text x="{x + 36}" y="{H + 22}">{label}</text>')
    parts.append("</svg>")
    Path(sys.argv[2]).write_text("\n".join(parts))


if __name__ == "__main__":
    main()

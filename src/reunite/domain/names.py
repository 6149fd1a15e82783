"""People's names written the way their language writes them."""

from __future__ import annotations

import unicodedata


def _cjk(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith(("CJK UNIFIED", "HANGUL", "CJK COMPATIBILITY")) for ch in text)


def full_name(given: str, family: str) -> str:
    """Chinese (and Korean) names family name first, unspaced: 王 + 浩然 → 王浩然; others "Given Family"."""
    given, family = given.strip(), family.strip()
    if _cjk(given + family):
        return f"{family}{given}"
    return f"{given} {family}".strip()

"""Numbers spelled out in English, read as the digits they say, for the checks of words others read
(``summary.fold``): "one three nine eight" (1398), "thirty-one point two" (31.2), "number seven" (7), and a
phone number as it is said aloud: "oh" (or "o") for zero among other digits ("one three eight oh oh…", "nineteen
oh five"), "double" and "triple" (or "treble") before a digit ("double six": 66, "triple oh": 000, "double-oh
seven": 007, "double 8": 88).

"oh" and "o" stand for zero only in a run of said digits that holds another digit or a "double"/"triple" ("oh
no", "oh, one of them", "six o'clock" stay words); "double" and "triple" only before a digit ("double bed",
"triple jump" stay words). A number read so is only a number: what it is (a phone number, a place's number) is
for the checks that read it."""

from __future__ import annotations

import re

_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_ENGLISH = {w: n for n, w in enumerate((
    *_DIGIT_WORDS, "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen"))}
_ENGLISH |= {w: 10 * n for n, w in enumerate(
    ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), 2)}
_SCALES = {"hundred": 100, "thousand": 1000}
_SPELLED = re.compile(r"(?:\b(?:number|no|nr)\b\.?\s*|#\s*)?\b(?:(?:" + "|".join([*_ENGLISH, *_SCALES])
                      + r"|point)\b[\s-]*)+")
# a digit as said in a phone number: a digit word, a figure, "oh"/"o" (zero), each maybe after "double"/"triple"
_REPEATS = {"double": 2, "triple": 3, "treble": 3}
_ZERO = r"(?:oh|o)(?![\w'’])"
_SAID_DIGIT = (rf"(?:\b(?:{'|'.join(_REPEATS)})[\s-]*)?"
               rf"(?:\b(?:{'|'.join(_DIGIT_WORDS)})\b|(?<![\d.,])\d+(?![\d.,]\d)|\b{_ZERO})")
_SAID_DIGITS = re.compile(rf"{_SAID_DIGIT}(?:[\s-]+{_SAID_DIGIT})*")
_TOKEN = re.compile(rf"(?:(?P<repeat>{'|'.join(_REPEATS)})[\s-]*)?(?P<digit>[a-z]+|\d+)")


def _said_digits(found: re.Match[str]) -> str:
    """A run of digits as a phone number is said, with "oh" as "zero" and "double six" as "six six", when it
    holds a "double"/"triple", or an "oh" beside a digit that is none; else as written ("oh oh", "10-30")."""
    tokens = list(_TOKEN.finditer(found.group()))
    zeros = sum(t["digit"] in ("oh", "o") for t in tokens)
    if not any(t["repeat"] for t in tokens) and not 0 < zeros < len(tokens):
        return found.group()
    said = [" ".join(["zero" if t["digit"] in ("oh", "o") else t["digit"]] * _REPEATS.get(t["repeat"] or "", 1))
            for t in tokens]
    return " ".join(said)


def _english_number(words: list[str]) -> str:
    """one three nine eight → 1398, thirty one → 31, two hundred five → 205, thirteen ninety → 1390."""
    out, total, part, last = "", 0, 0, ""
    for word in words:
        value = _SCALES.get(word) or _ENGLISH[word]
        kind = "scale" if word in _SCALES else "digit" if value < 10 else "teen" if value < 20 else "tens"
        fits = {"digit": last in ("", "tens", "scale"), "teen": last in ("", "scale"), "tens": last in ("", "scale"),
                "scale": last in ("digit", "teen", "tens") and (value == 1000 or part < 100)}[kind]
        if not fits:
            out, total, part = out + str(total + part), 0, 0
        if word == "thousand":
            total, part = (total + (part or 1)) * 1000, 0
        elif word == "hundred":
            part = (part or 1) * 100
        else:
            part += value
        last = kind
    return out + str(total + part)


def _spelled(found: re.Match[str]) -> str:
    """A run of English number words as digits: of two words or more, of 10 or more, or after "number"."""
    run = found.group()
    words = re.findall(r"[a-z]+", run.casefold())
    numbered = words[:1] in (["number"], ["no"], ["nr"]) or run.lstrip().startswith("#")
    words = words[1:] if words[:1] in (["number"], ["no"], ["nr"]) else words
    while words and words[-1] == "point":
        words.pop()
    while words and words[0] == "point":
        words.pop(0)
    said = [w for w in words if w != "point"]
    if not said or not (len(said) >= 2 or numbered or (_SCALES.get(said[0]) or _ENGLISH[said[0]]) >= 10):
        return run
    pieces = " ".join(words).split("point")
    digits = ".".join(_english_number(piece.split()) if piece.strip() else "" for piece in pieces)
    return f" {digits} "


def english_numbers(text: str) -> str:
    """The folded (lower-case) text with its numbers spelled out in English as digits: "call one three eight
    double oh…" → "call 13800…"."""
    return _SPELLED.sub(_spelled, _SAID_DIGITS.sub(_said_digits, text))

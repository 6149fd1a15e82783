"""A sighting's words for families: written by a moderator for readers who may not read the
reporter's own words (those can name the exact place). What those words may not repeat of the place.

A net for a moderator's slip (copying a place into the words), not a reader of meaning: a translation
("the Peace Hotel" for 和平饭店) or a landmark the reporter never wrote gets through, which is why the
moderator's form shows the exact place and the reporter's words beside the box; the place's Chinese words
said in pinyin (Heping Fandian), in Wade-Giles (Ho-p'ing Fan-tien, as Taiwan's older maps write them) or in
bopomofo, Taiwan's phonetic script (ㄏㄜˊㄆㄧㄥˊ), are caught.
Both texts are folded first (format characters dropped, full-width digits and letters, accents, case,
Cyrillic and Greek look-alike letters, traditional characters, Chinese numerals where they stand for
numbers, said digit by digit too (幺三九, 三一点二三), numbers spelled out in English or said in pinyin
("thirty one point two", "yao san jiu"), spaces between digits), and what pins the spot is
looked for in them: the report's coordinates (decimal, in degrees and minutes, 31度13分, 31d14m, 31 deg 14,
31:14:15 N, 31 point 2375), any coordinate-like number, any map code (plus codes, geohashes, what3words,
Maidenhead locators, MGRS and UTM grid references: ``geocodes``), every number and name of the
reporter's place words, two Chinese characters in a row of them, the reporter's contact and any contact at all
(an email, a phone number, a messenger's handle: ``contacts``), and the names and numbers in the reporter's
other words: capitalised words, words not in ``common_words``' short list, two Chinese characters in a row not
both in its list, and every number (a house's, a bus's, a building's: "the gate of No. 17", probe s32 F6),
unless the summary says it only as an age, a size or a time ("about 6", "6 years old"). A number of one or two
digits counts only said beside a word the reporter wrote beside it ("exit 3", "bus 41": ``numbers_beside``;
"within 3 days", "10 photos" pass, probe s38 M2). A refusal names
which of the reporter's words it repeats (``Repeated.source``). Words that staff write for families elsewhere
(a reviewer's message, a verification's notes) are read the same way (``services.words``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from reunite.domain.common_words import COMMON_HAN, common
from reunite.domain.contacts import compact as _compact
from reunite.domain.contacts import contact_in, identity_number
from reunite.domain.geocodes import map_code
from reunite.domain.numbers_beside import repeated_beside
from reunite.domain.spelled_numbers import english_numbers
from reunite.domain.spelling import without_format

SUMMARY_LIMIT = 1000
_NUMBER = re.compile(r"\d+")
# a coordinate (31.2212), whoever's it is; never a date (2018.05.03, 03.05.2018), an amount (1,000,000, ¥12.50)
# or a measure (1.25 m, 25.50公斤)
_DECIMAL = re.compile(r"(?<![\d¥$€£])(?<!\d[.,])\d{1,3}(?:\.\d{2,}(?!\d|\.\d)|,\d{2,}(?!\d|,\d))(?!\s*(?:米|厘米|公分|"
                      r"公斤|千克|斤|元|块|岁|%|(?:cm|mm|m|kg|g|yuan|rmb|usd|eur|euros?|dollars?|years?|yrs?)\b))")
_DEGREES = re.compile(r"\d{1,3}\s*[°º度d]\s*\d{1,2}")  # 31°13', 北纬31度13分, 31d14m, whoever's it is
_DEGREES_SAID = re.compile(  # 31 deg 14 min, 31 degrees 14, 31:14:15 n, n 31:14.25, 31·2375, 31 point 2375
    r"\d{1,3}\s*deg(?:rees?|\.)?\s*\d{1,2}"
    r"|\d{1,3}:\d{2}(?::\d{2})?(?:\.\d+)?\s*[nsew]\b|\b[nsew]\s*\d{1,3}:\d{2}"
    r"|\d{1,3}\s*(?:[·٫⋅'’_]|\bpoint\b|\bdot\b)\s*\d{3,}"
    r"|(?<!\d)\d{4,7}\s*[nsew]\b(?!/)")  # degrees, minutes (and seconds) run together: 31 14 15 n, 3114 n
_WORD = re.compile(r"[^\W\d_\u3400-\u9fff]{4,}")  # a word of letters (Latin, Cyrillic…), four or more
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{3,}")  # a capitalised word not starting a sentence
HAN = re.compile(r"[\u3400-\u9fff]+")  # a run of Chinese characters (no spaces between words)
_SPACED_DIGITS = re.compile(r"(?<=\d)[\s\-–]+(?=\d)|(?<=\d)\s+(?=\.\s*\d)|(?<=\d\.)\s+(?=\d)")
# words that name no place on their own: a summary may say "near a road", "at a hotel", "by a school"
GENERIC = frozenset((
    "road", "street", "avenue", "lane", "alley", "square", "station", "gate", "exit", "entrance", "bridge",
    "market", "park", "near", "outside", "inside", "beside", "opposite", "corner", "north", "south", "east",
    "west", "middle", "between", "behind", "front", "city", "town", "district", "village", "hotel", "shop",
    "store", "mall", "school", "hospital", "temple", "church", "bank", "metro", "subway", "train", "airport",
    "restaurant", "building", "tower", "garden", "plaza", "centre", "center", "walking", "pedestrian", "there",
    "where", "with", "from", "they", "them", "this", "that", "then", "when", "girl", "child", "children",
    "fountain", "stairs", "steps", "door", "doorway", "pavement", "sidewalk", "crossing", "stop", "cafe",
))
# Chinese characters of place words that pin nothing on their own (路 road, 门口 doorway, 附近 nearby…)
GENERIC_HAN = frozenset("路街道巷弄号门口附近旁边对面站广场市区县镇村省东西南北中里内外前后上下的在和与是了个大小新老")
# letters that look like Latin ones (Cyrillic а, Greek ο in "Nаnjing rоad"), as lower case reads them
_LOOK_ALIKES = str.maketrans("авеёкмнорстухіїјѕԁһԛԝαβεηικνορτυχζзʒ", "abeekmhopctyxiijsdhqwabeniknoptuxz33")
_DIGITS = {"零": 0, "〇": 0, "洞": 0, "幺": 1, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "拾": 10, "佰": 100, "仟": 1000}
_HAN_NUMBER = re.compile(f"[{''.join(_DIGITS)}{''.join(_UNITS)}]+")
_FINANCIAL = frozenset("壹贰叁肆伍陆柒捌玖拾佰仟")  # numerals that only ever write numbers (cheques, receipts)
# what follows a number in an address: 八十八号, 三栋, 十二楼, 五单元 (not 四川, 三里屯: names)
_NUMBERED = ("号", "路", "栋", "幢", "楼", "门", "层", "弄", "巷", "室", "单元", "座", "排", "户", "街", "条",
             "度", "分", "秒")  # and what follows a coordinate's: 三十一度十四分
# 拐 (7) and 勾 (9) as a phone number is said over the radio (幺两三拐勾洞), only among other digits said one by one,
# three or more: 拐 is a word of these reports (被拐, 拐角, 一瘸一拐)
_RADIO = re.compile(f"[{''.join(_DIGITS)}拐勾]{{3,}}")
_POINT = re.compile(f"(?<=[{''.join(_DIGITS)}{''.join(_UNITS)}])点(?=[{''.join(_DIGITS)}])")  # 三一点二三: 31.23


# numbers said in pinyin ("yao san jiu", "san shi yi dian er san"), read as the digits they say (English ones:
# ``spelled_numbers``)
_PINYIN_DIGITS = {"ling": "零", "yao": "幺", "yi": "一", "er": "二", "liang": "两", "san": "三", "si": "四",
                  "wu": "五", "liu": "六", "qi": "七", "ba": "八", "jiu": "九", "shi": "十", "bai": "百", "qian": "千",
                  "dian": "点"}
_SAID_WORD = re.compile("|".join(sorted(_PINYIN_DIGITS, key=len, reverse=True)))
_SAID = re.compile(rf"(?<![a-z])(?:(?:{_SAID_WORD.pattern})[\s-]*){{2,}}(?![a-z])")


def _pinyin_number(found: re.Match[str]) -> str:
    """san shi yi dian er san → 三十一点二三 → 31.23 (as the Chinese numerals are read)."""
    han = "".join(_PINYIN_DIGITS[w] for w in _SAID_WORD.findall(found.group()))
    if han.startswith("点") or han.endswith("点"):
        return found.group()
    return " " + _HAN_NUMBER.sub(lambda m: _han_number(m.group()), _POINT.sub(".", han)) + " "


def cleaned(text: str) -> str:
    """Typed words without format characters (zero-width spaces and joiners, direction marks) nor control
    characters (``spelling.without_format``), trimmed: words of nothing but those are no words."""
    return without_format(text)


def _han_number(numeral: str) -> str:
    """八十八 → 88, 十二 → 12, 二〇二 → 202 (digit by digit where there is no unit)."""
    if not any(c in _UNITS for c in numeral):
        return "".join(str(_DIGITS[c]) for c in numeral)
    total, digit = 0, 0
    for c in numeral:
        if c in _UNITS:
            total += (digit or 1) * _UNITS[c]
            digit = 0
        else:
            digit = _DIGITS[c]
    return str(total + digit)


def _numeral(found: re.Match[str]) -> str:
    """A Chinese numeral as digits where it stands for a number: before 号/楼/单元…, beside a digit, on its
    own between other script, or written in the financial numerals; inside a name (四川, 三里屯) as it is."""
    text, run = found.string, found.group()
    before, after = text[found.start() - 1:found.start()], text[found.end():found.end() + 2]
    alone = not HAN.match(before) and not HAN.match(after[:1])
    digit_by_digit = len(run) >= 2 and not any(c in _UNITS for c in run)  # 八八, 幺三九 (said as digits)
    number = (alone or digit_by_digit or after.startswith(_NUMBERED) or before.isdigit() or before == "."
              or after[:1].isdigit() or after[:1] == "." or any(c in _FINANCIAL for c in run))
    return _han_number(run) if number else run


def _radio(text: str) -> str:
    """幺三八拐拐 → 幺三八七七: 拐 and 勾 said for 7 and 9 among other digits (character for character)."""
    def digits(found: re.Match[str]) -> str:
        run = found.group()
        return run.replace("拐", "七").replace("勾", "九") if set(run) - {"拐", "勾"} else run
    return _RADIO.sub(digits, text)


def fold(text: str, simplified: Callable[[str], str], numerals: bool = True, joined: bool = True) -> str:
    """The text as the check reads it: format characters, full-width forms and accents gone, lower
    case, look-alike letters as Latin ones, simplified characters, Chinese numerals that stand for
    numbers as digits, and (``joined``) digits split by spaces or dashes (or spaced around a decimal point) joined."""
    text = unicodedata.normalize("NFKC", cleaned(text))
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = simplified(text).casefold().translate(_LOOK_ALIKES)
    if numerals:
        text = _HAN_NUMBER.sub(_numeral, _POINT.sub(".", _radio(text)))
        text = _SAID.sub(_pinyin_number, english_numbers(text))
    return _joined(text) if joined else text


def _joined(text: str) -> str:
    return _SPACED_DIGITS.sub("", _SPACED_DIGITS.sub("", text))  # twice: "31 . 2355" is two joins


def _unnamed(piece: str, city_names: set[str]) -> bool:
    """Whether a piece is no part of a name of the city every reader sees."""
    return not any(piece in name for name in city_names)


def _fragments(place: str, others: Sequence[tuple[str, str]], city_names: set[str]) -> Iterator[tuple[str, str, int]]:
    """(how it is looked for, how it is named, which of the reporter's words it is of: 0 the place words, 1…
    the others) for each piece of the folded place words that pins a spot beyond the city, and for each name
    and number in the reporter's other words (each folded, with its capitalised words): its capitalised words,
    its words and its Chinese pairs that are not common ones, and its numbers (a house, a bus, a building:
    probe s32 F6; an age or a size said as one is let through where the summary says it so: ``_ordinary``)."""
    for number in dict.fromkeys(_NUMBER.findall(place)):
        yield "number", number, 0
    for at, (other, _) in enumerate(others, 1):
        for number in dict.fromkeys(_NUMBER.findall(other)):
            yield "counted", number, at
    words = [(w, 0) for w in _WORD.findall(place)]
    for at, (other, names) in enumerate(others, 1):
        words += [(w, at) for w in [*(w for w in _WORD.findall(other) if not common(w)), *names.split()]]
    for word, at in _first(words):
        if word not in GENERIC and _unnamed(word, city_names):
            yield "letters", word, at
    for at, (text, ordinary) in enumerate(((place, GENERIC_HAN), *((o, GENERIC_HAN | COMMON_HAN) for o, _ in others))):
        for run in HAN.findall(text):
            for i in range(len(run) - 1):
                pair = run[i:i + 2]
                if not set(pair) <= ordinary and _unnamed(pair, city_names):
                    yield "letters", pair, at


def _first(pieces: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Each piece once, with the first of the reporter's words it is in."""
    seen: dict[str, int] = {}
    for piece, at in pieces:
        seen.setdefault(piece, at)
    return list(seen.items())


# a number said as an age, a size, a count or a time: "about 6", "6 years old", "size 36", "120 cm", "3岁"
_ORDINARY_BEFORE = re.compile(r"(?:about|around|aged?|maybe|perhaps|roughly|approximately|approx\.?|nearly|almost|"
                              r"under|over|size|height|only|约|大约|大概|差不多|不到|才)\s*$")
_ORDINARY_AFTER = re.compile(r"\s*(?:-|\s)?(?:years?|yrs?|y/?o|months?|weeks?|days?|hours?|minutes?|mins?|o'?clock|"
                             r"am|pm|a\.m\.|p\.m\.|cm|mm|kg|feet|foot|ft|inch(?:es)?|or so|ish|岁|周岁|个月|厘米|公分|"
                             r"公斤|斤|点|小时|分钟|天)(?![a-z])")


def _ordinary(text: str, number: str) -> bool:
    """Whether every time ``number`` stands in the folded ``text`` it is said as an age, a size or a time."""
    found = list(re.finditer(rf"(?<!\d){number}(?!\d)", text))
    return all(_ORDINARY_BEFORE.search(text, 0, m.start()) or _ORDINARY_AFTER.match(text, m.end()) for m in found)


def _number(text: str, number: str, said: str, texts: Sequence[str], counted: bool) -> str | None:
    """How the folded words ``text`` repeat a number of the reporter's folded words ``said``: one of three or more
    digits wherever it stands, one of one or two only beside a word the reporter wrote beside it ("exit 3", not
    "within 3 days": ``numbers_beside``); ``counted``, a number of the reporter's other words, passes where the
    words say it only as an age, a size or a time. None when they do not."""
    if counted and re.search(rf"(?<!\d){number}(?!\d)", text) and _ordinary(text, number):
        return None
    if len(number.lstrip("0")) >= 3:
        return number if re.search(rf"(?<!\d){number}(?!\d)", text) else None
    return repeated_beside(said, number, texts)


def _coordinate(text: str, point: tuple[float, float] | None) -> str | None:
    """A coordinate in the folded summary: any decimal or degrees-and-minutes one, and the report's own
    in whole degrees (beside a hemisphere or a degree sign) or as its digits without the point."""
    decimal = next((found for found in _DECIMAL.finditer(text) if not _no_coordinate(found)), None)
    if (found := decimal or _DEGREES.search(text) or _DEGREES_SAID.search(text)) is not None:
        return found.group()
    for value in point or ():
        whole = str(int(abs(value)))
        digits = f"{abs(value):.3f}".replace(".", "")
        pattern = (rf"(?<!\d){whole}(?:[.,]\d|\s*[°度'′])"
                   rf"|(?:\b(?:[nsew]|lat|lon)|北纬|南纬|东经|西经)\W{{0,3}}{whole}(?!\d)"
                   rf"|(?<!\d){whole}\s*(?:[nsew]|north|south|east|west)\b")
        if re.search(pattern, text) or any(digits in run for run in _NUMBER.findall(text)):
            return whole
    return None


_THOUSANDS = re.compile(r"\d{1,3},\d{3}")  # 2,190 days, 1,500 posters: a number, unless a coordinate follows
_SECOND = re.compile(r"\W{0,4}-?\d{1,3}[.,]\d{2,}|\s*[°º度'′nsew](?![a-z])")
_GLASSES = re.compile(r"(?:glasses|spectacles|lens(?:es)?|diopters?|dioptres?|sph|myopi[ac]|眼镜|近视|远视|度数)\W")
_DIOPTER = re.compile(r"[-+]\d{1,2}\.(?:00|25|50|75)(?!\d|\.\d)")  # -3.50: a lens's power, in quarters


def _no_coordinate(found: re.Match[str]) -> bool:
    """Whether a decimal-looking number is no coordinate: a number with a thousands comma and no second
    coordinate-like number or hemisphere after it (2,190 days), or a lens's power after glasses (-3.50 / -3.75)."""
    text, start, end = found.string, found.start(), found.end()
    if _THOUSANDS.fullmatch(found.group()) and not _SECOND.match(text, end):
        return True
    return _DIOPTER.match(text, start - 1) is not None and _GLASSES.search(text, max(0, start - 40), start) is not None


_SYLLABLE_GAP = r"[1-5]?[\s'’-]*"  # between syllables: a tone's number, a space, an apostrophe or a hyphen
# Wade-Giles syllables written apart (Ho-p'ing, Ho P'ing, ho2 p'ing2): joined, they read as English words too
# ("hoping"), and Wade-Giles writes a name's syllables apart, but for a city's own name (Taipei: public anyway)
_APART = r"(?:[1-5]?[\s'’‘ʻ-]+|[1-5])"
_ASPIRATE = "['’‘ʻ]?"  # Wade-Giles' apostrophe (p'ing), often left out (Ping), in any of the forms typed
_TONES = "ˉˊˇˋ˙"  # bopomofo's tone marks, written after a syllable
_INITIAL, _GLUE = "\u3105-\u3119", "\u311a-\u3129"  # bopomofo's initials; its finals and medials (ㄧㄨㄩ)
_MEDIAL = "\u3127-\u3129"


def _alternatives(spelled: frozenset[str], aspirate: bool = False) -> str:
    found = sorted(spelled, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(s).replace("'", _ASPIRATE) if aspirate else re.escape(s) for s in found) + ")"


def _sayings(sounds: list[frozenset[str]], spelled: list[frozenset[str]]) -> Iterator[str]:
    """Patterns of a piece's characters said in a row: in pinyin, in Wade-Giles (syllables apart) and in bopomofo
    (a syllable never cut: ㄆㄧ is not read inside ㄆㄧㄥ), each spelling a whole word in any spacing."""
    yield rf"(?<![a-z]){_SYLLABLE_GAP.join(map(_alternatives, sounds))}[1-5]?(?![a-z])"
    latin = [frozenset(s for s in each if s.isascii()) for each in spelled]
    if all(latin):
        yield rf"(?<![a-z]){_APART.join(_alternatives(s, aspirate=True) for s in latin)}[1-5]?(?![a-z])"
    bopomofo = [frozenset(s for s in each if not s.isascii()) for each in spelled]
    if all(bopomofo):
        said = f"[{_TONES}]?\\s*".join(map(_alternatives, bopomofo))
        yield rf"(?:(?<![{_INITIAL}{_MEDIAL}])|(?=[{_INITIAL}])){said}[{_TONES}]?(?![{_GLUE}])"


def _said_place(text: str, place: str, city_names: set[str], readings: Callable[[str], frozenset[str]],
                spellings: Callable[[str], frozenset[str]]) -> str | None:
    """Two to six Chinese characters in a row of the place words (not all ordinary ones, no part of the city's
    names) said in the folded ``text``, as whole words in any spacing: in pinyin (和平饭店: Heping Fandian,
    hepingfandian, He-ping), in Wade-Giles (Ho-p'ing Fan-tien, Ho Ping) or in bopomofo (ㄏㄜˊㄆㄧㄥˊ); as
    "和平 (heping)"."""
    for run in HAN.findall(place):
        for size in range(2, min(len(run), 6) + 1):
            for i in range(len(run) - size + 1):
                piece = run[i:i + size]
                sounds = [readings(c) for c in piece]
                if set(piece) <= GENERIC_HAN or not _unnamed(piece, city_names) or not all(sounds):
                    continue
                for said in _sayings(sounds, [spellings(c) for c in piece]):
                    if (found := re.search(said, text)) is not None:
                        return f"{piece} ({found.group()})"
    return None


# what words for families repeat that pins the spot, as their refusal names it
PLACE, POSITION, MAP_CODE, CONTACT, ID_NUMBER = "place", "position", "map code", "contact", "identity number"


@dataclass(frozen=True)
class Repeated:
    """A piece of what pins the reported spot that words repeat: its kind (``PLACE``: the reporter's place
    or other words; ``POSITION``: a coordinate; ``MAP_CODE``: a plus code, geohash, grid reference…;
    ``CONTACT``: an email, a phone number or a messenger's handle; ``ID_NUMBER``: a resident identity card's
    number, no contact but a child's own) and the words as written; ``source``, for ``PLACE``, which of the
    reporter's words they repeat (0: the place words; 1, 2…: the others, in the order given)."""
    kind: str
    words: str
    source: int = 0


def pinning(summary: str, reporter_words: Sequence[str], point: tuple[float, float] | None,
            city_names: Callable[[str], set[str]], simplified: Callable[[str], str],
            contact: str = "", *, readings: Callable[[str], frozenset[str]],
            spellings: Callable[[str], frozenset[str]]) -> Repeated | None:
    """The first piece of what pins the reported spot that ``summary`` repeats (as the reporter or the
    summary wrote it), None when it repeats none. ``reporter_words``: the place words first, then the
    reporter's other words, the description then who was with the child (only their names and numbers count:
    a summary rightly repeats "red coat", 红色外套, and "about 6");
    ``point``: the report's coordinates; ``city_names``: the names (folded) of the public city a text
    names, which every reader sees; ``contact``: the reporter's, never for families; ``readings``: a Chinese
    character's pinyin, ``spellings``: its Wade-Giles and bopomofo (the place words' Chinese said in any of
    them count as written)."""
    loose = fold(summary, simplified, joined=False)
    text = _joined(loose)
    for kind, found in ((ID_NUMBER, identity_number(text)), (MAP_CODE, map_code(text, [point] if point else [])),
                        (POSITION, _coordinate(text, point)),
                        (CONTACT, contact_in(text, loose, fold(contact, simplified, joined=False)))):
        if found is not None:
            return Repeated(kind, _as_written(found, [summary], simplified))
    place = fold(reporter_words[0] if reporter_words else "", simplified)
    others = [(fold(other, simplified), fold(" ".join(m.group() for m in _NAME.finditer(other)), simplified))
              for other in reporter_words[1:]]
    known = city_names(reporter_words[0]) if reporter_words else set()
    compact = _compact(text)
    for kind, piece, at in _fragments(place, others, known):
        if kind == "letters":
            named: str | None = piece if piece in compact else None
        else:
            theirs = place if at == 0 else others[at - 1][0]
            named = _number(text, piece, theirs, [text, fold(summary, simplified, numerals=False)], kind == "counted")
        if named is not None:
            return Repeated(PLACE, _as_written(named, [reporter_words[at], *reporter_words, summary], simplified), at)
    said = _said_place(fold(summary, simplified, numerals=False), place, known, readings, spellings)
    return Repeated(PLACE, said) if said is not None else None


def repeated_place(summary: str, reporter_words: Sequence[str], point: tuple[float, float] | None,
                   city_names: Callable[[str], set[str]], simplified: Callable[[str], str],
                   contact: str = "", *, readings: Callable[[str], frozenset[str]],
                   spellings: Callable[[str], frozenset[str]]) -> str | None:
    """``pinning``'s words only."""
    found = pinning(summary, reporter_words, point, city_names, simplified, contact, readings=readings,
                    spellings=spellings)
    return found.words if found is not None else None


def _with_digits(text: str, simplified: Callable[[str], str]) -> tuple[str, list[tuple[int, int]]]:
    """The text with its Chinese numerals that stand for numbers as digits, read in the whole text (四 of
    四川 stays), and where in ``text`` each of its characters was written."""
    plain = simplified(text)
    plain = _radio(plain if len(plain) == len(text) else text)
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    last = 0
    for found in [*_HAN_NUMBER.finditer(plain), None]:
        start = found.start() if found else len(plain)
        out += plain[last:start]
        spans += [(i, i + 1) for i in range(last, start)]
        if found:
            digits = _numeral(found)
            out += digits
            spans += [found.span()] * len(digits)
            last = found.end()
    return "".join(out), spans


def _as_written(piece: str, texts: Sequence[str], simplified: Callable[[str], str]) -> str:
    """The shortest stretch of the first of ``texts`` that reads as ``piece`` once folded (八十八 for
    88, 和平飯店 for 和平饭店, never 四 of 四川 for 4): what the moderator saw written, not the folded
    form; the piece itself when none does."""
    wanted = _compact(piece)
    first = texts[0] if texts else ""
    if (at := first.casefold().find(piece.casefold())) >= 0 and len(first.casefold()) == len(first) and piece.strip():
        return first[at:at + len(piece)].strip()  # as written where it stands (not a date holding its digits)
    reach = 4 * len(piece) + 8  # a folded piece is written in at most this many characters
    for text in texts:
        digits, spans = _with_digits(text, simplified)

        def holds(b: int, e: int, digits: str = digits) -> bool:
            return wanted in _compact(fold(digits[b:e], simplified, numerals=False))

        if not holds(0, len(digits)):
            continue
        end = next((e for e in range(1, len(digits) + 1) if holds(max(0, e - reach), e)), len(digits))
        start = next((b for b in range(end - 1, max(0, end - reach) - 1, -1) if holds(b, end)), 0)
        return text[spans[start][0]:spans[end - 1][1]].strip()
    return piece

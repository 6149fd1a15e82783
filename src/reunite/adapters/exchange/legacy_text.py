"""Which legacy encoding bytes that are no UTF-8 are really in, where GBK (read as GB18030, which reads almost any
byte pair) would read them as Chinese-looking mojibake: Big5 (Traditional Chinese), Shift_JIS (Japanese),
EUC-KR (Korean), windows-1251 (Cyrillic). A sheet is read as GBK when it is no UTF-8, and a PFIF document
labelled GB2312 or GBK is read so: both ask ``mislabelled_gb`` first, and refuse naming the encoding it gives
(probe s41 D5 for Big5, probe s46 P6 for the others: さくら was stored as 偝偔傜, 지민 as 瘤刮, Ангелина as 理沐腓磬).

Each test asks two things: that the bytes decode strictly in the other encoding into its own script (kana,
hangul, Cyrillic words), and that GBK reads them as Chinese nobody writes: characters outside GB2312's common
level (the 3,755 hanzi that make up nearly all of any Chinese text), or, for Korean, whose hangul read GB2312's
common hanzi, hangul that Korean uses."""

from __future__ import annotations

import itertools
import re

BIG5, SHIFT_JIS, EUC_KR, CP1251 = "Big5", "Shift_JIS", "EUC-KR", "windows-1251"
BIG5_SHARE = 0.1  # of a text's Chinese characters, the share GB2312 cannot read, past which it is Big5's
RARE_SHARE = 0.5  # of a GBK reading's characters, the share outside GB2312's common level past which it is no Chinese
LEAST = 3  # characters of the other script, fewer of which say nothing
SAMPLE = 5000  # characters (or words) of a text looked at one by one: the first ones say what the rest would
NOT_ASCII = re.compile("[^\x00-\x7f]")
JAPANESE = re.compile("[\u3000-\u30ff\u4e00-\u9fff\uff01-\uff5e]")  # kana, kanji, Japanese punctuation
HALF_KANA = re.compile("[\uff61-\uff9f\ue000-\uf8ff]")  # half-width kana, private use: what GBK reads as Shift_JIS
NOT_JAPANESE = re.compile("[^\x00-\x7f\u3000-\u30ff\u4e00-\u9fff\uff01-\uff5e]")
HANGUL = re.compile("[\uac00-\ud7a3]")
NOT_HANGUL = re.compile("[^\x00-\x7f\uac00-\ud7a3]")  # a hanja, say: what a Chinese text reads as in EUC-KR
CYRILLIC_WORD = re.compile("[\u0400-\u04ff]+")
NOT_CYRILLIC = re.compile("[^\x00-\x7f\u0400-\u04ff]")
VOWELS = frozenset("аеёиоуыэюя")
VOWEL_SHARE = 0.25  # of a Russian text's letters, vowels are about four in ten
RUN = re.compile("[аеёиоуыэюя]{3}|[бвгджзйклмнпрстфхцчшщьъ]{5}")
WORD_SHAPE = re.compile("^(?:[\u0401\u0410-\u042f]?[\u0430-\u044f\u0451]+|[\u0401\u0410-\u042f]+)$")
# the hangul syllables written most (about nine in ten of any Korean text's): a Chinese text read as EUC-KR
# gives any of the 2,350, most of them rare
COMMON_HANGUL = frozenset(
    "가각간갈감갑강개객거건걸검게겠겨격견결경계고곡곤골곳공과관광괴교구국군굴궁권귀규균그극근글금급기긴길김까깨"
    "꼬꾸끄끝나낙난날남납낭내냐너널네녀년념녕노농뇌누눈뉴느는늘능니님다단달담답당대댁더덕던데도독돈돌동되된될두"
    "둘뒤드득든들등디따때또뚜뜻라락란람랑래략량러럼렇레려력련렬렴령례로록론롭료루류륙률르른를름리린림립마막만많"
    "말맘망매맥머먹멀메며면멸명모목몰몸못몽무묵문물므미민밀바박반받발밤방배백버번벌범법벽변별병보복본봉부북분불"
    "붙비빈빌빛사삭산살삼상새색생서석선설섬성세센셨소속손솔송수숙순술숨쉬스슬습승시식신실심십싸써쓰씨아악안알암"
    "압앙애액야약양어억언얼엄업없었에여역연열염엽영예오옥온올와완왕외요욕용우욱운울움웅원월위유육윤율은을음읍응"
    "의이익인일임입있잎자작잔잘잠장재쟁저적전절점접정제조족존졸종좋좌죄주죽준줄중즈즉즐증지직진질짐집징짜째쪽차"
    "착찬찰참창채책처척천철첨청체초촌총최추축춘출충취측층치친칠침칭카커코쿠크키타탁탄탈탐탑태택터테토통퇴투특파"
    "판팔패퍼편평폐포폭표푸품풍프피필하학한할함합항해핵행향허헌험혁현혈협형혜호혹혼홀홍화확환활황회획효후훈휘휴"
    "흐흑흔흥희히힘")


def mislabelled_gb(data: bytes) -> str | None:
    """The legacy encoding bytes read as GBK really are in (``BIG5``, ``SHIFT_JIS``, ``EUC_KR``, ``CP1251``), or
    None: UTF-8, or GBK indeed as far as can be told."""
    if _utf8(data):
        return None
    if looks_big5(data):
        return BIG5
    for name, test in ((SHIFT_JIS, _japanese), (EUC_KR, _korean), (CP1251, _cyrillic)):
        if test(data):
            return name
    return None


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _strictly(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _rare_in_gbk(data: bytes) -> bool:
    """Whether GBK reads the bytes as Chinese nobody writes: most of its characters outside GB2312's first level
    (rows 16 to 55, the common hanzi), or no GBK at all."""
    text = _strictly(data, "gb18030")
    if text is None:
        return True
    read = [found.group() for found in itertools.islice(NOT_ASCII.finditer(text), SAMPLE)]
    rare = sum(1 for ch in read if not _common_hanzi(ch))
    return bool(read) and rare >= RARE_SHARE * len(read)


def _common_hanzi(ch: str) -> bool:
    try:
        lead = ch.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xB0 <= lead <= 0xD7


def _japanese(data: bytes) -> bool:
    """Shift_JIS (Japanese Windows' CSV, Excel's): kana and kanji, without the half-width kana most of a GBK text's
    bytes would read as, and rare hanzi in GBK."""
    text = _strictly(data, "cp932")
    if text is None or HALF_KANA.search(text) or NOT_JAPANESE.search(text):
        return False
    return len(list(itertools.islice(JAPANESE.finditer(text), LEAST))) >= LEAST and _rare_in_gbk(data)


def _korean(data: bytes) -> bool:
    """EUC-KR: hangul only (a Chinese text read as EUC-KR gives hanja too), and the hangul Korean writes."""
    text = _strictly(data, "euc_kr")
    if text is None or NOT_HANGUL.search(text):
        return False
    hangul = [found.group() for found in itertools.islice(HANGUL.finditer(text), SAMPLE)]
    if len(hangul) < LEAST:
        return False
    common = sum(1 for ch in hangul if ch in COMMON_HANGUL)
    return common == len(hangul) if len(hangul) < 2 * LEAST else common >= 0.8 * len(hangul)


def _cyrillic(data: bytes) -> bool:
    """windows-1251: every letter of it Cyrillic, written in words (capitalised, lower or upper case) that Russian
    could spell (``_spelled``), and rare hanzi in GBK."""
    text = _strictly(data, "cp1251")
    if text is None or NOT_CYRILLIC.search(text):
        return False
    words = [found.group() for found in itertools.islice(CYRILLIC_WORD.finditer(text), SAMPLE)]
    letters = sum(map(len, words))
    vowels = sum(1 for word in words for ch in word.lower() if ch in VOWELS)
    return (letters > LEAST + 1 and vowels >= VOWEL_SHARE * letters
            and all(WORD_SHAPE.match(word) and _spelled(word.lower()) for word in words) and _rare_in_gbk(data))


def _spelled(word: str) -> bool:
    """Whether a word breaks none of Russian spelling's plainest rules: a vowel in a word of three letters or more,
    no ь, ъ, ы or й first, none of them after a vowel but й, no й after a consonant, no three vowels or five
    consonants in a row."""
    if word[0] in "ьъый" or (len(word) > 2 and not VOWELS.intersection(word)):
        return False
    for before, letter in itertools.pairwise(word):
        if (letter in "ьъы" and before in VOWELS) or (letter == "й" and before not in VOWELS):
            return False
    return not RUN.search(word)


def looks_big5(data: bytes) -> bool:
    """Whether bytes that are no UTF-8 are Big5 rather than GBK: both read most byte pairs, but Big5's second bytes
    fall outside GB2312 about four times in ten, while a GBK file's characters lie almost all in GB2312 (a rare
    name's character or two aside); so a text Big5 reads whole and GB2312 cannot read in many places is Big5."""
    if _utf8(data):
        return False
    try:
        chinese = sum(1 for c in data.decode("big5") if "\u3400" <= c <= "\u9fff")
    except UnicodeDecodeError:
        return False
    unread = data.decode("gb2312", errors="replace").count("\ufffd")
    return unread >= 2 and unread > BIG5_SHARE * chinese  # one place unread: a rare name's character in GBK

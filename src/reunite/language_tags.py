"""Which of the site's languages a reader or an operator gets: from ``?lang=``, a cookie, the browser's
Accept-Language, a command line's locale, or a tag a person typed (``zh-TW``, ``yue``, ``cmn-Hant-TW``)."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = {"en": "English", "zh_CN": "简体中文", "zh_TW": "繁體中文", "zh_HK": "繁體中文"}
DEFAULT = "en"
TRADITIONAL = {"zh_TW": "s2twp", "zh_HK": "s2hk"}  # converted from zh_CN's catalog, by OpenCC's configuration


def offered(code: str) -> dict[str, str]:
    """The languages a page offers: one traditional Chinese, the reader's own (Hong Kong's), else Taiwan's
    (the switch stays one short line on a phone)."""
    traditional = code if code in TRADITIONAL else "zh_TW"
    return {each: name for each, name in LANGUAGES.items() if each not in TRADITIONAL or each == traditional}


def negotiate(query_lang: str | None, cookie_lang: str | None, accept_language: str) -> str:
    """``?lang=`` first, then the cookie, then the browser's Accept-Language."""
    for choice in (query_lang, cookie_lang):
        normal = _normal(choice)
        if normal:
            return normal
    ranked = sorted(((_quality(part), -index, part.split(";")[0].strip())
                     for index, part in enumerate(accept_language.split(","))), reverse=True)
    for quality, _, tag in ranked:
        normal = _normal(tag)
        if normal and quality > 0:
            return normal
    return DEFAULT


LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # the POSIX locale of messages, strongest first


def from_locale(environ: Mapping[str, str]) -> str:
    """The language of a command line's operator, as gettext reads it from the environment: ``LANGUAGE`` (a
    list, ``zh_TW:zh_CN:en``: the first one spoken here) unless the locale is ``C``, then the first of
    ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set (``zh_CN.UTF-8``; one not spoken here: English)."""
    locale = next((environ[name] for name in LOCALE_VARIABLES if environ.get(name)), "")
    if _bare(locale) not in ("", "C", "POSIX"):
        for tag in environ.get("LANGUAGE", "").split(":"):
            if normal := _normal(_bare(tag)):
                return normal
    return _normal(_bare(locale)) or DEFAULT


def _bare(locale: str) -> str:
    """A locale's language and place, without its encoding or modifier: ``zh_TW.UTF-8@x`` → ``zh_TW``."""
    return locale.split(".", maxsplit=1)[0].split("@", maxsplit=1)[0].strip()


def chosen(tag: str) -> str | None:
    """A language named by a person (``--lang zh-TW``, as ``?lang=``): one of ours, or None."""
    return _normal(tag)


def _quality(part: str) -> float:
    """An Accept-Language entry's weight (``q=``, 1 when absent; 0 for one that cannot be read)."""
    for parameter in part.split(";")[1:]:
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def _normal(tag: str | None) -> str | None:
    """A language tag (``zh-TW``, ``zh_HK``, ``zh-Hant``, ``zh-Hans-SG``, ``yue``, ``cmn-Hant-TW``, ``en-GB``) as
    one of ours: traditional Chinese for Taiwan (and ``zh-Hant`` elsewhere), Hong Kong and Macao, and Cantonese
    (``yue``, ``zh-yue``) as Hong Kong writes it unless it says simplified (``yue-Hans``, ``yue-CN``: Guangzhou's);
    Mandarin (``cmn``, ``zh-cmn``, BCP 47's form of the language) as ``zh`` is; simplified for any other Chinese."""
    parts = (tag or "").strip().replace("_", "-").lower().split("-")
    if parts[0] == "en":
        return "en"
    if parts[0] not in ("zh", "yue", "cmn"):
        return None
    if "hans" in parts:
        return "zh_CN"
    if "yue" in parts:
        return "zh_CN" if "cn" in parts and "hant" not in parts else "zh_HK"
    if "hk" in parts or "mo" in parts:
        return "zh_HK"
    return "zh_TW" if "hant" in parts or "tw" in parts else "zh_CN"

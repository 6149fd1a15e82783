"""The outside probe s22's V4: a PFIF document is read in the encoding RFC 7303 names (a byte order mark, else the
charset it was sent with, else its XML declaration's, else UTF-8), strictly: bytes not valid in it refuse the whole
document in a sentence naming that encoding, never names stored as mojibake nor a parser's error."""

from __future__ import annotations

from reunite.bootstrap import Container
from reunite.domain.access import Scope
from tests.e2e.test_pfif_sync import person, rows
from tests.e2e.test_probe_pfif import PERSON, token_client

CHINESE = PERSON | {"full_name": "李小红", "description": "走失时间：2025-11-01\n红色外套"}


def document(record: str, declared: str | None, written: str, **fields: str) -> bytes:
    """A PFIF 1.4 document of one person, its declaration saying ``declared`` (None: no declaration), its
    bytes in ``written``."""
    head = f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else ""
    return (f'{head}<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">{person(record, **CHINESE | fields)}'
            "</pfif:pfif>").encode(written)


def names(container: Container) -> list[tuple[str, str]]:
    return rows(container, "SELECT record_id, given_name FROM cases ORDER BY record_id")


def xml(charset: str = "", language: str = "en") -> dict[str, str]:
    return {"Content-Type": "application/xml" + (f"; charset={charset}" if charset else ""),
            "Accept-Language": language}


def test_gbk_bytes_declared_utf8_are_refused_whole_naming_the_encoding(container: Container) -> None:
    writer = token_client(container, Scope.WRITE, domains=("partnera.org",))
    body = document("partnera.org/gbk1", "UTF-8", "gbk")
    refused = writer.post("/api/pfif", headers=xml(), content=body)
    assert refused.status_code == 422 and refused.json()["field"] == "file"
    assert refused.json()["detail"] == (
        "the PFIF document declares it is in UTF-8 (its XML declaration), but its bytes are not valid UTF-8 (line 2): "
        "nothing was imported. Declare the encoding it is written in, or send it in UTF-8")
    chinese = writer.post("/api/pfif", headers=xml(language="zh-CN"), content=body)
    assert chinese.status_code == 422 and "UTF-8" in chinese.json()["detail"]
    assert "不是有效的 UTF-8" in chinese.json()["detail"] and "未导入任何内容" in chinese.json()["detail"]
    # no declaration at all: read as UTF-8, and said so
    bare = writer.post("/api/pfif", headers=xml(), content=document("partnera.org/gbk2", None, "gbk"))
    assert bare.status_code == 422 and "names no encoding, so it is read as UTF-8" in bare.json()["detail"]
    # the charset sent says UTF-8 too: the header is named
    labelled = writer.post("/api/pfif", headers=xml("utf-8"), content=document("partnera.org/gbk3", "GBK", "gbk"))
    assert labelled.status_code == 422 and labelled.json()["detail"].startswith(
        "the PFIF document was sent as utf-8 (the charset of its Content-Type header), but its bytes are not valid "
        "utf-8")
    # a record that was valid before the bad bytes is not stored either
    both = (f'<?xml version="1.0" encoding="UTF-8"?>\n<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">'
            f'{person("partnera.org/ok", **PERSON)}\n').encode() + \
        f'{person("partnera.org/gbk4", **CHINESE)}</pfif:pfif>'.encode("gbk")
    half = writer.post("/api/pfif", headers=xml(), content=both)
    assert half.status_code == 422 and "(line 3)" in half.json()["detail"]
    assert names(container) == []


def test_the_charset_sent_is_read_before_the_declaration(container: Container) -> None:
    writer = token_client(container, Scope.WRITE, domains=("partnera.org",))
    # GBK bytes declared UTF-8, sent as GBK: read as GBK (the header wins), every name as written
    gbk = writer.post("/api/pfif", headers=xml("gbk"), content=document("partnera.org/h1", "UTF-8", "gbk"))
    assert gbk.status_code == 200 and gbk.json()["created"] == 1, gbk.text
    # UTF-8 bytes declared GBK, sent as UTF-8: read as UTF-8
    utf8 = writer.post("/api/pfif", headers=xml('"UTF-8"'),
                       content=document("partnera.org/h2", "GBK", "utf-8", full_name="王小明"))
    assert utf8.status_code == 200 and utf8.json()["created"] == 1, utf8.text
    # as a multipart file whose part names its charset
    part = writer.post("/api/pfif", files={"file": ("p.xml", document("partnera.org/h3", "UTF-8", "gb18030",
                                                                       full_name="陈美"),
                                                    "text/xml; charset=GB18030")})
    assert part.status_code == 200 and part.json()["created"] == 1, part.text
    # a byte order mark is read before anything: UTF-8 whatever the declaration says
    marked = writer.post("/api/pfif", headers=xml(),
                         content=b"\xef\xbb\xbf" + document("partnera.org/h4", "GB2312", "utf-8", full_name="张伟"))
    assert marked.status_code == 200 and marked.json()["created"] == 1, marked.text
    assert names(container) == [("partnera.org/h1", "李小红"), ("partnera.org/h2", "王小明"),
                                ("partnera.org/h3", "陈美"), ("partnera.org/h4", "张伟")]
    unknown = writer.post("/api/pfif", headers=xml("klingon-8"), content=document("partnera.org/h5", "UTF-8", "utf-8"))
    assert unknown.status_code == 422 and "klingon-8" in unknown.json()["detail"]
    assert "Content-Type" in unknown.json()["detail"]

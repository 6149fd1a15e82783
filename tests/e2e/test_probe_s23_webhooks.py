"""The outside probe s23's W8: one receiver is one webhook however its address is written. A numeric IPv4 host
(``134744072``, ``0x08080808``, ``010.8.8.8``, ``8.8.2056``), an escaped unreserved character (``/%68ook``) and
dot segments (``/./hook``, ``/hook/.``, ``/a/../hook``) reach the receiver ``http://8.8.8.8/hook`` already has;
port 0 is refused in words, and an IPv4-mapped IPv6 address is as public as the IPv4 address it carries."""

from __future__ import annotations

from dataclasses import replace

from reunite.adapters.notify.webhook import HttpWebhooks
from reunite.bootstrap import Container
from tests.e2e.test_probe_s21_reach import Recorder
from tests.e2e.test_probe_s22_webhooks import AREA, partner


def test_a_receiver_written_as_a_number_escaped_or_with_dot_segments_is_the_webhook_already_made(
    container: Container
) -> None:
    container.deps = replace(container.deps, webhooks=HttpWebhooks())  # the real check: numbers need no lookup
    client = partner(container)
    first = client.post("/api/subscriptions", json=AREA | {"address": "http://8.8.8.8/hook"})
    assert first.status_code == 201 and first.json()["secret"]
    for variant in ("http://134744072/hook", "http://0x08080808/hook", "http://0X8.8.8.8/hook",
                    "http://010.8.8.8/hook", "http://8.8.2056/hook", "http://8.8.8.8/%68ook", "http://8.8.8.8/%68%6F%6Fk",
                    "http://8.8.8.8/./hook", "http://8.8.8.8/hook/.", "http://8.8.8.8/a/../hook",
                    "http://8.8.8.8/%2e/hook", "http://[::ffff:8.8.8.8]/hook", "http://[::FFFF:808:808]:80/hook"):
        again = client.post("/api/subscriptions", json=AREA | {"address": variant})
        assert again.status_code == 201, (variant, again.text)
        assert (again.json()["id"], again.json()["secret"]) == (first.json()["id"], None), variant  # shown once
    assert [s["address"] for s in client.get("/api/subscriptions").json()] == ["http://8.8.8.8/hook"]

    # other receivers stay other webhooks: another address, a doubled slash, an escaped slash, another query
    others = ["http://8.8.4.4/hook", "http://8.8.8.8//hook", "http://8.8.8.8/a%2Fhook", "http://8.8.8.8/hook?a=%26"]
    made = [client.post("/api/subscriptions", json=AREA | {"address": address}) for address in others]
    assert [m.status_code for m in made] == [201] * len(others)
    assert len({m.json()["id"] for m in made} | {first.json()["id"]}) == len(others) + 1
    # each kept in one writing: escapes of reserved characters in capitals, the same whichever way they came
    same = client.post("/api/subscriptions", json=AREA | {"address": "http://8.8.8.8/a%2fhook"})
    assert same.json()["id"] == made[2].json()["id"]
    listed = {s["address"] for s in client.get("/api/subscriptions").json()}
    assert listed == {"http://8.8.8.8/hook", *others}


def test_port_0_is_refused_in_words_and_a_mapped_address_is_judged_by_the_ipv4_it_carries(
    container: Container
) -> None:
    container.deps = replace(container.deps, webhooks=Recorder())
    for language, words in (("en", "nothing can be reached on port 0"), ("zh-CN", "端口 0")):
        refused = partner(container, language).post("/api/subscriptions",
                                                    json=AREA | {"address": "http://8.8.8.8:0/x"})
        assert refused.status_code == 422 and refused.json()["field"] == "address"
        assert words in refused.json()["detail"]
    assert partner(container).get("/api/subscriptions").json() == []

    container.deps = replace(container.deps, webhooks=HttpWebhooks())
    client = partner(container)
    mapped = client.post("/api/subscriptions", json=AREA | {"address": "http://[::ffff:8.8.8.8]/hook"})
    assert mapped.status_code == 201, mapped.text
    for private in ("http://[::ffff:127.0.0.1]/hook", "http://[::ffff:7f00:1]/hook", "http://[::ffff:10.0.0.1]/hook",
                    "http://[::ffff:169.254.169.254]/hook"):
        refused = client.post("/api/subscriptions", json=AREA | {"address": private})
        assert refused.status_code == 422 and "public" in refused.json()["detail"], private
    assert [s["address"] for s in client.get("/api/subscriptions").json()] == ["http://8.8.8.8/hook"]

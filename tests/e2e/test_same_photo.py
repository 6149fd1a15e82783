"""Probe s25 Y1: an impostor downloaded a verified case's public poster photo, registered it from a new account
under another name, its birth date two years off, and the case was verified with no block: the duplicate check
compared faces only of children born within a year, and the look-alikes list said only "Strong lead". Verified,
the impostor got the real child's sightings as leads. A case photo that is another case's photo (faces of one
picture, or perceptual hashes a few bits apart) is now always flagged, whatever the birth dates and names; the
flag says "Same photo" and whose poster shows it, and verifying waits for a moderator, as for any flag.

Real photos of fgnet-dev (REUNITE_CORPUS): subject 065 at 10 (the real family's photo); subjects 075 at 3 and 077
at 4, the most alike pair of two children of about one age (docs/benchmarks.md, "A child registered twice")."""

from __future__ import annotations

import html
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from typer.testing import CliRunner

from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.entrypoints.api.app import create_app
from reunite.entrypoints.cli import app as cli
from tests.conftest import run_jobs
from tests.e2e.test_doubles_by_age import births, first_family, second_registration
from tests.e2e.test_impostor import signed_in

pytestmark = pytest.mark.corpus

ON_POSTER = "Same photo: case {fake}'s photo is the photo on the public poster of case {real}."
ON_POSTER_ZH = "同一张照片：案件 {fake} 的照片就是案件 {real} 公开寻人海报上的照片。"
REFUSED = ("case {fake} is possibly the same child as case {real}: its photo is the one on the public poster of "
           "case {real}")


def poster_photo(container: Container, case_id: int) -> bytes:
    """What anyone downloads from the case's public poster."""
    got = TestClient(create_app(container)).get(f"/p/{case_id}/photo.jpg")
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    return got.content


def years_off(born: date) -> date:
    """A birth date more than two years after ``born``: the duplicate check by faces never compares the two."""
    return born.replace(year=born.year + 2) + timedelta(days=120)


def copied(photo: bytes) -> bytes:
    """The poster's photo resized to 60%, a few pixels cropped off each side, saved again at JPEG quality 70."""
    image = Image.open(io.BytesIO(photo)).convert("RGB")
    image = image.resize((round(image.width * 0.6), round(image.height * 0.6)), Image.Resampling.BICUBIC)
    image = image.crop((4, 4, image.width - 4, image.height - 4))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def test_the_poster_photo_registered_again_by_another_account_waits_for_a_moderator(
    client: TestClient, container: Container, fgnet: Path, cli_env: CliRunner
) -> None:
    born, _ = births(container)
    real = first_family(container, (fgnet / "images/065a10.jpg").read_bytes(), born, 10)
    impostor, fake = second_registration(container, poster_photo(container, real), years_off(born), 12)

    [flag] = client.get("/api/moderation/duplicates").json()
    assert {flag["case_id"], flag["other_case_id"]} == {real, fake} and flag["verification_waits"] == [fake]
    assert flag["same_photo"] and flag["photo_on_poster"] == real
    assert flag["lead_words"][0].startswith(ON_POSTER.format(fake=fake, real=real))
    zh = client.get("/api/moderation/duplicates", headers={"Accept-Language": "zh-CN"}).json()
    assert zh[0]["lead_words"][0].startswith(ON_POSTER_ZH.format(fake=fake, real=real))

    moderator, _ = signed_in(container, Role.MODERATOR)
    page = html.unescape(moderator.get("/moderation?lang=en").text)
    assert ON_POSTER.format(fake=fake, real=real) in page
    assert f"The same photo as the one on the public poster of case {real}" in page  # beside Verify
    listed = cli_env.invoke(cli, ["doubles", "list"], env={"LANG": "C.UTF-8"})
    assert listed.exit_code == 0 and ON_POSTER.format(fake=fake, real=real) in listed.output, listed.output
    listed_zh = cli_env.invoke(cli, ["doubles", "list"], env={"LANG": "zh_CN.UTF-8"})
    assert ON_POSTER_ZH.format(fake=fake, real=real) in listed_zh.output, listed_zh.output

    [alike] = client.get(f"/api/cases/{fake}/look-alikes").json()
    assert alike["case_id"] == real and alike["same_photo"] and alike["on_poster"] and alike["births_disagree"]
    assert alike["lead_words"][0].startswith(ON_POSTER.format(fake=fake, real=real))

    refused = client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"})
    assert refused.status_code == 409 and REFUSED.format(fake=fake, real=real) in refused.json()["detail"]
    cli_refused = cli_env.invoke(cli, ["verify-case", str(fake), "--by", "mod Li", "--evidence",
                                       "police report SH-2023-7777 checked by phone"], env={"LANG": "C.UTF-8"})
    assert cli_refused.exit_code == 1 and REFUSED.format(fake=fake, real=real) in cli_refused.output
    assert container.deps.read.case(fake)["verified_at"] is None
    assert impostor.get("/api/sightings").status_code == 403  # no browsing, no leads

    linked = client.post(f"/api/moderation/duplicates/{flag['id']}", json={"decision": "link"})
    assert linked.status_code == 204  # resolved: one child, and a person decides what comes next
    assert client.post(f"/api/cases/{fake}/verify", json={"evidence": "family met in person"}).status_code == 204


def test_a_resized_cropped_copy_of_the_poster_photo_is_flagged_as_the_same_photo(
    client: TestClient, container: Container, fgnet: Path
) -> None:
    born, _ = births(container)
    real = first_family(container, (fgnet / "images/065a10.jpg").read_bytes(), born, 10)
    _, fake = second_registration(container, copied(poster_photo(container, real)), years_off(born), 12)

    [flag] = client.get("/api/moderation/duplicates").json()
    assert {flag["case_id"], flag["other_case_id"]} == {real, fake} and flag["verification_waits"] == [fake]
    assert flag["same_photo"] and flag["photo_on_poster"] == real
    refused = client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"})
    assert refused.status_code == 409 and REFUSED.format(fake=fake, real=real) in refused.json()["detail"]


def cropped(photo: bytes, share: float) -> bytes:
    """The poster's photo with ``share`` of its width and height cut off each side (probe s27 A1: 12% moves the
    face's embedding below one picture's and the whole photo's perceptual hash far off), saved again."""
    image = Image.open(io.BytesIO(photo)).convert("RGB")
    dx, dy = round(image.width * share), round(image.height * share)
    out = io.BytesIO()
    image.crop((dx, dy, image.width - dx, image.height - dy)).save(out, format="JPEG", quality=85)
    return out.getvalue()


@pytest.mark.parametrize("share", [0.12, 0.20])
def test_the_poster_photo_cropped_into_the_face_is_flagged_as_the_same_photo(
    client: TestClient, container: Container, fgnet: Path, share: float
) -> None:
    born, _ = births(container)
    real = first_family(container, (fgnet / "images/065a10.jpg").read_bytes(), born, 10)
    impostor, fake = second_registration(container, cropped(poster_photo(container, real), share), years_off(born), 12)

    [flag] = client.get("/api/moderation/duplicates").json()
    assert {flag["case_id"], flag["other_case_id"]} == {real, fake} and flag["verification_waits"] == [fake]
    assert flag["same_photo"] and flag["photo_on_poster"] == real
    refused = client.post(f"/api/cases/{fake}/verify", json={"evidence": "police report seen"})
    assert refused.status_code == 409 and REFUSED.format(fake=fake, real=real) in refused.json()["detail"]
    assert impostor.get("/api/sightings").status_code == 403  # no browsing, no leads


def test_the_same_family_registering_its_child_again_with_the_same_photo_is_flagged_but_not_kept_waiting(
    client: TestClient, container: Container, fgnet: Path
) -> None:
    born, _ = births(container)
    photo = (fgnet / "images/065a10.jpg").read_bytes()
    family, first = second_registration(container, photo, born, 10)
    assert client.post(f"/api/cases/{first}/verify", json={"evidence": "police report seen"}).status_code == 204
    form = {"csrf": "", "given_name": "Lin", "family_name": "Chen", "sex": "unknown",
            "birth_date": years_off(born).isoformat(), "tz": "UTC", "police_report": "PR-2",
            "missing_since": (container.deps.clock.now() - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "family_contact": "13000000000"}
    form["csrf"] = html.unescape(family.get("/cases/new").text).split('name="csrf" value="')[1].split('"')[0]
    sent = family.post("/cases/new", files=[("photos", ("kid.jpg", photo, "image/jpeg"))], data=form,
                       follow_redirects=False)
    assert sent.status_code == 303, sent.text
    run_jobs(container)
    again = int(sent.headers["location"].split("/")[2].split("?")[0])

    [flag] = client.get("/api/moderation/duplicates").json()
    assert {flag["case_id"], flag["other_case_id"]} == {first, again} and flag["same_photo"]
    assert flag["verification_waits"] == []  # the family's own: linked by a moderator, never waiting on it
    assert client.post(f"/api/cases/{again}/verify", json={"evidence": "police report seen"}).status_code == 204


def test_two_children_of_about_one_age_with_births_years_apart_are_no_same_photo(
    client: TestClient, container: Container, fgnet: Path
) -> None:
    born, _ = births(container)
    real = first_family(container, (fgnet / "images/075a03.jpg").read_bytes(), born, 3)
    _, other = second_registration(container, (fgnet / "images/077a04.jpg").read_bytes(), years_off(born), 4)

    assert client.get("/api/moderation/duplicates").json() == []
    assert not any(a["same_photo"] for a in client.get(f"/api/cases/{other}/look-alikes").json())
    assert client.post(f"/api/cases/{other}/verify", json={"evidence": "police report seen"}).status_code == 204
    assert container.deps.read.case(real)["verified_at"] is not None

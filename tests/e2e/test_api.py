"""The core loop through HTTP and the real worker: report, detect, match, review, search, browse."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.entrypoints.api.app import create_app
from reunite.services.accounts import issue_token
from tests.conftest import count_rows, jpeg, plain_photo, run_jobs
from tests.integration.test_codec import phone_exif
from tests.photos import another_shot, face_jpeg, portrait, side_by_side, upload


def report(client: TestClient, files: list[tuple[str, bytes, str]], **form: Any) -> Any:
    return client.post("/api/sightings", files=[("photos", f) for f in files], data=form)


def register(client: TestClient, photo: tuple[str, bytes, str], **form: Any) -> int:
    fields = {"given_name": "Child", "sex": "female", "birth_date": "2000-01-01",
              "missing_since": "2002-06-01T08:00:00Z", "photo_dates": "2002-01-01",
              "last_seen_lat": 31.23, "last_seen_lon": 121.47} | form
    response = client.post("/api/cases", files=[("photos", photo)], data=fields)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_an_honest_adult_age_estimate_is_accepted(client: TestClient) -> None:
    """A child missing for years is an adult when seen again: a reporter's "24 to 28" is kept."""
    response = report(client, [("face.jpg", face_jpeg(), "image/jpeg")], apparent_age_low=24, apparent_age_high=28)
    assert response.status_code == 202, response.text
    assert client.get(f"/api/sightings/{response.json()['id']}").json()["apparent_age_low"] == 24


def test_sighting_is_accepted_at_once_then_processed(client: TestClient, container: Container) -> None:
    response = report(client, [("face.jpg", face_jpeg(), "image/jpeg")], seen_at="2005-06-01T10:00:00+08:00",
                      lat=30.59, lon=114.31, place_text="Hankou station", apparent_age_low=4, apparent_age_high=6)
    assert response.status_code == 202, response.text
    sighting_id = response.json()["id"]
    assert client.get(f"/api/sightings/{sighting_id}").json()["state"] == "processing"

    run_jobs(container)

    detail = client.get(f"/api/sightings/{sighting_id}").json()
    assert detail["state"] == "faces found" and detail["face_count"] == 1
    assert detail["seen_at"] == "2005-06-01T10:00:00+08:00"  # the offset it was given in
    crop = client.get(f"/api/faces/{detail['faces'][0]['id']}/crop")
    assert crop.status_code == 200 and Image.open(io.BytesIO(crop.content)).format == "JPEG"


def test_photo_with_no_face_is_kept_and_says_so(client: TestClient, container: Container) -> None:
    response = report(client, [("street.jpg", plain_photo(), "image/jpeg")])
    assert response.status_code == 202
    run_jobs(container)
    detail = client.get(f"/api/sightings/{response.json()['id']}").json()
    assert detail["state"] == "no face found" and detail["photo_count"] == 1


def test_time_and_place_come_from_the_photo_when_not_given(client: TestClient) -> None:
    data = jpeg(np.full((120, 160, 3), 90, np.uint8), phone_exif())
    body = report(client, [("IMG_0001.jpg", data, "image/jpeg")]).json()
    assert body["time_from_photo"] and body["place_from_photo"]
    assert body["seen_at"] == "2024-05-06T14:30:00+08:00"  # with the offset the camera wrote
    detail = client.get(f"/api/sightings/{body['id']}").json()
    assert detail["lat"] == pytest.approx(30.59, abs=0.01)


def test_photos_shown_are_stripped_of_exif(client: TestClient) -> None:
    data = jpeg(np.full((120, 160, 3), 90, np.uint8), phone_exif())
    body = report(client, [("IMG_0001.jpg", data, "image/jpeg")]).json()
    shown = client.get(f"/api/photos/{body['photo_ids'][0]}")
    assert shown.status_code == 200
    assert len(Image.open(io.BytesIO(shown.content)).getexif()) == 0
    assert b"PhoneMaker" not in shown.content


def test_a_photo_the_browser_holds_is_not_sent_again_and_each_showing_is_audited(
    client: TestClient, container: Container
) -> None:
    body = report(client, [("a.jpg", plain_photo(), "image/jpeg")]).json()
    url = f"/api/photos/{body['photo_ids'][0]}"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["cache-control"] == "private, no-store"
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    smaller = client.get(url + "?max_side=64", headers={"If-None-Match": first.headers["etag"]})
    assert smaller.status_code == 200 and smaller.headers["etag"] != first.headers["etag"]
    assert client.get(url).content == first.content  # made once, the same bytes again
    with container.engine.connect() as conn:
        shown = conn.exec_driver_sql("SELECT count(*) FROM audit_log WHERE action = 'photo.viewed'").scalar_one()
    assert shown == 4


BAD_REPORTS = {
    "not an image": ([("notes.txt", b"just some text", "text/plain")], {}, 415, "not a photo"),
    "truncated jpeg": ([("cut.jpg", plain_photo(640, 480)[:3000], "image/jpeg")], {}, 422, "truncated"),
    "no photo": ([], {"place_text": "market"}, 422, ""),
    "future date": ([("a.jpg", plain_photo(), "image/jpeg")], {"seen_at": "2099-01-01T00:00:00Z"}, 422, "future"),
    "latitude out of range": ([("a.jpg", plain_photo(), "image/jpeg")], {"lat": 95, "lon": 10}, 422, "latitude"),
    "only a longitude": ([("a.jpg", plain_photo(), "image/jpeg")], {"lon": 10}, 422, "both latitude"),
    "reversed age range": ([("a.jpg", plain_photo(), "image/jpeg")],
                           {"apparent_age_low": 9, "apparent_age_high": 3}, 422, "apparent age"),
    "apparent age past 60": ([("a.jpg", plain_photo(), "image/jpeg")],
                             {"apparent_age_low": 58, "apparent_age_high": 64}, 422, "0 to 60"),
    "unknown sex": ([("a.jpg", plain_photo(), "image/jpeg")], {"apparent_sex": "x"}, 422, ""),
    "second photo broken": ([("a.jpg", plain_photo(), "image/jpeg"), ("b.jpg", b"\xff\xd8\xff broken", "image/jpeg")],
                            {}, 415, "photo 2"),
}


@pytest.mark.parametrize("case", BAD_REPORTS.values(), ids=BAD_REPORTS.keys())
def test_bad_reports_get_a_clear_error_and_store_nothing(
    client: TestClient, container: Container, case: tuple[Any, dict[str, Any], int, str]
) -> None:
    files, form, status, words = case
    report(client, [("a.jpg", plain_photo(seed=5), "image/jpeg")])  # something already stored
    response = report(client, files, **form)
    assert response.status_code == status, response.text
    assert words in str(response.json()["detail"])
    assert count_rows(container, "sightings") == 1 and count_rows(container, "photos") == 1
    assert count_rows(container, "procrastinate_jobs") == 1


def test_100_mb_upload_is_refused_without_storing(client: TestClient, container: Container) -> None:
    huge = b"\xff\xd8" + bytes(100 * 1024 * 1024)
    response = report(client, [("huge.jpg", huge, "image/jpeg")])
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    assert count_rows(container, "sightings") == 0


def test_too_large_uploads_are_refused_in_the_readers_language_as_a_page_or_json(
    client: TestClient, container: Container
) -> None:
    from reunite.domain.access import Role
    from tests.conftest import session_for

    big = [("photos", ("big.jpg", b"\xff\xd8" + bytes(27 * 1024 * 1024), "image/jpeg"))]
    chinese = {"Accept-Language": "zh-CN"}
    api = client.post("/api/sightings", files=big, headers=chinese)
    assert api.status_code == 413 and "上限" in api.json()["detail"]
    browser = TestClient(client.app, headers=chinese)
    browser.cookies.set("reunite_session", session_for(container, Role.FAMILY)[1])
    for path, words in (("/report", "这张照片有 27 MB"), ("/cases/new", "上限")):
        page = browser.post(path, files=big, data={"csrf": "x"}, headers={"Referer": f"http://testserver{path}"})
        assert page.status_code == 413 and page.headers["content-type"].startswith("text/html"), path
        assert words in page.text  # the report form itself again (tests/e2e/test_too_large_report.py)
        assert 'action="/report"' in page.text if path == "/report" else "data-back" in page.text  # back to the form
    assert count_rows(container, "sightings") == 0 and count_rows(container, "cases") == 0


def test_decompression_bomb_upload_is_refused(client: TestClient, container: Container) -> None:
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG")  # 400 megapixels, ~50 kB on disk
    response = report(client, [("bomb.png", out.getvalue(), "image/png")])
    assert response.status_code == 413 and "pixels" in response.json()["detail"]
    assert count_rows(container, "sightings") == 0


@pytest.mark.parametrize(("form", "words"), [
    ({"birth_date": "2003-01-01"}, "before the birth date"),
    ({"birth_date": "2090-01-01"}, "future"),
    ({"photo_dates": "1990-01-01"}, "between birth and today"),
    ({"birth_date": "1970-01-01"}, "under 18"),
    ({"photo_dates": "last spring"}, "YYYY-MM-DD"),
])
def test_impossible_case_dates_are_refused(
    client: TestClient, container: Container, form: dict[str, str], words: str
) -> None:
    fields = {"given_name": "Lin", "sex": "female", "birth_date": "2000-01-01",
              "missing_since": "2002-06-01T08:00:00Z", "photo_dates": "2002-01-01"} | form
    response = client.post("/api/cases", files=[("photos", upload())], data=fields)
    assert response.status_code == 422 and words in response.json()["detail"], response.text
    assert count_rows(container, "cases") == 0


def test_new_sighting_is_ranked_against_open_cases_and_reviewed(client: TestClient, container: Container) -> None:
    right = register(client, upload("collins", 0), given_name="Right")
    for take in range(3):
        register(client, upload("hopper", take), given_name=f"Other {take}")  # three children, three cases
    sighting = report(client, [upload("collins", 1)], seen_at="2005-03-01T10:00:00Z",
                      lat=30.59, lon=114.31, apparent_age_low=4, apparent_age_high=6).json()["id"]
    run_jobs(container)

    ranked = client.get(f"/api/sightings/{sighting}/candidates").json()
    assert ranked[0]["case_id"] == right
    top = client.get(f"/api/cases/{right}/candidates").json()[0]
    assert top["status"] == "proposed" and top["sighting_id"] == sighting
    assert top["age_score"] == 1.0 and top["distance_km"] == pytest.approx(687, abs=5)
    assert "3 years after the child went missing" in top["explanation"]
    assert "apparent age 4–6, expected 5" in top["explanation"]

    assert client.post(f"/api/candidates/{top['id']}/review", json={"decision": "dismiss"}).status_code == 422
    assert client.post(f"/api/candidates/{top['id']}/review", json={"decision": "confirm"}).status_code == 204
    confirmed = client.get(f"/api/cases/{right}/candidates", params={"status": "confirmed"}).json()
    assert [c["id"] for c in confirmed] == [top["id"]]


def test_new_case_finds_past_sightings_but_not_earlier_ones(client: TestClient, container: Container) -> None:
    before = report(client, [upload("collins", 0)], seen_at="2004-01-01T00:00:00Z").json()["id"]
    after = report(client, [upload("collins", 1)], seen_at="2008-01-01T00:00:00Z").json()["id"]
    run_jobs(container)
    case_id = register(client, ("c.jpg", another_shot(portrait("collins", 2)), "image/jpeg"), birth_date="2000-01-01",
                       missing_since="2005-06-01T00:00:00Z", photo_dates="2005-01-01")
    run_jobs(container)
    found = {c["sighting_id"] for c in client.get(f"/api/cases/{case_id}/candidates").json()}
    assert after in found and before not in found


def test_rematch_is_idempotent_and_keeps_reviews(client: TestClient, container: Container) -> None:
    case_id = register(client, upload("collins", 0))
    report(client, [upload("collins", 1)], seen_at="2008-01-01T00:00:00Z")
    report(client, [upload("hopper", 0)], seen_at="2008-01-01T00:00:00Z")
    run_jobs(container)
    before = client.get(f"/api/cases/{case_id}/candidates").json()
    client.post(f"/api/candidates/{before[0]['id']}/review", json={"decision": "dismiss", "reason": "different ears"})
    faces = count_rows(container, "faces")

    from reunite.services.matching import rematch_all
    rematch_all(container.deps, actor="test")
    run_jobs(container)

    after = client.get(f"/api/cases/{case_id}/candidates").json()
    assert [c["id"] for c in after] == [c["id"] for c in before]
    assert after[0]["status"] == "dismissed" and after[0]["review_reason"] == "different ears"
    assert count_rows(container, "faces") == faces


def test_search_by_photo_ranks_the_same_child_first(client: TestClient, container: Container) -> None:
    wanted = report(client, [upload("collins", 1)]).json()["id"]
    for take in range(3):
        report(client, [upload("hopper", take)])
    run_jobs(container)
    # another shot of the child: the same picture would be one picture, no evidence (after the leads)
    hits = client.post("/api/search", files={"photo": ("c.jpg", another_shot(portrait("collins", 2)),
                                                       "image/jpeg")}).json()
    assert hits[0]["sighting_id"] == wanted
    assert count_rows(container, "photos") == 4  # the searched photo is not kept


def test_the_same_photo_searched_twice_by_page_or_api_gives_the_same_numbers_and_the_given_offset(
    client: TestClient, container: Container
) -> None:
    import re

    from reunite.domain.access import Role
    from tests.conftest import session_for

    report(client, [upload("collins", 1)], seen_at="2008-01-01T15:00:00+08:00")
    run_jobs(container)
    searched = upload("collins", 2)
    first, again = (client.post("/api/search", files={"photo": searched}).json() for _ in range(2))
    assert first[0]["lead_words"] == again[0]["lead_words"] and first[0]["seen_at"] == "2008-01-01T15:00:00+08:00"
    browser = TestClient(client.app)
    browser.cookies.set("reunite_session", session_for(container, Role.POLICE)[1])
    token = re.search(r'name="csrf" value="([^"]+)"', browser.get("/search").text)
    assert token
    page = browser.post("/search", files={"photos": searched}, data={"csrf": token.group(1)})
    face_words = next(w for w in first[0]["lead_words"] if w.startswith("by the face alone"))
    assert face_words in page.text


def test_search_with_a_faceless_photo_says_so(client: TestClient) -> None:
    response = client.post("/api/search", files={"photo": ("a.jpg", plain_photo(), "image/jpeg")})
    assert response.status_code == 422 and "no face" in response.json()["detail"]


def test_browse_filters_by_region_dates_age_and_sex(client: TestClient) -> None:
    def add(lat: float, lon: float, when: str, low: int, high: int, sex: str) -> int:
        files = [("a.jpg", plain_photo(seed=int(lat * 100)), "image/jpeg")]
        return int(report(client, files, lat=lat, lon=lon, seen_at=when, apparent_age_low=low,
                          apparent_age_high=high, apparent_sex=sex).json()["id"])

    wuhan = add(30.59, 114.31, "2024-03-01T00:00:00Z", 6, 8, "male")
    near_wuhan = add(30.62, 114.25, "2024-05-01T00:00:00Z", 10, 12, "female")
    add(31.23, 121.47, "2024-04-01T00:00:00Z", 6, 8, "male")  # Shanghai

    def ids(**params: Any) -> list[int]:
        return [s["id"] for s in client.get("/api/sightings", params=params).json()["items"]]

    assert ids(lat=30.59, lon=114.31, radius_km=20) == [near_wuhan, wuhan]
    assert ids(lat=30.59, lon=114.31, radius_km=20, age=7) == [wuhan]
    assert ids(lat=30.59, lon=114.31, radius_km=20, sex="female") == [near_wuhan]
    assert ids(seen_from="2024-04-15T00:00:00Z") == [near_wuhan]
    assert client.get("/api/sightings", params={"limit": 1}).json()["total"] == 3
    assert client.get("/api/sightings", params={"radius_km": -1, "lat": 1, "lon": 1}).status_code == 422


def test_unknown_records_are_404(client: TestClient) -> None:
    for path in ("/api/sightings/999", "/api/cases/999", "/api/cases/999/candidates", "/api/photos/999"):
        response = client.get(path)
        assert response.status_code == 404 and "does not exist" in response.json()["detail"]
    assert client.post("/api/candidates/999/review", json={"decision": "confirm"}).status_code == 404


def test_two_faces_in_one_photo_are_two_children(client: TestClient, container: Container) -> None:
    case_id = register(client, upload("collins", 0))
    group = side_by_side(portrait("hopper", 0), portrait("collins", 1))
    sighting = report(client, [("group.jpg", group, "image/jpeg")], seen_at="2005-03-01T10:00:00Z").json()["id"]
    run_jobs(container)

    assert client.get(f"/api/sightings/{sighting}").json()["face_count"] == 2
    candidates = client.get(f"/api/cases/{case_id}/candidates").json()
    assert len(candidates) == 1  # not both faces: at most one of them can be this child
    faces = client.get(f"/api/sightings/{sighting}").json()["faces"]
    right_face = max(faces, key=lambda f: f["box_left"])["id"]  # the child of the case is on the right
    assert candidates[0]["sighting_face_id"] == right_face


def test_reembedding_after_a_model_change_keeps_faces_and_reviews(client: TestClient, container: Container) -> None:
    case_id = register(client, upload("collins", 0))
    report(client, [upload("collins", 1)], seen_at="2008-01-01T00:00:00Z")
    run_jobs(container)
    candidate = client.get(f"/api/cases/{case_id}/candidates").json()[0]
    client.post(f"/api/candidates/{candidate['id']}/review", json={"decision": "dismiss", "reason": "other ears"})
    with container.engine.begin() as conn:  # as a database from before hubness and case jitter would be
        conn.exec_driver_sql("UPDATE faces SET hubness = 0, model_version = 'old', "
                             "embedding = (SELECT embedding FROM faces ORDER BY id LIMIT 1)")
        face_ids = conn.exec_driver_sql("SELECT id FROM faces ORDER BY id").scalars().all()

    from reunite.services.matching import rematch_all
    rematch_all(container.deps, actor="test", reembed=True)
    run_jobs(container)

    with container.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, model_version, hubness FROM faces ORDER BY id").fetchall()
    assert [r.id for r in rows] == face_ids  # the same faces, embedded anew
    assert all(r.model_version == container.deps.faces.version or "jit3" in r.model_version for r in rows)
    assert any(r.hubness != 0 for r in rows)
    after = client.get(f"/api/cases/{case_id}/candidates").json()
    kept = next(c for c in after if c["id"] == candidate["id"])
    assert kept["status"] == "dismissed" and kept["review_reason"] == "other ears"
    # scores recomputed from the re-embedded faces (not the overwritten ones); jittered copies are
    # random, so the case face's embedding is close to, not equal to, the first one
    assert kept["face_score"] == pytest.approx(candidate["face_score"], abs=0.01)


def test_a_case_registered_through_the_api_keeps_the_familys_contact_for_reviewers_only(
    client: TestClient, container: Container
) -> None:
    """Probe s16 P3 follow-up: the API took no family contact (the page does), so a partner's contact for the
    family was refused or lost; reviewers read it, a partner reading cases never does."""
    case_id = register(client, ("c.jpg", face_jpeg(), "image/jpeg"), family_contact="mother: 139 0000 1111")
    assert client.get(f"/api/cases/{case_id}").json()["family_contact"] == "mother: 139 0000 1111"
    client.post(f"/api/cases/{case_id}/verify", json={"evidence": "police report seen"})
    token = issue_token(container.deps, OPERATOR, "partner", [Scope.READ_CASES])
    partner = TestClient(create_app(container), headers={"Authorization": f"Bearer {token}"})
    shown = partner.get(f"/api/cases/{case_id}")
    assert shown.status_code == 200 and "139 0000 1111" not in shown.text

"""Probe s25 Y3: a case photo showing another child (a brother, a classmate) was published whole and sharp on
the poster, to partners, feeds, webhooks and PFIF, and the other child's face was matched. Now a person says
which face is the missing child's (the family on its case page, or the verifier when verifying); until then
the photo is published nowhere and none of its faces is matched; then every other face is blurred on every
published copy, as a sighting's bystanders are, and only the chosen face is matched."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, date, datetime

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role, Scope
from reunite.domain.model import GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake
from reunite.services.accounts import from_session, issue_token
from tests.conftest import run_jobs, session_for
from tests.e2e.test_journeys import csrf
from tests.e2e.world import two_faces
from tests.photos import another_shot, portrait


def _client(container: Container, cookie: str | None = None, token: str | None = None) -> TestClient:
    client = TestClient(create_app(container), headers={"Accept-Language": "en"})
    if cookie:
        client.cookies.set("reunite_session", cookie)
    if token:
        client.headers["Authorization"] = f"Bearer {token}"
    return client


def _family(container: Container) -> tuple[Principal, str]:
    _, cookie = session_for(container, Role.REPORTER)
    who = from_session(container.deps, cookie)
    assert who is not None
    return who, cookie


def _register(container: Container, who: Principal, photos: list[bytes], name: str = "Ming") -> int:
    """A case with these photos (the last taken latest: the one a poster would prefer), its faces found."""
    case = NewCase(given_name=name, family_name="Family", sex=Sex.MALE, birth_date=date(2000, 1, 1),
                   missing_since=datetime(2002, 6, 1, 8, tzinfo=UTC), last_seen_place=GeoPoint(30.6, 114.3),
                   police_report="PR-2002-1")
    case_id = intake.register_case(container.deps, who, case, [Upload(p, f"{n}.jpg") for n, p in enumerate(photos)],
                                   [date(2001 + n, 1, 1) for n in range(len(photos))]).case_id
    run_jobs(container)
    return case_id


def _crowded(container: Container, case_id: int) -> tuple[int, dict[str, int], dict[str, int]]:
    """The case's photo of two faces: its id, the child's face (the right one, hopper) and the other (collins)."""
    photo = next(p for p in container.deps.read.case(case_id)["photos"] if p["face_count"] == 2)
    faces = sorted(container.deps.read.photo_faces(photo["id"]), key=lambda f: f["box_left"])
    return photo["id"], faces[1], faces[0]


def detail(content: bytes, face: dict[str, int], scale: float = 1.0) -> float:
    """How much fine detail (neighbouring pixels' differences) a face's box holds in a JPEG scaled by ``scale``."""
    pixels = np.asarray(Image.open(io.BytesIO(content)).convert("L"), dtype=float)
    left, top, right, bottom = (round(face[k] * scale) for k in ("box_left", "box_top", "box_right", "box_bottom"))
    return float(np.abs(np.diff(pixels[top:bottom, left:right], axis=1)).mean())


def _seen_both(container: Container) -> dict[str, int]:
    """Sightings of the missing child (hopper) and of the other child in the case photo (collins), by person."""
    reporter = from_session(container.deps, session_for(container, Role.REPORTER)[1])
    assert reporter is not None
    seen = {}
    for who, n in (("hopper", 1), ("collins", 0)):
        when = NewSighting(seen_at=datetime(2006, 6, 1, 12 + n, tzinfo=UTC), place=GeoPoint(30.6, 114.3))
        seen[who] = intake.report_sighting(container.deps, reporter, when,
                                           [Upload(another_shot(portrait(who, n)), "s.jpg")]).sighting_id
    return seen


def _choose_on_page(container: Container, staff: str, case_id: int, photo: int, face_id: int) -> int:
    """Staff choose (or choose again) the child's face of a case photo on the case page: the answer's status."""
    with _client(container, staff) as moderator:
        return moderator.post(f"/cases/{case_id}/photos/{photo}/child-face", data={
            "csrf": csrf(moderator, f"/cases/{case_id}"), f"child_face_{photo}": str(face_id)},
            follow_redirects=False).status_code


def _verify_page(moderator: TestClient, case_id: int, **choice: str) -> int:
    page = moderator.get(f"/cases/{case_id}").text  # the form sends the version of the case it shows
    version = re.search(r'name="version" value="([^"]*)"', page)
    data = {"csrf": csrf(moderator, f"/cases/{case_id}"), "evidence": "police report PR-2002-1 checked by phone",
            "back": f"/cases/{case_id}", "version": version.group(1) if version else "", **choice}
    return moderator.post(f"/cases/{case_id}/verify", data=data, follow_redirects=False).status_code


def test_the_family_chooses_without_script_and_the_poster_shows_only_that_face_sharp(container: Container) -> None:
    family, cookie = _family(container)
    original = two_faces()
    case_id = _register(container, family, [original])
    photo, child, other = _crowded(container, case_id)
    with _client(container, cookie) as browser:
        page = browser.get(f"/cases/{case_id}").text
        # the family's case page asks, with plain radio buttons in a form (no script), face by face, numbered
        assert f'action="/cases/{case_id}/photos/{photo}/child-face"' in page
        assert f'type="radio" name="child_face_{photo}" value="{child["id"]}"' in page
        assert "Face 1" in page and "Face 2" in page
        assert 'value="none"' not in page  # "cannot tell" is the verifier's, never the family's
        sent = browser.post(f"/cases/{case_id}/photos/{photo}/child-face",
                            data={"csrf": csrf(browser, f"/cases/{case_id}"), f"child_face_{photo}": str(child["id"])},
                            follow_redirects=False)
        assert sent.status_code == 303
        assert "the child's face is chosen" in html.unescape(browser.get(sent.headers["location"]).text)
    _, staff = session_for(container, Role.MODERATOR)
    with _client(container, staff) as moderator:
        form = moderator.get(f"/cases/{case_id}").text
        # the verifier sees the family's choice, already checked, and may keep it
        assert re.search(rf'name="child_face_{photo}" value="{child["id"]}"\s+checked', form)
        assert _verify_page(moderator, case_id) == 303
    with _client(container) as public:
        poster = public.get(f"/p/{case_id}").text
        assert f"/p/{case_id}/photo.jpg" in poster  # the photo is published, and shared (Open Graph)
        shown = public.get(f"/p/{case_id}/photo.jpg").content
    scale = Image.open(io.BytesIO(shown)).width / Image.open(io.BytesIO(original)).width
    assert detail(shown, other, scale) < 0.35 * detail(original, other)  # the other child cannot be recognised
    assert detail(shown, child, scale) > 0.8 * detail(original, child)  # the missing child's face is intact
    token = issue_token(container.deps, OPERATOR, "a partner", [Scope.READ_CASES])
    with _client(container, token=token) as partner:
        copy = partner.get(f"/api/photos/{photo}").content
        assert detail(copy, other) < 0.35 * detail(original, other) and detail(copy, child) > 0.8 * detail(
            original, child)
        assert partner.get(f"/api/faces/{other['id']}/crop").status_code == 404  # as a face that does not exist
        assert partner.get(f"/api/faces/{child['id']}/crop").status_code == 200
        listed = partner.get(f"/api/cases/{case_id}").json()["photos"]
        assert [(p["id"], p["face_count"], p.get("face_ids")) for p in listed] == [(photo, 1, None)]
    _, police_cookie = session_for(container, Role.POLICE)
    with _client(container, police_cookie) as police:  # police read the original, and it is written in the log
        seen = police.get(f"/api/photos/{photo}").content
        assert detail(seen, other) > 0.8 * detail(original, other)
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM audit_log WHERE action = 'photo.viewed' AND subject_id = %s "
            "AND detail->>'unblurred' = 'true' AND actor LIKE 'account:%%'", (case_id,)).scalar() == 1


def test_a_photo_of_several_faces_none_chosen_is_published_nowhere_and_verifying_asks(container: Container) -> None:
    admin = issue_token(container.deps, OPERATOR, "a registry", [Scope.ADMIN])
    alone = portrait("hopper", 1)  # taken first: a poster would take the later photo of two faces
    family = _family(container)[0]  # one family for both cases: another's with the same photo would be a double
    case_id = _register(container, family, [alone, two_faces()])
    photo, _, _ = _crowded(container, case_id)
    with _client(container, token=admin) as api:
        url = f"/api/cases/{case_id}/verify"
        refused = api.post(url, json={"evidence": "police report PR-2002-1 checked"})
        assert refused.status_code == 422 and "2 faces" in refused.text and "child_faces" in refused.text
        assert api.post(url, json={"evidence": "police report PR-2002-1 checked",
                                   "child_faces": {str(photo): None}}).status_code == 204  # "cannot tell"
    token = issue_token(container.deps, OPERATOR, "a partner", [Scope.READ_CASES, Scope.EXPORT])
    with _client(container) as public, _client(container, token=token) as partner:
        shown = Image.open(io.BytesIO(public.get(f"/p/{case_id}/photo.jpg").content))
        assert shown.width < shown.height  # the portrait alone, never the wide photo of two
        assert partner.get(f"/api/photos/{photo}").status_code == 404
        assert photo not in [p["id"] for p in partner.get(f"/api/cases/{case_id}").json()["photos"]]
    only_crowded = _register(container, family, [two_faces()], name="Lei")
    crowded, child, _ = _crowded(container, only_crowded)
    with _client(container, token=admin) as api:
        assert api.post(f"/api/cases/{only_crowded}/verify", json={
            "evidence": "police report PR-2002-1 checked", "child_faces": {str(crowded): None}}).status_code == 204
    with _client(container) as public, _client(container, token=token) as partner:
        assert public.get(f"/p/{only_crowded}/photo.jpg").status_code == 404  # no photo rather than that one
        assert f"/p/{only_crowded}/photo.jpg" not in public.get(f"/p/{only_crowded}").text  # nor shared
        assert f"/p/{only_crowded}/photo.jpg" not in public.get("/feeds/cases.atom").text
        pfif = partner.get("/api/pfif").text
        assert f"/p/{only_crowded}/photo.jpg" not in pfif and f"/p/{case_id}/photo.jpg" in pfif
    with _client(container, token=admin) as api:  # chosen later by a verifier: published from then on
        assert api.put(f"/api/cases/{only_crowded}/photos/{crowded}/child-face",
                       json={"face_id": child["id"]}).status_code == 204
    with _client(container) as public:
        assert public.get(f"/p/{only_crowded}/photo.jpg").status_code == 200


def test_only_the_chosen_face_is_matched_and_compared(container: Container) -> None:
    """Sightings of the missing child (hopper) and of the other child in the photo (collins): until a face is
    chosen neither is a lead; once the child's is, only the child's sighting is, and the other child's face
    never finds another family's case."""
    deps = container.deps
    _, staff = session_for(container, Role.MODERATOR)
    seen = _seen_both(container)
    other_family = _register(container, OPERATOR, [portrait("collins", 2)], name="Other")  # the other child's
    case_id = _register(container, _family(container)[0], [two_faces()])
    photo, child, _ = _crowded(container, case_id)

    def leads() -> dict[int, tuple[int, float]]:
        """The case's leads: by sighting, the case's face that made it and the face similarity."""
        with container.engine.connect() as conn:
            return {r[0]: (r[1], r[2]) for r in conn.exec_driver_sql(
                "SELECT sighting_id, case_face_id, face_score FROM candidates WHERE case_id = %s", (case_id,))}

    def compared() -> set[int]:
        """The case's faces compared with other families' cases (look-alikes, doubles)."""
        return {row["face_id"] for row in deps.read.look_alike_faces([case_id], 5)}

    assert compared() == set()  # neither child's face is compared with anybody's before one is chosen
    with _client(container, staff) as moderator:
        assert _verify_page(moderator, case_id, **{f"child_face_{photo}": "none"}) == 303
    run_jobs(container)
    assert leads() == {}
    with container.engine.connect() as conn:
        assert not conn.exec_driver_sql("SELECT count(*) FROM case_duplicates WHERE %s IN (case_id, other_case_id) "
                                        "AND %s IN (case_id, other_case_id)", (case_id, other_family)).scalar()
    assert _choose_on_page(container, staff, case_id, photo, child["id"]) == 303
    run_jobs(container)
    found = leads()
    assert {face for face, _ in found.values()} == {child["id"]}  # every lead made by the child's face alone
    # the missing child's sighting is the strong lead; the other child's, if proposed at all, is a stranger's face
    assert seen["hopper"] in found and all(score < found[seen["hopper"]][1] for s, (_, score) in found.items()
                                           if s != seen["hopper"])
    assert compared() == {child["id"]}
    with container.engine.connect() as conn:  # the other child's face, that of the other family's child, flags nothing
        assert not conn.exec_driver_sql("SELECT count(*) FROM case_duplicates WHERE %s IN (case_id, other_case_id) "
                                        "AND %s IN (case_id, other_case_id)", (case_id, other_family)).scalar()



def test_a_child_face_chosen_again_by_staff_takes_back_the_leads_the_old_face_made(container: Container) -> None:
    """Staff first chose the wrong face (the other child's, collins) and leads of the other child's sighting came;
    choosing the missing child's face instead withdraws those leads at once (none was reviewed) and proposes the
    child's sighting (the security.md "left" note: leads of the old face stayed until matched again)."""
    _, staff = session_for(container, Role.MODERATOR)
    seen = _seen_both(container)
    case_id = _register(container, _family(container)[0], [two_faces()])
    photo, child, other = _crowded(container, case_id)

    def lead_faces() -> dict[int, int]:
        with container.engine.connect() as conn:
            return dict(conn.exec_driver_sql("SELECT sighting_id, case_face_id FROM candidates WHERE case_id = %s",
                                             (case_id,)).all())

    with _client(container, staff) as moderator:
        assert _verify_page(moderator, case_id, **{f"child_face_{photo}": str(other["id"])}) == 303
    run_jobs(container)
    assert lead_faces().get(seen["collins"]) == other["id"]  # the wrong face's lead
    assert _choose_on_page(container, staff, case_id, photo, child["id"]) == 303
    run_jobs(container)
    after = lead_faces()
    assert set(after.values()) == {child["id"]} and seen["hopper"] in after

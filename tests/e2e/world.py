"""A small, complete world for access tests: two families' cases, an approved sighting with a
bystander in the photo, a pending sighting, a confirmed and a proposed candidate, messages, a
removal request; one signed-in client per role and one per partner-token scope.

Private values are sentinels, so a test can search every response for them."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from PIL import Image

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Principal, Role, Scope
from reunite.domain.model import CandidateStatus, GeoPoint, NewCase, NewSighting, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation, retention, reunion, review
from reunite.services.accounts import from_api_token, from_session, issue_token
from tests.conftest import run_jobs, session_for
from tests.integration.test_codec import phone_exif
from tests.photos import portrait

FAMILY_A_CONTACT = "FAMILY-A-CONTACT-7781"
FAMILY_B_CONTACT = "FAMILY-B-CONTACT-9932"
FAMILY_B_CHILD = "Otherfamilychild"
POLICE_REPORT_A = f"PR-{FAMILY_A_CONTACT}"
REPORTER_CONTACT = "REPORTER-SECRET-5521"
EXACT_LAT, EXACT_LON = 31.2345678, 121.4567891
EXACT_MARKS = ("31.2345", "121.4567", "31.23457", "121.45679")
EXACT_WORDS = "stall 12 under the bridge"  # the reporter's words pin the place as well as the map
# a family's description says where the child lives: read by the family and reviewers only (probe s20 T2)
FAMILY_A_HOME = "home is FAMILY-A-HOME-4410 Caoxi Road"
FAMILY_B_HOME = "home is FAMILY-B-HOME-7735 Jiefang Road"
# so may the distinguishing marks ("a mole; her school is …"): read by the same rule
FAMILY_A_MARKS = "school FAMILY-A-MARKS-2291"
FAMILY_B_MARKS = "school FAMILY-B-MARKS-8830"
ORIGINAL_NAME = "IMG_private_name_0420"

ROLES = ("anonymous", "reporter", "family", "family_unverified", "moderator", "police", "admin")
TOKENS = {f"token_{s.name.lower()}": s for s in Scope}
PRINCIPALS = ROLES + tuple(TOKENS)
REVIEWERS = frozenset({"moderator", "police", "admin", "token_admin"})


@dataclass
class World:
    container: Container
    case_a: int = 0
    case_b: int = 0
    case_unverified: int = 0
    sighting: int = 0
    pending: int = 0
    confirmed: int = 0
    proposed: int = 0
    takedown: int = 0
    photo_of_sighting: int = 0
    photo_of_case_a: int = 0
    child_face: int = 0
    bystander_face: int = 0
    token_id: int = 0
    subscription: int = 0  # a partner's webhook (token_webhooks'), far from every case: never delivered
    cookies: dict[str, str] = field(default_factory=dict)
    bearer: dict[str, str] = field(default_factory=dict)

    def client(self, who: str) -> TestClient:
        """A client as ``who`` (a role with a session, or a partner token)."""
        test = TestClient(create_app(self.container))
        if who in self.cookies:
            test.cookies.set("reunite_session", self.cookies[who])
        if who in self.bearer:
            test.headers["Authorization"] = f"Bearer {self.bearer[who]}"
        return test

    def ids(self) -> dict[str, int]:
        return {"case_id": self.case_a, "sighting_id": self.sighting, "photo_id": self.photo_of_sighting,
                "face_id": self.child_face, "candidate_id": self.proposed, "takedown_id": self.takedown,
                "token_id": self.token_id, "subscription_id": self.subscription}


def two_faces(height: int = 480, gap: int = 40) -> bytes:
    """The child (left) with someone else beside them (right), EXIF time and GPS included."""
    people = [Image.open(io.BytesIO(portrait(*who))).convert("RGB") for who in (("collins", 1), ("hopper", 3))]
    people = [p.resize((round(p.width * height / p.height), height)) for p in people]
    both = Image.new("RGB", (people[0].width + gap + people[1].width, height), (128, 128, 128))
    both.paste(people[0], (0, 0))
    both.paste(people[1], (people[0].width + gap, 0))
    exif = phone_exif()
    del exif[0x0112]  # keep it upright
    out = io.BytesIO()
    both.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _case(container: Container, who: Principal, photo: tuple[str, int], child: str, contact: str,
          home: str = "", marks: str = "") -> int:
    case = NewCase(given_name=child, family_name="Family", sex=Sex.FEMALE, birth_date=_date(2000),
                   missing_since=_when(2002), last_seen_place=GeoPoint(31.2, 121.4), police_report=f"PR-{contact}",
                   family_contact=contact, description=f"{home}; 1.1 m tall, blue coat" if home else "",
                   marks=f"a mole on the chin; {marks}" if marks else "")
    return intake.register_case(container.deps, who, case, [Upload(portrait(*photo), "case.jpg")],
                                [_date(2002)]).case_id


def _date(year: int) -> date:
    return date(year, 1, 1)


def _when(year: int) -> datetime:
    return datetime(year, 6, 1, 8, tzinfo=UTC)


def build(container: Container) -> World:
    """The people are public-domain portraits (tests/photos.py): the child of case A is one person; case B's
    child, the bystander and the unverified case's child are the other."""
    world = World(container)
    deps = container.deps
    principals: dict[str, Principal] = {}
    for role in ROLES[1:]:
        account = Role.REPORTER if role.startswith("family") else Role(role)
        _, token = session_for(container, account)
        world.cookies[role] = token
        found = from_session(deps, token)
        assert found is not None
        principals[role] = found
    world.case_a = _case(container, principals["family"], ("collins", 0), "Lin", FAMILY_A_CONTACT, FAMILY_A_HOME,
                         FAMILY_A_MARKS)
    world.case_b = _case(container, OPERATOR, ("hopper", 0), FAMILY_B_CHILD, FAMILY_B_CONTACT, FAMILY_B_HOME,
                         FAMILY_B_MARKS)
    world.case_unverified = _case(container, principals["family_unverified"], ("hopper", 2), "Mei", "x")
    moderation.verify_case(deps, OPERATOR, world.case_a, "police report checked")

    sighting = NewSighting(seen_at=_when(2005), place=GeoPoint(EXACT_LAT, EXACT_LON),
                           place_text=f"Pudong station, {EXACT_WORDS}",
                           description=f"begging at the {EXACT_WORDS} every morning",
                           with_whom=f"a man who sells fruit at {EXACT_WORDS}", reporter_contact=REPORTER_CONTACT)
    receipt = intake.report_sighting(deps, principals["reporter"], sighting,
                                     [Upload(two_faces(), f"{ORIGINAL_NAME}.jpg")])
    world.sighting, world.photo_of_sighting = receipt.sighting_id, receipt.photo_ids[0]
    pending = NewSighting(seen_at=_when(2006), place=GeoPoint(EXACT_LAT, EXACT_LON), reporter_contact=REPORTER_CONTACT)
    world.pending = intake.report_sighting(deps, principals["reporter"], pending,
                                           [Upload(portrait("hopper", 1), "p.jpg")]).sighting_id
    run_jobs(container)

    faces = deps.read.sighting(world.sighting)["faces"]
    assert len(faces) == 2, "the composed photo should show two faces"
    child, bystander = sorted(faces, key=lambda f: f["box_left"])
    world.child_face, world.bystander_face = child["id"], bystander["id"]
    # two faces, none marked: the moderator says which is the child's as the report is approved
    moderation.moderate_sightings(deps, OPERATOR, [world.sighting], approve=True,
                                  child_faces={world.sighting: world.child_face})
    world.photo_of_case_a = deps.read.case(world.case_a)["photos"][0]["id"]

    candidates = deps.read.candidates(world.case_a, None)
    assert candidates, "the child's sighting should be a candidate for case A"
    world.confirmed = candidates[0]["id"]
    review.review_candidate(deps, OPERATOR, world.confirmed, CandidateStatus.CONFIRMED, "")
    assert deps.read.case(world.case_b)["verified_at"]  # registered by the operator: verified at once
    intake.report_sighting(deps, OPERATOR, NewSighting(seen_at=_when(2007), place=None),
                           [Upload(portrait("hopper", 1), "b.jpg")])
    run_jobs(container)
    proposed = [c for c in deps.read.candidates(world.case_b, None) if c["status"] == "proposed"]
    assert proposed, "case B should have a proposed candidate"
    world.proposed = proposed[0]["id"]
    reunion.send_message(deps, principals["moderator"], world.case_a, "We may have found her.")
    world.takedown = retention.request_takedown(deps, "sighting", world.pending, "me@example.org", "parent", "mine")
    for name, scope in TOKENS.items():
        world.bearer[name] = issue_token(deps, OPERATOR, name, [scope])
    world.token_id = int(deps.read.api_tokens()[-1]["id"])
    partner = from_api_token(deps, world.bearer["token_webhooks"])
    assert partner is not None
    with deps.uow() as uow:  # stored as subscribing would (which resolves the host: no network here)
        world.subscription = uow.add_subscription({
            "channel": "webhook", "address": "https://partner.example.org/hooks", "lat": -60.0, "lon": 0.0,
            "radius_km": 0, "region": "", "language": "en", "digest": False, "secret": "s3cret",
            "status": "active", "created_by": partner.actor})
        uow.commit()
    return world

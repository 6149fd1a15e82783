"""Families with one fgnet-dev child each (the shared corpus: one child's photos across the years, as a family has
them), for tests of what a family may search and add: the world's clients and each family's registered case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import Role
from reunite.domain.model import GeoPoint, NewCase, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake
from reunite.services.accounts import from_session
from tests.conftest import admin_token, session_for


@dataclass
class FgnetWorld:
    container: Container
    fgnet: Path

    def photo(self, name: str) -> bytes:
        return (self.fgnet / "images" / f"{name}.jpg").read_bytes()

    def client(self, cookie: str | None = None, lang: str = "en") -> TestClient:
        test = TestClient(create_app(self.container), headers={"Accept-Language": lang})
        if cookie:
            test.cookies.set("reunite_session", cookie)
        return test

    def desk(self) -> TestClient:
        """The admin's API client."""
        test = TestClient(create_app(self.container))
        test.headers["Authorization"] = f"Bearer {admin_token(self.container)}"
        return test

    def family_case(self, photo: str, name: str, birth: date, photo_on: date, place: GeoPoint, city: str,
                    missing: datetime = datetime(2024, 6, 1, 6, tzinfo=UTC)) -> tuple[str, int]:
        """A new family account registers its child (``photo``, taken on ``photo_on``): its session and the case."""
        _, cookie = session_for(self.container, Role.REPORTER)
        who = from_session(self.container.deps, cookie)
        assert who is not None
        case = NewCase(given_name=name, family_name="Wang", sex=Sex.MALE, birth_date=birth, missing_since=missing,
                       last_seen_place=place, last_seen_text=city, police_report=f"PR-{name}")
        case_id = intake.register_case(self.container.deps, who, case, [Upload(self.photo(photo), "c.jpg")],
                                       [photo_on]).case_id
        return cookie, case_id

"""Issue 10, finding 15: schemathesis drives every API operation with generated input, as an anonymous
caller, as a verified family (a session) and as an admin token, and checks every answer against the
OpenAPI document: no server error, only documented statuses, bodies and content types as documented
(the real 422 body included). Bounded: a few examples per operation and caller."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.domain.model import NewCase, Sex, Upload
from reunite.entrypoints.api.app import create_app
from reunite.services import intake, moderation
from reunite.services.accounts import from_session
from tests.conftest import admin_token, plain_photo, session_for

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 8  # per operation, mode and caller: ~30 operations × 2 modes × 8 × 3 callers ≈ 1,500 requests
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]  # valid input, and input the document forbids


@pytest.fixture
def callers(container: Container) -> dict[str, dict[str, str]]:
    """Headers of the three callers; the family's case is verified, so it browses sightings."""
    _, session = session_for(container, Role.REPORTER)
    family = from_session(container.deps, session)
    assert family is not None
    case = NewCase(given_name="Lin", family_name="", sex=Sex.FEMALE, birth_date=date(2015, 1, 1),
                   missing_since=datetime(2020, 6, 1, 8, tzinfo=UTC), last_seen_place=None)
    receipt = intake.register_case(container.deps, family, case, [Upload(plain_photo(), "lin.jpg")], [None])
    moderation.verify_case(container.deps, OPERATOR, receipt.case_id, "police report checked")
    return {"anonymous": {}, "family": {"Cookie": f"reunite_session={session}"},
            "admin token": {"Authorization": f"Bearer {admin_token(container)}"}}


def test_every_operation_answers_as_documented(container: Container, callers: dict[str, dict[str, str]]) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(container))
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 25, "every API operation is in the document"
    for operation, mode in itertools.product(operations, MODES):

        @given(case=operation.as_strategy(mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def answers_as_documented(case: Any) -> None:
            for headers in callers.values():
                case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            answers_as_documented()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.label  # nothing to get wrong: no parameters
        except (Exception, BaseExceptionGroup) as exc:  # collected, so that one run reports every operation that fails
            failures.append(f"{operation.label} ({mode.value} input): {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)

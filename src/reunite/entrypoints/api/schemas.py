"""Response DTOs: what the API promises to return (never ORM rows, never internal paths). Here what every answer
shares (the error shape, coordinates, ages, how a time seen is known) and the small ones (a report's puzzle, a token
issued); the rest by resource: ``case_schemas`` (cases, their messages), ``sighting_schemas`` (reports and
sightings), ``candidate_schemas`` (leads: candidates, duplicate flags, search hits), ``look_alike_schemas``."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from reunite.domain.access import exact
from reunite.domain.model import age_shown

# a coordinate as it is given out: exact ones to 6 decimals (never a float's noise), coarse ones as they are
Coordinate = Annotated[float | None, AfterValidator(exact)]
Years = Annotated[float, AfterValidator(age_shown)]  # an age, or a gap between ages: one decimal, rounded


class FieldProblem(BaseModel):
    field: str | None = Field(description="The input, as it is sent (`sex`, `seen_from`), else `body` or `query`")
    detail: str = Field(description="What is wrong with it and what to send instead, in the reader's language")
    loc: list[str | int] | None = Field(None, description=(
        "Found by the request's validation: where (`[\"query\", \"seen_from\"]`, `[\"body\", \"sex\"]`)"))
    type: str | None = Field(None, description="Found by the request's validation: the kind of problem")


class Problem(BaseModel):
    """Every error of the API, whatever found it, in the reader's language (``?lang=``, ``Accept-Language``)."""

    detail: str = Field(description="A sentence for the reader: what is wrong and what to do")
    field: str | None = Field(description="The input it is about (the first one's, when several are wrong)")
    problems: list[FieldProblem] = Field(description="Each problem of the input (a 422's), else empty")


SEEN_AT_BASIS = (
    "How seen_at was obtained: `given` (the reporter said when), `camera` (the photo's clock, with the offset "
    "the camera wrote), `camera_zone_assumed` (the photo's clock, which wrote no zone: read in `seen_at_zone`), "
    "`arrival` (no time was given, or the photo's clock was not plausible: seen_at is when the report arrived, "
    "only a latest time; matching draws nothing from it). Show `arrival` as \"time not given (report received "
    "…)\", never as a time seen")


SEEN_AT_PRECISION = (
    "`instant`, or `hour`: an `arrival` read by someone who does not see originals (partners, families), "
    "who read the hour it arrived in (seen_at is the hour's start, cut in UTC; show it as a range: \"between 4 "
    "and 5 PM\"), and filter and sort on that hour too")


class PowChallenge(BaseModel):
    challenge: str
    bits: int


class TokenIssued(BaseModel):
    id: int = Field(description="The token's number, for DELETE /api/tokens/{id}")
    token: str = Field(description="The secret, shown only in this answer")

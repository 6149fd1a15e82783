"""API routes for images: a photo's clean copy and a face's crop, as the reader may see them, with their entity
tags (the pages' images use the same two helpers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from reunite.entrypoints.api.auth import PrincipalDep
from reunite.entrypoints.api.routes import ERRORS, DepsDep
from reunite.services import renditions

router = APIRouter(prefix="/api")


def if_none_match(request: Request) -> str | None:
    """The entity tag the reader's browser holds (``"tag"`` or ``W/"tag"``), if one."""
    sent = request.headers.get("if-none-match", "").strip()
    return sent.removeprefix("W/").strip('"') or None


def image(made: renditions.Rendition, cache: str | None = None) -> Response:
    """The JPEG, or 304 when the reader's copy is current (its entity tag). Without ``cache``, the
    middleware's ``private, no-store`` (``auth.security_headers``): which photo, and how blurred,
    depends on who asks, and rights follow the current state on every request."""
    headers = {"ETag": f'"{made.etag}"'} | ({"Cache-Control": cache} if cache else {})
    if made.data is None:
        return Response(status_code=304, headers=headers)
    return Response(made.data, media_type="image/jpeg", headers=headers)


@router.get("/photos/{photo_id}", response_class=Response, responses=ERRORS)
def photo(
    request: Request, deps: DepsDep, who: PrincipalDep, photo_id: int,
    max_side: Annotated[int | None, Query(ge=64, le=4096)] = None,
) -> Response:
    """A clean copy of a photo: re-encoded, with EXIF and every other metadata stripped, and every
    face but the child's blurred for anyone but police and moderators."""
    return image(renditions.photo_bytes(deps, who, photo_id, max_side, if_none_match(request)))


@router.get("/faces/{face_id}/crop", response_class=Response, responses=ERRORS)
def face_crop(request: Request, deps: DepsDep, who: PrincipalDep, face_id: int) -> Response:
    return image(renditions.face_crop(deps, who, face_id, if_none_match(request)))



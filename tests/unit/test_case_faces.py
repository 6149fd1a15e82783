"""Which face of a case photo stands for the missing child, and when the photo is published (probe s25 Y3)."""

from __future__ import annotations

import pytest

from reunite.domain.case_faces import CasePhotoFaces, child_of, needs_choice, published, require_choices
from reunite.domain.errors import InvalidInput


def test_an_only_face_is_the_childs_and_of_several_only_the_one_chosen_among_them() -> None:
    assert child_of((7,), None) == 7
    assert child_of((7, 8), None) is None
    assert child_of((7, 8), 8) == 8
    assert child_of((7, 8), 9) is None  # a choice among faces found before, found again with new ids: asked again


def test_a_photo_of_several_faces_is_published_only_once_the_childs_is_chosen_and_its_faces_known() -> None:
    assert published(CasePhotoFaces(1, (7,), None)) and published(CasePhotoFaces(1, (), None))
    assert not published(CasePhotoFaces(1, (7, 8), None)) and published(CasePhotoFaces(1, (7, 8), 7))
    assert not published(CasePhotoFaces(1, (), None, processed=False))  # its faces not known yet
    assert not published(CasePhotoFaces(1, (), None, failed=True))  # they could not be searched for


def test_verifying_asks_about_every_photo_of_several_faces_none_chosen() -> None:
    photos = [CasePhotoFaces(1, (7,), None), CasePhotoFaces(2, (8, 9), None), CasePhotoFaces(3, (5, 6), 6)]
    assert [needs_choice(p) for p in photos] == [False, True, False]
    with pytest.raises(InvalidInput) as refused:
        require_choices(10, photos, {})
    assert refused.value.field == "child_faces" and refused.value.params["n"] == 2
    require_choices(10, photos, {2: None})  # "cannot tell" is an answer

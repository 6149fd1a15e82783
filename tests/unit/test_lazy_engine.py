"""An engine that fails to build (a model file damaged) is built again when asked, so that a mended
file is used without a restart, but not within a few seconds of the last failure: every waiting job's
retry asks for it, and a build costs seconds of CPU."""

from __future__ import annotations

import pytest

from reunite.adapters.faces.lazy import LazyFaceEngine
from reunite.domain.errors import FaceEngineUnavailable
from reunite.domain.ports import FaceEngine


def test_a_failed_build_is_tried_again_only_after_a_few_seconds() -> None:
    now, builds = [100.0], []

    def build() -> FaceEngine:
        builds.append(now[0])
        raise RuntimeError("/models/net.dat is truncated")

    lazy = LazyFaceEngine(build, rebuild_after=5.0, clock=lambda: now[0])
    for later in (0.0, 1.0, 4.9):
        now[0] = 100.0 + later
        with pytest.raises(FaceEngineUnavailable, match="truncated"):
            lazy.engine()
    assert builds == [100.0]  # the same failure, said again without building
    now[0] = 105.0
    with pytest.raises(FaceEngineUnavailable):
        lazy.engine()
    assert builds == [100.0, 105.0]
    assert not lazy.loaded

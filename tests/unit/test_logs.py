"""REUNITE_LOG_JSON: one JSON object per log line, with the error's traceback when there is one; a job
failed for the face engine without one (its own line names the file)."""

from __future__ import annotations

import json
import logging
import sys

from reunite.domain.errors import FaceEngineUnavailable
from reunite.entrypoints.logs import ENGINE_FAILURES, JsonFormatter


def test_json_log_lines_carry_time_level_logger_message_and_error() -> None:
    formatter = JsonFormatter()
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("reunite.worker").makeRecord(
            "reunite.worker", logging.ERROR, __file__, 1, "job %s failed: 照片", ("42",), sys.exc_info())
    entry = json.loads(formatter.format(record))
    assert entry["level"] == "error" and entry["logger"] == "reunite.worker"
    assert entry["message"] == "job 42 failed: 照片"
    assert entry["time"].endswith("+00:00") and "ValueError: boom" in entry["error"]


def failed_job_line(exc: Exception) -> str:
    """What procrastinate's worker logs for a job that failed with ``exc``, as the log shows it."""
    try:
        try:
            raise OSError("read error")
        except OSError as cause:
            raise exc from cause
    except Exception as raised:
        record = logging.getLogger("procrastinate.worker").makeRecord(
            "procrastinate.worker", logging.INFO, __file__, 1, "Job faces.process_sighting(sighting_id=1) ended "
            "with status: Error, to retry", (), (type(raised), raised, raised.__traceback__))
    assert ENGINE_FAILURES.filter(record)  # kept, always
    return logging.Formatter("%(levelname)s %(name)s: %(message)s").format(record)


def test_a_job_failed_for_the_face_engine_is_logged_without_traceback_others_with() -> None:
    engine = failed_job_line(FaceEngineUnavailable("/models/net.dat is truncated"))
    assert "Error, to retry" in engine and "Traceback" not in engine and "read error" not in engine
    other = failed_job_line(ValueError("boom"))
    assert "Traceback" in other and "ValueError: boom" in other and "OSError: read error" in other

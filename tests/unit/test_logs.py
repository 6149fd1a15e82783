"""REUNITE_LOG_JSON: one JSON object per log line, with the error's traceback when there is one."""

from __future__ import annotations

import json
import logging
import sys

from reunite.entrypoints.logs import JsonFormatter


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

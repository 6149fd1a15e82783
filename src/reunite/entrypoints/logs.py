"""Log output: readable lines by default, one JSON object per line with REUNITE_LOG_JSON=true (for a
log collector: Loki, Elasticsearch, a cloud's logging)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from reunite.domain.errors import FaceEngineUnavailable, PhotoStoreUnavailable


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
            "process": record.process,
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class WithoutEngineTraceback(logging.Filter):
    """A job failed for ``FaceEngineUnavailable`` (a model file missing or damaged): its own error line
    (``services.faces.engine_failed``) names the file and the cause, so procrastinate's line about the
    job comes without the traceback, which would bury it at every try of every waiting job. Any other
    failure keeps its traceback. A photo store down is said the same way: its message names the cause
    (``PhotoStoreUnavailable``), and a traceback at each try of each waiting job would bury it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], FaceEngineUnavailable | PhotoStoreUnavailable):
            record.exc_info, record.exc_text = None, None
        return True


ENGINE_FAILURES = WithoutEngineTraceback()


class CurrentStderr(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time (a command run in-process, as tests do, must not
    keep writing to a stream its runner has since closed)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def configure(json_lines: bool) -> None:
    handler = CurrentStderr()
    handler.setFormatter(JsonFormatter() if json_lines else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)

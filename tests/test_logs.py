"""No token or secret ever appears in a log line, whichever logger wrote it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import structlog

from hub.logs import configure_logging, redact_also

SECRET = "xoxb-123456-SECRET-token"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    handlers, level = logging.getLogger().handlers[:], logging.getLogger().level
    yield
    logging.getLogger().handlers[:] = handlers
    logging.getLogger().setLevel(level)
    structlog.reset_defaults()


def test_secrets_are_redacted_from_structlog_and_stdlib_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging([SECRET, "pw-hunter2"])
    structlog.get_logger("hub.test").warning(
        "delivery.failed", reason=f"401 for token {SECRET}", url="redis://:pw-hunter2@h"
    )
    logging.getLogger("dramatiq").error("could not connect with %s", SECRET)
    try:
        raise RuntimeError(f"bad token {SECRET}")
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("crash")
    output = capsys.readouterr().err
    assert SECRET not in output and "pw-hunter2" not in output
    assert output.count("[redacted]") >= 4
    assert "delivery.failed" in output and "could not connect" in output


def test_logs_are_json_when_not_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    configure_logging([])
    structlog.get_logger("hub.test").info("scheduler.fired", occurrences=[1])
    (line,) = [line for line in capsys.readouterr().err.splitlines() if "scheduler.fired" in line]
    record = json.loads(line)
    assert (
        record["event"] == "scheduler.fired" and record["level"] == "info" and "timestamp" in record
    )


def test_secrets_learnt_after_logging_started_are_redacted_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging([SECRET])
    redact_also(["pw-learnt-later"])
    structlog.get_logger("hub.test").info("broker.connected", url="redis://:pw-learnt-later@h")
    logging.getLogger("dramatiq").error("token %s", SECRET)
    output = capsys.readouterr().err
    assert "pw-learnt-later" not in output and SECRET not in output
    assert output.count("[redacted]") == 2

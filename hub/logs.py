"""Structured logs: JSON when not on a terminal, and never a secret in any line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import Any

import structlog
from structlog.typing import EventDict, WrappedLogger

REDACTED = "[redacted]"


class Redactor:
    """Replaces every known secret value by [redacted], wherever it appears in a log line."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Redact these too, from the next line on (longest first, so no secret is half-hidden)."""
        known = {*self.secrets, *(s for s in secrets if len(s) >= 4)}
        self.secrets = sorted(known, key=len, reverse=True)

    def __call__(self, _: WrappedLogger, __: str, event: EventDict) -> EventDict:
        return {key: self._clean(value) for key, value in event.items()}

    def _clean(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in self.secrets:
                value = value.replace(secret, REDACTED)
        return value


_current = Redactor()


def redact_also(secrets: Iterable[str]) -> None:
    """Add secrets learnt after logging was configured (the URLs the hub was built with)."""
    _current.add(secrets)


def configure_logging(secrets: Iterable[str] = (), level: int = logging.INFO) -> None:
    """Route structlog and the standard library (uvicorn, dramatiq…) through one redacting chain.

    Called before anything else logs: structlog's default would print to stdout in its own
    format, mixing log lines into command output.
    """
    global _current
    redactor = _current = Redactor(secrets)
    renderer: Any = (
        structlog.dev.ConsoleRenderer()
        if sys.stderr.isatty()
        else structlog.processors.JSONRenderer()
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, redactor, renderer],
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)

"""Structured JSON logs; every line passes through the LGPD and secrets masking processor."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import structlog
from structlog.typing import EventDict, WrappedLogger

from carinho.kit.masking import SecretMasker, mask_event_dict

if TYPE_CHECKING:
    from carinho.config import Settings

# Secrets registered at configuration time (`configure_logging(settings=...)`), plus those of the
# process's configured Runtime (`carinho.runtime.configure(settings)`, read when it changes), so that
# secrets generated after logging was set up (the sandbox's Z-API token on a first start) are masked too.
_lock = threading.Lock()
_registered: tuple[str, ...] = ()
_cache: tuple[tuple[str, ...], SecretMasker] = ((), SecretMasker())


def register_secrets(values: Iterable[str]) -> None:
    """Mask these values in every log line from now on (besides the configured Runtime's)."""
    global _registered
    with _lock:
        _registered = tuple(sorted(set(_registered) | {v for v in values if v}))


def _runtime_secrets() -> list[str]:
    runtime = sys.modules.get("carinho.runtime")
    if runtime is None or not runtime.is_configured():
        return []
    secrets: list[str] = runtime.current().settings.log_secrets()
    return secrets


def secret_masker() -> SecretMasker:
    """The masker of every secret configured in this process."""
    global _cache
    values = tuple(sorted(set(_registered).union(_runtime_secrets())))
    cached_values, masker = _cache
    if values != cached_values:
        masker = SecretMasker(values)
        _cache = (values, masker)
    return masker


def masking_processor(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    return mask_event_dict(event_dict, secret_masker())


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]


def log_formatter() -> logging.Formatter:
    """The one formatter of every log line (structlog's and the standard library's): masked JSON."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            masking_processor,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )


def configure_logging(
    level: str = "INFO",
    stream: Any = None,
    *,
    settings: Settings | None = None,
    handler: logging.Handler | None = None,
) -> None:
    """Route structlog and the standard library (uvicorn, httpx, dramatiq, ...) through one masked
    JSON renderer. `settings`: its secrets are masked by value from now on."""
    if settings is not None:
        register_secrets(settings.log_secrets())
    if handler is None:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(log_formatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # Two lines for every run of every scheduled job (the leader guard runs every second); a missed or
    # failed run is still logged, as a warning or an error.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)

    structlog.configure(
        processors=[
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)

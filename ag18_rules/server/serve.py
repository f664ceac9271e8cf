"""``ag18 serve``: start uvicorn on the application, with ``--workers N`` processes.

uvicorn starts each worker process by importing :func:`app_from_environment`; the options travel
to them in environment variables, as they would under any process manager.
"""
from __future__ import annotations

import json
import logging
import os

from ..errors import Ag18Error, Text
from . import MISSING, ServerUnavailable

_ENV = "AG18_SERVE"


def serve(*, host: str, port: int, policy: str | None, workers: int, store: str | None, deadline: float,
          body_limit: int, session_ttl: float, max_sessions: int, cors: list[str], lang: str, err) -> int:
    try:
        import fastapi  # noqa: F401  (the extra is installed)
        import uvicorn
    except ImportError:
        raise ServerUnavailable(lang) from None
    from .settings import default_store

    config = {"policy": os.path.abspath(policy) if policy else None, "store": os.path.abspath(store or default_store()),
              "deadline": deadline, "body_limit": body_limit, "ttl": session_ttl, "sessions": max_sessions,
              "cors": cors}
    os.environ[_ENV] = json.dumps(config)
    _check_policy(config)  # a bad policy is reported once, before any worker starts
    _check_address(host, port, lang)
    err.write(Text(f"ag18: phục vụ tại http://{host}:{port}/ (bàn làm việc), API tại /v1, OpenAPI tại /openapi.json; "
                   f"phiên lưu trong {config['store']}\n",
                   f"ag18: serving http://{host}:{port}/ (workbench), the API under /v1, OpenAPI at /openapi.json; "
                   f"sessions kept in {config['store']}\n")(lang))
    err.flush()
    uvicorn.run("ag18_rules.server.serve:app_from_environment", factory=True, host=host, port=port,
                workers=workers if workers > 1 else None, log_config=_log_config(), access_log=False,
                timeout_graceful_shutdown=30)
    return 0


def _check_address(host: str, port: int, lang: str) -> None:
    """Say plainly, in the user's language, when the address is taken or cannot be used."""
    import socket

    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise Ag18Error(Text(f"Không mở được địa chỉ {host}:{port} ({reason}); hãy chọn cổng khác bằng --port.",
                             f"Cannot listen on {host}:{port} ({reason}); choose another port with --port.")(lang)) from None


def _check_policy(config: dict) -> None:
    from ..engine import Policy

    Policy.load(config["policy"]).close()


def _log_config() -> dict:
    """uvicorn's own messages and the JSON-lines access log, both on stderr."""
    return {"version": 1, "disable_existing_loggers": False,
            "formatters": {"plain": {"format": "%(message)s"}},
            "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
            "loggers": {"uvicorn": {"handlers": ["stderr"], "level": "INFO"},
                        "ag18.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False}}}


def app_from_environment():
    """The application as configured by ``ag18 serve`` (called in each uvicorn worker)."""
    from ..engine import Policy
    from .app import create_app
    from .settings import Settings
    from .store import Limits

    config = json.loads(os.environ[_ENV])
    limits = Limits(sessions=config["sessions"], ttl=config["ttl"], plan_bytes=config["body_limit"])
    settings = Settings(body_limit=config["body_limit"], deadline=config["deadline"], store=config["store"],
                        limits=limits, cors_origins=tuple(config["cors"]))
    logging.getLogger("ag18.access").setLevel(logging.INFO)
    return create_app(Policy.load(config["policy"]), settings)


__all__ = ["MISSING", "app_from_environment", "serve"]

"""``ag18 serve``: the HTTP API and the browser workbench, as an ASGI application.

>>> from ag18_rules.server import create_app
>>> app = create_app()            # the shipped policy; or create_app(ag18_rules.load_policy("dir"))

The web framework is the ``server`` extra (``pip install 'ag18-rules[server]'``); importing this
package does not need it, only :func:`create_app` does.
"""
from __future__ import annotations

from ..errors import Ag18Error, Text

__all__ = ["MISSING", "ServerUnavailable", "Settings", "create_app"]

MISSING = Text(
    "Máy chủ cần gói bổ sung 'server'. Cài bằng: pip install 'ag18-rules[server]'",
    "The server needs the 'server' extra. Install it with: pip install 'ag18-rules[server]'",
)


class ServerUnavailable(Ag18Error):
    """FastAPI or uvicorn is not installed."""

    def __init__(self, lang: str = "vi"):
        super().__init__(MISSING(lang))


def create_app(policy=None, settings=None):
    """The ASGI application for ``policy`` (default: the shipped policy); see :mod:`.app`."""
    try:
        from .app import create_app as build
    except ImportError as error:
        if error.name in ("fastapi", "starlette", "pydantic"):
            raise ServerUnavailable() from None
        raise
    return build(policy, settings)


def __getattr__(name: str):
    if name == "Settings":
        from .settings import Settings

        return Settings
    raise AttributeError(name)

"""What a server is configured with; ``ag18 serve`` fills it from its options."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .store import Limits

MB = 1024 * 1024


def default_store() -> str:
    """The session database beside the server's data: ``$XDG_STATE_HOME/ag18/sessions.sqlite3``."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(Path.home(), ".local", "state")
    return os.path.join(base, "ag18", "sessions.sqlite3")


@dataclass(frozen=True)
class Settings:
    body_limit: int = 20 * MB
    deadline: float = 30.0          # seconds one evaluation may take
    processes: int = 1              # evaluation processes per server process
    store: Optional[str] = None     # SQLite file of sessions (None: default_store())
    limits: Limits = field(default_factory=Limits)
    cors_origins: tuple[str, ...] = ()   # CORS stays off unless origins are given

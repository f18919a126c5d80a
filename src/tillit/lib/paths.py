"""Where the embedded installation keeps its database, data sets and keys."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def data_dir() -> Path:
    """TILLIT_DATA_DIR, or the user's data directory. Created on first use."""
    configured = os.environ.get("TILLIT_DATA_DIR")
    path = Path(configured) if configured else Path(platformdirs.user_data_dir("tillit", False))
    path = path.expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path

"""Small helpers the benchmark runners share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_figures(path: str | Path, figures: Any) -> Path:
    """Write a runner's figures as indented JSON (creating folders) and say where."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"  figures written to {out}")
    return out

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
WIRE = Path(__file__).resolve().parent / "fixtures" / "wire"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture
def wire_dir() -> Path:
    return WIRE


def shared_data(name: str) -> Path:
    """Path to a labelled data set in ../shared/data, or skip the test with a reason."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} not present (labelled data lives beside the checkout in CI)")
    return path

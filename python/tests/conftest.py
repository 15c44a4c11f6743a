"""Shared fixtures: the repository's exercises, and the `gradwork` command
when it is built (for checking that the package mirrors it)."""

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "exercises" / "seed"
GRADING = REPO / "tests" / "grading"


def has_numpy() -> bool:
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture
def seed() -> Path:
    return SEED


@pytest.fixture
def grading() -> Path:
    return GRADING


@pytest.fixture
def cli() -> Path:
    """The `gradwork` command: $GRADWORK_BIN, else target/release/gradwork
    of the checkout (tools/test builds it); the test is skipped without it."""
    found = os.environ.get("GRADWORK_BIN")
    candidates = [Path(found)] if found else []
    candidates.append(REPO / "target" / "release" / "gradwork")
    which = shutil.which("gradwork")
    if which:
        candidates.append(Path(which))
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    pytest.skip("the gradwork command is not built (cargo build --release, or set GRADWORK_BIN)")

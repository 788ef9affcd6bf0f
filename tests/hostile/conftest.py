from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

from tests.hostile.server import HostileServer


@pytest.fixture
async def hostile() -> AsyncIterator[HostileServer]:
    server = await HostileServer().start()
    yield server
    await server.stop()


@pytest.fixture(scope="session", autouse=True)
def built_labeler() -> None:
    """The classifier stage measured here starts as it does from the image, with its matchers
    already built (the Dockerfile builds them at image build time): building them from the data
    files takes about 1 GB once, which is not the stage's running footprint."""
    subprocess.run(
        [sys.executable, "-m", "services.classifier", "label"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=True,
        timeout=300,
    )

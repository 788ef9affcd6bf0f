from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.hostile.server import HostileServer


@pytest.fixture
async def hostile() -> AsyncIterator[HostileServer]:
    server = await HostileServer().start()
    yield server
    await server.stop()

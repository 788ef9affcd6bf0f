from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from aiohttp import web

from devtools.broker import EmbeddedBroker, free_port
from devtools.feedserver import FeedServer
from tests.loopback import Origin


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """One embedded broker for the session; each test makes its own topics on it."""
    with EmbeddedBroker(tmp_path_factory.mktemp("broker") / "broker.log") as running:
        yield running


@pytest.fixture
async def origin() -> AsyncIterator[Origin]:
    served = Origin()
    app = web.Application()
    app.router.add_get("/{tail:.*}", served._dispatch)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    served.base = f"http://127.0.0.1:{port}"
    yield served
    await runner.cleanup()


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    """The loopback feed server with the bundled demo feeds and pages."""
    server = await FeedServer().start()
    server.load_demo()
    yield server
    await server.stop()

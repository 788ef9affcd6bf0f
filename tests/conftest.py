from __future__ import annotations

import subprocess
import sys
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


@pytest.fixture(scope="session", autouse=True)
def built_labeler() -> None:
    """Stages start as they do from the image, with the classifier's matchers already built (the
    Dockerfile builds them at image build time): building them from the data files takes about
    40 s and 1 GB once, which is neither a stage's start-up nor its running footprint."""
    subprocess.run(
        [sys.executable, "-m", "services.classifier", "label"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=True,
        timeout=600,
    )

"""A loopback HTTP server for feeds and article pages, with the conditional-GET behaviour of a
real origin (ETag, Last-Modified, 304), a request log, and content that can change while it runs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from aiohttp import web

from devtools.broker import free_port

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
BASE_PLACEHOLDER = "__BASE__"


@dataclass
class Resource:
    body: bytes
    content_type: str
    modified: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass(frozen=True)
class Hit:
    path: str
    status: int
    conditional: bool
    agent: str = ""


class FeedServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.resources: dict[str, Resource] = {}
        self.hits: list[Hit] = []
        self._runner: web.AppRunner | None = None

    def put(self, path: str, body: str | bytes, content_type: str) -> None:
        data = body.replace(BASE_PLACEHOLDER, self.base).encode("utf-8") if isinstance(body, str) else body
        self.resources[path] = Resource(data, content_type)

    def load_demo(self, directory: Path = DEMO_DIR) -> None:
        """Serve demo/feeds/* and demo/pages/* with their __BASE__ token pointing here."""
        for feed in sorted((directory / "feeds").iterdir()):
            kind = "application/atom+xml" if feed.suffix == ".xml" and "atom" in feed.name else "application/rss+xml"
            self.put(f"/feeds/{feed.name}", feed.read_text(encoding="utf-8"), f"{kind}; charset=utf-8")
        for page in sorted((directory / "pages").glob("*.html")):
            self.put(f"/pages/{page.name}", page.read_text(encoding="utf-8"), "text/html; charset=utf-8")

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        resource = self.resources.get(request.path)
        conditional = "If-None-Match" in request.headers or "If-Modified-Since" in request.headers
        agent = request.headers.get("User-Agent", "")
        if resource is None:
            self.hits.append(Hit(request.path, 404, conditional, agent))
            return web.Response(status=404, text="not found")
        validators = {"ETag": resource.etag, "Last-Modified": format_datetime(resource.modified, usegmt=True)}
        if request.headers.get("If-None-Match") == resource.etag or (
            "If-None-Match" not in request.headers
            and request.headers.get("If-Modified-Since") == validators["Last-Modified"]
        ):
            self.hits.append(Hit(request.path, 304, conditional, agent))
            return web.Response(status=304, headers=validators)
        self.hits.append(Hit(request.path, 200, conditional, agent))
        return web.Response(body=resource.body, headers=validators | {"Content-Type": resource.content_type})

    async def start(self) -> FeedServer:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def feeds_yaml(self, paths: list[str]) -> str:
        lines = ["feeds:"]
        for path in paths:
            kind = "ministry" if "ministry" in path else "news"
            lines += [f"  - url: {self.base}{path}", f"    name: demo {path}", f"    kind: {kind}", "    language: en"]
        return "\n".join(lines) + "\n"

"""A loopback HTTP origin whose routes a test sets, for the fetch and parser tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Origin:
    """Started by the `origin` fixture (tests/conftest.py)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.base = ""
        self.paths: list[str] = []

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.paths.append(request.path)
        route = self.routes.get(request.path)
        if route is None:
            return web.Response(status=404)
        return await route(request)

"""A hostile HTTP origin on loopback: one route per misbehaviour a feed or article server can show.

It listens on 127.0.0.1 and on 127.0.0.2 (the same port): the guard tests let 127.0.0.2 stand in
for a public host (see public_stand_in.py), and 127.0.0.1 stays what the guard must refuse. Every
request is logged with the address it reached, so a test can prove a refused host was never hit.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import html
import random
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import brotli
from aiohttp import web

from devtools.broker import free_port

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

STAND_IN_HOST = "127.0.0.2"
#: decoded size of every bomb: far over both stages' caps (fetcher 15 MB, parser 5 MB)
BOMB_BYTES = 200 * 1024 * 1024
RETRY_AFTER_S = 7200
RSS = "application/rss+xml"
HTML = "text/html"

ARTICLE_PARAGRAPHS = [
    "Artillery shelling hit the outskirts of Kharkiv overnight, regional officials said on Tuesday,"
    " damaging two residential buildings and a power substation in the north of the city.",
    "Emergency crews worked through the morning to restore electricity to about 3,000 homes, and"
    " the regional governor said there were no reports of casualties among the residents.",
    "The strikes followed a week of heavy fighting along the front line east of the city, where"
    " both sides have reported drone attacks on supply routes and fuel depots.",
]
CYRILLIC_TITLE = "Обстрел Харькова: повреждены жилые дома"
CYRILLIC_PARAGRAPHS = [
    "Артиллерийский обстрел окраин Харькова ночью повредил два жилых дома и подстанцию, сообщили"
    " в среду региональные власти. Аварийные бригады восстановили электроснабжение к утру.",
    "По словам губернатора, пострадавших среди жителей нет. Удары последовали за неделей тяжёлых"
    " боёв на линии фронта к востоку от города, где стороны сообщают об атаках дронов.",
]


def article_html(title: str, paragraphs: list[str], charset: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="en"><head>{meta}<title>{html.escape(title)}</title></head><body>'
        f"<nav><a href='/'>Home</a></nav><article><h1>{html.escape(title)}</h1>{body}</article>"
        "<footer>Copyright. All rights reserved.</footer></body></html>"
    )


def rss(base: str, items: list[tuple[str, str]], encoding: str = "utf-8") -> str:
    """An RSS 2.0 document; items are (path, title)."""
    entries = "".join(
        f"<item><title>{html.escape(title)}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<description>{html.escape(title)}</description></item>"
        for path, title in items
    )
    channel = f"<channel><title>F</title>{entries}</channel>"
    return f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0">{channel}</rss>'


@functools.cache
def _bombs() -> dict[str, bytes]:
    zeros = b"\0" * BOMB_BYTES
    deflate = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS)  # zlib-wrapped, as HTTP "deflate" means
    return {
        "gzip": gzip.compress(zeros, compresslevel=9),
        "deflate": deflate.compress(zeros) + deflate.flush(),
        "br": brotli.compress(zeros, quality=5),
    }


@functools.cache
def _random_bytes(size: int) -> bytes:
    return random.Random(size).randbytes(size)


@dataclass(frozen=True)
class Hit:
    host: str
    path: str


class HostileServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.stand_in_base = f"http://{STAND_IN_HOST}:{self.port}"
        self.hits: list[Hit] = []
        self._routes: dict[str, Handler] = {}
        self._runner: web.AppRunner | None = None
        self._count: dict[str, int] = {}
        self._add_routes()

    def _prepare(self) -> None:
        _bombs()
        for route in self._routes.values():
            if isinstance(route, _Fixed):
                _ = route.body

    async def start(self) -> HostileServer:
        await asyncio.to_thread(self._prepare)
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        for host in ("127.0.0.1", STAND_IN_HOST):
            await web.TCPSite(self._runner, host, self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def hits_on(self, path: str, host: str | None = None) -> int:
        return sum(1 for h in self.hits if h.path == path and (host is None or h.host == host))

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        self.hits.append(Hit(sockname[0] if sockname else "", request.path))
        route = self._routes.get(request.path)
        if route is None:
            return web.Response(status=404)
        return await route(request)

    # -- the routes ---------------------------------------------------------------------------

    def _add_routes(self) -> None:
        r = self._routes
        for prefix, content_type, body in (("/feed", RSS, self._feed_bytes), ("/page", HTML, self._page_bytes)):
            r[f"{prefix}/ok"] = _fixed(body, content_type)
            r[f"{prefix}/slow-drip"] = functools.partial(_slow_drip, content_type=content_type)
            r[f"{prefix}/endless"] = functools.partial(_endless, content_type=content_type)
            for encoding in ("gzip", "deflate", "br"):
                r[f"{prefix}/{encoding}-bomb"] = functools.partial(_bomb, encoding=encoding, content_type=content_type)
            r[f"{prefix}/redirect-loop"] = functools.partial(_redirect, to=f"{prefix}/redirect-loop")
            for n in range(1, 21):
                target = f"{prefix}/redirect-chain/{n - 1}" if n > 1 else f"{prefix}/ok"
                r[f"{prefix}/redirect-chain/{n}"] = functools.partial(_redirect, to=target)
            r[f"{prefix}/redirect-to-refused"] = self._redirect_to_refused(prefix)
            r[f"{prefix}/binary"] = _fixed(lambda: _random_bytes(1024 * 1024), content_type)
            r[f"{prefix}/binary-as-html"] = _fixed(lambda: _random_bytes(1024 * 1024 + 1), HTML)
            r[f"{prefix}/429-long"] = functools.partial(_status, status=429, retry_after=str(RETRY_AFTER_S))
            when = format_datetime(datetime.now(UTC) + timedelta(seconds=RETRY_AFTER_S), usegmt=True)
            r[f"{prefix}/503-long"] = functools.partial(_status, status=503, retry_after=when)
        r["/page/429-then-ok"] = self._limited_once("/page/429-then-ok")
        r["/feed/wrong-charset"] = _fixed(
            lambda: rss(self.base, [("/page/wrong-charset-item", CYRILLIC_TITLE)], "utf-8").encode("cp1251"),
            f"{RSS}; charset=utf-8",
        )
        r["/feed/invalid-charset"] = _fixed(
            lambda: rss(self.base, [("/page/invalid-charset-item", CYRILLIC_TITLE)], "x-no-such-charset").encode(
                "koi8-r"
            ),
            f"{RSS}; charset=bogus-8",
        )
        r["/feed/invalid-bytes"] = _fixed(
            lambda: (
                rss(self.base, [("/page/invalid-bytes-item", "Shelling \x00MARK\x00 reported")])
                .encode()
                .replace(b"\x00", b"\xff")
            ),
            f"{RSS}; charset=utf-8",
        )
        r["/feed/malformed-truncated"] = _fixed(lambda: self._feed_bytes(5)[:-120], RSS)
        r["/feed/malformed-garbage"] = _fixed(lambda: b"<?xml version='1.0'?><rss version='2.0'><<<&&&>>></rss", RSS)
        r["/feed/html-page"] = _fixed(lambda: self._page_bytes(), HTML)
        r["/feed/deep-xml"] = _fixed(
            lambda: self._feed_bytes(1).replace(b"<channel>", b"<channel>" + b"<x>" * 100_000 + b"</x>" * 100_000),
            RSS,
        )
        r["/feed/deep-json"] = _fixed(
            lambda: b'{"version":"https://jsonfeed.org/version/1.1","items":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            "application/feed+json",
        )
        r["/feed/entity-bomb"] = _fixed(_entity_bomb, RSS)
        r["/feed/10k-items"] = _fixed(lambda: self._feed_bytes(10_000, "ten-k"), RSS)
        # Short entries (4.6 MB in all), so that the feed is under the body cap and its count is what tells.
        r["/feed/100k-items"] = _fixed(
            lambda: (
                rss(self.base, [])
                .replace(
                    "</channel>", "".join(f"<item><link>/k/{n}</link></item>" for n in range(100_000)) + "</channel>"
                )
                .encode()
            ),
            RSS,
        )
        r["/feed/1mb-titles"] = _fixed(lambda: self._feed_bytes(5, "huge", title_chars=1024 * 1024), RSS)
        r["/page/wrong-charset"] = _fixed(
            lambda: article_html(CYRILLIC_TITLE, CYRILLIC_PARAGRAPHS, None).encode("cp1251"), f"{HTML}; charset=utf-8"
        )
        r["/page/invalid-charset"] = _fixed(
            lambda: article_html(CYRILLIC_TITLE, CYRILLIC_PARAGRAPHS, "x-bogus").encode("koi8-r"),
            f"{HTML}; charset=no-such-charset",
        )
        r["/page/malformed-html"] = _fixed(
            lambda: (
                "<html><head><title>Broken</title><body><div><article><h1>Broken page</h1><p>"
                + "</div></span><p>".join(ARTICLE_PARAGRAPHS)
                + "<<<>>></td></tr><p><b><i>unclosed <a href='x"
            ).encode(),
            HTML,
        )
        r["/page/deep-html"] = _fixed(
            lambda: ("<html><body>" + "<div>" * 100_000 + self._page_bytes().decode() + "</div>" * 100_000).encode(),
            HTML,
        )

    def _feed_bytes(self, items: int = 3, prefix: str = "item", title_chars: int = 0) -> bytes:
        entries = []
        for n in range(items):
            title = ("W" * title_chars) if title_chars else f"Report {prefix} {n}"
            entries.append((f"/page/{prefix}/{n}", title))
        return rss(self.base, entries).encode()

    def _page_bytes(self) -> bytes:
        return article_html("Shelling damages homes in Kharkiv", ARTICLE_PARAGRAPHS).encode()

    def _redirect_to_refused(self, prefix: str) -> Handler:
        async def handler(_: web.Request) -> web.Response:
            raise web.HTTPFound(f"{self.base}{prefix}/ok")  # 127.0.0.1: refused while the guard is on

        return handler

    def _limited_once(self, path: str) -> Handler:
        """429 with a short Retry-After the first time, the article after."""

        async def handler(_: web.Request) -> web.Response:
            self._count[path] = self._count.get(path, 0) + 1
            if self._count[path] == 1:
                return web.Response(status=429, headers={"Retry-After": "1"})
            return web.Response(body=self._page_bytes(), content_type=HTML)

        return handler


class _Fixed:
    """A fixed body, built once (by `prepare`, before the stages start: the large ones take
    seconds, which the server's event loop must not spend while stages wait on it)."""

    def __init__(self, build: Callable[[], bytes], content_type: str) -> None:
        self._build = build
        self._content_type = content_type

    @functools.cached_property
    def body(self) -> bytes:
        return self._build()

    async def __call__(self, _: web.Request) -> web.Response:
        return web.Response(body=self.body, headers={"Content-Type": self._content_type})


def _fixed(build: Callable[[], bytes], content_type: str) -> _Fixed:
    return _Fixed(build, content_type)


async def _slow_drip(request: web.Request, content_type: str) -> web.StreamResponse:
    """Headers at once, then a byte every 200 ms for a minute: never a timeout between reads."""
    response = web.StreamResponse(headers={"Content-Type": content_type})
    await response.prepare(request)
    for _ in range(300):
        await response.write(b" ")
        await asyncio.sleep(0.2)
    return response


async def _endless(request: web.Request, content_type: str) -> web.StreamResponse:
    """A chunked body that never ends (no Content-Length to refuse up front)."""
    response = web.StreamResponse(headers={"Content-Type": content_type})
    await response.prepare(request)
    chunk = b"<p>" + b"endless " * 8192 + b"</p>"
    while True:
        await response.write(chunk)


async def _bomb(request: web.Request, encoding: str, content_type: str) -> web.Response:
    body = _bombs()[encoding]
    return web.Response(body=body, headers={"Content-Type": content_type, "Content-Encoding": encoding})


async def _redirect(_: web.Request, to: str) -> web.Response:
    raise web.HTTPFound(to)


async def _status(_: web.Request, status: int, retry_after: str) -> web.Response:
    return web.Response(status=status, headers={"Retry-After": retry_after})


def _entity_bomb() -> bytes:
    """Billion laughs: ten levels of ten references, 10^9 'lol's if expanded."""
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(levels)}]><rss version="2.0"><channel>'
        "<title>&lol9;</title><item><title>&lol9;</title><link>http://127.0.0.1/page/lol</link></item>"
        "</channel></rss>"
    ).encode()

"""A loopback origin for the fetcher benchmark, run as its own process so that its CPU is not
counted against the poller: /c/N answers 304 to a matching If-None-Match, /u/N always 200."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from aiohttp import web


def feed(n: int, items: int) -> bytes:
    now = datetime(2026, 3, 2, tzinfo=UTC)
    entries = "".join(
        f"<item><title>Strike reported near town {n}-{i}</title><link>https://news.example/{n}/{i}?utm_source=rss</link>"
        f"<guid>n{n}-i{i}</guid><pubDate>{format_datetime(now - timedelta(hours=i), usegmt=True)}</pubDate>"
        f"<description>Officials said shelling hit the area overnight; {i} people were wounded.</description></item>"
        for i in range(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>{entries}</channel></rss>'.encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    args = parser.parse_args()
    bodies = [feed(n, args.items) for n in range(args.feeds)]

    async def conditional(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        etag = f'"f{n}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=bodies[n], headers={"ETag": etag, "Content-Type": "application/rss+xml"})

    async def unconditional(request: web.Request) -> web.Response:
        return web.Response(body=bodies[int(request.match_info["n"])], headers={"Content-Type": "application/rss+xml"})

    app = web.Application()
    app.router.add_get("/c/{n}", conditional)
    app.router.add_get("/u/{n}", unconditional)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()

"""A loopback origin for the end-to-end load and soak runs, in its own process so its CPU is not
counted against the stages.

- GET /f/<k>.xml: an RSS feed. With --rate 0 (burst) it carries all --items of feed k at once.
  With --rate R it releases R items a second across all feeds from the first request on, and
  carries the newest 30 of feed k. Each answer has an ETag; an unchanged feed answers 304.
- GET /a/<k>/<i>.html: article i of feed k, one of the 80 fundus-eval news pages (real pages of
  about 360 KB, read in place from ../shared)."""

from __future__ import annotations

import argparse
import gzip
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from aiohttp import web

WINDOW = 30


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pages", type=Path, required=True)
    parser.add_argument("--feeds", type=int, required=True)
    parser.add_argument("--items", type=int, default=100, help="items per feed in a burst")
    parser.add_argument("--rate", type=float, default=0.0, help="items a second across all feeds; 0 = burst")
    args = parser.parse_args()
    pages = [gzip.decompress(p.read_bytes()) for p in sorted(args.pages.glob("*.html.gz"))]
    base = f"http://127.0.0.1:{args.port}"
    started: list[float] = []

    def released(feed: int) -> range:
        if args.rate <= 0:
            return range(args.items)
        if not started:
            started.append(time.monotonic())
        total = int((time.monotonic() - started[0]) * args.rate)
        count = total // args.feeds + (1 if feed < total % args.feeds else 0)
        return range(max(0, count - WINDOW), count)

    async def feed(request: web.Request) -> web.Response:
        k = int(request.match_info["k"])
        items = released(k)
        # Validators, as real feeds send them: an unchanged feed costs the fetcher a 304.
        etag = f'"{k}-{items.start}-{items.stop}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        now = format_datetime(datetime.now(UTC), usegmt=True)
        entries = "".join(
            f"<item><title>Shelling reported near town {k}-{i}</title><link>{base}/a/{k}/{i}.html</link>"
            f"<guid>f{k}-i{i}</guid><pubDate>{now}</pubDate>"
            f"<description>Officials said artillery hit the area overnight.</description></item>"
            for i in reversed(items)
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Load {k}</title>{entries}</channel></rss>'
        return web.Response(body=body.encode(), headers={"Content-Type": "application/rss+xml", "ETag": etag})

    async def article(request: web.Request) -> web.Response:
        k, i = int(request.match_info["k"]), int(request.match_info["i"])
        body = pages[(k * 7 + i) % len(pages)]
        return web.Response(body=body, headers={"Content-Type": "text/html; charset=utf-8"})

    app = web.Application()
    app.router.add_get("/f/{k}.xml", feed)
    app.router.add_get("/a/{k}/{i}.html", article)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()

"""A loopback origin serving the fundus-eval pages (read in place from ../shared), in its own
process so that its CPU is not counted against what is measured: GET /p/<id>.html?r=<n>."""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

from aiohttp import web


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pages", type=Path, required=True)
    args = parser.parse_args()
    pages = {p.name.removesuffix(".html.gz"): gzip.decompress(p.read_bytes()) for p in args.pages.glob("*.html.gz")}

    async def page(request: web.Request) -> web.Response:
        body = pages.get(request.match_info["id"])
        if body is None:
            return web.Response(status=404)
        return web.Response(body=body, headers={"Content-Type": "text/html; charset=utf-8"})

    app = web.Application()
    app.router.add_get("/p/{id}.html", page)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()

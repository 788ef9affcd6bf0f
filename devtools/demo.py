"""`make demo`: the whole pipeline over the bundled demo feeds and pages, served from loopback,
for machines without internet. Prints the enriched lines and exits by itself."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from devtools.feedserver import FeedServer
from devtools.pipeline import ROOT, run_pipeline

app = typer.Typer(add_completion=False)


async def demo(timeout_s: float, logs: Path) -> int:
    server = await FeedServer().start()
    server.load_demo()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            feeds = Path(tmp) / "feeds.yaml"
            feeds.write_text(server.feeds_yaml(sorted(p for p in server.resources if p.startswith("/feeds/"))))
            pages = sum(1 for p in server.resources if p.startswith("/pages/"))
            # The demo's origin is loopback, which the SSRF guard refuses unless told otherwise.
            return await run_pipeline(feeds, logs, pages, timeout_s, {"allow_private_networks": "true"})
    finally:
        await server.stop()


@app.command()
def main(
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 60.0,
    logs: Annotated[Path, typer.Option(help="Where the stages' logs go.")] = ROOT / ".run" / "demo-logs",
) -> None:
    arrived = asyncio.run(demo(timeout, logs))
    if arrived == 0:
        typer.echo("demo: no enriched article arrived; see the stage logs", err=True)
        raise typer.Exit(1)


if __name__ == "__main__":
    app()

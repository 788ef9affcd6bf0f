"""`python -m services.fetcher [--once]`"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from aiohttp import web
from prometheus_client import REGISTRY

from services.fetcher.feeds import FeedListWatcher
from services.fetcher.metrics import FeedMetrics
from services.fetcher.ownership import FeedOwnership, keep_membership
from services.fetcher.poller import STAGE, Poller
from services.fetcher.settings import FetcherSettings
from services.fetcher.state import StateStore
from services.kit.errors import ConfigError
from services.kit.httpfetch import make_http_client
from services.kit.kafka import make_consumer
from services.kit.service import stage_context, start_client
from services.kit.settings import load_settings

app = typer.Typer(add_completion=False, help="Poll the feed list and publish each new item once to the items topic.")


class _FeedsRoute:
    """GET /feeds: each feed's status, once the poller exists."""

    def __init__(self) -> None:
        self.poller: Poller | None = None

    async def __call__(self, _: web.Request) -> web.Response:
        if self.poller is None:
            return web.json_response({"error": "fetcher is starting"}, status=503)
        return web.json_response(self.poller.feeds_status())


async def serve(settings: FetcherSettings, once: bool) -> None:
    watcher = FeedListWatcher(settings.feeds_file)
    feeds = watcher.load()
    route = _FeedsRoute()
    async with stage_context(STAGE, settings, [web.get("/feeds", route)]) as ctx:
        if ctx is None:
            return
        client = await ctx.stack.enter_async_context(
            make_http_client(Poller.http_limits(settings), allow_private_networks=settings.allow_private_networks)
        )
        store = StateStore(settings, ctx.producer)
        ctx.health.add_readiness("state", lambda: None if store.loaded else "loading fetcher state")
        await store.start()
        ctx.stack.push_async_callback(store.stop)
        if once:
            await store.take_over(set(range(store.partitions)))
            poller = Poller(settings, store, client, ctx.producer, ctx.health)
            poller.set_feeds(feeds)
            route.poller = poller
            await poller.poll_all()
            return

        ownership = FeedOwnership(store, settle=lambda which: poller.settle(which))
        poller = Poller(settings, store, client, ctx.producer, ctx.health, owns=ownership.owns)
        poller.set_feeds(feeds)
        route.poller = poller
        REGISTRY.register(FeedMetrics(poller))
        consumer = make_consumer(settings, group_id=settings.group_id)
        ownership.consumer = consumer
        consumer.subscribe([settings.topic_fetcher_state], listener=ownership)
        if not await start_client(consumer, "group member", ctx.stop):
            return
        # Leaving the group on exit hands this replica's feeds to the others at once.
        ctx.stack.push_async_callback(consumer.stop)
        membership = asyncio.create_task(keep_membership(consumer, ctx.stop))
        await poller.run(ctx.stop, reload=watcher.changed)
        await membership


@app.command()
def main(
    once: Annotated[bool, typer.Option("--once", help="Poll every feed once now, publish what is new, exit.")] = False,
) -> None:
    settings = load_settings(FetcherSettings)
    try:
        asyncio.run(serve(settings, once))
    except ConfigError as exc:
        typer.echo(f"fetcher: {exc}", err=True)
        raise typer.Exit(2) from exc


if __name__ == "__main__":
    app()

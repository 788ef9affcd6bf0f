"""`python -m services.parser` runs the stage; `python -m services.parser extract` is the batch mode."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Annotated, Any

import typer

from services.parser.extract import extract_page

app = typer.Typer(add_completion=False, help="Fetch each item's page and extract the article.")


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    max_messages: Annotated[int | None, typer.Option(help="Stop after this many inputs (tests, debugging).")] = None,
) -> None:
    """Run the stage: news.items -> news.articles."""
    if ctx.invoked_subcommand is not None:
        return
    # Imported here, not at the top: the batch mode needs none of the stage's Kafka and HTTP
    # machinery, and importing it would double that mode's start-up.
    from services.kit.httpfetch import make_http_client
    from services.kit.models import NewsItem
    from services.kit.service import StageContext, run_consuming_stage
    from services.kit.settings import load_settings
    from services.parser.extract import ExtractorPool
    from services.parser.handler import STAGE, ParserHandler
    from services.parser.settings import ParserSettings

    settings = load_settings(ParserSettings)

    async def build(stage: StageContext) -> ParserHandler:
        client = await stage.stack.enter_async_context(
            make_http_client(
                ParserHandler.http_limits(settings), allow_private_networks=settings.allow_private_networks
            )
        )
        pool = ExtractorPool(settings.workers, settings.worker_max_tasks, settings.extract_timeout_s)
        stage.stack.callback(pool.close)
        return ParserHandler(settings, client, pool)

    asyncio.run(
        run_consuming_stage(
            stage=STAGE,
            settings=settings,
            input_topic=settings.topic_items,
            input_model=NewsItem,
            build_handler=build,
            max_messages=max_messages,
        )
    )


@app.command()
def extract() -> None:
    """Read JSON lines {"url", "html"} on stdin; write one article JSON line each on stdout."""
    failures = 0
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            record: Any = json.loads(line)
            url, html = record["url"], record["html"]
            if not isinstance(url, str) or not isinstance(html, str):
                raise TypeError("url and html must be strings")
        except (ValueError, KeyError, TypeError) as exc:
            failures += 1
            typer.echo(f"line {number}: invalid input: {type(exc).__name__}: {exc}", err=True)
            continue
        page = extract_page(html, url)
        if page is None:
            out = json.dumps({"url": url, "text": None, "error": "no article text found"}, ensure_ascii=False)
        else:
            out = page.model_dump_json()
        sys.stdout.write(out + "\n")
    if failures:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()

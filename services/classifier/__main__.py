"""`python -m services.classifier` runs the stage; `python -m services.classifier label` is the batch mode."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path
from typing import Annotated

import typer

from services.classifier.batch import label_lines
from services.classifier.handler import STAGE, ClassifierHandler
from services.classifier.labeler import DEFAULT_CACHE_DIR, Labeler
from services.classifier.settings import ClassifierSettings
from services.kit.models import Article
from services.kit.service import StageContext, run_consuming_stage
from services.kit.settings import load_settings

app = typer.Typer(add_completion=False, help="Label each article with theaters, actors and event types.")


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    max_messages: Annotated[int | None, typer.Option(help="Stop after this many inputs (tests, debugging).")] = None,
) -> None:
    """Run the stage: news.articles -> news.enriched."""
    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings(ClassifierSettings)

    async def build(_: StageContext) -> ClassifierHandler:
        return ClassifierHandler(settings, Labeler.load(cache_dir=settings.cache_dir))

    asyncio.run(
        run_consuming_stage(
            stage=STAGE,
            settings=settings,
            input_topic=settings.topic_articles,
            input_model=Article,
            build_handler=build,
            max_messages=max_messages,
        )
    )


@app.command()
def label(
    cache_dir: Annotated[Path, typer.Option(help="Where built matchers are cached.")] = DEFAULT_CACHE_DIR,
) -> None:
    """Read JSON lines {"id", "text", "title"} on stdin; write one line of labels each:
    {"id", "language", "theaters", "actors", "events"}. Exits 1 when any line was bad."""
    errors = _CountingStderr()
    for line in label_lines(sys.stdin, Labeler.load(cache_dir=cache_dir), errors):
        sys.stdout.write(line + "\n")
    if errors.lines:
        raise typer.Exit(1)


class _CountingStderr(io.StringIO):
    """Passes error lines on to stderr as they come, counting them."""

    lines = 0

    def write(self, text: str) -> int:
        self.lines += text.count("\n")
        return sys.stderr.write(text)


if __name__ == "__main__":
    app()

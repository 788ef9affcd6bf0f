"""A consuming stage (the kit's runner with an echo handler) whose consumer can be made to stop
fetching on cue, for the stuck-consumer test: `python -m tests.faults.stuck_stage MODE TRIGGER_FILE`.

Once TRIGGER_FILE exists, the consumer fails the way aiokafka's can (its issue #1154):
- `hang`: `getmany` never returns;
- `silent`: `getmany` keeps returning nothing while partitions stay assigned (fetching stops,
  the loop keeps turning), so only a check of fetch progress notices.
This is fault injection in a test harness; the product code under test is unchanged."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer

from services.kit.kafka import Output
from services.kit.models import NewsItem
from services.kit.service import StageContext, run_consuming_stage
from services.kit.settings import ConsumingStageSettings, load_settings


def inject(mode: str, trigger: Path) -> None:
    original = AIOKafkaConsumer.getmany

    async def getmany(self: AIOKafkaConsumer, *partitions: Any, **options: Any) -> Any:
        if os.path.exists(trigger):  # noqa: ASYNC240  # a stat per poll; the stage is a test harness
            if mode == "hang":
                await asyncio.Event().wait()
            elif mode == "silent":
                self.pause(*self.assignment())
        return await original(self, *partitions, **options)

    AIOKafkaConsumer.getmany = getmany


def main() -> None:
    mode, trigger = sys.argv[1], Path(sys.argv[2])
    assert mode in ("hang", "silent", "none")
    inject(mode, trigger)
    settings = load_settings(ConsumingStageSettings)

    async def build(_: StageContext) -> Any:
        async def echo(item: NewsItem) -> Sequence[Output]:
            return [Output(settings.topic_articles, item.article_id, item)]

        return echo

    asyncio.run(
        run_consuming_stage(
            stage="stuck-test",
            settings=settings,
            input_topic=settings.topic_items,
            input_model=NewsItem,
            build_handler=build,
        )
    )


if __name__ == "__main__":
    main()

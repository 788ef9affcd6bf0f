"""Creates sitrep's topics on a development broker. In a cluster, Strimzi KafkaTopic resources
(deploy/) own them instead."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from services.kit.settings import StageSettings


def topic_specs(settings: StageSettings, partitions: int = 4) -> list[NewTopic]:
    return [
        NewTopic(settings.topic_items, partitions, 1),
        NewTopic(settings.topic_articles, partitions, 1),
        NewTopic(settings.topic_enriched, partitions, 1),
        NewTopic(settings.topic_dlq, 1, 1),
        NewTopic(settings.topic_fetcher_state, partitions, 1, topic_configs={"cleanup.policy": "compact"}),
    ]


async def create_topics(settings: StageSettings, partitions: int = 4) -> None:
    admin = AIOKafkaAdminClient(**settings.kafka_client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in topic_specs(settings, partitions) if t.name not in existing]
        if wanted:
            response = await admin.create_topics(wanted)
            for name, code, message in response.topic_errors:
                # A topic created meanwhile by another launcher is what we wanted.
                if code not in (0, TopicAlreadyExistsError.errno):
                    raise RuntimeError(f"cannot create topic {name}: error {code}: {message}")
    finally:
        await admin.close()

"""The classifier process fed poison, an article of 3.5 MB and a title of 1 MB on its input topic:
poison is dead-lettered, the huge ones are labelled (their first 100,000 characters) in bounded
time, the stage stays live and under the memory limit of its Deployment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from devtools.broker import EmbeddedBroker
from services.classifier.settings import ClassifierSettings
from services.kit.models import Article, DeadLetter, EnrichedArticle
from tests.hostile.poison import poison_records
from tests.hostile.server import ARTICLE_PARAGRAPHS
from tests.hostile.stages import (
    assert_clean_log,
    dev_memory_limit_bytes,
    memory_limit_bytes,
    metric,
    produce_raw,
    report,
    run_until_processed,
)
from tests.support import Topics, read_to_end

pytestmark = pytest.mark.integration

MAX_MESSAGE_BYTES = ClassifierSettings.model_fields["max_message_bytes"].default  # 4 MiB, left as deployed
TEXT = "\n\n".join(ARTICLE_PARAGRAPHS)


def article(key: str, text: str = TEXT, title: str = "Shelling damages homes in Kharkiv") -> Article:
    now = datetime.now(UTC)
    return Article(
        article_id=key,
        url=f"https://news.example/{key}",
        feed_url="https://news.example/rss",
        title=title,
        text=text,
        text_source="page",
        fetched_at=now,
        extracted_at=now,
    )


@pytest.mark.timeout(180)
async def test_poison_and_huge_articles(broker: EmbeddedBroker, tmp_path: Path) -> None:
    topics = await Topics(broker.bootstrap).create(partitions=1)
    settings = topics.settings
    huge_text = article("huge-text", text=(TEXT + "\n\n") * (3_500_000 // len(TEXT)))
    huge_title = article("huge-title", title="Shelling in Kharkiv. " * 50_000)
    last = article("last")
    poison = poison_records(last.model_dump_json().encode(), MAX_MESSAGE_BYTES)
    records: list[tuple[bytes | None, bytes | None]] = [
        (a.article_id.encode(), a.model_dump_json().encode()) for a in (huge_text, huge_title)
    ]
    records += [(p.key, p.value) for p in poison]
    records.append((b"last", last.model_dump_json().encode()))
    await produce_raw(broker.bootstrap, settings.topic_articles, records)
    run = await run_until_processed("classifier", topics.env(), tmp_path, len(records))
    classifier, text = run.stage, run.metrics

    enriched = {
        a.article_id: a
        for a in (
            EnrichedArticle.model_validate_json(r.value)
            for r in await read_to_end(broker.bootstrap, settings.topic_enriched)
        )
    }
    assert set(enriched) == {"huge-text", "huge-title", "last"}
    assert enriched["huge-text"].text == huge_text.text  # passed on whole, labelled on its start
    assert enriched["huge-title"].title == huge_title.title
    for labelled in enriched.values():
        assert {t.country_code for t in labelled.theaters} == {"UA"}
    assert metric(text, "sitrep_messages_dead_lettered_total", stage="classifier", reason="invalid_message") == len(
        poison
    )
    assert metric(text, "sitrep_messages_failed_total", stage="classifier", reason="invalid_message") == len(poison)

    letters = {
        letter.key: letter
        for letter in (
            DeadLetter.model_validate_json(r.value) for r in await read_to_end(broker.bootstrap, settings.topic_dlq)
        )
    }
    assert set(letters) == {p.key.decode() for p in poison}
    offsets = {key: offset for offset, (key, _) in enumerate(records)}
    for p in poison:
        letter = letters[p.key.decode()]
        assert (letter.stage, letter.error_type, letter.topic, letter.offset) == (
            "classifier",
            "InvalidMessage",
            settings.topic_articles,
            offsets[p.key],
        )
        assert p.error in letter.error, (p.case, letter.error)

    assert_clean_log(classifier)
    limit = memory_limit_bytes("classifier")
    report("classifier", run.peak_bytes, limit, dev_memory_limit_bytes("classifier"), run.seconds)
    assert run.peak_bytes < limit

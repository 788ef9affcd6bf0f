from __future__ import annotations

import json

from services.kit.schemas import SCHEMA_DIR, TOPIC_MODELS, render


def test_schema_files_match_the_models() -> None:
    for topic, model in TOPIC_MODELS.items():
        path = SCHEMA_DIR / f"{topic}.json"
        assert path.read_text(encoding="utf-8") == render(topic, model), f"{path} is stale: run `make schemas`"


def test_enriched_schema_carries_the_contract_fields() -> None:
    schema = json.loads((SCHEMA_DIR / "news.enriched.json").read_text(encoding="utf-8"))
    fields = set(schema["properties"])
    assert {
        "schema_version",
        "article_id",
        "url",
        "feed_url",
        "title",
        "text",
        "published_at",
        "language",
        "theaters",
        "actors",
        "events",
        "classifier_version",
    } <= fields
    theater = schema["$defs"]["Theater"]["properties"]
    assert set(theater) == {"country_code", "country", "admin1", "place", "confidence", "evidence"}
    assert set(schema["$defs"]["Actor"]["properties"]) == {
        "name",
        "actor_type",
        "country_code",
        "confidence",
        "evidence",
    }
    assert set(schema["$defs"]["Event"]["properties"]) == {"event_type", "sub_event_type", "confidence", "evidence"}

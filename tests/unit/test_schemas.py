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
    # Version 2 added where-exactly fields to theaters and a role to actors (docs/schema-changes.md).
    assert schema["properties"]["schema_version"]["const"] == 2
    assert set(theater) == {
        "country_code",
        "country",
        "admin1",
        "admin2",
        "place",
        "latitude",
        "longitude",
        "geonames_id",
        "precision",
        "confidence",
        "evidence",
    }
    assert theater["precision"]["enum"] == ["country", "admin1", "admin2", "place"]
    assert set(schema["$defs"]["Actor"]["properties"]) == {
        "name",
        "actor_type",
        "country_code",
        "role",
        "confidence",
        "evidence",
    }
    assert set(schema["$defs"]["Event"]["properties"]) == {"event_type", "sub_event_type", "confidence", "evidence"}

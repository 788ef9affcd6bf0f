"""JSON Schemas of each topic's messages, generated from the models into schemas/<topic>.json.
`python -m services.kit.schemas` rewrites them; a test fails while they are stale."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from services.kit.models import Article, DeadLetter, EnrichedArticle, NewsItem

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
TOPIC_MODELS: dict[str, type[BaseModel]] = {
    "news.items": NewsItem,
    "news.articles": Article,
    "news.enriched": EnrichedArticle,
    "news.dlq": DeadLetter,
}


def render(topic: str, model: type[BaseModel]) -> str:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"sitrep:{topic}"}
    schema |= model.model_json_schema(mode="serialization")
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> None:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for topic, model in TOPIC_MODELS.items():
        (SCHEMA_DIR / f"{topic}.json").write_text(render(topic, model), encoding="utf-8")


if __name__ == "__main__":
    main()

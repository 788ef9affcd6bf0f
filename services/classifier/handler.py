"""news.articles -> news.enriched: the article with its theaters, actors and events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from services.classifier.labeler import Labeler
from services.classifier.settings import ClassifierSettings
from services.kit.kafka import Output
from services.kit.models import Article, EnrichedArticle

STAGE = "classifier"


class ClassifierHandler:
    def __init__(self, settings: ClassifierSettings, labeler: Labeler) -> None:
        self.settings = settings
        self.labeler = labeler

    async def __call__(self, article: Article) -> Sequence[Output]:
        labels = self.labeler.label(article.text, title=article.title, language=article.language)
        enriched = EnrichedArticle(
            **article.model_dump(exclude={"language"}),
            language=article.language or labels.language,
            theaters=labels.theaters,
            actors=labels.actors,
            events=labels.events,
            classifier_version=self.labeler.version,
            classified_at=datetime.now(UTC),
        )
        return [Output(self.settings.topic_enriched, article.article_id, enriched)]

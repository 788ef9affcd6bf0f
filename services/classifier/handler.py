"""news.articles -> news.enriched: the article with its theaters, actors and events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from services.classifier.labeler import Labeler
from services.classifier.settings import ClassifierSettings
from services.kit.kafka import Output
from services.kit.models import Article, EnrichedArticle

STAGE = "classifier"

# The labeler reads at most this much: its time grows faster than the text (0.1 s for 100,000
# characters, 3.7 s for 800,000, over 200 s for 4 MB), and it runs on the event loop, so one huge
# article would stall the stage past its liveness probe. The parser never writes longer texts
# (SITREP_MAX_TEXT_CHARS) nor the fetcher longer titles; the article itself passes on whole.
MAX_LABELLED_TEXT_CHARS = 100_000
MAX_LABELLED_TITLE_CHARS = 1_000


class ClassifierHandler:
    def __init__(self, settings: ClassifierSettings, labeler: Labeler) -> None:
        self.settings = settings
        self.labeler = labeler

    async def __call__(self, article: Article) -> Sequence[Output]:
        title = article.title[:MAX_LABELLED_TITLE_CHARS] if article.title else article.title
        labels = self.labeler.label(article.text[:MAX_LABELLED_TEXT_CHARS], title=title, language=article.language)
        enriched = EnrichedArticle(
            **article.model_dump(exclude={"language", "schema_version"}),
            language=article.language or labels.language,
            theaters=labels.theaters,
            actors=labels.actors,
            events=labels.events,
            classifier_version=self.labeler.version,
            classified_at=datetime.now(UTC),
        )
        return [Output(self.settings.topic_enriched, article.article_id, enriched)]

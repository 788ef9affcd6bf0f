from __future__ import annotations

from pathlib import Path

from pydantic import Field

from services.classifier.labeler import DEFAULT_CACHE_DIR
from services.kit.settings import ConsumingStageSettings


class ClassifierSettings(ConsumingStageSettings):
    group_id: str = "sitrep-classifier"
    # Labelling is CPU work done inline (about a millisecond an article): more in flight gains nothing.
    concurrency: int = Field(default=1, ge=1)
    batch_size: int = Field(default=64, ge=1)
    # Built matchers are cached here, keyed by classifier_version; a read-only image bakes them in.
    cache_dir: Path = DEFAULT_CACHE_DIR

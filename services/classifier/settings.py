from __future__ import annotations

from pydantic import Field

from services.kit.settings import ConsumingStageSettings


class ClassifierSettings(ConsumingStageSettings):
    group_id: str = "sitrep-classifier"
    # Labelling is CPU work done inline (about a millisecond an article): more in flight gains nothing.
    concurrency: int = Field(default=1, ge=1)
    batch_size: int = Field(default=64, ge=1)

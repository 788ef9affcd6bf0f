from __future__ import annotations

from pathlib import Path

import pytest

from services.classifier.labeler import Labeler


@pytest.fixture(scope="session")
def labeler(tmp_path_factory: pytest.TempPathFactory) -> Labeler:
    # A private cache keeps tests from reading or writing the user's cache.
    return Labeler.load(cache_dir=tmp_path_factory.mktemp("classifier-cache"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return Path(__file__).parents[3] / "services" / "classifier" / "data"

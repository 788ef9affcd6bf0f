"""sitrep's own gold cases (tests/data/classifier_cases.yaml) as a regression gate.

Not every case is right yet (`make eval` lists the faults). Each figure below is what the
classifier scored when the gate was last raised; a change that lowers any of them fails here.
Raise the floors when the classifier improves."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.classifier.gold import GoldCase, load_cases, score
from services.classifier.labeler import Labeler
from services.classifier.taxonomy import Taxonomy

CASES = Path(__file__).parents[2] / "data" / "classifier_cases.yaml"
FLOORS = {"main theater": 65, "top event type": 61, "gold actors": 119, "without fault": 39}


@pytest.fixture(scope="module")
def cases() -> list[GoldCase]:
    return load_cases(CASES)


def test_cases_are_many_and_varied(cases: list[GoldCase]) -> None:
    assert len(cases) >= 60
    assert len({c.id for c in cases}) == len(cases)
    languages = {c.language for c in cases}
    assert {"en", "ru", "uk", "ar", "fr"} <= languages
    countries = {c.theater[0].country_code for c in cases}
    assert {"SY", "IQ", "YE", "UA", "SD", "SO", "LB", "IL", "PS", "ML", "BF", "NE"} <= countries


def test_gold_labels_use_taxonomy_names(cases: list[GoldCase], data_dir: Path) -> None:
    taxonomy = Taxonomy.load(data_dir)
    for case in cases:
        for event in case.events:
            taxonomy.check_event(event.event_type, event.sub_event_type)
        for event_type in case.not_events:
            assert event_type in taxonomy.event_types, (case.id, event_type)


def test_no_regression_on_own_cases(cases: list[GoldCase], labeler: Labeler) -> None:
    result = score(labeler, cases)
    scores = {
        "main theater": result.main_theater,
        "top event type": result.top_event_type,
        "gold actors": result.actors_found,
        "without fault": result.without_fault,
    }
    assert scores == {name: max(scores[name], floor) for name, floor in FLOORS.items()}, scores

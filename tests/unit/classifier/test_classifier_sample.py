from __future__ import annotations

from pathlib import Path

from services.classifier.labeler import Labeler

SAMPLE = Path(__file__).parents[3].parent / "shared" / "samples" / "seed-article-russia-takes-on-isis.txt"


def test_seed_article_russia_takes_on_isis(labeler: Labeler) -> None:
    labels = labeler.label(SAMPLE.read_text(encoding="utf-8"))

    assert labels.language == "en"
    top = labels.theaters[0]
    assert (top.country_code, top.country, top.place) == ("SY", "Syria", "Deir ez-Zor")

    names = {a.name for a in labels.actors}
    assert {"Military Forces of Russia", "Islamic State"} <= names
    assert names & {"Government of Syria", "Military Forces of Syria"}

    event = labels.events[0]
    assert (event.event_type, event.sub_event_type) == ("Explosions/Remote violence", "Air/drone strike")
    assert "air strikes" in event.evidence


def test_lists_are_sorted_and_confidences_bounded(labeler: Labeler) -> None:
    labels = labeler.label(SAMPLE.read_text(encoding="utf-8"))
    for items in (labels.theaters, labels.actors, labels.events):
        confidences = [item.confidence for item in items]
        assert confidences == sorted(confidences, reverse=True)
        assert all(0.0 <= c <= 1.0 for c in confidences)
        assert all(item.evidence for item in items)


def test_version_is_derived_from_code_and_data(labeler: Labeler) -> None:
    major, _, digest = labeler.version.partition("+")
    assert major == "1.0"
    assert len(digest) == 8
    assert int(digest, 16) >= 0

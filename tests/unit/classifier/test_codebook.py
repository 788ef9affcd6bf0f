"""The codebook (codebook.yaml): one entry per sub-event type of taxonomy.yaml, each with a definition,
criteria drawn from the declared values, and borders that name real sub-event types."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from services.classifier.datafiles import load_yaml
from services.classifier.taxonomy import Taxonomy

_ENTRY_FIELDS = {"name", "event_type", "source", "definition", "criteria", "not"}
_CRITERIA = {
    "actors",
    "armed_sides",
    "both_engage",
    "weapons",
    "target",
    "crowd",
    "intervention",
    "territory",
    "violent",
}
# Criteria that list several values; the others hold one.
_LISTS = {"actors", "weapons"}
# Borders the codebook must draw, each in at least one direction.
_BORDERS = [
    ("Armed clash", "Shelling/artillery/missile attack"),
    ("Armed clash", "Attack"),
    ("Peaceful protest", "Violent demonstration"),
    ("Protest with intervention", "Excessive force against protesters"),
    ("Violent demonstration", "Mob violence"),
    ("Abduction/forced disappearance", "Arrests"),
    ("Agreement", "Diplomacy"),
    ("Diplomacy", "Attribution"),
    ("Other", "Diplomacy"),
]


@pytest.fixture(scope="session")
def built_labeler() -> None:
    """Overrides the suite's autouse build of the classifier's matchers: these tests read two YAML
    files and need no labeler, so they run in well under a second on their own."""


@pytest.fixture(scope="module")
def codebook(data_dir: Path) -> dict[str, Any]:
    raw: dict[str, Any] = load_yaml(data_dir / "codebook.yaml")
    return raw


@pytest.fixture(scope="module")
def taxonomy(data_dir: Path) -> Taxonomy:
    return Taxonomy.load(data_dir)


def _entries(codebook: dict[str, Any]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = codebook["sub_event_types"]
    return entries


def test_every_sub_event_type_has_exactly_one_entry(codebook: dict[str, Any], taxonomy: Taxonomy) -> None:
    counts = Counter(entry["name"] for entry in _entries(codebook))
    declared = [sub for subs in taxonomy.event_types.values() for sub in subs]
    assert {name: n for name, n in counts.items() if n != 1} == {}
    assert set(counts) == set(declared)
    # Same order as taxonomy.yaml, so the file and docs/taxonomy.md read alongside it.
    assert [entry["name"] for entry in _entries(codebook)] == declared


def test_entries_have_required_fields(codebook: dict[str, Any], taxonomy: Taxonomy) -> None:
    for entry in _entries(codebook):
        name = entry["name"]
        assert set(entry) == _ENTRY_FIELDS, name
        assert entry["event_type"] == taxonomy.event_type_of(name), name
        assert entry["source"] in {"acled", "sitrep"}, name
        assert isinstance(entry["definition"], str) and entry["definition"].strip(), name
        assert set(entry["criteria"]) == _CRITERIA, name
        assert entry["not"], name


def test_sitrep_types_are_marked_and_acled_types_are_not(codebook: dict[str, Any], taxonomy: Taxonomy) -> None:
    sitrep_types = {name for name, subs in taxonomy.event_types.items() if subs == (name,)}
    for entry in _entries(codebook):
        expected = "sitrep" if entry["event_type"] in sitrep_types else "acled"
        assert entry["source"] == expected, entry["name"]


def test_criteria_use_declared_values(codebook: dict[str, Any]) -> None:
    allowed: dict[str, list[Any]] = codebook["criteria_values"]
    assert set(allowed) == _CRITERIA
    for entry in _entries(codebook):
        for field, value in entry["criteria"].items():
            values = value if field in _LISTS else [value]
            assert isinstance(values, list) and values, (entry["name"], field)
            # `is` keeps YAML's true apart from 1 and false from 0.
            for item in values:
                assert any(item == ok and type(item) is type(ok) for ok in allowed[field]), (entry["name"], field, item)


def test_borders_name_existing_types_once_each(codebook: dict[str, Any], taxonomy: Taxonomy) -> None:
    declared = {sub for subs in taxonomy.event_types.values() for sub in subs}
    for entry in _entries(codebook):
        neighbours = [border["type"] for border in entry["not"]]
        assert set(neighbours) <= declared, entry["name"]
        assert entry["name"] not in neighbours, entry["name"]
        assert len(neighbours) == len(set(neighbours)), entry["name"]
        for border in entry["not"]:
            assert set(border) == {"type", "rule"}, entry["name"]
            assert isinstance(border["rule"], str) and border["rule"].strip(), (entry["name"], border["type"])


def test_required_borders_are_drawn(codebook: dict[str, Any]) -> None:
    drawn = {(entry["name"], border["type"]) for entry in _entries(codebook) for border in entry["not"]}
    missing = [pair for pair in _BORDERS if pair not in drawn and pair[::-1] not in drawn]
    assert missing == []


def test_sources_are_cited(codebook: dict[str, Any]) -> None:
    assert any("acleddata.com/knowledge-base/codebook" in url for url in codebook["sources"])

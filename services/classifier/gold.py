"""sitrep's own gold-labelled cases (tests/data/classifier_cases.yaml) and how a labelling is
checked against one: shared by the regression tests and `make eval`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from services.kit.models import Labels

from .datafiles import load_yaml
from .labeler import Labeler


class GoldPlace(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country_code: str = Field(pattern=r"^[A-Z]{2}$")
    admin1: str | None = None
    place: str | None = None


class GoldEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_type: str
    sub_event_type: str


class GoldCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    language: str
    tags: list[str] = Field(default_factory=list)
    title: str
    text: str
    theater: list[GoldPlace] = Field(min_length=1)
    not_theaters: list[str] = Field(default_factory=list)
    actors: list[str] = Field(default_factory=list)
    actors_optional: list[str] = Field(default_factory=list)
    events: list[GoldEvent] = Field(min_length=1)
    not_events: list[str] = Field(default_factory=list)


def load_cases(path: Path) -> list[GoldCase]:
    return [GoldCase.model_validate(raw) for raw in load_yaml(path)]


def problems(case: GoldCase, labels: Labels) -> list[str]:
    """What a trained coder would mark wrong: the main theater, a missed or forbidden event type,
    a missed actor, a forbidden theater. Extra actors and secondary theaters are not faults."""
    found: list[str] = []
    main = labels.theaters[0].country_code if labels.theaters else None
    if main != case.theater[0].country_code:
        found.append(f"main theater {main}, gold {case.theater[0].country_code}")
    for code in case.not_theaters:
        if main == code:
            found.append(f"main theater is {code}, which the gold rules out")
    sub_types = {e.sub_event_type for e in labels.events}
    types = {e.event_type for e in labels.events}
    top = labels.events[0] if labels.events else None
    if top is None or top.event_type != case.events[0].event_type:
        found.append(f"top event {top.sub_event_type if top else None}, gold {case.events[0].sub_event_type}")
    for event in case.events:
        if event.sub_event_type not in sub_types:
            found.append(f"missed event {event.sub_event_type}")
    for event_type in case.not_events:
        if event_type in types:
            found.append(f"produced {event_type}, which the gold rules out")
    names = {a.name for a in labels.actors}
    for actor in case.actors:
        if actor not in names:
            found.append(f"missed actor {actor}")
    return found


@dataclass
class Scores:
    """How a labeler does on a set of gold cases."""

    cases: int = 0
    main_theater: int = 0
    top_event_type: int = 0
    actors_found: int = 0
    actors_gold: int = 0
    by_language: Counter[str] = field(default_factory=Counter)
    passed_by_language: Counter[str] = field(default_factory=Counter)
    faults: dict[str, list[str]] = field(default_factory=dict)  # case id -> problems

    @property
    def without_fault(self) -> int:
        return self.cases - len(self.faults)


def score(labeler: Labeler, cases: Iterable[GoldCase]) -> Scores:
    scores = Scores()
    for case in cases:
        labels = labeler.label(case.text, title=case.title)
        scores.cases += 1
        scores.by_language[case.language] += 1
        main = labels.theaters[0].country_code if labels.theaters else None
        scores.main_theater += main == case.theater[0].country_code
        scores.top_event_type += bool(labels.events) and labels.events[0].event_type == case.events[0].event_type
        names = {a.name for a in labels.actors}
        scores.actors_gold += len(case.actors)
        scores.actors_found += sum(1 for actor in case.actors if actor in names)
        found = problems(case, labels)
        if found:
            scores.faults[case.id] = found
        else:
            scores.passed_by_language[case.language] += 1
    return scores

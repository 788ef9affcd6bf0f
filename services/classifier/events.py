"""Events: ACLED sub-event types (plus sitrep's five) from weighted trigger phrases, with threats,
denials and hypotheticals kept from counting as the event itself."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.kit.models import Event

from .datafiles import load_yaml
from .matching import Hit, PhraseMatcher, Sentences, longest_first
from .taxonomy import Taxonomy

DIPLOMACY = "Diplomacy"
ATTRIBUTION = "Attribution"
# Types that say where something happened; their sentences mark the theater.
_NOT_LOCATING = frozenset({DIPLOMACY, ATTRIBUTION, "Agreement"})
_TITLE_BOOST = 1.5
_LEAD_BOOST = 1.25
_LEAD_CHARS = 400
_REDIRECT_SHARE = 0.8
_SCALE = 1.2  # score at which confidence reaches 1 - 1/e
_MIN_CONFIDENCE = 0.35
_MIN_SHARE_OF_TOP = 0.25
_MAX_EVENTS = 4
# A specific type absorbs a general one only when it carries a fair share of the general's weight;
# a passing mention of sarin in an article about air strikes stays a side event.
_OVERRIDE_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class Trigger:
    sub_event_type: str
    weight: float


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str  # threat | denial | hypothetical


@dataclass
class EventResult:
    events: list[Event]
    sentences: set[int]  # sentences holding a locating trigger that counted


class EventDetector:
    def __init__(
        self,
        triggers: PhraseMatcher,
        cues: PhraseMatcher,
        windows: dict[str, int],
        overrides: dict[str, list[str]],
        taxonomy: Taxonomy,
    ) -> None:
        self.triggers = triggers
        self.cues = cues
        self.windows = windows
        self.overrides = overrides
        self.taxonomy = taxonomy

    @classmethod
    def build(cls, data_dir: Path, taxonomy: Taxonomy) -> EventDetector:
        raw: dict[str, Any] = load_yaml(data_dir / "triggers.yaml")
        weights: dict[str, float] = raw["weights"]
        triggers = PhraseMatcher()
        for sub_event_type, groups in raw["triggers"].items():
            taxonomy.event_type_of(sub_event_type)  # raises on a name missing from the taxonomy
            for strength, languages in groups.items():
                for phrases in languages.values():
                    for phrase in phrases:
                        triggers.add(phrase, Trigger(sub_event_type, weights[strength]))
        triggers.build()
        overrides: dict[str, list[str]] = raw.get("overrides") or {}
        for specific, general in overrides.items():
            for name in [specific, *general]:
                taxonomy.event_type_of(name)
        modality: dict[str, Any] = load_yaml(data_dir / "modality.yaml")
        cues = PhraseMatcher()
        for kind, languages in modality["cues"].items():
            for phrases in languages.values():
                for phrase in phrases:
                    cues.add(phrase, Cue(kind))
        cues.build()
        return cls(triggers, cues, dict(modality["windows"]), overrides, taxonomy)

    def detect(self, text: str, norm: str, sentences: Sentences, title_end: int) -> EventResult:
        size = len(text)
        cue_hits = longest_first(self.cues.find(text, norm), size)
        scores: dict[str, float] = defaultdict(float)
        best: dict[str, tuple[float, Hit]] = {}
        located: set[int] = set()
        for hit in longest_first(self.triggers.find(text, norm), size):
            trigger: Trigger = hit.payload
            weight = trigger.weight
            if hit.start < title_end:
                weight *= _TITLE_BOOST
            elif hit.start < title_end + _LEAD_CHARS:
                weight *= _LEAD_BOOST
            target = trigger.sub_event_type
            cue = self._cue_before(hit, cue_hits, sentences)
            if cue is not None and target not in (DIPLOMACY, ATTRIBUTION):
                if cue == "hypothetical":
                    continue
                target = DIPLOMACY if cue == "threat" else ATTRIBUTION
                weight *= _REDIRECT_SHARE
            scores[target] += weight
            if target not in best or weight > best[target][0]:
                best[target] = (weight, hit)
            if target not in _NOT_LOCATING:
                located.add(sentences.index(hit.start))
        for specific, general in self.overrides.items():
            for name in general:
                if scores.get(specific, 0.0) >= _OVERRIDE_SHARE * scores.get(name, 0.0) > 0.0:
                    scores[specific] += scores.pop(name)
        return EventResult(self._rank(scores, best, sentences), located)

    def _cue_before(self, hit: Hit, cue_hits: list[Hit], sentences: Sentences) -> str | None:
        sentence = sentences.index(hit.start)
        for cue in cue_hits:
            if cue.end > hit.start:
                break
            kind: str = cue.payload.kind
            if hit.start - cue.end <= self.windows[kind] and sentences.index(cue.start) == sentence:
                return kind
        return None

    def _rank(self, scores: dict[str, float], best: dict[str, tuple[float, Hit]], sentences: Sentences) -> list[Event]:
        if not scores:
            return []
        top = max(scores.values())
        events: list[Event] = []
        for sub_event_type, score in scores.items():
            confidence = 1.0 - math.exp(-score / _SCALE)
            if confidence < _MIN_CONFIDENCE or score < _MIN_SHARE_OF_TOP * top:
                continue
            event_type = self.taxonomy.event_type_of(sub_event_type)
            self.taxonomy.check_event(event_type, sub_event_type)
            hit = best[sub_event_type][1]
            events.append(
                Event(
                    event_type=event_type,
                    sub_event_type=sub_event_type,
                    confidence=round(confidence, 3),
                    evidence=sentences.evidence(hit.start, hit.end),
                )
            )
        events.sort(key=lambda e: -e.confidence)
        return events[:_MAX_EVENTS]

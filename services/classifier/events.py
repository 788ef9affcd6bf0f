"""Events: ACLED sub-event types (plus sitrep's five) from weighted trigger phrases, with threats,
denials and hypotheticals kept from counting as the event itself."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.kit.models import Event

from .datafiles import load_yaml
from .matching import Hit, PhraseMatcher, Scan, Sentences, longest_first
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
_MIN_SHARE_OF_TOP = 0.15
_MAX_EVENTS = 5
_REACTIONS = frozenset({DIPLOMACY, ATTRIBUTION})
_FIRM = 0.7
# A specific type absorbs a general one only when it carries a fair share of the general's weight;
# a passing mention of sarin in an article about air strikes stays a side event.
_OVERRIDE_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class Trigger:
    sub_event_type: str
    weight: float


# Phrases that describe a state of affairs ("rebel-held", "occupied by") and would otherwise
# read as an event: they win their span and count for nothing. Compared by value, never by
# identity: the labeler is unpickled from its cache, with a copy of this object.
_IGNORED = Trigger("", 0.0)
# A personal or purely criminal motive (a feud, a robbery): the crime does not yield to its violence.
_MOTIVE = Trigger("motive", 0.0)


@dataclass(frozen=True, slots=True)
class RoleRule:
    """A trigger whose sub-event type depends on who acts or who is hit: the nearest concept
    (rules.yaml) on the looked-at side of it, in the same sentence, picks the outcome."""

    name: str
    order: int  # place in rules.yaml: when several rules claim a phrase, the first decides
    weight: float
    look: str  # before | after | around
    window: int
    sentences: int  # 1: the trigger's sentence only; 2: the one before it too
    outcomes: tuple[tuple[str, str], ...]  # (concept, sub-event type)
    otherwise: str | None


@dataclass(frozen=True, slots=True)
class Concept:
    name: str


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
        concepts: PhraseMatcher,
        cues: PhraseMatcher,
        windows: dict[str, int],
        overrides: dict[str, list[str]],
        taxonomy: Taxonomy,
        yields: dict[str, frozenset[str]] | None = None,
        fallback: tuple[tuple[frozenset[str], str], ...] = (),
        fallback_confidence: float = 0.0,
    ) -> None:
        self.triggers = triggers
        self.concepts = concepts
        self.cues = cues
        self.windows = windows
        self.overrides = overrides
        self.taxonomy = taxonomy
        self.yields = yields or {}
        self.fallback = fallback
        self.fallback_confidence = fallback_confidence

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
        concepts = PhraseMatcher()
        rules: dict[str, Any] = load_yaml(data_dir / "rules.yaml")
        for name, languages in rules["concepts"].items():
            for phrases in languages.values():
                for phrase in phrases:
                    concepts.add(phrase, Concept(name))
        for order, (name, body) in enumerate(rules["rules"].items()):
            outcomes = tuple((concept, sub) for concept, sub in body["outcomes"].items())
            for concept, sub in outcomes:
                if concept not in rules["concepts"]:
                    raise ValueError(f"rule {name!r}: unknown concept {concept!r}")
                taxonomy.event_type_of(sub)
            otherwise = body.get("otherwise")
            if otherwise is not None:
                taxonomy.event_type_of(otherwise)
            rule = RoleRule(
                name,
                order,
                weights[body["strength"]],
                body["look"],
                body.get("window", 90),
                body.get("sentences", 1),
                outcomes,
                otherwise,
            )
            for phrases in body["phrases"].values():
                for phrase in phrases:
                    triggers.add(phrase, rule)
        for languages in (raw.get("ignore") or {}).values():
            for phrase in languages:
                triggers.add(phrase, _IGNORED)
        concepts.build()
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
        yields: dict[str, frozenset[str]] = {}
        for sub, body in (raw.get("yields") or {}).items():
            taxonomy.event_type_of(sub)
            yields[sub] = frozenset(map(str, body["to"]))
            if not yields[sub] <= set(taxonomy.event_types):
                raise ValueError(f"triggers.yaml yields: unknown event type in {body['to']}")
            for phrases in (body.get("unless") or {}).values():
                for phrase in phrases:
                    triggers.add(phrase, _MOTIVE)
        triggers.build()
        spec: dict[str, Any] = raw.get("fallback") or {"confidence": 0.0, "events": []}
        kinds = set(load_yaml(data_dir / "roles.yaml")["cues"])
        fallback: list[tuple[frozenset[str], str]] = []
        for entry in spec["events"]:
            taxonomy.event_type_of(entry["event"])
            when = frozenset(map(str, entry["when"]))
            if not when <= kinds:
                raise ValueError(f"triggers.yaml fallback: unknown cue class in {sorted(when)}")
            fallback.append((when, str(entry["event"])))
        return cls(
            triggers,
            concepts,
            cues,
            dict(modality["windows"]),
            overrides,
            taxonomy,
            yields,
            tuple(fallback),
            float(spec["confidence"]),
        )

    def detect(
        self, text: str, norm: str, sentences: Sentences, title_end: int, scan: Scan | None = None
    ) -> EventResult:
        size = len(text)
        cue_hits = longest_first(self.cues.find(text, norm, scan), size)
        scores: dict[str, float] = defaultdict(float)
        best: dict[str, tuple[float, Hit]] = {}
        located: set[int] = set()
        concept_hits: list[Hit] = []
        hits = longest_first(self.triggers.find(text, norm, scan), size)
        if any(isinstance(h.payload, RoleRule) for h in hits):
            concept_hits = longest_first(self.concepts.find(text, norm, scan), size)
        for hit, target, weight in self._resolve(hits, concept_hits, sentences):
            if hit.start < title_end:
                weight *= _TITLE_BOOST
            elif hit.start < title_end + _LEAD_CHARS:
                weight *= _LEAD_BOOST
            cue = self._cue_before(hit, cue_hits, sentences) if cue_hits else None
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
        motive = not self.yields.keys().isdisjoint(scores) and any(h.payload == _MOTIVE for h in hits)
        return EventResult(self._rank(scores, best, sentences, motive), located)

    def fallback_event(self, cues: dict[str, tuple[int, int]], sentences: Sentences) -> Event | None:
        """The event a text's cue words describe (`cues`: each class found, with its first span),
        for a text on which no trigger fired; low confidence."""
        for when, sub_event_type in self.fallback:
            if when <= cues.keys():
                start, end = min(cues[kind] for kind in when)
                return Event(
                    event_type=self.taxonomy.event_type_of(sub_event_type),
                    sub_event_type=sub_event_type,
                    confidence=self.fallback_confidence,
                    evidence=sentences.evidence(start, end),
                )
        return None

    def _resolve(self, hits: list[Hit], concepts: list[Hit], sentences: Sentences) -> list[tuple[Hit, str, float]]:
        """(hit, sub-event type, weight) per counted trigger. On a span that role rules claim, the
        first rule (in rules.yaml's order) whose concept is near decides; when none is, the rules'
        fallback, else the span's plain triggers."""
        spans: dict[tuple[int, int], list[Hit]] = {}
        for hit in hits:
            spans.setdefault((hit.start, hit.end), []).append(hit)
        # Concepts do not overlap one another (longest_first), so sorted by start they are sorted
        # by end too: the ones in a rule's reach are found by bisection, not by reading them all.
        starts = [c.start for c in concepts]
        ends = [c.end for c in concepts]
        out: list[tuple[Hit, str, float]] = []

        def outcome_of(hit: Hit, rule: RoleRule) -> str | None:
            lo = bisect_left(ends, hit.start - rule.window)
            return self._role_outcome(hit, rule, concepts[lo : bisect_right(starts, hit.end + rule.window)], sentences)

        for group in spans.values():
            if len(group) == 1:
                # Most spans carry one trigger: the same decision as below, without its lists.
                hit = group[0]
                payload = hit.payload
                if isinstance(payload, RoleRule):
                    outcome = outcome_of(hit, payload)
                    if outcome is None and payload.otherwise:
                        outcome = payload.otherwise
                    if outcome is not None:
                        out.append((hit, outcome, payload.weight))
                elif payload != _IGNORED and payload != _MOTIVE:
                    out.append((hit, payload.sub_event_type, payload.weight))
                continue
            rules = [h for h in group if isinstance(h.payload, RoleRule)]
            rules.sort(key=lambda h: h.payload.order)
            plain = [h for h in group if isinstance(h.payload, Trigger)]
            decided = False
            for hit in rules:
                outcome = outcome_of(hit, hit.payload)
                if outcome is not None:
                    out.append((hit, outcome, hit.payload.weight))
                    decided = True
                    break
            if decided:
                continue
            fallback = next((h for h in rules if h.payload.otherwise), None)
            if fallback is not None and not plain:
                out.append((fallback, fallback.payload.otherwise, fallback.payload.weight))
                continue
            out.extend(
                (h, h.payload.sub_event_type, h.payload.weight) for h in plain if h.payload not in (_IGNORED, _MOTIVE)
            )
        out.sort(key=lambda item: item[0].start)
        return out

    @staticmethod
    def _role_outcome(hit: Hit, rule: RoleRule, concepts: list[Hit], sentences: Sentences) -> str | None:
        """The outcome of the nearest concept in reach on the rule's side, or None. `concepts` may
        leave out any that are further than the rule's window from the hit."""
        if not concepts:
            return None
        sentence = sentences.index(hit.start)
        chosen: tuple[int, str] | None = None
        wanted = dict(rule.outcomes)
        for concept in concepts:
            name = concept.payload.name
            if name not in wanted or (concept.end > hit.start and concept.start < hit.end):
                continue
            if concept.end <= hit.start:
                if rule.look == "after":
                    continue
                distance = hit.start - concept.end
                rank = distance
            else:
                if rule.look == "before":
                    continue
                distance = rank = concept.start - hit.end
            if distance > rule.window or not 0 <= sentence - sentences.index(concept.start) < rule.sentences:
                continue
            if chosen is None or rank < chosen[0]:
                chosen = (rank, wanted[name])
        return chosen[1] if chosen else None

    def _cue_before(self, hit: Hit, cue_hits: list[Hit], sentences: Sentences) -> str | None:
        sentence = -1  # the hit's, looked up once a cue is near enough
        for cue in cue_hits:
            if cue.end > hit.start:
                break
            kind: str = cue.payload.kind
            if hit.start - cue.end <= self.windows[kind]:
                if sentence < 0:
                    sentence = sentences.index(hit.start)
                if sentences.index(cue.start) == sentence:
                    return kind
        return None

    def _rank(
        self, scores: dict[str, float], best: dict[str, tuple[float, Hit]], sentences: Sentences, motive: bool = False
    ) -> list[Event]:
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
        # Statements about an event (condemnation, claims, blame) rank after the event they are
        # about: "Syria condemns Israeli strikes" is first of all an air strike.
        happened = any(e.event_type not in _REACTIONS and e.confidence >= _FIRM for e in events)
        # A context type ranks after an event of the types it yields to ("gang members attacked
        # the police station" is an armed clash before it is crime).
        present = set() if motive else {e.event_type for e in events}
        events.sort(
            key=lambda e: (
                happened and e.event_type in _REACTIONS,
                not self.yields.get(e.sub_event_type, frozenset()).isdisjoint(present),
                -e.confidence,
            )
        )
        return events[:_MAX_EVENTS]

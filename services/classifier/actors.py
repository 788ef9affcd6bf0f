"""Actors: curated names and aliases; state actors built from a demonym or country name next to a
role noun ("Russian warplanes" -> Military Forces of Russia); generic groups named from the main
theater ("Civilians (Mali)"); named groups found by pattern ("Bugti Tribal Militia (Pakistan)");
acronyms read by theater; and whether each actor took part (`party`) or only reported (`source`)."""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick

from services.kit.models import Actor, ActorRole

from .datafiles import load_yaml
from .matching import CaseRule, Hit, PhraseMatcher, Scan, Sentences, expand, longest_first, normalise
from .taxonomy import Taxonomy

_ALIAS_WEIGHT = 1.0
_BODY_REACH = 30  # between the two names: "the UN peacekeeping mission MINUSCA", "ООН у Лівані (ЮНІФІЛ)"
_PAIR_WEIGHT = 1.0
_GROUP_WEIGHT = 1.0
_BARE_WEIGHT = 0.5
_METONYM_WEIGHT = 0.5
_PEOPLE_WEIGHT = 0.5
_TITLE_BOOST = 1.5
_SCALE = 1.2
_MIN_CONFIDENCE = 0.3
MAX_ACTORS = 10
_FRAME_REACH = 90  # characters around a mention searched for a reporting frame
# A capitalised word right before a mention, read backwards: "Сумської " in "за даними Сумської ОВА".
_PROPER_BEFORE = re.compile(r"\s+\w*?[A-ZÀ-ÞА-ЯЁІЇЄҐ](?=\s)")
_HIT_REACH = 40  # an observer within this many characters of harm is hit, not reporting
_SUBJECT_REACH = 45  # characters from a country's name to the strike verb it is the subject of
_ARMED_TYPES = frozenset({"Rebel groups", "Political militias", "Identity militias"})
_STATE_FORCES = "State forces"
_THEATER_GROUPS = frozenset({"unidentified", "civilians", "victims", "detainees"})
_MACROS = {
    "{Name}": r"(?:[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄ][\w'’-]+)(?: [A-ZÀ-ÖØ-ÞА-ЯЁІЇЄ][\w'’-]+){0,2}",
    "{word}": r"[\u0600-\u06ff]{2,}",
    "{num}": r"\d{1,3}",
    "{Cap}": r"[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄ][\w'’-]*",
}


@dataclass(frozen=True, slots=True)
class Alias:
    name: str


@dataclass(frozen=True, slots=True)
class Enemy:
    """ "The enemy" in a war between two states: the side opposite the one the text speaks for."""


@dataclass(frozen=True, slots=True)
class Contextual:
    """An acronym that names `name` only in a report about one of `countries` ("NAF" in Nigeria)."""

    name: str
    countries: frozenset[str]


@dataclass(frozen=True, slots=True)
class CountryWord:
    kind: str  # name | demonym | people | capital
    country: str


@dataclass(frozen=True, slots=True)
class Role:
    category: str  # military | government | police
    bare: bool


@dataclass(frozen=True, slots=True)
class Group:
    """A generic group noun ("gunmen", "residents"); what it yields depends on the cues around it."""

    key: str


@dataclass(frozen=True, slots=True)
class GroupRule:
    window: int  # 0: the whole sentence
    then: tuple[tuple[str, str], ...]  # (cue class or "any", template category), first found wins
    unless_named: bool
    windows: tuple[tuple[str, int], ...] = ()  # per cue class, instead of `window`
    unless_group: str | None = None  # no actor in a sentence that names a group of this key

    def reach(self, cue: str) -> int:
        for c, w in self.windows:
            if c == cue:
                return w
        return self.window


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str


@dataclass(frozen=True, slots=True)
class ActorInfo:
    actor_type: str
    country: str | None


_OTHER = ActorInfo("External/Other forces", None)  # the info of a name the registry lacks


@dataclass(frozen=True, slots=True)
class Pattern:
    regex: re.Pattern[str]
    kind: str
    needs: str | None
    # The pattern without its opening `(?<!\w)`, when it opens with a fixed character class: the
    # regex engine then skips to where such a character stands instead of trying every position.
    bare: re.Pattern[str] | None = None

    def finditer(self, text: str, lo: int, hi: int) -> Iterator[re.Match[str]]:
        """`regex.finditer(text, lo, hi)`, found through `bare` where there is one."""
        if self.bare is None:
            yield from self.regex.finditer(text, lo, hi)
            return
        pos = lo
        while (match := self.bare.search(text, pos, hi)) is not None:
            start = match.start()
            if start and _WORD.match(text, start - 1):
                pos = start + 1  # inside a word: `regex` tries on from the next position
                continue
            yield match
            pos = match.end()  # no pattern matches the empty string


_WORD = re.compile(r"\w")
_OPTIONAL_OPENING = re.compile(r"\(\?:[^()]*\)\?")  # "(?:the )?": no fixed first character


def _trie(words: Iterable[Sequence[str]]) -> str:
    """An alternation of words as a trie ("Ful(?:a(?:ni(?:s|)|)|be)"), each word a sequence of
    regex atoms (escaped characters, or `\\s*`...): a position is tested against a few first
    letters, not against every word. Of literal words that match at one position (each a prefix
    of the next), the longest is tried first, as in an alternation sorted longest first, so both
    match the same."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for atom in word:
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alternatives = [atom + emit(child) for atom, child in sorted(node.items()) if atom]
        if "" in node:
            alternatives.append("")
        return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"

    return emit(root)


@dataclass(frozen=True, slots=True)
class Pending:
    """A mention whose actor depends on the main theater: a role or group template (`category`),
    a named group's label with its country open (`label`), or an acronym's readings."""

    start: int
    end: int
    weight: float
    party: bool
    category: str | None = None
    label: str | None = None
    actor_type: str | None = None
    readings: tuple[Contextual, ...] = ()
    needs_unnamed: bool = False  # dropped when a named non-state armed group is found
    enemy: bool = False  # "the enemy": the side opposite the one the text speaks for, see `_enemy`
    # An acronym that is also another actor's plain alias ("AFP"): that actor, and its role,
    # where no reading fits the theater.
    fallback: str | None = None
    fallback_party: bool = True


@dataclass
class ActorResult:
    scores: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    evidence: dict[str, tuple[float, int, int]] = field(default_factory=dict)  # strongest mention: weight, start, end
    # Spans of curated names, which are not places ("Islamic State of Iraq").
    alias_spans: list[tuple[int, int]] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)  # resolved against the main theater in `rank`
    parties: set[str] = field(default_factory=set)  # actors with at least one mention as a party
    sources: set[str] = field(default_factory=set)  # actors with at least one mention as a source
    made: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # group actors: their templates
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))  # each mention
    clashed: bool = False  # the text says sides fought each other (a clash cue)
    speakers: list[tuple[int, str]] = field(default_factory=list)  # where a state's body speaks, and its country
    # Named groups and cited bodies of this text that the lexicon does not list: kept here, not in
    # the shared registry, which would grow with every new name a long-running stage reads.
    found: dict[str, ActorInfo] = field(default_factory=dict)
    # Sentences that only tell of a response ("police were deployed to separate the sides").
    responding: frozenset[int] = frozenset()
    metonyms: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))  # capitals
    # Sentences that tell the event's history or context ("since the RSF seized El Fasher").
    background: frozenset[int] = frozenset()
    # Sentences of others' reactions to it ("Ankara called for restraint").
    reacting: frozenset[int] = frozenset()
    # The cue words found outside names: what the text says people did.
    cues: Cues = field(default_factory=lambda: Cues({}))

    def credit(self, name: str, weight: float, start: int, end: int, party: bool) -> None:
        """One mention of an actor: its weight adds up, the strongest mention is its evidence."""
        self.spans[name].append((start, end))
        self.scores[name] += weight
        (self.parties if party else self.sources).add(name)
        if name not in self.evidence or weight > self.evidence[name][0]:
            self.evidence[name] = (weight, start, end)

    def drop(self, name: str) -> None:
        """The actor is no actor of the text after all."""
        del self.scores[name]
        self.evidence.pop(name, None)
        self.parties.discard(name)


@dataclass(frozen=True)
class SourceFrames:
    """Where a mention only reports: a reporting verb or "according to" right around it."""

    before: re.Pattern[str]  # matched on the reversed text before a mention, see `reports`
    after: re.Pattern[str]
    self_report: re.Pattern[str]
    observers: frozenset[str]

    @staticmethod
    def alternation(languages: dict[str, list[str]], reverse: bool = False) -> str:
        """One regex for phrases of all languages, over normalised text; `*` ends a word freely.
        `reverse`: the same phrases written backwards, for text read backwards."""
        words = sorted({v for ws in languages.values() for w in ws for v in expand(w)}, key=len, reverse=True)
        if reverse:
            # Only ever asked whether it matches, so a trie (the same language) may stand for it.
            return _trie(
                ([r"\w*"] if w.endswith("*") else [])
                + [r"\s*" if c == " " else re.escape(c) for c in normalise(w.rstrip("*"))[::-1]]
                for w in words
            )
        parts = [
            re.escape(normalise(w.rstrip("*"))).replace(r"\ ", r"\s*") + (r"\w*" if w.endswith("*") else "")
            for w in words
        ]
        return "(?:" + "|".join(parts) + ")"

    @classmethod
    def build(cls, body: dict[str, Any]) -> SourceFrames:
        def alternation(key: str) -> str:
            return cls.alternation(body[key])

        # An apposition, a bracketed acronym or a second speaker may come between ("residents and officials said").
        aside = (
            r"(?:\s*\([^)]{0,40}\))?(?:\s*,[^,.;]{0,80},)?(?:\s+(?:and|и|і|та|et)(?:\s+[\w-]+){1,2})?"
            r"\s*(?:has |have |had |also |later |earlier |previously )?"
        )
        return cls(
            # `(?:^|[^\w])<before>\s*(?:the |l'|la |le |les )?$` searched in the window before a mention
            # tries every position of it; read backwards, the same test is one match at the mention.
            # `\n?`: `$` also matches before a final newline; `\Z`: `^`, the window's start.
            before=re.compile(
                r"\n?(?: eht|'l| al| el| sel)?\s*" + cls.alternation(body["before"], reverse=True) + r"(?:[^\w]|\Z)"
            ),
            after=re.compile(aside + alternation("after") + r"(?!\w)"),
            self_report=re.compile(
                r"^[\s,:]*(?:on \w+ |in a statement |late \w+ |that |что |що |que |ان |أن )?[\s,]*"
                + alternation("self")
                + r"(?!\w)"
            ),
            observers=frozenset(body["observers"]),
        )

    def cited(self, text: str, norm: str, start: int) -> bool:
        """A frame stands right before the mention ("according to", "повідомляє"). A capitalised
        word may stand between them: "за даними Сумської ОВА"."""
        before = norm[max(0, start - _FRAME_REACH) : start][::-1]
        if self.before.match(before):
            return True
        proper = _PROPER_BEFORE.match(text[max(0, start - 40) : start][::-1])
        return proper is not None and self.before.match(before, proper.end()) is not None

    def reports(self, text: str, norm: str, start: int, end: int) -> bool:
        """The mention is a speaker or a cited source and does not say it acted itself."""
        if self.cited(text, norm, start):
            tail = norm[end : end + _FRAME_REACH]
            return not self.self_report.match(tail)
        match = self.after.match(norm, end, end + _FRAME_REACH)
        if match is None:
            return False
        return not self.self_report.match(norm[match.end() : match.end() + _FRAME_REACH])


class Cues:
    """A text's cue hits by kind. Groups and named groups ask whether a cue lies in a stretch of
    text for every mention; starts sorted once answer that by bisection instead of visiting all."""

    __slots__ = ("_hits", "_sorted")

    def __init__(self, hits: dict[str, list[Hit]]) -> None:
        self._hits = hits
        self._sorted: dict[str, tuple[list[int], list[int]]] = {}

    def hits(self, kind: str) -> list[Hit]:
        return self._hits.get(kind, [])

    def first_spans(self) -> dict[str, tuple[int, int]]:
        """Each kind found, with its first span."""
        return {kind: min((h.start, h.end) for h in hits) for kind, hits in self._hits.items() if hits}

    def _spans(self, kind: str) -> tuple[list[int], list[int]]:
        found = self._sorted.get(kind)
        if found is None:
            spans = sorted((h.start, h.end) for h in self.hits(kind))
            found = self._sorted[kind] = ([s for s, _ in spans], [e for _, e in spans])
        return found

    def within(self, kind: str, lo: int, hi: int) -> bool:
        """A cue of `kind` lies in [lo, hi]."""
        starts, ends = self._spans(kind)
        k = bisect_left(starts, lo)
        while k < len(starts) and starts[k] <= hi:
            if ends[k] <= hi:
                return True
            k += 1
        return False

    def opens(self, kind: str, lo: int, hi: int) -> bool:
        """A cue of `kind` starts in [lo, hi)."""
        starts = self._spans(kind)[0]
        k = bisect_left(starts, lo)
        return k < len(starts) and starts[k] < hi


_DATELINE_MARKS = ",،-–—("


def _dateline(text: str, start: int, end: int) -> bool:
    """A place opening a line before a comma or dash is the dateline of wire copy ("BAMAKO, Dec 9 -")."""
    mark = text[end : end + 2].lstrip()[:1]
    return (start == 0 or text[start - 1] == "\n") and mark != "" and mark in _DATELINE_MARKS


def _credit_line(text: str, start: int, end: int) -> bool:
    """An agency credited in brackets before the dash of a dateline ("KHERSON, Jan 12 (Ukrinform) -")
    or between slashes, as Russian copy credits it ("/ТАСС/."): the story's publisher."""
    if text[start - 1 : start] == "/" and text[end : end + 1] == "/":
        # Alone between its slashes, not one of a list ("FARDC/UPDF/MONUSCO").
        before, after = text[max(0, start - 2) : start - 1], text[end + 1 : end + 2]
        return before in ("", " ", "\n") and after in ("", ".", " ", "\n")
    dash = text[end + 1 : end + 4].strip()[:1]
    return text[start - 1 : start] == "(" and text[end : end + 1] == ")" and dash != "" and dash in "-–—"


def _add(matcher: PhraseMatcher, phrase: str, payload: Any, case: CaseRule = "any") -> None:
    """A phrase, and for an Arabic one with the article its form after the preposition li-, which
    drops the article's alif ("الأمم المتحدة" -> "للأمم المتحدة")."""
    matcher.add(phrase, payload, case)
    if phrase.startswith("ال") and len(phrase) > 3:
        matcher.add("لل" + phrase[2:], payload, case)


def _country_word(words: Sequence[CountryWord | None], j: int) -> CountryWord | None:
    return words[j] if 0 <= j < len(words) else None


_GATE_REACH = 200  # longer than any named-group match: every match holds a gate word of its kind


def _gate_automaton(gates: dict[str, tuple[str, ...]]) -> Any:
    """Every gate word of every kind, found in one pass over a text (a `find` per word costs a
    pass each: some sixty)."""
    kinds: dict[str, list[str]] = defaultdict(list)
    for kind, words in gates.items():
        for word in words:
            kinds[word].append(kind)
    automaton = ahocorasick.Automaton()
    for word, found in kinds.items():
        automaton.add_word(word, (len(word), tuple(found)))
    if len(automaton):
        automaton.make_automaton()
    return automaton


def _regions(text: str, automaton: Any) -> dict[str, list[tuple[int, int]]]:
    """Disjoint stretches of `text` around its gate words, by kind. Every match of a kind's patterns
    holds one of its gate words, so searching these stretches finds what searching the whole text
    finds, at a fraction of the cost in a long text that names few groups."""
    spots: dict[str, list[tuple[int, int]]] = defaultdict(list)
    size = len(text)
    if len(automaton):
        for last, (length, kinds) in automaton.iter(text):  # every occurrence, overlapping ones too
            at = last - length + 1
            for kind in kinds:
                spots[kind].append((max(0, at - _GATE_REACH), min(size, at + length + _GATE_REACH)))
    regions: dict[str, list[tuple[int, int]]] = {}
    for kind, found in spots.items():
        found.sort()
        merged = regions[kind] = []
        for lo, hi in found:
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
    return regions


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
        groups: dict[str, GroupRule],
        patterns: list[Pattern],
        gates: dict[str, tuple[str, ...]],
        kinds: dict[str, dict[str, str]],
        ethnic: dict[str, tuple[str, str]],
        not_names: frozenset[str],
        frames: SourceFrames,
        violence_only: frozenset[str],
        negation: re.Pattern[str],  # matched on the reversed text before a mention
        denial: re.Pattern[str],
        conjunctions: frozenset[str],
        articles: frozenset[str],
        roles_extra: dict[str, Any],
        supersedes: dict[str, frozenset[str]],
        branches: dict[str, dict[str, str]],
        wars: tuple[tuple[str, str], ...] = (),
        bodies: dict[str, frozenset[str]] | None = None,
        not_sides: re.Pattern[str] | None = None,
        kin: re.Pattern[str] | None = None,
        bare_heads: frozenset[str] = frozenset(),
    ) -> None:
        self.matcher = matcher
        self.registry = registry
        self.templates = templates
        self.labels = labels
        self.names = names
        self.connectors = connectors
        self.locatives = locatives
        self.taxonomy = taxonomy
        self.groups = groups
        self.patterns = patterns
        self.gates = gates
        self.gate_automaton = _gate_automaton(gates)
        self.ungated = frozenset(kind for kind, words in gates.items() if not words)
        self.kinds = kinds
        self.ethnic = ethnic  # any spelling -> (canonical name, kind)
        self.not_names = not_names
        self.frames = frames
        self.violence_only = violence_only
        self.negation = negation
        self.denial = denial
        self.conjunctions = conjunctions
        self.articles = articles
        self.attached = frozenset(roles_extra["attached_locatives"])
        self.more_locatives = frozenset(normalise(w) for ws in roles_extra["locatives"].values() for w in ws)
        buildings = SourceFrames.alternation(roles_extra["buildings"])
        # "the administration building", "مبنى إدارة القضاء", "здание администрации": a building.
        self.building_before = re.compile(buildings + r"\s+(?:of\s+(?:the\s+)?|de\s+la\s+|de\s+l'|du\s+|des\s+)?$")
        self.building_after = re.compile(r"\s+" + buildings + r"(?!\w)")
        self.supersedes = supersedes
        self.branches = branches
        self.wars = wars
        self.bodies = bodies or {}
        self.not_sides = not_sides or re.compile(r"(?!)")
        self.kin = kin or re.compile(r"(?!)")
        self.bare_heads = bare_heads
        self.government_prefix = templates["government"][0].split("{", 1)[0]

    @classmethod
    def build(cls, data_dir: Path, taxonomy: Taxonomy, locatives: frozenset[str]) -> ActorResolver:
        matcher = PhraseMatcher()
        registry: dict[str, ActorInfo] = {}
        # In the lexicon's order (a dict, not a set): a build must not depend on the hash seed.
        readings: dict[str, dict[Contextual, None]] = defaultdict(dict)
        for entry in load_yaml(data_dir / "actors.yaml"):
            name = entry["name"]
            registry[name] = ActorInfo(taxonomy.check_actor_type(entry["type"]), entry.get("country"))
            for phrases in (entry.get("aliases") or {}).values():
                for phrase in phrases:
                    case: CaseRule = "capital" if phrase[:1].isupper() else "any"
                    _add(matcher, phrase, Alias(name), case)
            for phrase, codes in (entry.get("contextual") or {}).items():
                readings[phrase][Contextual(name, frozenset(codes))] = None
        for phrase, found in readings.items():
            for reading in found:
                _add(matcher, phrase, reading, "capital" if phrase[:1].isupper() else "any")
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
                        _add(matcher, phrase, CountryWord(kind, code), word_case)
        roles: dict[str, Any] = load_yaml(data_dir / "roles.yaml")
        templates: dict[str, tuple[str, str]] = {
            category: (str(body["name"]), taxonomy.check_actor_type(body["actor_type"]))
            for category, body in roles["templates"].items()
        }
        for phrases in roles["enemies"]["words"].values():
            for phrase in phrases:
                _add(matcher, phrase, Enemy(), "any")
        for category, languages in roles["roles"].items():
            for phrases in languages.values():
                for phrase in phrases:
                    _add(matcher, phrase, Role(category, False))
            for phrase in roles["bare"].get(category, ()):
                _add(matcher, phrase, Role(category, True))
        groups: dict[str, GroupRule] = {}
        for key, body in roles["groups"].items():
            then = tuple((str(cue), str(category)) for cue, category in body["then"].items())
            if any(category not in templates for _, category in then):
                raise ValueError(f"roles.yaml group {key!r} names a template that does not exist")
            groups[key] = GroupRule(
                int(body.get("window") or 0),
                then,
                bool(body.get("unless_named")),
                tuple((str(cue), int(w)) for cue, w in (body.get("windows") or {}).items()),
                body.get("unless_group"),
            )
            for phrases in body["words"].values():
                for phrase in phrases:
                    _add(matcher, phrase, Group(key))
        if set(roles["violence_only"]) - set(groups):
            raise ValueError("roles.yaml violence_only names a group that does not exist")
        for kind, languages in roles["cues"].items():
            for phrases in languages.values():
                for phrase in phrases:
                    _add(matcher, phrase, Cue(kind))
        matcher.build()
        connectors = frozenset(normalise(c) for c in roles["connectors"])
        named: dict[str, Any] = load_yaml(data_dir / "named_groups.yaml")
        branches = {
            str(name): {str(code): str(branch) for code, branch in found.items()}
            for name, found in named["branches"].items()
        }
        ethnic = {
            word: (canonical, str(body["kind"]))
            for canonical, body in named["ethnic"].items()
            for word in body["words"]
        }
        macros = dict(_MACROS, **{"{ethnic}": _trie([list(map(re.escape, word)) for word in ethnic])})
        patterns: list[Pattern] = []
        gates: dict[str, tuple[str, ...]] = {kind: tuple(words) for kind, words in named["gates"].items()}
        if set(named["patterns"]) - set(gates):
            raise ValueError(f"named_groups.yaml: kinds without gates: {sorted(set(named['patterns']) - set(gates))}")
        for kind, items in named["patterns"].items():
            for item in items:
                source, needs = (item, None) if isinstance(item, str) else (item["pattern"], item.get("needs"))
                for macro, regex in macros.items():
                    source = source.replace(macro, regex)
                bare = None if _OPTIONAL_OPENING.match(source) else re.compile(source)
                patterns.append(Pattern(re.compile(r"(?<!\w)" + source), kind, needs, bare))
        kinds: dict[str, dict[str, str]] = named["kinds"]
        for body in kinds.values():
            if "type" in body:
                taxonomy.check_actor_type(body["type"])
        frames = SourceFrames.build(roles["sources"])
        negations = sorted({normalise(w) for ws in roles["negations"].values() for w in ws}, key=len, reverse=True)
        # `(?:^|[^\w])<negation>\s+(?:\w+\s+)?$` before a mention, read backwards as `before` is.
        negation = re.compile(
            r"\n?(?:\s+\w+)?\s+" + _trie(list(map(re.escape, n[::-1])) for n in negations) + r"(?:[^\w]|\Z)"
        )
        denial = SourceFrames.alternation(roles["negations_after"])
        for name, local in branches.items():
            if name not in registry or any(branch not in registry for branch in local.values()):
                raise ValueError(f"named_groups.yaml: branches of {name!r} that actors.yaml does not list")
        # A government the act was coordinated with, or one addressed or blamed, is no side of it.
        not_sides = {lang: roles["coordination"].get(lang, []) + words for lang, words in roles["addressed"].items()}
        return cls(
            matcher, registry, templates, labels, names, connectors, locatives, taxonomy,
            groups, patterns, gates, kinds, ethnic, frozenset(named["not_names"]), frames,
            frozenset(roles["violence_only"]), negation,
            re.compile(r"[\s,]*(?:\w+\s+){0,2}" + denial + r"(?!\w)"),
            frozenset(normalise(c) for c in roles["conjunctions"]),
            frozenset(normalise(a) for a in roles["articles"]),
            {key: roles[key] for key in ("attached_locatives", "locatives", "buildings")},
            {str(k): frozenset(map(str, v)) for k, v in roles["supersedes"].items()}, branches,
            tuple((str(a), str(b)) for a, b in roles["enemies"]["wars"]),
            _bodies(roles["bodies"], registry),
            re.compile(
                SourceFrames.alternation(not_sides)
                + r"\s*(?:the\s+|l'|la\s+|le\s+|les\s+)?(?:(?:federal|transitional|central|national)\s+)?$"
            ),
            # "relatives of servicemen", "родичі полонених військових": one word may come between.
            re.compile(SourceFrames.alternation(roles["kin"]) + r"\s+(?:[\w'-]+\s+)?$"),
            frozenset(named["bare_heads"]),
        )  # fmt: skip

    def resolve(
        self, text: str, norm: str, sentences: Sentences, title_end: int, violent: bool, scan: Scan | None = None
    ) -> ActorResult:
        spans: dict[tuple[int, int], list[Any]] = defaultdict(list)
        by_kind: dict[str, list[Hit]] = defaultdict(list)
        entities: list[Hit] = []
        for hit in self.matcher.find(text, norm, scan):
            if isinstance(hit.payload, Cue):
                by_kind[hit.payload.kind].append(hit)
            else:
                entities.append(hit)
        covered = bytearray(len(text))
        for hit in longest_first(entities, len(text)):
            spans[(hit.start, hit.end)].append(hit.payload)
            covered[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)
        # A cue inside a name is no cue: "riot" in "riot police", "armed" in "armed forces".
        cues = Cues({kind: [h for h in hits if covered.find(0, h.start, h.end) >= 0] for kind, hits in by_kind.items()})
        ordered = sorted(spans.items())
        # Each span's payloads split by kind in one pass: (aliases, readings, first group, first role,
        # any bare role, any country word), and the first country word that pairs with a role.
        sorts: list[tuple[list[Alias], list[Contextual], Group | None, Role | None, bool, bool]] = []
        words: list[CountryWord | None] = []
        grouped: dict[str, set[int]] = defaultdict(set)  # group key -> sentences naming such a group
        enemies: set[int] = set()  # spans that say "the enemy"
        for (start, _), payloads in ordered:
            aliases: list[Alias] = []
            readings: list[Contextual] = []
            group: Group | None = None
            role: Role | None = None
            bare = has_word = False
            pairing: CountryWord | None = None
            for payload in payloads:
                if isinstance(payload, Alias):
                    aliases.append(payload)
                elif isinstance(payload, Contextual):
                    readings.append(payload)
                elif isinstance(payload, Group):
                    grouped[payload.key].add(sentences.index(start))
                    group = group or payload
                elif isinstance(payload, Role):
                    role = role or payload
                    bare = bare or payload.bare
                elif isinstance(payload, CountryWord):
                    has_word = True
                    if pairing is None and payload.kind != "people":
                        pairing = payload
                elif isinstance(payload, Enemy):
                    enemies.add(len(sorts))
            sorts.append((aliases, readings, group, role, bare, has_word))
            words.append(pairing)
        result = ActorResult(
            clashed=bool(cues.hits("clash")),
            responding=_responding(cues, sentences),
            background=_asides(cues, sentences, title_end, "background"),
            reacting=_asides(cues, sentences, title_end, "reaction"),
            cues=cues,
        )
        alias_spans, pending = result.alias_spans, result.pending
        paired: set[int] = set()

        def boosted(weight: float, start: int) -> float:
            return weight * _TITLE_BOOST if start < title_end else weight

        def party(start: int, end: int) -> bool:
            return not violent or not self.frames.reports(text, norm, start, end)

        def not_a_side(start: int) -> bool:
            """A government the act was coordinated with, or one addressed or blamed, is no side of it."""
            return self.not_sides.search(norm, max(0, start - 40), start) is not None

        def kin(start: int) -> bool:
            """Soldiers named as kin of others ("relatives of servicemen") are no side."""
            return self.kin.search(norm, max(0, start - 40), start) is not None

        def credit(name: str, weight: float, start: int, end: int, is_party: bool) -> None:
            if name.startswith(self.government_prefix) and not_a_side(start):
                return
            if kin(start) or _BACKER.match(text, end) or _CAUSE.search(text, max(0, start - 5), start):
                return
            result.credit(name, boosted(weight, start), start, end, is_party)
            info = self.registry.get(name)
            if not is_party and info is not None and info.actor_type == _STATE_FORCES and info.country:
                result.speakers.append((start, info.country))

        for i, ((start, end), _) in enumerate(ordered):
            aliases, readings, group, role, bare, _ = sorts[i]
            if aliases and readings and len(aliases) == 1 and not _credit_line(text, start, end):
                # "AFP" is the Philippine army in a Philippine report, else the news agency; a
                # byline ("MANILA (AFP) -") is always the agency.
                alias_spans.append((start, end))
                alias_party = self._alias_party(aliases[0].name, text, norm, cues, start, end, violent)
                pending.append(
                    Pending(
                        start,
                        end,
                        boosted(_ALIAS_WEIGHT, start),
                        party(start, end),
                        readings=tuple(readings),
                        fallback=aliases[0].name,
                        fallback_party=alias_party,
                    )
                )
                continue
            if aliases:
                alias_spans.append((start, end))
                if _credit_line(text, start, end):
                    # A byline ("MANILA (AFP) -", "/ТАСС/") says who published the story, not who
                    # took part in or spoke of the event: provenance, no actor (as ACLED codes it).
                    continue
                for alias in aliases:
                    is_party = self._alias_party(alias.name, text, norm, cues, start, end, violent)
                    credit(alias.name, _ALIAS_WEIGHT, start, end, is_party)
                continue
            if i in enemies:
                pending.append(Pending(start, end, boosted(_ALIAS_WEIGHT, start), party(start, end), enemy=True))
                continue
            if readings:
                # "les FDS nigériennes": a nationality right after an acronym picks its reading.
                word = words[i + 1] if i + 1 < len(ordered) and ordered[i + 1][0][0] - end <= 2 else None
                named = next((r for r in readings if word is not None and word.country in r.countries), None)
                if named is not None:
                    credit(named.name, _ALIAS_WEIGHT, start, end, party(start, end))
                    continue
                pending.append(
                    Pending(start, end, boosted(_ALIAS_WEIGHT, start), party(start, end), readings=tuple(readings))
                )
                continue
            if group is not None:
                self._group(
                    group,
                    norm,
                    sentences,
                    cues,
                    ordered,
                    words,
                    i,
                    paired,
                    credit,
                    pending,
                    boosted,
                    violent,
                    result.made,
                    grouped,
                )
                continue
            if role is None:
                continue
            partners = self._partners(norm, ordered, words, i)
            for j, word in partners:
                paired.add(j)
                name = self._state_actor(role.category, word.country)
                p_start, p_end = ordered[j][0]
                s, e = min(start, p_start), max(end, p_end)
                credit(name, _PAIR_WEIGHT, s, e, party(s, e))
            if partners:
                continue
            # "outside the governor's office", "near the army base": a building or a place, no actor.
            if (
                bare
                and not self._locative(norm, start)
                and not self._building(norm, start, end)
                and not (role.category == "government" and not_a_side(start))
                and not kin(start)
            ):
                pending.append(
                    Pending(start, end, boosted(_BARE_WEIGHT, start), party(start, end), category=role.category)
                )

        assaults = cues.hits("assault")
        for i, ((start, end), payloads) in enumerate(ordered):
            if i in paired or not sorts[i][5] or sorts[i][0]:  # a curated name there wins ("САНА")
                continue
            for word in payloads:
                if not isinstance(word, CountryWord):
                    continue
                # "Lebanon's Tripoli" is a town of that country, not a government speaking.
                if (
                    word.kind == "capital"
                    and not self._locative(norm, start)
                    and not _dateline(text, start, end)
                    and not _hyphenated(text, start, end)
                    and not text[max(0, start - 3) : start].endswith(("'s ", "\u2019s "))
                ):
                    name = self._state_actor("government", word.country)
                    credit(name, _METONYM_WEIGHT, start, end, party(start, end))
                    result.metonyms[name].append((start, end))
                elif word.kind == "people" and violent:
                    credit(self._state_actor("military", word.country), _PEOPLE_WEIGHT, start, end, True)
                elif word.kind == "name" and violent and self._strikes(norm, sentences, ordered, i, assaults):
                    credit(self._state_actor("military", word.country), _METONYM_WEIGHT, start, end, True)
                break

        pending.extend(self._named_groups(text, norm, sentences, cues, alias_spans, ordered, boosted))
        return result

    def homes(self, result: ActorResult) -> dict[str, tuple[int, int]]:
        """Countries of the armed groups a text names that fight where they come from (al-Shabaab,
        the Houthis, M23), with where one is named: a hint where the text is. States' forces are
        left out: they fight abroad too."""
        found: dict[str, tuple[int, int]] = {}
        for name, (_, start, end) in result.evidence.items():
            info = self.registry.get(name)
            if info is not None and info.country and info.actor_type in _ARMED_TYPES:
                found.setdefault(info.country, (start, end))
        return found

    def forces(self, result: ActorResult) -> dict[str, tuple[int, int]]:
        """Countries of the states' forces and governments a text names, with where one is named:
        where a text that names no place at all most likely is ("the Jordanian army foiled...")."""
        found: dict[str, tuple[int, int]] = {}
        for name, (_, start, end) in result.evidence.items():
            info = self.registry.get(name)
            if info is not None and info.country and info.actor_type == _STATE_FORCES:
                found.setdefault(info.country, (start, end))
        return found

    def rank(
        self,
        result: ActorResult,
        sentences: Sentences,
        title_end: int,
        country: str | None,
        country_name: str | None,
        fallen: frozenset[str] = frozenset(),
        local: Callable[[str, str], bool] | None = None,
    ) -> list[Actor]:
        """Final actor list: roles and groups that named no country ("the army", "gunmen") go to the
        main theater's country; acronyms take the reading of that country or are dropped. Groups only
        `fallen` templates made are dropped (the dead of a battle are its fighters)."""
        # A group named only in the event's history did not do it: "no group claimed" stays unclaimed.
        _drop_background(result, sentences)
        named_armed = any(self.registry[n].actor_type in _ARMED_TYPES for n in result.scores if n in self.registry)
        named_armed = named_armed or any(p.actor_type in _ARMED_TYPES for p in result.pending if p.label)
        # An acronym read in this theater names a group too ("secessionists" in Cameroon).
        named_armed = named_armed or any(
            self.registry[r.name].actor_type in _ARMED_TYPES
            for p in result.pending
            for r in p.readings
            if country in r.countries
        )
        sides = frozenset(self.forces(result))
        speakers: dict[int, list[tuple[int, str]]] = defaultdict(list)  # sentence -> (where, country)
        for at, speaker_country in result.speakers:
            speakers[sentences.index(at)].append((at, speaker_country))
        for item in result.pending:
            # "The Israeli military said soldiers were sent": the forces a state's body speaks of
            # in its own sentence are its own.
            category = item.category
            if category is not None and self.templates[category][1] == _STATE_FORCES:
                speaker = _speaker(speakers.get(sentences.index(item.start), ()), item.start) if speakers else None
                if speaker is not None and speaker != country:
                    result.credit(self._state_actor(category, speaker), item.weight, item.start, item.end, item.party)
                    continue
            name = self._pending_name(item, country, country_name, named_armed, sides, result.found)
            if name is None:
                continue
            is_party = item.fallback_party if name == item.fallback else item.party
            result.credit(name, item.weight, item.start, item.end, is_party)
            if item.category is not None:
                result.made[name].add(item.category)
        self._settle(result, country, sentences, fallen)
        if local is not None and country is not None:
            self._namesakes(result, sentences.text, country, local)
        return self._rank(result, sentences)

    def _namesakes(self, result: ActorResult, text: str, country: str, local: Callable[[str, str], bool]) -> None:
        """A foreign capital named like a town of the theater's country is that town: "Tripoli" in
        a Lebanese report is no government of Libya."""
        for name, spans in result.metonyms.items():
            if (
                name in result.scores
                and self.registry[name].country != country
                and len(result.spans[name]) == len(spans)
                and all(local(text[start:end], country) for start, end in spans)
            ):
                result.drop(name)

    def _settle(
        self, result: ActorResult, country: str | None, sentences: Sentences, fallen: frozenset[str] = frozenset()
    ) -> None:
        """A group's branch in the theater's country takes its place ("Islamic State" in Mozambique is
        Islamic State Mozambique Province); one crowd is rioters or protesters, not both; people
        only `fallen` templates made are the fighters of the event, no actor."""
        for name, local in self.branches.items():
            branch = local.get(country or "")
            if branch is None or name not in result.scores:
                continue
            total, (weight, start, end) = result.scores.pop(name), result.evidence.pop(name)
            result.credit(branch, weight, start, end, name in result.parties)
            result.scores[branch] += total - weight
            result.parties.discard(name)
        for parent, members in self.bodies.items():
            if parent in result.scores and all(
                _names_body(result, span, members, sentences) for span in result.spans[parent]
            ):
                result.drop(parent)
        # States' forces named only where they respond (deployed, arrived, opened an investigation)
        # took no part in the event: ACLED codes who fought, struck or was hit. One that said so is
        # a source ("the police said a patrol had been deployed").
        if result.responding:
            for name in [n for n in result.parties if self.registry.get(n, _OTHER).actor_type == _STATE_FORCES]:
                if all(sentences.index(start) in result.responding for start, _ in result.spans[name]):
                    if name in result.sources:
                        result.parties.discard(name)
                    else:
                        result.drop(name)
        _drop_background(result, sentences)
        present = {(c, self.registry[name].country) for name, made in result.made.items() for c in made}
        for name, made in result.made.items():
            home = self.registry[name].country
            if name in result.scores and all(
                category in fallen
                or any((winner, home) in present for winner, losers in self.supersedes.items() if category in losers)
                for category in made
            ):
                result.drop(name)

    def _pending_name(
        self,
        item: Pending,
        country: str | None,
        country_name: str | None,
        named_armed: bool,
        sides: frozenset[str],
        found: dict[str, ActorInfo],
    ) -> str | None:
        if item.enemy:
            return self._enemy(country, sides)
        if item.readings:
            return next((r.name for r in item.readings if country in r.countries), item.fallback)
        if country is None or (item.needs_unnamed and named_armed):
            return None
        if item.category is not None:
            return self._state_actor(item.category, country, country_name)
        if item.label is None or item.actor_type is None:
            return None
        name = item.label.format(country=self.names.get(country) or country_name or country)
        if name not in self.registry:
            found.setdefault(name, ActorInfo(item.actor_type, country))
        return name

    def _enemy(self, country: str | None, sides: frozenset[str]) -> str | None:
        """The forces opposite the side a text speaks for: the side whose forces or officials it
        names (a Ukrainian General Staff report's "противник" is Russia's army, a Russian
        ministry's is Ukraine's), else the theater's own side."""
        for pair in self.wars:
            if country not in pair:
                continue
            present = [c for c in pair if c in sides]
            if len(present) > 1:
                return None
            side = present[0] if present else country
            return self._state_actor("military", pair[1] if side == pair[0] else pair[0])
        return None

    def _alias_party(self, name: str, text: str, norm: str, cues: Cues, start: int, end: int, violent: bool) -> bool:
        if name in self.frames.observers:
            # Observers report unless they are hit themselves ("shelling hit an SMM patrol").
            hit = any(h.start - _HIT_REACH <= end and start - _HIT_REACH <= h.end for h in cues.hits("harm"))
            return hit and not self.frames.reports(text, norm, start, end)
        return not violent or not self.frames.reports(text, norm, start, end)

    def _group(
        self,
        group: Group,
        norm: str,
        sentences: Sentences,
        cues: Cues,
        ordered: Sequence[tuple[tuple[int, int], list[Any]]],
        words: Sequence[CountryWord | None],
        i: int,
        paired: set[int],
        credit: Callable[[str, float, int, int, bool], None],
        pending: list[Pending],
        boosted: Callable[[float, int], float],
        violent: bool,
        made: dict[str, set[str]],
        grouped: dict[str, set[int]],
    ) -> None:
        """A generic group counts with the first cue of its rule in reach; people who only speak
        ("residents said") are no actors."""
        (start, end), _ = ordered[i]
        # The tests that may drop the group are independent: the cheap ones (sentences, cue in
        # reach) come first, the regexes over the text around it last.
        rule = self.groups[group.key]
        sentence = sentences.index(start)
        if rule.unless_group is not None and sentence in grouped.get(rule.unless_group, ()):
            return
        s_start, s_end = sentences.span(sentence)

        found: tuple[str, str] | None = None  # the first cue of the rule in reach, and its category
        for cue, then in rule.then:
            if cue != "any":
                reach = rule.reach(cue)
                lo, hi = (s_start, s_end) if reach == 0 else (max(s_start, start - reach), min(s_end, end + reach))
                if not cues.within(cue, lo, hi):
                    continue
            found = (cue, then)
            break
        if found is None or (found[0] == "any" and group.key in self.violence_only and not violent):
            return
        if self.frames.reports(sentences.text, norm, start, end) or self.negation.match(
            norm[max(0, start - 30) : start][::-1]
        ):
            return
        category = found[1]
        if self.denial.match(norm, end, end + 40):
            return  # "people were not hurt"
        # Unnamed gunmen and harmed or detained people are of the theater's country, as ACLED names
        # them ("Sudanese refugees" killed in Chad are Civilians (Chad)).
        partners = [] if category in _THEATER_GROUPS else self._partners(norm, ordered, words, i)
        for j, word in partners:
            paired.add(j)
            name = self._state_actor(category, word.country)
            credit(name, _GROUP_WEIGHT, start, end, True)
            made[name].add(category)
        if partners:
            return
        pending.append(
            Pending(start, end, boosted(_GROUP_WEIGHT, start), True, category=category, needs_unnamed=rule.unless_named)
        )

    def _named_groups(
        self,
        text: str,
        norm: str,
        sentences: Sentences,
        cues: Cues,
        alias_spans: list[tuple[int, int]],
        ordered: Sequence[tuple[tuple[int, int], list[Any]]],
        boosted: Callable[[float, int], float],
    ) -> list[Pending]:
        found: list[Pending] = []
        # Characters a curated name or an earlier match holds: a match on any of them is dropped.
        taken = bytearray(len(text))
        for start, end in alias_spans:
            taken[start:end] = b"\x01" * (end - start)
        regions = _regions(text, self.gate_automaton)
        for kind in self.ungated:
            regions[kind] = [(0, len(text))]
        for pattern in self.patterns:
            for lo, hi in regions.get(pattern.kind, ()):
                found.extend(self._named_matches(pattern, text, norm, sentences, cues, ordered, boosted, taken, lo, hi))
        return found

    def _named_matches(
        self,
        pattern: Pattern,
        text: str,
        norm: str,
        sentences: Sentences,
        cues: Cues,
        ordered: Sequence[tuple[tuple[int, int], list[Any]]],
        boosted: Callable[[float, int], float],
        taken: bytearray,
        lo: int,
        hi: int,
    ) -> list[Pending]:
        found: list[Pending] = []
        for match in pattern.finditer(text, lo, hi):
            start, end = match.span()
            if taken.find(1, start, end) >= 0:
                continue
            name = " ".join(match.group("name").split())
            first = name.split()[0].strip("'’-")
            if first in self.not_names:
                continue
            s_start, s_end = sentences.span(sentences.index(start))
            if pattern.needs and not cues.opens(pattern.needs, s_start, s_end):
                continue
            kind = pattern.kind
            body = self.kinds[kind]
            if body.get("role") == "source":
                name = _trimmed(name)
                if kind == "acronym" and not name.strip("IVXLC"):
                    continue  # a Roman numeral ("Act III")
                # A body cited only: it must be framed as a source (by a frame before it, for a kind
                # whose names may also be sides: "батальон «Восток» заявил"), and no state role's
                # words ("the Interior Ministry's Security Centre") may be in it; an acronym must be
                # nothing else the lexicons know ("RDC").
                frame = body.get("frame")
                framed = (
                    frame == "none"
                    or (frame == "before" and self.frames.cited(text, norm, start))
                    or (frame is None and self.frames.reports(text, norm, start, end))
                )
                if (
                    not name
                    or name in self.bare_heads
                    or not framed
                    or _holds_role(ordered, start, end, kind == "acronym")
                ):
                    continue
                taken[start:end] = b"\x01" * (end - start)
                found.append(
                    Pending(start, end, boosted(_GROUP_WEIGHT, start), False, label=name, actor_type=body["type"])
                )
                continue
            if name in self.ethnic:
                name, ethnic_kind = self.ethnic[name]
                kind = ethnic_kind if kind in ("militia", "communal") else kind
            body = self.kinds[kind]
            taken[start:end] = b"\x01" * (end - start)
            party = not self.frames.reports(text, norm, start, end)
            if "state" in body:
                word = self._country_before(norm, ordered, start, end)
                if word is not None:
                    found.append(
                        Pending(
                            start,
                            end,
                            boosted(_GROUP_WEIGHT, start),
                            party,
                            label=self._state_actor(body["state"], word),
                            actor_type="State forces",
                        )
                    )
                else:
                    found.append(Pending(start, end, boosted(_GROUP_WEIGHT, start), party, category=body["state"]))
                continue
            label = body["name"].replace("{name}", name[:1].upper() + name[1:])
            found.append(
                Pending(start, end, boosted(_GROUP_WEIGHT, start), party, label=label, actor_type=body["type"])
            )
        return found

    def _country_before(
        self, norm: str, ordered: Sequence[tuple[tuple[int, int], list[Any]]], start: int, end: int
    ) -> str | None:
        """The country of a demonym or country name just before a unit or inside it ("Ukraine's 47th Brigade")."""
        for (o_start, o_end), payloads in ordered:
            if start - 24 <= o_end <= end and o_start >= start - 24:
                word = next((p for p in payloads if isinstance(p, CountryWord) and p.kind in ("name", "demonym")), None)
                if word is not None:
                    return word.country
        return None

    def _partners(
        self,
        norm: str,
        ordered: Sequence[tuple[tuple[int, int], list[Any]]],
        words: Sequence[CountryWord | None],
        i: int,
    ) -> list[tuple[int, CountryWord]]:
        """The country word right before or right after role `i`, with any joined to it by "and"
        ("Rwandan and Mozambican troops", "военные Кыргызстана и Таджикистана"); `words` holds
        each span's country word that may pair with a role."""
        for step in (-1, 1):
            j = i + step
            found = _country_word(words, j)
            if found is None or not self._joined(norm, ordered, min(i, j), max(i, j), self.connectors):
                continue
            partners = [(j, found)]
            while (more := _country_word(words, j + step)) is not None and self._joined(
                norm, ordered, min(j, j + step), max(j, j + step), self.conjunctions
            ):
                j += step
                partners.append((j, more))
            return partners
        return []

    @staticmethod
    def _joined(
        norm: str, ordered: Sequence[tuple[tuple[int, int], list[Any]]], a: int, b: int, words: frozenset[str]
    ) -> bool:
        gap = norm[ordered[a][0][1] : ordered[b][0][0]].strip()
        return gap == "" or gap in words

    def _strikes(
        self,
        norm: str,
        sentences: Sentences,
        ordered: Sequence[tuple[tuple[int, int], list[Any]]],
        i: int,
        assaults: list[Hit],
    ) -> bool:
        """A country named as the subject of a strike ("Russia struck Odesa"): an assault verb follows
        in the same sentence with no other actor word between, and no preposition makes it a place."""
        (start, end), _ = ordered[i]
        if self._locative(norm, start):
            return False
        limit = min(end + _SUBJECT_REACH, sentences.span(sentences.index(start))[1])
        if i + 1 < len(ordered):
            limit = min(limit, ordered[i + 1][0][0])
        return any(end <= h.start and h.end <= limit for h in assaults)

    def _building(self, norm: str, start: int, end: int) -> bool:
        """The mention names a building: "the administration building", "مقر المجلس البلدي"."""
        return (
            self.building_after.match(norm, end) is not None
            or self.building_before.search(norm, max(0, start - 30), start) is not None
        )

    def _locative(self, norm: str, start: int, joined: bool = True) -> bool:
        head = norm[max(0, start - 24) : start].split()
        if head and head[-1] in self.articles:
            head.pop()
        # Arabic writes "in" on the word itself ("بدمشق"): the clitic is the character before the name.
        attached = start > 0 and norm[start - 1] in self.attached and (start < 2 or not norm[start - 2].isalpha())
        # "Janzour (Tripoli)": a capital that opens an admin chain locates the place before it.
        chained = start > 0 and norm[start - 1] == "("
        if attached or chained or (bool(head) and (head[-1] in self.locatives or head[-1] in self.more_locatives)):
            return True
        # "in Istanbul and London", "في إسطنبول ولندن": a name joined to a place is a place too.
        if not joined or not ((head and head[-1] in self.conjunctions) or (start > 0 and norm[start - 1] == "\u0648")):
            return False
        before = _JOINED_NAME.search(norm, max(0, start - 40), start)
        if before is None or (before.group("word") is None and before.group("clitic") is None):
            return False
        if before.group("word") is not None and before.group("word") not in self.conjunctions:
            return False
        return self._locative(norm, before.start("name"), joined=False)

    def generic(self, category: str, country: str, country_name: str | None = None) -> tuple[str, str]:
        """The name and ACLED actor type of a template's actor in a country ("Protesters (Iraq)")."""
        name = self._state_actor(category, country, country_name)
        return name, self.taxonomy.check_actor_type(self.registry[name].actor_type)

    def _state_actor(self, category: str, country: str, country_name: str | None = None) -> str:
        template, actor_type = self.templates[category]
        plain = self.names.get(country) or country_name or country
        name = template.format(country=plain, label=self.labels.get(country) or plain)
        if name not in self.registry:
            # Remembered, not configured: the same name always maps to the same type and country.
            self.registry[name] = ActorInfo(actor_type, country)
        return name

    def _rank(self, result: ActorResult, sentences: Sentences) -> list[Actor]:
        # Ordered first (parties, then by rounded confidence, ties in mention order), and only the
        # kept ones are built: a dense text credits hundreds of actors, of which ten are kept.
        ranked: list[tuple[bool, float, int, str]] = []
        for name, score in result.scores.items():
            confidence = 1.0 - math.exp(-score / _SCALE)
            if confidence < _MIN_CONFIDENCE or name not in result.evidence:
                continue
            ranked.append((name not in result.parties, -round(confidence, 3), len(ranked), name))
        ranked.sort()
        actors: list[Actor] = []
        for source, negative, _, name in ranked[:MAX_ACTORS]:
            info = self.registry.get(name) or result.found[name]
            _, start, end = result.evidence[name]
            role: ActorRole = "source" if source else "party"
            actors.append(
                Actor(
                    name=name,
                    actor_type=self.taxonomy.check_actor_type(info.actor_type),
                    country_code=info.country,
                    role=role,
                    confidence=-negative,
                    evidence=sentences.evidence(start, end),
                )
            )
        return actors


# The name before a conjunction right before a mention: "Istanbul and ", "إسطنبول و".
_JOINED_NAME = re.compile(r"(?P<name>\w+)(?:\s+(?P<word>\w+)\s+|\s+(?P<clitic>\u0648))$")


def _responding(cues: Cues, sentences: Sentences) -> frozenset[int]:
    """Sentences with a response cue and none of the cues of an act ("Reinforcements were sent to
    the village", not "troops arrived and arrested two men")."""
    found: set[int] = set()
    for hit in cues.hits("response"):
        index = sentences.index(hit.start)
        if index in found:
            continue
        lo, hi = sentences.span(index)
        if not any(cues.within(kind, lo, hi) for kind in _ACTS):
            found.add(index)
    return frozenset(found)


def _drop_background(result: ActorResult, sentences: Sentences) -> None:
    """Who fought there before or what the event comes amid: a party named only there is none of
    it. One named only where it reacts (condemned, called for calm) spoke of it: a source."""
    for name in [n for n in result.parties if n in result.evidence and n not in result.sources]:
        mentioned = {sentences.index(start) for start, _ in result.spans[name]}
        if mentioned <= result.background:
            result.drop(name)
        elif mentioned <= result.background | result.reacting:
            result.parties.discard(name)
            result.sources.add(name)


def _asides(cues: Cues, sentences: Sentences, title_end: int, kind: str) -> frozenset[int]:
    """Sentences with a cue of `kind`, but for the title and the lead, which tell the event."""
    lead = sentences.index(title_end) + 1 if title_end else 1
    return frozenset(i for hit in cues.hits(kind) if (i := sentences.index(hit.start)) >= lead)


# Cue kinds that say the forces of a sentence acted, whatever else it says they did.
_ACTS = ("harm", "assault", "clash", "arrest", "riot", "gunfire", "blast")


# A body named as the cause people rally for ("pro-EU demonstrators") is no side of the rally;
# "anti-" is not the same: an "anti-Naxal operation" fights the Naxalites.
_CAUSE = re.compile(r"\bpro[-\u2011]$", re.IGNORECASE)


# A body named only as the backer of another ("UN-backed force", "Rwanda-backed M23"): no side.
_BACKER = re.compile(r"[-\u2011\u2013](?:backed|brokered|sponsored|supported|funded|trained|armed|mandated)\b")


def _hyphenated(text: str, start: int, end: int) -> bool:
    """A name joined by a hyphen to another: a route or an axis ("la route Damas-Bagdad",
    "the Kyiv–Odesa highway"), not a government."""
    return (text[end : end + 1] in ("-", "\u2013") and text[end + 1 : end + 2].isupper()) or (
        text[start - 1 : start] in ("-", "\u2013") and text[start - 2 : start - 1].isalpha()
    )


def _trimmed(name: str) -> str:
    """A cited body's name without the connectors that may trail it ("Ligue Iteka de")."""
    words = name.split()
    while words and words[-1] in _CONNECTORS:
        words.pop()
    # "the Kyiv-based Institute for Mass Information": the body, not where it sits.
    based = [i for i, word in enumerate(words) if word.endswith("-based")]
    return " ".join(words[based[-1] + 1 :] if based else words)


_CONNECTORS = frozenset({"of", "for", "and", "the", "in", "on", "de", "des", "du", "pour", "la", "le", "d'", "et"})


def _holds_role(ordered: Sequence[tuple[tuple[int, int], list[Any]]], start: int, end: int, anything: bool) -> bool:
    """Whether a state role or a curated name (`anything`: any known phrase) lies within start..end."""
    at = bisect_left(ordered, start, key=lambda item: item[0][0])
    for (o_start, o_end), payloads in ordered[at:]:
        if o_start >= end:
            break
        if o_end <= end and (anything or any(isinstance(p, (Role, Alias, Contextual)) for p in payloads)):
            return True
    return False


def _speaker(speakers: Sequence[tuple[int, str]], start: int) -> str | None:
    """The country of the one state body of a sentence's `speakers` that speaks before `start`."""
    found = {country for at, country in speakers if at < start}
    return found.pop() if len(found) == 1 else None


def _bodies(spec: dict[str, list[str]], registry: dict[str, ActorInfo]) -> dict[str, frozenset[str]]:
    """roles.yaml's bodies of organisations, each name checked against the lexicon."""
    unknown = [n for parent, members in spec.items() for n in [parent, *members] if n not in registry]
    if unknown:
        raise ValueError(f"roles.yaml: bodies that actors.yaml does not list: {unknown}")
    return {parent: frozenset(members) for parent, members in spec.items()}


def _names_body(result: ActorResult, span: tuple[int, int], members: frozenset[str], sentences: Sentences) -> bool:
    """Whether an organisation's mention qualifies one of its bodies named right by it, in its sentence."""
    start, end = span
    sentence = sentences.index(start)
    return any(
        max(other_start - end, start - other_end) <= _BODY_REACH and sentences.index(other_start) == sentence
        for member in members & result.spans.keys()
        for other_start, other_end in result.spans[member]
    )

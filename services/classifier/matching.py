"""Phrase matching with Aho-Corasick automata over a length-preserving normalisation of the text.

Normalising one character to exactly one character keeps offsets in the normalised text valid in
the original, so evidence and capitalisation checks read the original without any mapping.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from operator import add, itemgetter, mul, sub
from typing import Any, Literal, NamedTuple

import ahocorasick

CaseRule = Literal["any", "capital", "exact"]

# Arabic spelling variants that news sites use interchangeably.
ARABIC_VARIANTS = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"}
_FOLD_PAIRS = tuple(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00b4": "'",
        "-": " ",
        "\u2010": " ",
        "\u2011": " ",
        "\u2012": " ",
        "\u2013": " ",
        "\u2014": " ",
        "\n": " ",
        "\r": " ",
        "\t": " ",
        "\u00a0": " ",
        "ё": "е",
        **ARABIC_VARIANTS,
    }.items()
)
_ARABIC_CLITICS = frozenset("وفبلك")
_INFLECTED_ENDINGS = frozenset("аяоеиыйьуюіїє")
# Up to three letters cover the Russian/Ukrainian case endings of nouns and adjectives.
_CYRILLIC_SUFFIX = 3
_WILDCARD_SUFFIX = 14
_GROUP = re.compile(r"\(([^()]*)\)")
_SENTENCE_END = re.compile(r"[.!?؟…](?=[\s\"'»”)]+)|\n\s*\n")


def normalise(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):
        # A few characters lower-case to two (e.g. 'İ'); keep the first so offsets stay aligned.
        low = "".join(c.lower()[:1] for c in text)
    # A chain of str.replace is ten times faster than str.translate with a mapping table here:
    # each is one C scan, and most of the characters are absent from most texts.
    for old, new in _FOLD_PAIRS:
        if old in low:
            low = low.replace(old, new)
    return low


_CYRILLIC = re.compile("[\u0400-\u04ff]")
_ARABIC = re.compile("[\u0600-\u06ff]")


# Both are asked tens of thousands of times per article, mostly of ASCII text: isascii answers
# that in one C call without starting the regex engine.
def is_cyrillic(text: str) -> bool:
    return not text.isascii() and _CYRILLIC.search(text) is not None


def is_arabic(text: str) -> bool:
    return not text.isascii() and _ARABIC.search(text) is not None


def expand(pattern: str) -> list[str]:
    """Expand `(a|b|)` groups: "air (strike|raid)(s|)" -> four phrases."""
    parts = _GROUP.split(pattern)
    choices = [[p] if i % 2 == 0 else p.split("|") for i, p in enumerate(parts)]
    return [" ".join("".join(combo).split()) for combo in itertools.product(*choices)]


class Hit(NamedTuple):
    """A tuple rather than a dataclass: hundreds are made per article, and a tuple is built by one C call."""

    start: int
    end: int
    key: str
    payload: Any

    @property
    def length(self) -> int:
        return self.end - self.start


_new_hit = tuple.__new__

# One key's matchers: (matcher number, suffix, payloads, entries), see `_resolved`.
Entry = tuple[CaseRule, str, Any]
Group = tuple[int, int, tuple[Any, ...], tuple[Entry, ...]]


class PhraseMatcher:
    """Many phrases, one pass. A phrase may end in `*` (any word ending); Cyrillic phrases inflect
    automatically unless they end in `=`; Arabic phrases accept attached clitics (و ب ل ف ك).

    Payloads are kept once, in `payloads` and in a table beside the automaton (see `_automaton`),
    so a built matcher pickles fast.
    """

    def __init__(self) -> None:
        self._keys: dict[str, tuple[int, dict[tuple[CaseRule, str, int], None]]] = {}
        self._payload_ids: dict[Any, int] = {}
        self.payloads: list[Any] = []
        self._automaton: Any = None
        self._table: list[tuple[Group, ...]] = []
        self._size = 0
        self._set: MatcherSet | None = None  # once joined, the set's automaton is the only one

    def add(self, phrase: str, payload: Any, case: CaseRule = "any", literal: bool = False) -> None:
        """`literal` phrases (names from gazetteers) take no `( | )`, `*` or `=` syntax."""
        pid = self._payload_ids.get(payload)
        if pid is None:
            pid = self._payload_ids[payload] = len(self.payloads)
            self.payloads.append(payload)
        variants = [phrase] if literal else expand(phrase)
        for variant in variants:
            self._add_one(variant, pid, case, literal)

    def _add_one(self, phrase: str, pid: int, case: CaseRule, literal: bool) -> None:
        suffix = 0
        if not literal:
            if "*" in phrase[:-1]:
                raise ValueError(f"'*' may only end a phrase: {phrase!r}")
            phrase = phrase.replace("= ", " ")  # '=' inside a phrase: that word is exact anyway
        written = phrase if literal else phrase.rstrip("*=")
        if len(written) <= 6 and written.isupper() and " " not in written:
            case = "exact"  # acronyms: "IS", "US", "UN" must not match "is", "us", "un"
        if not literal and phrase.endswith("*"):
            phrase, suffix = phrase[:-1], _WILDCARD_SUFFIX
        elif not literal and phrase.endswith("="):
            phrase = phrase[:-1]
        elif is_cyrillic(phrase):
            suffix = _CYRILLIC_SUFFIX
            last = phrase.rsplit(" ", 1)[-1]
            if len(last) >= 5 and last[-1].lower() in _INFLECTED_ENDINGS:
                phrase = phrase[:-1]
        key = " ".join(normalise(phrase).split())
        if len(key) < 2:
            return
        old_suffix, entries = self._keys.get(key, (0, {}))
        entries[(case, written if case == "exact" else "", pid)] = None
        self._keys[key] = (max(old_suffix, suffix), entries)

    def build(self) -> None:
        groups: dict[str, tuple[Group, ...]] = {
            key: ((0, suffix, *self._resolved(entries)),) for key, (suffix, entries) in self._keys.items()
        }
        self._automaton, self._table = _automaton(groups)
        self._size = len(self._automaton)
        self._keys = {}
        self._payload_ids = {}

    def _resolved(self, entries: dict[tuple[CaseRule, str, int], None]) -> tuple[tuple[Any, ...], tuple[Entry, ...]]:
        """(payloads, ()) when no entry has a case rule (most keys: nothing to test per hit), else
        ((), entries) with each entry's payload in place of its id."""
        if all(case == "any" for case, _, _ in entries):
            return tuple(self.payloads[pid] for _, _, pid in entries), ()
        return (), tuple((case, written, self.payloads[pid]) for case, written, pid in entries)

    def __len__(self) -> int:
        return self._size if self._automaton is not None or self._set is not None else len(self._keys)

    def find(self, text: str, norm: str | None = None, scan: Scan | None = None) -> list[Hit]:
        """All word-bounded hits, overlapping ones included; see `longest_first`. With a `scan` of
        a MatcherSet holding this matcher, its hits are taken from there."""
        norm = normalise(text) if norm is None else norm
        if scan is None and self._set is not None:
            scan = self._set.scan(text, norm)
        if scan is not None:
            return scan.hits(self)
        if self._automaton is None or not len(self._automaton):
            return []
        hits: list[list[Hit]] = [[]]
        _search(self._automaton, self._table, text, norm, hits)
        return hits[0]

    def _join(self, matcher_set: MatcherSet) -> list[tuple[str, tuple[Group, ...]]]:
        """Hand this matcher's keys to a set, which from then on searches for it: keeping both
        automata would hold the gazetteer's hundred thousand names twice, in memory and in the cache."""
        if self._set is not None or self._automaton is None:
            raise ValueError("a matcher joins one set, once built")
        items = [(key, self._table[value[3]]) for key, value in self._automaton.items()]
        self._automaton, self._table, self._set = None, [], matcher_set
        return items


class Scan:
    """The hits of every matcher of a MatcherSet in one text."""

    def __init__(self, index: dict[int, int], hits: list[list[Hit]]) -> None:
        self._index = index
        self._hits = hits

    def hits(self, matcher: PhraseMatcher) -> list[Hit]:
        return self._hits[self._index[id(matcher)]]


class MatcherSet:
    """Several built matchers searched in one pass over the text: scanning a text costs about
    the same for a small automaton as for a large one, so one scan instead of five saves most of it.
    The matchers give up their own automata to it; their `find` then goes through the set."""

    def __init__(self, matchers: list[PhraseMatcher]) -> None:
        self.matchers = matchers
        merged: dict[str, list[Group]] = {}
        for number, matcher in enumerate(matchers):
            for key, groups in matcher._join(self):
                merged.setdefault(key, []).extend((number, *group[1:]) for group in groups)
        self._automaton, self._table = _automaton({key: tuple(groups) for key, groups in merged.items()})

    def scan(self, text: str, norm: str) -> Scan:
        matchers = self.matchers
        hits: list[list[Hit]] = [[] for _ in matchers]
        if len(self._automaton):
            _search(self._automaton, self._table, text, norm, hits)
        # ids are looked up per scan, not stored: they change when the set is unpickled.
        return Scan({id(m): n for n, m in enumerate(matchers)}, hits)


def _automaton(groups: dict[str, tuple[Group, ...]]) -> tuple[Any, list[tuple[Group, ...]]]:
    """An automaton whose values are (key length, Arabic key, longest suffix of its groups, index),
    and the table of each key's groups by index. The automaton pickles each value on its own, so
    payloads kept in it would be copied per key; the table is pickled with the rest of the
    labeler, each payload once."""
    automaton = ahocorasick.Automaton()
    table: list[tuple[Group, ...]] = []
    for key, found in groups.items():
        automaton.add_word(key, (len(key), is_arabic(key), max(group[1] for group in found), len(table)))
        table.append(found)
    if len(automaton):
        automaton.make_automaton()
    return automaton, table


def _search(automaton: Any, table: list[tuple[Group, ...]], text: str, norm: str, hits: list[list[Hit]]) -> None:
    """Append to hits[n] every word-bounded hit of matcher n (suffixes allowed per key).

    The boundaries are tested on the automaton's value alone, before the key's groups are looked
    up: about half the keys found fail them. This loop runs for every key found in every article,
    so its common path (no suffix, no case rule) is written out here."""
    size = len(norm)
    new = _new_hit
    for last, (klen, arabic, suffix, index) in automaton.iter(norm):
        start = last - klen + 1
        if start and norm[start - 1].isalnum() and not (arabic and _clitic_start(norm, start)):
            continue
        end = last + 1
        if end < size and norm[end].isalnum():
            if suffix:
                _suffixed(table[index], text, norm, start, end, hits)
            continue
        key = norm[start:end]
        for number, _, payloads, entries in table[index]:
            out = hits[number]
            for payload in payloads:
                out.append(new(Hit, (start, end, key, payload)))
            for case, written, payload in entries:
                if _case_ok(case, written, text, start):
                    out.append(new(Hit, (start, end, key, payload)))


def _clitic_start(norm: str, start: int) -> bool:
    """Arabic attaches conjunctions and prepositions to the following word: a key may start after
    one or two of them."""
    cut = start
    while cut > 0 and start - cut < 2 and norm[cut - 1] in _ARABIC_CLITICS:
        cut -= 1
    return cut != start and not (cut > 0 and norm[cut - 1].isalnum())


def _suffixed(groups: tuple[Group, ...], text: str, norm: str, start: int, end: int, hits: list[list[Hit]]) -> None:
    """The hits of a key followed by letters: of each group whose suffix takes them all."""
    size = len(norm)
    for number, suffix, payloads, entries in groups:
        stop = end
        while stop < size and stop - end < suffix and norm[stop].isalpha():
            stop += 1
        if stop == end or (stop < size and norm[stop].isalnum()):
            continue
        key = norm[start:stop]
        out = hits[number]
        out.extend(_new_hit(Hit, (start, stop, key, payload)) for payload in payloads)
        out.extend(
            _new_hit(Hit, (start, stop, key, payload))
            for case, written, payload in entries
            if _case_ok(case, written, text, start)
        )


def _case_ok(case: CaseRule, written: str, text: str, start: int) -> bool:
    if case == "any":
        return True
    if case == "exact":
        return text.startswith(written, start)
    first = text[start]
    # Scripts without case (Arabic) pass.
    return not first.isalpha() or first.isupper() or first.lower() == first.upper()


def longest_first(found: Iterable[Hit], size: int) -> list[Hit]:
    """Keep the longest of overlapping hits (ties: leftmost); all payloads of a kept span stay."""
    hits = found if isinstance(found, list) else list(found)
    taken = bytearray(size)
    kept: list[Hit] = []
    starts = list(map(_start, hits))
    ends = list(map(_end, hits))
    # Positions sorted on (-length, start) written as one int, -length * (size + 1) + start, built
    # with map: ints sort several times faster than tuples, and the sort being stable keeps the
    # input order of equal spans.
    keys = list(map(add, map(mul, map(sub, starts, ends), itertools.repeat(size + 1)), starts))
    # Hits of one span sort next to each other, so "this span is already kept" is "it is the span
    # kept last".
    last_start = last_end = -1
    for i in sorted(range(len(hits)), key=keys.__getitem__):
        start = starts[i]
        end = ends[i]
        if start == last_start and end == last_end:
            kept.append(hits[i])
        elif taken.find(1, start, end) < 0:
            taken[start:end] = b"\x01" * (end - start)
            last_start, last_end = start, end
            kept.append(hits[i])
    kept.sort(key=_start)
    return kept


_start = itemgetter(0)
_end = itemgetter(1)


class Sentences:
    """Sentence spans of a text, for evidence and same-sentence tests."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _SENTENCE_END.finditer(text)]

    def index(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def span(self, index: int) -> tuple[int, int]:
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
        return self.starts[index], end

    def evidence(self, start: int, end: int, width: int = 240) -> str:
        """The sentence around a span, clipped to about `width` characters centred on the span."""
        s_start, s_end = self.span(self.index(start))
        s_end = max(s_end, end)
        if s_end - s_start > width:
            pad = max(0, (width - (end - start)) // 2)
            s_start = max(s_start, start - pad)
            s_end = min(s_end, end + pad)
        return " ".join(self.text[s_start:s_end].split())

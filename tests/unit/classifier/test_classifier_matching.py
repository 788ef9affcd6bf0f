from __future__ import annotations

import pytest

from services.classifier.matching import Hit, MatcherSet, PhraseMatcher, Sentences, expand, longest_first, normalise


def _find(phrases: list[str], text: str) -> list[str]:
    matcher = PhraseMatcher()
    for phrase in phrases:
        matcher.add(phrase, phrase)
    matcher.build()
    return [text[h.start : h.end] for h in longest_first(matcher.find(text), len(text))]


def test_expand_alternatives() -> None:
    assert sorted(expand("air (strike|raid)(|s)")) == ["air raid", "air raids", "air strike", "air strikes"]


def test_normalise_keeps_offsets() -> None:
    text = "İstanbul — Deir ez-Zor’s «ёлка» أسلحة"
    assert len(normalise(text)) == len(text)
    assert normalise("Deir ez-Zor’s") == "deir ez zor's"


def test_word_boundaries_and_wildcard() -> None:
    assert _find(["war"], "warplanes and a war") == ["war"]
    assert _find(["airstrike*"], "Airstrikes hit") == ["Airstrikes"]


def test_cyrillic_inflection() -> None:
    assert _find(["Сирия"], "в Сирии и Сирию") == ["Сирии", "Сирию"]
    assert _find(["обстрел"], "после обстрела") == ["обстрела"]
    assert _find(["ДНР="], "в ДНРовском") == []


def test_arabic_clitics() -> None:
    # The clitic stays outside the match: "بدمشق" (in Damascus) yields "دمشق".
    assert _find(["دمشق"], "وصل بدمشق ودمشق") == ["دمشق", "دمشق"]


def test_acronyms_match_exact_case() -> None:
    assert _find(["IS"], "IS fighters, it is") == ["IS"]


def test_longest_match_wins() -> None:
    assert _find(["Syria", "Syrian Arab Republic", "Republic"], "the Syrian Arab Republic") == ["Syrian Arab Republic"]


def test_star_only_at_end() -> None:
    with pytest.raises(ValueError, match="may only end a phrase"):
        PhraseMatcher().add("foo* bar", "x")


def test_sentences_evidence() -> None:
    text = "First sentence here. Second one mentions Idlib clearly! Third."
    sentences = Sentences(text)
    start = text.index("Idlib")
    assert sentences.evidence(start, start + 5) == "Second one mentions Idlib clearly!"


def test_longest_first_keeps_every_payload_of_the_winning_span() -> None:
    hits = [Hit(4, 9, "b", "short"), Hit(0, 9, "a", "one"), Hit(0, 9, "a", "two"), Hit(8, 17, "c", "tie")]
    kept = longest_first(hits, 20)
    # "tie" is as long as the first span but starts later, and overlaps it: the leftmost wins.
    assert [(h.start, h.end, h.payload) for h in kept] == [(0, 9, "one"), (0, 9, "two")]


def _built(phrases: dict[str, str]) -> PhraseMatcher:
    matcher = PhraseMatcher()
    for phrase, case in phrases.items():
        matcher.add(phrase, phrase, case=case)  # type: ignore[arg-type]
    matcher.build()
    return matcher


def test_matcher_set_finds_what_each_matcher_finds_alone() -> None:
    text = "The UN said Un-named sources in Aleppo and aleppo saw airstrikes on Сирии; war, warplanes."
    specs = [
        {"UN": "any", "Aleppo": "capital", "war": "any"},
        {"aleppo": "any", "airstrike*": "any", "Сирия": "any", "un named": "any"},
        {"war": "any", "aleppo": "exact", "Aleppo": "exact"},
    ]
    alone = [_built(spec).find(text) for spec in specs]
    joined = [_built(spec) for spec in specs]
    matchers = MatcherSet(joined)
    scan = matchers.scan(text, normalise(text))
    assert [m.find(text, scan=scan) for m in joined] == alone
    assert all(alone)

from __future__ import annotations

import pytest

from services.classifier.matching import PhraseMatcher, Sentences, expand, longest_first, normalise


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

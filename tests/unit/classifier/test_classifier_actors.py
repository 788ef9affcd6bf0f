from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from services.classifier.labeler import Labeler


def _actor_names(labeler: Labeler, text: str) -> set[str]:
    return {a.name for a in labeler.label(text).actors}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russian warplanes bombed the town overnight.", "Military Forces of Russia"),
        ("The Russian Air Force said it destroyed a convoy.", "Military Forces of Russia"),
        ("The Russian Defence Ministry said 30 fighters were killed.", "Military Forces of Russia"),
        ("Syrian regime forces shelled the village.", "Military Forces of Syria"),
        ("The Syrian government rejected the report.", "Government of Syria"),
        ("Syria's army advanced on the town.", "Military Forces of Syria"),
        ("The army of Mali repelled the attack.", "Military Forces of Mali"),
        ("Минобороны России сообщило об ударе.", "Military Forces of Russia"),
        ("L'armée syrienne a repris la ville.", "Military Forces of Syria"),
        ("قالت وزارة الدفاع الروسية إن الطائرات دمرت قافلة", "Military Forces of Russia"),
        ("US officials said the talks would continue.", "Government of the United States"),
    ],
)
def test_demonym_or_country_with_role_noun(labeler: Labeler, text: str, expected: str) -> None:
    assert expected in _actor_names(labeler, text)


def test_actor_fields(labeler: Labeler) -> None:
    actors = {a.name: a for a in labeler.label("Russian warplanes struck ISIS positions near Raqqa.").actors}
    russia = actors["Military Forces of Russia"]
    assert (russia.actor_type, russia.country_code) == ("State forces", "RU")
    assert "Russian warplanes" in russia.evidence
    isis = actors["Islamic State"]
    assert (isis.actor_type, isis.country_code) == ("Rebel groups", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Daesh fighters attacked the checkpoint.", "Islamic State"),
        ("Боевики ИГИЛ атаковали блокпост.", "Islamic State"),
        ("هاجم مسلحو داعش نقطة تفتيش", "Islamic State"),
        ("Ansar Allah launched drones at ships.", "Houthis"),
        ("Хуситы атаковали судно.", "Houthis"),
        ("The IDF said it struck targets in Gaza.", "Military Forces of Israel"),
        ("The IRGC seized a tanker.", "Military Forces of Iran"),
        ("Africa Corps instructors arrived in Bamako.", "Wagner Group"),
        ("The RSF shelled El Fasher.", "Rapid Support Forces"),
    ],
)
def test_curated_aliases(labeler: Labeler, text: str, expected: str) -> None:
    assert expected in _actor_names(labeler, text)


def test_acronym_needs_exact_case(labeler: Labeler) -> None:
    # "is" and "us" are words, not Islamic State or the United States.
    names = _actor_names(labeler, "It is not clear what happened, one of us said.")
    assert "Islamic State" not in names
    assert "Government of the United States" not in names


def test_bare_role_goes_to_main_theater_country(labeler: Labeler) -> None:
    text = "Clashes broke out in Aleppo, Syria. The army said it repelled the attack."
    assert "Military Forces of Syria" in _actor_names(labeler, text)


def test_demonym_plural_is_military_only_in_military_context(labeler: Labeler) -> None:
    assert "Military Forces of Russia" in _actor_names(labeler, "Air strikes hit Idlib; the Russians denied nothing.")
    assert "Military Forces of Russia" not in _actor_names(labeler, "Many Russians visited Turkey last summer.")


def test_actor_file_is_large_and_consistent(data_dir: Path) -> None:
    entries = yaml.safe_load((data_dir / "actors.yaml").read_text(encoding="utf-8"))
    assert len(entries) >= 150
    names = [e["name"] for e in entries]
    assert len(names) == len(set(names))
    countries = yaml.safe_load((data_dir / "countries.yaml").read_text(encoding="utf-8"))
    for entry in entries:
        code = entry["country"]
        assert code is None or (len(code) == 2 and code.isupper())
        # State actors named like the role templates must use the template's spelling, so
        # "Russian warplanes" and the curated "IDF" land on the same label.
        for prefix in ("Military Forces of ", "Government of ", "Police Forces of "):
            if entry["name"].startswith(prefix) and code in countries:
                label = countries[code].get("label") or countries[code]["name"]
                assert entry["name"] in {prefix + label, prefix + label + " (Haftar faction)"}, entry["name"]

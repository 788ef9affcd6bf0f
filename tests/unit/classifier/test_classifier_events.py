from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from services.classifier.events import EventDetector
from services.classifier.labeler import Labeler
from services.classifier.matching import Sentences, normalise
from services.classifier.taxonomy import Taxonomy


def _types(labeler: Labeler, text: str) -> list[str]:
    return [e.sub_event_type for e in labeler.label(text).events]


def test_real_strike(labeler: Labeler) -> None:
    assert (
        _types(labeler, "Turkish warplanes carried out air strikes on Kurdish positions in northern Iraq.")[0]
        == "Air/drone strike"
    )


def test_threat_is_diplomacy_not_strike(labeler: Labeler) -> None:
    types = _types(labeler, "Turkey threatened to launch air strikes on Kurdish positions in northern Iraq.")
    assert types[0] == "Diplomacy"
    assert "Air/drone strike" not in types


def test_vow_and_plan_are_not_events(labeler: Labeler) -> None:
    types = _types(labeler, "Iran vowed to retaliate with missile strikes if Israel attacked its nuclear sites.")
    assert "Shelling/artillery/missile attack" not in types
    assert "Diplomacy" in types
    assert "Air/drone strike" not in _types(labeler, "The ministry said it plans to carry out air strikes next week.")


def test_denial_is_attribution_not_the_attack(labeler: Labeler) -> None:
    types = _types(labeler, "Moscow denied carrying out the air strike on the hospital.")
    assert types[0] == "Attribution"
    assert "Air/drone strike" not in types


def test_claim_is_attribution_plus_the_attack(labeler: Labeler) -> None:
    text = (
        "Islamic State claimed responsibility for the suicide bombing at a mosque in Kabul that killed 20 worshippers."
    )
    types = _types(labeler, text)
    assert "Suicide bomb" in types
    assert "Attribution" in types


def test_accusation_is_attribution(labeler: Labeler) -> None:
    text = "Kyiv accused Russian forces of shelling the town of Kherson, killing two civilians."
    types = _types(labeler, text)
    assert {"Attribution", "Shelling/artillery/missile attack"} <= set(types)


def test_multi_event_text(labeler: Labeler) -> None:
    text = (
        "Gunmen kidnapped 30 villagers in Zamfara state on Sunday. "
        "Separately, police fired tear gas to disperse protesters in Lagos, and arrested 40 demonstrators."
    )
    types = set(_types(labeler, text))
    assert {"Abduction/forced disappearance", "Protest with intervention"} <= types


def test_specific_protest_type_absorbs_peaceful_protest(labeler: Labeler) -> None:
    types = _types(labeler, "Police fired tear gas and water cannon to disperse protesters in Nairobi.")
    assert types[0] == "Protest with intervention"
    assert "Peaceful protest" not in types


def test_other_languages(labeler: Labeler) -> None:
    assert _types(labeler, "ВСУ обстреляли Донецк из РСЗО, повреждены дома.")[0] == "Shelling/artillery/missile attack"
    assert _types(labeler, "قتل خمسة جنود في انفجار عبوة ناسفة استهدفت دورية")[0] == "Remote explosive/landmine/IED"
    assert (
        _types(labeler, "Des hommes armés ont enlevé dix personnes, dont des enfants.")[0]
        == "Abduction/forced disappearance"
    )
    assert _types(labeler, "Україна та Росія провели обмін полоненими.")[0] == "Agreement"


def test_no_event_in_unrelated_text(labeler: Labeler) -> None:
    assert _types(labeler, "The central bank left interest rates unchanged on Thursday.") == []


def test_title_counts(labeler: Labeler) -> None:
    labels = labeler.label("Officials gave few details.", title="Earthquake strikes eastern Turkey")
    assert labels.events[0].sub_event_type == "Natural disaster"
    assert labels.theaters[0].country_code == "TR"


@pytest.mark.parametrize(
    ("text", "sub_event"),
    [
        ("Des éléments armés ont attaqué un poste de l'armée à Dioura. Deux soldats ont été tués.", "Armed clash"),
        ("Des individus armés ont abattu six civils dans le village de Tanwalbougou.", "Attack"),
        ("L'armée a abattu un drone près de Gao.", "Disrupted weapons use"),
    ],
)
def test_french_attacks_by_their_target(labeler: Labeler, text: str, sub_event: str) -> None:
    # "abattu" kills people and downs aircraft: what was hit decides.
    assert labeler.label(text).events[0].sub_event_type == sub_event


def test_a_cached_detector_ignores_what_a_built_one_ignores(data_dir: Path) -> None:
    # The labeler is unpickled from its cache: what the data says to ignore must stay ignored in
    # the copy ("rebel-held" places no event), not only in the process that built it.
    built = EventDetector.build(data_dir, Taxonomy.load(data_dir))
    copy = pickle.loads(pickle.dumps(built))  # noqa: S301 - our own object
    text = "Life went on in the rebel-held districts of the city on Monday."
    for detector in (built, copy):
        result = detector.detect(text, normalise(text), Sentences(text), 0)
        assert (result.events, result.sentences) == ([], set())


@pytest.mark.parametrize(
    ("title", "text", "first"),
    [
        # Gangs or smugglers who fight security forces or kill villagers committed an ACLED event.
        (
            "Gang violence: smugglers battle border guards",
            "Border guards exchanged fire with a gang of drug smugglers near Mafraq, Jordan, killing two of them "
            "and seizing a large haul of captagon.",
            "Battles",
        ),
        (
            "Gang members torch homes in Haiti",
            "Gang members attacked the village of Mirebalais, Haiti, killing nine residents and torching homes.",
            "Violence against civilians",
        ),
        # A feud or a robbery keeps its violence criminal.
        (
            "Smuggling gang feud",
            "Two members of a smuggling gang were shot dead in Odesa in what police called a settling of scores.",
            "Organized crime",
        ),
        # No violence: a bust is crime.
        (None, "Customs officers seized 300 kg of cocaine from drug traffickers in Guayaquil.", "Organized crime"),
    ],
)
def test_crime_yields_to_the_violence_it_reports(labeler: Labeler, title: str | None, text: str, first: str) -> None:
    assert labeler.label(text, title=title).events[0].event_type == first


@pytest.mark.parametrize(
    ("text", "sub_event"),
    [
        # No trigger fires on these; what the people did or suffered still says what happened.
        (
            "Residents of two villages near Isfara, Tajikistan, pelted each other with stones over irrigation water.",
            "Mob violence",
        ),
        (
            "Трактор підірвався на протитанковій міні біля Балаклії на Харківщині, тракторист загинув.",
            "Remote explosive/landmine/IED",
        ),
        (
            "Trois hommes ont été ligotés et battus à mort par des membres d'un groupe d'autodéfense près de Zorgo.",
            "Attack",
        ),
    ],
)
def test_no_silent_misses(labeler: Labeler, text: str, sub_event: str) -> None:
    event = labeler.label(text).events[0]
    assert (event.sub_event_type, event.confidence) == (sub_event, 0.3)


def test_a_text_with_no_event_words_has_no_event(labeler: Labeler) -> None:
    assert labeler.label("The ministry published its annual report on road maintenance in Kharkiv oblast.").events == []


@pytest.mark.parametrize(
    "text",
    [
        "Border guards returned fire on armed smugglers near Ruwaished, Jordan, killing one.",
        "وأثناء دهم منزل في بلدة القصر، تعرضت دورية للجيش لإطلاق نار فردّت على مصادر النيران.",
        "اشتبكت قوات حرس الحدود مع مجموعة مسلحة قرب الرويشد في محافظة المفرق.",
    ],
)
def test_both_sides_firing_is_a_clash(labeler: Labeler, text: str) -> None:
    assert labeler.label(text).events[0].sub_event_type == "Armed clash"


@pytest.mark.parametrize(
    ("text", "sub_event"),
    [
        # "обстрелять" from small arms is no shelling.
        ("Неизвестные обстреляли из автоматического оружия пост полиции в Назрани, ранен полицейский.", "Armed clash"),
        ("Невідомі обстріляли з автомата блокпост поблизу Херсона.", "Armed clash"),
        ("Российские войска обстреляли из артиллерии Херсон, ранены двое.", "Shelling/artillery/missile attack"),
        # A fight joined, a breakthrough repelled.
        ("Прикордонники вступили в бій з російською ДРГ біля села Грем'яч на Чернігівщині.", "Armed clash"),
        ("Подразделения отразили попытку штурмовых групп прорваться у Тёткино Курской области.", "Armed clash"),
    ],
)
def test_fire_and_fight_in_russian_and_ukrainian(labeler: Labeler, text: str, sub_event: str) -> None:
    assert labeler.label(text).events[0].sub_event_type == sub_event

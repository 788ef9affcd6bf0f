from __future__ import annotations

from services.classifier.labeler import Labeler


def test_common_word_place_name_alone_is_not_a_theater(labeler: Labeler) -> None:
    # "Police" (Poland), "Nice" (France), "Reading" (UK) and "Mobile" (US) are all cities.
    labels = labeler.label("Police said the talks were nice. Reading the report, Mobile units left early.")
    assert labels.theaters == []


def test_person_named_like_a_city_is_not_a_theater(labeler: Labeler) -> None:
    labels = labeler.label("President Vladimir Putin met Turkish officials in Ankara on Monday.")
    assert [t.country_code for t in labels.theaters] == ["TR"]


def test_city_resolves_to_its_country_with_place(labeler: Labeler) -> None:
    labels = labeler.label("Heavy fighting was reported near Kramatorsk and in Donetsk region on Tuesday.")
    top = labels.theaters[0]
    assert top.country_code == "UA"
    assert top.place in {"Kramatorsk", "Donetsk"}


def test_event_place_outranks_capital_issuing_a_statement(labeler: Labeler) -> None:
    text = (
        "Moscow said on Friday that the strikes were legitimate. "
        "Air strikes hit a market in Idlib, killing 12 people, rescuers said."
    )
    labels = labeler.label(text)
    assert labels.theaters[0].country_code == "SY"
    assert labels.theaters[0].place == "Idlib"


def test_russian_text(labeler: Labeler) -> None:
    text = "Российские войска нанесли ракетный удар по Харькову. В результате обстрела погибли мирные жители."
    labels = labeler.label(text)
    assert labels.language == "ru"
    assert labels.theaters[0].country_code == "UA"
    assert labels.theaters[0].place == "Kharkiv"
    assert "Military Forces of Russia" in {a.name for a in labels.actors}
    assert labels.events[0].sub_event_type == "Shelling/artillery/missile attack"


def test_ukrainian_text(labeler: Labeler) -> None:
    text = "Сили ППО збили 20 ударних дронів над Одесою, повідомили у Повітряних силах ЗСУ."
    labels = labeler.label(text)
    assert labels.language == "uk"
    assert labels.theaters[0].country_code == "UA"
    assert "Military Forces of Ukraine" in {a.name for a in labels.actors}
    assert "Disrupted weapons use" in {e.sub_event_type for e in labels.events}


def test_arabic_text(labeler: Labeler) -> None:
    text = "شن الطيران الحربي الروسي غارات جوية على مواقع في ريف إدلب، وقالت مصادر إن الجيش السوري تقدم في المنطقة."
    labels = labeler.label(text)
    assert labels.language == "ar"
    assert labels.theaters[0].country_code == "SY"
    assert labels.theaters[0].place == "Idlib"
    names = {a.name for a in labels.actors}
    assert {"Military Forces of Russia", "Military Forces of Syria"} <= names
    assert labels.events[0].sub_event_type == "Air/drone strike"


def test_french_text(labeler: Labeler) -> None:
    text = "Une embuscade tendue par des jihadistes du JNIM a visé l'armée malienne près de Mopti, au Mali."
    labels = labeler.label(text)
    assert labels.language == "fr"
    assert labels.theaters[0].country_code == "ML"
    names = {a.name for a in labels.actors}
    assert {"JNIM", "Military Forces of Mali"} <= names
    assert labels.events[0].sub_event_type == "Armed clash"

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


def test_village_in_an_admin_chain_is_placed_with_coordinates(labeler: Labeler) -> None:
    top = labeler.label("Shelling was observed near Krasnohorivka (Pokrovsk, Donetsk) on Sunday.").theaters[0]
    assert (top.country_code, top.admin1, top.place, top.precision) == ("UA", "Donetsk", "Krasnohorivka", "place")
    # GeoNames' Krasnohorivka of Donetsk oblast, not its namesake in Poltava oblast.
    assert top.latitude is not None and top.longitude is not None
    assert abs(top.latitude - 48.0) < 0.1 and abs(top.longitude - 37.5) < 0.1
    assert top.geonames_id == 704393


def test_inflected_ukrainian_village_is_found(labeler: Labeler) -> None:
    # The accusative "Красногорівку" is found through its stem, Donetsk oblast's Krasnohorivka first.
    found = list(labeler.gazetteer.places.find("обстріляли Красногорівку", bytearray(26)))
    assert [p.name for p in found[0].places if p.admin1 == "Donetsk"] == ["Krasnohorivka"]


def test_arabic_village_after_a_settlement_word(labeler: Labeler) -> None:
    top = labeler.label("قصف مدفعي على قرية الزهرة في محافظة الحديدة أسفر عن مقتل مدنيين").theaters[0]
    assert (top.country_code, top.place) == ("YE", "Az Zuhrah")


def test_currency_is_not_a_theater(labeler: Labeler) -> None:
    labels = labeler.label("Hundreds protested in Beirut on Monday against the soaring US dollar rate.")
    assert [t.country_code for t in labels.theaters] == ["LB"]


def test_hamlet_named_like_a_word_needs_support(labeler: Labeler) -> None:
    # "Mission" and "Progress" are villages somewhere; without a cue, chain or agreement they are words.
    labels = labeler.label("Mission staff said Progress was slow in talks on Tuesday.")
    assert labels.theaters == []


def test_arabic_dateline_and_short_town_with_clitic(labeler: Labeler) -> None:
    # "عدن" (Aden, also "Eden") is three letters; "بعدن" is "in Aden".
    text = "عدن، 3 آذار/مارس 2026 – تظاهر عشرات من السكان في مديرية الشيخ عثمان بعدن احتجاجاً على انقطاع الكهرباء."
    assert labeler.label(text).theaters[0].country_code == "YE"


def test_arabic_common_word_after_fi_is_no_town(labeler: Labeler) -> None:
    # "في إطار" is "within the framework of"; Atar (Mauritania) is also written "أطار".
    text = "في إطار حملة أمنية، اعتقلت الشرطة خمسة أشخاص في مدينة الأقصر بتهمة تهريب الآثار."
    codes = [t.country_code for t in labeler.label(text).theaters]
    assert codes[0] == "EG"
    assert "MR" not in codes


def test_district_after_a_dash_locates_an_unknown_village(labeler: Labeler) -> None:
    text = "Army units raided several homes in the village of Hawsh Tal Safiya – Baalbek on Sunday, arresting two men."
    top = labeler.label(text).theaters[0]
    assert (top.country_code, top.admin1) == ("LB", "Baalbek-Hermel")


def test_chain_picks_the_homonym_in_its_region(labeler: Labeler) -> None:
    # Leer is a town in Lower Saxony and in South Sudan's Unity state.
    top = labeler.label("Flooding displaced hundreds of families in Leer town (Unity state) on Monday.").theaters[0]
    assert (top.country_code, top.place) == ("SS", "Leer")


def test_cyrillic_adjective_of_a_region_known_in_latin_letters(labeler: Labeler) -> None:
    top = labeler.label("Жители приграничных сёл Тавушской области перекрыли дорогу в знак протеста.").theaters[0]
    assert (top.country_code, top.admin1) == ("AM", "Tavush")


def test_french_elision_opens_a_name(labeler: Labeler) -> None:
    top = labeler.label("Une pirogue surchargée a chaviré près d'Inongo mardi soir.").theaters[0]
    assert (top.country_code, top.place) == ("CD", "Inongo")


def test_fleeting_vowel_of_a_ukrainian_town(labeler: Labeler) -> None:
    # Марганець, genitive Марганця.
    top = labeler.label("Дрон уразив автобус на одній із вулиць Марганця, поранено трьох людей.").theaters[0]
    assert (top.country_code, top.place) == ("UA", "Marhanets")


def test_region_inside_an_actors_name_counts_its_country_does_not(labeler: Labeler) -> None:
    text = "Херсонська обласна військова адміністрація повідомила, що російські війська обстріляли селище Антонівка."
    top = labeler.label(text).theaters[0]
    assert (top.country_code, top.admin1) == ("UA", "Kherson")


def test_where_fire_came_from_is_not_the_theater(labeler: Labeler) -> None:
    text = "Російські війська з території Брянської області обстріляли Семенівку Чернігівської області."
    assert labeler.label(text).theaters[0].country_code == "UA"


def test_street_named_after_a_country_is_not_that_country(labeler: Labeler) -> None:
    text = "A hand grenade was thrown at a shop on Syria Street in Tripoli (North Lebanon), injuring its owner."
    top = labeler.label(text).theaters[0]
    assert (top.country_code, top.place) == ("LB", "Tripoli")


def test_a_dateline_alone_places_the_text(labeler: Labeler) -> None:
    text = "CONAKRY, 14 août 2026 - Les forces de sécurité ont dispersé des manifestants de l'opposition."
    top = labeler.label(text).theaters[0]
    assert (top.country_code, top.place) == ("GN", "Conakry")


def test_a_capital_that_speaks_is_not_where_it_happened(labeler: Labeler) -> None:
    text = "У Москві заявили про збиття дронів. Уламки пошкодили будинок у Валуйках Бєлгородської області."
    top = labeler.label(text).theaters[0]
    assert (top.country_code, top.place) == ("RU", "Valuyki")


def test_a_capital_in_an_inflected_form_is_the_town(labeler: Labeler) -> None:
    top = labeler.label("В Хартуме в результате обстрела погибли 10 мирных жителей.").theaters[0]
    assert (top.country_code, top.place) == ("SD", "Khartoum")


def test_a_demonym_in_an_actors_name_is_no_region(labeler: Labeler) -> None:
    # "Somali" is also Ethiopia's Somali region; al-Shabaab is a Somali group.
    text = "On 12 July 2026, Somali army troops clashed with al-Shabaab militants near Bulo Burte (Hiraan)."
    codes = [t.country_code for t in labeler.label(text).theaters]
    assert codes[0] == "SO"
    assert "ET" not in codes


def test_chain_after_an_unknown_village_locates_it(labeler: Labeler) -> None:
    top = labeler.label("On 11 November 2026, residents of Kirants (Tavush) blocked the main road.").theaters[0]
    assert (top.country_code, top.admin1) == ("AM", "Tavush")


def test_a_namesake_village_outside_its_chain_gives_way(labeler: Labeler) -> None:
    top = labeler.label("On 15 September 2026, police detained 40 protesters in Kadikoy (Istanbul).").theaters[0]
    assert (top.country_code, top.admin1) == ("TR", "Istanbul")

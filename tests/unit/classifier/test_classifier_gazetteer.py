from __future__ import annotations

import pytest

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


# Where a report places its event, written as monitors and agencies write: (text, country, the
# theater field checked, its value).
PLACED = {
    # "عدن" (Aden, also "Eden") is three letters; "بعدن" is "in Aden".
    "arabic dateline, short town with a clitic": (
        "عدن، 3 آذار/مارس 2026 – تظاهر عشرات من السكان في مديرية الشيخ عثمان بعدن احتجاجاً على انقطاع الكهرباء.",
        "YE",
        "admin1",
        "Aden",
    ),
    "district after a dash locates an unknown village": (
        "Army units raided several homes in the village of Hawsh Tal Safiya – Baalbek on Sunday, arresting two men.",
        "LB",
        "admin1",
        "Baalbek-Hermel",
    ),
    # Leer is a town in Lower Saxony and in South Sudan's Unity state.
    "chain picks the homonym in its region": (
        "Flooding displaced hundreds of families in Leer town (Unity state) on Monday.",
        "SS",
        "place",
        "Leer",
    ),
    "cyrillic adjective of a region known in latin letters": (
        "Жители приграничных сёл Тавушской области перекрыли дорогу в знак протеста.",
        "AM",
        "admin1",
        "Tavush",
    ),
    "french elision opens a name": (
        "Une pirogue surchargée a chaviré près d'Inongo mardi soir.",
        "CD",
        "place",
        "Inongo",
    ),
    # Марганець, genitive Марганця.
    "fleeting vowel of a ukrainian town": (
        "Дрон уразив автобус на одній із вулиць Марганця, поранено трьох людей.",
        "UA",
        "place",
        "Marhanets",
    ),
    "region inside an actor's name counts": (
        "Херсонська обласна військова адміністрація повідомила, що російські війська обстріляли селище Антонівка.",
        "UA",
        "admin1",
        "Kherson",
    ),
    "street named after a country is not that country": (
        "A hand grenade was thrown at a shop on Syria Street in Tripoli (North Lebanon), injuring its owner.",
        "LB",
        "place",
        "Tripoli",
    ),
    "a dateline alone places the text": (
        "CONAKRY, 14 août 2026 - Les forces de sécurité ont dispersé des manifestants de l'opposition.",
        "GN",
        "place",
        "Conakry",
    ),
    "a capital that speaks is not where it happened": (
        "У Москві заявили про збиття дронів. Уламки пошкодили будинок у Валуйках Бєлгородської області.",
        "RU",
        "place",
        "Valuyki",
    ),
    "a capital in an inflected form is the town": (
        "В Хартуме в результате обстрела погибли 10 мирных жителей.",
        "SD",
        "place",
        "Khartoum",
    ),
    "chain after an unknown village locates it": (
        "On 11 November 2026, residents of Kirants (Tavush) blocked the main road.",
        "AM",
        "admin1",
        "Tavush",
    ),
    "a namesake village outside its chain gives way": (
        "On 15 September 2026, police detained 40 protesters in Kadikoy (Istanbul).",
        "TR",
        "admin1",
        "Istanbul",
    ),
    "a place after a bearing from another is its reference point": (
        "On 3 May 2026, an IED struck a PMF vehicle near Al-Miqdadiya, 20 km north-east of Baquba (Diyala).",
        "IQ",
        "place",
        "Al Miqdādīyah",
    ),
    "a region in the genitive right after a name locates it": (
        "Дрони атакували Новоросійськ Краснодарського краю, повідомили в СБУ.",
        "RU",
        "admin1",
        "Krasnodar",
    ),
    "one name's mentions do not vouch for each other": (
        "Youths clashed with the army in Lebanon's Tripoli on Saturday. Shops in Tripoli stayed shut on Sunday.",
        "LB",
        "place",
        "Tripoli",
    ),
    "a chain may name a district the gazetteer lacks": (
        "Des hommes armés ont tué trois civils à Mandouri (préfecture de Kpendjal, région des Savanes).",
        "TG",
        "place",
        "Mandouri",
    ),
    # Burkina Faso has a Sud-Ouest region too.
    "a compass-named region does not veto its chain's head": (
        "Des séparatistes ont attaqué un poste de gendarmerie à Muyuka (département du Fako, région du Sud-Ouest).",
        "CM",
        "place",
        "Muyuka",
    ),
    # cities500 has Babanūsah in Latin letters only.
    "an arabic town met by its consonants after a settlement word": (
        "قتل ثلاثة أشخاص في هجوم مسلح على بلدة بابنوسة بولاية غرب كردفان.",
        "SD",
        "place",
        "Babanūsah",
    ),
    "an adjective of a regional centre is its region, not the town": (
        "Харьковская обл., Харьковский р-н, пгт Казачья Лопань. Беспилотник атаковал микроавтобус.",
        "UA",
        "place",
        "Kozacha Lopan",
    ),
    "a genitive after a sentence's first word is no person's name": (
        "Жители Махачкалы вышли на акцию протеста против отключений электричества.",
        "RU",
        "place",
        "Makhachkala",
    ),
    "a town in a region the text names more often is where it happened": (
        "ISWAP fighters attacked a military base in Damboa, Borno state. The Borno state government condemned "
        "the attack and the Borno governor visited the troops.",
        "NG",
        "place",
        "Damboa",
    ),
}


@pytest.mark.parametrize("case", PLACED)
def test_where_a_report_places_its_event(labeler: Labeler, case: str) -> None:
    text, country, field, value = PLACED[case]
    top = labeler.label(text).theaters[0]
    assert (top.country_code, getattr(top, field)) == (country, value)


def test_arabic_common_word_after_fi_is_no_town(labeler: Labeler) -> None:
    # "في إطار" is "within the framework of"; Atar (Mauritania) is also written "أطار".
    text = "في إطار حملة أمنية، اعتقلت الشرطة خمسة أشخاص في مدينة الأقصر بتهمة تهريب الآثار."
    codes = [t.country_code for t in labeler.label(text).theaters]
    assert codes[0] == "EG"
    assert "MR" not in codes


def test_where_fire_came_from_is_not_the_theater(labeler: Labeler) -> None:
    text = "Російські війська з території Брянської області обстріляли Семенівку Чернігівської області."
    assert labeler.label(text).theaters[0].country_code == "UA"


def test_a_demonym_in_an_actors_name_is_no_region(labeler: Labeler) -> None:
    # "Somali" is also Ethiopia's Somali region; al-Shabaab is a Somali group.
    text = "On 12 July 2026, Somali army troops clashed with al-Shabaab militants near Bulo Burte (Hiraan)."
    codes = [t.country_code for t in labeler.label(text).theaters]
    assert codes[0] == "SO"
    assert "ET" not in codes


@pytest.mark.parametrize(
    ("text", "country", "admin1"),
    [
        # A region word before the name: the region, not Albania's town Laç.
        ("Des combats ont eu lieu dans la province du Lac.", "TD", "Lac"),
        # A French admin-2 name without its article: "Province de la Kossi".
        ("Des frappes ont visé des combattants dans la province de la Kossi.", "BF", "Boucle du Mouhoun"),
        ("Fighting was reported in the province of Badakhshan.", "AF", "Badakhshan"),
        # Arabic names of regions that their towns do not give.
        ("قتل ثلاثة مدنيين في هجوم مسلح في إقليم شبيلي السفلى يوم الاثنين.", "SO", "Lower Shabelle"),
        ("قتل ثلاثة مدنيين في هجوم مسلح في ولاية النيل الأزرق يوم الاثنين.", "SD", "Blue Nile"),
        ("قتل ثلاثة مدنيين في هجوم مسلح في محافظة شبوة يوم الاثنين.", "YE", "Shabwah"),
        # A curated region stays a region where its country has a namesake village.
        ("قتل ثلاثة مدنيين في هجوم مسلح في محافظة صلاح الدين يوم الاثنين.", "IQ", "Salah al-Din"),
        # Arabic names as French writes them: Zawiya, El Fasher.
        ("Des affrontements armés ont éclaté à Zaouïa entre deux groupes armés rivaux.", "LY", "Zawiya"),
        ("Des obus sont tombés sur un marché d'El-Facher, tuant six civils.", "SD", "North Darfur"),
    ],
)
def test_regions_and_french_forms_of_names(labeler: Labeler, text: str, country: str, admin1: str) -> None:
    top = labeler.label(text).theaters[0]
    assert (top.country_code, top.admin1) == (country, admin1)


def test_french_chain_with_article_locates_the_unknown_village(labeler: Labeler) -> None:
    # Mali's Boni is not in GeoNames under that name; Bonn's alternate names are no place here.
    text = "Des hommes armés ont enlevé le chef du village de Boni (cercle de Douentza)."
    top = labeler.label(text).theaters[0]
    assert (top.country_code, top.place) == ("ML", "Douentza")


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("أحبطت القوات المسلحة الأردنية محاولة تسلل وتهريب مخدرات على الواجهة الشمالية للمملكة.", "JO"),
        ("The Jordanian army said it foiled an attempt to smuggle drugs across the northern frontier.", "JO"),
    ],
)
def test_a_state_whose_forces_act_places_a_text_that_names_no_place(labeler: Labeler, text: str, country: str) -> None:
    theaters = labeler.label(text).theaters
    assert [(t.country_code, t.precision) for t in theaters] == [(country, "country")]


def test_where_hostages_are_held_is_no_theater(labeler: Labeler) -> None:
    text = "Police cleared demonstrators who blocked a highway in Tel Aviv, demanding a deal for hostages held in Gaza."
    assert labeler.label(text).theaters[0].country_code == "IL"


def test_ordinary_arabic_words_are_not_met_by_their_consonants(labeler: Labeler) -> None:
    # "عشرات" (tens) and "مشروع" (a project) share consonants with villages abroad.
    text = "قتل عشرات المزارعين في مشروع زراعي قرب مدينة القضارف شرقي السودان."
    assert [t.country_code for t in labeler.label(text).theaters] == ["SD"]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # A Ukrainian closed last syllable opens in the other cases: "Київ", "у Києві".
        ("Вибух пролунав у Києві вночі.", "Kyiv"),
        ("Росіяни атакували дронами об'єкти в Миколаєві.", "Mykolayiv"),
        ("Вибухи пролунали біля Чернігова.", "Chernihiv"),
        # A Russian case form that is also a village's name ("Львове") is the city's too.
        ("Взрывы прогремели во Львове ночью.", "Lviv"),
    ],
)
def test_towns_in_their_other_cases(labeler: Labeler, text: str, place: str) -> None:
    top = labeler.label(text).theaters[0]
    assert (top.country_code, top.place) == ("UA", place)


def test_a_chain_after_a_name_of_several_words_locates_all_of_it(labeler: Labeler) -> None:
    # "Barh" alone is a town in India; the chain says the name is Chad's.
    top = labeler.label("Clashes broke out in Barh Kôh department (Moyen-Chari province) on Monday.").theaters[0]
    assert (top.country_code, top.admin1) == ("TD", "Moyen-Chari")


def test_a_title_name_that_the_dateline_repeats_is_a_place(labeler: Labeler) -> None:
    labels = labeler.label(
        "РІВНЕ, 3 березня 2026. Кілька сотень людей зібралися на майдані. Перемовини тривають за посередництва Катару.",
        title="У Рівному люди вийшли на акцію",
    )
    assert (labels.theaters[0].country_code, labels.theaters[0].place) == ("UA", "Rivne")


@pytest.mark.parametrize(
    ("text", "country", "admin1", "place"),
    [
        # A monitor's heading: a place and a date open the note.
        ("Lviv, 8 March 2026: about 300 people held a peaceful rally in the old town.", "UA", "Lviv", "Lviv"),
        ("Львів, 8 березня 2026 року: близько 300 людей провели мирну акцію на площі Ринок.", "UA", "Lviv", "Lviv"),
        # A heading that names a region with its word, abbreviated or not.
        (
            "Брянская обл., Суземский р-н. ВСУ атаковали FPV-дронами микроавтобус, ранен водитель.",
            "RU",
            "Bryansk",
            None,
        ),
        ("Брянская область. ВСУ атаковали микроавтобус, ранен водитель.", "RU", "Bryansk", None),
        ("Херсонська обл. Росіяни атакували дроном автобус, поранено водія.", "UA", "Kherson", None),
    ],
)
def test_a_notes_heading_places_it(labeler: Labeler, text: str, country: str, admin1: str, place: str | None) -> None:
    top = labeler.label(text).theaters[0]
    assert (top.country_code, top.admin1, top.place) == (country, admin1, place)


@pytest.mark.parametrize(
    ("text", "country", "place"),
    [
        # A monitor's heading is where the event was, even when a better-known namesake follows.
        ("Ma'an, 2 Aug 2025: Dozens of young men threw stones at police vehicles in the al-Tur area.", "JO", "Ma'an"),
        (
            "Saudi Arabia, Jazan, 15 Nov 2025: border guards opened fire on migrants "
            "crossing from Yemen's Saada governorate.",
            "SA",
            "Jizan",
        ),
    ],
)
def test_a_monitors_heading_is_the_events_place(labeler: Labeler, text: str, country: str, place: str) -> None:
    top = labeler.label(text).theaters[0]
    assert (top.country_code, top.place) == (country, place)


def test_a_wire_dateline_in_capitals_stays_the_reporters_place(labeler: Labeler) -> None:
    top = labeler.label("AMMAN, Aug 2 (Reuters) - Dozens of young men burned tyres in Ma'an on Saturday.").theaters[0]
    assert top.place == "Ma'an"


@pytest.mark.parametrize(
    ("text", "country", "place"),
    [
        # An abbreviated settlement word ("г.", "с.") cues the name after it and ends no sentence.
        (
            "07.03.2026, Ошская обл., Кара-Суйский р-н, г. Кара-Суу. Около 300 жителей собрались у здания ОВД.",
            "KG",
            "Kara Suu",
        ),
        ("13.05.2026, с. Ак-Сай. Між жителями сталася масова бійка з камінням.", "KG", "Ak-Say"),
    ],
)
def test_abbreviated_settlements_and_compound_names(labeler: Labeler, text: str, country: str, place: str) -> None:
    top = labeler.label(text).theaters[0]
    assert (top.country_code, top.place) == (country, place)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # A name that goes on is part of another: no town of its own.
        ("Кара-Суйский районный суд арестовал двоих участников беспорядков.", "TG"),
        ("Une unité de l'armée a saisi des roquettes près d'Alma el-Chaab, au Liban.", "DZ"),
    ],
)
def test_part_of_a_longer_name_is_no_place(labeler: Labeler, text: str, absent: str) -> None:
    assert absent not in {t.country_code for t in labeler.label(text).theaters}


def test_the_preposition_is_no_abbreviated_settlement(labeler: Labeler) -> None:
    # "граничащий с Харьковской областью": "с" without its dot is "with", not "село".
    text = (
        "БЕЛГОРОД, 3 марта 2026 — Дрон атаковал автомобиль в Грайвороне, ранен водитель, сообщил губернатор "
        "Белгородской области. Грайворонский округ, граничащий с Харьковской областью, обстреливают ежедневно."
    )
    assert [t.country_code for t in labeler.label(text).theaters] == ["RU"]

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from services.classifier.actors import _GATE_REACH, Cue, Cues, Pattern, SourceFrames, _gate_automaton, _regions, _trie
from services.classifier.labeler import Labeler
from services.classifier.matching import Hit, normalise
from services.kit.models import Actor


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


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        # Riot-control forces are the police.
        (
            "قطع عشرات المحتجين الطريق في الناصرية بالعراق، وتدخلت قوات مكافحة الشغب مستخدمة الغاز المسيل للدموع.",
            "Police Forces of Iraq",
        ),
        (
            "Des manifestants ont bloqué une route à Bassora, en Irak, avant l'intervention des forces anti-émeute.",
            "Police Forces of Iraq",
        ),
        # Wanted men who fire back are an armed group.
        (
            "Les recherchés ont ouvert le feu sur la patrouille de l'armée à Hermel, au Liban ; deux ont été tués.",
            "Unidentified Armed Group (Lebanon)",
        ),
        (
            "تعرضت دورية للجيش لإطلاق نار من قبل المطلوبين في بلدة الهرمل بلبنان، فردت على مصادر النيران.",
            "Unidentified Armed Group (Lebanon)",
        ),
    ],
)
def test_actors_named_by_what_they_are_called(labeler: Labeler, text: str, actor: str) -> None:
    assert actor in _actor_names(labeler, text)


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


def _actors(labeler: Labeler, text: str) -> dict[str, Actor]:
    return {a.name: a for a in labeler.label(text).actors}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Civilians: only as victims of violence.
        ("Militants shelled a market in Maiduguri, Nigeria, killing seven civilians.", "Civilians (Nigeria)"),
        ("Снаряд попал в жилой дом в Донецке, Украина, погибли двое мирных жителей.", "Civilians (Ukraine)"),
        ("Унаслідок обстрілу Сум, Україна, загинули троє цивільних.", "Civilians (Ukraine)"),
        ("قتل أربعة مدنيين بقصف على بلدة في ريف حماة في سوريا", "Civilians (Syria)"),
        ("Des assaillants ont tué six villageois près de Fada N'Gourma, au Burkina Faso.", "Civilians (Burkina Faso)"),
        # Protesters: people who protest.
        (
            "Thousands of demonstrators marched through Khartoum, Sudan, calling for civilian rule.",
            "Protesters (Sudan)",
        ),
        ("Митингующие собрались на площади в Ереване, Армения, требуя отставки правительства.", "Protesters (Armenia)"),
        ("Протестувальники зібралися на мітинг біля Львова, Україна.", "Protesters (Ukraine)"),
        ("خرج المحتجون إلى شوارع البصرة في العراق احتجاجا على انقطاع الكهرباء", "Protesters (Iraq)"),
        ("Des manifestants se sont rassemblés devant la mairie de Niamey, au Niger.", "Protesters (Niger)"),
        # Rioters: violent crowds and brawling groups.
        ("An angry crowd torched a police post in Kisumu, Kenya, after a shooting.", "Rioters (Kenya)"),
        (
            "Residents of two neighbouring villages fought with sticks and stones near Jowhar, Somalia.",
            "Rioters (Somalia)",
        ),
        ("Жители двух соседних сел устроили массовую драку с камнями в Дагестане, Россия.", "Rioters (Russia)"),
        ("اشتبك أفراد من عشيرتين بالعصي في قرية قرب الموصل في العراق", "Rioters (Iraq)"),
        ("Des émeutiers ont pillé des boutiques à Conakry, en Guinée.", "Rioters (Guinea)"),
        # Unidentified armed groups.
        ("Unknown assailants shot dead a local official in Gao, Mali.", "Unidentified Armed Group (Mali)"),
        ("Неизвестные вооружённые люди напали на пост в Дамаске, Сирия.", "Unidentified Armed Group (Syria)"),
        ("Невідомі нападники підпалили автомобіль у Дніпрі, Україна.", "Unidentified Armed Group (Ukraine)"),
        ("هاجم مسلحون مجهولون حاجزا في ريف دير الزور في سوريا", "Unidentified Armed Group (Syria)"),
        (
            "Des hommes armés non identifiés ont enlevé un enseignant à Mopti, au Mali.",
            "Unidentified Armed Group (Mali)",
        ),
    ],
)
def test_generic_groups_take_the_theater_country(labeler: Labeler, text: str, expected: str) -> None:
    assert expected in _actor_names(labeler, text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # Civilians named without harm, and harm by nature, are no actors.
        (
            "Residents of Goma, Congo, returned to their homes after the holiday.",
            "Civilians (Democratic Republic of Congo)",
        ),
        (
            "The strike near Idlib, Syria, hit an empty depot and no civilians were hurt, the army said.",
            "Civilians (Syria)",
        ),
        # Speakers are no actors: "residents said".
        ("Troops clashed with rebels near Bunia, Congo, residents said.", "Civilians (Democratic Republic of Congo)"),
        # A group named elsewhere in the text: "the gunmen" are that group.
        (
            "Al-Shabaab claimed the attack in Baidoa, Somalia, where gunmen stormed a hotel.",
            "Unidentified Armed Group (Somalia)",
        ),
        # A protest is no riot unless it turns violent.
        ("Protesters marched peacefully in Tunis, Tunisia, to demand jobs.", "Rioters (Tunisia)"),
    ],
)
def test_generic_groups_need_evidence(labeler: Labeler, text: str, absent: str) -> None:
    assert absent not in _actor_names(labeler, text)


@pytest.mark.parametrize(
    ("text", "civilians"),
    [
        # The hurt of a fight between sides are its fighters...
        ("Troops clashed with Ansaru fighters near Birnin Gwari, Nigeria; nine people were killed.", False),
        ("Двое жителей погибли в перестрелке между боевиками двух группировок в Дагестане, Россия.", False),
        # ...unless the text calls them civilians, or nobody fought back.
        ("Troops clashed with Ansaru fighters near Birnin Gwari, Nigeria; a civilian died from a stray round.", True),
        ("Gunmen killed nine people in a village near Birnin Gwari, Nigeria.", True),
    ],
)
def test_the_hurt_of_a_fight_are_its_fighters(labeler: Labeler, text: str, civilians: bool) -> None:
    names = _actor_names(labeler, text)
    assert any(n.startswith("Civilians (") for n in names) is civilians, names


def test_the_forces_a_state_speaks_of_are_its_own(labeler: Labeler) -> None:
    names = _actor_names(
        labeler,
        "Israeli settlers attacked the village of Sinjil near Ramallah. "
        "The Israeli military said soldiers were sent to the area and that police had arrested two settlers.",
    )
    assert {"Military Forces of Israel", "Police Forces of Israel"} <= names
    assert not {"Military Forces of Palestine", "Police Forces of Palestine"} & names


def test_violent_protesters_are_rioters(labeler: Labeler) -> None:
    names = _actor_names(labeler, "Demonstrators threw stones at police and burned tyres in Lagos, Nigeria.")
    assert "Rioters (Nigeria)" in names
    assert "Protesters (Nigeria)" not in names


@pytest.mark.parametrize(
    ("text", "name", "actor_type"),
    [
        (
            "Fighters of the Marri tribe attacked a gas pipeline near Kohlu, Pakistan.",
            "Marri Tribal Militia (Pakistan)",
            "Identity militias",
        ),
        # The sides of a feud or a raid, named as reports name them.
        (
            "لقي شخصان مصرعهما في تبادل لإطلاق النار بين عائلتي أبو\nحسين والشريف في محافظة سوهاج بمصر.",
            "أبو حسين Clan Militia (Egypt)",
            "Identity militias",
        ),
        (
            "Un échange de tirs a opposé les familles Haidar et Zein à Hermel, au Liban.",
            "Haidar Clan Militia (Lebanon)",
            "Identity militias",
        ),
        (
            "Youths of the Apuk and Aguok sections clashed near Gogrial, South Sudan.",
            "Apuk Communal Militia (South Sudan)",
            "Identity militias",
        ),
        (
            "Clashes between Bororo herders and Gbaya farmers left five dead near Bouar, Central African Republic.",
            "Gbaya Communal Militia (Central African Republic)",
            "Identity militias",
        ),
        (
            "Fulani herders attacked farmers near Bokkos, Plateau State, Nigeria.",
            "Fulani Ethnic Militia (Nigeria)",
            "Identity militias",
        ),
        (
            "Bugti tribesmen ambushed a convoy near Sui, Pakistan.",
            "Bugti Tribal Militia (Pakistan)",
            "Identity militias",
        ),
        (
            "Gunmen of the Habar Gidir clan militia clashed with troops near Galkayo, Somalia.",
            "Habar Gidir Clan Militia (Somalia)",
            "Identity militias",
        ),
        (
            "Nuer militiamen raided cattle camps near Bor, South Sudan.",
            "Nuer Ethnic Militia (South Sudan)",
            "Identity militias",
        ),
        (
            "La milice dozo a attaqué un hameau près de Banfora, au Burkina Faso.",
            "Dozo Communal Militia (Burkina Faso)",
            "Identity militias",
        ),
        (
            "Des miliciens peuls ont incendié des greniers près de Bankass, au Mali.",
            "Fulani Ethnic Militia (Mali)",
            "Identity militias",
        ),
        (
            "اشتبك مسلحون من قبيلة العقيدات مع قوات سوريا الديمقراطية في دير الزور في سوريا",
            "العقيدات Tribal Militia (Syria)",
            "Identity militias",
        ),
        (
            "Rebels of the Cabinda Liberation Front attacked an army post near Buco-Zau, Angola.",
            "Cabinda Liberation Front",
            "Rebel groups",
        ),
    ],
)
def test_named_groups_from_patterns(labeler: Labeler, text: str, name: str, actor_type: str) -> None:
    actors = _actors(labeler, text)
    assert name in actors
    assert actors[name].actor_type == actor_type


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The 3rd Assault Brigade repelled an attack near Kupiansk, Ukraine.", "Military Forces of Ukraine"),
        ("47-я бригада отразила атаку под Авдеевкой, Украина.", "Military Forces of Ukraine"),
        (
            "Бійці 93-ї окремої механізованої бригади відбили штурм біля Костянтинівки, Україна.",
            "Military Forces of Ukraine",
        ),
        ("Le 2e bataillon a repoussé une attaque près de Gao, au Mali.", "Military Forces of Mali"),
        ("قال اللواء 35 إنه صد هجوما في عدن في اليمن", "Military Forces of Yemen"),
    ],
)
def test_numbered_units_are_the_theater_state(labeler: Labeler, text: str, expected: str) -> None:
    assert expected in _actor_names(labeler, text)


def test_common_capitalised_words_are_no_named_group(labeler: Labeler) -> None:
    names = _actor_names(labeler, "The Local militia was disbanded in Jos, Nigeria, officials said on Monday.")
    assert not any(name.startswith("Local ") for name in names)


def test_acronym_is_read_by_theater(labeler: Labeler) -> None:
    assert "Military Forces of Nigeria" in _actor_names(
        labeler, "The NAF bombed a bandit camp in Zamfara State, Nigeria."
    )
    assert "Military Forces of Nigeria" not in _actor_names(labeler, "The NAF reported shelling near Donetsk, Ukraine.")
    assert "Military Forces of Burkina Faso" in _actor_names(
        labeler, "Les FDS ont repoussé une attaque près de Djibo, au Burkina Faso."
    )
    niger = _actor_names(labeler, "Les FDS ont repoussé une attaque près de Tillabéri, au Niger.")
    assert "Military Forces of Niger" in niger
    assert "Military Forces of Burkina Faso" not in niger


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (
            "The OSCE SMM observed 30 explosions near Horlivka, Ukraine, and shelling killed two civilians.",
            "OSCE Special Monitoring Mission",
        ),
        (
            "Regime forces shelled Maarat al-Numan, Syria, killing four civilians, according to SOHR.",
            "Syrian Observatory for Human Rights",
        ),
        (
            "Human Rights Watch documented the killing of nine villagers by soldiers near Bamenda, Cameroon.",
            "Human Rights Watch",
        ),
        ("La MINUSCA a rapporté que des hommes armés ont tué trois civils près de Bria, en Centrafrique.", "MINUSCA"),
        ("По данным ООН, при обстреле Херсона, Украина, погибли четверо мирных жителей.", "United Nations"),
        (
            "За даними ООН, російська ракета влучила в житловий будинок в Одесі, Україна, загинули двоє цивільних.",
            "United Nations",
        ),
        ("وفقا للمرصد السوري، قتل ثلاثة مدنيين بقصف على بلدة في إدلب في سوريا", "Syrian Observatory for Human Rights"),
        ("Gunmen killed five farmers near Katsina, Nigeria, police said on Sunday.", "Police Forces of Nigeria"),
    ],
)
def test_reporters_are_sources_ranked_after_parties(labeler: Labeler, text: str, source: str) -> None:
    actors = labeler.label(text).actors
    by_name = {a.name: a for a in actors}
    assert by_name[source].role == "source"
    parties = [a for a in actors if a.role == "party"]
    assert parties, text
    roles = [a.role for a in actors]
    assert roles == sorted(roles, key=lambda r: r != "party")


@pytest.mark.parametrize(
    ("text", "party"),
    [
        (
            "Russia's defence ministry said its forces struck Ukrainian positions near Kupiansk, Ukraine.",
            "Military Forces of Russia",
        ),
        ("Минобороны России сообщило об уничтожении склада под Харьковом, Украина.", "Military Forces of Russia"),
        (
            "Israeli tank fire hit a UNIFIL position near Naqoura, Lebanon, wounding two peacekeepers, UNIFIL said.",
            "UNIFIL",
        ),
        (
            "An SMM patrol came under fire near Shyrokyne, Ukraine; no monitors were wounded.",
            "OSCE Special Monitoring Mission",
        ),
    ],
)
def test_actor_that_acts_or_is_hit_is_a_party(labeler: Labeler, text: str, party: str) -> None:
    assert _actors(labeler, text)[party].role == "party"


def test_statement_without_violence_is_the_event(labeler: Labeler) -> None:
    # With nothing violent reported, a government's statement is what happened: it is a party.
    actors = _actors(labeler, "The Iraqi government said the talks with Ankara would resume next week.")
    assert actors["Government of Iraq"].role == "party"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Drones, artillery and assault groups next to an inflected demonym.
        ("Російський ударний дрон атакував автобус у Херсоні, Україна.", "Military Forces of Russia"),
        ("Украинский беспилотник атаковал нефтебазу в Брянске, Россия.", "Military Forces of Ukraine"),
        ("Російська артилерія обстріляла село біля Сум, Україна.", "Military Forces of Russia"),
        ("A Turkish drone struck a car near Zakho, Iraq, killing two men.", "Military Forces of Turkey"),
        ("An Israeli airstrike hit a house in Rafah, Gaza.", "Military Forces of Israel"),
        ("Junta troops burned a village in Sagaing, Myanmar.", "Military Forces of Myanmar"),
        # Soldiers of no named country are the theater's.
        ("Two soldiers were wounded when a mortar round hit a base near Wajid, Somalia.", "Military Forces of Somalia"),
        # Interior ministries and security services command the police.
        (
            "Le ministère de l'Intérieur a annoncé l'arrestation de dix suspects à Sfax, en Tunisie.",
            "Police Forces of Tunisia",
        ),
        ("Министерство внутренних дел Сирии сообщило о задержании семи человек в Латакии.", "Police Forces of Syria"),
        # A role joined to a country by a longer fixed connector.
        ("The Ministry of Foreign Affairs of the Republic of Armenia summoned the envoy.", "Government of Armenia"),
        ("L'ambassade de la République du Soudan à N'Djamena a été convoquée.", "Government of Sudan"),
    ],
)
def test_more_role_words(labeler: Labeler, text: str, expected: str) -> None:
    assert expected in _actor_names(labeler, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kenyan and Somali troops attacked al-Shabaab positions near Kismayo, Somalia.", {"Kenya", "Somalia"}),
        ("Под Бахмутом, Украина, шли бои между украинскими и российскими войсками.", {"Ukraine", "Russia"}),
        ("Біля Бахмута, Україна, тривали бої між українськими та російськими військами.", {"Ukraine", "Russia"}),
    ],
)
def test_demonyms_joined_by_and_share_the_role(labeler: Labeler, text: str, expected: set[str]) -> None:
    names = _actor_names(labeler, text)
    assert {f"Military Forces of {c}" for c in expected} <= names


def test_state_that_strikes_stands_for_its_forces(labeler: Labeler) -> None:
    assert "Military Forces of Russia" in _actor_names(
        labeler, "Росія вночі завдала удару ракетою по Запоріжжю, Україна, поранено трьох людей."
    )
    assert "Military Forces of Russia" in _actor_names(
        labeler, "Russia struck Odesa, Ukraine, overnight with drones, killing a man."
    )
    # A country after a preposition is a place, not the one who struck.
    assert "Military Forces of Ukraine" not in _actor_names(
        labeler, "Sirens sounded across Ukraine as drones attacked Kharkiv, killing two people."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Обласна військова адміністрація повідомила, що ракета влучила в Дніпро, Україна, поранено двох людей.",
            "Government of Ukraine",
        ),
        (
            "Two drones hit an oil depot in Belgorod, Russia, killing a guard, the regional governor said.",
            "Government of Russia",
        ),
        # A note's source line, and a place adjective between the frame and the body.
        (
            "Російський дрон скинув вибухівку на чоловіка в Антонівці Херсонської області. Джерело: Херсонська ОВА.",
            "Government of Ukraine",
        ),
        (
            "За даними Сумської ОВА, російська артилерія обстріляла Миропілля, поранено чоловіка.",
            "Government of Ukraine",
        ),
        # Arabic joins "and" to the reporting verb.
        (
            "قصفت طائرة مسيرة إسرائيلية سيارة في بلدة صريفا جنوبي لبنان. وقالت وزارة الصحة اللبنانية إن شخصين أصيبا.",
            "Government of Lebanon",
        ),
        # A medium named in quotes after the word for one is cited, framed or not.
        (
            "Сотни людей вышли на митинг в Кишиневе, Молдова, передает агентство «Молдпрес-Новости».",
            "Молдпрес-Новости",
        ),
        (
            "تظاهر العشرات في مدينة الزاوية الليبية، بحسب ما أفاد مراسل قناة «الوطن الجديد».",
            "الوطن الجديد",
        ),
        # A group named with what it is after its name.
        (
            "Police detained 14 protesters in Shush, Iran, the Norway-based Kurdistan Rights group said.",
            "Kurdistan Rights",
        ),
        # Local governments and prosecutors who report an event are the state's voice.
        ("Gunmen killed four men in Navolato, Sinaloa, Mexico, the state government said.", "Government of Mexico"),
        (
            "A roadside bomb killed eight passengers near Wanlaweyn, Somalia, the district commissioner said.",
            "Government of Somalia",
        ),
        (
            "Gunmen killed six people in Eldorado, Sinaloa, Mexico, the state prosecutor's office said.",
            "Government of Mexico",
        ),
        # Who only reacts to the event spoke of it.
        (
            "Gunmen killed four displaced people near Adre, Chad. The UN refugee agency condemned the attack.",
            "UNHCR",
        ),
    ],
)
def test_who_reports_or_reacts_is_a_source(labeler: Labeler, text: str, expected: str) -> None:
    assert _actors(labeler, text)[expected].role == "source"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A drone hit a minibus near Kherson, Ukraine, injuring the driver.", "Civilians (Ukraine)"),
        ("Водія госпіталізовано після удару дрона по автомобілю в Нікополі, Україна.", "Civilians (Ukraine)"),
        ("Поранено двох жінок на зупинці в Запоріжжі, Україна.", "Civilians (Ukraine)"),
        ("Deux commerçants ont été blessés par balle à Gao, au Mali.", "Civilians (Mali)"),
        ("اعتقلت الشرطة خمسة صحفيين في الإسكندرية في مصر", "Civilians (Egypt)"),
        # Detained people are civilians, and so are the dead of a shipwreck: no violent event needed.
        ("Police detained twelve journalists in Diyarbakir, Turkey, on Tuesday.", "Civilians (Turkey)"),
        ("The bodies of 14 migrants were recovered after a boat sank off Zuwara, Libya.", "Civilians (Libya)"),
    ],
)
def test_people_named_by_who_they_are_are_civilians_when_harmed_or_detained(
    labeler: Labeler, text: str, expected: str
) -> None:
    assert expected in _actor_names(labeler, text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # Denied harm after the noun.
        ("Снаряди пошкодили два будинки в Херсоні, Україна, люди не постраждали.", "Civilians (Ukraine)"),
        ("Shells hit a warehouse in Sumy, Ukraine; residents were not hurt.", "Civilians (Ukraine)"),
        # The injured of a brawl are the brawlers.
        (
            "Members of two families clashed with sticks in a village near Sohag, Egypt; six people were injured.",
            "Civilians (Egypt)",
        ),
        # The people detained at a protest are the protesters.
        (
            "Police dispersed protesters in Tbilisi, Georgia, with water cannon and detained 20 people.",
            "Civilians (Georgia)",
        ),
        # Unnamed militants a peaceful protest is about take no part in it.
        (
            "Truck drivers staged a sit-in in Kayes, Mali, to protest against attacks by jihadist militants.",
            "Unidentified Armed Group (Mali)",
        ),
        # A defused bomb has no author to name.
        ("Police defused an IED near Kirkuk, Iraq, on Monday.", "Unidentified Armed Group (Iraq)"),
    ],
)
def test_group_rules_that_keep_actors_out(labeler: Labeler, text: str, absent: str) -> None:
    assert absent not in _actor_names(labeler, text)


def test_protesters_keep_their_own_label_when_detained(labeler: Labeler) -> None:
    names = _actor_names(
        labeler, "Police dispersed protesters in Tbilisi, Georgia, with water cannon and detained 20 people."
    )
    assert {"Protesters (Georgia)", "Police Forces of Georgia"} <= names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Two families exchanged gunfire in a village near Qena, Egypt, over an old feud; three men died.",
            "Unidentified Clan Militia (Egypt)",
        ),
        (
            "A roadside bomb exploded near Kirkuk, Iraq, killing two soldiers; no group claimed responsibility.",
            "Unidentified Armed Group (Iraq)",
        ),
        ("Самодельное взрывное устройство сработало у Дараа, Сирия, ранены двое.", "Unidentified Armed Group (Syria)"),
        (
            "Engin explosif : deux soldats blessés près de Djibo, au Burkina Faso ; l'attaque n'a pas été revendiquée.",
            "Unidentified Armed Group (Burkina Faso)",
        ),
    ],
)
def test_unnamed_armed_authors(labeler: Labeler, text: str, expected: str) -> None:
    assert expected in _actor_names(labeler, text)


@pytest.mark.parametrize(
    ("text", "group", "branch"),
    [
        (
            "Islamic State fighters attacked a village in Cabo Delgado, Mozambique.",
            "Islamic State",
            "Islamic State Mozambique Province",
        ),
        (
            "L'État islamique a revendiqué l'attaque près de Ménaka, au Mali.",
            "Islamic State",
            "Islamic State Sahel Province",
        ),
        (
            "Бойовики ІДІЛ атакували село поблизу Майдугурі, Нігерія.",
            "Islamic State",
            "Islamic State West Africa Province",
        ),
        (
            "Al-Qaeda fighters ambushed an army patrol near Mudiyah in Abyan governorate, killing three soldiers.",
            "Al-Qaeda",
            "Al-Qaeda in the Arabian Peninsula",
        ),
        (
            "Des combattants d'al-Qaïda ont attaqué le poste de Boni, dans le cercle de Douentza au Mali.",
            "Al-Qaeda",
            "JNIM",
        ),
    ],
)
def test_a_group_takes_its_branch_in_the_theater(labeler: Labeler, text: str, group: str, branch: str) -> None:
    names = _actor_names(labeler, text)
    assert branch in names
    assert group not in names


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        (
            "On 14 November 2026, NPA rebels clashed with the AFP in Las Navas (Northern Samar).",
            "Military Forces of the Philippines",
        ),
        ("Des manifestants ont été dispersés à Paris, selon l'AFP.", "Agence France-Presse"),
    ],
)
def test_an_acronym_that_is_also_an_agency_is_read_by_the_theater(labeler: Labeler, text: str, actor: str) -> None:
    assert actor in _actor_names(labeler, text)


def test_a_town_after_a_possessive_is_no_government(labeler: Labeler) -> None:
    names = _actor_names(labeler, "Army units clashed with gunmen in Lebanon's Tripoli overnight.")
    assert "Government of Libya" not in names
    assert "Military Forces of Lebanon" in names


def test_a_news_agency_told_by_a_party_is_a_source(labeler: Labeler) -> None:
    text = (
        "هاجم مقاتلو حركة الشباب قاعدة للجيش في مدينة قوريولي، وقال ضابط لوكالة الأنباء الصومالية الرسمية (صونا)"
        " إن القوات صدت الهجوم."
    )
    roles = {a.name: a.role for a in labeler.label(text).actors}
    assert roles.get("SONNA") == "source"
    assert roles.get("Al-Shabaab") == "party"


def test_islamic_state_without_branch_in_the_theater_stays(labeler: Labeler) -> None:
    assert "Islamic State" in _actor_names(labeler, "Islamic State fighters attacked a checkpoint near Raqqa, Syria.")


def test_datelines_and_credit_lines_are_no_actors(labeler: Labeler) -> None:
    actors = _actors(labeler, "BAMAKO, Dec 9 (Reuters) - Gunmen killed four herders near Gao, Mali, on Tuesday.")
    assert "Government of Mali" not in actors
    # The agency a byline credits published the story; it took no part and is cited by no one.
    actors = _actors(labeler, "KHERSON, Jan 12 (Ukrinform) - A Russian drone hit a car in Bilozerka, killing a man.")
    assert "Ukrinform" not in actors
    actors = _actors(labeler, "Беспилотник атаковал нефтебазу в Новороссийске, погибших нет. /ТАСС/.")
    assert "TASS" not in actors
    # Names in a list joined by slashes are no byline.
    actors = _actors(
        labeler, "Les forces conjointes FARDC/UPDF/MONUSCO ont repoussé une attaque des ADF près de Beni, en RDC."
    )
    assert actors["Military Forces of Uganda"].role == "party"
    # Cited in the text, the same agency is a source.
    actors = _actors(labeler, "A Russian drone hit a car in Bilozerka, Ukraine, killing a man, Ukrinform reported.")
    assert actors["Ukrinform"].role == "source"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Members of the Bani Lam and Al-Sawaed tribes clashed near Amarah, Iraq.", "Bani Lam Tribal Militia (Iraq)"),
        ("Armed Dinka youth raided a cattle camp near Rumbek, South Sudan.", "Dinka Ethnic Militia (South Sudan)"),
        ("Two Maranao clans exchanged gunfire in Butig, Philippines.", "Maranao Clan Militia (Philippines)"),
    ],
)
def test_more_named_group_patterns(labeler: Labeler, text: str, name: str) -> None:
    assert _actors(labeler, text)[name].actor_type == "Identity militias"


def test_named_group_far_into_a_long_text(labeler: Labeler) -> None:
    # Patterns run only around their gate words: a group deep in a long text is still found.
    filler = "The weather in the region stayed dry and markets reopened on Monday. " * 120
    text = filler + "Fighters of the Marri tribe attacked a gas pipeline near Kohlu, Pakistan. " + filler
    assert "Marri Tribal Militia (Pakistan)" in _actor_names(labeler, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Words a theater gives their meaning: lowercase ones too.
        ("The occupiers shelled Nikopol, Ukraine, overnight, wounding a woman.", "Military Forces of Russia"),
        ("Secessionist fighters ambushed soldiers near Kumba, Cameroon.", "Ambazonian separatists"),
        ("Russian instructors accompanied the troops near Bambari, Central African Republic.", "Wagner Group"),
        # An Arabic name after li- loses its article's alif: "للأمم المتحدة".
        ("أعرب الأمين العام للأمم المتحدة عن قلقه من القصف على غزة", "United Nations"),
    ],
)
def test_theater_readings_and_arabic_forms(labeler: Labeler, text: str, expected: str) -> None:
    assert expected in _actor_names(labeler, text)


def test_theater_reading_needs_its_theater(labeler: Labeler) -> None:
    assert "Military Forces of Russia" not in _actor_names(
        labeler, "The occupiers demolished three homes near Hebron, Palestine, residents said."
    )


def test_reporting_frame_read_backwards_agrees_with_a_forward_search(data_dir: Path) -> None:
    """`before` is matched on the reversed window; it must accept exactly what the forward search
    `(?:^|[^\\w])<phrase>\\s*<article>?$` accepts, at the window's start and before a final newline too."""
    body = yaml.safe_load((data_dir / "roles.yaml").read_text(encoding="utf-8"))["sources"]
    forward = re.compile(r"(?:^|[^\w])" + SourceFrames.alternation(body["before"]) + r"\s*(?:the |l'|la |le |les )?$")
    backward = SourceFrames.build(body).before
    phrases = [normalise(w.rstrip("*")) for ws in body["before"].values() for w in ws]
    for phrase in phrases:
        for head in ("", " ", "x", "\n"):
            for tail in ("", " ", "ed ", "\n", " the ", " the \n", "l'", " les", "x", " army "):
                window = head + phrase + tail
                assert bool(backward.match(window[::-1])) == bool(forward.search(window)), repr(window)


def test_cue_index_answers_as_a_scan_of_all_hits() -> None:
    hits = [Hit(s, e, "k", Cue("harm")) for s, e in [(50, 55), (3, 9), (20, 30), (20, 24), (60, 61)]]
    cues = Cues({"harm": hits})
    for lo in range(0, 70, 3):
        for hi in range(lo, 75, 2):
            assert cues.within("harm", lo, hi) == any(lo <= h.start and h.end <= hi for h in hits)
            assert cues.opens("harm", lo, hi) == any(lo <= h.start < hi for h in hits)
    assert not cues.within("assault", 0, 100) and cues.hits("assault") == []


def test_ethnic_trie_matches_as_the_alternation_longest_first() -> None:
    words = ["Fula", "Fulani", "Fulanis", "Fulbe", "Kuki", "Kuki-Zo", "peul", "peule", "peuls", "Rizeigat Arab"]
    plain = re.compile("(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r") (\w+)")
    trie = re.compile(_trie([list(map(re.escape, w)) for w in words]) + r" (\w+)")
    text = "Fulani militia, Fulanis fighters, Fula Fulbe, Kuki-Zo men, Kuki Zo, peule peuls x, Rizeigat Arab y, Fulan z"
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert _trie([]) == "(?:)"


def test_named_pattern_found_through_its_bare_form_as_through_the_full_regex() -> None:
    source = r"[Tt]he (?P<name>[A-Z]\w+) (?:militia|clan)\b"
    pattern = Pattern(re.compile(r"(?<!\w)" + source), "militia", None, re.compile(source))
    text = "bathe Foo militia; the Bar clan and The Baz militia, xthe Qux clan, the Zed clansmen. The Top militia"
    for lo, hi in [(0, len(text)), (3, 60), (10, 97), (27, 40)]:
        expected = [m.span() for m in pattern.regex.finditer(text, lo, hi)]
        assert [m.span() for m in pattern.finditer(text, lo, hi)] == expected


def test_negation_read_backwards_agrees_with_a_forward_search(labeler: Labeler, data_dir: Path) -> None:
    roles = yaml.safe_load((data_dir / "roles.yaml").read_text(encoding="utf-8"))
    negations = sorted({normalise(w) for ws in roles["negations"].values() for w in ws}, key=len, reverse=True)
    forward = re.compile(r"(?:^|[^\w])(?:" + "|".join(map(re.escape, negations)) + r")\s+(?:\w+\s+)?$")
    for negation in negations:
        for head in ("", " ", "x", "\n"):
            for tail in ("", " ", "  ", " one ", " one two ", "\n", " one\n", "x"):
                window = head + negation + tail
                assert bool(labeler.actors.negation.match(window[::-1])) == bool(forward.search(window)), repr(window)


def test_gate_regions_from_one_pass_are_those_of_a_find_per_word() -> None:
    gates = {"unit": ("Brigade", "rigade", "Army"), "rebel": ("Army", "Front"), "tribe": ("племен", "trib")}
    text = "x" * 300 + "the 3rd Brigade and the Army" + "y" * 500 + "Front, tribes; Brigade" + "z" * 250 + "Army"

    def by_find(words: tuple[str, ...]) -> list[tuple[int, int]]:
        spots = sorted(
            (max(0, at - _GATE_REACH), min(len(text), at + len(word) + _GATE_REACH))
            for word in words
            for at in (i for i in range(len(text)) if text.startswith(word, i))
        )
        merged: list[tuple[int, int]] = []
        for lo, hi in spots:
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        return merged

    regions = _regions(text, _gate_automaton(gates))
    assert regions == {kind: by_find(words) for kind, words in gates.items() if by_find(words)}
    assert _regions(text, _gate_automaton({})) == {}


def test_the_enemy_of_a_ukrainian_report_is_russia(labeler: Labeler) -> None:
    # "ворог" is Ukrainian only (Russian writes "враг"): a Ukrainian source's enemy.
    names = _actor_names(labeler, "Ворожий дрон атакував автомобіль у Херсоні, поранено водія.")
    assert "Military Forces of Russia" in names


def test_a_protest_has_its_protesters_even_unnamed(labeler: Labeler) -> None:
    labels = labeler.label("تظاهر العشرات من الخريجين أمام مبنى محافظة ذي قار في الناصرية للمطالبة بفرص عمل.")
    assert labels.events[0].event_type == "Protests"
    assert "Protesters (Iraq)" in [a.name for a in labels.actors]


def test_protesters_who_turn_violent_are_rioters(labeler: Labeler) -> None:
    labels = labeler.label(
        "NAIROBI, March 3 - Hawkers protesting against new levies blocked roads in Nairobi, burning tyres "
        "and throwing stones at police, who responded with tear gas."
    )
    assert labels.events[0].sub_event_type == "Violent demonstration"
    # One crowd: the protesters are the rioters, not both.
    assert {a.name for a in labels.actors} & {"Rioters (Kenya)", "Protesters (Kenya)"} == {"Rioters (Kenya)"}


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("On 17 March 2026, Ukrainian forces repelled a Russian assault near Chasiv Yar.", "Military Forces of Russia"),
        ("Separatists attacked a military post in Batibo (Momo, North-West), Cameroon.", "Military Forces of Cameroon"),
        ("Two armed groups clashed in Janzour (Tripoli), killing a bystander.", "Unidentified Armed Group (Libya)"),
        ("Une frappe israélienne a visé une voiture à Nabatieh, au Liban-Sud.", "Military Forces of Israel"),
        # Arabic adjectives agree in definiteness: "مسيّرة إسرائيلية" has no article.
        ("استهدفت مسيّرة إسرائيلية سيارة على طريق بلدة كفركلا في قضاء مرجعيون.", "Military Forces of Israel"),
        # Acronyms by theater, or by the nationality right after them ("FDS" is Niger's, Mali's,
        # Burkina Faso's army and Syria's SDF).
        ("L'aviation turque a bombardé des positions des FDS près de Kobané, en Syrie.", "Syrian Democratic Forces"),
        ("Un terroriste a été neutralisé par l'ANP à Bordj Badji Mokhtar.", "Military Forces of Algeria"),
        ("L'EI-Sahel a attaqué une patrouille des FDS nigériennes à Banibangou.", "Military Forces of Niger"),
    ],
)
def test_forces_named_by_what_they_do_or_what_was_hit(labeler: Labeler, text: str, actor: str) -> None:
    assert actor in [a.name for a in labeler.label(text).actors]


def test_a_capital_in_an_admin_chain_is_no_government(labeler: Labeler) -> None:
    labels = labeler.label("On 11 April 2026, two armed groups clashed in Janzour (Tripoli), killing a bystander.")
    assert "Government of Libya" not in [a.name for a in labels.actors]


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # A government the act was coordinated with is no side of it.
        (
            "U.S. Africa Command said it carried out an air strike near Iskushuban, Somalia, "
            "in coordination with the Federal Government of Somalia.",
            "Government of Somalia",
        ),
        (
            "نفذت القيادة الأمريكية غارة جوية بالتنسيق مع الحكومة الفيدرالية الصومالية قرب إسكوشوبان في الصومال.",
            "Government of Somalia",
        ),
        # A capital joined to a place is a place, not a government speaking.
        (
            "The group, whose leaders live in Istanbul and London, denied any role in the attack near Kidal.",
            "Government of the United Kingdom",
        ),
        (
            "Le groupe, dont des dirigeants vivent à Istanbul et Londres, nie toute implication à Kidal.",
            "Government of the United Kingdom",
        ),
        (
            "وينفي التنظيم الذي يقيم قادته في إسطنبول ولندن أي صلة بالهجوم قرب كيدال.",
            "Government of the United Kingdom",
        ),
    ],
)
def test_governments_that_are_no_side(labeler: Labeler, text: str, absent: str) -> None:
    assert absent not in [a.name for a in labeler.label(text).actors]


@pytest.mark.parametrize(
    ("text", "enemy"),
    [
        # The side the text speaks for decides what "the enemy" is.
        ("Подразделения ВСУ отразили штурм противника у Часова Яра, сообщили в Генштабе ВСУ.", "Russia"),
        (
            "Подразделения группировки «Центр» нанесли поражение противнику у Покровска, сообщило Минобороны России.",
            "Ukraine",
        ),
        # Neither side named: the theater's own side speaks.
        ("Вражеский дрон атаковал гражданский автомобиль в Никополе, пострадали двое мужчин.", "Russia"),
        ("Противник атаковал дронами село Тёткино Курской области, ранен мирный житель.", "Ukraine"),
    ],
)
def test_the_enemy_is_the_other_side_of_the_war(labeler: Labeler, text: str, enemy: str) -> None:
    assert f"Military Forces of {enemy}" in [a.name for a in labeler.label(text).actors]


def test_violence_against_civilians_has_its_civilians(labeler: Labeler) -> None:
    labels = labeler.label("On 3 May 2026, gunmen abducted the chief of Boni village (Douentza, Mopti), Mali.")
    assert labels.events[0].event_type == "Violence against civilians"
    assert "Civilians (Mali)" in [a.name for a in labels.actors]


@pytest.mark.parametrize(
    ("text", "united_nations"),
    [
        # The UN only qualifies its mission: the mission is the actor.
        ("Тимчасові сили ООН у Лівані (ЮНІФІЛ) повідомили, що ізраїльські військові підірвали будинки.", False),
        # A UN office the lexicon does not know stays the UN, beside another UN body named apart.
        (
            "Des membres du gang Gran Grif ont tué au moins quinze personnes à Verrettes (Artibonite), a indiqué "
            "le Bureau intégré des Nations unies en Haïti (BINUH). Selon l'Organisation internationale pour les "
            "migrations (OIM), plus de 1 300 personnes ont fui.",
            True,
        ),
    ],
)
def test_an_organisation_that_only_qualifies_its_body_is_dropped(
    labeler: Labeler, text: str, united_nations: bool
) -> None:
    assert ("United Nations" in [a.name for a in labeler.label(text).actors]) is united_nations


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (
            "Police fired tear gas at lawyers in Hakkari, Turkey, according to the Hakkari Bar Association.",
            "Hakkari Bar Association",
        ),
        ("Gunmen killed four police officers in Zahedan, Iran, the state news agency IRNA reported.", "IRNA"),
        ("Selon la Ligue Iteka, des Imbonerakure ont battu quatre militants à Buganda, au Burundi.", "Ligue Iteka"),
        ("Понад сто людей вийшли на акцію в Києві, Україна, повідомляє «Суспільне».", "Суспільне"),
        (
            "Armed men killed 17 civilians near Mangina, North Kivu, DR Congo. "
            "Beni territory civil society said the toll could rise.",
            "Beni territory civil society",
        ),
        (
            "قُتل محتج في مدينة المتلوي بولاية قفصة التونسية، "
            "وقال المنتدى التونسي للحقوق الاقتصادية إن ثلاثة آخرين أصيبوا.",
            "المنتدى التونسي للحقوق الاقتصادية",
        ),
    ],
)
def test_bodies_the_lexicon_lacks_are_named_when_cited(labeler: Labeler, text: str, source: str) -> None:
    actor = _actors(labeler, text)[source]
    assert (actor.role, actor.actor_type) == ("source", "External/Other forces")
    assert actor.country_code == labeler.label(text).theaters[0].country_code


@pytest.mark.parametrize(
    "text",
    [
        # Not cited: a body named as a side or a place is no source.
        "The Hakkari Bar Association marched to the courthouse in Hakkari, Turkey.",
        # A state's own office and a country are no cited body.
        "The Russian Federation said its troops took Pokrovsk, Ukraine.",
        "Gunmen attacked a convoy near Gao, Mali, according to the UN peacekeeping mission MINUSMA.",
    ],
)
def test_cited_bodies_need_a_frame_and_no_known_name(labeler: Labeler, text: str) -> None:
    found = {
        a.name for a in labeler.label(text).actors if a.actor_type == "External/Other forces" and a.role == "source"
    }
    assert not found & {
        "Hakkari Bar Association",
        "Russian Federation",
        "UN peacekeeping mission MINUSMA",
        "MINUSMA UN",
    }


def test_names_outside_the_lexicon_stay_with_their_text(labeler: Labeler) -> None:
    """A long-running stage meets new names all day: they must not pile up in the shared lexicon
    (the state templates of a country, a bounded set, may)."""
    text = "Gunmen killed two farmers near Bamenda, Cameroon, the {} Foundation said."
    labeler.label(text.format("Fon Ndi"))
    before = len(labeler.actors.registry)
    for name in ("Mbah Ndam", "Ngwa Tita", "Akum Nji"):
        found = {a.name for a in labeler.label(text.format(name)).actors}
        assert f"{name} Foundation" in found
    assert len(labeler.actors.registry) == before


@pytest.mark.parametrize(
    ("text", "civilians"),
    [
        # An arrest implies the arrested (ACLED's Arrests: civilians detained by a state's forces) ...
        ("Soldiers detained the editor of a local newspaper in Bamenda, Cameroon.", True),
        # ... who are an armed group's members when the text names one as a side.
        ("Iraqi counter-terrorism forces arrested an Islamic State commander in a village near Hawija, Kirkuk.", False),
    ],
)
def test_arrests_imply_the_arrested(labeler: Labeler, text: str, civilians: bool) -> None:
    labels = labeler.label(text)
    assert labels.events[0].sub_event_type == "Arrests"
    assert any(a.actor_type == "Civilians" for a in labels.actors) is civilians
    assert any(a.actor_type == "State forces" and a.role == "party" for a in labels.actors)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        (
            "Members of two tribes clashed over farmland near Al-Madina, Basra, Iraq, killing two. "
            "Police and army reinforcements were deployed to separate the sides.",
            "Police Forces of Iraq",
        ),
        (
            "An unidentified man threw a grenade at a shop in Tripoli, Lebanon, injuring its owner. "
            "The Lebanese army opened an investigation.",
            "Military Forces of Lebanon",
        ),
        (
            "Des hommes armés ont tué quatre villageois près de Djibo, au Burkina Faso. Des renforts ont été dépêchés.",
            "Military Forces of Burkina Faso",
        ),
    ],
)
def test_forces_that_only_respond_are_no_side(labeler: Labeler, text: str, absent: str) -> None:
    assert absent not in _actor_names(labeler, text)


@pytest.mark.parametrize(
    ("text", "actor", "role"),
    [
        # Forces that respond and act in one sentence are a side.
        (
            "Soldiers arrived in the village near Djibo, Burkina Faso, and killed three gunmen.",
            "Military Forces of Burkina Faso",
            "party",
        ),
        # A state body that says it responded reported the event.
        (
            "Gunmen killed eleven villagers in Bokkos, Plateau state, Nigeria. "
            "The Plateau state police command said a patrol team had been deployed.",
            "Police Forces of Nigeria",
            "source",
        ),
        # Arabic forces named by what they do, with a nationality.
        (
            "قتل مواطنان جراء قصف مدفعي سعودي استهدف سوق باقم في محافظة صعدة اليمنية.",
            "Military Forces of Saudi Arabia",
            "party",
        ),
        (
            "استعملت وحدات الأمن التونسي الغاز المسيل للدموع لتفريق المحتجين في مدينة المتلوي.",
            "Police Forces of Tunisia",
            "party",
        ),
    ],
)
def test_forces_that_act_or_speak_and_their_role(labeler: Labeler, text: str, actor: str, role: str) -> None:
    assert _actors(labeler, text)[actor].role == role


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # A government addressed, urged or blamed is no side of the event.
        (
            "Dozens of traders demonstrated in Zuwara, Libya, against the closure of the Ras Ajdir crossing. "
            "Protesters called on the government to reopen the crossing.",
            "Government of Libya",
        ),
        (
            "M23 rebels clashed with Wazalendo militias around Lubero, North Kivu. "
            "The rebels accused Kinshasa of using the militias to violate the truce.",
            "Government of the Democratic Republic of Congo",
        ),
        # A capital in a route's name is no government.
        (
            "Des membres de Daech préparaient des attaques contre l'armée sur la route Damas-Bagdad, près de "
            "Ad-Doumeir, en Syrie.",
            "Government of Iraq",
        ),
        # A curated name wins over a capital spelt the same: САНА is the agency, not Sanaa.
        (
            "ДАМАСК, 9 марта — Силы безопасности вступили в бой с боевиками у Кардахи, Сирия, сообщило агентство САНА.",
            "Government of Yemen",
        ),
        # A backer named only as such is no side: "Rwanda-backed M23".
        (
            "Rwanda-backed M23 rebels clashed with Wazalendo militias around Lubero, North Kivu, DR Congo.",
            "Government of Rwanda",
        ),
        ("The attack came as the UN-backed force prepared to deploy in Port-au-Prince, Haiti.", "United Nations"),
        # A foreign capital named like a town of the theater's country is that town.
        (
            "Lebanese army disperses Tripoli protest. Soldiers fired tear gas at protesters in the northern city "
            "of Tripoli, Lebanon.",
            "Government of Libya",
        ),
    ],
)
def test_governments_addressed_or_named_like_a_town_are_no_side(labeler: Labeler, text: str, absent: str) -> None:
    assert absent not in _actor_names(labeler, text)


def test_an_affiliate_is_the_group_itself(labeler: Labeler) -> None:
    text = "A joint patrol repulsed an attack by ISIS-affiliated militants near Chiure, Cabo Delgado, Mozambique."
    assert "Islamic State Mozambique Province" in _actor_names(labeler, text)


def test_a_capital_in_its_own_country_still_speaks_for_its_government(labeler: Labeler) -> None:
    text = "Tripoli said the attack on Misrata was a crime, as fighting raged in Sirte, Libya."
    assert "Government of Libya" in _actor_names(labeler, text)


def test_harmed_foreigners_are_civilians_of_the_theater(labeler: Labeler) -> None:
    text = "Des hommes armés ont tué deux réfugiés soudanais près d'Adré, dans la province du Ouaddaï, au Tchad."
    names = _actor_names(labeler, text)
    assert "Civilians (Chad)" in names
    assert "Civilians (Sudan)" not in names


@pytest.mark.parametrize(
    "text",
    [
        "About 300 relatives of servicemen rallied outside the administration building in Rivne, Ukraine. "
        "The rally ended peacefully; police were present but did not intervene.",
        "Близько 300 родичів полонених військових провели акцію у Рівному.",
    ],
)
def test_kin_of_soldiers_and_idle_police_are_no_side_of_a_rally(labeler: Labeler, text: str) -> None:
    labels = labeler.label(text)
    assert labels.events[0].event_type == "Protests"
    assert [a.name for a in labels.actors] == ["Protesters (Ukraine)"]


def test_unknown_people_who_strike_are_an_unidentified_group(labeler: Labeler) -> None:
    text = (
        "Ингушетия, Назрановский р-н, с. Экажево. Неизвестные обстреляли пост ДПС и скрылись. Ранен сотрудник полиции."
    )
    assert {"Unidentified Armed Group (Russia)", "Police Forces of Russia"} <= _actor_names(labeler, text)


def test_a_french_body_named_in_lower_case_is_closed_by_its_acronym(labeler: Labeler) -> None:
    text = (
        "Selon le Centre national d'action antimines au Sénégal (CNAMS), deux personnes ont été tuées "
        "par une mine près de Diouloulou, au Sénégal."
    )
    actor = _actors(labeler, text)["Centre national d'action antimines au Sénégal"]
    assert actor.role == "source"
    assert "Centre" not in _actor_names(labeler, text)


def test_people_who_smash_a_bus_are_rioters(labeler: Labeler) -> None:
    text = "У Подільську близько 50 місцевих жителів оточили автобус ТЦК, розбили вікна і звільнили затриманого."
    assert "Rioters (Ukraine)" in _actor_names(labeler, text)


@pytest.mark.parametrize(
    "text",
    [
        # The lead tells the event, whatever words of time it has.
        "Since dawn, Russian forces have shelled Kupiansk, Kharkiv oblast, killing two civilians.",
        "Russian forces shelled Kupiansk on Monday. Since then the town has had no power.",
    ],
)
def test_lead_is_never_background(labeler: Labeler, text: str) -> None:
    assert _actors(labeler, text)["Military Forces of Russia"].role == "party"


@pytest.mark.parametrize(
    "text",
    [
        "Ruling-party youths beat four opposition activists in Ngozi, Burundi, on Sunday.",
        "Des Imbonerakure ont passé à tabac trois militants de l'opposition à Ngozi, au Burundi.",
    ],
)
def test_people_beaten_are_civilians(labeler: Labeler, text: str) -> None:
    assert "Civilians (Burundi)" in _actor_names(labeler, text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # Who fought there before, or what the event comes amid, took no part in it.
        (
            "Gunmen killed three herders near Gao, Mali, on Monday. "
            "The region has been the scene of fighting between the army and Wagner mercenaries since 2022.",
            "Wagner Group",
        ),
        (
            "Police fired tear gas at hundreds of protesters in Diyarbakir, Turkey, on Sunday. "
            "The move comes amid a peace process with the PKK.",
            "Kurdistan Workers' Party",
        ),
        (
            "Des hommes armés ont tué deux commerçants près de Bambari, en Centrafrique. "
            "Les enlèvements se sont multipliés dans la région malgré la présence de la MINUSCA.",
            "MINUSCA",
        ),
        (
            "قتل مدنيان بقصف مدفعي على بلدة في ريف حلب الشمالي. "
            "وتشهد المنطقة منذ سنوات مواجهات بين قوات سوريا الديمقراطية والفصائل.",
            "Syrian Democratic Forces",
        ),
        # An office named as a building is a place.
        (
            "About 300 people rallied outside the regional state administration building in Rivne, Ukraine.",
            "Government of Ukraine",
        ),
        (
            "تظاهر مئات من سكان مدينة زوارة الليبية أمام مقر المجلس البلدي احتجاجاً على إغلاق المعبر.",
            "Government of Libya",
        ),
        # Forces said not to have intervened took no part.
        (
            "Hundreds protested against water cuts in Izeh, Iran. No intervention by security forces was reported.",
            "Military Forces of Iran",
        ),
        (
            "Des hommes armés ont tué quatre cultivateurs près de Désarmes, en Haïti. "
            "Aucune patrouille de police n'est intervenue.",
            "Police Forces of Haiti",
        ),
        # Police who only kept order at a peaceful rally took no part in it.
        (
            "Около 500 человек вышли на митинг в Актау, Казахстан. Акция прошла мирно, полиция наблюдала за порядком.",
            "Police Forces of Kazakhstan",
        ),
        (
            "Des chauffeurs ont observé un sit-in à Kati, au Mali, sous le regard des forces de l'ordre.",
            "Police Forces of Mali",
        ),
        # The cause a crowd rallies for is no side of the rally.
        ("Around 400 pro-EU demonstrators marched peacefully through Batumi, Georgia, on Sunday.", "European Union"),
    ],
)
def test_who_took_no_part_is_no_actor(labeler: Labeler, text: str, absent: str) -> None:
    assert absent not in _actor_names(labeler, text)

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from services.classifier.labeler import Labeler
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
        ("Протестувальники перекрили трасу біля Львова, Україна.", "Protesters (Ukraine)"),
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

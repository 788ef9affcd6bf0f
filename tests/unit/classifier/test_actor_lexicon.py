"""The curated actor lexicon (actors.yaml): its shape, that aliases are unambiguous, and that
real-style sentences in each language resolve to the intended actor and common words do not."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pycountry
import pytest
import yaml

from services.classifier.labeler import Labeler
from services.classifier.matching import PhraseMatcher, expand
from services.classifier.taxonomy import Taxonomy

_LANGUAGES = {"en", "ru", "uk", "ar", "fr"}
# Transnational movements with no single home country; every other null must be an international body.
_STATELESS = {"Islamic State", "Al-Qaeda"}


def _entries(data_dir: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = yaml.safe_load((data_dir / "actors.yaml").read_text(encoding="utf-8"))
    return entries


def _aliases(entry: dict[str, Any]) -> list[str]:
    return [alias for phrases in entry["aliases"].values() for alias in phrases]


def _actor_names(labeler: Labeler, text: str) -> set[str]:
    return {a.name for a in labeler.label(text).actors}


def test_every_entry_is_complete(data_dir: Path) -> None:
    actor_types = set(Taxonomy.load(data_dir).actor_types)
    for entry in _entries(data_dir):
        assert (
            {"name", "type", "country", "aliases"} <= set(entry) <= {"name", "type", "country", "aliases", "contextual"}
        ), entry.get("name")
        assert isinstance(entry["name"], str) and entry["name"].strip() == entry["name"] != ""
        assert entry["type"] in actor_types, entry["name"]
        code = entry["country"]
        if code is None:
            assert entry["type"] == "External/Other forces" or entry["name"] in _STATELESS, entry["name"]
        else:
            # A bare NO in YAML is false, not Norway: a country must come back as a string.
            assert isinstance(code, str) and pycountry.countries.get(alpha_2=code) is not None, (entry["name"], code)
        assert entry["aliases"] and set(entry["aliases"]) <= _LANGUAGES, entry["name"]
        for phrases in entry["aliases"].values():
            assert phrases and all(isinstance(p, str) and p.strip() == p != "" for p in phrases), entry["name"]


def test_lexicon_size_and_spread(data_dir: Path) -> None:
    entries = _entries(data_dir)
    assert len(entries) >= 300
    assert len({e["name"] for e in entries}) == len(entries)
    types = Counter(e["type"] for e in entries)
    for actor_type in ("State forces", "Rebel groups", "Political militias", "Identity militias"):
        assert types[actor_type] >= 15, types
    assert types["External/Other forces"] >= 40, types


def test_each_alias_resolves_to_its_own_entry_only(data_dir: Path) -> None:
    """Every alias, read as text, is matched by its own entry and by no other entry, with the matcher's
    own normalisation, case rules and Cyrillic inflection (so "JEM" and "JeM" would collide)."""
    matcher = PhraseMatcher()
    entries = _entries(data_dir)
    for entry in entries:
        for alias in _aliases(entry):
            matcher.add(alias, entry["name"], "capital" if alias[:1].isupper() else "any")
    matcher.build()
    problems: list[str] = []
    for entry in entries:
        for alias in _aliases(entry):
            for variant in expand(alias):
                text = variant.replace("= ", " ").rstrip("*=")
                owners = {hit.payload for hit in matcher.find(text) if (hit.start, hit.end) == (0, len(text))}
                if owners != {entry["name"]}:
                    problems.append(f"{text!r} of {entry['name']!r} -> {sorted(owners)}")
    assert problems == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # English
        ("Asa'ib Ahl al-Haq fighters were deployed to the Syrian border, an Iraqi official said.", "Asa'ib Ahl al-Haq"),
        ("The Islamic Resistance in Iraq claimed a drone attack on northern Israel.", "Islamic Resistance in Iraq"),
        ("Fighters from the Sultan Murad Division clashed with the SDF near Manbij.", "Sultan Murad Division"),
        ("Israeli settlers torched cars and homes in the village of Huwara overnight.", "Settlers (Israel)"),
        ("The Giants Brigades said they had repelled a Houthi advance in Shabwa.", "Giants Brigades"),
        ("Jaish al-Adl claimed the attack on a police station in Sistan-Baluchestan.", "Jaish al-Adl"),
        ("Lakurawa militants killed 15 villagers in Kebbi State, police said.", "Lakurawa"),
        ("Wazalendo fighters clashed with M23 rebels near Uvira.", "Wazalendo"),
        ("The UPDF said its troops killed ADF rebels in Ituri.", "Military Forces of Uganda"),
        ("The MNDAA handed Lashio back to the junta under a deal.", "Myanmar National Democratic Alliance Army"),
        ("The Karen National Union said it captured a military outpost near Myawaddy.", "Karen National Union"),
        ("FARC dissidents attacked a police station in Cauca, killing two officers.", "Estado Mayor Central"),
        ("CJNG gunmen ambushed a National Guard patrol in Michoacan.", "Jalisco New Generation Cartel"),
        ("The Haitian National Police said officers repelled a gang attack in Kenscoff.", "Police Forces of Haiti"),
        ("UNIFIL said an Israeli tank fired at its position in Naqoura.", "UNIFIL"),
        ("UNRWA said its school sheltering displaced families was hit.", "UNRWA"),
        ("The Baloch Liberation Front claimed an attack on a Frontier Corps convoy.", "Baloch Liberation Front"),
        ("Liyu Police clashed with Afar regional forces on the border.", "Somali Region Special Police"),
        ("Royal Cambodian Armed Forces shelled Thai border posts.", "Military Forces of Cambodia"),
        # Russian
        ("Боевики «Исламского государства» атаковали позиции Сирийской арабской армии.", "Islamic State"),
        ("Бойцы легиона «Свобода России» заявили о рейде в Белгородскую область.", "Freedom of Russia Legion"),
        ("Дональд Туск заявил о закрытии границы с Белоруссией.", "Government of Poland"),
        ("В Женеве заявили, что ЮНИСЕФ доставил гуманитарную помощь в Газу.", "UNICEF"),
        # Ukrainian
        ("Туск заявив, що Польща посилить кордон з Білоруссю.", "Government of Poland"),
        ("Бійці легіону «Свобода Росії» атакували прикордонні позиції.", "Freedom of Russia Legion"),
        # Arabic
        ("أعلنت عصائب أهل الحق تعليق عملياتها ضد القوات الأمريكية.", "Asa'ib Ahl al-Haq"),
        ("هاجم مستوطنون منازل الفلسطينيين في قرية ترمسعيا.", "Settlers (Israel)"),
        ("قالت قوات درع السودان إنها استعادت السيطرة على مدينة في ولاية الجزيرة.", "Sudan Shield Forces"),
        ("اندلعت اشتباكات بين قوة الردع الخاصة وجهاز دعم الاستقرار في طرابلس.", "Special Deterrence Force"),
        ("نعت الجبهة الشعبية لتحرير فلسطين أحد قادتها.", "Popular Front for the Liberation of Palestine"),
        ("قالت وكالة الأونروا إن مدرسة تؤوي نازحين تعرضت للقصف.", "UNRWA"),
        # French
        ("Les Forces armées centrafricaines ont repris la ville.", "Military Forces of the Central African Republic"),
        ("Des miliciens de l'UPC ont attaqué un poste de la MINUSCA près de Bambari.", "MINUSCA"),
        ("Le mouvement Amal a dénoncé une frappe israélienne dans le sud du Liban.", "Amal Movement"),
        ("Les Forces armées royales ont intercepté un drone près du mur de sable.", "Military Forces of Morocco"),
        ("Les rebelles du RED-Tabara ont revendiqué une attaque près de Bujumbura.", "RED-Tabara"),
    ],
)
def test_sentence_resolves_to_actor(labeler: Labeler, text: str, expected: str) -> None:
    assert expected in _actor_names(labeler, text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # "Let" at a sentence start is not Lashkar-e-Taiba (mixed-case acronyms are not aliases).
        ("Let us be clear about what happened in Kashmir.", "Lashkar-e-Taiba"),
        # "Amal" is "hope" in Arabic; only "Amal Movement" / "حركة أمل" name the party.
        ("قال الوزير إن لديه أملا كبيرا في نجاح المفاوضات", "Amal Movement"),
        ("Amal Clooney spoke at the conference on war crimes.", "Amal Movement"),
        # Badr is a common given name.
        ("Badr Abdelatty met his Iraqi counterpart in Cairo.", "Badr Organization"),
        # Russian FAB glide bombs are not Benin's armed forces; ВПП is a runway, not the WFP.
        ("Russian aircraft dropped FAB-500 glide bombs on Kostiantynivka.", "Military Forces of Benin"),
        ("Удар повредил ВПП аэродрома.", "World Food Programme"),
        # The Verkhovna Rada is not Libya's Rada'a force; "who" and "ice" are words.
        ("The Rada voted to extend martial law.", "Special Deterrence Force"),
        ("Officials who declined to be named said ice closed the roads.", "World Health Organization"),
        ("Officials who declined to be named said ice closed the roads.", "Police Forces of the United States"),
        # China's Communist Party is not the CAR rebel coalition.
        ("The CPC Central Committee met in Beijing.", "Coalition of Patriots for Change"),
        # The US-led coalition's task force is not Nigeria's Civilian JTF; OPM is a US federal office.
        ("CJTF-OIR said coalition aircraft struck an Islamic State cave complex.", "Civilian Joint Task Force"),
        ("OPM issued new guidance to federal employees.", "West Papua National Liberation Army"),
        # Egypt's North Sinai province is a place, not the Islamic State branch.
        ("Gunmen attacked a mosque in Egypt's North Sinai province.", "Islamic State Sinai Province"),
        # A popular front in another country is not the PFLP.
        ("الجبهة الشعبية للديمقراطية والعدالة تحكم إريتريا", "Popular Front for the Liberation of Palestine"),
    ],
)
def test_common_words_are_not_actors(labeler: Labeler, text: str, absent: str) -> None:
    assert absent not in _actor_names(labeler, text)

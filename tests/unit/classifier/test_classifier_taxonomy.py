from __future__ import annotations

import typing
from pathlib import Path

import yaml

from services.classifier.labeler import Labeler
from services.classifier.taxonomy import Taxonomy
from services.kit.models import ActorType

ACLED = {
    "Battles": {"Armed clash", "Government regains territory", "Non-state actor overtakes territory"},
    "Explosions/Remote violence": {
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    },
    "Violence against civilians": {"Sexual violence", "Attack", "Abduction/forced disappearance"},
    "Protests": {"Peaceful protest", "Protest with intervention", "Excessive force against protesters"},
    "Riots": {"Violent demonstration", "Mob violence"},
    "Strategic developments": {
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    },
}
SITREP = {"Diplomacy", "Attribution", "Organized crime", "Natural disaster", "Man-made disaster"}


def test_taxonomy_has_acled_names_and_sitrep_types(data_dir: Path) -> None:
    taxonomy = Taxonomy.load(data_dir)
    for event_type, subs in ACLED.items():
        assert set(taxonomy.event_types[event_type]) == subs
    assert sum(len(s) for s in ACLED.values()) == 25
    for name in SITREP:
        assert taxonomy.event_types[name] == (name,)
    assert len(taxonomy.event_types) == 11
    assert set(taxonomy.actor_types) == set(typing.get_args(ActorType))


def test_every_trigger_and_override_type_is_in_taxonomy(data_dir: Path) -> None:
    taxonomy = Taxonomy.load(data_dir)
    declared = {sub for subs in taxonomy.event_types.values() for sub in subs}
    triggers = yaml.safe_load((data_dir / "triggers.yaml").read_text(encoding="utf-8"))
    used = set(triggers["triggers"])
    for specific, general in triggers["overrides"].items():
        used |= {specific, *general}
    assert used <= declared
    # Every sub-event type can be produced by some trigger.
    assert set(triggers["triggers"]) == declared
    assert set(triggers["weights"]) >= {g for body in triggers["triggers"].values() for g in body}


def test_every_actor_type_in_data_is_declared(data_dir: Path) -> None:
    taxonomy = Taxonomy.load(data_dir)
    actors = yaml.safe_load((data_dir / "actors.yaml").read_text(encoding="utf-8"))
    roles = yaml.safe_load((data_dir / "roles.yaml").read_text(encoding="utf-8"))
    types = {a["type"] for a in actors} | {t["actor_type"] for t in roles["templates"].values()}
    assert types <= set(taxonomy.actor_types)


def test_emitted_labels_are_valid(labeler: Labeler, data_dir: Path) -> None:
    taxonomy = Taxonomy.load(data_dir)
    texts = [
        "Russian warplanes struck Idlib while rebels clashed with the army near Aleppo.",
        "Protesters threw stones at police in Nairobi; police fired tear gas and arrested 20.",
        "A car bomb exploded in Mogadishu; al-Shabaab claimed responsibility. An earthquake hit Turkey.",
        "Мирные жители погибли при обстреле Донецка. Стороны договорились о перемирии.",
        "اختطف مسلحون عشرة مدنيين في دارفور، واتهمت الحكومة قوات الدعم السريع",
    ]
    for text in texts:
        labels = labeler.label(text)
        assert labels.events
        for event in labels.events:
            assert event.sub_event_type in taxonomy.event_types[event.event_type]
        for actor in labels.actors:
            assert actor.actor_type in taxonomy.actor_types

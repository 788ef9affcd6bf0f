"""Role rules (rules.yaml): who acts or who is hit decides a trigger's sub-event type; and the
place mentions that are reference points or speakers rather than where events happen."""

from __future__ import annotations

import pytest

from services.classifier.labeler import Labeler


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Government forces captured the town of Saraqib from rebels on Tuesday.", "Government regains territory"),
        ("Militants captured the town of Saraqib after a day of fighting.", "Non-state actor overtakes territory"),
        ("Al-Shabaab fighters recaptured the village from the army on Monday.", "Non-state actor overtakes territory"),
        ("Police detained dozens of protesters outside parliament on Sunday.", "Protest with intervention"),
        ("Police detained two opposition politicians at their homes on Sunday.", "Arrests"),
        ("Gunmen attacked a military checkpoint near Mopti overnight.", "Armed clash"),
        ("Gunmen attacked a village near Mopti, killing five civilians.", "Attack"),
        ("Poisonous gas leaked from a chemical factory, sending 40 workers to hospital.", "Man-made disaster"),
        ("Rebels fired shells containing poisonous gas at the neighbourhood.", "Chemical weapon"),
        ("Police seized 50 Kalashnikov rifles and ammunition in a raid.", "Disrupted weapons use"),
        ("The coast guard intercepted a boat carrying 60 migrants.", "Organized crime"),
        ("Protesters threw stones at police and blocked the main road.", "Violent demonstration"),
        ("Turkish forces set up a new observation post in Idlib province.", "Headquarters or base established"),
        ("Dozens of fighters surrendered to government forces in Jawzjan.", "Agreement"),
    ],
)
def test_role_decides_sub_event_type(labeler: Labeler, text: str, expected: str) -> None:
    events = labeler.label(text).events
    assert events, text
    assert events[0].sub_event_type == expected


def test_statement_ranks_after_the_event_it_is_about(labeler: Labeler) -> None:
    labels = labeler.label(
        "Israeli warplanes struck army positions around Izraa in Daraa province, killing three soldiers. "
        "The Syrian Foreign Ministry condemned the raids.",
        title="Syria condemns Israeli air strikes near Izraa",
    )
    assert labels.events[0].sub_event_type == "Air/drone strike"
    assert "Diplomacy" in {e.sub_event_type for e in labels.events}


def test_claim_of_an_attack_is_attribution(labeler: Labeler) -> None:
    labels = labeler.label(
        "Militants ambushed an army convoy near Niono on Friday. JNIM claimed the attack on Saturday.",
        title="JNIM claims ambush on army convoy",
    )
    sub_types = {e.sub_event_type for e in labels.events}
    assert {"Armed clash", "Attribution"} <= sub_types


def test_border_reference_is_not_the_theater(labeler: Labeler) -> None:
    labels = labeler.label(
        "Torrential rains flooded refugee camps around Adré in eastern Chad, near the border with Sudan.",
        title="Floods hit camps in eastern Chad near Sudan border",
    )
    assert labels.theaters[0].country_code == "TD"


def test_speaker_dateline_is_not_the_theater(labeler: Labeler) -> None:
    labels = labeler.label(
        "MOSCOW, 14 March. Air defences of the Hmeimim air base in Syria's Latakia province destroyed "
        "five drones overnight, the Russian Defence Ministry said."
    )
    assert labels.theaters[0].country_code == "SY"


def test_sea_across_borders_takes_the_coast_named(labeler: Labeler) -> None:
    labels = labeler.label(
        "A bulk carrier was hit by a missile 60 nautical miles west of Hodeidah, the UKMTO said.",
        title="Houthis claim missile attack on ship in the Red Sea",
    )
    assert labels.theaters[0].country_code == "YE"

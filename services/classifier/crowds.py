"""The people an event implies. ACLED codes every protest with its Protesters (X), every riot with
its Rioters (X) and every act of violence against civilians with its Civilians (X), even when the
report names no one ("dozens rallied outside parliament", "تظاهر العشرات"): the event's definition
says who acted or was targeted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.kit.models import Actor, Event

from .datafiles import load_yaml

#: a crowd the event implies is less certain than the event
_CROWD_SHARE = 0.8
#: an event this unsure implies no one ("no civilians were hurt" still scores a little as an attack)
_MIN_EVENT = 0.5
#: the template of a crowd that turned violent
_VIOLENT = "rioters"


class Crowds:
    def __init__(
        self,
        by_event: dict[str, str],
        crowd_types: frozenset[str],
        fights: frozenset[str] = frozenset(),
        fallen: frozenset[str] = frozenset(),
        unless_armed: frozenset[str] = frozenset(),
        armed_types: frozenset[str] = frozenset(),
    ) -> None:
        self.by_event = by_event  # event type or sub-event type -> the roles.yaml template of its crowd
        self.crowd_types = crowd_types
        self.fights = fights  # event types whose hurt are the fighters where sides fought each other
        self.fallen = fallen  # templates of the people that those events drop
        self.unless_armed = unless_armed  # events that imply no one when an armed group is a side
        self.armed_types = armed_types

    @classmethod
    def build(cls, data_dir: Path) -> Crowds:
        spec: dict[str, Any] = load_yaml(data_dir / "roles.yaml")["crowds"]
        fighters, armed = spec["fighters"], spec["unless_armed"]
        return cls(
            dict(spec["events"]),
            frozenset(spec["actor_types"]),
            frozenset(fighters["events"]),
            frozenset(fighters["fallen"]),
            frozenset(armed["events"]),
            frozenset(armed["actor_types"]),
        )

    def fallen_templates(self, events: list[Event], clashed: bool) -> frozenset[str]:
        """The templates whose people are the fighters of the main event, not its victims."""
        return self.fallen if clashed and events and events[0].event_type in self.fights else frozenset()

    def complete(
        self,
        actors: list[Actor],
        events: list[Event],
        country: str | None,
        country_name: str | None,
        generic: Callable[[str, str, str | None], tuple[str, str]],
        limit: int,
    ) -> list[Actor]:
        """`actors` with the people the main event implies added when none of that type is among
        them. Protesters who turn violent are rioters: ACLED codes a violent demonstration's crowd so."""
        if not events or country is None:
            return actors
        main = events[0]
        if main.confidence < _MIN_EVENT:
            return actors
        category = self.by_event.get(main.sub_event_type) or self.by_event.get(main.event_type)
        if category is None:
            return actors
        if {main.sub_event_type, main.event_type} & self.unless_armed and any(
            a.role == "party" and a.actor_type in self.armed_types for a in actors
        ):
            return actors
        name, actor_type = generic(category, country, country_name)
        if any(a.actor_type == actor_type for a in actors):
            return actors
        crowds = [a for a in actors if a.actor_type in self.crowd_types]
        if crowds and actor_type in self.crowd_types:
            if category != _VIOLENT:
                return actors
            return [
                a.model_copy(update={"name": name, "actor_type": actor_type})
                if a in crowds and a.country_code == country
                else a
                for a in actors
            ]
        crowd = Actor(
            name=name,
            actor_type=actor_type,
            country_code=country,
            role="party",
            confidence=round(main.confidence * _CROWD_SHARE, 3),
            evidence=main.evidence,
        )
        # Parties rank before sources.
        at = next((i for i, a in enumerate(actors) if a.role == "source"), len(actors))
        return [*actors[:at], crowd, *actors[at:]][:limit]

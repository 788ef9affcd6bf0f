"""The event and actor taxonomy of `taxonomy.yaml`; every label the classifier emits is checked here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from services.kit.models import ActorType

from .datafiles import load_yaml


@dataclass(frozen=True)
class Taxonomy:
    event_types: dict[str, tuple[str, ...]]
    actor_types: tuple[str, ...]

    @classmethod
    def load(cls, data_dir: Path) -> Taxonomy:
        raw = load_yaml(data_dir / "taxonomy.yaml")
        events = {
            name: tuple(body["sub_event_types"]) for name, body in cast(dict[str, Any], raw["event_types"]).items()
        }
        return cls(events, tuple(raw["actor_types"]))

    def event_type_of(self, sub_event_type: str) -> str:
        """The event type a sub-event type belongs to; the sitrep types share their own name."""
        for event_type, subs in self.event_types.items():
            if sub_event_type in subs:
                return event_type
        raise ValueError(f"sub-event type {sub_event_type!r} is not in taxonomy.yaml")

    def check_event(self, event_type: str, sub_event_type: str) -> None:
        if sub_event_type not in self.event_types.get(event_type, ()):
            raise ValueError(f"{event_type!r} / {sub_event_type!r} is not in taxonomy.yaml")

    def check_actor_type(self, actor_type: str) -> ActorType:
        if actor_type not in self.actor_types:
            raise ValueError(f"actor type {actor_type!r} is not in taxonomy.yaml")
        return cast(ActorType, actor_type)

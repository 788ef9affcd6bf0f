"""The classifier's entry point: one `Labeler` built once from the data files, then `label` per article."""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog

from services.kit.language import detect_language, warm_up
from services.kit.models import Labels

from .actors import MAX_ACTORS, ActorResolver
from .crowds import Crowds
from .datafiles import DEFAULT_DATA_DIR, load_yaml, version_of
from .events import EventDetector
from .gazetteer import Gazetteer
from .matching import MatcherSet, Sentences, normalise
from .taxonomy import Taxonomy

log = structlog.get_logger(__name__)

_VIOLENT_TYPES = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})
#: where built matchers are cached when the caller names no place
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "sitrep" / "classifier"


@dataclass(frozen=True)
class Labeler:
    version_id: str
    taxonomy: Taxonomy
    gazetteer: Gazetteer
    actors: ActorResolver
    events: EventDetector
    matchers: MatcherSet
    crowds: Crowds

    @classmethod
    def load(cls, data_dir: Path | None = None, cache_dir: Path | None = None) -> Labeler:
        """The labeler built from the data files. Building (YAML, tens of thousands of gazetteer
        names, the automata) takes seconds, so the built labeler is pickled under `cache_dir`
        (default DEFAULT_CACHE_DIR) keyed by the version of code and data: a restart with both
        unchanged loads it instead. An image bakes the artefact in at build time."""
        started = time.perf_counter()
        data_dir = data_dir or DEFAULT_DATA_DIR
        version = version_of(data_dir)
        labeler = _cached(version, cache_dir, lambda: cls.build(data_dir, version))
        warm_up()
        log.info("classifier_loaded", version=version, seconds=round(time.perf_counter() - started, 2))
        return labeler

    @classmethod
    def build(cls, data_dir: Path, version: str) -> Labeler:
        taxonomy = Taxonomy.load(data_dir)
        gazetteer = Gazetteer.build(data_dir)
        locatives = frozenset(normalise(w) for words in load_yaml(data_dir / "locatives.yaml").values() for w in words)
        actors = ActorResolver.build(data_dir, taxonomy, locatives)
        events = EventDetector.build(data_dir, taxonomy)
        matchers = MatcherSet([gazetteer.matcher, actors.matcher, events.triggers, events.concepts, events.cues])
        return cls(version, taxonomy, gazetteer, actors, events, matchers, Crowds.build(data_dir))

    def _local(self, name: str, country: str) -> bool:
        """Whether a town of this name lies in this country."""
        return self.gazetteer.places.lookup(name, country) is not None

    @property
    def version(self) -> str:
        return self.version_id

    def label(self, text: str, title: str | None = None, language: str | None = None) -> Labels:
        """Theaters, actors and events of one article; `language` (ISO 639-1) is detected when absent."""
        body = f"{title.strip()}\n\n{text}" if title and title.strip() else text
        title_end = len(title.strip()) + 2 if title and title.strip() else 0
        norm = normalise(body)
        sentences = Sentences(body)
        scan = self.matchers.scan(body, norm)
        found = self.events.detect(body, norm, sentences, title_end, scan)
        violent = any(e.event_type in _VIOLENT_TYPES for e in found.events)
        actor_result = self.actors.resolve(body, norm, sentences, title_end, violent, scan)
        if not found.events:
            # No silent misses: what the cue words say happened, with low confidence; the actors
            # are read again when that is violence (its armed men are actors only then).
            fallback = self.events.fallback_event(actor_result.cues.first_spans(), sentences)
            if fallback is not None:
                found.events.append(fallback)
                if fallback.event_type in _VIOLENT_TYPES:
                    actor_result = self.actors.resolve(body, norm, sentences, title_end, True, scan)
        theaters = self.gazetteer.theaters(
            body,
            norm,
            sentences,
            title_end,
            found.sentences,
            actor_result.alias_spans,
            scan,
            self.actors.homes(actor_result),
            self.actors.forces(actor_result),
        )
        main = theaters[0] if theaters else None
        country, country_name = (main.country_code, main.country) if main else (None, None)
        fallen = self.crowds.fallen_templates(found.events, actor_result.clashed)
        actors = self.actors.rank(actor_result, sentences, title_end, country, country_name, fallen, self._local)
        actors = self.crowds.complete(actors, found.events, country, country_name, self.actors.generic, MAX_ACTORS)
        return Labels(
            language=language or detect_language(body),
            theaters=theaters,
            actors=actors,
            events=found.events,
        )


def _cached(version: str, cache_dir: Path | None, build: Callable[[], Labeler]) -> Labeler:
    root = cache_dir or DEFAULT_CACHE_DIR
    path = root / f"labeler-{version}.pickle"
    try:
        with path.open("rb") as fh:
            cached = pickle.load(fh)  # noqa: S301 - our own artefact, keyed by code+data hash
        if isinstance(cached, Labeler):
            return cached
    except FileNotFoundError:
        log.info("labeler_cache_miss", path=str(path))
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        log.warning("labeler_cache_unreadable", path=str(path), error=repr(exc))
    labeler = build()
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(labeler, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for stale in root.glob("*.pickle"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("labeler_cache_unwritable", path=str(path), error=str(exc))
    return labeler

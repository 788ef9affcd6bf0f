"""The classifier's entry point: one `Labeler` built once from the data files, then `label` per article."""

from __future__ import annotations

import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

import structlog

from services.kit.language import detect_language, warm_up
from services.kit.models import Labels

from .actors import ActorResolver
from .datafiles import DEFAULT_DATA_DIR, load_yaml, version_of
from .events import EventDetector
from .gazetteer import Gazetteer
from .matching import Sentences, normalise
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

    @classmethod
    def load(cls, data_dir: Path | None = None, cache_dir: Path | None = None) -> Labeler:
        """Build every matcher from the data files. The gazetteer (tens of thousands of cities) is
        the slow part; it is pickled under `cache_dir` (default DEFAULT_CACHE_DIR) keyed by the
        version, so a restart with unchanged code and data loads it instead of rebuilding."""
        started = time.perf_counter()
        data_dir = data_dir or DEFAULT_DATA_DIR
        version = version_of(data_dir)
        taxonomy = Taxonomy.load(data_dir)
        gazetteer = _cached_gazetteer(data_dir, version, cache_dir)
        locatives = frozenset(normalise(w) for words in load_yaml(data_dir / "locatives.yaml").values() for w in words)
        actors = ActorResolver.build(data_dir, taxonomy, locatives)
        events = EventDetector.build(data_dir, taxonomy)
        warm_up()
        log.info("classifier_loaded", version=version, seconds=round(time.perf_counter() - started, 2))
        return cls(version, taxonomy, gazetteer, actors, events)

    @property
    def version(self) -> str:
        return self.version_id

    def label(self, text: str, title: str | None = None, language: str | None = None) -> Labels:
        """Theaters, actors and events of one article; `language` (ISO 639-1) is detected when absent."""
        body = f"{title.strip()}\n\n{text}" if title and title.strip() else text
        title_end = len(title.strip()) + 2 if title and title.strip() else 0
        norm = normalise(body)
        sentences = Sentences(body)
        found = self.events.detect(body, norm, sentences, title_end)
        violent = any(e.event_type in _VIOLENT_TYPES for e in found.events)
        actor_result = self.actors.resolve(body, norm, sentences, title_end, violent)
        theaters = self.gazetteer.theaters(body, norm, sentences, title_end, found.sentences, actor_result.alias_spans)
        main = theaters[0] if theaters else None
        actors = self.actors.rank(
            actor_result, sentences, title_end, main.country_code if main else None, main.country if main else None
        )
        return Labels(
            language=language or detect_language(body),
            theaters=theaters,
            actors=actors,
            events=found.events,
        )


def _cached_gazetteer(data_dir: Path, version: str, cache_dir: Path | None) -> Gazetteer:
    root = cache_dir or DEFAULT_CACHE_DIR
    path = root / f"gazetteer-{version}.pickle"
    try:
        with path.open("rb") as fh:
            cached = pickle.load(fh)  # noqa: S301 - our own artefact, keyed by code+data hash
        if isinstance(cached, Gazetteer):
            return cached
    except FileNotFoundError:
        log.info("gazetteer_cache_miss", path=str(path))
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        log.warning("gazetteer_cache_unreadable", path=str(path), error=repr(exc))
    gazetteer = Gazetteer.build(data_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(gazetteer, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for stale in root.glob("gazetteer-*.pickle"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("gazetteer_cache_unwritable", path=str(path), error=str(exc))
    return gazetteer

"""sitrep's field reports (tests/data/field_reports/*.yaml): original monitoring notes, wire copy and
ministry statements in en/ru/uk/ar/fr, scored for where (country, admin1, place within 25 km),
who (actor recall and precision, the first gold actor) and what (the main event's type).

    .venv/bin/python -m bench.field_eval [--half dev|frozen|both] [--errors N]

The reports are split by a hash of their id into a dev half, the only one rules may be tuned on,
and a frozen half that is only scored. Both are printed; the gap between them is the figure to watch.

An actor counts as found when a predicted actor has its name, or its country and actor type
(ACLED's own test: "Police Forces of Iraq" and "Police Forces of Iraq (2003-)" are one actor)."""

from __future__ import annotations

import argparse
import functools
import math
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from bench.classifier_eval import half_of as split_of
from services.classifier.admin1 import Admin1Names
from services.classifier.datafiles import DEFAULT_DATA_DIR, load_yaml
from services.classifier.gold import GoldEvent, GoldPlace
from services.classifier.labeler import Labeler
from services.kit.models import Actor, Labels, Theater

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "tests" / "data" / "field_reports"
NEAR_KM = 25.0
HALVES = ("dev", "frozen")
_ADMIN_WORDS = frozenset(
    [
        "muhafazat",
        "muhafazah",
        "governorate",
        "province",
        "oblast",
        "region",
        "state",
        "district",
        "raion",
        "rayon",
        "wilayat",
        "wilaya",
        "prefecture",
        "department",
        "division",
        "territory",
        "county",
        "municipality",
        "mintaqat",
        "of",
        "the",
    ]
)
_ARTICLES = frozenset({"al", "ar", "as", "ash", "ad", "az", "at", "an", "el", "ath"})


class GoldTheater(GoldPlace):
    """The own gold cases' place, and where exactly: admin2 and the place's coordinates."""

    admin2: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class GoldActor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    type: str
    country_code: str | None = None
    role: str = "party"


class Report(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    language: str
    style: str
    title: str | None = None
    text: str
    theater: GoldTheater
    actors: list[GoldActor]
    events: list[GoldEvent]


def load_reports(directory: Path = REPORTS, files: Iterable[str] = ()) -> list[Report]:
    """The reports of every file in `directory`, or only of the files named (without ".yaml")."""
    wanted = set(files)
    reports: list[Report] = []
    for path in sorted(directory.glob("*.yaml")):
        if wanted and path.stem not in wanted:
            continue
        reports.extend(Report.model_validate(raw) for raw in load_yaml(path))
    return reports


def half_of(report_id: str) -> str:
    """The same split by id hash as the CASE 2021 halves (bench.classifier_eval)."""
    return HALVES[split_of(report_id)]


def _fold(name: str | None) -> str:
    if not name:
        return ""
    low = unicodedata.normalize("NFKD", name.lower())
    low = "".join(c for c in low if not unicodedata.combining(c))
    words = [w for w in low.replace("-", " ").replace("'", "").replace("`", "").split() if w not in _ADMIN_WORDS]
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return "".join(words)


@functools.cache
def _regions() -> dict[tuple[str | None, str], frozenset[str]]:
    """(country or None, a folded spelling) -> the regions it may name, as "CC:modern name", by
    data/admin1.yaml: older gold writes GeoNames' names ("Zaporizhia"), newer the modern ones
    ("Zaporizhzhia"). A province since split names each of its successors too: gold written
    before DR Congo's reform says "Eastern Province" where the classifier now says "Ituri"."""
    regions: dict[tuple[str | None, str], set[str]] = {}
    for region in Admin1Names.load(DEFAULT_DATA_DIR).regions:
        ids = {f"{region.country}:{name}" for name in (region.name, *region.successors)}
        for spelling in (region.name, *region.spellings):
            for country in (region.country, None):
                regions.setdefault((country, _fold(spelling)), set()).update(ids)
    return {key: frozenset(ids) for key, ids in regions.items()}


def same_admin1(gold: str | None, predicted: str | None, country: str | None = None) -> bool:
    """Whether two admin-1 names name one region: written alike (folded, one inside the other),
    or spellings of one region (of `country`, when given) by the data file."""
    g, p = _fold(gold), _fold(predicted)
    if not (g and p):
        return False
    if g == p or (len(g) >= 4 and len(p) >= 4 and (g in p or p in g)):
        return True
    regions = _regions()
    return bool(regions.get((country, g), frozenset()) & regions.get((country, p), frozenset()))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def actor_matches(gold: GoldActor, actor: Actor) -> bool:
    folded = _fold(gold.name)
    if folded == _fold(actor.name) or _aliases().get(folded) == actor.name:
        return True
    return gold.country_code is not None and (gold.country_code, gold.type) == (actor.country_code, actor.actor_type)


@functools.cache
def _aliases() -> dict[str, str]:
    """A literal alias of one lexicon actor (no pattern) -> that actor: gold that names an actor
    by another of its names ("AUSSOM", "Al Shabaab") names the same actor."""
    names: dict[str, set[str]] = {}
    for entry in load_yaml(DEFAULT_DATA_DIR / "actors.yaml"):
        for phrases in (entry.get("aliases") or {}).values():
            for phrase in phrases:
                literal = phrase.rstrip("=")
                if not any(c in literal for c in "*()|"):
                    names.setdefault(_fold(literal), set()).add(entry["name"])
    return {alias: next(iter(found)) for alias, found in names.items() if len(found) == 1}


@dataclass
class Tally:
    reports: int = 0
    country: int = 0
    no_theater: int = 0
    admin1: int = 0
    admin1_gold: int = 0
    near: int = 0
    near_gold: int = 0
    gold_actors: int = 0
    found_actors: int = 0
    predicted_actors: int = 0
    right_actors: int = 0
    first_actor: int = 0
    event_type: int = 0
    sub_event_type: int = 0
    no_event: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else float("nan")


def score_report(report: Report, labels: Labels) -> tuple[Tally, list[str]]:
    tally = Tally(reports=1)
    faults: list[str] = []
    gold = report.theater
    top: Theater | None = labels.theaters[0] if labels.theaters else None
    tally.no_theater = top is None
    if top is not None and top.country_code == gold.country_code:
        tally.country = 1
    else:
        faults.append(f"country {top.country_code if top else None}, gold {gold.country_code}")
    if gold.admin1:
        tally.admin1_gold = 1
        if (
            top is not None
            and top.country_code == gold.country_code
            and same_admin1(gold.admin1, top.admin1, gold.country_code)
        ):
            tally.admin1 = 1
        else:
            faults.append(f"admin1 {top.admin1 if top else None}, gold {gold.admin1}")
    if gold.latitude is not None and gold.longitude is not None:
        tally.near_gold = 1
        if top is not None and top.latitude is not None and top.longitude is not None:
            km = distance_km(gold.latitude, gold.longitude, top.latitude, top.longitude)
            tally.near = km <= NEAR_KM
            if km > NEAR_KM:
                faults.append(f"place {top.place} {km:.0f} km from gold {gold.place}")
        else:
            faults.append(f"no place ({top.precision if top else None}), gold {gold.place}")
    # matched[i][j]: gold actor i is predicted actor j. Recall reads its rows, precision its columns.
    matched = [[actor_matches(g, a) for a in labels.actors] for g in report.actors]
    tally.gold_actors, tally.predicted_actors = len(report.actors), len(labels.actors)
    tally.found_actors = sum(any(row) for row in matched)
    tally.right_actors = sum(any(column) for column in zip(*matched, strict=True)) if matched else 0
    faults += [f"missed actor {g.name}" for g, row in zip(report.actors, matched, strict=True) if not any(row)]
    faults += [f"extra actor {a.name}" for j, a in enumerate(labels.actors) if not any(row[j] for row in matched)]
    parties = [i for i, g in enumerate(report.actors) if g.role == "party"] or list(range(len(report.actors)))
    tally.first_actor = bool(parties) and any(matched[parties[0]])
    main = report.events[0]
    first = labels.events[0] if labels.events else None
    tally.no_event = first is None
    tally.event_type = first is not None and first.event_type == main.event_type
    tally.sub_event_type = first is not None and first.sub_event_type == main.sub_event_type
    if not tally.sub_event_type:
        faults.append(f"event {first.sub_event_type if first else None}, gold {main.sub_event_type}")
    return tally, faults


@dataclass
class Results:
    by: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    faults: dict[str, list[str]] = field(default_factory=dict)


def evaluate(labeler: Labeler, reports: Iterable[Report]) -> Results:
    results = Results()
    for report in reports:
        labels = labeler.label(report.text, title=report.title)
        tally, faults = score_report(report, labels)
        half = half_of(report.id)
        for key in ((half, report.language), (half, "all")):
            results.by[key].add(tally)
        if faults:
            results.faults[report.id] = faults
    return results


def print_results(results: Results, halves: Sequence[str]) -> None:
    print(
        "| half | language | reports | country | no theater | admin1 | place ≤ 25 km | actor recall | "
        "actor precision | first actor | event type | sub-type | no event |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for half in halves:
        languages = [*sorted({lang for h, lang in results.by if h == half and lang != "all"}), "all"]
        for lang in languages:
            t = results.by[(half, lang)]
            row = [
                _ratio(t.country, t.reports),
                _ratio(t.no_theater, t.reports),
                _ratio(t.admin1, t.admin1_gold),
                _ratio(t.near, t.near_gold),
                _ratio(t.found_actors, t.gold_actors),
                _ratio(t.right_actors, t.predicted_actors),
                _ratio(t.first_actor, t.reports),
                _ratio(t.event_type, t.reports),
                _ratio(t.sub_event_type, t.reports),
                _ratio(t.no_event, t.reports),
            ]
            name = f"**{lang}**" if lang == "all" else lang
            print(f"| {half} | {name} | {t.reports} | " + " | ".join(f"{v:.3f}" for v in row) + " |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=[*HALVES, "both"], default="both")
    parser.add_argument("--errors", type=int, default=0, help="list the faults of this many dev reports")
    parser.add_argument("--files", default="", help="only these report files, comma-separated (e.g. fr,fr-b)")
    args = parser.parse_args(argv)
    labeler = Labeler.load()
    halves = HALVES if args.half == "both" else (args.half,)
    files = [name for name in args.files.split(",") if name]
    reports = [r for r in load_reports(files=files) if half_of(r.id) in halves]
    results = evaluate(labeler, reports)
    print_results(results, halves)
    if args.errors:
        # Only the dev half's faults are ever listed: the frozen half is for reporting.
        dev = [(rid, f) for rid, f in results.faults.items() if half_of(rid) == "dev"]
        print(f"\n### Faults, dev half ({len(dev)} reports with any), first {args.errors}\n")
        for rid, faults in dev[: args.errors]:
            print(f"- {rid}: " + "; ".join(faults))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

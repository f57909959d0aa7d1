"""What a new edition of a source may rename: one line here, no code.

Headers are compared without regard to capitals or repeated spaces. A Skills for Care
or Nomis header that is neither here nor in the source's "known, not loaded" list fails
the run with its name, so a renamed column is noticed rather than silently dropped: add
the new spelling to its canonical column (or to the not-loaded list) and load again.
"""

from __future__ import annotations

from dataclasses import dataclass

from .observations import Breakdown, Source, Unit


@dataclass(frozen=True)
class MeasureInfo:
    """A measure of the controlled vocabulary: its label and what kind of number."""

    key: str
    label: str
    kind: str  # "count", "rate" (stored as a fraction) or "days"


MEASURES: dict[str, MeasureInfo] = {
    m.key: m
    for m in (
        MeasureInfo("filled_posts", "Filled posts", "count"),
        MeasureInfo("vacancies", "Vacancies", "count"),
        MeasureInfo("vacancy_rate", "Vacancy rate", "rate"),
        MeasureInfo("turnover_rate", "Turnover rate", "rate"),
        MeasureInfo("starters_rate", "Starters rate", "rate"),
        MeasureInfo("sickness_days_mean", "Sickness days per employee", "days"),
        MeasureInfo("zero_hours_share", "On zero-hours contracts", "rate"),
        MeasureInfo("claimant_count", "Claimant count", "count"),
        MeasureInfo(
            "claimant_rate", "Claimants as a share of residents aged 16-64", "rate"
        ),
    )
}


@dataclass(frozen=True)
class SourceInfo:
    """Who publishes a source, under what licence: shown beside every figure."""

    source: Source
    label: str
    publisher: str
    title: str
    licence: str
    short_licence: str
    url: str


SOURCES: dict[Source, SourceInfo] = {
    Source.SKILLS_FOR_CARE: SourceInfo(
        Source.SKILLS_FOR_CARE,
        "Skills for Care local-area workbook (.xlsx, or its 'LA level data' sheet "
        "saved as .csv)",
        "Skills for Care",
        "Adult social care workforce estimates, local area data download",
        "© Skills for Care, not the Open Government Licence: copies may be made for "
        "non-commercial distribution to aid social care workforce development",
        "© Skills for Care",
        "https://www.skillsforcare.org.uk/Adult-Social-Care-Workforce-Data/"
        "Workforce-intelligence/publications/Workforce-estimates.aspx",
    ),
    Source.LG_INFORM: SourceInfo(
        Source.LG_INFORM,
        "LG Inform chart CSV (ASC-WDS turnover by care service type)",
        "LG Inform (Local Government Association)",
        "Adult social care staff turnover by care service type, from Skills for "
        "Care's ASC-WDS",
        "LG Inform terms of use; the underlying data is © Skills for Care",
        "LG Inform terms; data © Skills for Care",
        "https://lginform.local.gov.uk/",
    ),
    Source.NOMIS_CLAIMANT_COUNT: SourceInfo(
        Source.NOMIS_CLAIMANT_COUNT,
        "Nomis claimant count CSV (NM_162_1)",
        "ONS/DWP via Nomis",
        "Claimant count by sex and age (NM_162_1)",
        "Open Government Licence v3.0",
        "Open Government Licence v3.0",
        "https://www.nomisweb.co.uk/datasets/ucjsa",
    ),
}

# Cells marking a suppressed figure (Skills for Care: fewer than 10 workers).
SUPPRESSED_MARKERS = frozenset({"*"})

# --- Skills for Care local-area data download ---------------------------------------

SKILLS_FOR_CARE_SHEETS = ("LA level data",)
SKILLS_FOR_CARE_NOTES_SHEETS = ("Notes",)
# The header row is the first of this many rows holding an `area` header.
SKILLS_FOR_CARE_HEADER_SEARCH_ROWS = 30
# Canonical column -> the header spellings of the editions seen (confirmed or guessed,
# as ../shared/data/lmi/SOURCES.md §1.2 marks them).
SKILLS_FOR_CARE_COLUMNS: dict[str, tuple[str, ...]] = {
    "area": ("CSSR (LA area)", "CSSR", "LA area"),
    "region": ("Region",),
    "sector": ("Sector",),
    "service": ("Service", "Main service group"),
    "job_role": ("Job role", "Main job role"),
    "filled_posts": ("Filled posts", "Total posts - filled"),
    "vacancies": ("Vacancies", "Vacancies - total"),
    "vacancy_rate": ("Vacancy rate",),
    "turnover_rate": ("Turnover rate",),
    "starters_rate": ("Starters rate", "Starter rate"),
    "sickness_days_mean": ("Sickness - Mean (divide by Employees)",),
    "zero_hours_share": ("Zero Hour Contracts - Yes",),
}
SKILLS_FOR_CARE_REQUIRED = ("area", "sector", "service", "job_role")
# Headers known to be in the workbook but not loaded (none yet).
SKILLS_FOR_CARE_NOT_LOADED: tuple[str, ...] = ()
# Labels of a total, per dimension ("All job roles" is not confirmed).
TOTAL_LABELS: dict[str, tuple[str, ...]] = {
    "sector": ("All sectors",),
    "service": ("All services",),
    "job_role": ("All job roles", "All roles", "All job role groups"),
}
# The 2019/20 edition wrote "Individual role - Care worker" and
# "Job role group - Direct care".
JOB_ROLE_PREFIXES = ("Individual role - ", "Job role group - ")

# --- LG Inform chart CSV -------------------------------------------------------------

LG_INFORM_HEADER_ROWS = 8
LG_INFORM_ID_COLUMNS = ("area label", "area long label", "area")
# Metric type id -> (measure, breakdown). Ids 19266-19270 are ASC-WDS turnover.
LG_INFORM_METRICS: dict[str, tuple[str, Breakdown]] = {
    "19266": ("turnover_rate", Breakdown()),
    "19267": ("turnover_rate", Breakdown(service="Community care")),
    "19268": ("turnover_rate", Breakdown(service="Day care")),
    "19269": ("turnover_rate", Breakdown(service="Domiciliary care")),
    "19270": ("turnover_rate", Breakdown(service="Residential care")),
}
LG_INFORM_UNITS: dict[str, Unit] = {
    "%": Unit.PERCENT,
    "percent": Unit.PERCENT,
    "number": Unit.COUNT,
    "count": Unit.COUNT,
}

# --- Nomis NM_162_1 claimant count CSV -----------------------------------------------

NOMIS_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("DATE",),
    "date_name": ("DATE_NAME",),
    "area": ("GEOGRAPHY_CODE",),
    "area_name": ("GEOGRAPHY_NAME",),
    "gender": ("GENDER",),
    "age": ("AGE",),
    "measure": ("MEASURE",),
    "measures": ("MEASURES",),
    "value": ("OBS_VALUE",),
    "status": ("OBS_STATUS",),
    "record_offset": ("RECORD_OFFSET",),
    "record_count": ("RECORD_COUNT",),
}
# RECORD_COUNT is required: it proves the file arrived complete.
NOMIS_REQUIRED = (
    *("date", "area", "area_name", "measure", "value", "status"),
    "record_count",
)
# The rest of Nomis's full default output: known, not loaded.
NOMIS_NOT_LOADED = (
    *(
        f"{dimension}{suffix}"
        for dimension in ("DATE", "GEOGRAPHY", "GENDER", "AGE", "MEASURE")
        for suffix in ("", "_NAME", "_CODE", "_TYPE", "_TYPECODE", "_SORTORDER")
    ),
    *("MEASURES_NAME", "OBS_STATUS_NAME", "OBS_CONF", "OBS_CONF_NAME", "URN"),
)
# Every dimension pinned to one code: Nomis returns totals and parts alike otherwise.
NOMIS_PINNED = {"gender": "0", "age": "0", "measures": "20100"}
NOMIS_MEASURES: dict[str, tuple[str, Unit]] = {
    "1": ("claimant_count", Unit.COUNT),
    "2": ("claimant_rate", Unit.PERCENT),
}
NOMIS_NORMAL_STATUS = "A"

# --- Roles in demand ----------------------------------------------------------------

# The care roles with the highest vacancy rates and the highest turnover rates, this
# many of each, among those above the area's rate for all job roles.
ROLES_IN_DEMAND_PER_MEASURE = 2
# Skills for Care job roles the SOC lookup does not list (added in 2023).
EXTRA_ROLE_KEYS = {"Support worker": "support_worker"}

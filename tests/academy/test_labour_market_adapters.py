"""Each labour-market adapter on the shipped samples (copies of ../shared/data/lmi),
and on the ways a real file goes wrong: suppressed cells, renamed or unknown headers,
unknown areas, percentages, an .xlsx workbook, and a file cut off half way."""

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from academy.labour_market import config
from academy.labour_market.adapters import (
    LgInformAdapter,
    NomisClaimantCountAdapter,
    SkillsForCareAdapter,
)
from academy.labour_market.observations import (
    Breakdown,
    SourceFileError,
    Status,
    Unit,
)

# Copies of ../shared/data/lmi, so that a clone without shared/ beside it still tests.
SAMPLES = Path(__file__).resolve().parent / "lmi_samples"
SFC_2022 = SAMPLES / "skillsforcare" / "sfc_la_data_download_2022-23_LA_level_data.csv"
SFC_2021 = SAMPLES / "skillsforcare" / "sfc_la_data_download_2021-22_LA_level_data.csv"
LG_INFORM = (
    SAMPLES / "lginform" / "lginform_asc_turnover_by_care_service_type_2023-24.csv"
)
NOMIS = SAMPLES / "nomis" / "NM_162_1_claimant_count_2024-03.csv"


def figures(result):
    """(area, period, measure, breakdown) -> observation."""
    return {
        (o.area_code, o.period, o.measure, str(o.breakdown)): o
        for o in result.observations
    }


def sfc(text: str, name: str = SFC_2022.name):
    return SkillsForCareAdapter().parse(text.encode(), name)


def sfc_sample_text() -> str:
    return SFC_2022.read_text(encoding="utf-8")


def test_the_samples_are_beside_the_repository():
    assert SFC_2022.exists(), f"the LMI samples must be at {SAMPLES} (as in CI)"


# --- Skills for Care ------------------------------------------------------------------


def test_skills_for_care_sample_gives_the_published_figures():
    result = SkillsForCareAdapter().parse(SFC_2022.read_bytes(), SFC_2022.name)
    got = figures(result)

    assert result.rows == 21
    assert not result.rejected
    assert got["E08000022", "2022/23", "filled_posts", "all"].value == 6900
    assert got["E08000022", "2022/23", "vacancies", "all"].value == 500
    assert got["E08000022", "2022/23", "turnover_rate", "all"].value == Decimal("0.23")
    assert got["E12000001", "2022/23", "turnover_rate", "all"].value == Decimal("0.264")
    assert got["E12000009", "2022/23", "turnover_rate", "all"].value == Decimal("0.322")
    plymouth = "E06000026", "2022/23"
    assert got[*plymouth, "turnover_rate", "all"].value == Decimal("0.295")
    home_care = "service=Domiciliary care services"
    assert got[*plymouth, "turnover_rate", home_care].value == Decimal("0.392")
    assert got[*plymouth, "vacancy_rate", home_care].value == Decimal("0.191")
    assert got["E92000001", "2022/23", "filled_posts", "all"].value == 1_635_000
    assert got[*plymouth, "turnover_rate", "all"].unit == Unit.FRACTION
    assert got[*plymouth, "filled_posts", "all"].unit == Unit.COUNT
    assert result.units["vacancy_rate"] == "fraction"


def test_skills_for_care_names_are_mapped_to_gss_codes():
    got = figures(SkillsForCareAdapter().parse(SFC_2022.read_bytes(), SFC_2022.name))

    assert ("E06000047", "2022/23", "filled_posts", "all") in got  # "Durham"
    assert ("E06000023", "2022/23", "filled_posts", "all") in got  # "Bristol"
    cornwall = got["E06000052", "2022/23", "filled_posts", "all"]
    assert cornwall.area_name == "Cornwall and Isles of Scilly"


def test_suppressed_cells_are_suppressed_never_zero():
    got = figures(SkillsForCareAdapter().parse(SFC_2022.read_bytes(), SFC_2022.name))
    nurse = "E08000022", "2022/23"

    for measure in ("turnover_rate", "starters_rate", "sickness_days_mean"):
        observation = got[*nurse, measure, "job_role=Registered nurse"]
        assert observation.status == Status.SUPPRESSED
        assert observation.value is None
        assert observation.raw == "*"
    assert got[*nurse, "vacancy_rate", "job_role=Registered nurse"].value == Decimal(
        "0.118"
    )


def test_published_rates_are_kept_though_the_counts_disagree():
    got = figures(SkillsForCareAdapter().parse(SFC_2021.read_bytes(), SFC_2021.name))
    sunderland = "E08000024", "2021/22"

    # 400 vacancies of 7,200 posts would be 5.6%; Skills for Care published 8%.
    assert got[*sunderland, "vacancies", "all"].value == 400
    assert got[*sunderland, "vacancy_rate", "all"].value == Decimal("0.08")
    assert got["E92000001", "2021/22", "vacancy_rate", "all"].value == Decimal("0.106")


def test_empty_cells_are_not_published_so_make_no_figure():
    got = figures(SkillsForCareAdapter().parse(SFC_2021.read_bytes(), SFC_2021.name))
    care_worker = [
        key for key in got if key[0] == "E08000024" and "Care worker" in key[3]
    ]

    assert care_worker == [
        ("E08000024", "2021/22", "turnover_rate", "job_role=Care worker")
    ]
    assert ("E92000001", "2021/22", "starters_rate", "all") not in got


def test_percentages_are_stored_as_fractions_with_their_unit():
    text = (
        "Region,CSSR (LA area),Sector,Service,Job role,Filled posts,Vacancy rate,"
        "Turnover rate\n"
        "North East,North Tyneside,All sectors,All services,All job roles,6900,6.8,23\n"
        "North East,Sunderland,All sectors,All services,All job roles,6900,6.1,24.0\n"
        "North East,Durham,All sectors,All services,Care worker,900,*,131.5\n"
    )
    got = figures(sfc(text))

    turnover = got["E08000022", "2022/23", "turnover_rate", "all"]
    assert turnover.value == Decimal("0.23")
    assert turnover.unit == Unit.PERCENT
    assert turnover.raw == "23"
    assert got["E08000022", "2022/23", "vacancy_rate", "all"].value == Decimal("0.068")
    # A turnover above 100% is possible for one role and is kept as published.
    assert got[
        "E06000047", "2022/23", "turnover_rate", "job_role=Care worker"
    ].value == Decimal("1.315")


def test_a_fraction_column_with_one_rate_above_one_stays_fractions():
    text = (
        "CSSR (LA area),Sector,Service,Job role,Turnover rate\n"
        "North Tyneside,All sectors,All services,All job roles,0.23\n"
        "Sunderland,All sectors,All services,All job roles,0.24\n"
        "Durham,All sectors,All services,Registered nurse,1.2\n"
    )
    got = figures(sfc(text))

    assert got["E08000022", "2022/23", "turnover_rate", "all"].value == Decimal("0.23")
    nurse = got["E06000047", "2022/23", "turnover_rate", "job_role=Registered nurse"]
    assert nurse.value == Decimal("1.2")


def test_a_renamed_header_of_another_edition_is_mapped():
    text = sfc_sample_text().replace("Filled posts", "Total posts - filled", 1)
    text = text.replace("CSSR (LA area)", "cssr  (la AREA)", 1)

    got = figures(sfc(text))

    assert got["E08000022", "2022/23", "filled_posts", "all"].value == 6900


def test_a_new_spelling_needs_one_line_of_configuration(monkeypatch):
    text = sfc_sample_text().replace("Filled posts", "Posts filled (estimate)", 1)
    with pytest.raises(SourceFileError, match=r'"Posts filled \(estimate\)"'):
        sfc(text)

    columns = dict(config.SKILLS_FOR_CARE_COLUMNS)
    columns["filled_posts"] = (*columns["filled_posts"], "Posts filled (estimate)")
    monkeypatch.setattr(config, "SKILLS_FOR_CARE_COLUMNS", columns)

    assert (
        figures(sfc(text))["E08000022", "2022/23", "filled_posts", "all"].value == 6900
    )


def test_an_unknown_header_fails_with_its_name():
    text = sfc_sample_text().replace("Starters rate", "Leavers count", 1)

    with pytest.raises(SourceFileError) as failure:
        sfc(text)

    assert '"Leavers count"' in str(failure.value)
    assert "SKILLS_FOR_CARE_COLUMNS" in str(failure.value)


def test_a_missing_required_header_fails():
    lines = sfc_sample_text().splitlines()
    text = "\n".join(
        ",".join(line.split(",")[:3] + line.split(",")[4:]) for line in [*lines, ""]
    )

    with pytest.raises(SourceFileError, match='Missing column "Service"'):
        sfc(text)


def test_an_unknown_area_is_rejected_by_name_and_the_rest_kept():
    text = sfc_sample_text() + (
        "South West,Atlantis,All sectors,All services,All job roles,100,10,0.1,0.2,,,\n"
    )

    result = sfc(text)

    assert len(result.rejected) == 1
    assert result.rejected[0].row == 23
    assert '"Atlantis"' in result.rejected[0].reason
    assert len(result.observations) == 147


def test_names_are_matched_whatever_their_ampersands_and_hyphens():
    text = (
        "CSSR (LA area),Sector,Service,Job role,Filled posts\n"
        "Redcar & Cleveland,All sectors,All services,All job roles,1\n"
        "Stockton-on-Tees,All sectors,All services,All job roles,2\n"
        "County Durham,All sectors,All services,All job roles,3\n"
        '"bournemouth, christchurch and poole",All sectors,All services,'
        "All job roles,4\n"
        "Eastern,All sectors,All services,All job roles,5\n"
    )
    codes = {o.area_code: o.value for o in sfc(text).observations}

    assert codes == {
        "E06000003": 1,
        "E06000004": 2,
        "E06000047": 3,
        "E06000058": 4,
        "E12000006": 5,
    }


def test_a_row_repeating_a_key_is_rejected():
    lines = sfc_sample_text().splitlines()
    text = "\n".join([*lines, lines[4]]) + "\n"

    result = sfc(text)

    assert [r.row for r in result.rejected] == [23]
    assert "row 5" in result.rejected[0].reason


def test_a_bad_number_rejects_its_row():
    text = sfc_sample_text().replace("6900,500,0.068", "6900,five hundred,0.068")

    result = sfc(text)

    assert len(result.rejected) == 1
    assert 'Vacancies: "five hundred" is not a number' in result.rejected[0].reason
    assert ("E08000022", "2022/23", "filled_posts", "all") not in figures(result)


def test_the_2019_20_job_role_labels_are_read_as_the_newer_ones():
    text = (
        "CSSR (LA area),Sector,Service,Job role,Turnover rate\n"
        "Sunderland,All sectors,All services,Individual role - Care worker,0.26\n"
        "Sunderland,All sectors,All services,Job role group - Direct care,0.25\n"
    )
    breakdowns = {
        str(o.breakdown) for o in sfc(text, "LA-data-download-2019-20.csv").observations
    }

    assert breakdowns == {"job_role=Care worker", "job_role=Direct care"}


def test_a_file_cut_off_half_way_fails():
    data = SFC_2022.read_bytes()
    cut = data[: len(data) // 2]

    with pytest.raises(SourceFileError, match="cut off"):
        SkillsForCareAdapter().parse(cut, SFC_2022.name)


def test_the_period_comes_from_the_file_name_or_nothing_is_loaded():
    named = sfc(sfc_sample_text(), "LA-data-download-2023-24.csv")
    assert {o.period for o in named.observations} == {"2023/24"}
    with pytest.raises(SourceFileError, match="which year"):
        sfc(sfc_sample_text(), "LA-data-download.csv")


def test_the_operator_can_give_the_period_of_a_file_that_does_not_say():
    result = SkillsForCareAdapter().parse(
        SFC_2022.read_bytes(), "LA-data-download.csv", period="2023/24"
    )

    assert {o.period for o in result.observations} == {"2023/24"}
    with pytest.raises(SourceFileError, match="not a financial year"):
        SkillsForCareAdapter().parse(SFC_2022.read_bytes(), "x.csv", period="2023")


def _workbook(text: str, *, notes: str = "Figures for 2022/23.", sheet="LA level data"):
    """The CSV sample as the real .xlsx: numbers as numbers, a Notes sheet first."""
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["Adult social care workforce estimates"])
    book.active.append([notes])
    data = book.create_sheet(sheet)
    data.append(["Skills for Care: local area data download"])  # a title row first
    data.append([])
    for number, line in enumerate(text.splitlines()):
        cells = []
        for cell in line.split(","):
            try:
                cells.append(float(cell) if number and "." in cell else int(cell))
            except ValueError:
                cells.append(cell or None)
        data.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_workbook_gives_the_same_figures_as_its_csv():
    from_csv = figures(sfc(sfc_sample_text()))

    result = SkillsForCareAdapter().parse(
        _workbook(sfc_sample_text()), "LA-data-download.xlsx"
    )

    from_xlsx = figures(result)
    assert {k: (o.value, o.status) for k, o in from_xlsx.items()} == {
        k: (o.value, o.status) for k, o in from_csv.items()
    }
    assert result.rows == 21
    assert from_xlsx["E08000022", "2022/23", "filled_posts", "all"].raw == "6900"


def test_an_xlsx_workbook_without_the_data_sheet_fails():
    with pytest.raises(SourceFileError, match='no sheet "LA level data"'):
        SkillsForCareAdapter().parse(
            _workbook(sfc_sample_text(), sheet="Region data"), "LA-2022-23.xlsx"
        )


def test_an_xlsx_workbook_cut_off_half_way_fails():
    data = _workbook(sfc_sample_text())

    with pytest.raises(SourceFileError, match="cut off"):
        SkillsForCareAdapter().parse(data[: len(data) // 2], "LA-2022-23.xlsx")


# --- LG Inform ------------------------------------------------------------------------


def test_lg_inform_sample_gives_turnover_by_service():
    result = LgInformAdapter().parse(LG_INFORM.read_bytes(), LG_INFORM.name)
    got = figures(result)

    assert not result.rejected
    assert result.rows == 12
    assert len(result.observations) == 60
    england = got["E92000001", "2023/24", "turnover_rate", "all"]
    assert england.value == Decimal("0.248")
    assert england.unit == Unit.PERCENT
    assert england.raw == "24.8"
    home_care = got["E06000026", "2023/24", "turnover_rate", "service=Domiciliary care"]
    assert home_care.value == Decimal("0.348")
    assert home_care.area_name == "Plymouth"
    assert ("E10000008", "2023/24", "turnover_rate", "service=Day care") in got


def test_lg_inform_unknown_metric_fails_with_its_id_and_name():
    text = LG_INFORM.read_text(encoding="utf-8").replace('"19270"', '"99999"')

    with pytest.raises(
        SourceFileError,
        match=r'Unknown metric 99999 "% ASC staff turnover, residential care"',
    ):
        LgInformAdapter().parse(text.encode(), LG_INFORM.name)


def test_lg_inform_empty_and_suppressed_values():
    text = LG_INFORM.read_text(encoding="utf-8")
    text = text.replace('"E08000022","20.2","12.1"', '"E08000022","*",""')

    got = figures(LgInformAdapter().parse(text.encode(), LG_INFORM.name))

    assert (
        got["E08000022", "2023/24", "turnover_rate", "all"].status == Status.SUPPRESSED
    )
    assert (
        "E08000022",
        "2023/24",
        "turnover_rate",
        "service=Community care",
    ) not in got


def test_lg_inform_file_cut_off_half_way_fails():
    data = LG_INFORM.read_bytes()
    cut = data[: data.index(b'"Plymouth (Unitary)"') + 30]

    with pytest.raises(SourceFileError, match="cut off"):
        LgInformAdapter().parse(cut, LG_INFORM.name)


def test_lg_inform_without_its_header_rows_is_refused():
    lines = LG_INFORM.read_text(encoding="utf-8").splitlines()

    with pytest.raises(SourceFileError, match="not an LG Inform chart CSV"):
        LgInformAdapter().parse("\n".join([*lines[1:], ""]).encode(), LG_INFORM.name)


# --- Nomis ----------------------------------------------------------------------------


def test_nomis_sample_gives_claimant_counts_and_rates():
    result = NomisClaimantCountAdapter().parse(NOMIS.read_bytes(), NOMIS.name)
    got = figures(result)

    assert not result.rejected
    assert len(result.observations) == 20
    assert got["E08000022", "2024-03", "claimant_count", "all"].value == 5235
    rate = got["E08000022", "2024-03", "claimant_rate", "all"]
    assert rate.value == Decimal("0.041")
    assert rate.unit == Unit.PERCENT
    assert got["E92000001", "2024-03", "claimant_count", "all"].value == 1_436_325
    assert (
        got["E06000047", "2024-03", "claimant_count", "all"].area_name
        == "County Durham"
    )
    assert all(o.breakdown == Breakdown() for o in result.observations)


def _nomis_rows():
    lines = NOMIS.read_text(encoding="utf-8").splitlines()
    return lines[0], lines[1:]


def test_nomis_status_other_than_a_is_suppressed():
    header, rows = _nomis_rows()
    rows[0] = rows[0].replace(
        ',5235,"A","Normal Value"', ',,"Q","These figures are suppressed"'
    )

    got = figures(
        NomisClaimantCountAdapter().parse(
            "\n".join([header, *rows, ""]).encode(), NOMIS.name
        )
    )

    count = got["E08000022", "2024-03", "claimant_count", "all"]
    assert count.status == Status.SUPPRESSED
    assert count.value is None


def test_nomis_file_missing_rows_fails_on_record_count():
    header, rows = _nomis_rows()

    with pytest.raises(SourceFileError, match="has 12 rows but Nomis sent 20"):
        NomisClaimantCountAdapter().parse(
            "\n".join([header, *rows[:12], ""]).encode(), NOMIS.name
        )


def test_nomis_file_cut_mid_row_fails():
    data = NOMIS.read_bytes()

    with pytest.raises(SourceFileError, match="cut off"):
        NomisClaimantCountAdapter().parse(data[: len(data) // 2], NOMIS.name)


def test_nomis_rows_of_an_unpinned_dimension_are_rejected_not_summed():
    header, rows = _nomis_rows()
    rows[2] = rows[2].replace(',0,"Total",0,"gender"', ',1,"Male",1,"gender"')

    result = NomisClaimantCountAdapter().parse(
        "\n".join([header, *rows, ""]).encode(), NOMIS.name
    )

    assert [r.row for r in result.rejected] == [4]
    assert "GENDER is 1" in result.rejected[0].reason
    assert len(result.observations) == 19


def test_nomis_unknown_header_fails_with_its_name():
    header, rows = _nomis_rows()
    header = header.replace('"URN"', '"UNIQUE_ID"')

    with pytest.raises(SourceFileError, match='"UNIQUE_ID"'):
        NomisClaimantCountAdapter().parse(
            "\n".join([header, *rows, ""]).encode(), NOMIS.name
        )


def test_nomis_unquoted_csv_is_read_alike():
    text = NOMIS.read_text(encoding="utf-8").replace('"', "")
    # Two labels hold commas once unquoted; Nomis quotes them, so they stay quoted.
    text = text.replace(
        "local authorities: district / unitary (as of April 2023)",
        '"local authorities: district / unitary (as of April 2023)"',
    ).replace("Free (free for publication)", '"Free (free for publication)"')

    result = NomisClaimantCountAdapter().parse(text.encode(), NOMIS.name)

    assert len(result.observations) == 20


def test_a_file_cut_inside_its_last_value_is_refused():
    from academy.labour_market.adapters import adapter_for
    from academy.labour_market.observations import SourceFileError

    whole = SFC_2022.read_bytes()
    assert whole.endswith(b"\n")
    cut = whole.rstrip(b"\r\n")[:-1]  # the last figure loses its last digit
    with pytest.raises(SourceFileError, match="looks cut off"):
        adapter_for("skills-for-care").parse(cut, SFC_2022.name)

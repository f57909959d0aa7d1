"""Loading the ONS Postcode Directory: each postcode's local authority, ward and
Westminster constituency (issue 14, funder returns), the areas' names from the ONSPD's
name files, and the command that does both, all or nothing."""

import importlib
from dataclasses import astuple
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from academy.models import PlaceName, Postcode
from academy.places.geo import Areas, area_names, areas_of
from academy.places.loading import Loaded, place_names_load, postcodes_load
from tests.conftest import districts_restore

pytestmark = pytest.mark.django_db

# An extract of the ONSPD as published until 2024 (a few of its ~55 columns, upper
# case as some downloads have them): oslaua, osward and pcon.
ONSPD = (
    "PCD,PCDS,DOTERM,OSCTY,OSLAUA,OSWARD,PCON,LAT,LONG\n"
    "ZZ1 1AA,ZZ1 1AA,,E99999999,E06000026,E05002097,E14001427,50.37,-4.12\n"
    "ZZ1 1AB,ZZ1 1AB,,E99999999,E07000044,E05010135,E14001495,50.39,-3.92\n"
    "GY1 1AA,GY1 1AA,,L99999999,L99999999,L99999999,L99999999,49.45,-2.54\n"
    "ZZ1 1AD,ZZ1 1AD,,E99999999,E06000026,,,50.38,-4.13\n"
)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def areas(postcode):
    row = Postcode.objects.get(postcode=postcode)
    return row.local_authority, row.ward, row.constituency


def test_the_onspd_columns_load_each_postcodes_areas(tmp_path):
    loaded = postcodes_load(path=write(tmp_path, "o.csv", ONSPD), source="ONSPD")

    assert loaded == Loaded(new=4)
    assert areas("ZZ1 1AA") == ("E06000026", "E05002097", "E14001427")
    assert areas("ZZ1 1AB") == ("E07000044", "E05010135", "E14001495")
    # Pseudo codes (no area) and empty cells are stored blank.
    assert areas("GY1 1AA") == ("", "", "")
    assert areas("ZZ1 1AD") == ("E06000026", "", "")
    assert areas_of(["zz11aa"]) == {
        "zz11aa": Areas("E06000026", "E05002097", "E14001427")
    }


def test_the_2025_onspd_column_names_load_too(tmp_path):
    text = (
        "pcd7,pcd8,pcds,lad25cd,wd25cd,pcon24cd,lat,long\n"
        "ZZ1 2AA,ZZ1  2AA,ZZ1 2AA,e08000022,E05001130,E14001557,55.01,-1.43\n"
    )
    postcodes_load(path=write(tmp_path, "o.csv", text), source="ONSPD")

    assert areas("ZZ1 2AA") == ("E08000022", "E05001130", "E14001557")


def test_an_unchanged_reload_changes_nothing_and_new_areas_replace_old(tmp_path):
    path = write(tmp_path, "o.csv", ONSPD)
    postcodes_load(path=path, source="ONSPD")

    assert postcodes_load(path=path, source="ONSPD") == Loaded(unchanged=4)

    moved = ONSPD.replace("E05002097,E14001427", "E05002094,E14001426")
    loaded = postcodes_load(path=write(tmp_path, "new.csv", moved), source="ONSPD")
    assert loaded == Loaded(changed=1, unchanged=3)
    assert areas("ZZ1 1AA") == ("E06000026", "E05002094", "E14001426")


def test_a_file_without_area_columns_keeps_the_areas_loaded_before(tmp_path):
    postcodes_load(path=write(tmp_path, "o.csv", ONSPD), source="ONSPD")
    text = "pcds,lat,long\nZZ1 1AA,50.3701,-4.1201\n"

    loaded = postcodes_load(path=write(tmp_path, "c.csv", text), source="Code-Point")

    assert loaded == Loaded(changed=1)
    row = Postcode.objects.get(postcode="ZZ1 1AA")
    assert (row.latitude, row.source) == (50.3701, "Code-Point")
    assert areas("ZZ1 1AA") == ("E06000026", "E05002097", "E14001427")


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("E0600002", "row 3: OSLAUA: 'E0600002' is not an ONS local authority code"),
        ("Plymouth", "row 3: OSLAUA: 'Plymouth' is not an ONS local authority code"),
        ("E05002097", "row 3: OSLAUA: 'E05002097' is not a local authority code"),
    ],
)
def test_a_bad_code_is_refused_with_its_row_and_nothing_is_written(
    tmp_path, cell, message
):
    text = ONSPD.replace("E07000044", cell)

    with pytest.raises(ValidationError, match=message):
        postcodes_load(path=write(tmp_path, "o.csv", text), source="ONSPD")
    assert not Postcode.objects.filter(postcode__startswith="ZZ1").exists()


def test_a_file_with_two_columns_for_one_area_is_refused(tmp_path):
    text = "pcds,oslaua,lad25cd,lat,long\nZZ1 1AA,E06000026,E06000026,50.3,-4.1\n"

    with pytest.raises(ValidationError, match=r"more than one local authority column"):
        postcodes_load(path=write(tmp_path, "o.csv", text), source="ONSPD")


def test_a_names_file_names_the_codes_and_its_columns_say_the_kind(tmp_path):
    wards = write(
        tmp_path,
        "Ward names and codes UK as at 05_24.csv",
        "WD24CD,WD24NM,WD24NMW\nE05002087,Peverell,\nW05000001,Aberporth,Aber-porth\n",
    )
    seats = write(
        tmp_path,
        "Westminster Parliamentary Constituency names and codes UK as at 07_24.csv",
        "pcon24cd,pcon24nm\nE14001427,Plymouth Sutton and Devonport\n",
    )
    councils = write(
        tmp_path,
        "LA_UA names and codes UK as at 04_23.csv",
        "\ufeffLAD23CD,LAD23NM\nE07000044,South Hams\n",
    )

    assert place_names_load(path=wards, source="ONSPD") == Loaded(new=2)
    place_names_load(path=seats, source="ONSPD")
    place_names_load(path=councils, source="ONSPD")

    kinds = dict(PlaceName.objects.values_list("code", "kind"))
    assert {
        "E05002087": "ward",
        "W05000001": "ward",
        "E14001427": "constituency",
        "E07000044": "local_authority",
    }.items() <= kinds.items()
    assert area_names(["E05002087", "W05000001", "E14001427"]) == {
        "E05002087": "Peverell",
        "W05000001": "Aberporth",
        "E14001427": "Plymouth Sutton and Devonport",
    }
    renamed = write(
        tmp_path, "w.csv", "WD24CD,WD24NM\nE05002097,Sutton & Mount Gould\n"
    )
    assert place_names_load(path=renamed, source="ONSPD") == Loaded(changed=1)
    assert area_names(["E05002097"]) == {"E05002097": "Sutton & Mount Gould"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,name\nE05002097,Drake\n", "one code column ending CD"),
        (
            "WD24CD,LAD24CD,WD24NM\nE05002097,E06000026,Drake\n",
            r"it has WD24CD, LAD24CD",
        ),
        ("WD24CD,NAME\nE05002097,Drake\n", "no name column WD24NM"),
        ("TTWA11CD,TTWA11NM\nE30000001,London\n", "TTWA11CD is not a ward"),
        (
            "WD24CD,WD24NM\nE05002097,Drake\nE14001427,Plymouth Sutton\n",
            "row 3: WD24CD: 'E14001427' is not a ward code",
        ),
        ("WD24CD,WD24NM\nE05002097,Drake\nE05002098,\n", "row 3: give both a code"),
        ("WD24CD,WD24NM\nE05002097,Drake\nE0500209,Peverell\n", "row 3: WD24CD:"),
    ],
)
def test_a_bad_names_file_is_refused_and_nothing_is_written(tmp_path, text, message):
    with pytest.raises(ValidationError, match=message):
        place_names_load(path=write(tmp_path, "n.csv", text), source="ONSPD")
    assert not PlaceName.objects.filter(name="Drake").exists()


def test_the_command_loads_postcodes_and_names_and_says_what_changed(tmp_path):
    onspd = write(tmp_path, "ONSPD_MAY_2024_UK.csv", ONSPD)
    wards = write(tmp_path, "wards.csv", "WD24CD,WD24NM\nE05010136,Ivybridge West\n")
    seats = write(tmp_path, "seats.csv", "PCON24CD,PCON24NM\nE14001484,S Devon\n")
    out = StringIO()

    call_command(
        "load_postcodes",
        str(onspd),
        "--names",
        str(wards),
        "--names",
        str(seats),
        stdout=out,
    )

    assert out.getvalue().splitlines() == [
        "Loaded 4 postcodes (4 new, 0 changed, 0 unchanged).",
        "Loaded 1 name from wards.csv (1 new, 0 changed, 0 unchanged).",
        "Loaded 1 name from seats.csv (1 new, 0 changed, 0 unchanged).",
    ]
    assert area_names(["E05010136", "E14001484"]) == {
        "E05010136": "Ivybridge West",
        "E14001484": "S Devon",
    }
    out = StringIO()
    call_command("load_postcodes", str(onspd), stdout=out)
    assert "Loaded 4 postcodes (0 new, 0 changed, 4 unchanged)." in out.getvalue()


def test_the_command_says_when_it_skips_postcodes_with_no_grid_reference(tmp_path):
    text = "pcds,lat,long\nZZ1 1AA,50.3,-4.1\nZZ1 1AB,99.999999,0.000000\n"
    out = StringIO()

    call_command("load_postcodes", str(write(tmp_path, "o.csv", text)), stdout=out)

    assert out.getvalue().strip() == (
        "Loaded 1 postcode (1 new, 0 changed, 0 unchanged); "
        "skipped 1 with no grid reference."
    )


def test_one_bad_file_and_the_command_loads_nothing(tmp_path):
    onspd = write(tmp_path, "onspd.csv", ONSPD)
    wards = write(tmp_path, "wards.csv", "WD24CD,WD24NM\nE05010136,Ivybridge West\n")
    bad = write(tmp_path, "seats.csv", "PCON24CD,PCON24NM\nE1400149,SW Devon\n")

    with pytest.raises(
        CommandError,
        match=r"^Nothing loaded\. seats\.csv: row 2: PCON24CD: 'E1400149' is not an "
        r"ONS Westminster constituency code",
    ):
        call_command(
            "load_postcodes", str(onspd), "--names", str(wards), "--names", str(bad)
        )
    assert not Postcode.objects.filter(postcode__startswith="ZZ1").exists()
    assert not PlaceName.objects.filter(code="E05010136").exists()


def test_the_command_refuses_missing_files_nothing_given_and_non_csv(tmp_path):
    with pytest.raises(CommandError, match="Give an ONSPD file, one or more --names"):
        call_command("load_postcodes")
    with pytest.raises(CommandError, match=r"Nothing loaded\. No file at .*gone\.csv"):
        call_command("load_postcodes", str(tmp_path / "gone.csv"))
    binary = tmp_path / "onspd.zip"
    binary.write_bytes(b"PK\x03\x04\xff\xfe\x00\x81")
    with pytest.raises(CommandError, match=r"onspd\.zip is not a CSV file in UTF-8"):
        call_command("load_postcodes", str(binary))
    headless = write(tmp_path, "o.csv", "postcode,easting,northing\nZZ1 1AA,1,2\n")
    with pytest.raises(CommandError, match=r"needs a postcode column .* lat/latitude"):
        call_command("load_postcodes", str(headless))


# ---- the shipped demo districts -----------------------------------------------------


def test_the_shipped_districts_carry_their_areas_and_names():
    found = areas_of(["PL4 6AB", "PL12 4AA", "PL21 9AA", "PL8 2AA", "NE30 1AA"])

    assert found["PL4 6AB"] == Areas("E06000026", "E05002097", "E14001427")
    assert area_names(astuple(found["PL4 6AB"])) == {
        "E06000026": "Plymouth",
        "E05002097": "Sutton and Mount Gould",
        "E14001427": "Plymouth Sutton and Devonport",
    }
    # Districts outside Plymouth: Saltash (Cornwall), Ivybridge and Yealmpton (South
    # Hams); a ward not verified is left blank rather than guessed.
    assert found["PL12 4AA"] == Areas("E06000052", "", "E14001486")
    assert found["PL21 9AA"] == Areas("E07000044", "E05010135", "E14001495")
    assert found["PL8 2AA"].local_authority == "E07000044"
    assert found["NE30 1AA"] == Areas("E08000022", "", "E14001557")
    assert area_names(["E14001486", "E07000044", "E14001557"]) == {
        "E14001486": "South East Cornwall",
        "E07000044": "South Hams",
        "E14001557": "Tynemouth",
    }


def test_the_districts_migration_fills_and_empties_the_areas():
    migration = importlib.import_module(
        "vacancies.migrations.0010_postcode_district_areas"
    )
    migration.unload(apps, None)
    assert areas("PL4") == ("", "", "")
    assert not PlaceName.objects.filter(code="E05002097").exists()
    Postcode.objects.filter(postcode="NE29").delete()

    migration.load(apps, None)
    migration.load(apps, None)  # running it twice changes nothing more

    assert areas("PL4") == ("E06000026", "E05002097", "E14001427")
    assert Postcode.objects.get(postcode="NE29").latitude == 55.011
    assert areas("NE29") == ("E08000022", "", "E14001557")
    assert PlaceName.objects.get(code="E14001557").kind == "constituency"


def test_tests_that_empty_every_table_get_the_districts_and_their_areas_back():
    Postcode.objects.all().delete()
    PlaceName.objects.all().delete()

    districts_restore()

    assert areas_of(["PL4 6AB"]) == {
        "PL4 6AB": Areas("E06000026", "E05002097", "E14001427")
    }
    assert area_names(["E05002097"]) == {"E05002097": "Sutton and Mount Gould"}

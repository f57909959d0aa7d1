"""The academy settings that steer the report (issue 14): a region from the list, an
ONS area code the lookup knows and in that region, a launch date not in the future,
and the logo on the report's cover; the same rules for manage.py create_academy."""

import datetime as dt
import io
import re
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from academy import services
from academy.demo import demo_seed
from academy.models import Academy
from academy.models.core import REGION_CHOICES

SETTINGS = reverse("academy:settings")
GOOD = {
    "name": "Home Care Academy",
    "region": "South West",
    "area_code": "E06000026",
    "launched_on": "2023-11-01",
    "public_phone": "",
    "public_email": "",
}


def image(kind="PNG", size=(40, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, kind)
    return buffer.getvalue()


def upload(data, name="logo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def post(client, **changes):
    return client.post(SETTINGS, {**GOOD, **changes})


def stored(academy):
    return Academy.objects.get(pk=academy.pk)


# What was seen (issue 14, item 5): each was accepted before these rules.


@pytest.mark.django_db
def test_settings_refuse_an_area_code_that_is_no_english_area(client_of, admin):
    response = post(client_of(admin), area_code="E06000999", name="Renamed")
    page = response.content.decode()
    assert response.status_code == 200
    assert "E06000999 is not an English local authority" in page
    assert "ONS Open Geography Portal" in page
    assert "Nothing was saved" in page
    assert (stored(admin.academy).name, stored(admin.academy).area_code) == (
        "Home Care Academy",
        "E06000026",
    )


@pytest.mark.django_db
def test_settings_refuse_a_region_not_in_the_list(client_of, admin):
    response = post(client_of(admin), region="Narnia")
    assert response.status_code == 200
    assert "is not an English region" in response.content.decode()
    assert stored(admin.academy).region == "South West"


@pytest.mark.django_db
def test_settings_refuse_a_launch_date_in_the_future(client_of, admin):
    response = post(client_of(admin), launched_on="2030-03-01")
    assert response.status_code == 200
    assert "1 March 2030 is in the future" in response.content.decode()
    assert stored(admin.academy).launched_on is None


@pytest.mark.django_db
def test_a_launch_date_stored_in_the_future_still_gives_an_impact_page(
    client_of, manager
):
    """Stored before the rule: the impact page says so and shows the figures since
    the academy was added, instead of failing."""
    Academy.objects.filter(pk=manager.academy.pk).update(
        launched_on=dt.date(2030, 3, 1)
    )
    response = client_of(manager).get(reverse("reporting:impact"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "its launch date, 1 March 2030, is in the future" in page
    assert "Academy settings" in page
    # The report is there, not only an error (it said "The period ends before it
    # starts. Swap the dates." and showed no figures).
    assert "Download CSV" in page
    assert "Swap the dates" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--area-code", "E06000999"], "--area-code: E06000999 is not an English"),
        (["--region", "Narnia"], "--region: 'Narnia' is not an English region"),
        (["--launched-on", "2030-03-01"], "--launched-on: 1 March 2030 is in the"),
        (["--launched-on", "01/11/2023"], "--launched-on: '01/11/2023' is not a date"),
        (
            ["--region", "North East", "--area-code", "E06000026"],
            "--region: E06000026 \\(Plymouth\\) is in the South West region",
        ),
    ],
)
def test_create_academy_refuses_bad_settings_saying_what_to_fix(options, message):
    with pytest.raises(CommandError, match=f"Academy not created. {message}"):
        call_command("create_academy", "--slug", "x", "--name", "X", *options)
    assert not Academy.objects.filter(slug="x").exists()


@pytest.mark.django_db
def test_create_academy_takes_a_launch_date_and_a_region_by_another_name():
    call_command(
        "create_academy",
        *("--slug", "leeds", "--name", "Leeds Care Academy"),
        *("--region", "Yorkshire and Humber", "--area-code", "e08000035"),
        *("--launched-on", "2024-04-01"),
        stdout=StringIO(),
    )
    academy = Academy.objects.get(slug="leeds")
    assert (academy.region, academy.area_code, academy.launched_on) == (
        "Yorkshire and The Humber",
        "E08000035",
        dt.date(2024, 4, 1),
    )


# The settings page.


@pytest.mark.django_db
def test_admin_saves_settings_and_sees_which_authority_the_code_is(client_of, admin):
    client = client_of(admin)
    response = post(
        client, region="North East", area_code="e08000022", launched_on="2022-06-01"
    )
    assert response.status_code == 302
    academy = stored(admin.academy)
    assert (academy.region, academy.area_code, academy.launched_on) == (
        "North East",
        "E08000022",
        dt.date(2022, 6, 1),
    )
    page = client.get(SETTINGS).content.decode()
    assert "E08000022 \u2014 North Tyneside (North East)" in page
    # The region is a list of the nine, not free text.
    select = re.search(r'<select name="region".*?</select>', page, re.S).group()
    assert re.findall(r'<option value="([^"]+)"', select) == [
        name for name, _ in REGION_CHOICES
    ]


@pytest.mark.django_db
def test_the_area_code_must_be_in_the_region_given(client_of, admin):
    response = post(client_of(admin), region="North East", area_code="E06000026")
    page = response.content.decode()
    assert "E06000026 (Plymouth) is in the South West region, not North East" in page
    assert stored(admin.academy).region == "South West"


@pytest.mark.django_db
def test_a_county_or_a_region_is_an_area_too(client_of, admin):
    assert (
        post(client_of(admin), region="North West", area_code="E10000017").status_code
        == 302
    )
    assert post(client_of(admin), region="", area_code="E12000009").status_code == 302


@pytest.mark.django_db
def test_today_is_a_launch_date(client_of, admin):
    today = timezone.localdate().isoformat()
    assert post(client_of(admin), launched_on=today).status_code == 302


@pytest.mark.django_db
def test_a_stored_region_not_in_the_list_is_pointed_out(client_of, admin):
    Academy.objects.filter(pk=admin.academy.pk).update(region="<b>Wessex</b>")
    page = client_of(admin).get(SETTINGS).content.decode()
    assert (
        "Stored as \u2018&lt;b&gt;Wessex&lt;/b&gt;\u2019, which is not one of the nine"
        in page
    )


# The logo on the report's cover.


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "extension"), [("PNG", "png"), ("JPEG", "jpg")])
def test_admin_uploads_a_logo_that_members_see(
    client_of, admin, coordinator, kind, extension
):
    client = client_of(admin)
    response = post(client, logo=upload(image(kind), name="Our Logo!.file"))
    assert response.status_code == 302
    academy = stored(admin.academy)
    assert academy.logo.name == f"academy-logos/home.{extension}"
    page = client.get(SETTINGS).content.decode()
    address = reverse("academy:logo", args=[academy.pk])
    assert f'src="{address}?v=' in page
    assert "Remove the logo" in page
    served = client_of(coordinator).get(address)
    assert served.status_code == 200
    assert served["Content-Type"] == f"image/{'png' if kind == 'PNG' else 'jpeg'}"
    assert "private" in served["Cache-Control"]
    with academy.logo.open("rb") as file:
        assert b"".join(served.streaming_content) == file.read()
    served.close()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (image("GIF"), "This is a GIF image. Save the logo as PNG or JPEG"),
        (b"%PDF-1.7 not a picture", "This file is not a PNG or JPEG image"),
        (image("PNG")[:60], "This file is not a PNG or JPEG image"),
        (image("PNG", (2001, 10)), "The logo is 2,001 \u00d7 10 pixels"),
        (b"\x89PNG" + b"0" * (1024 * 1024), "The file is larger than 1.0"),
    ],
    ids=["gif", "not-an-image", "cut-off", "too-wide", "too-large"],
)
def test_a_bad_logo_is_explained_and_the_old_one_kept(client_of, admin, data, message):
    client = client_of(admin)
    post(client, logo=upload(image()))
    before = stored(admin.academy).logo.name
    response = post(client, name="Renamed", logo=upload(data, name="logo.png"))
    assert response.status_code == 200
    assert message in response.content.decode()
    academy = stored(admin.academy)
    assert (academy.name, academy.logo.name) == ("Home Care Academy", before)
    assert academy.logo.storage.exists(before)


@pytest.mark.django_db
def test_admin_replaces_and_removes_the_logo_and_its_file_goes(
    client_of, admin, django_capture_on_commit_callbacks
):
    client = client_of(admin)
    post(client, logo=upload(image()))
    first = stored(admin.academy).logo
    with django_capture_on_commit_callbacks(execute=True):
        post(client, logo=upload(image("JPEG"), name="new.jpg"))
    second = stored(admin.academy).logo
    assert second.name == "academy-logos/home.jpg"
    assert not first.storage.exists(first.name)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, remove_logo="on")
    assert response.status_code == 302
    assert not stored(admin.academy).logo
    assert not second.storage.exists(second.name)
    logo = reverse("academy:logo", args=[admin.academy.pk])
    assert client.get(logo).status_code == 404
    assert "Remove the logo" not in client.get(SETTINGS).content.decode()


@pytest.mark.django_db
def test_uploading_and_removing_at_once_is_refused(client_of, admin):
    client = client_of(admin)
    post(client, logo=upload(image()))
    response = post(client, logo=upload(image("JPEG")), remove_logo="on")
    assert "Either upload a new logo or remove the one there is" in (
        response.content.decode()
    )
    assert stored(admin.academy).logo.name == "academy-logos/home.png"


# Who may.


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "provider", "manager"])
def test_only_admins_change_settings(request, client_of, admin, role):
    client = client_of(request.getfixturevalue(role))
    assert client.get(SETTINGS).status_code == 403
    assert post(client, name="Taken over").status_code == 403
    assert stored(admin.academy).name == "Home Care Academy"


@pytest.mark.django_db
def test_another_academys_admin_changes_only_their_own(client_of, admin, other_admin):
    response = post(
        client_of(other_admin),
        name="Taken over",
        region="North East",
        area_code="E08000022",
    )
    assert response.status_code == 302
    assert stored(admin.academy).name == "Home Care Academy"
    assert stored(other_admin.academy).name == "Taken over"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "provider", "manager", "admin"])
def test_the_logo_is_for_members_of_its_academy_only(
    request, client, client_of, academy, role
):
    academy.logo.save("home.png", ContentFile(image()))
    address = reverse("academy:logo", args=[academy.pk])
    served = client_of(request.getfixturevalue(role)).get(address)
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")
    assert served.status_code == 200
    other = request.getfixturevalue(f"other_{role}")
    assert client_of(other).get(address).status_code == 404
    response = client.get(address)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_demo_academy_has_valid_settings(tmp_path):
    demo_seed(credentials_file=tmp_path / "logins.json")
    academy = Academy.objects.get(slug="demo")
    services.academy_check(academy=academy)
    assert (academy.region, academy.area_code) == ("South West", "E06000026")

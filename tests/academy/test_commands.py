import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from academy.models import Academy, Membership, Organisation, User
from academy.permissions import Role


@pytest.mark.django_db
def test_create_academy_creates_one_from_the_command_line():
    out = StringIO()
    call_command(
        "create_academy",
        "--slug",
        "tyneside",
        "--name",
        "North Tyneside Care Academy",
        "--region",
        "North East",
        "--area-code",
        "E08000022",
        stdout=out,
    )
    academy = Academy.objects.get(slug="tyneside")
    assert (academy.name, academy.region, academy.area_code) == (
        "North Tyneside Care Academy",
        "North East",
        "E08000022",
    )
    assert "Created academy 'tyneside'" in out.getvalue()


@pytest.mark.django_db
def test_create_academy_without_optional_arguments():
    call_command(
        "create_academy",
        "--slug",
        "plymouth",
        "--name",
        "Caring Plymouth",
        stdout=StringIO(),
    )
    assert Academy.objects.get(slug="plymouth").area_code == ""


@pytest.mark.django_db
def test_create_academy_refuses_a_taken_slug_and_keeps_the_first(academy):
    with pytest.raises(
        CommandError, match="--slug: Academy with this Slug already exists"
    ):
        call_command("create_academy", "--slug", academy.slug, "--name", "Another")
    assert Academy.objects.get(slug=academy.slug).name == academy.name


@pytest.mark.django_db
def test_create_academy_explains_a_bad_area_code():
    with pytest.raises(CommandError, match="--area-code: Enter an ONS area code"):
        call_command(
            "create_academy", "--slug", "x", "--name", "X", "--area-code", "PL1"
        )
    assert not Academy.objects.filter(slug="x").exists()


@pytest.mark.django_db
def test_seed_demo_creates_one_login_per_role_that_works(tmp_path, settings, client):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("seed_demo", stdout=out)

    logins = json.loads((tmp_path / "demo-logins.json").read_text())
    assert sorted(login["role"] for login in logins) == sorted(Role.values)
    for login in logins:
        assert login["password"] in out.getvalue()
        user = User.objects.get(email=login["email"])
        assert user.check_password(login["password"])
        assert user.memberships.get().role == login["role"]
    assert (tmp_path / "demo-logins.json").stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_the_demo_users_sign_in_with_the_printed_code(tmp_path, settings, client):
    """The demo's two-step sign-in: one shared key, printed, and `demo_code`."""
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "demo_code" in out.getvalue()
    assert (tmp_path / "demo-mfa-key").stat().st_mode & 0o077 == 0
    login = json.loads((tmp_path / "demo-logins.json").read_text())[0]
    client.post(
        reverse("login"), {"username": login["email"], "password": login["password"]}
    )
    code = StringIO()
    call_command("demo_code", stdout=code)
    response = client.post(reverse("mfa-verify"), {"code": code.getvalue().strip()})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    # A second seed keeps the key, so the code in an app stays right.
    key = (tmp_path / "demo-mfa-key").read_text()
    call_command("seed_demo", stdout=StringIO())
    assert (tmp_path / "demo-mfa-key").read_text() == key


def test_demo_code_without_a_demo_says_what_to_do(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="run `make run`"):
        call_command("demo_code", stdout=StringIO())


@pytest.mark.django_db
def test_seed_demo_run_twice_keeps_the_data_and_the_passwords(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    first = (tmp_path / "demo-logins.json").read_text()
    counts = (
        Academy.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    )

    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert "already there" in out.getvalue()
    assert (tmp_path / "demo-logins.json").read_text() == first
    assert counts == (
        Academy.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_gives_new_working_passwords_when_the_file_was_lost(
    tmp_path, settings
):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    (tmp_path / "demo-logins.json").unlink()
    call_command("seed_demo", stdout=StringIO())
    for login in json.loads((tmp_path / "demo-logins.json").read_text()):
        assert User.objects.get(email=login["email"]).check_password(login["password"])


def _sign_in_with_the_demo_code(login):
    from django.test import Client

    client = Client()
    client.post(
        reverse("login"), {"username": login["email"], "password": login["password"]}
    )
    code = StringIO()
    call_command("demo_code", stdout=code)
    response = client.post(reverse("mfa-verify"), {"code": code.getvalue().strip()})
    return response.status_code == 302 and client.get(reverse("home")).status_code


@pytest.mark.django_db
def test_every_demo_user_signs_in_with_the_same_code_at_once(tmp_path, settings):
    """Tour finding 21: a second demo user signing in within the same 30 seconds was
    refused ("That code is not right")."""
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    logins = json.loads((tmp_path / "demo-logins.json").read_text())
    assert [_sign_in_with_the_demo_code(login) for login in logins] == [200] * 4


@pytest.mark.django_db
def test_the_same_demo_user_signs_in_twice_in_one_window_with_demo_code_role(
    tmp_path, settings
):
    """Tour finding 21: the refusal was the same demo user signing in on a second
    browser within 30 seconds (each user has a device of their own; a code is taken
    once per device). `demo_code ROLE` prints the code their next sign-in takes."""
    import time

    import time_machine

    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    login = json.loads((tmp_path / "demo-logins.json").read_text())[0]
    # All within one half-minute of codes: from its first second.
    start = (int(time.time()) // 30 + 1) * 30 + 1
    with time_machine.travel(start, tick=True):
        _the_same_demo_user_twice(login)


def _the_same_demo_user_twice(login):
    import time

    from django.test import Client

    assert _sign_in_with_the_demo_code(login) == 200
    # The same code again, for the same person: refused (replay protection).
    assert _sign_in_with_the_demo_code(login) is False
    time.sleep(1.1)  # django-otp slows the next try after a wrong code by a second
    client = Client()
    client.post(
        reverse("login"), {"username": login["email"], "password": login["password"]}
    )
    code = StringIO()
    call_command("demo_code", login["role"], stdout=code)
    response = client.post(reverse("mfa-verify"), {"code": code.getvalue().strip()})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_a_real_users_code_signs_in_once_even_within_its_half_minute(
    coordinator, tmp_path, settings
):
    """The replay guard stands for everyone else: the same code on a second browser
    is refused, and demo_code knows only the demo's key."""
    import time

    import time_machine
    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.academy.factories import PASSWORD

    user = coordinator.user
    device = TOTPDevice.objects.create(user=user, name="Authenticator app")
    start = (int(time.time()) // 30 + 1) * 30 + 1
    with time_machine.travel(start, tick=True):
        code = f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}"
        answers = []
        for _ in range(2):
            client = Client()
            client.post(
                reverse("login"), {"username": user.email, "password": PASSWORD}
            )
            answers.append(client.post(reverse("mfa-verify"), {"code": code}))
    assert answers[0].status_code == 302
    assert "That code is not right" in answers[1].content.decode()
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="no demo"):
        call_command("demo_code", "coordinator", stdout=StringIO())

"""Confirm it's you (issue 12, observation 9; spec/security.md AUTH-7, SESS-1): more
than REAUTH_SECONDS (5 minutes) after the password and code were last typed, a
sensitive action asks for them again and then goes on; a POST is never replayed."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from academy.mfa import recovery_codes_make
from academy.models import UserSession
from reporting.models import ReportRun
from tests.academy.factories import PASSWORD
from tests.conftest import log_in

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
SIX_MINUTES = dt.timedelta(minutes=6)


def code(user):
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}"


def confirm_url(next_url, *, again=False):
    from urllib.parse import urlencode

    query = {"next": next_url, **({"again": "1"} if again else {})}
    return reverse("reauth") + "?" + urlencode(query)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_six_minutes_after_sign_in_a_sensitive_page_asks_then_goes_on(
    clock, coordinator
):
    client = log_in(Client(), coordinator.user)
    page = reverse("password_change")
    clock.shift(SIX_MINUTES)
    response = client.get(page)
    assert response["Location"] == confirm_url(page)
    form = client.get(response["Location"]).content.decode()
    assert "Confirm it's you" in form
    assert "authenticator app" in form
    done = client.post(
        response["Location"], {"password": PASSWORD, "code": code(coordinator.user)}
    )
    assert done["Location"] == page
    assert client.get(page).status_code == 200


def test_within_five_minutes_of_signing_in_nothing_is_asked(clock, coordinator):
    client = log_in(Client(), coordinator.user)
    clock.shift(dt.timedelta(minutes=4, seconds=59))
    assert client.get(reverse("password_change")).status_code == 200


def test_within_five_minutes_of_confirming_nothing_is_asked_again(clock, admin):
    client = log_in(Client(), admin.user)
    clock.shift(SIX_MINUTES)
    client.post(confirm_url("/"), {"password": PASSWORD, "code": code(admin.user)})
    clock.shift(dt.timedelta(minutes=4))
    assert client.get(reverse("academy:member-add")).status_code == 200
    clock.shift(dt.timedelta(minutes=2))
    assert client.get(reverse("academy:member-add"))["Location"].startswith(
        reverse("reauth")
    )


def test_a_post_goes_back_to_its_form_and_is_not_replayed(clock, coordinator):
    client = log_in(Client(), coordinator.user)
    recovery_codes_make(user=coordinator.user)
    before = set(StaticToken.objects.values_list("token", flat=True))
    form_page = reverse("mfa-recovery")
    clock.shift(SIX_MINUTES)
    response = client.post(form_page, HTTP_REFERER=f"http://testserver{form_page}")
    assert response["Location"] == confirm_url(form_page, again=True)
    assert set(StaticToken.objects.values_list("token", flat=True)) == before
    done = client.post(
        response["Location"],
        {"password": PASSWORD, "code": code(coordinator.user)},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == form_page
    assert "Nothing has been changed yet: send the form again" in (
        done.content.decode()
    )
    assert set(StaticToken.objects.values_list("token", flat=True)) == before


def test_a_post_from_elsewhere_goes_back_home(clock, coordinator):
    client = log_in(Client(), coordinator.user)
    clock.shift(SIX_MINUTES)
    response = client.post(
        reverse("mfa-recovery"), HTTP_REFERER="https://evil.example/mfa/"
    )
    assert response["Location"] == confirm_url("/", again=True)


def test_a_next_address_off_the_site_is_not_followed(clock, coordinator):
    client = log_in(Client(), coordinator.user)
    clock.shift(SIX_MINUTES)
    response = client.post(
        confirm_url("//evil.example/"),
        {"password": PASSWORD, "code": code(coordinator.user)},
    )
    assert response["Location"] == "/"


def test_a_wrong_password_or_code_says_which(clock, coordinator):
    client = log_in(Client(), coordinator.user)
    clock.shift(SIX_MINUTES)
    url = confirm_url(reverse("password_change"))
    wrong_password = client.post(
        url, {"password": "not-my-password", "code": code(coordinator.user)}
    )
    assert "That is not your password" in wrong_password.content.decode()
    wrong_code = client.post(url, {"password": PASSWORD, "code": "000000"})
    assert "That code is not right" in wrong_code.content.decode()
    missing = client.post(url, {"password": "", "code": ""})
    assert "Type your password." in missing.content.decode()
    assert "Type the code the app shows." in missing.content.decode()
    assert client.get(reverse("password_change")).status_code == 302


def test_failures_count_towards_the_lockout_and_the_last_signs_out(clock, coordinator):
    client = log_in(Client(), coordinator.user)
    clock.shift(SIX_MINUTES)
    url = confirm_url("/")
    for _ in range(3):
        client.post(url, {"password": "not-my-password", "code": "123456"})
    device = TOTPDevice.objects.get(user=coordinator.user)
    client.post(url, {"password": PASSWORD, "code": "000000"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the code's own slowing down too
    attempts = AccessAttempt.objects.get(username=coordinator.user.email)
    assert attempts.failures_since_start == 4
    assert "000000" not in attempts.post_data  # codes are not kept
    locked = client.post(url, {"password": "not-my-password", "code": "123456"})
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert not UserSession.objects.exists()


def test_a_right_answer_resets_the_count_of_failures(clock, coordinator):
    client = log_in(Client(), coordinator.user)
    clock.shift(SIX_MINUTES)
    url = confirm_url("/")
    client.post(url, {"password": "not-my-password", "code": "123456"})
    client.post(url, {"password": PASSWORD, "code": code(coordinator.user)})
    assert not AccessAttempt.objects.filter(username=coordinator.user.email).exists()


def test_confirming_gives_the_session_a_new_key_and_its_row_follows(clock, coordinator):
    client = log_in(Client(), coordinator.user)
    before = client.session.session_key
    clock.shift(SIX_MINUTES)
    client.post(
        confirm_url("/"), {"password": PASSWORD, "code": code(coordinator.user)}
    )
    after = client.session.session_key
    assert after != before
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [after]


def test_a_recovery_code_confirms_and_is_used_up(clock, coordinator):
    client = log_in(Client(), coordinator.user)
    recovery = recovery_codes_make(user=coordinator.user)[0]
    clock.shift(SIX_MINUTES)
    done = client.post(confirm_url("/"), {"password": PASSWORD, "code": recovery})
    assert done["Location"] == "/"
    assert StaticToken.objects.filter(device__user=coordinator.user).count() == 9


def test_someone_setting_up_two_step_sign_in_gives_the_password_only(clock, client):
    """First sign-in: no authenticator yet, so only the password is asked for."""
    from tests.academy.factories import UserFactory

    user = UserFactory()
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    clock.shift(SIX_MINUTES)
    response = client.get(reverse("mfa-setup"))
    assert response["Location"] == confirm_url(reverse("mfa-setup"))
    page = client.get(response["Location"]).content.decode()
    assert 'name="code"' not in page
    done = client.post(response["Location"], {"password": PASSWORD})
    assert done["Location"] == reverse("mfa-setup")
    assert client.get(reverse("mfa-setup")).status_code == 200


def test_an_htmx_request_is_sent_to_the_page_whole(clock, coordinator):
    client = log_in(Client(), coordinator.user)
    clock.shift(SIX_MINUTES)
    response = client.get(reverse("participants:export"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(reverse("reauth"))


def test_asking_does_not_use_up_the_download_allowance(clock, settings, coordinator):
    settings.BULK_LIMIT = 1
    client = log_in(Client(), coordinator.user)
    clock.shift(SIX_MINUTES)
    export = reverse("participants:export")
    for _ in range(3):
        assert client.get(export)["Location"].startswith(reverse("reauth"))
    client.post(
        confirm_url(export), {"password": PASSWORD, "code": code(coordinator.user)}
    )
    response = client.get(export)
    assert response.status_code == 200
    b"".join(response.streaming_content)


def _report_run(academy):
    run = ReportRun.objects.create(
        academy=academy,
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 1, 31),
        status=ReportRun.Status.DONE,
    )
    run.file.save("r.pdf", ContentFile(b"%PDF-1.7 test"))
    return run


# Every sensitive action: (url name, persona, needs an object, method).
SENSITIVE = [
    ("password_change", "coordinator", None, "get"),
    ("mfa-setup", "coordinator", None, "get"),
    ("mfa-recovery", "coordinator", None, "get"),
    ("mfa-recovery", "coordinator", None, "post"),
    ("academy:member-add", "admin", None, "get"),
    ("academy:member-add", "admin", None, "post"),
    ("academy:membership-edit", "admin", "membership", "get"),
    ("academy:membership-edit", "admin", "membership", "post"),
    ("academy:lockout-lift", "admin", "membership", "post"),
    ("academy:mfa-reset", "admin", "membership", "post"),
    ("academy:member-sessions-end", "admin", "membership", "post"),
    ("participants:caseload-reassign", "admin", "membership", "get"),
    ("participants:export", "coordinator", None, "get"),
    ("reporting:impact-csv", "manager", None, "get"),
    ("reporting:run-request", "manager", None, "post"),
    ("reporting:run-download", "manager", "report_run", "get"),
    ("reporting:run-retry", "manager", "report_run", "post"),
]


@pytest.mark.parametrize(("name", "persona", "kind", "method"), SENSITIVE)
def test_every_sensitive_action_asks_after_five_minutes(
    request, clock, academy, coordinator, name, persona, kind, method
):
    membership = request.getfixturevalue(persona)
    args = []
    if kind == "membership":
        args = [coordinator.pk]
    elif kind == "report_run":
        args = [_report_run(academy).pk]
    url = reverse(name, args=args)
    client = log_in(Client(), membership.user)
    clock.shift(SIX_MINUTES)
    response = getattr(client, method)(url)
    assert response.status_code == 302, name
    assert response["Location"].startswith(reverse("reauth")), name


def test_the_view_decorator_marks_every_sensitive_view():
    from django.urls import get_resolver

    resolver = get_resolver()
    for name, *_ in SENSITIVE:
        args = [1] if name in {n for n, _, k, _ in SENSITIVE if k} else []
        view = resolver.resolve(reverse(name, args=args)).func
        assert getattr(view, "reauth_required", False), name

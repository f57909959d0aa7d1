"""Issue 14: a manager sets the year's targets, and writes or edits a narrative
before a PDF is built (the PDF itself: test_impact_pdf.py)."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reporting import services
from reporting.funders.periods import financial_year_of
from reporting.models import ImpactTarget, ReportRun
from tests.academy.factories import MembershipFactory
from tests.participants.factories import SkillsActionPlanFactory

PERIOD = {"period": "custom", "start": "2024-04-01", "end": "2024-06-30"}
THIS_YEAR = financial_year_of(timezone.localdate())


@pytest.fixture
def launched(academy):
    """An academy launched two financial years ago."""
    academy.launched_on = dt.date(THIS_YEAR - 2, 4, 1)
    academy.save()
    return academy


def targets_url(year=None):
    url = reverse("reporting:targets")
    return f"{url}?year={year}" if year is not None else url


def stored(academy, year):
    return dict(
        ImpactTarget.objects.for_academy(academy)
        .filter(year=year)
        .values_list("metric", "value")
    )


# Targets.


@pytest.mark.django_db
def test_a_manager_sets_the_years_targets(client_of, manager, launched):
    client = client_of(manager)
    page = client.get(targets_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert f"Financial year {THIS_YEAR}/" in body
    assert "People supported with a skills action plan" in body
    assert "No targets set for this year yet." in body

    response = client.post(
        targets_url(THIS_YEAR),
        {"year": THIS_YEAR, "action_plan_people": "500", "support_people": "450"},
        follow=True,
    )
    assert stored(launched, THIS_YEAR) == {
        "action_plan_people": 500,
        "support_people": 450,
    }
    target = ImpactTarget.objects.get(metric="action_plan_people")
    assert target.updated_by == manager.user
    body = response.content.decode()
    assert "saved (2 changed)." in body
    assert 'value="500"' in body  # the page shows what is stored
    assert f"Last changed by {manager.user}" in body

    # Emptying a box removes that target; the others stay.
    client.post(
        targets_url(THIS_YEAR),
        {"year": THIS_YEAR, "action_plan_people": "520", "support_people": ""},
    )
    assert stored(launched, THIS_YEAR) == {"action_plan_people": 520}


@pytest.mark.django_db
def test_next_years_targets_can_be_set_and_each_year_is_its_own(
    client_of, admin, launched
):
    client = client_of(admin)
    client.post(
        targets_url(THIS_YEAR + 1),
        {"year": THIS_YEAR + 1, "people_registered": "80"},
    )
    assert stored(launched, THIS_YEAR + 1) == {"people_registered": 80}
    assert stored(launched, THIS_YEAR) == {}
    page = client.get(targets_url(THIS_YEAR + 1)).content.decode()
    assert 'value="80"' in page
    assert 'value="80"' not in client.get(targets_url(THIS_YEAR)).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("many", "Give a whole number of people, such as 120"),
        ("12.5", "Give a whole number of people, such as 120"),
        ("-5", "A target cannot be negative: give 0 or more"),
        ("5000000", "Give a target of at most 1,000,000."),
    ],
)
def test_a_bad_target_says_what_to_fix_and_nothing_is_saved(
    client_of, manager, launched, typed, message
):
    ImpactTarget.objects.create(
        academy=launched, metric="support_people", year=THIS_YEAR, value=300
    )
    response = client_of(manager).post(
        targets_url(THIS_YEAR),
        {"year": THIS_YEAR, "action_plan_people": typed, "support_people": "310"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "Nothing was saved" in body
    assert f'value="{typed}"' in body  # what was typed stays, to correct
    assert stored(launched, THIS_YEAR) == {"support_people": 300}


@pytest.mark.django_db
def test_a_year_too_far_ahead_or_before_launch_is_refused(client_of, manager, launched):
    client = client_of(manager)
    ahead = client.post(
        targets_url(), {"year": THIS_YEAR + 2, "action_plan_people": "10"}
    ).content.decode()
    assert "Targets can be set up to next financial year" in ahead
    before = client.post(
        targets_url(), {"year": THIS_YEAR - 3, "action_plan_people": "10"}
    ).content.decode()
    assert f"The academy launched on 1 April {THIS_YEAR - 2}" in before
    assert "Choose that year or a later one." in before
    nonsense = client.post(
        targets_url(), {"year": "soon", "action_plan_people": "10"}
    ).content.decode()
    assert "Choose a financial year from the list." in nonsense
    assert not ImpactTarget.objects.exists()
    # The year box offers only the years that can be set, and says so of others.
    page = client.get(targets_url(THIS_YEAR + 5)).content.decode()
    assert "Choose a financial year from the list." in page
    assert f'value="{THIS_YEAR + 1}"' in page
    assert f'value="{THIS_YEAR - 3}"' not in page


@pytest.mark.django_db
def test_the_service_checks_what_the_form_checks(launched, manager):
    with pytest.raises(ValidationError, match="cannot be negative"):
        services.impact_targets_set(
            academy=launched,
            year=THIS_YEAR,
            values={"action_plan_people": -1},
            by=manager.user,
        )
    with pytest.raises(ValidationError, match="no headline figure"):
        services.impact_targets_set(
            academy=launched, year=THIS_YEAR, values={"nonsense": 3}, by=manager.user
        )
    assert not ImpactTarget.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "provider"])
def test_only_managers_and_admins_set_targets(request, client_of, launched, role):
    """Coordinators read the report; its settings are the managers' and admins'."""
    client = client_of(request.getfixturevalue(role))
    assert client.get(targets_url()).status_code == 403
    response = client.post(
        targets_url(), {"year": THIS_YEAR, "action_plan_people": "10"}
    )
    assert response.status_code == 403
    assert not ImpactTarget.objects.exists()


@pytest.mark.django_db
def test_another_academys_targets_are_neither_shown_nor_changed(
    client_of, manager, launched, other_academy
):
    ImpactTarget.objects.create(
        academy=other_academy, metric="action_plan_people", year=THIS_YEAR, value=777
    )
    client = client_of(manager)
    assert 'value="777"' not in client.get(targets_url()).content.decode()
    client.post(targets_url(), {"year": THIS_YEAR, "action_plan_people": "5"})
    assert stored(other_academy, THIS_YEAR) == {"action_plan_people": 777}
    assert stored(launched, THIS_YEAR) == {"action_plan_people": 5}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "shown"),
    [("manager", True), ("admin", True), ("coordinator", False)],
)
def test_the_menu_offers_targets_to_those_who_set_them(request, client_of, role, shown):
    home = client_of(request.getfixturevalue(role)).get(reverse("home"))
    links = [
        link.label
        for section in home.context["main_menu"]
        if section.label == "Impact"
        for link in section.links
    ]
    assert ("Targets" in links) is shown


# The narrative and the PDF's form.


@pytest.mark.django_db
def test_make_a_pdf_opens_a_form_keeping_the_dashboards_period(client_of, manager):
    client = client_of(manager)
    dashboard = client.get(reverse("reporting:impact"), {**PERIOD, "publish": "on"})
    link = dashboard.context["query"]
    body = dashboard.content.decode()
    form_url = f"{reverse('reporting:run-request')}?{link}"
    assert f'href="{form_url.replace("&", "&amp;")}"' in body
    page = client.get(form_url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.is_valid()
    assert (form.chosen.start, form.chosen.end) == (
        dt.date(2024, 4, 1),
        dt.date(2024, 6, 30),
    )
    html = page.content.decode()
    assert 'value="2024-04-01"' in html
    assert form["publish"].value() is True
    assert "Build the PDF" in html
    assert not ReportRun.objects.exists()  # showing the form builds nothing


@pytest.mark.django_db
def test_the_narrative_starts_from_the_academys_last_one(
    client_of, manager, academy, other_academy
):
    ReportRun.objects.create(
        academy=academy,
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 1, 31),
        narrative="Our first quarter.\n\nThree new employers.",
    )
    ReportRun.objects.create(
        academy=academy, start=dt.date(2024, 2, 1), end=dt.date(2024, 2, 29)
    )  # none written for this one: the last one written is kept
    ReportRun.objects.create(
        academy=other_academy,
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 1, 31),
        narrative="OTHER ACADEMY'S WORDS",
    )
    page = client_of(manager).get(reverse("reporting:run-request"), PERIOD)
    assert page.context["form"]["narrative"].value() == (
        "Our first quarter.\n\nThree new employers."
    )
    assert "OTHER ACADEMY" not in page.content.decode()


@pytest.mark.django_db
def test_the_narrative_is_stored_and_printed_as_plain_text(
    client_of, manager, academy, django_capture_on_commit_callbacks
):
    SkillsActionPlanFactory(participant__academy=academy, agreed_on=dt.date(2024, 5, 1))
    narrative = (
        "We worked with <b>12 employers</b> & two colleges.\r\n"
        "A second line.\r\n\r\nA second paragraph."
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_post(client_of(manager), {**PERIOD, "narrative": narrative})
    run = ReportRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    assert run.narrative == (
        "We worked with <b>12 employers</b> & two colleges.\nA second line.\n\n"
        "A second paragraph."
    )
    assert run.status == "done", run.error
    with run.file.open("rb") as file:
        pages = PdfReader(io.BytesIO(file.read())).pages
    text = pages[1].extract_text()
    assert "About this period" in text
    assert "We worked with <b>12 employers</b> & two colleges." in text
    assert "A second paragraph." in text


def manager_post(client, data):
    return client.post(reverse("reporting:run-request"), data)


@pytest.mark.django_db
def test_a_narrative_too_long_is_refused_and_kept_to_shorten(client_of, manager):
    narrative = "Word " * 600 + "end."  # 3,004 characters
    response = manager_post(client_of(manager), {**PERIOD, "narrative": narrative})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Keep it to 3,000 characters (you typed 3,004)." in body
    assert "end.</textarea>" in body
    assert not ReportRun.objects.exists()


@pytest.mark.django_db
def test_line_ends_count_once_towards_the_limit(
    client_of, manager, django_capture_on_commit_callbacks
):
    """A browser sends each line end as two characters; the box counted one."""
    narrative = "\r\n".join(["x" * 99] * 30)  # 2,970 + 29 line ends
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_post(client_of(manager), {**PERIOD, "narrative": narrative})
    assert response.status_code == 302
    assert len(ReportRun.objects.get().narrative) == 2999


@pytest.mark.django_db
def test_a_bad_period_is_refused_and_the_narrative_kept(client_of, manager):
    response = manager_post(
        client_of(manager),
        {
            "period": "custom",
            "start": "2024-06-01",
            "end": "2024-01-01",
            "narrative": "Keep me.",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The last day must be on or after the first." in body
    assert "Keep me.</textarea>" in body
    assert not ReportRun.objects.exists()


@pytest.mark.django_db
def test_a_different_narrative_is_a_different_run(academy):
    def ask(narrative):
        return services.report_run_request(
            academy=academy,
            start=dt.date(2024, 1, 1),
            end=dt.date(2024, 1, 31),
            publish=False,
            by=None,
            narrative=narrative,
        )

    first = ask("One.")
    assert ask("One.").pk == first.pk  # while it waits
    assert ask("  One.\r\n").pk == first.pk  # the same text, as stored
    assert ask("Two.").pk != first.pk
    assert ask("").pk != first.pk
    with pytest.raises(ValidationError, match="Keep it to 3,000 characters"):
        ask("x" * 3001)


@pytest.mark.django_db
def test_coordinators_make_pdfs_and_providers_cannot(client_of, coordinator, provider):
    assert client_of(coordinator).get(reverse("reporting:run-request")).status_code == (
        200
    )
    refused = client_of(provider)
    assert refused.get(reverse("reporting:run-request")).status_code == 403
    assert refused.post(reverse("reporting:run-request"), PERIOD).status_code == 403
    assert not ReportRun.objects.exists()


@pytest.mark.django_db
def test_another_academys_run_is_404(client_of, manager, other_academy):
    run = ReportRun.objects.create(
        academy=other_academy,
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 1, 31),
        narrative="Theirs.",
    )
    client = client_of(manager)
    assert client.get(run.get_absolute_url()).status_code == 404
    assert client.post(reverse("reporting:run-retry", args=[run.pk])).status_code == 404


@pytest.mark.django_db
def test_the_monthly_pdf_has_no_narrative_section(
    academy, manager, django_capture_on_commit_callbacks
):
    import time_machine

    from reporting.tasks import monthly_reports_send

    SkillsActionPlanFactory(
        participant__academy=academy, agreed_on=dt.date(2024, 5, 10)
    )
    ReportRun.objects.create(  # a manager's narrative is not the monthly PDF's
        academy=academy,
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 1, 31),
        narrative="A MANAGER'S NARRATIVE",
    )
    MembershipFactory(academy=academy, role="manager", is_active=False)
    with (
        time_machine.travel("2024-06-01 07:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert monthly_reports_send.delay().get() == 1
    pdf = next(
        body for name, body, _ in mail.outbox[0].attachments if name.endswith(".pdf")
    )
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = "\n".join(page.extract_text() for page in pages)
    assert pages[0].extract_text().strip().startswith("Internal — not for publication")
    assert "About this period" not in text
    assert "A MANAGER'S NARRATIVE" not in text
    assert "Appendix: definitions" in text


@pytest.mark.django_db
def test_a_narrative_sent_after_the_confirmation_window_is_not_lost(manager):
    """Writing takes longer than the five minutes after which "Confirm it's you" is
    asked; the confirmation sends nobody's POST again, so the text is kept for the
    form the manager comes back to."""
    import time_machine
    from django.test import Client

    from tests.academy.factories import PASSWORD
    from tests.academy.test_reauth import code
    from tests.conftest import log_in

    with time_machine.travel("2024-07-01 10:00", tick=False) as clock:
        client = log_in(Client(), manager.user)
        form_url = f"{reverse('reporting:run-request')}?period=last_quarter"
        assert client.get(form_url).status_code == 200
        clock.shift(dt.timedelta(minutes=20))
        response = client.post(
            reverse("reporting:run-request"),
            {"period": "last_quarter", "narrative": "Twenty minutes of writing."},
            HTTP_REFERER=f"http://testserver{form_url}",
        )
        assert response["Location"].startswith(reverse("reauth"))
        assert not ReportRun.objects.exists()
        back = client.post(
            response["Location"],
            {"password": PASSWORD, "code": code(manager.user)},
            follow=True,
        )
        assert back.redirect_chain[-1][0] == form_url
        assert back.context["form"]["narrative"].value() == (
            "Twenty minutes of writing."
        )
        # Kept once: the next opening starts from the last PDF's again.
        assert client.get(form_url).context["form"]["narrative"].value() == ""

"""manage.py refresh_impact_summaries: one academy's summaries or every academy's."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from participants.models import Support
from reporting.impact import impact_figures
from reporting.models import ImpactDay, ImpactSummary
from reporting.summaries import refresh_impact_summaries
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 3, 5)


def _supported_past_the_receivers(academy):
    """Support written as a bulk update writes it: no signals, so the summaries do
    not know of it until they are rebuilt."""
    person = ParticipantFactory(academy=academy, registered_on=DAY)
    refresh_impact_summaries(academy)
    Support.objects.bulk_create(
        [Support(participant=person, kind="careers", given_on=DAY)]
    )


def _supported(academy) -> int:
    return next(
        row.value
        for row in impact_figures(academy=academy, start=DAY, end=DAY).rows
        if (row.metric, row.breakdown) == ("support_people", "all")
    )


def test_one_academys_summaries_are_rebuilt(academy, other_academy):
    _supported_past_the_receivers(academy)
    _supported_past_the_receivers(other_academy)
    assert _supported(academy) == 0
    out = StringIO()
    call_command("refresh_impact_summaries", "--academy", academy.slug, stdout=out)
    assert _supported(academy) == 1
    assert _supported(other_academy) == 0  # not asked for
    assert f"({academy.slug}): impact summaries rebuilt in" in out.getvalue()


def test_every_academys_summaries_are_rebuilt_when_none_is_named(
    academy, other_academy
):
    _supported_past_the_receivers(academy)
    _supported_past_the_receivers(other_academy)
    out = StringIO()
    call_command("refresh_impact_summaries", stdout=out)
    assert _supported(academy) == _supported(other_academy) == 1
    assert out.getvalue().count("impact summaries rebuilt in") == 2


def test_an_unknown_academy_is_named_and_nothing_is_rebuilt(academy):
    with pytest.raises(CommandError, match="No academy has the slug 'nowhere'"):
        call_command("refresh_impact_summaries", "--academy", "nowhere")
    assert not ImpactSummary.objects.exists()
    assert not ImpactDay.objects.exists()


def test_an_unknown_academy_exits_non_zero_with_the_message(academy, capsys):
    """From the command line, as an operator runs it: exit status 1 and the reason,
    no traceback."""
    command = ["manage.py", "refresh_impact_summaries", "--academy", "nowhere"]
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(command).execute()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "No academy has the slug 'nowhere'." in err
    assert "Traceback" not in err

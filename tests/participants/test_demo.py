import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from participants.models import Outcome, Participant, SkillsActionPlan, Support

START, END = dt.date(2023, 11, 1), dt.date(2024, 3, 31)


def people(queryset, path="participant"):
    return queryset.values(path).distinct().count()


@pytest.mark.django_db
def test_demo_academy_reproduces_caring_plymouths_published_figures(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    plans = SkillsActionPlan.objects.filter(agreed_on__range=(START, END))
    outcomes = Outcome.objects.filter(started_on__range=(START, END))
    support = Support.objects.filter(
        given_on__range=(START, END),
        kind__in=["careers", "employability", "financial", "mental_health"],
    )
    assert people(plans) == 653
    assert people(plans.filter(participant__is_claimant=True)) == 540
    assert people(plans.filter(participant__is_claimant=False)) == 113
    assert (
        people(outcomes.filter(kind="employment", sector="health_social_care")) == 165
    )
    assert people(outcomes.filter(kind="employment", sector="other")) == 57
    assert (
        people(
            outcomes.filter(kind__in=["training", "work_experience", "volunteering"])
        )
        == 69
    )
    assert people(support) == 637
    # People, not records: some have several qualifying records.
    assert outcomes.filter(sector="health_social_care").count() > 165
    assert support.count() > 637


@pytest.mark.django_db
def test_seeding_twice_adds_no_casework(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    count = Participant.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Participant.objects.count() == count

"""The matching pages' Refer forms are cheap to draw (issue 16): one small template per
row instead of crispy's layout machinery (about 30 ms a form, 25 forms a page), while
the form a user sees and sends stays the same: fields, hidden values, labels, the
"Refer anyway, although: ..." tick for a blocked match, and the CSRF token."""

import re
from unittest import mock

import pytest
from crispy_forms.helper import FormHelper
from django.urls import reverse

from tests.html_forms import page_forms
from tests.participants.factories import ParticipantFactory, SkillsActionPlanFactory
from tests.vacancies.factories import VacancyFactory
from tests.vacancies.pages import CREATE, matches_url
from vacancies.models import Referral

pytestmark = pytest.mark.django_db

LICENCE = "needs a driving licence and car, which they do not have"


@pytest.fixture
def seeker(academy):
    amira = ParticipantFactory(
        academy=academy,
        first_name="Amira",
        last_name="Haddad",
        has_driving_licence=False,
        has_car=False,
        right_to_work="yes",
    )
    SkillsActionPlanFactory(participant=amira, target_role="Home care")
    return amira


def _crispy_renders(client, url):
    """How many crispy layouts drawing the page at `url` renders."""
    real = FormHelper.render_layout
    with mock.patch.object(
        FormHelper, "render_layout", autospec=True, side_effect=real
    ) as render:
        response = client.get(url)
    assert response.status_code == 200
    return render.call_count


def _refer_forms(page, path):
    return [f for f in page_forms(page, path) if f.action == CREATE]


def test_refer_forms_do_not_render_a_crispy_layout_per_match(
    client_of, coordinator, seeker, academy
):
    client = client_of(coordinator)
    url = matches_url(seeker)
    VacancyFactory(academy=academy, title="Home carer 0")
    one = _crispy_renders(client, url)
    for n in range(1, 6):
        VacancyFactory(academy=academy, title=f"Home carer {n}")
    page = client.get(url).content.decode()
    assert len(_refer_forms(page, url)) == 6
    assert _crispy_renders(client, url) == one


def test_a_vacancys_matches_draw_no_crispy_layout_per_person(
    client_of, coordinator, academy
):
    vacancy = VacancyFactory(academy=academy, title="Home carer")
    client = client_of(coordinator)
    url = reverse("vacancies:matches", args=[vacancy.pk])
    ParticipantFactory(academy=academy)
    one = _crispy_renders(client, url)
    for _ in range(4):
        ParticipantFactory(academy=academy)
    assert _crispy_renders(client, url) == one


def test_the_refer_form_sends_what_it_did_and_labels_each_control(
    client_of, coordinator, seeker, academy
):
    vacancy = VacancyFactory(academy=academy, title="Home carer, Plympton")
    client = client_of(coordinator)
    url = matches_url(seeker)
    page = client.get(url).content.decode()
    [form] = _refer_forms(page, url)
    assert form.method == "post"
    assert form.sent_untouched() == {
        "csrfmiddlewaretoken": [mock.ANY],
        "participant": [str(seeker.pk)],
        "vacancy": [str(vacancy.pk)],
        "training": [""],
        "blockers": [""],
        "next": [url],
        "note": [""],
        "submission": [mock.ANY],  # its one-time token (academy/once.py)
    }
    assert 'aria-label="Refer to Home carer, Plympton"' in page
    assert 'class="referral-refer-form"' in page
    note_id = f"refer-{seeker.pk}-vacancy-{vacancy.pk}-note"
    assert re.search(
        rf'<label for="{note_id}" class="form-label small">\s*'
        r"Note for the provider \(optional\)\s*</label>",
        page,
    )
    assert f'id="{note_id}"' in page
    assert 'name="refer_anyway"' not in page
    response = client.post(CREATE, {**form.sent_untouched(), "note": "Keen"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.participant, referral.vacancy, referral.note) == (
        seeker,
        vacancy,
        "Keen",
    )


def test_a_blocked_refer_form_sent_with_its_tick_refers(
    client_of, coordinator, seeker, academy
):
    rural = VacancyFactory(
        academy=academy, title="Rural home carer", needs_driving_licence=True
    )
    client = client_of(coordinator)
    url = matches_url(seeker)
    page = client.get(url).content.decode()
    [form] = _refer_forms(page, url)
    tick = form.fields["refer_anyway"]
    assert (tick.kind, tick.sent) == ("checkbox", [])
    assert form.sent_untouched()["blockers"] == ["licence"]
    tick_id = f"refer-{seeker.pk}-vacancy-{rural.pk}-refer_anyway"
    assert re.search(
        rf'<input type="checkbox" name="refer_anyway"[^>]* required[^>]*id="{tick_id}"',
        page,
    )
    assert re.search(
        rf'<label for="{tick_id}" class="form-check-label requiredField">\s*'
        rf"Refer anyway, although: {LICENCE}",
        page,
    )
    assert 'aria-label="Refer anyway to Rural home carer"' in page
    assert ">Refer anyway</button>" in page
    untouched = client.post(CREATE, form.sent_untouched())
    assert untouched.status_code == 302
    assert not Referral.objects.exists()
    client.post(CREATE, {**form.sent_untouched(), "refer_anyway": "on"})
    assert Referral.objects.get().vacancy == rural


def test_without_consent_the_refer_button_is_disabled(
    client_of, coordinator, seeker, academy
):
    seeker.has_consent_to_share = False
    seeker.save()
    VacancyFactory(academy=academy, title="Home carer")
    page = client_of(coordinator).get(matches_url(seeker)).content.decode()
    assert re.search(r'<button[^>]*aria-label="Refer to Home carer"[^>]*disabled', page)

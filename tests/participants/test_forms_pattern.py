"""One form pattern (issue 15): an error summary at the top of every form with errors,
"Error: " before the page title, the registration form's four essentials first and
the rest under "More details", and a plan's actions added one more at a time."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from participants.models import Participant, SkillsActionPlan
from tests.participants.factories import ParticipantFactory, SkillsActionPlanFactory


@dataclass
class Page:
    """What a test reads of a page: its title, its error summaries (their attributes,
    text and links), and each <details> (open or not, the controls inside)."""

    title: str = ""
    summaries: list[dict[str, str | None]] = field(default_factory=list)
    summary_text: str = ""
    summary_links: list[str] = field(default_factory=list)
    details: list[tuple[bool, list[str]]] = field(default_factory=list)
    controls: list[str] = field(default_factory=list)
    autofocus: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._in_title = False
        self._summary_depth = 0
        self._details: list[tuple[bool, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "title":
            self._in_title = True
        if self._summary_depth:
            self._summary_depth += tag not in ("input", "br", "img")
            if tag == "a":
                self.page.summary_links.append(a.get("href") or "")
        elif "error-summary" in (a.get("class") or "").split():
            self.page.summaries.append(a)
            self._summary_depth = 1
        if tag == "details":
            self._details.append(("open" in a, []))
        if tag in ("input", "select", "textarea") and a.get("name"):
            if a.get("type") not in ("hidden", "submit"):
                self.page.controls.append(a["name"])
                for _, names in self._details:
                    names.append(a["name"])
            if "autofocus" in a:
                self.page.autofocus.append(a["name"])

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if self._summary_depth:
            self._summary_depth -= 1
        if tag == "details" and self._details:
            self.page.details.append(self._details.pop())

    def handle_data(self, data):
        if self._in_title:
            self.page.title += data
        if self._summary_depth:
            self.page.summary_text += data


def read(response) -> Page:
    reader = _Reader()
    reader.feed(response.content.decode())
    return reader.page


REGISTER = {
    "first_name": "Amira",
    "last_name": "Haddad",
    "phone": "07700 900111",
    "postcode": "pl1 2ab",
    "registered_on": "2024-02-01",
    "source": "job_centre",
    "dbs_level": "none",
    "right_to_work": "unknown",
    "contact_by": "none",
    "consent_to_hold": "on",
}


def _plan_data(total: int, **rows):
    data = {
        "agreed_on": "2024-02-05",
        "pathway": "demand",
        "target_role": "Care worker",
        "barriers": ["transport"],
        "actions-TOTAL_FORMS": str(total),
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "10",
    }
    for i in range(total):
        data[f"actions-{i}-owner"] = "participant"
    data.update(rows)
    return data


# Forms of several kinds: a long crispy form, a crispy form with a formset beside it,
# a short crispy form, a form with a cross-field rule, and the public sign-in form
# (rendered with the |crispy filter, not the tag).
WALK = [
    pytest.param(
        lambda person: reverse("participants:register"),
        {"consent_to_hold": "on", "date_of_birth": "2030-01-01"},
        ["#id_first_name", "#id_last_name", "#id_date_of_birth"],
        id="registration",
    ),
    pytest.param(
        lambda person: reverse("participants:plan-agree", args=[person.pk]),
        _plan_data(2, **{"agreed_on": "", "actions-1-description": "Apply for DBS"}),
        ["#id_agreed_on", "#id_actions-1-due_on"],
        id="plan",
    ),
    pytest.param(
        lambda person: reverse("participants:meeting-add", args=[person.pk]),
        {"kind": "", "held_at": "tomorrow"},
        ["#id_kind", "#id_held_at"],
        id="meeting",
    ),
    pytest.param(
        lambda person: reverse("participants:close", args=[person.pk]),
        {"reason": "no-such-reason"},
        ["#id_reason"],
        id="close",
    ),
    pytest.param(
        lambda person: reverse("participants:consent", args=[person.pk]),
        {"kind": "hold"},
        ["#id_is_given_0"],
        id="consent-radio",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "data", "links"), WALK)
def test_a_form_with_errors_opens_with_a_summary_linking_to_each_field(
    client_of, coordinator, url, data, links
):
    person = ParticipantFactory(academy=coordinator.academy)
    response = client_of(coordinator).post(url(person), data)
    assert response.status_code == 200
    page = read(response)
    assert page.title.startswith("Error: ")
    assert len(page.summaries) == 1
    summary = page.summaries[0]
    assert summary["role"] == "alert"
    assert summary["tabindex"] == "-1"
    assert "There is a problem" in page.summary_text
    for link in links:
        assert link in page.summary_links
    # Each link goes to a control the page has.
    html = response.content.decode()
    for link in page.summary_links:
        assert f'id="{link[1:]}"' in html


@pytest.mark.django_db
def test_the_sign_in_form_summarises_its_error_too(client):
    response = client.post(
        reverse("login"), {"username": "nobody@example.org", "password": "wrong"}
    )
    page = read(response)
    assert page.title.startswith("Error: ")
    assert len(page.summaries) == 1
    assert "There is a problem" in page.summary_text


@pytest.mark.django_db
def test_a_form_without_errors_has_no_summary_and_a_plain_title(client_of, coordinator):
    client = client_of(coordinator)
    for url in (
        reverse("participants:register"),
        reverse(
            "participants:plan-agree",
            args=[ParticipantFactory(academy=coordinator.academy).pk],
        ),
    ):
        page = read(client.get(url))
        assert not page.title.startswith("Error")
        assert page.summaries == []


@pytest.mark.django_db
def test_a_message_beside_a_field_stays_there(client_of, coordinator):
    response = client_of(coordinator).post(
        reverse("participants:register"), {**REGISTER, "first_name": ""}
    )
    html = response.content.decode()
    assert 'id="error_1_id_first_name"' in html
    assert "First name: This field is required." in read(response).summary_text


@pytest.mark.django_db
def test_registration_asks_the_four_essentials_first_and_the_rest_under_more_details(
    client_of, coordinator
):
    page = read(client_of(coordinator).get(reverse("participants:register")))
    assert page.controls[:4] == ["first_name", "last_name", "phone", "postcode"]
    assert "consent_to_hold" in page.controls[4:6]
    [(is_open, inside)] = page.details
    assert not is_open
    assert {"date_of_birth", "email", "cohorts", "right_to_work"} <= set(inside)
    assert not {"first_name", "last_name", "phone", "postcode"} & set(inside)
    assert "consent_to_hold" not in inside


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "is_open"),
    [
        ({"date_of_birth": "2030-01-01"}, True),
        ({"email": "not-an-email"}, True),
        ({"first_name": ""}, False),
    ],
)
def test_more_details_opens_itself_when_a_field_inside_has_an_error(
    client_of, coordinator, data, is_open
):
    response = client_of(coordinator).post(
        reverse("participants:register"), {**REGISTER, **data}
    )
    assert response.status_code == 200
    [(opened, _)] = read(response).details
    assert opened is is_open
    assert not Participant.objects.exists()


@pytest.mark.django_db
def test_registration_with_the_essentials_only_registers(client_of, coordinator):
    response = client_of(coordinator).post(reverse("participants:register"), REGISTER)
    assert response.status_code == 302
    person = Participant.objects.get()
    assert (person.first_name, person.phone, person.postcode) == (
        "Amira",
        "+447700900111",
        "PL1 2AB",
    )


# The plan's actions.


@pytest.mark.django_db
def test_a_new_plan_starts_with_one_empty_action_row(client_of, coordinator):
    person = ParticipantFactory(academy=coordinator.academy)
    response = client_of(coordinator).get(
        reverse("participants:plan-agree", args=[person.pk])
    )
    html = response.content.decode()
    assert 'name="actions-TOTAL_FORMS" value="1"' in html
    assert "actions-0-description" in html
    assert "actions-1-description" not in html
    assert "Add another action" in html


@pytest.mark.django_db
def test_add_another_with_htmx_returns_the_next_row_and_the_new_count(
    client_of, coordinator
):
    person = ParticipantFactory(academy=coordinator.academy)
    response = client_of(coordinator).post(
        reverse("participants:plan-agree", args=[person.pk]),
        {**_plan_data(2), "add_action": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    page = read(response)
    assert page.controls == [
        "actions-2-description",
        "actions-2-owner",
        "actions-2-due_on",
        "actions-2-DELETE",
    ]
    assert page.autofocus == ["actions-2-description"]
    assert 'name="actions-TOTAL_FORMS"' in html
    assert 'value="3"' in html
    assert 'hx-swap-oob="true"' in html
    assert "<html" not in html
    assert not SkillsActionPlan.objects.exists()


@pytest.mark.django_db
def test_add_another_without_javascript_shows_the_page_again_with_one_more_row(
    client_of, coordinator
):
    person = ParticipantFactory(academy=coordinator.academy)
    response = client_of(coordinator).post(
        reverse("participants:plan-agree", args=[person.pk]),
        {
            **_plan_data(1, **{"actions-0-description": "Apply for DBS"}),
            "agreed_on": "",
            "add_action": "1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    page = read(response)
    # What was typed stays; nothing is checked or saved until the plan is sent.
    assert 'value="Apply for DBS"' in html
    assert 'value="Care worker"' in html
    assert page.summaries == []
    assert not page.title.startswith("Error")
    assert 'name="actions-TOTAL_FORMS" value="2"' in html
    assert page.autofocus == ["actions-1-description"]
    assert not SkillsActionPlan.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("total", "message"),
    [
        ("10", "A plan takes at most 10 actions at a time"),
        ("many", "The form was not complete"),
    ],
)
def test_add_another_refuses_bad_input_with_a_message(
    client_of, coordinator, total, message
):
    person = ParticipantFactory(academy=coordinator.academy)
    client = client_of(coordinator)
    url = reverse("participants:plan-agree", args=[person.pk])
    data = {**_plan_data(0), "actions-TOTAL_FORMS": total, "add_action": "1"}
    with_htmx = client.post(url, data, headers={"HX-Request": "true"})
    without = client.post(url, data)
    for response in (with_htmx, without):
        assert response.status_code == 200
        assert message in response.content.decode()
    assert "actions-10-description" not in with_htmx.content.decode()


@pytest.mark.django_db
def test_more_actions_than_a_plan_takes_are_refused_with_a_message(
    client_of, coordinator
):
    person = ParticipantFactory(academy=coordinator.academy)
    rows = {}
    for i in range(11):
        rows[f"actions-{i}-description"] = f"Step {i}"
        rows[f"actions-{i}-due_on"] = "2024-03-01"
    response = client_of(coordinator).post(
        reverse("participants:plan-agree", args=[person.pk]), _plan_data(11, **rows)
    )
    assert response.status_code == 200
    assert "A plan takes at most 10 actions at a time" in response.content.decode()
    assert not SkillsActionPlan.objects.exists()


@pytest.mark.django_db
def test_a_removed_action_row_is_not_saved_nor_checked(client_of, coordinator):
    person = ParticipantFactory(academy=coordinator.academy)
    rows = {
        "actions-0-description": "Apply for DBS",
        "actions-0-due_on": "2024-02-12",
        # Half filled in, then removed: its missing date does not matter.
        "actions-1-description": "Something else",
        "actions-1-DELETE": "on",
    }
    response = client_of(coordinator).post(
        reverse("participants:plan-agree", args=[person.pk]), _plan_data(2, **rows)
    )
    assert response.status_code == 302
    plan = SkillsActionPlan.objects.get(participant=person)
    assert [a.description for a in plan.actions.all()] == ["Apply for DBS"]


@pytest.mark.django_db
def test_a_removed_action_row_shows_no_error_beside_it(client_of, coordinator):
    person = ParticipantFactory(academy=coordinator.academy)
    rows = {
        "actions-0-description": "Apply for DBS",  # no date: an error
        "actions-1-description": "Something else",  # no date, but removed
        "actions-1-DELETE": "on",
    }
    response = client_of(coordinator).post(
        reverse("participants:plan-agree", args=[person.pk]), _plan_data(2, **rows)
    )
    html = response.content.decode()
    assert "error_1_id_actions-0-due_on" in html
    assert "error_1_id_actions-1-due_on" not in html
    assert "Action 2" not in read(response).summary_text


@pytest.mark.django_db
def test_a_review_adds_another_action_row_too(client_of, coordinator):
    plan = SkillsActionPlanFactory(participant__academy=coordinator.academy)
    url = reverse("participants:plan-review", args=[plan.pk])
    client = client_of(coordinator)
    assert 'name="actions-TOTAL_FORMS" value="1"' in client.get(url).content.decode()
    response = client.post(
        url,
        {"actions-TOTAL_FORMS": "1", "actions-INITIAL_FORMS": "0", "add_action": "1"},
        headers={"HX-Request": "true"},
    )
    assert read(response).controls[0] == "actions-1-description"


@pytest.mark.django_db
def test_only_casework_roles_of_the_academy_add_action_rows(
    client_of, provider, manager, other_coordinator, coordinator
):
    person = ParticipantFactory(academy=coordinator.academy)
    url = reverse("participants:plan-agree", args=[person.pk])
    data = {**_plan_data(1), "add_action": "1"}
    for member, status in ((provider, 403), (manager, 403), (other_coordinator, 404)):
        response = client_of(member).post(url, data, headers={"HX-Request": "true"})
        assert response.status_code == status

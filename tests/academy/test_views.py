import pytest
from django.core import mail
from django.urls import reverse

from academy.models import Academy, Membership, Organisation, User
from academy.permissions import Role
from tests.academy.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.conftest import log_in


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", "Partners you can refer people to"),
        ("provider", "Your organisation"),
        ("manager", "The partnership today"),
        ("admin", "Newest members"),
    ],
)
def test_each_role_lands_on_its_own_home_page(request, client_of, persona, expected):
    membership = request.getfixturevalue(persona)
    response = client_of(membership).get(reverse("home"))
    assert response.status_code == 200
    assert expected in response.content.decode()


@pytest.mark.django_db
def test_provider_home_shows_its_organisation_not_others(client_of, provider):
    OrganisationFactory(academy=provider.academy, name="Rival Care Ltd")
    body = client_of(provider).get(reverse("home")).content.decode()
    assert provider.organisation.name in body
    assert "Rival Care Ltd" not in body


@pytest.mark.django_db
def test_coordinator_home_lists_only_own_academys_partners(
    client_of, coordinator, other_academy
):
    OrganisationFactory(academy=coordinator.academy, name="Local Jobcentre")
    OrganisationFactory(academy=other_academy, name="Faraway Homes")
    body = client_of(coordinator).get(reverse("home")).content.decode()
    assert "Local Jobcentre" in body
    assert "Faraway Homes" not in body


@pytest.mark.django_db
def test_coordinator_home_lists_a_dozen_partners_however_many_there_are(
    client_of, coordinator
):
    # Issue 16: a city academy's hundreds of care providers made the home 460 KB.
    OrganisationFactory.create_batch(30, academy=coordinator.academy)
    OrganisationFactory(
        academy=coordinator.academy,
        name="Zeta Jobcentre",
        kind=Organisation.Kind.JOB_CENTRE,
    )
    response = client_of(coordinator).get(reverse("home"))
    partners = response.context["partners"]
    assert partners.total == 31
    assert len(partners.shown) == 12
    assert partners.shown[0].name == "Zeta Jobcentre"  # support partners first
    body = response.content.decode()
    assert "12 of 31 partners shown" in body


@pytest.mark.django_db
def test_a_home_lists_a_dozen_colleagues_those_to_ask_first(client_of, coordinator):
    # Issue 16: a city academy's 220 members made "Your team" 75 KB of the home.
    academy = coordinator.academy
    MembershipFactory.create_batch(20, academy=academy, role=Role.COORDINATOR)
    MembershipFactory.create_batch(5, academy=academy, role=Role.PROVIDER)
    boss = MembershipFactory(
        academy=academy, role=Role.MANAGER, user__first_name="Zara"
    )
    MembershipFactory(academy=MembershipFactory().academy, role=Role.MANAGER)
    response = client_of(coordinator).get(reverse("home"))
    colleagues = response.context["colleagues"]
    assert colleagues.total == 26  # not themself, not another academy's
    assert len(colleagues.shown) == 12
    assert colleagues.shown[0] == boss  # a manager before coordinators by name
    assert {m.role for m in colleagues.shown[1:]} == {Role.COORDINATOR}
    assert "12 of 26 colleagues shown" in response.content.decode()


@pytest.mark.django_db
def test_a_providers_colleagues_are_its_organisations_alone(client_of, provider):
    MembershipFactory(
        academy=provider.academy,
        role=Role.PROVIDER,
        organisation=provider.organisation,
        user__first_name="Sam",
    )
    MembershipFactory(academy=provider.academy, role=Role.PROVIDER)
    MembershipFactory(academy=provider.academy, role=Role.COORDINATOR)
    colleagues = client_of(provider).get(reverse("home")).context["colleagues"]
    assert [m.user.first_name for m in colleagues.shown] == ["Sam"]
    assert colleagues.total == 1


@pytest.mark.django_db
def test_manager_home_counts_partners_by_kind(client_of, manager):
    OrganisationFactory(academy=manager.academy, kind=Organisation.Kind.NHS_TRUST)
    OrganisationFactory(academy=manager.academy, kind=Organisation.Kind.NHS_TRUST)
    OrganisationFactory(
        academy=manager.academy, kind=Organisation.Kind.NHS_TRUST, is_active=False
    )
    response = client_of(manager).get(reverse("home"))
    rows = {
        row.label: row.count for row in response.context["headlines"].partners_by_kind
    }
    assert rows["NHS trust"] == 2
    assert response.context["headlines"].partners == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("launched", "line"),
    [(None, "South West"), ("2024-04-01", "South West · launched April 2024")],
)
def test_manager_home_says_region_and_launch_without_a_stray_dot(
    client_of, manager, launched, line
):
    Academy.objects.filter(pk=manager.academy_id).update(
        region="South West", launched_on=launched
    )
    body = client_of(manager).get(reverse("home")).content.decode()
    subtitle = body.split('<p class="text-body-secondary mb-4">')[1].split("</p>")[0]
    assert " ".join(subtitle.split()) == line


@pytest.mark.django_db
def test_superuser_without_membership_goes_to_the_academy_list(client):
    log_in(client, UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("academy:academy-list")


@pytest.mark.django_db
def test_admin_adds_an_organisation(client_of, admin):
    response = client_of(admin).post(
        reverse("academy:organisation-add"),
        {
            "name": "Moor Care",
            "kind": "care_provider",
            "postcode": "pl4 6ab",
            "is_active": "on",
            "website": "moorcare.example.org",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Moor Care")
    assert organisation.academy == admin.academy
    assert organisation.postcode == "PL4 6AB"
    assert organisation.website == "https://moorcare.example.org"


@pytest.mark.django_db
def test_organisation_form_ignores_a_forged_academy(client_of, admin, other_academy):
    client_of(admin).post(
        reverse("academy:organisation-add"),
        {"name": "Sneaky", "kind": "care_provider", "academy": other_academy.pk},
    )
    assert Organisation.objects.get(name="Sneaky").academy == admin.academy


@pytest.mark.django_db
def test_organisation_with_a_duplicate_name_is_refused_with_a_message(client_of, admin):
    OrganisationFactory(academy=admin.academy, name="Moor Care")
    response = client_of(admin).post(
        reverse("academy:organisation-add"),
        {"name": "Moor Care", "kind": "care_provider"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Organisation.objects.filter(name="Moor Care").count() == 1


@pytest.mark.django_db
def test_another_academys_organisation_is_404_to_an_admin(
    client_of, admin, other_academy
):
    foreign = OrganisationFactory(academy=other_academy)
    client = client_of(admin)
    url = reverse("academy:organisation-edit", args=[foreign.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Taken", "kind": "council"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name != "Taken"


@pytest.mark.django_db
def test_admin_adds_a_new_person_who_is_invited_by_email(
    client_of, admin, settings, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(academy=admin.academy)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(admin).post(
            reverse("academy:member-add"),
            {
                "email": "New.Person@Example.org",
                "first_name": "New",
                "last_name": "Person",
                "role": "provider",
                "organisation": organisation.pk,
            },
        )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new.person@example.org")
    assert (membership.academy, membership.role, membership.organisation) == (
        admin.academy,
        Role.PROVIDER,
        organisation,
    )
    assert not membership.user.has_usable_password()
    assert membership.user.invited_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert "/accounts/invitation/" in mail.outbox[0].body


@pytest.mark.django_db
def test_invitation_link_lets_the_new_member_set_a_password(
    client, client_of, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_of(admin).post(
            reverse("academy:member-add"),
            {
                "email": "nina@example.org",
                "first_name": "Nina",
                "last_name": "Ng",
                "role": "coordinator",
            },
        )
    link = next(
        line
        for line in mail.outbox[0].body.splitlines()
        if "/accounts/invitation/" in line
    )
    path = link.split("127.0.0.1:8000", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Set your password" in form_page.content.decode()
    password = "a-long-enough-pass-phrase"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )
    assert done.status_code == 302
    assert User.objects.get(email="nina@example.org").check_password(password)


def _add_existing(client_of, admin, membership, role="manager"):
    return client_of(admin).post(
        reverse("academy:member-add"),
        {
            "email": membership.user.email,
            "first_name": "X",
            "last_name": "Y",
            "role": role,
        },
        follow=True,
    )


@pytest.mark.django_db
def test_an_existing_account_joins_another_academy_only_when_its_owner_accepts(
    client_of, admin, other_coordinator, django_capture_on_commit_callbacks
):
    """Issue 12, observation 6: an admin cannot attach someone else's account (another
    academy's admin included) to their academy without that person agreeing."""
    with django_capture_on_commit_callbacks(execute=True):
        response = _add_existing(client_of, admin, other_coordinator, role="admin")
    assert "asked to accept" in response.content.decode()
    pending = Membership.objects.get(user=other_coordinator.user, academy=admin.academy)
    assert pending.accepted_at is None
    # Not yet a member: the academy is not theirs to open, and it says so to the admin.
    theirs = client_of(other_coordinator)
    assert [
        m.academy for m in theirs.get(reverse("home")).wsgi_request.memberships
    ] == [other_coordinator.academy]
    assert (
        "Awaiting acceptance"
        in client_of(admin).get(reverse("academy:member-list")).content.decode()
    )
    # They are told, by e-mail and on their home page, and accept.
    assert len(mail.outbox) == 1
    assert str(admin.academy) in mail.outbox[0].body
    assert reverse("academy:invitations") in mail.outbox[0].body
    assert str(admin.academy) in theirs.get(reverse("home")).content.decode()
    page = theirs.get(reverse("academy:invitations")).content.decode()
    assert "Accept" in page
    assert str(admin.academy) in page
    response = theirs.post(
        reverse("academy:invitation-answer", args=[pending.pk]), {"answer": "accept"}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.accepted_at is not None
    academies = {
        m.academy for m in theirs.get(reverse("home")).wsgi_request.memberships
    }
    assert academies == {other_coordinator.academy, admin.academy}


@pytest.mark.django_db
def test_a_declined_invitation_leaves_no_membership(
    client_of, admin, other_coordinator
):
    _add_existing(client_of, admin, other_coordinator)
    pending = Membership.objects.get(user=other_coordinator.user, academy=admin.academy)
    response = client_of(other_coordinator).post(
        reverse("academy:invitation-answer", args=[pending.pk]), {"answer": "decline"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=pending.pk).exists()


@pytest.mark.django_db
def test_an_invitation_answers_only_to_its_own_person(
    client_of, admin, coordinator, other_coordinator
):
    _add_existing(client_of, admin, other_coordinator)
    pending = Membership.objects.get(user=other_coordinator.user, academy=admin.academy)
    url = reverse("academy:invitation-answer", args=[pending.pk])
    # Not the admin who sent it, nor anyone else; an accepted membership is not
    # re-answered; nonsense answers are refused with a message.
    for membership in (admin, coordinator):
        assert client_of(membership).post(url, {"answer": "accept"}).status_code == 404
    pending.refresh_from_db()
    assert pending.accepted_at is None
    own = client_of(other_coordinator)
    response = own.post(url, {"answer": "maybe"}, follow=True)
    assert "Accept or decline" in response.content.decode()
    pending.refresh_from_db()
    assert pending.accepted_at is None
    mine = reverse("academy:invitation-answer", args=[other_coordinator.pk])
    assert own.post(mine, {"answer": "decline"}).status_code == 404
    assert Membership.objects.filter(pk=other_coordinator.pk).exists()
    assert client_of(coordinator).get(reverse("academy:invitations")).status_code == 200


@pytest.mark.django_db
def test_adding_an_existing_member_again_says_so(client_of, admin, coordinator):
    response = client_of(admin).post(
        reverse("academy:member-add"),
        {
            "email": coordinator.user.email,
            "first_name": "X",
            "last_name": "Y",
            "role": "manager",
        },
    )
    assert "already a member" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.role == Role.COORDINATOR


@pytest.mark.django_db
def test_a_provider_must_be_given_an_organisation(client_of, admin):
    response = client_of(admin).post(
        reverse("academy:member-add"),
        {
            "email": "p@example.org",
            "first_name": "P",
            "last_name": "Q",
            "role": "provider",
        },
    )
    assert (
        "Choose the organisation this provider works for." in response.content.decode()
    )
    assert not User.objects.filter(email="p@example.org").exists()


@pytest.mark.django_db
def test_a_provider_cannot_be_given_another_academys_organisation(
    client_of, admin, other_academy
):
    foreign = OrganisationFactory(academy=other_academy)
    response = client_of(admin).post(
        reverse("academy:member-add"),
        {
            "email": "p@example.org",
            "first_name": "P",
            "last_name": "Q",
            "role": "provider",
            "organisation": foreign.pk,
        },
    )
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(email="p@example.org").exists()


@pytest.mark.django_db
def test_admin_changes_a_role_and_ends_access(client_of, admin, coordinator):
    response = client_of(admin).post(
        reverse("academy:membership-edit", args=[coordinator.pk]), {"role": "manager"}
    )
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert (coordinator.role, coordinator.is_active) == (Role.MANAGER, False)


@pytest.mark.django_db
def test_the_last_admin_cannot_remove_their_own_admin_role(client_of, admin):
    response = client_of(admin).post(
        reverse("academy:membership-edit", args=[admin.pk]),
        {"role": "manager", "is_active": "on"},
    )
    assert "last admin" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


@pytest.mark.django_db
def test_another_academys_membership_is_404(client_of, admin, other_coordinator):
    url = reverse("academy:membership-edit", args=[other_coordinator.pk])
    client = client_of(admin)
    assert client.get(url).status_code == 404
    assert client.post(url, {"role": "admin", "is_active": "on"}).status_code == 404
    other_coordinator.refresh_from_db()
    assert other_coordinator.role == Role.COORDINATOR


@pytest.mark.django_db
def test_member_list_shows_only_this_academy(client_of, admin, other_coordinator):
    body = client_of(admin).get(reverse("academy:member-list")).content.decode()
    assert admin.user.email in body
    assert other_coordinator.user.email not in body


@pytest.mark.django_db
def test_member_list_queries_do_not_grow_with_members(
    client_of, admin, django_assert_max_num_queries
):
    client = client_of(admin)
    MembershipFactory.create_batch(2, academy=admin.academy)
    # 9: session, user, the two-step device, memberships, the page (not per member).
    with django_assert_max_num_queries(9) as few:
        client.get(reverse("academy:member-list"))
    MembershipFactory.create_batch(30, academy=admin.academy, role=Role.PROVIDER)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("academy:member-list"))


@pytest.mark.django_db
def test_admin_edits_academy_settings_and_a_bad_area_code_is_explained(
    client_of, admin
):
    client = client_of(admin)
    bad = client.post(
        reverse("academy:settings"), {"name": "Renamed", "area_code": "Plymouth"}
    )
    assert "ONS area code" in bad.content.decode()
    admin.academy.refresh_from_db()
    assert admin.academy.name == "Home Care Academy"
    good = client.post(
        reverse("academy:settings"),
        {
            "name": "Renamed",
            "region": "South West",
            "area_code": "e06000026",
            "launched_on": "2023-11-01",
        },
    )
    assert good.status_code == 302
    admin.academy.refresh_from_db()
    assert (admin.academy.name, admin.academy.area_code) == ("Renamed", "E06000026")


@pytest.mark.django_db
def test_admin_gives_the_public_contact_and_a_bad_number_is_explained(client_of, admin):
    client = client_of(admin)
    fields = {"name": "Home Care Academy", "public_email": "hello@example.org"}
    bad = client.post(reverse("academy:settings"), {**fields, "public_phone": "12"})
    assert "Enter a UK phone number" in bad.content.decode()
    good = client.post(
        reverse("academy:settings"), {**fields, "public_phone": "01752 123456"}
    )
    assert good.status_code == 302
    admin.academy.refresh_from_db()
    assert str(admin.academy.public_phone) == "+441752123456"
    assert admin.academy.public_email == "hello@example.org"
    page = client.get(reverse("academy:settings")).content.decode()
    assert "Public contact phone" in page


@pytest.mark.django_db
def test_superuser_creates_an_academy_and_becomes_its_admin(client):
    staff = UserFactory(is_superuser=True, is_staff=True)
    log_in(client, staff)
    response = client.post(
        reverse("academy:academy-create"),
        {
            "slug": "tyneside",
            "name": "North Tyneside Care Academy",
            "region": "North East",
            "area_code": "E08000022",
        },
    )
    assert response.status_code == 302
    membership = staff.memberships.get()
    assert (membership.academy.slug, membership.role) == ("tyneside", Role.ADMIN)
    assert client.get(reverse("home")).wsgi_request.academy.slug == "tyneside"


@pytest.mark.django_db
def test_an_academy_cannot_take_a_short_name_the_public_pages_use(client):
    """/events/new/ is the form for a new event: an academy named "new" would never be
    reached at /events/new/."""
    staff = UserFactory(is_superuser=True, is_staff=True)
    log_in(client, staff)
    response = client.post(
        reverse("academy:academy-create"),
        {"slug": "new", "name": "New Care Academy", "region": "", "area_code": ""},
    )
    assert response.status_code == 200
    assert "is used by the portal" in response.content.decode()
    assert not Academy.objects.filter(slug="new").exists()


@pytest.mark.django_db
def test_health_says_ok_without_signing_in(client):
    response = client.get(reverse("health"))
    body = response.json()
    assert (response.status_code, body["status"]) == (200, "ok")
    assert set(body["checks"]) == {"database", "redis", "worker", "beat"}
    assert body["checks"]["worker"] == {"ok": True, "detail": "in-process (no broker)"}


@pytest.mark.django_db
def test_an_academy_that_has_only_invited_someone_cannot_manage_their_account(
    client_of, admin, other_coordinator
):
    """Until the person accepts, their account is not the inviting academy's: its
    admin cannot reset their two-step sign-in or lift their lockout, and the member
    page says nothing of either."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _add_existing(client_of, admin, other_coordinator)
    pending = Membership.objects.get(user=other_coordinator.user, academy=admin.academy)
    TOTPDevice.objects.create(user=other_coordinator.user, name="Their phone")
    client = client_of(admin)
    reset = client.post(reverse("academy:mfa-reset", args=[pending.pk]))
    lift = client.post(
        reverse("academy:lockout-lift", args=[pending.pk]), {"reason": "asked"}
    )
    assert (reset.status_code, lift.status_code) == (404, 404)
    assert TOTPDevice.objects.filter(user=other_coordinator.user).exists()
    page = client.get(reverse("academy:membership-edit", args=[pending.pk]))
    assert page.status_code == 200
    assert "Reset two-step sign-in" not in page.content.decode()

"""spec/roles.md as one table: every role against every page, in two academies.

`MATRIX` lists, per URL name, the roles that may open it; everyone else must be refused
(403 for pages, 404 for another academy's objects). `test_every_url_is_in_the_matrix`
fails when a new view is added without a row here, so no page escapes the check.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.academy.factories import OrganisationFactory

ROLES = ["coordinator", "provider", "manager", "admin"]
EVERY_ROLE = set(ROLES)

# url name -> (roles allowed, object kind the URL takes or None)
MATRIX = {
    "home": (EVERY_ROLE, None),
    "academy:settings": ({"admin"}, None),
    "academy:organisation-list": ({"admin"}, None),
    "academy:organisation-add": ({"admin"}, None),
    "academy:organisation-edit": ({"admin"}, "organisation"),
    "academy:member-list": ({"admin"}, None),
    "academy:member-add": ({"admin"}, None),
    "academy:membership-edit": ({"admin"}, "membership"),
    "academy:academy-list": (set(), None),  # platform staff (superusers) only
    "academy:academy-create": (set(), None),
}

# Pages anyone may open, and views whose rule is not a role (tested on their own).
PUBLIC = {
    "health",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
OWN_RULE = {"academy:switch", "password_change", "password_change_done"}


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # Django admin: staff only, guarded by Django itself
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_matrix():
    names = set(_url_names())
    missing = names - set(MATRIX) - PUBLIC - OWN_RULE
    assert not missing, (
        f"add these URLs to tests/test_permissions.py MATRIX: {sorted(missing)}"
    )


def test_every_role_guarded_view_declares_its_roles():
    resolver = get_resolver()
    for name in MATRIX:
        view = resolver.resolve(reverse(name, args=[1] if MATRIX[name][1] else [])).func
        assert hasattr(view, "required_roles") or name == "home", name


def _object(kind, academy, request):
    if kind == "organisation":
        return OrganisationFactory(academy=academy)
    if kind == "membership":
        return request.getfixturevalue(
            "other_coordinator" if academy.slug == "other" else "coordinator"
        )
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix_on_own_academy(request, client_of, academy, role, name):
    allowed, kind = MATRIX[name]
    membership = request.getfixturevalue(role)
    obj = _object(kind, academy, request)
    url = reverse(name, args=[obj.pk] if obj else [])
    status = client_of(membership).get(url).status_code
    if role in allowed:
        assert status == 200, f"{role} should open {name}"
    else:
        assert status == 403, f"{role} must be refused {name}, got {status}"


OBJECT_CASES = sorted(
    (name, role) for name, (allowed, kind) in MATRIX.items() if kind for role in allowed
)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), OBJECT_CASES)
def test_objects_of_another_academy_are_404(
    request, client_of, other_academy, name, role
):
    membership = request.getfixturevalue(role)
    obj = _object(MATRIX[name][1], other_academy, request)
    client = client_of(membership)
    url = reverse(name, args=[obj.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["academy:academy-list", "academy:academy-create"])
def test_platform_pages_open_for_superusers_only(client, name):
    from tests.academy.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    url = reverse(name, args=[1] if MATRIX[name][1] else [])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

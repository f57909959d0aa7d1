"""The probe of issue 12 kept as tests (spec/security.md AUTHZ-2 and AUTHZ-3).

Every URL that takes an object's id (found in the resolver, so a new one is probed
without anyone adding it here) is asked for, by every role of the home academy, with
the objects of another academy and, for providers, of another provider organisation in
the same academy: GET, an empty POST and a plausible POST (the form the page shows for
one's own object). None may succeed, and no row changes. Then every page each role can
reach (every list in each of its views, searches, CSV exports, JSON, downloads, and
every link from them) is searched for the other side's marked strings. Last, a person
who withdraws consent to share disappears from everything a provider can open.
"""

import datetime as dt
import io
from collections import deque
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from pypdf import PdfReader

from academy.permissions import Role
from participants.models import ConsentRecord
from reporting.models import ReportRun
from tests.academy.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.conftest import log_in
from tests.html_forms import page_forms, page_links
from tests.probe import (
    ACADEMY_WIDE_KINDS,
    PER_USER_KINDS,
    ROLES,
    Marks,
    Side,
    fetch,
    is_post_only,
    object_url,
    object_url_names,
    page_urls,
    role_allowed,
    side_of,
    snapshot,
    snapshot_changes,
    url_kind,
    view_name,
)
from tests.test_permissions import MATRIX, PUBLIC
from vacancies.models import Event, Referral, TrainingOpportunity, Vacancy

# Floors, so that a probe that stopped finding URLs or pages fails instead of passing.
MIN_ATTEMPTS = 500
MIN_PAGES = {
    "coordinator": 150,
    "provider": 25,
    "manager": 15,
    "admin": 150,
    "platform": 150,
}
MAX_PAGES = 600  # per role: the crawl stops here
# A body for a POST-only URL whose form no page of the probe shows.
ANY_BODY = {
    "note": "probe",
    "reason": "probe",
    "status": "closed",
    "to": "interview",
    "on": "2024-05-01",
    "close_reason": "not_interested",
    "answer": "accept",
    "accept": "1",
}
# Platform staff's own pages list every academy on purpose (they run the platform).
PLATFORM_WIDE = {"academy:academy-list", "academy:platform-runs"}
# Pages the crawl does not open: they end the session or change the user's own account.
NOT_CRAWLED = {
    "logout",
    "login",
    "password_change",
    "password_reset",
    "mfa-setup",
    "mfa-recovery",
    "academy:switch",
}


@dataclass
class World:
    """Both academies, the home academy's personas and the three sides of the probe."""

    home: Side  # the home academy's own records
    other: Side  # another academy's, marked SENTINEL-B
    neighbour: Side  # another provider's in the home academy, marked SENTINEL-N
    colleague: Side  # a colleague's own (sessions, invitations) in the home academy
    other_marks: Marks
    neighbour_marks: Marks
    personas: dict[str, Any]

    def client(self, role: str) -> Client:
        return log_in(Client(), self.personas[role].user)


@pytest.fixture
def world(academy, other_academy, coordinator, provider, manager, admin, settings):
    settings.BULK_LIMIT = 100_000  # the crawl downloads every export
    other_marks, neighbour_marks = Marks("SENTINEL-B"), Marks("SENTINEL-N")
    other_academy.name = other_marks("academy")
    other_academy.save()
    other = side_of(other_academy, mark=other_marks)
    for role in (Role.PROVIDER, Role.MANAGER, Role.ADMIN):
        MembershipFactory(
            academy=other_academy,
            role=role,
            organisation=other.organisation if role == Role.PROVIDER else None,
            user__first_name=other_marks("member"),
            user__email=f"{other_marks('member e-mail').lower()}@example.net",
        )
    neighbour_org = OrganisationFactory(academy=academy, name="Neighbour Care Ltd")
    MembershipFactory(academy=academy, role=Role.PROVIDER, organisation=neighbour_org)
    neighbour = side_of(
        academy,
        mark=neighbour_marks,
        organisation=neighbour_org,
        coordinator=coordinator,
    )
    platform = MembershipFactory(
        academy=academy,
        role=Role.ADMIN,
        user=UserFactory(is_superuser=True, is_staff=True),
    )
    home = Side(academy, provider.organisation, coordinator, Marks("OWN"))
    colleague = side_of(academy, mark=Marks("COLLEAGUE"))
    for name in object_url_names():
        if kind := url_kind(name):
            other.get(kind)
            if kind in PER_USER_KINDS:
                colleague.get(kind)
    for kind in ("referral", "vacancy", "training", "event", "signup"):
        neighbour.get(kind)
    # Another provider's closed vacancy and training place are not on the public board.
    Vacancy.objects.filter(pk=neighbour.get("vacancy").pk).update(status="closed")
    TrainingOpportunity.objects.filter(pk=neighbour.get("training").pk).update(
        is_open=False
    )
    # Nor is its invitation-only event on the public events.
    Event.objects.filter(pk=neighbour.get("event").pk).update(is_public=False)
    personas = {
        "coordinator": coordinator,
        "provider": provider,
        "manager": manager,
        "admin": admin,
        "platform": platform,
    }
    return World(
        home, other, neighbour, colleague, other_marks, neighbour_marks, personas
    )


def _expected(name: str, role: str, method: str) -> set[int]:
    """What refusing the attempt looks like: 403 for a role the page refuses, 405 for
    a method it does not take, else 404 (the object is not there for this user)."""
    if name not in MATRIX:
        return {404, 405}  # a rule of its own, not a role: never there, or no GET
    allowed = MATRIX[name][0]
    if not role_allowed(role, allowed):
        return {403}
    if method == "GET" and is_post_only(name):
        return {405}
    return {404}


def _plausible_bodies(world: World) -> dict[str, dict[str, list[str]]]:
    """Per URL name, what its form sends untouched, as the pages of one's own objects
    show it (the first role allowed each page opens it)."""
    bodies: dict[str, dict[str, list[str]]] = {}
    opened: set[str] = set()
    for role in ROLES:
        client = world.client(role)
        for name, url in page_urls(role, world.home):
            if name in opened:
                continue
            opened.add(name)
            page = fetch(client, url)
            for form in page_forms(page.body, url):
                target = view_name(form.action)
                if form.method == "post" and target and target not in bodies:
                    bodies[target] = form.sent_untouched()
    return bodies


def test_the_probe_knows_every_object_url():
    unknown = sorted(name for name in object_url_names() if url_kind(name) is None)
    assert not unknown, (
        f"{unknown} take an object id but neither MATRIX (tests/test_permissions.py) "
        "nor EXTRA_KINDS (tests/probe.py) says what kind of object"
    )


@pytest.mark.django_db
def test_every_object_kind_can_be_built(world):
    for name in object_url_names():
        if kind := url_kind(name):
            assert world.other.get(kind).pk


@pytest.mark.django_db
def test_no_role_reaches_another_academys_or_providers_objects(world):
    bodies = _plausible_bodies(world)
    provider_kinds = {
        kind for allowed, kind, *_ in MATRIX.values() if "provider" in allowed
    }
    clients = {role: world.client(role) for role in ROLES}
    attempts, succeeded, unexpected, changed = 0, [], [], []
    for name in sorted(object_url_names()):
        kind = url_kind(name)
        if kind is None:
            continue  # test_the_probe_knows_every_object_url fails for it
        before = snapshot()
        for role in ROLES:
            sides = [world.other]
            if (
                role == "provider"
                and kind in provider_kinds
                and kind not in ACADEMY_WIDE_KINDS
            ):
                sides.append(world.neighbour)
            if kind in PER_USER_KINDS:  # one's own: not a colleague's either
                sides.append(world.colleague)
            for side in sides:
                url = object_url(name, side.get(kind), academy=world.home.academy)
                for method, body in (
                    ("GET", None),
                    ("POST", {}),
                    ("POST", bodies.get(name, ANY_BODY)),
                ):
                    attempts += 1
                    status = fetch(clients[role], url, body, method=method).status
                    attempt = f"{role} {method} {url} ({name}) -> {status}"
                    if status not in (403, 404, 405):
                        succeeded.append(attempt)
                    elif status not in _expected(name, role, method):
                        unexpected.append(attempt)
        changes = snapshot_changes(before, snapshot())
        if changes:
            changed.append(f"{name}: {changes}")
    print(f"AUTHZ-2: {len(succeeded)} of {attempts} attempts succeeded")  # noqa: T201
    assert attempts >= MIN_ATTEMPTS
    assert not succeeded, "\n".join(succeeded)
    assert not changed, "\n".join(changed)
    assert not unexpected, "\n".join(unexpected)


def _variants(body: str, url: str) -> list[tuple[str, str, dict[str, str]]]:
    """Requests that show a list otherwise: each option of each filter on its own,
    and a search for the marks' common prefix (posted where the list keeps searches
    out of its URL)."""
    found = []
    for form in page_forms(body, url):
        if form.method == "post" and "q" in form.fields:
            found.append(("POST", form.action, {"q": "SENTINEL"}))
        if form.method != "get":
            continue
        for control in form.fields.values():
            if control.kind in ("text", "search") and control.name == "q":
                found.append(("GET", form.action, {"q": "SENTINEL"}))
            for option in control.options:
                if option:
                    found.append(("GET", form.action, {control.name: option}))
    return found


def _crawl(
    client: Client,
    seeds: list[str],
    marks: list[Marks],
    *,
    check_seeds: bool = True,
    follow: bool = True,
) -> tuple[int, list[str], list[str]]:
    """Open the seeds, every variant of their lists and every page they link to (or
    only the seeds), and say how many pages were read, which showed marks, and which
    seeds failed."""
    queue = deque(("GET", url, None, True) for url in seeds)
    seen: set[tuple[str, str, str]] = set()
    pages, leaks, broken = 0, [], []
    while queue and pages < MAX_PAGES:
        method, url, data, is_seed = queue.popleft()
        key = (method, url, repr(sorted((data or {}).items())))
        if key in seen:
            continue
        seen.add(key)
        extra = {}
        if url.endswith("#htmx"):
            url, extra = url.removesuffix("#htmx"), {"HTTP_HX_REQUEST": "true"}
        page = fetch(client, url, data, method=method, **extra)
        pages += 1
        shown = f"{method} {url} {data or ''}".strip()
        if page.status >= 500 or (check_seeds and is_seed and page.status >= 400):
            broken.append(f"{shown} -> {page.status}")
        if view_name(url) not in PLATFORM_WIDE:
            leaks += [
                f"{shown}: {hits}" for m in marks if (hits := m.found_in(page.body))
            ]
        if not follow:
            continue
        if page.location:
            queue.append(("GET", page.location, None, False))
        for link in page_links(page.body, url.split("?")[0]):
            name = view_name(link)
            if name and name not in NOT_CRAWLED and (name in MATRIX or name in PUBLIC):
                queue.append(("GET", link, None, False))
        if not extra:
            for how, action, values in _variants(page.body, url.split("?")[0]):
                if how == "GET":
                    queue.append(("GET", action, values, False))
                else:
                    queue.append(("POST", action, values, False))
            if is_seed:
                queue.append(("GET", f"{url}#htmx", None, False))
    return pages, leaks, broken


def _seeds(role: str, side: Side) -> list[str]:
    slug = side.academy.slug
    public = [
        reverse("health"),
        reverse("vacancies:board", args=[slug]),
        reverse("vacancies:event-board", args=[slug]),
        reverse("participants:enquiry-public", args=[slug]),
    ]
    return [url for _, url in page_urls(role, side)] + public


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_another_academys_or_providers_data(world, role):
    marks = [world.other_marks]
    if role == "provider":
        marks.append(world.neighbour_marks)
    pages, leaks, broken = _crawl(world.client(role), _seeds(role, world.home), marks)
    print(f"{role}: {pages} pages read, {len(leaks)} showed another's data")  # noqa: T201
    assert pages >= MIN_PAGES[role]
    assert not broken, "\n".join(broken)
    assert not leaks, "\n".join(leaks)


@pytest.mark.django_db
def test_the_marks_are_shown_to_their_own_academy(world):
    """The crawl would see a leak: the other academy's own pages show its marks, and
    the other provider sees its referred person."""
    other_admin = MembershipFactory(academy=world.other.academy, role=Role.ADMIN).user
    client = log_in(Client(), other_admin)
    seeds = [url for _, url in page_urls("admin", world.other)]
    _, leaks, _ = _crawl(client, seeds, [world.other_marks], follow=False)
    shown = {mark for leak in leaks for mark in world.other_marks.given if mark in leak}
    assert len(shown) >= len(world.other_marks.given) // 2
    neighbour = MembershipFactory(
        academy=world.home.academy,
        role=Role.PROVIDER,
        organisation=world.neighbour.organisation,
    )
    referral = world.neighbour.get("referral")
    page = fetch(
        log_in(Client(), neighbour.user),
        reverse("vacancies:referral-detail", args=[referral.pk]),
    )
    assert world.neighbour_marks.found_in(page.body)


@pytest.fixture
def withdrawn(academy, coordinator, provider, settings):
    """A person referred to the provider's vacancy and training place, with marked
    details, plan, notes, outcome and referral history."""
    settings.BULK_LIMIT = 100_000
    marks = Marks("SENTINEL-C")
    own = Side(academy, provider.organisation, coordinator, Marks("OWN"))
    person_side = Side(
        academy,
        provider.organisation,
        coordinator,
        marks,
        built={
            kind: own.get(kind) for kind in ("vacancy", "training", "event", "signup")
        },
    )
    referral = person_side.get("referral")
    person_side.get("plan")
    person_side.get("check")
    return person_side, marks, referral


@pytest.mark.django_db
def test_after_consent_is_withdrawn_a_provider_sees_nothing_of_the_person(
    withdrawn, coordinator, provider, client_of
):
    """AUTHZ-3: withdrawal works on the next request, on every page a provider can
    reach, for what was recorded before it and what is recorded after."""
    side, marks, referral = withdrawn
    provider_client = client_of(provider)
    seeds = _seeds("provider", side) + [
        reverse("vacancies:referral-detail", args=[r.pk])
        for r in Referral.objects.filter(participant=referral.participant)
    ]
    _, before, _ = _crawl(provider_client, seeds, [marks])
    person = referral.participant
    shown_before = {m for m in marks.given if any(m in leak for leak in before)}
    assert {person.first_name, person.last_name} <= shown_before
    assert len(shown_before) >= 4  # name, e-mail, role wanted, referral note

    staff = client_of(coordinator)
    response = staff.post(
        reverse("participants:consent", args=[person.pk]),
        {
            "kind": ConsentRecord.Kind.SHARE_WITH_PROVIDERS,
            "is_given": "False",
            "note": marks("withdrawal note"),
        },
    )
    assert response.status_code == 302
    response = staff.post(
        reverse("vacancies:referral-advance", args=[referral.pk]),
        {
            "to": Referral.Stage.INTERVIEW,
            "on": timezone.localdate().isoformat(),
            "interview_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "interview_time": "10:30",
            "interview_place": "Oak House",
            "note": marks("note after withdrawal"),
        },
    )
    assert response.status_code == 302

    pages, after, broken = _crawl(provider_client, seeds, [marks])
    print(f"AUTHZ-3: {pages} pages read, {len(after)} showed the person")  # noqa: T201
    assert pages >= MIN_PAGES["provider"]
    assert not broken, "\n".join(broken)
    assert not after, "\n".join(after)


@pytest.mark.django_db
def test_a_pdf_report_holds_nothing_of_another_academy(
    world, django_capture_on_commit_callbacks
):
    """AUTHZ-7: the PDF is built by a task from the run's id; the home academy's says
    nothing of the other academy (whose name it would show if scoping were lost)."""
    client = world.client("manager")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:run-request"),
            {"period": "custom", "start": "2024-01-01"},
        )
    run = ReportRun.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
    assert run.status == ReportRun.Status.DONE, run.error
    download = client.get(reverse("reporting:run-download", args=[run.pk]))
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert world.home.academy.name in text
    assert not world.other_marks.found_in(text)

"""Every write to academies, organisations, users and memberships."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import invitations, ratelimit, tasks
from .audit import SignInEvent, sign_in_event
from .labour_market.reference import area_get, area_region_name, region_name_for
from .models import Academy, Membership, Organisation, User
from .models.core import REGION_CHOICES
from .notify import Recipient, notify
from .permissions import Role
from .registry import Registry

# What other apps set up in a new academy, in the same transaction (reporting: its
# funder returns). DEVELOPERS.md lists the registries.
academy_created_hooks: Registry[Callable[[Academy], object]] = Registry("new academy")


@transaction.atomic
def academy_create(
    *,
    slug: str,
    name: str,
    region: str = "",
    area_code: str = "",
    launched_on: dt.date | None = None,
    first_admin: User | None = None,
) -> Academy:
    """Create an academy, refusing a slug already taken or settings academy_check
    refuses.

    `first_admin`, when given, becomes the new academy's admin in the same transaction.
    """
    academy = Academy(
        slug=slug,
        name=name,
        region=region,
        area_code=area_code.strip().upper(),
        launched_on=launched_on,
    )
    academy_check(academy=academy)
    academy.save()
    if first_admin is not None:
        Membership.objects.create(user=first_admin, academy=academy, role=Role.ADMIN)
    for hook in academy_created_hooks:
        hook(academy)
    return academy


def academy_place_problems(*, region: str, area_code: str) -> dict[str, str]:
    """What is wrong with an academy's region and area code together: a region not in
    the list, or an area code of another region (by field name; empty when none)."""
    if region and region_name_for(region) != region:
        names = ", ".join(name for name, _ in REGION_CHOICES)
        return {
            "region": f"'{region}' is not an English region. Choose one of: {names}."
        }
    in_region = area_region_name(area_code) if area_code else None
    if region and in_region and in_region != region:
        area = area_get(area_code)
        name = area.name if area else area_code
        return {
            "region": f"{area_code} ({name}) is in the {in_region} region, not "
            f"{region}. Choose {in_region}, or check the ONS area code."
        }
    return {}


def academy_check(*, academy: Academy) -> None:
    """Check an academy's settings: the model's rules (a known ONS area code, a launch
    date not in the future) and academy_place_problems, all reported at once."""
    if academy.region:
        academy.region = region_name_for(academy.region) or academy.region
    problems: dict[str, list[str]] = {}
    try:
        academy.full_clean()
    except ValidationError as error:
        problems = {
            field: list(messages) for field, messages in error.message_dict.items()
        }
    place = academy_place_problems(region=academy.region, area_code=academy.area_code)
    for field, message in place.items():
        problems[field] = [message]  # instead of Django's "not a valid choice"
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def academy_update(*, academy: Academy, remove_logo: bool = False) -> Academy:
    """Save an academy's edited settings after checking them; a replaced or removed
    logo's file is deleted once saved."""
    academy.area_code = academy.area_code.strip().upper()
    stored = Academy.objects.filter(pk=academy.pk).values_list("logo", flat=True)
    old_logo = stored.first() or ""
    if remove_logo:
        academy.logo = ""
    academy_check(academy=academy)
    academy.save()
    if old_logo and old_logo != academy.logo.name:
        storage = academy.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return academy


def organisation_save(*, organisation: Organisation) -> Organisation:
    """Create or update a partner organisation after checking it."""
    organisation.postcode = organisation.postcode.strip().upper()
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def member_add(
    *,
    academy: Academy,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    organisation: Organisation | None,
) -> Membership:
    """Give a person a role in the academy, creating their account if they have none.

    A new account has no password; the invitation e-mail (sent after commit) carries a
    link to set one. An existing account belongs to someone already working elsewhere:
    its membership here waits for them to accept (`invitation_answer`), so that no
    admin can take another academy's people into theirs.
    """
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    is_new = user is None
    if user is None:
        # invited_at: when the invitation (its link) was issued; the link binds it.
        user = User(
            email=email,
            first_name=first_name,
            last_name=last_name,
            invited_at=timezone.now(),
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
    else:
        existing = Membership.objects.filter(user=user, academy=academy).first()
        if existing is not None:
            raise ValidationError(
                {
                    "email": f"{email} has already been asked to join {academy}."
                    if existing.accepted_at is None
                    else f"{email} is already a member of {academy}. "
                    "Edit their membership instead."
                }
            )
    membership = Membership(
        user=user,
        academy=academy,
        role=role,
        organisation=organisation,
        accepted_at=timezone.now() if is_new else None,
    )
    membership.full_clean()
    membership.save()
    transaction.on_commit(lambda: tasks.user_invite_send.delay(membership.pk))
    return membership


@transaction.atomic
def invitation_answer(*, membership: Membership, user: User, accept: bool) -> None:
    """The invited person's answer: accepting starts the membership, declining removes
    it. Only that person may answer, and only while it waits."""
    locked = (
        Membership.objects.pending()
        .select_for_update()
        .filter(pk=membership.pk, user=user)
        .first()
    )
    if locked is None:
        raise ValidationError("This invitation has already been answered.")
    if accept:
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    else:
        locked.delete()


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    role: Role,
    organisation: Organisation | None,
    is_active: bool,
) -> Membership:
    """Change a member's role, organisation or access; an academy keeps an admin."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    was_admin = locked.role == Role.ADMIN and locked.is_active
    stays_admin = role == Role.ADMIN and is_active
    if was_admin and not stays_admin:
        other_admins = (
            Membership.objects.active()
            .filter(academy=locked.academy, role=Role.ADMIN)
            .exclude(pk=locked.pk)
        )
        if not other_admins.exists():
            raise ValidationError(
                "This is the academy's last admin. Make someone else an admin first."
            )
    membership.role = role
    membership.organisation = organisation
    membership.is_active = is_active
    membership.full_clean()
    membership.save()
    return membership


def _invitation_key(membership: Membership) -> str:
    """Each invitation once: a new one (sent again) after the last was issued."""
    last = membership.user.invited_at
    return f"invitation:{membership.pk}:{last.isoformat() if last else 'first'}"


def user_invite_send(*, membership: Membership) -> None:
    """E-mail a new member the link to set their password (lasting 7 days, made from
    the invitation issued last), or someone with an account the invitation to
    accept."""
    user = membership.user
    if membership.accepted_at is None:
        context = {
            "user": user,
            "academy": membership.academy,
            "role": membership.get_role_display(),
            "link": settings.SITE_URL.rstrip("/") + reverse("academy:invitations"),
            "site_name": settings.SITE_NAME,
        }
        notify(
            to=Recipient.member(user),
            template="join",
            context=context,
            academy=membership.academy,
            key=_invitation_key(membership),
        )
        return
    if user.invited_at is None:  # invited before invitations kept their time
        user.invited_at = timezone.now()
        user.save(update_fields=["invited_at"])
    days = invitations.valid_days()
    context = {
        "user": user,
        "academy": membership.academy,
        "role": membership.get_role_display(),
        "link": settings.SITE_URL.rstrip("/") + invitations.invitation_path(user),
        "login_link": settings.SITE_URL.rstrip("/") + reverse("login"),
        "site_name": settings.SITE_NAME,
        "valid_days": days,
        "expires_on": timezone.localtime(
            user.invited_at + dt.timedelta(days=days)
        ).date(),
    }
    # The link is a secret: the message log forgets the words once they are sent.
    notify(
        to=Recipient.member(user),
        template="invite",
        context=context,
        academy=membership.academy,
        key=_invitation_key(membership),
    )


class InvitationNotResent(Exception):
    """Why an invitation was not sent again (said to the admin as it is)."""


def invitation_resend(*, membership: Membership, by: User) -> None:
    """Send a new member's invitation again with a new link (the older ones stop
    working), at most INVITATION_RESENDS_PER_HOUR times an hour; recorded in the
    audit as a sign-in event."""
    user = membership.user
    if not user.is_awaiting_password or membership.accepted_at is None:
        raise InvitationNotResent(
            f"{user} has already set their password: there is no invitation to send "
            "again. If they have forgotten it, they can use 'Forgotten your password?' "
            "on the sign-in page."
        )
    if not (membership.is_active and user.is_active):
        raise InvitationNotResent(
            f"{user} has no access to the academy now: give them access on their "
            "membership's page first."
        )
    key = f"invitation-resend:{membership.pk}"
    if ratelimit.used(key) >= invitations.INVITATION_RESENDS_PER_HOUR:
        raise InvitationNotResent(
            f"{user}'s invitation has been sent again "
            f"{invitations.INVITATION_RESENDS_PER_HOUR} times in the last hour. "
            "Try again in an hour, or check their e-mail address."
        )
    ratelimit.count(key, window=invitations.RESEND_WINDOW)
    with transaction.atomic():
        user.invited_at = timezone.now()
        user.save(update_fields=["invited_at"])
        sign_in_event(
            SignInEvent.Kind.INVITATION_RESENT,
            user=user,
            by=by,
            detail=f"{membership.academy}: {membership.get_role_display()}",
        )
        transaction.on_commit(lambda: tasks.user_invite_send.delay(membership.pk))

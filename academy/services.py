"""Every write to academies, organisations, users and memberships."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import tasks
from .models import Academy, Membership, Organisation, User
from .permissions import Role


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
    """Create an academy, refusing a slug already taken or an invalid area code.

    `first_admin`, when given, becomes the new academy's admin in the same transaction.
    """
    academy = Academy(
        slug=slug,
        name=name,
        region=region,
        area_code=area_code.upper(),
        launched_on=launched_on,
    )
    academy.full_clean()
    academy.save()
    if first_admin is not None:
        Membership.objects.create(user=first_admin, academy=academy, role=Role.ADMIN)
    return academy


def academy_update(*, academy: Academy) -> Academy:
    """Save an academy's edited settings after checking them."""
    academy.area_code = academy.area_code.upper()
    academy.full_clean()
    academy.save()
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
    link to set one.
    """
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    is_new = user is None
    if user is None:
        user = User(email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    elif Membership.objects.filter(user=user, academy=academy).exists():
        raise ValidationError(
            {
                "email": f"{email} is already a member of {academy}. "
                "Edit their membership instead."
            }
        )
    membership = Membership(
        user=user, academy=academy, role=role, organisation=organisation
    )
    membership.full_clean()
    membership.save()
    if is_new:
        transaction.on_commit(lambda: tasks.user_invite_send.delay(membership.pk))
    return membership


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


def user_invite_send(*, membership: Membership) -> None:
    """E-mail a new member a link to set their password, and note when it went."""
    user = membership.user
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "academy": membership.academy,
        "role": membership.get_role_display(),
        "link": settings.SITE_URL.rstrip("/") + path,
        "login_link": settings.SITE_URL.rstrip("/") + reverse("login"),
        "site_name": settings.SITE_NAME,
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    subject = render_to_string("emails/invite_subject.txt", context).strip()
    body = render_to_string("emails/invite_body.txt", context)
    send_mail(subject, body, None, [user.email])
    user.invited_at = timezone.now()
    user.save(update_fields=["invited_at"])

"""Academies, the organisations in their partnership, users and their memberships."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..permissions import Role
from ..rules import PhoneField
from ..tenancy import AcademyQuerySet

gss_code_validator = RegexValidator(
    r"^[EWSN]\d{8}$",
    "Enter an ONS area code: a letter E, W, S or N followed by 8 digits, "
    "e.g. E06000026 for Plymouth.",
)


def area_code_known(value: str) -> None:
    """An ONS code the shipped lookup knows: an English local authority, county or
    region (academy/labour_market/data/, with its source and date)."""
    from ..labour_market.reference import GSS_CODE, area_get

    # A code of the wrong shape is explained by gss_code_validator alone.
    if value and GSS_CODE.match(value) and area_get(value) is None:
        raise ValidationError(
            f"{value} is not an English local authority, county or region in ONS's "
            "lookup: check for a mistyped digit, or find your council's code on the "
            "ONS Open Geography Portal (geoportal.statistics.gov.uk), e.g. E06000026 "
            "for Plymouth."
        )


def not_in_future(value: object) -> None:
    """A date that has happened (a launch, a start)."""
    if isinstance(value, dt.date) and value > timezone.localdate():
        raise ValidationError(
            f"{value.day} {value:%B %Y} is in the future. Give the day it happened; "
            "today at the latest."
        )


# The nine English regions, by the ONS names (the lookup's REGIONS has their codes).
REGION_CHOICES = [
    (name, name)
    for name in (
        "North East",
        "North West",
        "Yorkshire and The Humber",
        "East Midlands",
        "West Midlands",
        "East of England",
        "London",
        "South East",
        "South West",
    )
]


class HttpsURLField(models.URLField):  # type: ignore[type-arg]
    """A URL field whose form adds https:// to an address typed without a scheme."""

    def formfield(self, **kwargs: Any) -> Any:
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)


# Words the public addresses use beside an academy's short name (/events/new/,
# /events/calendar/...): an academy named so would be hidden behind those pages.
RESERVED_SLUGS = frozenset({"new", "calendar", "sign-ups", "cancel", "check-in"})


def slug_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            f"'{value}' is used by the portal's own pages. Choose another short name, "
            "e.g. the town's name."
        )


class Academy(models.Model):
    """A local care and health career academy: the tenant every record belongs to."""

    slug = models.SlugField(
        unique=True,
        max_length=50,
        help_text="Short name used in scripts and file names, e.g. plymouth.",
        validators=[slug_not_reserved],
    )
    name = models.CharField(max_length=200)
    region = models.CharField(
        max_length=100,
        blank=True,
        choices=REGION_CHOICES,
        help_text="English region, e.g. South West.",
    )
    area_code = models.CharField(
        "ONS area code",
        max_length=9,
        blank=True,
        validators=[gss_code_validator, area_code_known],
        help_text="The local authority's ONS (GSS) code, for labour-market figures.",
    )
    launched_on = models.DateField(
        null=True,
        blank=True,
        validators=[not_in_future],
        help_text="Start of 'since launch' in reports.",
    )
    logo = models.ImageField(
        upload_to="academy-logos/",
        blank=True,
        help_text="Shown on the cover of the impact report (PNG or JPEG).",
    )
    # Shown on the public forms (and where a visitor is turned away) and in their
    # privacy notice: someone who cannot use a form still has a way in.
    public_phone = PhoneField(
        "public contact phone",
        help_text="The number people can call: shown on the public pages.",
    )
    public_email = models.EmailField(
        "public contact e-mail",
        blank=True,
        help_text="The address people can write to: shown on the public pages.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "academies"

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A partner of the academy: provider, NHS trust, job centre, college and so on."""

    class Kind(models.TextChoices):
        CARE_PROVIDER = "care_provider", "Care provider"
        NHS_TRUST = "nhs_trust", "NHS trust"
        JOB_CENTRE = "job_centre", "Job centre"
        COLLEGE = "college", "College or school"
        TRAINING_PROVIDER = "training_provider", "Training provider"
        VOLUNTARY = "voluntary", "Voluntary sector"
        COUNCIL = "council", "Council"

    academy = models.ForeignKey(
        Academy, on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    email = models.EmailField(blank=True)
    phone = PhoneField()
    postcode = models.CharField(max_length=10, blank=True)
    website = HttpsURLField(blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Untick when the organisation leaves the partnership."
    )

    objects: ClassVar[AcademyQuerySet[Organisation]] = AcademyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["academy", "name"], name="organisation_name_unique_in_academy"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("academy:organisation-edit", args=[self.pk])


class UserManager(BaseUserManager["User"]):
    """Users sign in with their e-mail address."""

    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str, password: str | None = None, **fields: Any
    ) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(
        self, email: str, password: str | None = None, **fields: Any
    ) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractUser):
    """A person who signs in; what they may do comes from their memberships."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    invited_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["first_name", "last_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_awaiting_password(self) -> bool:
        """Invited as a new member and has not yet set a password (nor signed in)."""
        return not self.has_usable_password() and self.last_login is None

    @property
    def is_invitation_expired(self) -> bool:
        """Whether the link of the invitation issued last no longer works (7 days)."""
        if self.invited_at is None:
            return False
        age = timezone.now() - self.invited_at
        return age.total_seconds() > settings.INVITATION_TIMEOUT

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()


def membership_active_q(prefix: str = "") -> Q:
    """The one rule for a membership that gives access: not ended, its account not
    deactivated, and accepted. `prefix` reaches memberships through a relation, e.g.
    "memberships__" from User (in the same filter() call as the other conditions on
    that membership)."""
    return Q(
        **{
            f"{prefix}is_active": True,
            f"{prefix}user__is_active": True,
            f"{prefix}accepted_at__isnull": False,
        }
    )


class MembershipQuerySet(AcademyQuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(membership_active_q())

    def pending(self) -> MembershipQuerySet:
        """Invitations of existing accounts that their owner has not yet answered."""
        return self.filter(accepted_at__isnull=True)


class Membership(models.Model):
    """A user's role in one academy; a provider's membership names its organisation."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    academy = models.ForeignKey(
        Academy, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="Required for providers: the organisation whose vacancies they run.",
    )
    is_active = models.BooleanField(default=True)
    # An existing account joins another academy only when its owner accepts: until
    # then this is empty and the membership gives no access (services.member_add).
    accepted_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[MembershipQuerySet] = MembershipQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["academy__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "academy"], name="one_membership_per_academy"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.PROVIDER) | Q(organisation__isnull=False),
                name="provider_membership_names_organisation",
                violation_error_message=(
                    "A provider's membership must name its organisation."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} at {self.academy}"

    def clean(self) -> None:
        super().clean()
        if self.role == Role.PROVIDER and self.organisation_id is None:
            raise ValidationError(
                {"organisation": "Choose the organisation this provider works for."}
            )
        if (
            self.organisation is not None
            and self.academy_id is not None
            and self.organisation.academy_id != self.academy_id
        ):
            raise ValidationError(
                {"organisation": "Choose an organisation of this academy."}
            )


class FormSubmission(models.Model):
    """The one-time token of a create form, claimed by its first submit: a double click
    or a resend finds the record the first one made instead of making another."""

    token = models.UUIDField(primary_key=True)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return str(self.token)


class LockoutLift(models.Model):
    """An admin letting a locked-out member sign in again before the lock runs out:
    who, for whom, why, and after how many failed sign-ins."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, related_name="+")
    lifted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    failures = models.PositiveIntegerField()
    lifted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-lifted_at"]

    def __str__(self) -> str:
        return f"Lockout of {self.user} lifted by {self.lifted_by}"

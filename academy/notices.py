"""A member's choice of how they are told of each kind of notice
(academy.notify.Notice): at once, in a daily digest, or not at all. Only the kinds
their role receives are offered."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction

from .models import Membership, NoticeChoice
from .notify import Notice
from .permissions import Role

# Who is told of what (issue 13): providers of their vacancies' referrals and their
# interviews; coordinators and admins of providers' moves and critical shortages.
NOTICES_BY_ROLE: dict[str, tuple[Notice, ...]] = {
    Role.PROVIDER: (
        Notice.REFERRAL_RECEIVED,
        Notice.REFERRAL_WITHDRAWN,
        Notice.INTERVIEW_TOMORROW,
    ),
    Role.COORDINATOR: (Notice.REFERRAL_MOVED, Notice.CRITICAL_SHORTAGE),
    Role.ADMIN: (Notice.REFERRAL_MOVED, Notice.CRITICAL_SHORTAGE),
}
NOTICE_ROLES = frozenset(Role(role) for role in NOTICES_BY_ROLE)


def notices_for(membership: Membership) -> tuple[Notice, ...]:
    """The kinds of notice the member's role receives."""
    return NOTICES_BY_ROLE.get(membership.role, ())


def notice_choices_of(membership: Membership) -> dict[str, str]:
    """The member's choice per kind (at once where they never chose)."""
    chosen = dict(
        NoticeChoice.objects.filter(membership=membership).values_list("notice", "how")
    )
    return {
        notice.value: chosen.get(notice.value, NoticeChoice.How.AT_ONCE)
        for notice in notices_for(membership)
    }


@transaction.atomic
def notice_choices_set(*, membership: Membership, choices: dict[str, Any]) -> None:
    """Record the member's choices; kinds their role does not receive are ignored."""
    allowed = {notice.value for notice in notices_for(membership)}
    for notice, how in choices.items():
        if notice not in allowed:
            continue
        NoticeChoice(notice=notice, how=how, membership=membership).full_clean(
            exclude=["membership"], validate_unique=False
        )
        NoticeChoice.objects.update_or_create(
            membership=membership, notice=notice, defaults={"how": how}
        )


class NoticeChoicesForm(forms.Form):
    """One choice per kind of notice the member's role receives."""

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .forms import PortalFormHelper

        self.helper = PortalFormHelper("Save my choices")
        current = notice_choices_of(membership)
        for notice in notices_for(membership):
            self.fields[notice.value] = forms.ChoiceField(
                label=notice.label,
                choices=NoticeChoice.How.choices,
                initial=current[notice.value],
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": "Choose at once, in a daily digest or not at "
                    "all.",
                    "required": "Choose at once, in a daily digest or not at all.",
                },
            )

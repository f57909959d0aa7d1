"""The filters of the admin's lists (academy/lists.py)."""

from __future__ import annotations

import django_filters

from .lists import ListFilterSet
from .models import Membership, Organisation
from .permissions import Role


class OrganisationFilterSet(ListFilterSet):
    kind = django_filters.ChoiceFilter(
        label="Kind", choices=Organisation.Kind.choices, empty_label="All kinds"
    )

    class Meta:
        model = Organisation
        fields: list[str] = []


class MemberFilterSet(ListFilterSet):
    role = django_filters.ChoiceFilter(
        label="Role", choices=Role.choices, empty_label="All roles"
    )

    class Meta:
        model = Membership
        fields: list[str] = []

"""Django admin for platform staff."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from academy.admin import NoDeleteAdmin

from .models import Referral, TrainingOpportunity, Vacancy
from .services import vacancy_status_set


@admin.action(description="Close the selected vacancies (their referrals stay)")
def close_vacancies(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    count = 0
    for vacancy in queryset.exclude(status=Vacancy.Status.CLOSED):
        vacancy_status_set(vacancy=vacancy, status=Vacancy.Status.CLOSED)
        count += 1
    modeladmin.message_user(request, f"{count} closed.", messages.SUCCESS)


@admin.register(Vacancy)
class VacancyAdmin(NoDeleteAdmin):
    actions = [close_vacancies]
    list_display = ["title", "organisation", "academy", "status", "closing_on"]
    list_filter = ["academy", "status", "role", "is_critical_shortage"]
    search_fields = ["title", "postcode"]


@admin.register(TrainingOpportunity)
class TrainingAdmin(NoDeleteAdmin):
    list_display = ["title", "kind", "organisation", "starts_on", "is_open"]
    list_filter = ["academy", "kind", "is_open"]


@admin.register(Referral)
class ReferralAdmin(NoDeleteAdmin):
    list_display = ["participant", "vacancy", "training", "stage", "updated_at"]
    list_filter = ["stage"]
    raw_id_fields = ["participant", "vacancy", "training"]

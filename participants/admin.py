"""Django admin for platform staff; coordinators use the portal's own pages."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from academy.admin import NoDeleteAdmin

from .models import (
    ConsentRecord,
    Enquiry,
    ImportRun,
    Meeting,
    Outcome,
    Participant,
    ParticipantCohort,
    SkillsActionPlan,
    Support,
)
from .services.casework import case_close


class CohortInline(admin.TabularInline[ParticipantCohort, Participant]):
    model = ParticipantCohort
    extra = 0


@admin.action(description="Close the selected cases (their records stay)")
def close_cases(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    closed = 0
    for participant in queryset.filter(status=Participant.Status.OPEN):
        case_close(
            participant=participant,
            by=request.user,  # type: ignore[arg-type]
            reason=Participant.CloseReason.OTHER,
            note="Closed in Django admin.",
        )
        closed += 1
    modeladmin.message_user(request, f"{closed} case(s) closed.", messages.SUCCESS)


@admin.register(Participant)
class ParticipantAdmin(NoDeleteAdmin):
    actions = [close_cases]
    list_display = ["reference", "first_name", "last_name", "academy", "status"]
    list_filter = ["academy", "status", "is_claimant"]
    search_fields = ["reference", "first_name", "last_name", "email"]
    raw_id_fields = ["coordinator", "referring_organisation"]
    inlines = [CohortInline]


@admin.register(Enquiry)
class EnquiryAdmin(admin.ModelAdmin[Enquiry]):
    list_display = ["first_name", "last_name", "academy", "status", "created_at"]
    list_filter = ["academy", "status"]
    raw_id_fields = ["participant", "handled_by"]


for model in (ConsentRecord, Meeting, SkillsActionPlan, Support, Outcome):
    admin.site.register(model, NoDeleteAdmin, raw_id_fields=["participant"])


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    list_display = ["original_name", "kind", "academy", "status", "created_at"]
    list_filter = ["academy", "kind", "status"]

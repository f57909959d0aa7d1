"""Django admin for platform staff; coordinators use the portal's own pages."""

from django.contrib import admin

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


class CohortInline(admin.TabularInline[ParticipantCohort, Participant]):
    model = ParticipantCohort
    extra = 0


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin[Participant]):
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
    admin.site.register(model, raw_id_fields=["participant"])


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    list_display = ["original_name", "kind", "academy", "status", "created_at"]
    list_filter = ["academy", "kind", "status"]

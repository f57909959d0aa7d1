"""Django admin for platform staff."""

from django.contrib import admin

from .models import Postcode, Referral, TrainingOpportunity, Vacancy


@admin.register(Vacancy)
class VacancyAdmin(admin.ModelAdmin[Vacancy]):
    list_display = ["title", "organisation", "academy", "status", "closing_on"]
    list_filter = ["academy", "status", "role", "is_critical_shortage"]
    search_fields = ["title", "postcode"]


@admin.register(TrainingOpportunity)
class TrainingAdmin(admin.ModelAdmin[TrainingOpportunity]):
    list_display = ["title", "kind", "organisation", "starts_on", "is_open"]
    list_filter = ["academy", "kind", "is_open"]


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin[Referral]):
    list_display = ["participant", "vacancy", "training", "stage", "updated_at"]
    list_filter = ["stage"]
    raw_id_fields = ["participant", "vacancy", "training"]


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin[Postcode]):
    list_display = ["postcode", "latitude", "longitude", "source"]
    search_fields = ["postcode"]

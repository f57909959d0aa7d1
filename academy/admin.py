"""Django admin for platform staff: academies, organisations, users and memberships."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Academy, Membership, Organisation, Postcode, User


class NoDeleteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Records that history points at are closed, deactivated or archived, never
    deleted: deleting one would take casework, or who recorded it, with it."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.action(description="Deactivate: end their access (what they recorded stays)")
def deactivate(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    count = queryset.update(is_active=False)
    modeladmin.message_user(request, f"{count} deactivated.", messages.SUCCESS)


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["academy", "organisation"]


@admin.register(Academy)
class AcademyAdmin(admin.ModelAdmin[Academy]):
    list_display = ["name", "slug", "region", "area_code", "launched_on"]
    search_fields = ["name", "slug", "area_code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(NoDeleteAdmin):
    actions = [deactivate]
    list_display = ["name", "kind", "academy", "is_active"]
    list_filter = ["kind", "is_active", "academy"]
    search_fields = ["name", "postcode"]
    autocomplete_fields = ["academy"]


@admin.register(Membership)
class MembershipAdmin(NoDeleteAdmin):
    actions = [deactivate]
    list_display = ["user", "academy", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active", "academy"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "academy", "organisation"]


@admin.register(User)
class UserAdmin(NoDeleteAdmin, BaseUserAdmin[User]):
    actions = [deactivate]
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "is_active",
        "is_superuser",
        "last_login",
    ]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined", "invited_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined", "invited_at"]


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin[Postcode]):
    list_display = ["postcode", "latitude", "longitude", "source"]
    search_fields = ["postcode"]

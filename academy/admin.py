"""Django admin for platform staff: academies, organisations, users and memberships."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from .models import Academy, Membership, Organisation, Postcode, User
from .user_sessions import EndReason, sessions_end


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


@admin.action(
    description="Deactivate: end their access and sessions (their records stay)"
)
def deactivate_users(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[User]
) -> None:
    users = list(queryset.filter(is_active=True))
    queryset.update(is_active=False)
    for user in users:
        sessions_end(user=user, reason=EndReason.DEACTIVATED, by=_user(request))
    modeladmin.message_user(
        request, f"{len(users)} deactivated and signed out.", messages.SUCCESS
    )


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


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
    actions = [deactivate_users]
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

    def save_model(
        self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            sessions_end(user=obj, reason=EndReason.DEACTIVATED, by=_user(request))

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's page; a new password also ends the person's other sessions."""
        response: HttpResponse = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            if user is not None:
                sessions_end(
                    user=user,
                    reason=EndReason.PASSWORD_CHANGED,
                    by=_user(request),
                    keep=request.session.session_key,
                )
        return response


@admin.register(Postcode)
class PostcodeAdmin(admin.ModelAdmin[Postcode]):
    list_display = ["postcode", "latitude", "longitude", "source"]
    search_fields = ["postcode"]

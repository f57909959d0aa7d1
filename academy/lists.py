"""The one way to make a staff list: a django-filter `FilterSet` (subclass
`ListFilterSet`) whose form is the filter bar, `list_page` for the page of rows, and the
templates `components/_filter_bar.html` and `components/_pagination.html` (whose links
keep the filters with Django's `{% querystring %}`). A list's CSV export filters with
the same FilterSet.

A list whose FilterSet names `private` fields (a search box where people type names and
e-mail addresses) never takes their values from a URL: the filter bar posts, the view
answers with `list_search_redirect`, which keeps those values in the session under an
opaque id, and the list's URL says only `search=<id>` (`list_query` reads it back), so
personal data stays out of server logs and browser history."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar, cast

import django_filters
from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponseRedirect, QueryDict

PAGE_SIZE = 50
SEARCHES = "list_searches"  # session key: {id: {field: value}}
KEEP_SEARCHES = 20  # the newest searches a session keeps (back and forward still work)


class ListFilterSet(django_filters.FilterSet):
    """A list's filters. `defaults` apply when the page is opened without that
    parameter (the people list shows open cases unless asked otherwise); a value that
    does not fit is ignored, and said so on the bar. As the filters change, htmx
    refreshes the list's `#list-results` element from the page it gets (or, with
    `live_partial`, the `live` element from the partial the view returns to htmx)."""

    defaults: ClassVar[dict[str, str]] = {}
    live: ClassVar[str] = "#list-results"
    live_partial: ClassVar[bool] = False
    # Fields whose values never appear in a URL (see the module's docstring).
    private: ClassVar[tuple[str, ...]] = ()

    def __init__(self, data: QueryDict | None = None, *args: Any, **kwargs: Any):
        bound = data.copy() if data is not None else QueryDict(mutable=True)
        for name, value in self.defaults.items():
            if name not in bound:
                bound[name] = value
        super().__init__(bound, *args, **kwargs)
        path = self.request.path if self.request is not None else ""
        self.form.helper = filter_bar_helper(
            self.form,
            live=self.live,
            path=path,
            is_partial=self.live_partial,
            method="post" if self.private else "get",
        )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        # A value that does not fit counts as not given (a view falls back to its
        # default); the bar says what was wrong with it.
        for name in self.form.errors:
            if name in self.filters:
                queryset = self.filters[name].filter(queryset, "")
        return queryset


class ViewFilter(django_filters.ChoiceFilter):
    """Named views of a list ("Open and paused", "Closed", "All"): each value is a Q;
    the empty value, also when the value given is not known, is the default view."""

    def __init__(self, *, views: dict[str, tuple[str, Q]], **kwargs: Any) -> None:
        self.views = views
        kwargs.setdefault("empty_label", views[""][0])
        choices = [(value, label) for value, (label, _) in views.items() if value]
        super().__init__(choices=choices, **kwargs)

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        _, query = self.views.get(value or "", self.views[""])
        return qs.filter(query)


# A choice longer than this does not fit half a phone's width ("Interview arr…"):
# its select takes the whole row there.
_LONG_CHOICE = 14


def _width(field: forms.Field, name: str) -> str:
    if name == "q":
        return "col-12 col-md-4"
    if isinstance(field, forms.BooleanField):
        return "col-12 col-sm-6 col-md-3 align-self-center"
    if (
        isinstance(field, forms.ChoiceField)
        and not isinstance(field, forms.ModelChoiceField)  # not a query per page
        and any(
            len(str(label)) > _LONG_CHOICE
            for _, label in cast("list[tuple[Any, Any]]", field.choices)
        )
    ):
        return "col-12 col-sm-6 col-md-3 col-lg-2"
    return "col-6 col-md-3 col-lg-2"


def filter_bar_helper(
    form: forms.Form,
    *,
    live: str = "",
    path: str = "",
    is_partial: bool = False,
    method: str = "get",
) -> FormHelper:
    """A form laid out as one wrapping row of fields and a Show button; with `live`,
    htmx refreshes that element of the page as the filters change. A list with
    private fields posts (to `list_search_redirect`) instead of using a URL."""
    helper = FormHelper(form)
    helper.form_method = method
    if method == "post":
        helper.form_action = path
    helper.form_class = "card card-body mb-3 pb-0 portal-filter-bar"
    helper.attrs = {"role": "search"}
    if live:
        helper.attrs.update(
            {
                f"hx-{method}": path,
                "hx-target": live,
                # Show (submit) goes through htmx too: a native submit as well would
                # race the htmx request, and the session would keep one of the two
                # saved searches, so the page could come back unfiltered.
                "hx-trigger": "submit, change, input changed delay:400ms from:#id_q, "
                "search from:#id_q",
                "hx-push-url": "true",
            }
        )
        if not is_partial:  # take the part from the whole page the view returns
            helper.attrs.update({"hx-select": live, "hx-swap": "outerHTML"})
    helper.layout = Layout(
        Row(
            *(
                Column(name, css_class=_width(field, name))
                for name, field in form.fields.items()
            ),
            Column(
                StrictButton(
                    "Show", type="submit", css_class="btn-outline-primary w-100"
                ),
                css_class="col-12 col-md-2 align-self-end mb-3",
            ),
            css_class="g-2 align-items-end",
        )
    )
    return helper


def list_query(request: HttpRequest, filterset_class: type[ListFilterSet]) -> QueryDict:
    """The filters a list request asks for: its query string, except that private
    fields come only from the session's saved search the URL names."""
    data = request.GET.copy()
    for name in filterset_class.private:
        data.pop(name, None)
    saved = request.session.get(SEARCHES, {}).get(request.GET.get("search", ""), {})
    for name, value in saved.items():
        if name in filterset_class.private:
            data[name] = value
    return data


def list_search_redirect(
    request: HttpRequest, filterset_class: type[ListFilterSet]
) -> HttpResponseRedirect:
    """A posted filter bar: keep its private values in the session under a new opaque
    id, and send the browser to the list's URL with the other filters and that id."""
    params = QueryDict(mutable=True)
    for name in request.POST:
        if name not in (*filterset_class.private, "csrfmiddlewaretoken", "search"):
            params.setlist(name, request.POST.getlist(name))
    private = {
        name: request.POST.get(name, "")[:200].strip()
        for name in filterset_class.private
        if request.POST.get(name, "").strip()
    }
    if private:
        searches = request.session.get(SEARCHES, {})
        key = secrets.token_urlsafe(9)
        searches[key] = private
        request.session[SEARCHES] = dict(list(searches.items())[-KEEP_SEARCHES:])
        params["search"] = key
    query = params.urlencode()
    return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)


def list_page(
    request: HttpRequest, rows: QuerySet[Any] | list[Any], *, per_page: int = PAGE_SIZE
) -> Page[Any]:
    """The page of `rows` the request asks for (a page past the end shows the last)."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))

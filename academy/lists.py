"""The one way to make a staff list: a django-filter `FilterSet` (subclass
`ListFilterSet`) whose form is the filter bar, `list_page` for the page of rows, and the
templates `components/_filter_bar.html` and `components/_pagination.html` (whose links
keep the filters with Django's `{% querystring %}`). A list's CSV export filters with
the same FilterSet.

A list whose FilterSet names `private` fields (a search box where people type names and
e-mail addresses) never takes their values from a URL: the filter bar posts, the view
answers with `list_search_redirect`, which keeps those values in the session under an
opaque id, and the list's URL says only `search=<id>` (`list_query` reads it back), so
personal data stays out of server logs and browser history.

Paging. A queryset whose order is made of columns (or annotations) and ends with the
primary key (added when missing) pages by keyset: the "Next" link carries
`after=<pk of the last row shown>`, "Previous" `before=<pk of the first>`, and the page
is `WHERE (sort key, pk) > (that row's key) ORDER BY … LIMIT`, so page 2,000 costs what
page 1 does (no OFFSET; a plain pk in the URL, never a name). `page=N` rides along
only to say "Page N". A URL with a page number and no cursor (typed, bookmarked, or a
list that is not a queryset) is paged by number, with OFFSET, at most `OFFSET_PAGES`
deep. The count is exact up to `COUNT_CAP` rows and otherwise said "More than
10,000", so no page pays for a scan of every row it does not show.
Each sort a list offers needs an index that serves it (academy first, the key, the
pk), or deep pages are a sort of the whole academy."""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

import django_filters
from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import ProjectState
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import HttpRequest, HttpResponseRedirect, QueryDict

PAGE_SIZE = 50
COUNT_CAP = 10_000  # counted exactly up to here; beyond, "More than 10,000"
OFFSET_PAGES = 20  # a page number without a cursor goes no deeper than this
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


class CountAbove(int):
    """A count that stopped at COUNT_CAP: "More than 10,000" (and plural)."""

    def __str__(self) -> str:
        return f"More than {int(self):,}"


@dataclass(frozen=True)
class _Key:
    """One column of a list's order: its name (a field, a path or an annotation),
    its direction, and where its nulls go (None: the column has no nulls)."""

    name: str
    descending: bool
    nulls_last: bool | None

    def reversed(self) -> _Key:
        nulls = None if self.nulls_last is None else not self.nulls_last
        return _Key(self.name, not self.descending, nulls)

    def order(self) -> OrderBy:
        expression = F(self.name)
        if self.nulls_last is None:
            return expression.desc() if self.descending else expression.asc()
        nulls = {"nulls_last": True} if self.nulls_last else {"nulls_first": True}
        return expression.desc(**nulls) if self.descending else expression.asc(**nulls)

    def after(self, value: Any) -> Q | None:
        """Rows whose value of this key comes after `value` (None: none do)."""
        if value is None:
            if self.nulls_last is False:  # nulls first: every value comes after
                return Q(**{f"{self.name}__isnull": False})
            return None
        later = Q(**{f"{self.name}__{'lt' if self.descending else 'gt'}": value})
        if self.nulls_last:
            later |= Q(**{f"{self.name}__isnull": True})
        return later

    def equal(self, value: Any) -> Q:
        if value is None:
            return Q(**{f"{self.name}__isnull": True})
        return Q(**{self.name: value})

    def bound(self, value: Any) -> Q | None:
        """A looser condition on this key alone, implied by `after` on the whole key,
        that an index on the key can start from (None: no such bound)."""
        if value is None:
            return Q(**{f"{self.name}__isnull": True}) if self.nulls_last else None
        if self.nulls_last:
            return None  # the nulls after the value break a single range
        return Q(**{f"{self.name}__{'lte' if self.descending else 'gte'}": value})


def _nullable(model: Any, path: str) -> bool:
    """Whether a field path can be null (an annotation: assumed so)."""
    names = path.split("__")
    for number, name in enumerate(names):
        try:
            found = model._meta.get_field(name)
        except Exception:  # not a field: an annotation or alias
            return True
        if number < len(names) - 1:
            if found.related_model is None:
                return True
            if found.null:
                return True  # a null relation makes every field behind it null
            model = found.related_model
        else:
            return bool(found.null)
    return True


def keyset_keys(rows: QuerySet[Any]) -> list[_Key] | None:
    """The keys of a queryset's order, ending with the pk, or None when the order
    cannot page by keyset (a random order, an expression other than a column)."""
    query = rows.query
    if query.extra_order_by or query.distinct_fields or query.combinator:
        return None
    order: Sequence[Any] = query.order_by or (
        rows.model._meta.ordering if query.default_ordering else ()
    )
    pk_names = {"pk", rows.model._meta.pk.name, rows.model._meta.pk.attname}
    keys: list[_Key] = []
    for item in order:
        if isinstance(item, str):
            if item == "?" or "." in item:
                return None
            name, descending = item.removeprefix("-"), item.startswith("-")
            explicit: bool | None = None
        elif isinstance(item, OrderBy) and type(item.expression) is F:
            name, descending = str(item.expression.name), item.descending  # type: ignore[attr-defined]
            explicit = True if item.nulls_last else False if item.nulls_first else None
        else:
            return None
        if name in pk_names:
            keys.append(_Key("pk", descending, None))
            break  # the pk is unique: nothing after it changes the order
        if explicit is None and _nullable(rows.model, name):
            explicit = not descending  # as PostgreSQL puts them, said explicitly
        keys.append(_Key(name, descending, explicit))
    if not keys or keys[-1].name != "pk":
        keys.append(_Key("pk", False, None))
    return keys


def _after_q(keys: list[_Key], values: Sequence[Any]) -> Q:
    """Rows after the row whose keys are `values`, in the order of `keys`: the
    first key later, or equal and the second later, and so on; led by a bound on
    the first key that an index range can start from."""
    condition = Q(pk__in=[])
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        later = key.after(value)
        if later is not None:
            condition |= equal & later
        equal &= key.equal(value)
    bound = keys[0].bound(values[0])
    return condition & bound if bound is not None else condition


@dataclass
class _Count:
    """What the page's templates read as `page.paginator`."""

    count: int
    per_page: int

    @property
    def num_pages(self) -> int | None:
        if isinstance(self.count, CountAbove):
            return None
        return max(1, math.ceil(self.count / self.per_page))


@dataclass
class ListPage:
    """One page of a list: its rows, its number, and the links to the pages beside
    it (`previous_url`, `next_url`, `first_url`) that keep the list's filters."""

    object_list: list[Any]
    number: int
    paginator: _Count
    has_previous: bool = False
    has_next: bool = False
    previous_url: str = ""
    next_url: str = ""
    first_url: str = ""
    by_cursor: bool = False
    _query: QueryDict = field(default_factory=QueryDict, repr=False)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index: int) -> Any:
        return self.object_list[index]

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def _count(rows: QuerySet[Any] | Sequence[Any]) -> int:
    if not isinstance(rows, QuerySet):
        return len(rows)
    counted = rows.order_by().values("pk")[: COUNT_CAP + 1].count()
    return CountAbove(COUNT_CAP) if counted > COUNT_CAP else counted


def _url(query: QueryDict, **changes: Any) -> str:
    changed = query.copy()
    for name, value in changes.items():
        changed.pop(name, None)
        if value is not None:
            changed[name] = str(value)
    encoded = changed.urlencode()
    return f"?{encoded}" if encoded else "?"


def _number(text: str | None) -> int:
    return int(text) if text and text.isascii() and text.isdigit() else 1


def _pk(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() else None


def list_page(
    request: HttpRequest,
    rows: QuerySet[Any] | Sequence[Any],
    *,
    per_page: int = PAGE_SIZE,
) -> ListPage:
    """The page of `rows` the request asks for: by keyset when `rows` is a queryset
    in an order that allows it (see the module's docstring), else by number (a page
    past the end shows the last)."""
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    keys = keyset_keys(rows) if isinstance(rows, QuerySet) else None
    after, before = _pk(request.GET.get("after")), _pk(request.GET.get("before"))
    if keys is not None and (after or before):
        assert isinstance(rows, QuerySet)  # noqa: S101 - keys come only from one
        page = _keyset_page(
            rows, keys, per_page, after=after, before=before, query=query
        )
        if page is not None:
            page.number = min(
                max(_number(request.GET.get("page")), 2 if after else 1),
                page.paginator.num_pages or COUNT_CAP,
            )
            if before and not page.has_previous:
                page.number = 1
            return _linked(page, keys is not None, query)
    return _numbered_page(request, rows, keys, per_page, query)


def _keyset_page(
    rows: QuerySet[Any],
    keys: list[_Key],
    per_page: int,
    *,
    after: int | None,
    before: int | None,
    query: QueryDict,
) -> ListPage | None:
    """The rows after (or before) the row of pk `after` (`before`), or None when
    that row is no longer in the list (the first page is shown instead)."""
    cursor = after or before
    names = {f"_key{number}": F(key.name) for number, key in enumerate(keys)}
    found = list(
        rows.order_by().annotate(**names).filter(pk=cursor).values_list(*names)[:1]
    )
    if not found:
        return None
    order = keys if after else [key.reversed() for key in keys]
    picked = list(
        rows.filter(_after_q(order, found[0])).order_by(
            *(key.order() for key in order)
        )[: per_page + 1]
    )
    more = len(picked) > per_page
    shown = picked[:per_page]
    if before:
        shown.reverse()
    return ListPage(
        shown,
        number=1,
        paginator=_Count(_count(rows), per_page),
        has_previous=more if before else True,
        has_next=more if after else True,
        by_cursor=True,
        _query=query,
    )


def _numbered_page(
    request: HttpRequest,
    rows: QuerySet[Any] | Sequence[Any],
    keys: list[_Key] | None,
    per_page: int,
    query: QueryDict,
) -> ListPage:
    if keys is not None:
        assert isinstance(rows, QuerySet)  # noqa: S101 - keys come only from one
        rows = rows.order_by(*(key.order() for key in keys))
    counted = _Count(_count(rows), per_page)
    number = min(_number(request.GET.get("page")), OFFSET_PAGES)
    if counted.num_pages is not None:
        number = min(number, counted.num_pages)
    start = (number - 1) * per_page
    picked = list(rows[start : start + per_page + 1])
    page = ListPage(
        picked[:per_page],
        number=number,
        paginator=counted,
        has_previous=number > 1,
        has_next=len(picked) > per_page,
        _query=query,
    )
    return _linked(page, keys is not None, query)


def _linked(page: ListPage, by_keyset: bool, query: QueryDict) -> ListPage:
    """Give the page its links: by cursor where the list pages by keyset."""
    page.first_url = _url(query)
    if page.has_previous:
        if page.number <= 2 or not by_keyset or not page.object_list:
            target = None if page.number <= 2 else page.number - 1
            page.previous_url = _url(query, page=target)
        else:
            page.previous_url = _url(
                query, page=page.number - 1, before=page.object_list[0].pk
            )
    if page.has_next:
        if by_keyset and page.object_list:
            page.next_url = _url(
                query, page=page.number + 1, after=page.object_list[-1].pk
            )
        else:
            page.next_url = _url(query, page=page.number + 1)
    return page


# Indexes that make lists fast on PostgreSQL --------------------------------------


class PostgresOnly(migrations.RunSQL):
    """SQL a migration runs on PostgreSQL only (trigram and keyset indexes); on
    SQLite, which serves small academies without them, it does nothing."""

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def search_index(table: str, column: str, *, upper: bool = True) -> PostgresOnly:
    """A GIN trigram index (pg_trgm) that serves a search of `column`: Django's
    `icontains`, `iexact` and `istartswith` are `UPPER(column::text) LIKE …` on
    PostgreSQL, which only an index of that same expression serves (`upper`);
    `contains` and `=` are served by one of the column itself. Built CONCURRENTLY,
    so the migration that adds it says `atomic = False`."""
    name = f"{table[:40]}_{column[:12]}_{'up' if upper else ''}trgm"
    expression = f"(UPPER({column}::text))" if upper else column
    return PostgresOnly(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} "
        f"USING gin ({expression} gin_trgm_ops)",
        f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
    )


def keyset_index(table: str, name: str, columns: str, where: str = "") -> PostgresOnly:
    """A b-tree index that serves a list's sort by keyset: the academy first, then
    the sort's columns as the list orders them (NULLS FIRST/LAST said), the pk last;
    `where`: of the rows a filter picks only (a partial index)."""
    only = f" WHERE {where}" if where else ""
    return PostgresOnly(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ({columns}){only}",
        f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
    )

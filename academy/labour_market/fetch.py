"""Fetching a source over HTTP where the machine is online (spec/security.md INP-7):
allow-listed hosts only, a timeout on every call, redirects never followed. The Nomis
claimant count is fetched this way on the beat schedule."""

from __future__ import annotations

import ipaddress
import urllib.error
import urllib.request
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from academy.models import Academy

from ..models import RefreshRun
from . import reference
from .refresh import refresh_run_new, refresh_run_process

MAX_BYTES = 50 * 1024 * 1024
_LOOPBACK_NAMES = {"localhost"}


class FetchError(Exception):
    """A fetch that failed; `is_transient` when trying again later may work."""

    def __init__(self, message: str, *, is_transient: bool = False) -> None:
        super().__init__(message)
        self.is_transient = is_transient


class Opener(Protocol):
    def open(self, request: urllib.request.Request, /, *, timeout: float) -> Any: ...


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Turn every redirect into an error instead of following it."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> None:
        return None


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts() -> frozenset[str]:
    """Hosts a fetch may reach (settings.LMI_FETCH_ALLOWED_HOSTS)."""
    hosts = settings.LMI_FETCH_ALLOWED_HOSTS
    return frozenset(str(h).lower() for h in hosts)


def url_check(url: str) -> str:
    """The URL's host, if a fetch may go there; else FetchError saying why not.

    https only; plain http only to this machine (a local mirror, or a test server).
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host not in allowed_hosts():
        raise FetchError(
            f"{host or url} is not an allowed host for labour-market fetches "
            "(LMI_FETCH_ALLOWED_HOSTS)."
        )
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(host)):
        raise FetchError(f"Only https addresses are fetched, not {parts.scheme}://.")
    return host


def url_fetch(url: str, *, opener: Opener | None = None) -> bytes:
    """The body of a GET of `url`, checked by `url_check`; FetchError on any failure."""
    host = url_check(url)
    timeout = settings.LMI_FETCH_TIMEOUT
    chosen: Opener = opener or urllib.request.build_opener(_RefuseRedirects())
    request = urllib.request.Request(  # noqa: S310 - scheme checked by url_check
        url, headers={"User-Agent": "care-academy-portal", "Accept": "text/csv"}
    )
    try:
        with chosen.open(request, timeout=timeout) as response:
            data: bytes = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:
            raise FetchError(
                f"{host} answered with a redirect ({error.code}) to "
                f"{error.headers.get('Location', 'another address')}; redirects are "
                "not followed."
            ) from error
        raise FetchError(
            f"{host} answered {error.code} {error.reason}.",
            is_transient=error.code >= 500 or error.code == 429,
        ) from error
    except OSError as error:  # URLError, timeouts and refused connections
        reason = getattr(error, "reason", error)
        raise FetchError(
            f"Could not reach {host}: {reason}.", is_transient=True
        ) from error
    if len(data) > MAX_BYTES:
        raise FetchError(f"The answer from {host} is larger than 50 MB; not loaded.")
    return data


def nomis_geography() -> list[str]:
    """GSS codes to fetch: every academy's area and region, and England."""
    codes: list[str] = []
    for area_code, region in Academy.objects.exclude(area_code="").values_list(
        "area_code", "region"
    ):
        codes.append(area_code)
        region_code = reference.region_code_for(area_code=area_code, region_name=region)
        if region_code:
            codes.append(region_code)
    codes.append(reference.ENGLAND)
    return list(dict.fromkeys(codes))


def nomis_claimant_count_url() -> str | None:
    """The Nomis address to fetch (settings.NOMIS_CLAIMANT_COUNT_URL), or None when
    this machine does not fetch."""
    template = str(settings.NOMIS_CLAIMANT_COUNT_URL or "")
    if not template:
        return None
    return template.replace("{geography}", ",".join(nomis_geography()))


def nomis_claimant_count_fetch(*, opener: Opener | None = None) -> RefreshRun | None:
    """Fetch the claimant count for every academy's area, region and England, and
    load it. None when no URL is set. A failed fetch is recorded on a failed run
    and raised as FetchError (the task tries a transient one again)."""
    url = nomis_claimant_count_url()
    if url is None:
        return None
    try:
        data = url_fetch(url, opener=opener)
    except FetchError as error:
        RefreshRun.objects.create(
            source=RefreshRun.Source.NOMIS_CLAIMANT_COUNT,
            action=RefreshRun.Action.LOAD,
            status=RefreshRun.Status.FAILED,
            filename=url[:500],
            error=f"The fetch failed: {error}",
            started_at=timezone.now(),
            finished_at=timezone.now(),
        )
        raise
    run = refresh_run_new(
        source=RefreshRun.Source.NOMIS_CLAIMANT_COUNT,
        action=RefreshRun.Action.LOAD,
        filename=url,
        data=data,
    )
    return refresh_run_process(run=run, data=data)

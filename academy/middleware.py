"""Response headers that keep personal data private (spec/security.md DEP-2, DEP-3)."""

import ipaddress
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

SIGNED_IN_AT = "signed_in_at"


class PrivateResponseMiddleware:
    """Stop browsers and proxies keeping signed-in pages, and set Permissions-Policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not request.path.startswith(
            settings.STATIC_URL
        ):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private"
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class TrustedProxyMiddleware:
    """Behind the deployment's own proxy, take the client's address from the last
    X-Forwarded-For entry (the one that proxy added), so that per-address limits
    (enquiry rate limit) count people, not the proxy; but only when the request comes
    from a trusted proxy address, so that a client cannot choose its own address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.proxies = [
            ipaddress.ip_network(net, strict=False) for net in settings.TRUSTED_PROXIES
        ]

    def _is_proxy(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.proxies)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.BEHIND_PROXY and self._is_proxy(
            request.META.get("REMOTE_ADDR", "")
        ):
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            client = forwarded.split(",")[-1].strip()
            if client:
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


class RefuseTraceMiddleware:
    """TRACE (and TRACK) echo a request back; the portal answers them 405."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("TRACE", "TRACK"):
            return HttpResponseNotAllowed(["GET", "POST", "HEAD", "OPTIONS"])
        return self.get_response(request)


def note_sign_in_time(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """Connected to `user_logged_in` in AcademyConfig.ready()."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


class SessionLifetimeMiddleware:
    """End a session SESSION_ABSOLUTE_SECONDS after signing in, however busy it has
    been (the idle limit is the session cookie's age); the sign-in page says why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, int(time.time()))
            limit = settings.SESSION_ABSOLUTE_SECONDS
            if time.time() - signed_in_at >= limit:
                logout(request)
                hours = limit // 3600
                messages.info(
                    request,
                    f"You have been signed in for {hours} hours, so you were signed "
                    "out. Sign in again to carry on.",
                )
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)

"""Response headers that keep personal data private (spec/security.md DEP-2, DEP-3)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


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
    (sign-in lockout, enquiry rate limit) count people, not the proxy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.BEHIND_PROXY:
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            client = forwarded.split(",")[-1].strip()
            if client:
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)

"""Response headers that keep personal data private (spec/security.md DEP-2, DEP-3)."""

import ipaddress
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

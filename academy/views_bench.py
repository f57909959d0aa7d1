"""The minimal signed-in page `make bench` measures every page against (tests/bench/).

Served only when the BENCH_MINIMAL_VIEW setting is on, which it never is by default:
the benchmark's gunicorn turns it on for its own run."""

from django.http import HttpRequest, HttpResponse


def bench_minimal(request: HttpRequest) -> HttpResponse:
    """'ok' behind every middleware a signed-in page passes (session, user, second
    step, academy, audit), and nothing else: the cost every page shares."""
    return HttpResponse("ok", content_type="text/plain")

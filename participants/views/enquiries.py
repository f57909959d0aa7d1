"""Campaign enquiries: the public 'register your interest' form and the coordinators' queue.

Being written; every view answers 404 until then.
"""

from django.http import Http404, HttpRequest, HttpResponse


def _pending(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


enquiry_public = enquiry_thanks = enquiry_list = enquiry_detail = _pending
enquiry_contacted = enquiry_close = _pending

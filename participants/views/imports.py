"""Importing existing records from CSV or XLSX: upload, preview, confirm.

Being written; every view answers 404 until then.
"""

from django.http import Http404, HttpRequest, HttpResponse


def _pending(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


import_upload = import_detail = _pending

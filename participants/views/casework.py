"""A coordinator's casework pages. Being written; every view answers 404 until then."""

from django.http import Http404, HttpRequest, HttpResponse


def _pending(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


participant_list = _pending
participant_export = _pending
participant_register = _pending
participant_detail = _pending
participant_edit = _pending
consent_change = _pending
meeting_add = _pending
plan_agree = _pending
support_add = _pending
outcome_add = _pending
case_close = _pending
case_reopen = _pending
participant_merge = _pending
plan_review = _pending
action_complete = _pending
actions_overdue = _pending
checks_due = _pending
check_record = _pending

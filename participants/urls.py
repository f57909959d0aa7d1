"""URLs of casework, enquiries (public at /join/) and imports."""

from django.urls import path

from .views import (
    diary,
    enquiries,
    imports,
    people,
    plan_print,
    records,
    rights,
    tasks,
)

app_name = "participants"

urlpatterns = [
    # Casework
    path("participants/", people.participant_list, name="list"),
    path("participants/export.csv", people.participant_export, name="export"),
    path("participants/new/", people.participant_register, name="register"),
    path("participants/<int:pk>/", people.participant_detail, name="detail"),
    path("participants/<int:pk>/edit/", people.participant_edit, name="edit"),
    path("participants/<int:pk>/consent/", people.consent_change, name="consent"),
    path(
        "participants/<int:pk>/meetings/new/", records.meeting_add, name="meeting-add"
    ),
    path("participants/<int:pk>/plans/new/", records.plan_agree, name="plan-agree"),
    path("participants/<int:pk>/support/new/", records.support_add, name="support-add"),
    path(
        "participants/<int:pk>/outcomes/new/", records.outcome_add, name="outcome-add"
    ),
    path("participants/<int:pk>/close/", people.case_close, name="close"),
    path("participants/<int:pk>/reopen/", people.case_reopen, name="reopen"),
    path("participants/<int:pk>/merge/", people.participant_merge, name="merge"),
    path("participants/<int:pk>/rights/", rights.participant_rights, name="rights"),
    path(
        "participants/<int:pk>/rights/everything.zip",
        rights.participant_access_export,
        name="access-export",
    ),
    path("participants/<int:pk>/erase/", rights.participant_erase, name="erase"),
    path(
        "manage/members/<int:pk>/caseload/",
        people.caseload_reassign,
        name="caseload-reassign",
    ),
    path("plans/<int:pk>/review/", records.plan_review, name="plan-review"),
    # The plan to take away: a page to print, and a PDF.
    path("plans/<int:pk>/print/", plan_print.plan_print, name="plan-print"),
    path("plans/<int:pk>/plan.pdf", plan_print.plan_pdf, name="plan-pdf"),
    path("actions/<int:pk>/done/", records.action_complete, name="action-complete"),
    # The old lists of overdue actions and checks due are the task list now.
    path("actions/overdue/", tasks.actions_overdue, name="actions-overdue"),
    path("checks/due/", tasks.checks_due, name="checks-due"),
    path("checks/<int:pk>/", records.check_record, name="check-record"),
    path("outcomes/doubles/", records.outcome_doubles, name="outcome-doubles"),
    # Tasks
    path("tasks/", tasks.task_list, name="task-list"),
    path("tasks/hand/", tasks.tasks_hand_all, name="tasks-hand-all"),
    path("tasks/<int:pk>/done/", tasks.task_done, name="task-done"),
    path("tasks/<int:pk>/reopen/", tasks.task_reopen, name="task-reopen"),
    path("tasks/<int:pk>/cancel/", tasks.task_cancel, name="task-cancel"),
    path("tasks/<int:pk>/hand/", tasks.task_hand, name="task-hand"),
    path("participants/<int:pk>/tasks/new/", tasks.task_add, name="task-add"),
    # The diary and appointments
    path("diary/", diary.diary_day, name="diary"),
    path("diary/week/", diary.diary_week, name="diary-week"),
    path("diary/book/", diary.diary_book, name="diary-book"),
    path(
        "participants/<int:pk>/appointments/new/",
        diary.appointment_add,
        name="appointment-add",
    ),
    path(
        "appointments/<int:pk>/edit/", diary.appointment_edit, name="appointment-edit"
    ),
    path(
        "appointments/<int:pk>/attended/",
        diary.appointment_attended,
        name="appointment-attended",
    ),
    path(
        "appointments/<int:pk>/missed/",
        diary.appointment_missed,
        name="appointment-missed",
    ),
    path(
        "appointments/<int:pk>/cancel/",
        diary.appointment_cancel,
        name="appointment-cancel",
    ),
    path(
        "appointments/<int:pk>/notes/",
        diary.appointment_notes,
        name="appointment-notes",
    ),
    # Campaign enquiries
    path("join/<slug:academy_slug>/", enquiries.enquiry_public, name="enquiry-public"),
    path(
        "join/<slug:academy_slug>/thanks/",
        enquiries.enquiry_thanks,
        name="enquiry-thanks",
    ),
    path("enquiries/", enquiries.enquiry_list, name="enquiry-list"),
    path("enquiries/<int:pk>/", enquiries.enquiry_detail, name="enquiry-detail"),
    path(
        "enquiries/<int:pk>/contacted/",
        enquiries.enquiry_contacted,
        name="enquiry-contacted",
    ),
    path("enquiries/<int:pk>/close/", enquiries.enquiry_close, name="enquiry-close"),
    # Imports
    path("participants/import/", imports.import_upload, name="import-upload"),
    path("participants/import/<int:pk>/", imports.import_detail, name="import-detail"),
    path("participants/import/format/", imports.import_format, name="import-format"),
]

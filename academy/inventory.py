"""The data inventory (spec/security.md DP-1): every field of the portal's models, how
sensitive it is, and which retention class decides how long it is kept.

- `none`: says nothing about a person (reference data, counts, bookkeeping).
- `personal`: about an identifiable person: a participant, an enquirer, a member of
  staff or a partner's contact.
- `special`: special-category or equally sensitive detail (health, immigration status,
  time in care, benefits that imply a disability), and any casework free text, which
  can hold any of these; free text of this kind is encrypted (academy/crypto.py).

Django's automatic `id` is not listed. A test fails for a field missing here, or listed
here but gone; `manage.py data_inventory` prints docs/data-inventory.md from this.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models

from .crypto import EncryptedTextField


class Data(StrEnum):
    NONE = "none"
    PERSONAL = "personal"
    SPECIAL = "special"


class Retention(StrEnum):
    CASEWORK = "casework"
    ENQUIRY = "enquiry"
    ACCOUNT = "account"
    AUDIT = "audit"
    IMPORT_FILE = "import file"
    REPORT = "report"
    TRANSIENT = "transient"
    MESSAGE = "message"
    REFERENCE = "reference"


@dataclass(frozen=True)
class RetentionClass:
    """How long the records of a class are kept: `setting` holds the number of
    `unit`s, counted from `after`; no setting means kept while in use."""

    covers: str
    after: str
    setting: str | None = None
    unit: str = ""

    @property
    def period(self) -> int | None:
        return None if self.setting is None else int(getattr(settings, self.setting))

    @property
    def period_text(self) -> str:
        if self.period is None:
            return "while in use"
        unit = self.unit if self.period != 1 else self.unit.removesuffix("s")
        return f"{self.period} {unit}"


# The retention schedule (README, Security). The nightly job that applies it reads the
# periods from here.
RETENTION: dict[Retention, RetentionClass] = {
    Retention.CASEWORK: RetentionClass(
        "a participant's record and everything about them: consent, meetings, plans, "
        "support, outcomes and their checks, case notes, referrals",
        "the case closes (an open case is kept)",
        "RETENTION_CASEWORK_YEARS",
        "years",
    ),
    Retention.ENQUIRY: RetentionClass(
        "campaign enquiries that never became a participant (one that did follows "
        "the participant's record)",
        "the enquiry was made",
        "ENQUIRY_RETENTION_MONTHS",
        "months",
    ),
    Retention.ACCOUNT: RetentionClass(
        "staff and provider accounts and their memberships (named in casework as "
        "who recorded what)",
        "the account or membership ends",
        "RETENTION_ACCOUNT_YEARS",
        "years",
    ),
    Retention.AUDIT: RetentionClass(
        "sign-in and access records, the change history of casework, lifted lockouts",
        "the event",
        "RETENTION_AUDIT_YEARS",
        "years",
    ),
    Retention.IMPORT_FILE: RetentionClass(
        "uploaded import files and what their check found (the records they wrote "
        "are casework)",
        "the upload",
        "RETENTION_IMPORT_FILES_DAYS",
        "days",
    ),
    Retention.REPORT: RetentionClass(
        "generated impact-report PDFs and their runs",
        "the report was built",
        "RETENTION_REPORTS_YEARS",
        "years",
    ),
    Retention.TRANSIENT: RetentionClass(
        "signed-in sessions and the one-time tokens of forms, exported files (CSV) "
        "waiting to be downloaded, and people waiting to be counted again in the "
        "impact report's summaries",
        "the session ended or the form was sent",
        "RETENTION_TRANSIENT_DAYS",
        "days",
    ),
    Retention.MESSAGE: RetentionClass(
        "the message log's record of messages not to or about a participant: notices, "
        "digests, invitations and reports to members of staff, event messages to the "
        "public (a participant's are casework, erased with them); every message's "
        "words and address are forgotten once it is sent or given up",
        "the message was made",
        "RETENTION_MESSAGES_MONTHS",
        "months",
    ),
    Retention.REFERENCE: RetentionClass(
        "academies, partner organisations, vacancies, training places, "
        "labour-market figures and postcodes",
        "they are no longer in use",
    ),
}

NONE, PERSONAL, SPECIAL = Data.NONE, Data.PERSONAL, Data.SPECIAL
CASEWORK, ENQUIRY, ACCOUNT = Retention.CASEWORK, Retention.ENQUIRY, Retention.ACCOUNT
AUDIT, IMPORT_FILE, REPORT = Retention.AUDIT, Retention.IMPORT_FILE, Retention.REPORT
TRANSIENT, REFERENCE = Retention.TRANSIENT, Retention.REFERENCE
MESSAGE = Retention.MESSAGE

# "app_label.Model.field": (classification, retention class)
INVENTORY: dict[str, tuple[Data, Retention]] = {
    "academy.Academy.slug": (NONE, REFERENCE),
    "academy.Academy.name": (NONE, REFERENCE),
    "academy.Academy.region": (NONE, REFERENCE),
    "academy.Academy.area_code": (NONE, REFERENCE),
    "academy.Academy.launched_on": (NONE, REFERENCE),
    "academy.Academy.logo": (NONE, REFERENCE),
    # Public, but it may be a coordinator's own number or address.
    "academy.Academy.public_phone": (PERSONAL, REFERENCE),
    "academy.Academy.public_email": (PERSONAL, REFERENCE),
    "academy.Academy.created_at": (NONE, REFERENCE),
    "academy.Organisation.academy": (NONE, REFERENCE),
    "academy.Organisation.name": (NONE, REFERENCE),
    "academy.Organisation.kind": (NONE, REFERENCE),
    # A partner's contact details can be a named person's.
    "academy.Organisation.email": (PERSONAL, REFERENCE),
    "academy.Organisation.phone": (PERSONAL, REFERENCE),
    "academy.Organisation.postcode": (NONE, REFERENCE),
    "academy.Organisation.website": (NONE, REFERENCE),
    "academy.Organisation.is_active": (NONE, REFERENCE),
    "academy.User.password": (PERSONAL, ACCOUNT),
    "academy.User.last_login": (PERSONAL, ACCOUNT),
    "academy.User.is_superuser": (PERSONAL, ACCOUNT),
    "academy.User.first_name": (PERSONAL, ACCOUNT),
    "academy.User.last_name": (PERSONAL, ACCOUNT),
    "academy.User.is_staff": (PERSONAL, ACCOUNT),
    "academy.User.is_active": (PERSONAL, ACCOUNT),
    "academy.User.date_joined": (PERSONAL, ACCOUNT),
    "academy.User.email": (PERSONAL, ACCOUNT),
    "academy.User.invited_at": (PERSONAL, ACCOUNT),
    "academy.User.groups": (PERSONAL, ACCOUNT),
    "academy.User.user_permissions": (PERSONAL, ACCOUNT),
    "academy.Membership.user": (PERSONAL, ACCOUNT),
    "academy.Membership.academy": (NONE, ACCOUNT),
    "academy.Membership.role": (PERSONAL, ACCOUNT),
    "academy.Membership.organisation": (PERSONAL, ACCOUNT),
    "academy.Membership.is_active": (PERSONAL, ACCOUNT),
    "academy.Membership.accepted_at": (PERSONAL, ACCOUNT),
    "academy.Membership.created_at": (PERSONAL, ACCOUNT),
    "academy.FormSubmission.token": (NONE, TRANSIENT),
    "academy.FormSubmission.user": (PERSONAL, TRANSIENT),
    # The address of the form, which can name a participant's record.
    "academy.FormSubmission.url": (PERSONAL, TRANSIENT),
    "academy.FormSubmission.created_at": (PERSONAL, TRANSIENT),
    "academy.LockoutLift.user": (PERSONAL, AUDIT),
    "academy.LockoutLift.academy": (NONE, AUDIT),
    "academy.LockoutLift.lifted_by": (PERSONAL, AUDIT),
    "academy.LockoutLift.reason": (PERSONAL, AUDIT),
    "academy.LockoutLift.failures": (PERSONAL, AUDIT),
    "academy.LockoutLift.lifted_at": (PERSONAL, AUDIT),
    "academy.UserSession.user": (PERSONAL, TRANSIENT),
    "academy.UserSession.session_key": (PERSONAL, TRANSIENT),
    "academy.UserSession.created_at": (PERSONAL, TRANSIENT),
    "academy.UserSession.last_seen_at": (PERSONAL, TRANSIENT),
    "academy.UserSession.ip": (PERSONAL, TRANSIENT),
    "academy.UserSession.user_agent": (PERSONAL, TRANSIENT),
    # The message log (academy/notify.py): a person's messages are casework, erased
    # with them; the others go after RETENTION_MESSAGES_MONTHS; the words and the
    # address go once a message is sent or given up.
    "academy.Message.academy": (NONE, MESSAGE),
    "academy.Message.channel": (PERSONAL, MESSAGE),
    "academy.Message.template": (PERSONAL, MESSAGE),
    "academy.Message.notice": (PERSONAL, MESSAGE),
    "academy.Message.key": (PERSONAL, MESSAGE),
    "academy.Message.user": (PERSONAL, MESSAGE),
    "academy.Message.participant": (PERSONAL, MESSAGE),
    "academy.Message.address": (SPECIAL, MESSAGE),
    "academy.Message.address_hash": (PERSONAL, MESSAGE),
    "academy.Message.subject": (SPECIAL, MESSAGE),
    "academy.Message.body": (SPECIAL, MESSAGE),
    "academy.Message.extra": (SPECIAL, MESSAGE),
    "academy.Message.status": (PERSONAL, MESSAGE),
    "academy.Message.attempts": (PERSONAL, MESSAGE),
    "academy.Message.last_error": (PERSONAL, MESSAGE),
    "academy.Message.provider_id": (PERSONAL, MESSAGE),
    "academy.Message.next_attempt_at": (PERSONAL, MESSAGE),
    "academy.Message.created_at": (PERSONAL, MESSAGE),
    "academy.Message.sent_at": (PERSONAL, MESSAGE),
    "academy.Message.updated_at": (PERSONAL, MESSAGE),
    "academy.NoticeChoice.membership": (PERSONAL, ACCOUNT),
    "academy.NoticeChoice.notice": (PERSONAL, ACCOUNT),
    "academy.NoticeChoice.how": (PERSONAL, ACCOUNT),
    "academy.AccessRecord.at": (PERSONAL, AUDIT),
    "academy.AccessRecord.user_id": (PERSONAL, AUDIT),
    "academy.AccessRecord.user_email": (PERSONAL, AUDIT),
    "academy.AccessRecord.role": (PERSONAL, AUDIT),
    "academy.AccessRecord.academy_id": (NONE, AUDIT),
    "academy.AccessRecord.action": (PERSONAL, AUDIT),
    "academy.AccessRecord.path": (PERSONAL, AUDIT),
    "academy.AccessRecord.request_id": (NONE, AUDIT),
    "academy.AccessRecord.ip": (PERSONAL, AUDIT),
    "academy.AccessRecord.participant_ids": (PERSONAL, AUDIT),
    "academy.AccessRecord.enquiry_ids": (PERSONAL, AUDIT),
    "academy.AccessRecord.count": (NONE, AUDIT),
    "academy.ChangeRecord.at": (PERSONAL, AUDIT),
    "academy.ChangeRecord.table_name": (NONE, AUDIT),
    "academy.ChangeRecord.row_id": (PERSONAL, AUDIT),
    "academy.ChangeRecord.operation": (PERSONAL, AUDIT),
    "academy.ChangeRecord.participant_id": (PERSONAL, AUDIT),
    "academy.ChangeRecord.academy_id": (NONE, AUDIT),
    "academy.ChangeRecord.actor_id": (PERSONAL, AUDIT),
    "academy.ChangeRecord.request_id": (NONE, AUDIT),
    # Copies of casework rows (encrypted notes stay encrypted in them).
    "academy.ChangeRecord.old": (SPECIAL, AUDIT),
    "academy.ChangeRecord.new": (SPECIAL, AUDIT),
    "academy.SignInEvent.at": (PERSONAL, AUDIT),
    "academy.SignInEvent.kind": (PERSONAL, AUDIT),
    "academy.SignInEvent.user_id": (PERSONAL, AUDIT),
    "academy.SignInEvent.username": (PERSONAL, AUDIT),
    "academy.SignInEvent.by_user_id": (PERSONAL, AUDIT),
    "academy.SignInEvent.ip": (PERSONAL, AUDIT),
    "academy.SignInEvent.request_id": (NONE, AUDIT),
    "academy.SignInEvent.detail": (PERSONAL, AUDIT),
    "academy.RefreshRun.status": (NONE, REFERENCE),
    "academy.RefreshRun.progress": (NONE, REFERENCE),
    "academy.RefreshRun.created_at": (NONE, REFERENCE),
    "academy.RefreshRun.started_at": (NONE, REFERENCE),
    "academy.RefreshRun.finished_at": (NONE, REFERENCE),
    "academy.RefreshRun.academy": (NONE, REFERENCE),
    "academy.RefreshRun.source": (NONE, REFERENCE),
    "academy.RefreshRun.action": (NONE, REFERENCE),
    "academy.RefreshRun.stage": (NONE, REFERENCE),
    "academy.RefreshRun.filename": (NONE, REFERENCE),
    "academy.RefreshRun.period": (NONE, REFERENCE),
    "academy.RefreshRun.file": (NONE, REFERENCE),
    "academy.RefreshRun.checksum": (NONE, REFERENCE),
    "academy.RefreshRun.load_key": (NONE, REFERENCE),
    "academy.RefreshRun.new_count": (NONE, REFERENCE),
    "academy.RefreshRun.changed_count": (NONE, REFERENCE),
    "academy.RefreshRun.unchanged_count": (NONE, REFERENCE),
    "academy.RefreshRun.rejected_count": (NONE, REFERENCE),
    "academy.RefreshRun.rejected": (NONE, REFERENCE),
    "academy.RefreshRun.summary": (NONE, REFERENCE),
    "academy.RefreshRun.error": (NONE, REFERENCE),
    "academy.RefreshRun.created_by": (PERSONAL, REFERENCE),
    "academy.RefreshRun.confirmed_by": (PERSONAL, REFERENCE),
    "academy.ExportRun.status": (NONE, TRANSIENT),
    "academy.ExportRun.progress": (NONE, TRANSIENT),
    "academy.ExportRun.created_at": (NONE, TRANSIENT),
    "academy.ExportRun.started_at": (NONE, TRANSIENT),
    "academy.ExportRun.finished_at": (NONE, TRANSIENT),
    "academy.ExportRun.academy": (PERSONAL, TRANSIENT),
    "academy.ExportRun.kind": (NONE, TRANSIENT),
    "academy.ExportRun.requested_by": (PERSONAL, TRANSIENT),
    "academy.ExportRun.query": (PERSONAL, TRANSIENT),
    "academy.ExportRun.total": (NONE, TRANSIENT),
    "academy.ExportRun.file": (PERSONAL, TRANSIENT),
    "academy.ExportRun.filename": (PERSONAL, TRANSIENT),
    "academy.ExportRun.error": (PERSONAL, TRANSIENT),
    "academy.LabourMarketObservation.source": (NONE, REFERENCE),
    "academy.LabourMarketObservation.area_code": (NONE, REFERENCE),
    "academy.LabourMarketObservation.area_name": (NONE, REFERENCE),
    "academy.LabourMarketObservation.period": (NONE, REFERENCE),
    "academy.LabourMarketObservation.measure": (NONE, REFERENCE),
    "academy.LabourMarketObservation.sector": (NONE, REFERENCE),
    "academy.LabourMarketObservation.service": (NONE, REFERENCE),
    "academy.LabourMarketObservation.job_role": (NONE, REFERENCE),
    "academy.LabourMarketObservation.value": (NONE, REFERENCE),
    "academy.LabourMarketObservation.status": (NONE, REFERENCE),
    "academy.LabourMarketObservation.unit": (NONE, REFERENCE),
    "academy.LabourMarketObservation.raw_value": (NONE, REFERENCE),
    "academy.LabourMarketObservation.run": (NONE, REFERENCE),
    "academy.LabourMarketObservation.updated_at": (NONE, REFERENCE),
    "academy.LabourMarketChange.observation": (NONE, REFERENCE),
    "academy.LabourMarketChange.run": (NONE, REFERENCE),
    "academy.LabourMarketChange.old_value": (NONE, REFERENCE),
    "academy.LabourMarketChange.old_status": (NONE, REFERENCE),
    "academy.LabourMarketChange.new_value": (NONE, REFERENCE),
    "academy.LabourMarketChange.new_status": (NONE, REFERENCE),
    "academy.LabourMarketChange.changed_at": (NONE, REFERENCE),
    "academy.Postcode.postcode": (NONE, REFERENCE),
    "academy.Postcode.latitude": (NONE, REFERENCE),
    "academy.Postcode.longitude": (NONE, REFERENCE),
    "academy.Postcode.source": (NONE, REFERENCE),
    "academy.Postcode.local_authority": (NONE, REFERENCE),
    "academy.Postcode.ward": (NONE, REFERENCE),
    "academy.Postcode.constituency": (NONE, REFERENCE),
    "academy.PlaceName.code": (NONE, REFERENCE),
    "academy.PlaceName.name": (NONE, REFERENCE),
    "academy.PlaceName.kind": (NONE, REFERENCE),
    "academy.PlaceName.source": (NONE, REFERENCE),
    "participants.Participant.academy": (NONE, CASEWORK),
    "participants.Participant.reference": (PERSONAL, CASEWORK),
    "participants.Participant.first_name": (PERSONAL, CASEWORK),
    "participants.Participant.last_name": (PERSONAL, CASEWORK),
    "participants.Participant.date_of_birth": (PERSONAL, CASEWORK),
    "participants.Participant.email": (PERSONAL, CASEWORK),
    "participants.Participant.phone": (PERSONAL, CASEWORK),
    "participants.Participant.postcode": (PERSONAL, CASEWORK),
    "participants.Participant.is_claimant": (PERSONAL, CASEWORK),
    # ESA and PIP are paid for illness or disability: the benefit tells of health.
    "participants.Participant.benefit_type": (SPECIAL, CASEWORK),
    "participants.Participant.status_at_entry": (PERSONAL, CASEWORK),
    "participants.Participant.source": (PERSONAL, CASEWORK),
    "participants.Participant.referring_organisation": (PERSONAL, CASEWORK),
    "participants.Participant.registered_on": (PERSONAL, CASEWORK),
    "participants.Participant.coordinator": (PERSONAL, CASEWORK),
    "participants.Participant.hours_wanted": (PERSONAL, CASEWORK),
    "participants.Participant.has_driving_licence": (PERSONAL, CASEWORK),
    "participants.Participant.has_car": (PERSONAL, CASEWORK),
    "participants.Participant.dbs_level": (PERSONAL, CASEWORK),
    # Immigration status.
    "participants.Participant.right_to_work": (SPECIAL, CASEWORK),
    "participants.Participant.right_to_work_checked_on": (PERSONAL, CASEWORK),
    "participants.Participant.right_to_work_checked_by": (PERSONAL, CASEWORK),
    "participants.Participant.right_to_work_document": (SPECIAL, CASEWORK),
    "participants.Participant.has_consent_to_hold": (PERSONAL, CASEWORK),
    "participants.Participant.has_consent_to_share": (PERSONAL, CASEWORK),
    "participants.Participant.contact_by": (PERSONAL, CASEWORK),
    "participants.Participant.status": (PERSONAL, CASEWORK),
    "participants.Participant.closed_on": (PERSONAL, CASEWORK),
    "participants.Participant.close_reason": (PERSONAL, CASEWORK),
    "participants.Participant.close_note": (SPECIAL, CASEWORK),
    "participants.Participant.last_contact_at": (PERSONAL, CASEWORK),
    "participants.Participant.created_at": (PERSONAL, CASEWORK),
    "participants.Participant.updated_at": (PERSONAL, CASEWORK),
    "participants.ParticipantCohort.participant": (PERSONAL, CASEWORK),
    # Refugee, mental-health support, care leaver, ...
    "participants.ParticipantCohort.code": (SPECIAL, CASEWORK),
    "participants.ConsentRecord.participant": (PERSONAL, CASEWORK),
    "participants.ConsentRecord.kind": (PERSONAL, CASEWORK),
    "participants.ConsentRecord.is_given": (PERSONAL, CASEWORK),
    "participants.ConsentRecord.source": (PERSONAL, CASEWORK),
    "participants.ConsentRecord.recorded_by": (PERSONAL, CASEWORK),
    "participants.ConsentRecord.recorded_at": (PERSONAL, CASEWORK),
    "participants.ConsentRecord.note": (SPECIAL, CASEWORK),
    "participants.Enquiry.academy": (NONE, ENQUIRY),
    "participants.Enquiry.first_name": (PERSONAL, ENQUIRY),
    "participants.Enquiry.last_name": (PERSONAL, ENQUIRY),
    "participants.Enquiry.email": (PERSONAL, ENQUIRY),
    "participants.Enquiry.phone": (PERSONAL, ENQUIRY),
    "participants.Enquiry.postcode": (PERSONAL, ENQUIRY),
    "participants.Enquiry.interest": (SPECIAL, ENQUIRY),
    "participants.Enquiry.vacancy_title": (PERSONAL, ENQUIRY),
    "participants.Enquiry.status": (PERSONAL, ENQUIRY),
    "participants.Enquiry.close_reason": (PERSONAL, ENQUIRY),
    "participants.Enquiry.contacted_at": (PERSONAL, ENQUIRY),
    "participants.Enquiry.handled_by": (PERSONAL, ENQUIRY),
    "participants.Enquiry.participant": (PERSONAL, ENQUIRY),
    "participants.Enquiry.notes": (SPECIAL, ENQUIRY),
    "participants.Enquiry.created_at": (PERSONAL, ENQUIRY),
    "participants.Meeting.participant": (PERSONAL, CASEWORK),
    "participants.Meeting.kind": (PERSONAL, CASEWORK),
    "participants.Meeting.held_at": (PERSONAL, CASEWORK),
    "participants.Meeting.location": (PERSONAL, CASEWORK),
    "participants.Meeting.notes": (SPECIAL, CASEWORK),
    "participants.Meeting.next_step": (SPECIAL, CASEWORK),
    "participants.Meeting.next_step_on": (PERSONAL, CASEWORK),
    "participants.Meeting.recorded_by": (PERSONAL, CASEWORK),
    "participants.Meeting.created_at": (PERSONAL, CASEWORK),
    "participants.Appointment.participant": (PERSONAL, CASEWORK),
    "participants.Appointment.coordinator": (PERSONAL, CASEWORK),
    "participants.Appointment.kind": (PERSONAL, CASEWORK),
    "participants.Appointment.starts_at": (PERSONAL, CASEWORK),
    "participants.Appointment.minutes": (PERSONAL, CASEWORK),
    "participants.Appointment.place": (PERSONAL, CASEWORK),
    "participants.Appointment.link": (PERSONAL, CASEWORK),
    "participants.Appointment.status": (PERSONAL, CASEWORK),
    "participants.Appointment.reason": (SPECIAL, CASEWORK),
    "participants.Appointment.meeting": (PERSONAL, CASEWORK),
    "participants.Appointment.booked_by": (PERSONAL, CASEWORK),
    "participants.Appointment.created_at": (PERSONAL, CASEWORK),
    "participants.Appointment.updated_at": (PERSONAL, CASEWORK),
    "participants.Task.participant": (PERSONAL, CASEWORK),
    "participants.Task.owner": (PERSONAL, CASEWORK),
    "participants.Task.title": (SPECIAL, CASEWORK),
    "participants.Task.due_on": (PERSONAL, CASEWORK),
    "participants.Task.source": (PERSONAL, CASEWORK),
    "participants.Task.meeting": (PERSONAL, CASEWORK),
    "participants.Task.plan_action": (PERSONAL, CASEWORK),
    "participants.Task.sustainment_check": (PERSONAL, CASEWORK),
    "participants.Task.status": (PERSONAL, CASEWORK),
    "participants.Task.closed_at": (PERSONAL, CASEWORK),
    "participants.Task.closed_by": (PERSONAL, CASEWORK),
    "participants.Task.cancel_reason": (SPECIAL, CASEWORK),
    "participants.Task.created_by": (PERSONAL, CASEWORK),
    "participants.Task.created_at": (PERSONAL, CASEWORK),
    "participants.SkillsActionPlan.participant": (PERSONAL, CASEWORK),
    "participants.SkillsActionPlan.agreed_on": (PERSONAL, CASEWORK),
    "participants.SkillsActionPlan.pathway": (PERSONAL, CASEWORK),
    "participants.SkillsActionPlan.target_role": (PERSONAL, CASEWORK),
    # Codes, one of which is health.
    "participants.SkillsActionPlan.barriers": (SPECIAL, CASEWORK),
    "participants.SkillsActionPlan.goals": (SPECIAL, CASEWORK),
    "participants.SkillsActionPlan.status": (PERSONAL, CASEWORK),
    "participants.SkillsActionPlan.agreed_by": (PERSONAL, CASEWORK),
    "participants.SkillsActionPlan.updated_at": (PERSONAL, CASEWORK),
    "participants.PlanAction.plan": (PERSONAL, CASEWORK),
    "participants.PlanAction.description": (SPECIAL, CASEWORK),
    "participants.PlanAction.owner": (PERSONAL, CASEWORK),
    "participants.PlanAction.due_on": (PERSONAL, CASEWORK),
    "participants.PlanAction.completed_on": (PERSONAL, CASEWORK),
    "participants.PlanAction.created_at": (PERSONAL, CASEWORK),
    "participants.PlanReview.plan": (PERSONAL, CASEWORK),
    "participants.PlanReview.reviewed_on": (PERSONAL, CASEWORK),
    "participants.PlanReview.summary": (SPECIAL, CASEWORK),
    "participants.PlanReview.reviewed_by": (PERSONAL, CASEWORK),
    "participants.Support.participant": (PERSONAL, CASEWORK),
    # Mental-health support is one kind.
    "participants.Support.kind": (SPECIAL, CASEWORK),
    "participants.Support.given_on": (PERSONAL, CASEWORK),
    "participants.Support.notes": (SPECIAL, CASEWORK),
    "participants.Support.referred_to": (PERSONAL, CASEWORK),
    "participants.Support.recorded_by": (PERSONAL, CASEWORK),
    "participants.Support.created_at": (PERSONAL, CASEWORK),
    "participants.Outcome.participant": (PERSONAL, CASEWORK),
    "participants.Outcome.kind": (PERSONAL, CASEWORK),
    "participants.Outcome.started_on": (PERSONAL, CASEWORK),
    "participants.Outcome.sector": (PERSONAL, CASEWORK),
    "participants.Outcome.employer": (PERSONAL, CASEWORK),
    "participants.Outcome.role": (PERSONAL, CASEWORK),
    "participants.Outcome.hours_per_week": (PERSONAL, CASEWORK),
    "participants.Outcome.hourly_pay": (PERSONAL, CASEWORK),
    "participants.Outcome.evidence": (SPECIAL, CASEWORK),
    "participants.Outcome.recorded_by": (PERSONAL, CASEWORK),
    "participants.Outcome.created_at": (PERSONAL, CASEWORK),
    "participants.CaseNote.participant": (PERSONAL, CASEWORK),
    "participants.CaseNote.text": (SPECIAL, CASEWORK),
    "participants.CaseNote.written_by": (PERSONAL, CASEWORK),
    "participants.CaseNote.written_at": (PERSONAL, CASEWORK),
    "participants.ImportRun.status": (NONE, IMPORT_FILE),
    "participants.ImportRun.progress": (NONE, IMPORT_FILE),
    "participants.ImportRun.created_at": (NONE, IMPORT_FILE),
    "participants.ImportRun.started_at": (NONE, IMPORT_FILE),
    "participants.ImportRun.finished_at": (NONE, IMPORT_FILE),
    "participants.ImportRun.academy": (NONE, IMPORT_FILE),
    "participants.ImportRun.kind": (NONE, IMPORT_FILE),
    # The uploaded file holds whatever its rows hold: cohorts, support notes, ...
    "participants.ImportRun.file": (SPECIAL, IMPORT_FILE),
    "participants.ImportRun.original_name": (PERSONAL, IMPORT_FILE),
    # Names, references and changed values (notes only by their length).
    "participants.ImportRun.summary": (PERSONAL, IMPORT_FILE),
    "participants.ImportRun.problems": (PERSONAL, IMPORT_FILE),
    "participants.ImportRun.sha256": (NONE, IMPORT_FILE),
    "participants.ImportRun.coordinator": (PERSONAL, IMPORT_FILE),
    "participants.ImportRun.accepted": (PERSONAL, IMPORT_FILE),
    "participants.ImportRun.created_by": (PERSONAL, IMPORT_FILE),
    "participants.ImportRun.confirmed_by": (PERSONAL, IMPORT_FILE),
    "participants.ImportWritten.academy": (NONE, IMPORT_FILE),
    "participants.ImportWritten.load_key": (NONE, IMPORT_FILE),
    "participants.ImportWritten.records": (NONE, IMPORT_FILE),
    "participants.ImportWritten.with_cohorts": (NONE, IMPORT_FILE),
    "participants.ImportWritten.rows": (NONE, IMPORT_FILE),
    "participants.ImportWritten.ignored_columns": (PERSONAL, IMPORT_FILE),
    "participants.ImportWritten.written_at": (NONE, IMPORT_FILE),
    "participants.SustainmentCheck.outcome": (PERSONAL, CASEWORK),
    "participants.SustainmentCheck.weeks": (PERSONAL, CASEWORK),
    "participants.SustainmentCheck.due_on": (PERSONAL, CASEWORK),
    "participants.SustainmentCheck.status": (PERSONAL, CASEWORK),
    "participants.SustainmentCheck.is_in_work": (PERSONAL, CASEWORK),
    "participants.SustainmentCheck.confirmed_how": (PERSONAL, CASEWORK),
    "participants.SustainmentCheck.confirmed_by": (PERSONAL, CASEWORK),
    "participants.SustainmentCheck.checked_on": (PERSONAL, CASEWORK),
    "participants.SustainmentCheck.checked_by": (PERSONAL, CASEWORK),
    "participants.SuspectedDoubleOutcome.academy": (NONE, CASEWORK),
    "participants.SuspectedDoubleOutcome.first": (PERSONAL, CASEWORK),
    "participants.SuspectedDoubleOutcome.second": (PERSONAL, CASEWORK),
    "participants.SuspectedDoubleOutcome.found_at": (PERSONAL, CASEWORK),
    "participants.SuspectedDoubleOutcome.resolution": (PERSONAL, CASEWORK),
    "participants.SuspectedDoubleOutcome.resolved_at": (PERSONAL, CASEWORK),
    "participants.SuspectedDoubleOutcome.resolved_by": (PERSONAL, CASEWORK),
    "vacancies.Vacancy.academy": (NONE, REFERENCE),
    "vacancies.Vacancy.organisation": (NONE, REFERENCE),
    "vacancies.Vacancy.title": (NONE, REFERENCE),
    "vacancies.Vacancy.role": (NONE, REFERENCE),
    "vacancies.Vacancy.setting": (NONE, REFERENCE),
    "vacancies.Vacancy.hours_per_week": (NONE, REFERENCE),
    "vacancies.Vacancy.works_days": (NONE, REFERENCE),
    "vacancies.Vacancy.works_nights": (NONE, REFERENCE),
    "vacancies.Vacancy.works_weekends": (NONE, REFERENCE),
    "vacancies.Vacancy.contract": (NONE, REFERENCE),
    "vacancies.Vacancy.pay_unit": (NONE, REFERENCE),
    "vacancies.Vacancy.pay_min": (NONE, REFERENCE),
    "vacancies.Vacancy.pay_max": (NONE, REFERENCE),
    "vacancies.Vacancy.postcode": (NONE, REFERENCE),
    "vacancies.Vacancy.posts": (NONE, REFERENCE),
    "vacancies.Vacancy.closing_on": (NONE, REFERENCE),
    "vacancies.Vacancy.starts_on": (NONE, REFERENCE),
    "vacancies.Vacancy.needs_driving_licence": (NONE, REFERENCE),
    "vacancies.Vacancy.dbs_level": (NONE, REFERENCE),
    "vacancies.Vacancy.qualifications": (NONE, REFERENCE),
    "vacancies.Vacancy.experience": (NONE, REFERENCE),
    "vacancies.Vacancy.benefits": (NONE, REFERENCE),
    "vacancies.Vacancy.how_to_apply": (NONE, REFERENCE),
    "vacancies.Vacancy.description": (NONE, REFERENCE),
    "vacancies.Vacancy.is_critical_shortage": (NONE, REFERENCE),
    "vacancies.Vacancy.status": (NONE, REFERENCE),
    "vacancies.Vacancy.latitude": (NONE, REFERENCE),
    "vacancies.Vacancy.longitude": (NONE, REFERENCE),
    "vacancies.Vacancy.created_by": (PERSONAL, REFERENCE),
    "vacancies.Vacancy.created_at": (NONE, REFERENCE),
    "vacancies.Vacancy.updated_at": (NONE, REFERENCE),
    "vacancies.Vacancy.closed_at": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.academy": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.organisation": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.kind": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.title": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.description": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.starts_on": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.ends_on": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.places": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.location": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.postcode": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.role": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.is_open": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.latitude": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.longitude": (NONE, REFERENCE),
    "vacancies.TrainingOpportunity.created_at": (NONE, REFERENCE),
    "vacancies.Referral.academy": (NONE, CASEWORK),
    "vacancies.Referral.participant": (PERSONAL, CASEWORK),
    "vacancies.Referral.vacancy": (PERSONAL, CASEWORK),
    "vacancies.Referral.training": (PERSONAL, CASEWORK),
    "vacancies.Referral.stage": (PERSONAL, CASEWORK),
    "vacancies.Referral.note": (SPECIAL, CASEWORK),
    "vacancies.Referral.interview_at": (PERSONAL, CASEWORK),
    "vacancies.Referral.interview_place": (PERSONAL, CASEWORK),
    "vacancies.Referral.merged_from": (PERSONAL, CASEWORK),
    "vacancies.Referral.outcome_id": (PERSONAL, CASEWORK),
    "vacancies.Referral.created_by": (PERSONAL, CASEWORK),
    "vacancies.Referral.created_at": (PERSONAL, CASEWORK),
    "vacancies.Referral.updated_at": (PERSONAL, CASEWORK),
    "vacancies.ReferralEvent.referral": (PERSONAL, CASEWORK),
    "vacancies.ReferralEvent.stage": (PERSONAL, CASEWORK),
    "vacancies.ReferralEvent.on": (PERSONAL, CASEWORK),
    "vacancies.ReferralEvent.note": (SPECIAL, CASEWORK),
    "vacancies.ReferralEvent.by": (PERSONAL, CASEWORK),
    "vacancies.ReferralEvent.at": (PERSONAL, CASEWORK),
    "vacancies.EventSeries.academy": (NONE, REFERENCE),
    "vacancies.EventSeries.frequency": (NONE, REFERENCE),
    "vacancies.EventSeries.created_at": (NONE, REFERENCE),
    "vacancies.EventSeries.created_by": (PERSONAL, REFERENCE),
    "vacancies.Event.academy": (NONE, REFERENCE),
    "vacancies.Event.series": (NONE, REFERENCE),
    "vacancies.Event.kind": (NONE, REFERENCE),
    "vacancies.Event.title": (NONE, REFERENCE),
    "vacancies.Event.description": (NONE, REFERENCE),
    "vacancies.Event.audience": (NONE, REFERENCE),
    "vacancies.Event.venue": (NONE, REFERENCE),
    "vacancies.Event.address": (NONE, REFERENCE),
    "vacancies.Event.postcode": (NONE, REFERENCE),
    "vacancies.Event.online_url": (NONE, REFERENCE),
    "vacancies.Event.starts_at": (NONE, REFERENCE),
    "vacancies.Event.ends_at": (NONE, REFERENCE),
    "vacancies.Event.capacity": (NONE, REFERENCE),
    "vacancies.Event.is_public": (NONE, REFERENCE),
    "vacancies.Event.status": (NONE, REFERENCE),
    "vacancies.Event.cancel_reason": (NONE, REFERENCE),
    "vacancies.Event.checkin_token": (NONE, REFERENCE),
    "vacancies.Event.created_at": (NONE, REFERENCE),
    "vacancies.Event.updated_at": (NONE, REFERENCE),
    "vacancies.Event.hosts": (NONE, REFERENCE),
    "vacancies.Event.created_by": (PERSONAL, REFERENCE),
    # Who signed up to or came to an event: a member of the public until they
    # become a participant (then their record says so), kept as an enquiry is.
    "vacancies.SignUp.event": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.participant": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.enquiry": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.first_name": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.last_name": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.email": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.phone": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.has_consented": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.status": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.source": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.cancel_token": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.created_at": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.updated_at": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.checked_in_at": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.confirmed_at": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.reminded_at": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.recorded_by": (PERSONAL, ENQUIRY),
    "vacancies.SignUp.note": (SPECIAL, ENQUIRY),
    # A random key shared by one anonymised person's sign-ups: nothing about them.
    "vacancies.SignUp.visitor": (NONE, ENQUIRY),
    # A member's private calendar feed: the secret in its address, kept with the
    # membership it belongs to.
    "vacancies.CalendarFeed.membership": (PERSONAL, ACCOUNT),
    "vacancies.CalendarFeed.token": (PERSONAL, ACCOUNT),
    "vacancies.CalendarFeed.created_at": (PERSONAL, ACCOUNT),
    "reporting.ReportRun.status": (NONE, REPORT),
    "reporting.ReportRun.progress": (NONE, REPORT),
    "reporting.ReportRun.created_at": (NONE, REPORT),
    "reporting.ReportRun.started_at": (NONE, REPORT),
    "reporting.ReportRun.finished_at": (NONE, REPORT),
    "reporting.ReportRun.academy": (NONE, REPORT),
    "reporting.ReportRun.start": (NONE, REPORT),
    "reporting.ReportRun.end": (NONE, REPORT),
    "reporting.ReportRun.is_published": (NONE, REPORT),
    # Counts only, with small numbers suppressed when published.
    "reporting.ReportRun.file": (NONE, REPORT),
    "reporting.ReportRun.error": (NONE, REPORT),
    "reporting.ReportRun.requested_by": (PERSONAL, REPORT),
    "reporting.ReportRun.is_monthly": (NONE, REPORT),
    "reporting.ReportRun.narrative": (NONE, REPORT),
    "reporting.ImpactDay.academy": (NONE, CASEWORK),
    "reporting.ImpactDay.participant_id": (PERSONAL, CASEWORK),
    "reporting.ImpactDay.metric": (PERSONAL, CASEWORK),
    "reporting.ImpactDay.cohort": (SPECIAL, CASEWORK),
    "reporting.ImpactDay.is_claimant": (SPECIAL, CASEWORK),
    "reporting.ImpactDay.day": (PERSONAL, CASEWORK),
    "reporting.ImpactDay.month": (PERSONAL, CASEWORK),
    "reporting.ImpactDay.prev_day": (PERSONAL, CASEWORK),
    "reporting.ImpactDay.prev_month": (PERSONAL, CASEWORK),
    "reporting.ImpactMonth.academy": (NONE, REFERENCE),
    "reporting.ImpactMonth.metric": (NONE, REFERENCE),
    "reporting.ImpactMonth.cohort": (NONE, REFERENCE),
    "reporting.ImpactMonth.is_claimant": (NONE, REFERENCE),
    "reporting.ImpactMonth.month": (NONE, REFERENCE),
    "reporting.ImpactMonth.prev_month": (NONE, REFERENCE),
    "reporting.ImpactMonth.n": (NONE, REFERENCE),
    "reporting.ImpactChange.academy_id": (NONE, TRANSIENT),
    "reporting.ImpactChange.participant_id": (PERSONAL, TRANSIENT),
    "reporting.ImpactSummary.academy": (NONE, REFERENCE),
    "reporting.ImpactSummary.refreshed_at": (NONE, REFERENCE),
    "reporting.ImpactSummary.events_until": (NONE, REFERENCE),
    "reporting.ImpactTarget.academy": (NONE, REFERENCE),
    "reporting.ImpactTarget.metric": (NONE, REFERENCE),
    "reporting.ImpactTarget.year": (NONE, REFERENCE),
    "reporting.ImpactTarget.value": (NONE, REFERENCE),
    "reporting.ImpactTarget.updated_at": (NONE, REFERENCE),
    "reporting.ImpactTarget.updated_by": (PERSONAL, REFERENCE),
    # Funder returns: an academy's definitions of the figures a funder asks for.
    "reporting.FunderReturn.academy": (NONE, REFERENCE),
    "reporting.FunderReturn.code": (NONE, REFERENCE),
    "reporting.FunderReturn.name": (NONE, REFERENCE),
    "reporting.FunderReturn.funder": (NONE, REFERENCE),
    "reporting.FunderReturn.description": (NONE, REFERENCE),
    "reporting.FunderReturn.period": (NONE, REFERENCE),
    "reporting.FunderReturn.version": (NONE, REFERENCE),
    "reporting.FunderReturn.is_retired": (NONE, REFERENCE),
    "reporting.FunderReturn.updated_at": (NONE, REFERENCE),
    "reporting.FunderReturn.updated_by": (PERSONAL, REFERENCE),
    "reporting.Indicator.funder_return": (NONE, REFERENCE),
    "reporting.Indicator.code": (NONE, REFERENCE),
    "reporting.Indicator.title": (NONE, REFERENCE),
    "reporting.Indicator.definition": (NONE, REFERENCE),
    "reporting.Indicator.unit": (NONE, REFERENCE),
    "reporting.Indicator.metric": (NONE, REFERENCE),
    "reporting.Indicator.cohort": (NONE, REFERENCE),
    "reporting.Indicator.claimant": (NONE, REFERENCE),
    "reporting.Indicator.age_band": (NONE, REFERENCE),
    "reporting.Indicator.economic_status": (NONE, REFERENCE),
    "reporting.Indicator.sector": (NONE, REFERENCE),
    "reporting.Indicator.order": (NONE, REFERENCE),
    "reporting.Indicator.is_retired": (NONE, REFERENCE),
    "reporting.FunderReturnFigures.funder_return": (NONE, REFERENCE),
    "reporting.FunderReturnFigures.year": (NONE, REFERENCE),
    "reporting.FunderReturnFigures.version": (NONE, REFERENCE),
    # Raw counts, and the exceptions to fix: the id and reference of each person
    # counted without start evidence (shown to coordinators). Counted again nightly,
    # so an erased case leaves it within a day.
    "reporting.FunderReturnFigures.figures": (PERSONAL, REFERENCE),
    "reporting.FunderReturnFigures.computed_at": (NONE, REFERENCE),
    "reporting.FunderReturnFigures.is_stale": (NONE, REFERENCE),
    "reporting.FunderReturnFigures.generation": (NONE, REFERENCE),
}

APPS = ("academy", "participants", "vacancies", "reporting")


def model_fields() -> Iterator[tuple[type[models.Model], models.Field[Any, Any]]]:
    """Every field the inventory must classify: the apps' concrete fields and
    many-to-many fields, in the order of their models and fields."""
    for app_label in APPS:
        for model in apps.get_app_config(app_label).get_models():
            for field in model._meta.get_fields():
                listed = field.concrete or field.many_to_many
                if (
                    isinstance(field, models.Field)
                    and listed
                    and not field.auto_created
                ):
                    yield model, field


def field_label(model: type[models.Model], field: models.Field[Any, Any]) -> str:
    return f"{model._meta.label}.{field.name}"


@dataclass(frozen=True)
class InventoryGaps:
    """Fields the inventory misses, and entries for fields that no longer exist."""

    missing: list[str]
    stale: list[str]

    def __bool__(self) -> bool:
        return bool(self.missing or self.stale)

    def message(self) -> str:
        lines = []
        if self.missing:
            classes = ", ".join(r.name for r in Retention)
            lines += [
                f"{len(self.missing)} fields are not in the data inventory. Add these "
                "lines to INVENTORY in academy/inventory.py (the classification and "
                "retention class shown are a guess: choose NONE, PERSONAL or SPECIAL, "
                f"and one of {classes}):",
                "",
                *(f"    {line}" for line in self.missing),
                "",
            ]
        if self.stale:
            lines += [
                f"{len(self.stale)} inventory entries name fields that no longer "
                "exist. Remove these lines from INVENTORY in academy/inventory.py:",
                "",
                *(f'    "{label}": ...' for label in self.stale),
                "",
            ]
        lines.append(
            "Then rewrite the document: python manage.py data_inventory > "
            "docs/data-inventory.md"
        )
        return "\n".join(lines)


def _guess(model: type[models.Model], field: models.Field[Any, Any]) -> str:
    """The line to add for an unclassified field, with a cautious first guess."""
    siblings = [
        retention
        for label, (_, retention) in INVENTORY.items()
        if label.rsplit(".", 1)[0] == model._meta.label
    ]
    if siblings:
        retention = max(set(siblings), key=siblings.count)
    elif any(
        f.related_model is not None
        and f.related_model._meta.label == "participants.Participant"
        for f in model._meta.fields
    ):
        retention = Retention.CASEWORK
    else:
        retention = Retention.AUDIT
    data = Data.SPECIAL if isinstance(field, EncryptedTextField) else Data.PERSONAL
    return f'"{field_label(model, field)}": ({data.name}, {retention.name}),'


def inventory_gaps() -> InventoryGaps:
    """Compare the inventory with the models."""
    present = {field_label(m, f): (m, f) for m, f in model_fields()}
    missing = [_guess(*mf) for label, mf in present.items() if label not in INVENTORY]
    stale = [label for label in INVENTORY if label not in present]
    return InventoryGaps(missing, stale)


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _about(field: models.Field[Any, Any]) -> str:
    """Its help text, or its label when that says more than its name."""
    about = str(field.help_text)
    if not about and str(field.verbose_name) != field.name.replace("_", " "):
        about = str(field.verbose_name)
    if field.is_relation and field.related_model is not None:
        target = f"→ {field.related_model._meta.label}"
        about = f"{about} ({target})" if about else target
    return _cell(about)


def inventory_markdown() -> str:
    """docs/data-inventory.md: the retention schedule, then every field."""
    fields = list(model_fields())
    counts = dict.fromkeys(Data, 0)
    encrypted = 0
    for model, field in fields:
        data, _ = INVENTORY.get(field_label(model, field), (Data.PERSONAL, None))
        counts[data] += 1
        encrypted += isinstance(field, EncryptedTextField)
    out = [
        "# Data inventory",
        "",
        "Every field of the portal's models (apps "
        + ", ".join(f"`{a}`" for a in APPS)
        + "), how sensitive it is and how long it is kept. Generated from "
        "`academy/inventory.py` by `python manage.py data_inventory`; a test fails "
        "when this file, the inventory and the models disagree.",
        "",
        "- **none**: says nothing about a person.",
        "- **personal**: about an identifiable person (a participant, an enquirer, a "
        "member of staff, a partner's contact).",
        "- **special**: special-category or equally sensitive detail (health, "
        "immigration status, time in care, benefits that imply a disability), and "
        "casework free text, which can hold any of these. Free text of this kind is "
        "stored encrypted (Fernet, under `FIELD_ENCRYPTION_KEYS`).",
        "",
        f"{len(fields)} fields: {counts[Data.SPECIAL]} special ({encrypted} of them "
        f"encrypted free text), {counts[Data.PERSONAL]} personal, "
        f"{counts[Data.NONE]} none. Django's automatic `id` columns are not listed.",
        "",
        "## Retention schedule",
        "",
        "| class | what | kept for | counted from | setting |",
        "| --- | --- | --- | --- | --- |",
    ]
    for retention, rule in RETENTION.items():
        setting = f"`{rule.setting}`" if rule.setting else ""
        out.append(
            f"| {retention} | {_cell(rule.covers)} | {rule.period_text} | "
            f"{_cell(rule.after)} | {setting} |"
        )
    current_app, current_model = "", None
    for model, field in fields:
        app_label = model._meta.app_label
        if app_label != current_app:
            current_app = app_label
            out += ["", f"## {app_label}"]
        if model is not current_model:
            current_model = model
            summary = (model.__doc__ or "").strip().split("\n\n")[0]
            out += [
                "",
                f"### {model._meta.object_name}",
                "",
                _cell(summary),
                "",
                "| field | what it is | classification | retention |",
                "| --- | --- | --- | --- |",
            ]
        entry = INVENTORY.get(field_label(model, field))
        kind = entry[0].value if entry else "**not classified**"
        if isinstance(field, EncryptedTextField):
            kind = f"{kind} (encrypted)"
        kept = entry[1].value if entry else "**not classified**"
        out.append(f"| `{field.name}` | {_about(field)} | {kind} | {kept} |")
    return "\n".join(out) + "\n"

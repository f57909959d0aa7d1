"""Casework notes encrypted in the database under keys of their own (spec/security.md
DP-2): stored as Fernet tokens, read as text, rotated to a new key, never lost."""

import importlib
import io
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.apps import apps as global_apps
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from academy.backups import _pg_args, _pg_env
from academy.crypto import (
    UndecryptableValue,
    encrypted_fields,
    stored_text_rewrite,
    text_decrypt,
    text_encrypt_once,
)
from academy.models import ChangeRecord, Message
from participants.models import (
    Appointment,
    CaseNote,
    Meeting,
    Participant,
    PlanReview,
    Task,
)
from tests.academy.factories import UserFactory
from tests.participants.factories import (
    ConsentRecordFactory,
    EnquiryFactory,
    MeetingFactory,
    OutcomeFactory,
    ParticipantFactory,
    PlanActionFactory,
    SupportFactory,
)
from tests.vacancies.factories import EventFactory, ReferralFactory
from vacancies.models import ReferralEvent, SignUp

ROOT = Path(__file__).resolve().parents[2]
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()

# The casework free text that can tell of health, immigration or time in care.
ENCRYPTED = {
    "participants.Participant": ["close_note"],
    "participants.ConsentRecord": ["note"],
    "participants.Enquiry": ["interest", "notes"],
    "participants.Meeting": ["notes", "next_step"],
    "participants.SkillsActionPlan": ["goals"],
    "participants.PlanAction": ["description"],
    "participants.PlanReview": ["summary"],
    "participants.Support": ["notes"],
    "participants.Outcome": ["evidence"],
    "participants.CaseNote": ["text"],
    "vacancies.Referral": ["note"],
    "vacancies.ReferralEvent": ["note"],
    "vacancies.SignUp": ["note"],
    "participants.Appointment": ["reason"],
    "participants.Task": ["title", "cancel_reason"],
    "academy.Message": ["address", "subject", "body", "extra"],
}


def _stored(model, pk, field):
    """The value as the database holds it, read with plain SQL."""
    column = model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def _every_encrypted_field(text):
    """One row of each model with encrypted fields, `text` in every one of them."""
    referral = ReferralFactory(note=text)
    participant = referral.participant
    participant.close_note = text
    participant.save()
    action = PlanActionFactory(plan__participant=participant, description=text)
    action.plan.goals = text
    action.plan.save()
    rows = [
        participant,
        referral,
        action,
        action.plan,
        ConsentRecordFactory(participant=participant, note=text),
        EnquiryFactory(academy=participant.academy, interest=text, notes=text),
        MeetingFactory(participant=participant, notes=text, next_step=text),
        PlanReview.objects.create(
            plan=action.plan, reviewed_on=timezone.localdate(), summary=text
        ),
        SupportFactory(participant=participant, notes=text),
        OutcomeFactory(participant=participant, evidence=text),
        CaseNote.objects.create(
            participant=participant, text=text, written_at=timezone.now()
        ),
        ReferralEvent.objects.create(
            referral=referral, stage="referred", on=timezone.localdate(), note=text
        ),
        Appointment.objects.create(
            participant=participant,
            coordinator=UserFactory(),
            kind="phone",
            starts_at=timezone.now(),
            status=Appointment.Status.CANCELLED,
            reason=text,
        ),
        Task.objects.create(
            participant=participant,
            title=text,
            due_on=timezone.localdate(),
            status=Task.Status.CANCELLED,
            cancel_reason=text,
        ),
        Message.objects.create(
            academy=participant.academy,
            channel="email",
            template="hello",
            key="crypto-test",
            participant=participant,
            address=text,
            subject=text,
            body=text,
            extra=text,
        ),
        SignUp.objects.create(
            event=EventFactory(academy=participant.academy),
            participant=participant,
            first_name="A",
            status=SignUp.Status.BOOKED,
            source=SignUp.Source.STAFF,
            note=text,
        ),
    ]
    return [
        (type(row), row.pk, name)
        for row in rows
        for name in ENCRYPTED[type(row)._meta.label]
    ]


def test_the_casework_free_text_is_what_is_encrypted():
    assert {m._meta.label: names for m, names in encrypted_fields()} == ENCRYPTED


@pytest.mark.django_db
def test_stored_values_are_fernet_tokens_and_read_back_as_text():
    text = "Diagnosed with PTSD; asylum claim pending. ✓"
    fields = _every_encrypted_field(text)
    assert len(fields) == sum(len(names) for names in ENCRYPTED.values())
    for model, pk, name in fields:
        stored = _stored(model, pk, name)
        assert stored != text
        assert stored.startswith("gAAAAA"), (model, name)
        assert "PTSD" not in stored
        assert getattr(model.objects.get(pk=pk), name) == text


@pytest.mark.django_db
def test_the_same_text_is_stored_differently_each_time():
    first, second = MeetingFactory(notes="same"), MeetingFactory(notes="same")
    assert _stored(Meeting, first.pk, "notes") != _stored(Meeting, second.pk, "notes")


@pytest.mark.django_db
def test_saving_the_same_text_again_keeps_its_token_and_writes_no_history():
    meeting = MeetingFactory(notes="Carer for her mother")
    token = _stored(Meeting, meeting.pk, "notes")
    meeting = Meeting.objects.get(pk=meeting.pk)
    changes = ChangeRecord.objects.count()
    meeting.save()
    meeting.notes = "Carer for her " + "mother"  # as a form sends it back
    meeting.save()
    assert _stored(Meeting, meeting.pk, "notes") == token
    assert ChangeRecord.objects.count() == changes
    meeting.notes = "Carer for her father"
    meeting.save()
    assert _stored(Meeting, meeting.pk, "notes") != token
    assert Meeting.objects.get(pk=meeting.pk).notes == "Carer for her father"


@pytest.mark.django_db
def test_empty_values_stay_empty_and_can_still_be_told_apart():
    empty = MeetingFactory(notes="", next_step="")
    full = MeetingFactory(next_step="Call the college")
    assert _stored(Meeting, empty.pk, "notes") == ""
    assert _stored(Meeting, empty.pk, "next_step") == ""
    assert Meeting.objects.get(pk=empty.pk).notes == ""
    assert list(Meeting.objects.exclude(next_step="")) == [full]


@pytest.mark.django_db
def test_searching_an_encrypted_field_is_refused_not_silently_empty():
    with pytest.raises(FieldError, match=r"participants\.Meeting\.notes is encrypted"):
        Meeting.objects.filter(notes__icontains="PTSD")
    with pytest.raises(FieldError, match="only be compared with ''"):
        list(Meeting.objects.filter(notes="PTSD"))


@pytest.mark.django_db
def test_the_length_limit_applies_to_the_text_not_the_token():
    meeting = MeetingFactory.build(
        participant=ParticipantFactory(), next_step="x" * 301
    )
    with pytest.raises(ValidationError) as error:
        meeting.full_clean()
    assert "next_step" in error.value.message_dict
    meeting.next_step = "x" * 300
    meeting.full_clean()


@pytest.mark.django_db
def test_after_a_new_key_is_put_first_the_old_values_still_read(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    meeting = MeetingFactory(notes="Refugee status granted in May")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert Meeting.objects.get(pk=meeting.pk).notes == "Refugee status granted in May"
    newer = MeetingFactory(notes="Written under the new key")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert Meeting.objects.get(pk=newer.pk).notes == "Written under the new key"


@pytest.mark.django_db
def test_rotation_re_encrypts_everything_so_the_old_key_can_go(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    text = "Left care at 18; anxiety"
    fields = _every_encrypted_field(text)
    before = {f: _stored(*f) for f in fields}
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out = io.StringIO()
    call_command("rotate_field_keys", "--batch-size", "2", stdout=out)
    assert "participants.Meeting: 2 values re-encrypted" in out.getvalue()
    assert "vacancies.ReferralEvent: 1 values re-encrypted" in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    for field in fields:
        model, pk, name = field
        assert _stored(*field) != before[field]
        assert _stored(*field).startswith("gAAAAA")
        assert getattr(model.objects.get(pk=pk), name) == text
    # The change history's copies of the notes are re-encrypted too.
    history = ChangeRecord.objects.filter(table_name="participants_meeting")
    tokens = [r.new["notes"] for r in history if r.new and r.new.get("notes")]
    assert tokens
    assert {text_decrypt(token) for token in tokens} == {text}


@pytest.mark.django_db
def test_rotation_run_again_changes_nothing(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    meeting = MeetingFactory(notes="Once")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_field_keys", stdout=io.StringIO())
    rotated = _stored(Meeting, meeting.pk, "notes")
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "Done: 0 values re-encrypted" in out.getvalue()
    assert _stored(Meeting, meeting.pk, "notes") == rotated


@pytest.mark.django_db
def test_a_value_no_key_opens_is_a_clear_error_not_an_empty_note(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    meeting = MeetingFactory(notes="Mental-health support since 2021")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key dropped too soon
    with pytest.raises(UndecryptableValue) as error:
        Meeting.objects.get(pk=meeting.pk)
    message = str(error.value)
    assert "participants.Meeting.notes" in message
    assert "cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS" in message
    assert "rotate_field_keys" in message
    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("rotate_field_keys", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]  # put back: nothing was lost
    assert (
        Meeting.objects.get(pk=meeting.pk).notes == "Mental-health support since 2021"
    )


@pytest.mark.django_db
def test_a_bad_batch_size_is_refused():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("rotate_field_keys", "--batch-size", "0")


@pytest.mark.django_db
def test_the_migration_encrypts_plain_rows_once_and_reverses():
    migration = importlib.import_module("participants.migrations.0007_encrypted_notes")
    meeting = MeetingFactory(notes="placeholder")
    with connection.cursor() as cursor:  # a row as it was before the migration
        cursor.execute(
            "UPDATE participants_meeting SET notes = %s WHERE id = %s",
            ["Plain note from before", meeting.pk],
        )
    migration.encrypt(global_apps, None)
    token = _stored(Meeting, meeting.pk, "notes")
    assert token.startswith("gAAAAA")
    assert Meeting.objects.get(pk=meeting.pk).notes == "Plain note from before"
    migration.encrypt(global_apps, None)  # again: already encrypted, left alone
    assert _stored(Meeting, meeting.pk, "notes") == token
    migration.decrypt(global_apps, None)
    assert _stored(Meeting, meeting.pk, "notes") == "Plain note from before"
    migration.encrypt(global_apps, None)


@pytest.mark.django_db
def test_reversing_refuses_a_value_no_key_opens(settings):
    meeting = MeetingFactory(notes="x")
    keys = settings.FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(UndecryptableValue):
        stored_text_rewrite(Meeting, ["notes"], text_decrypt)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, *keys]
    assert text_encrypt_once(_stored(Meeting, meeting.pk, "notes")) is None


@pytest.mark.django_db
def test_pages_and_the_timeline_show_the_text(client_of, coordinator):
    participant = ParticipantFactory(academy=coordinator.academy)
    MeetingFactory(
        participant=participant,
        notes="Talked about night shifts",
        next_step="Book the DBS check",
    )
    PlanActionFactory(plan__participant=participant, description="Visit the college")
    response = client_of(coordinator).get(
        reverse("participants:detail", args=[participant.pk])
    )
    page = response.content.decode()
    assert "Talked about night shifts" in page
    assert "Book the DBS check" in page
    assert "Visit the college" in page
    assert "gAAAAA" not in page


@pytest.mark.django_db
def test_the_demo_seed_writes_readable_encrypted_notes(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    meeting = Meeting.objects.exclude(notes="").first()
    assert meeting is not None
    assert _stored(Meeting, meeting.pk, "notes").startswith("gAAAAA")
    assert not meeting.notes.startswith("gAAAAA")
    assert Participant.objects.count() > 0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_text_written_in_an_encrypted_field(postgres):
    sentinel = f"SENTINEL-{uuid.uuid4().hex}"
    fields = _every_encrypted_field(f"Asylum seeker, {sentinel}, anxiety")
    visible = ParticipantFactory(first_name=f"VISIBLE{sentinel[-8:]}")
    db = connection.settings_dict
    dump = subprocess.run(
        [
            shutil.which("pg_dump") or "pg_dump",
            "--data-only",
            *_pg_args(db),
            str(db["NAME"]),
        ],
        env=_pg_env(db),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert visible.first_name in dump  # the dump is of this database
    assert dump.count(sentinel) == 0, f"{len(fields)} encrypted values checked"


def _manage(*args, **env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS")
    }
    env.update(
        {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "portal.example.org"},
        **env_overrides,
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_production_refuses_to_start_without_field_encryption_keys():
    result = _manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off" in result.stderr
    assert "Fernet.generate_key()" in result.stderr


@pytest.mark.slow
def test_production_refuses_the_development_key_and_a_malformed_key():
    from academy.settings import DEVELOPMENT_FIELD_ENCRYPTION_KEY

    result = _manage(
        "check", DEBUG="false", FIELD_ENCRYPTION_KEYS=DEVELOPMENT_FIELD_ENCRYPTION_KEY
    )
    assert "holds the development key" in result.stderr
    result = _manage(
        "check", DEBUG="false", FIELD_ENCRYPTION_KEYS=f"{NEW_KEY},not-a-key"
    )
    assert result.returncode != 0
    assert "key 2 of 2 is not a Fernet key" in result.stderr
    assert "not-a-key" not in result.stderr


@pytest.mark.slow
def test_development_uses_its_fixed_key_only_when_none_is_given():
    code = "from django.conf import settings; print(settings.FIELD_ENCRYPTION_KEYS)"
    result = _manage("shell", "-v", "0", "-c", code, DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "d2hLkn0g" in result.stdout
    result = _manage(
        "shell", "-v", "0", "-c", code, DEBUG="true", FIELD_ENCRYPTION_KEYS=NEW_KEY
    )
    assert result.stdout.strip() == str([NEW_KEY])


@pytest.mark.django_db
def test_an_import_changing_a_note_keeps_its_text_out_of_the_plain_summary(tmp_path):
    from participants.models import ImportRun, Support
    from participants.services.imports import records_import

    support = SupportFactory(
        participant__reference="A-1",
        kind="careers",
        given_on="2024-01-22",
        notes="Anxious about interviews",
    )
    path = tmp_path / "support.csv"
    path.write_text(
        "participant_reference,date,kind,notes\r\n"
        "A-1,2024-01-22,careers,Panic attacks; asylum interview on Monday\r\n"
    )
    with path.open("rb") as source:
        result = records_import(
            academy=support.participant.academy,
            kind=ImportRun.Kind.SUPPORT,
            source=source,
            file_name="support.csv",
            by=None,
            accept=frozenset(),
            coordinator=None,
        )
    assert result.is_written
    (change,) = result.summary.changes
    assert change["fields"] == [["notes", "(24 characters)", "(41 characters)"]]
    assert Support.objects.get(pk=support.pk).notes.startswith("Panic attacks")
    (note,) = CaseNote.objects.filter(participant=support.participant)
    assert "Anxious about interviews" in note.text
    assert "Panic attacks; asylum interview on Monday" in note.text


@pytest.mark.django_db
def test_a_record_read_before_a_rotation_is_saved_under_the_new_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    meeting = MeetingFactory(notes="Read before the rotation")
    meeting = Meeting.objects.get(pk=meeting.pk)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_field_keys", stdout=io.StringIO())
    meeting.save()  # by a request that loaded it before the command ran
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert Meeting.objects.get(pk=meeting.pk).notes == "Read before the rotation"

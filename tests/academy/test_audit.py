"""The audit trail: change history kept by the database, append-only audit tables,
sign-in events, and the request id that ties them together (spec/security.md LOG-2 to
LOG-4)."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from academy.audit import (
    REQUEST_ID_HEADER,
    AccessRecord,
    ChangeRecord,
    SignInEvent,
    audit_context,
    audit_purge,
    sign_in_event,
)
from participants.models import Participant
from tests.academy.factories import PASSWORD, MembershipFactory
from tests.academy.test_mfa import _code
from tests.conftest import log_in
from tests.participants.factories import (
    MeetingFactory,
    ParticipantFactory,
    PlanActionFactory,
)

pytestmark = pytest.mark.django_db(transaction=False)


def changes_of(obj) -> list[ChangeRecord]:
    return list(
        ChangeRecord.objects.filter(
            table_name=obj._meta.db_table, row_id=obj.pk
        ).order_by("id")
    )


class TestChangeHistory:
    def test_creating_and_editing_a_person_is_kept_with_old_and_new_values(
        self, academy
    ):
        person = ParticipantFactory(academy=academy, first_name="Ada")
        person.first_name = "Adele"
        person.save()

        insert, update = changes_of(person)
        assert insert.operation == "insert"
        assert insert.new["first_name"] == "Ada"
        assert insert.participant_id == person.pk
        assert insert.academy_id == academy.pk
        assert update.operation == "update"
        assert (update.old["first_name"], update.new["first_name"]) == ("Ada", "Adele")

    def test_a_bulk_update_and_raw_sql_are_kept_too(self, academy):
        person = ParticipantFactory(academy=academy, first_name="Ada")
        Participant.objects.filter(pk=person.pk).update(first_name="Bulk")
        with connection.cursor() as cursor:
            table = Participant._meta.db_table
            cursor.execute(
                f"UPDATE {table} SET first_name = %s WHERE id = %s",  # noqa: S608
                ["Raw", person.pk],
            )

        names = [c.new["first_name"] for c in changes_of(person)]
        assert names == ["Ada", "Bulk", "Raw"]

    def test_a_save_that_changes_nothing_writes_no_history(self, academy):
        person = ParticipantFactory(academy=academy)
        person.save()
        assert len(changes_of(person)) == 1

    def test_casework_rows_name_their_person_even_through_a_plan(self, academy):
        meeting = MeetingFactory(participant__academy=academy)
        action = PlanActionFactory(plan__participant__academy=academy)

        assert changes_of(meeting)[0].participant_id == meeting.participant_id
        assert changes_of(action)[0].participant_id == action.plan.participant_id

    def test_a_change_with_no_academy_in_its_context_carries_its_persons(
        self, academy, other_academy
    ):
        """Issue 16: a task or command (no academy in its context) changing casework
        files the change under the person's academy, the one column the audit page
        reads by an index."""
        meeting = MeetingFactory(participant__academy=academy)
        action = PlanActionFactory(plan__participant__academy=other_academy)
        assert changes_of(meeting)[0].academy_id == academy.pk
        assert changes_of(action)[0].academy_id == other_academy.pk

    def test_a_deletion_keeps_the_row_as_it_was(self, academy):
        meeting = MeetingFactory(participant__academy=academy)
        pk = meeting.pk
        meeting.delete()
        deleted = ChangeRecord.objects.get(
            table_name=meeting._meta.db_table, row_id=pk, operation="delete"
        )
        assert deleted.old["id"] == pk
        assert deleted.new is None

    def test_the_actor_and_request_are_those_of_the_context(self, academy):
        member = MembershipFactory(academy=academy)
        with audit_context(
            actor_id=member.user_id, academy_id=academy.pk, request_id="r" * 32
        ):
            person = ParticipantFactory(academy=academy)
        (insert,) = changes_of(person)
        assert (insert.actor_id, insert.request_id) == (member.user_id, "r" * 32)

    def test_a_change_made_through_a_page_names_who_made_it(
        self, academy, coordinator, client_of
    ):
        person = ParticipantFactory(academy=academy, coordinator=coordinator.user)
        client = client_of(coordinator)
        response = client.post(
            reverse("participants:close", args=[person.pk]),
            {"reason": "moved_away", "note": ""},
        )
        assert response.status_code in (200, 302)
        update = changes_of(person)[-1]
        assert update.operation == "update"
        assert update.actor_id == coordinator.user_id
        assert update.request_id == response[REQUEST_ID_HEADER]

    def test_password_hashes_are_never_copied_into_the_history(self, academy):
        member = MembershipFactory(academy=academy)
        member.user.set_password("a new long passphrase")
        member.user.save()
        for change in changes_of(member.user):
            assert "password" not in (change.new or {})
            assert "password" not in (change.old or {})


class TestAppendOnly:
    def test_the_database_refuses_to_change_or_delete_audit_rows(self, academy):
        ParticipantFactory(academy=academy)
        sign_in_event(SignInEvent.Kind.FAILED, username="someone@example.org")
        for model in (ChangeRecord, SignInEvent):
            with pytest.raises(DatabaseError), transaction.atomic():
                model.objects.update(request_id="tampered")
            with pytest.raises(DatabaseError), transaction.atomic():
                model.objects.all().delete()
        assert not ChangeRecord.objects.filter(request_id="tampered").exists()

    def test_access_records_cannot_be_deleted_with_raw_sql(self, academy):
        AccessRecord.objects.create(
            at="2026-01-01T00:00Z", action="x", participant_ids=[1], count=1
        )
        table = AccessRecord._meta.db_table
        with (
            pytest.raises(DatabaseError),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        assert AccessRecord.objects.count() == 1

    def test_the_purge_path_may_remove_rows(self, academy):
        ParticipantFactory(academy=academy)
        with transaction.atomic(), audit_purge():
            ChangeRecord.objects.all().delete()
        assert ChangeRecord.objects.count() == 0


class TestSignInEvents:
    def test_a_failed_and_a_good_sign_in_are_recorded_with_the_username(
        self, client, coordinator
    ):
        email = coordinator.user.email
        client.post(reverse("login"), {"username": email.upper(), "password": "wrong"})
        client.post(reverse("login"), {"username": email, "password": PASSWORD})
        kinds = list(
            SignInEvent.objects.filter(username=email.lower())
            .order_by("id")
            .values_list("kind", "user_id")
        )
        assert kinds[0] == (SignInEvent.Kind.FAILED, coordinator.user_id)
        assert (SignInEvent.Kind.SIGNED_IN, coordinator.user_id) in kinds

    def test_a_failure_for_no_account_keeps_what_was_typed(self, client, db):
        client.post(
            reverse("login"), {"username": "Nobody@Example.org", "password": "x"}
        )
        event = SignInEvent.objects.get()
        assert (event.kind, event.user_id, event.username) == (
            SignInEvent.Kind.FAILED,
            None,
            "nobody@example.org",
        )

    def test_a_lockout_is_recorded(self, client, coordinator, settings):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(
                reverse("login"),
                {"username": coordinator.user.email, "password": "wrong"},
            )
        assert SignInEvent.objects.filter(
            kind=SignInEvent.Kind.LOCKED_OUT, user_id=coordinator.user_id
        ).exists()

    def test_second_step_right_and_wrong_codes_are_recorded(self, client, coordinator):
        device = TOTPDevice.objects.create(user=coordinator.user, name="App")
        client.post(
            reverse("login"), {"username": coordinator.user.email, "password": PASSWORD}
        )
        client.post(reverse("mfa-verify"), {"code": _code(device)})
        # Again, with a wrong code (after a right one: django-otp slows down retries).
        client.post(reverse("logout"))
        client.post(
            reverse("login"), {"username": coordinator.user.email, "password": PASSWORD}
        )
        wrong = "000000" if _code(device) != "000000" else "111111"
        client.post(reverse("mfa-verify"), {"code": wrong})
        kinds = list(
            SignInEvent.objects.filter(user_id=coordinator.user_id)
            .order_by("id")
            .values_list("kind", flat=True)
        )
        assert kinds.index(SignInEvent.Kind.SECOND_STEP_PASSED) < kinds.index(
            SignInEvent.Kind.SECOND_STEP_FAILED
        )

    def test_signing_out_is_recorded(self, client_of, coordinator):
        client = client_of(coordinator)
        client.post(reverse("logout"))
        assert SignInEvent.objects.filter(
            kind=SignInEvent.Kind.SIGNED_OUT, user_id=coordinator.user_id
        ).exists()

    def test_an_admin_resetting_two_step_sign_in_is_recorded_with_who(
        self, client_of, admin, coordinator
    ):
        client = client_of(admin)
        client.post(reverse("academy:mfa-reset", args=[coordinator.pk]))
        event = SignInEvent.objects.get(kind=SignInEvent.Kind.SECOND_STEP_RESET)
        assert (event.user_id, event.by_user_id) == (
            coordinator.user_id,
            admin.user_id,
        )


class TestAccountEvents:
    """Password changes and resets, re-authentication and ended sessions are events
    too (spec/security.md LOG-2)."""

    def kinds(self, user):
        return list(
            SignInEvent.objects.filter(user_id=user.pk)
            .order_by("id")
            .values_list("kind", flat=True)
        )

    def test_a_password_change_and_a_reset_request_are_recorded(
        self, client, client_of, coordinator
    ):
        client_of(coordinator).post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "a fresh long passphrase 2026",
                "new_password2": "a fresh long passphrase 2026",
            },
        )
        assert SignInEvent.Kind.PASSWORD_CHANGED in self.kinds(coordinator.user)
        client.post(reverse("password_reset"), {"email": "Nobody@Example.org"})
        asked = SignInEvent.objects.get(kind=SignInEvent.Kind.PASSWORD_RESET_ASKED)
        assert (asked.user_id, asked.username) == (None, "nobody@example.org")

    def test_confirming_it_is_you_is_recorded(self, client_of, coordinator):
        client = client_of(coordinator)
        client.post(
            reverse("reauth") + "?next=/",
            {
                "password": PASSWORD,
                "code": _code(coordinator.user.totpdevice_set.get()),
            },
        )
        assert SignInEvent.Kind.REAUTHENTICATED in self.kinds(coordinator.user)

    def test_an_admin_ending_a_members_sessions_is_recorded_with_who(
        self, client_of, admin, coordinator
    ):
        client_of(coordinator)  # a session to end
        client_of(admin).post(
            reverse("academy:member-sessions-end", args=[coordinator.pk])
        )
        event = SignInEvent.objects.get(kind=SignInEvent.Kind.SESSIONS_ENDED)
        assert (event.user_id, event.by_user_id) == (
            coordinator.user_id,
            admin.user_id,
        )
        assert "ended by an admin" in event.detail


def test_every_response_carries_a_request_id(client_of, coordinator):
    response = client_of(coordinator).get(reverse("home"))
    assert len(response[REQUEST_ID_HEADER]) == 32


def test_log_in_helper_is_not_counted_as_a_sign_in_failure(client, coordinator):
    log_in(client, coordinator.user)
    assert not SignInEvent.objects.filter(kind=SignInEvent.Kind.FAILED).exists()


class TestAuditPages:
    """An academy admin reads the three tables, filters them and exports them; nobody
    else can, and another academy's trail is never shown."""

    def test_the_admin_sees_who_opened_a_record_and_can_search_by_reference(
        self, client_of, academy, admin, coordinator
    ):
        person = ParticipantFactory(academy=academy, reference="REF-AUD-1")
        other = ParticipantFactory(academy=academy, reference="REF-AUD-2")
        coordinator_client = client_of(coordinator)
        coordinator_client.get(reverse("participants:detail", args=[person.pk]))
        coordinator_client.get(reverse("participants:detail", args=[other.pk]))

        client = client_of(admin)
        searched = client.post(reverse("academy:audit"), {"person": "ref-aud-1"})
        assert "REF-AUD" not in searched["Location"]  # the reference stays private
        page = client.get(searched["Location"])
        rows = page.context["rows"]
        assert [r.people for r in rows] == [["REF-AUD-1"]]
        assert coordinator.user.email in rows[0].who
        assert rows[0].record.action == "participants:detail GET"
        assert rows[0].action == "Opened the person's record"
        # The other pages keep the search.
        changes = client.get(
            reverse("academy:audit", args=["changes"]) + "?" + page.context["keep"]
        )
        assert {r.record.participant_id for r in changes.context["rows"]} == {person.pk}

    def test_changes_show_old_and_new_values_with_notes_decrypted(
        self, client_of, academy, admin, coordinator
    ):
        meeting = MeetingFactory(participant__academy=academy, notes="First words")
        meeting.notes = "Second words"
        meeting.save()

        page = client_of(admin).get(reverse("academy:audit", args=["changes"]))
        fields = {
            (f.label, f.old, f.new)
            for row in page.context["rows"]
            if row.record.table_name == meeting._meta.db_table
            for f in row.fields
        }
        assert ("Notes", "First words", "Second words") in fields
        assert b"Second words" in page.content

    def test_a_note_encrypted_again_under_a_new_key_is_not_shown_as_changed(
        self, academy
    ):
        from academy.audit.selectors import field_changes

        meeting = MeetingFactory(participant__academy=academy, notes="Same words")
        type(meeting).objects.filter(pk=meeting.pk).update(notes="Same words")
        update = changes_of(meeting)[-1]
        assert update.operation == "update"  # the stored token did change
        assert list(field_changes(update)) == []

    def test_sign_ins_of_members_are_listed_with_who_lifted_a_lockout(
        self, client_of, academy, admin, coordinator
    ):
        sign_in_event(SignInEvent.Kind.FAILED, user=coordinator.user)
        sign_in_event(
            SignInEvent.Kind.LOCKOUT_LIFTED, user=coordinator.user, by=admin.user
        )
        page = client_of(admin).get(reverse("academy:audit", args=["sign-ins"]))
        rows = page.context["rows"]
        lifted = next(
            r for r in rows if r.record.kind == SignInEvent.Kind.LOCKOUT_LIFTED
        )
        assert admin.user.email in lifted.by
        filtered = client_of(admin).get(
            reverse("academy:audit", args=["sign-ins"]), {"kind": "failed"}
        )
        assert {r.record.kind for r in filtered.context["rows"]} == {"failed"}

    def test_changes_to_the_academys_people_made_by_a_task_are_listed(
        self, client_of, academy, other_academy, admin
    ):
        mine = MeetingFactory(participant__academy=academy)
        theirs = MeetingFactory(participant__academy=other_academy)
        page = client_of(admin).get(reverse("academy:audit", args=["changes"]))
        shown = {(r.record.table_name, r.record.row_id) for r in page.context["rows"]}
        assert ("participants_meeting", mine.pk) in shown
        assert ("participants_meeting", theirs.pk) not in shown

    def test_another_academys_trail_is_not_shown(
        self, client_of, academy, other_academy, admin, other_coordinator
    ):
        stranger = ParticipantFactory(academy=other_academy, reference="REF-OTHER")
        client_of(other_coordinator).get(
            reverse("participants:detail", args=[stranger.pk])
        )
        client = client_of(admin)
        for kind in ("access", "changes", "sign-ins"):
            page = client.get(reverse("academy:audit", args=[kind]))
            assert b"REF-OTHER" not in page.content
            assert other_coordinator.user.email.encode() not in page.content

    def test_the_export_is_a_csv_of_the_filtered_rows(
        self, client_of, academy, admin, coordinator
    ):
        person = ParticipantFactory(academy=academy)
        client_of(coordinator).get(reverse("participants:detail", args=[person.pk]))
        response = client_of(admin).get(
            reverse("academy:audit-export", args=["access"])
        )
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert response["Content-Type"].startswith("text/csv")
        lines = text.strip().splitlines()
        assert lines[0].startswith("When (UTC),Member,Role,What,Page")
        assert any("Opened the person's record" in line for line in lines[1:])
        assert any(
            coordinator.user.email in line and str(person.pk) in line
            for line in lines[1:]
        )

    def test_an_unknown_page_is_404_and_bad_filters_are_explained(
        self, client_of, admin
    ):
        client = client_of(admin)
        assert client.get(reverse("academy:audit", args=["nope"])).status_code == 404
        page = client.get(reverse("academy:audit"), {"since": "31/31/2026"})
        assert page.status_code == 200
        assert page.context["filterset"].form.errors

    @pytest.mark.parametrize("role", ["coordinator", "provider", "manager"])
    def test_other_roles_are_refused(self, request, client_of, role):
        client = client_of(request.getfixturevalue(role))
        assert client.get(reverse("academy:audit")).status_code == 403
        assert client.get(reverse("academy:audit-export")).status_code == 403


def test_every_page_that_records_access_has_words_for_it():
    from academy.audit.selectors import action_label
    from tests.test_permissions import MATRIX

    for name in MATRIX:
        label = action_label(f"{name} GET")
        assert label, name
        assert name not in label, f"{name}: its view needs a docstring"
    assert action_label("participants:detail POST") == (
        "Opened the person's record (form sent)"
    )

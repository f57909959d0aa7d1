"""The data inventory (spec/security.md DP-1): every field of the portal's models is
classified none, personal or special with a retention class, and the committed
document says what the inventory says."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import models

from academy import inventory
from academy.crypto import EncryptedTextField
from academy.inventory import (
    INVENTORY,
    RETENTION,
    Data,
    Retention,
    field_label,
    inventory_gaps,
    model_fields,
)

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "data-inventory.md"

# The schedule README.md gives (Security: retention schedule).
DEFAULT_PERIODS = {
    "RETENTION_CASEWORK_YEARS": 6,
    "ENQUIRY_RETENTION_MONTHS": 12,
    "RETENTION_ACCOUNT_YEARS": 6,
    "RETENTION_AUDIT_YEARS": 2,
    "RETENTION_IMPORT_FILES_DAYS": 30,
    "RETENTION_REPORTS_YEARS": 1,
    "RETENTION_TRANSIENT_DAYS": 2,
    "RETENTION_MESSAGES_MONTHS": 12,
}


def test_every_field_of_every_model_is_classified():
    gaps = inventory_gaps()
    assert not gaps, gaps.message()


def test_the_inventory_covers_the_four_apps_and_no_automatic_ids():
    labels = {field_label(m, f) for m, f in model_fields()}
    assert {label.split(".")[0] for label in labels} == set(inventory.APPS)
    assert "participants.Meeting.notes" in labels
    assert "academy.User.groups" in labels  # many-to-many fields too
    assert not any(label.endswith(".id") for label in labels)


def test_a_missing_field_is_named_with_the_line_to_add(monkeypatch):
    entries = dict(INVENTORY)
    del entries["participants.Meeting.notes"]
    del entries["participants.Meeting.location"]
    entries["participants.Meeting.mood"] = (Data.SPECIAL, Retention.CASEWORK)
    monkeypatch.setattr(inventory, "INVENTORY", entries)
    gaps = inventory_gaps()
    assert gaps
    message = gaps.message()
    assert '    "participants.Meeting.notes": (SPECIAL, CASEWORK),' in message
    assert '    "participants.Meeting.location": (PERSONAL, CASEWORK),' in message
    assert "2 fields are not in the data inventory" in message
    assert "Remove these lines" in message
    assert '"participants.Meeting.mood"' in message
    assert "python manage.py data_inventory > docs/data-inventory.md" in message


def test_a_new_model_gets_a_cautious_guess(monkeypatch):
    entries = {k: v for k, v in INVENTORY.items() if not k.startswith("academy.User")}
    monkeypatch.setattr(inventory, "INVENTORY", entries)
    message = inventory_gaps().message()
    assert '"academy.User.email": (PERSONAL, AUDIT),' in message


def test_casework_free_text_classified_special_is_encrypted_and_only_that():
    for model, field in model_fields():
        label = field_label(model, field)
        data, _ = INVENTORY.get(label, (None, None))  # missing: the test above
        if isinstance(field, EncryptedTextField):
            assert data == Data.SPECIAL, label
        free_text = isinstance(field, models.CharField | models.TextField)
        if data == Data.SPECIAL and free_text and not field.choices:
            assert isinstance(field, EncryptedTextField), (
                f"{label} is special free text: make it an EncryptedTextField "
                "(academy/crypto.py)"
            )


def test_every_retention_class_has_a_period_setting_or_is_reference(settings):
    assert set(RETENTION) == set(Retention)
    for retention, rule in RETENTION.items():
        if retention == Retention.REFERENCE:
            assert rule.period is None
            continue
        assert rule.setting in DEFAULT_PERIODS
        assert rule.period > 0


def test_the_settings_default_to_the_readme_schedule():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    from django.conf import settings

    for name, default in DEFAULT_PERIODS.items():
        assert getattr(settings, name) == default, name
        assert f"`{name}`" in readme, name


def test_the_committed_document_is_the_commands_output(settings):
    for name, default in DEFAULT_PERIODS.items():
        setattr(settings, name, default)
    out = io.StringIO()
    call_command("data_inventory", stdout=out)
    assert DOCUMENT.read_text(encoding="utf-8") == out.getvalue(), (
        "docs/data-inventory.md is out of date: python manage.py data_inventory > "
        "docs/data-inventory.md"
    )


def test_the_document_names_every_field_and_the_schedule(settings):
    out = io.StringIO()
    call_command("data_inventory", stdout=out)
    text = out.getvalue()
    assert "| casework | " in text
    assert "| 6 years | the case closes" in text
    assert "| `notes` |  | special (encrypted) | casework |" in text
    assert "| `first_name` |  | personal | casework |" in text
    settings.RETENTION_REPORTS_YEARS = 3
    out = io.StringIO()
    call_command("data_inventory", stdout=out)
    assert "| 3 years | the report was built |" in out.getvalue()


@pytest.mark.parametrize(("period", "text"), [(1, "1 year"), (2, "2 years")])
def test_periods_read_as_words(settings, period, text):
    settings.RETENTION_AUDIT_YEARS = period
    assert RETENTION[Retention.AUDIT].period_text == text

"""Special-category free text encrypted in the database (spec/security.md DP-2).

Casework notes can tell of someone's health, immigration status or time in care, so
they are stored as Fernet tokens (AES-128-CBC with an HMAC-SHA256), under keys of their
own: `FIELD_ENCRYPTION_KEYS`, newest first, never derived from SECRET_KEY. The first
key encrypts; every key decrypts, so a new key can be put first while the old ones
still open what they wrote, until `manage.py rotate_field_keys` has re-encrypted
everything with the first (README, Security).

An empty value stays empty, so "has a note" (`exclude(notes="")`) still works; any
other search or comparison on an encrypted column is refused, since each token is
different even for the same text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Case, F, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast
from django.db.models.lookups import Exact
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property

from .rules import NOTE_MAX


class DecryptedText(str):
    """Text read from an encrypted column, with the token it was read from: a record
    saved with the same text writes the same token again (while it is under the first
    key), so an unchanged note is no change in the casework history."""

    token: str

    def __new__(cls, text: str, token: str) -> DecryptedText:
        value = super().__new__(cls, text)
        value.token = token
        return value

    def __reduce__(self) -> tuple[Any, ...]:
        return (DecryptedText, (str(self), self.token))


class UndecryptableValue(Exception):
    """A stored value that none of FIELD_ENCRYPTION_KEYS opens."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return MultiFernet([Fernet(key) for key in keys])


def keyring() -> MultiFernet:
    """All the configured keys: the first encrypts, any of them decrypts."""
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def primary_key() -> Fernet:
    """The first (newest) key alone."""
    return Fernet(settings.FIELD_ENCRYPTION_KEYS[0])


def text_encrypt(text: str) -> str:
    """A Fernet token of the text under the first key; '' stays ''."""
    if text == "":
        return ""
    return keyring().encrypt(text.encode("utf-8")).decode("ascii")


def text_decrypt(token: str, *, where: str = "an encrypted field") -> str:
    """The text of a token written under any configured key; '' stays ''.

    Raises UndecryptableValue, saying where, when no key opens it: never a silent ''.
    """
    if token == "":
        return ""
    try:
        return keyring().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise UndecryptableValue(
            f"A value of {where} cannot be decrypted with any key in "
            "FIELD_ENCRYPTION_KEYS. Was the key that wrote it removed before "
            "`manage.py rotate_field_keys` had re-encrypted everything? Put that key "
            "back (after the first) and run the command again."
        ) from None


def token_is_current(token: str) -> bool:
    """Whether the token was written under the first key (rotation can skip it)."""
    try:
        primary_key().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeError):
        return False
    return True


class _StoredText(DeferredAttribute):
    """Keeps the text as read from the database beside the field's value."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value
        if isinstance(value, DecryptedText):
            instance.__dict__[f"_{self.field.attname}_as_read"] = value


class EncryptedTextField(models.TextField[str | Combinable, str]):
    """Text stored encrypted. Forms and full_clean enforce `max_length` on the
    plain text; the column is unlimited text, since a token is longer than the text.
    """

    description = "Text (encrypted)"
    descriptor_class = _StoredText

    @cached_property
    def validators(self) -> list[Any]:
        found = [*super().validators]
        if self.max_length is not None:
            found.append(MaxLengthValidator(self.max_length))
        return found

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in ("exact", "isnull"):
            raise FieldError(
                f"{self._label} is encrypted: it cannot be searched or compared "
                f"('{lookup_name}'); only = '' (empty) and isnull work."
            )
        return super().get_lookup(lookup_name)

    @property
    def _label(self) -> str:
        model = getattr(self, "model", None)
        if model is None:
            return self.name or "an encrypted field"
        return f"{model._meta.label}.{self.name}"

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        as_read = model_instance.__dict__.get(f"_{self.attname}_as_read")
        if as_read is not None and value == as_read:
            return as_read  # the same text: the same token
        return value

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if isinstance(value, DecryptedText) and token_is_current(value.token):
            return value.token
        value = super().get_db_prep_value(value, connection, prepared)
        if value is None or value == "":
            return value
        return text_encrypt(str(value))

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None or value == "":
            return value
        return DecryptedText(text_decrypt(value, where=self._label), value)


class EncryptedExact(Exact):
    """`= ''` only: any other text encrypts to a new token that matches nothing."""

    def get_db_prep_lookup(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        if value != "":
            field = getattr(self.lhs, "target", None)
            label = field._label if isinstance(field, EncryptedTextField) else "This"
            raise FieldError(
                f"{label} is encrypted: it can only be compared with '' (empty)."
            )
        return super().get_db_prep_lookup(value, connection)


EncryptedTextField.register_lookup(EncryptedExact)


class EncryptedCharField(EncryptedTextField):
    """An encrypted one-line text: a text input in forms."""

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"widget": forms.TextInput, **kwargs})


def encrypted_note_field(
    verbose_name: str | None = None, **kwargs: Any
) -> EncryptedTextField:
    """A casework note: free text with the portal's limit, stored encrypted."""
    return EncryptedTextField(verbose_name, blank=True, max_length=NOTE_MAX, **kwargs)


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted fields, and those fields' names."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField)
        ]
        if names:
            yield model, names


def stored_text_rewrite(
    model: type[models.Model],
    names: Sequence[str],
    rewrite: Callable[[str], str | None],
    *,
    batch_size: int = 500,
) -> int:
    """Pass each non-empty stored value of the fields, as stored (the token, not the
    text), through `rewrite` and store what it returns (None: leave it). Rows are
    read in order of pk, `batch_size` at a time, each batch locked and written in one
    transaction, so a run can stop and start again. Returns the values rewritten.

    The migrations that encrypt and decrypt the columns and `rotate_field_keys` use
    this; it works on migrations' historical models too.
    """
    manager = model._base_manager
    stored = {f"stored_{name}": Cast(name, models.TextField()) for name in names}
    rewritten = 0
    last_pk: Any = None
    while True:
        with transaction.atomic(using=manager.db):
            rows = manager.order_by("pk").select_for_update()
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.values_list("pk", *stored.values())[:batch_size])
            if not batch:
                return rewritten
            last_pk = batch[-1][0]
            changes: dict[str, list[When]] = {name: [] for name in names}
            changed_pks = set()
            for pk, *values in batch:
                for name, value in zip(names, values, strict=True):
                    new = rewrite(value) if value else None
                    if new is not None and new != value:
                        text = Value(new, output_field=models.TextField())
                        changes[name].append(When(pk=pk, then=text))
                        changed_pks.add(pk)
            if changed_pks:
                manager.filter(pk__in=changed_pks).update(
                    **{
                        name: Case(
                            *whens, default=F(name), output_field=models.TextField()
                        )
                        for name, whens in changes.items()
                        if whens
                    }
                )
                rewritten += sum(len(whens) for whens in changes.values())


def token_rotate(token: str, *, where: str = "an encrypted field") -> str | None:
    """The token re-encrypted under the first key; None when it already is."""
    if token_is_current(token):
        return None
    try:
        return keyring().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        text_decrypt(token, where=where)  # raises, saying what to do
        raise


def text_encrypt_once(value: str) -> str | None:
    """For the migration that encrypts a column: the token of plain text, None for a
    value that is a token already (so the migration can run again)."""
    try:
        keyring().decrypt(value.encode("ascii"))
    except (InvalidToken, UnicodeError):
        return text_encrypt(value)
    return None


def field_keys_rotate(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every encrypted value not yet under the first key with it, model by
    model in batches (each its own transaction), then the copies the casework change
    history keeps; running it again changes nothing. Returns the values re-encrypted
    per model label."""
    from .audit import audit_context

    done: dict[str, int] = {}
    # The history shows these writes as made by this command, not by a person.
    with audit_context(request_id="rotate_field_keys"):
        for model, names in encrypted_fields():
            where = f"{model._meta.label} ({', '.join(names)})"
            done[model._meta.label] = stored_text_rewrite(
                model,
                names,
                functools.partial(token_rotate, where=where),
                batch_size=batch_size,
            )
    done["academy.ChangeRecord"] = _history_rotate(batch_size=batch_size)
    return done


def _history_rotate(*, batch_size: int) -> int:
    """Re-encrypt the tokens the change history copied from encrypted columns (its
    `old` and `new`), on the audit trail's one path for changing its rows."""
    from .audit import ChangeRecord, audit_purge

    columns = {
        model._meta.db_table: {
            field.column for field in model._meta.concrete_fields if field.name in names
        }
        for model, names in encrypted_fields()
    }
    rows = ChangeRecord.objects.filter(table_name__in=columns).order_by("pk")
    rewritten, last_pk = 0, 0
    while True:
        with transaction.atomic(), audit_purge():
            batch = list(
                rows.filter(pk__gt=last_pk)
                .select_for_update()
                .values_list("pk", "table_name", "old", "new")[:batch_size]
            )
            if not batch:
                return rewritten
            last_pk = batch[-1][0]
            for pk, table, old, new in batch:
                count = 0
                for values in (old or {}, new or {}):
                    for column in columns[table] & set(values):
                        token = values[column]
                        where = f"the change history of {table}.{column}"
                        rotated = token_rotate(token, where=where) if token else None
                        if rotated is not None:
                            values[column] = rotated
                            count += 1
                if count:
                    ChangeRecord.objects.filter(pk=pk).update(old=old, new=new)
                    rewritten += count

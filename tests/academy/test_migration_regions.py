"""academy/migrations/0016: regions typed under another name become the listed name;
one no list knows is kept for the admin to choose."""

import importlib

import pytest
from django.apps import apps

from academy.models import Academy
from tests.academy.factories import AcademyFactory

migration = importlib.import_module("academy.migrations.0016_academy_region_names")


@pytest.mark.django_db
def test_regions_typed_otherwise_become_the_listed_name():
    typed = {
        "a": ("Yorkshire and Humber", "Yorkshire and The Humber"),
        "b": ("Eastern", "East of England"),
        "c": ("south  west", "South West"),
        "d": ("North-East", "North East"),
        "e": ("Wessex", "Wessex"),
        "f": ("", ""),
        "g": ("London", "London"),
    }
    for slug, (region, _) in typed.items():
        AcademyFactory(slug=slug, region=region)
    migration.regions_named_as_listed(apps, None)
    assert {a.slug: a.region for a in Academy.objects.all()} == {
        slug: expected for slug, (_, expected) in typed.items()
    }

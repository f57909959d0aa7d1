"""Generated matching data on PostgreSQL, in a few SQL statements (generate_series):
an academy of 100,000 people (85% open, 100,000 plans with free-text target roles)
with 10,000 open vacancies, full postcodes around Plymouth and a few nobody can place."""

from __future__ import annotations

from django.db import connection

from academy.models import Academy, Organisation

TARGETS = [
    "Care worker",
    "Home carer",
    "Senior carer",
    "Nurse",
    "Healthcare assistant",
    "Kitchen assistant",
    "Support worker",
    "Driver",
    "Activities",
    "",
    "Anything",
]
ROLES = [
    "care_worker",
    "senior_care_worker",
    "support_worker",
    "registered_nurse",
    "nursing_assistant",
    "cook",
    "domestic",
    "driver",
]


def postcodes_generate(*, count: int = 4000) -> None:
    """Full postcodes (PL1 0AA ...) spread over 30 km around Plymouth's centre."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO vacancies_postcode
                (postcode, latitude, longitude, source, local_authority, ward,
                 constituency)
            SELECT 'PL' || (1 + n %% 9) || ' ' || (n / 676 %% 10)
                   || chr(65 + n / 26 %% 26) || chr(65 + n %% 26),
                   50.25 + random() * 0.3, -4.35 + random() * 0.45,
                   'generated', '', '', ''
            FROM generate_series(0, %s - 1) AS n
            ON CONFLICT (postcode) DO NOTHING
            """,
            [count],
        )


def matching_data_generate(
    *, academy: Academy, organisation: Organisation, people: int, vacancies: int
) -> None:
    """`people` participants with plans and `vacancies` open vacancies in `academy`."""
    postcodes_generate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.7)")
        cursor.execute(
            """
            INSERT INTO participants_participant
                (academy_id, reference, first_name, last_name, email, phone, postcode,
                 is_claimant, benefit_type, status_at_entry, source, registered_on,
                 hours_wanted, has_driving_licence, has_car, dbs_level, right_to_work,
                 right_to_work_document, has_consent_to_hold, has_consent_to_share,
                 contact_by, status, close_reason, close_note, created_at, updated_at)
            SELECT %(academy)s, 'G-' || n, 'Person', 'Name ' || (n %% 5000), '', '',
                   CASE WHEN n %% 40 = 0 THEN 'ZZ9 9ZZ' WHEN n %% 97 = 0 THEN ''
                        ELSE pc.postcode END,
                   false, '', '', '', DATE '2024-01-01' + n %% 700,
                   (ARRAY[NULL, 16, 24, 30, 37])[1 + n %% 5],
                   n %% 3 = 0, n %% 4 = 0,
                   (ARRAY['none', 'basic', 'enhanced'])[1 + n %% 3],
                   (ARRAY['yes', 'yes', 'unknown', 'no'])[1 + n %% 4],
                   '', true, n %% 5 <> 0, 'none',
                   CASE WHEN n %% 7 = 0 THEN 'closed' ELSE 'open' END, '', '',
                   now(), now()
            FROM generate_series(1, %(people)s) AS n
            LEFT JOIN (
                SELECT postcode, row_number() OVER (ORDER BY postcode) - 1 AS i,
                       count(*) OVER () AS total
                FROM vacancies_postcode WHERE source = 'generated'
            ) AS pc ON pc.i = n %% pc.total
            """,
            {"academy": academy.pk, "people": people},
        )
        cursor.execute(
            """
            INSERT INTO participants_skillsactionplan
                (participant_id, agreed_on, pathway, target_role, barriers, goals,
                 status, updated_at)
            SELECT p.id, p.registered_on + k * 90, '',
                   (%(targets)s::text[])[1 + (p.id * 7 + k * 3) %% %(n)s],
                   '[]'::jsonb, '', 'active', now()
            FROM participants_participant p
            CROSS JOIN generate_series(0, 1) AS k
            WHERE p.academy_id = %(academy)s AND (k = 0 OR p.id %% 3 = 0)
              AND p.id %% 10 <> 0
            """,
            {"academy": academy.pk, "targets": TARGETS, "n": len(TARGETS)},
        )
        cursor.execute(
            """
            INSERT INTO vacancies_vacancy
                (academy_id, organisation_id, title, role, setting, hours_per_week,
                 works_days, works_nights, works_weekends, contract, pay_unit,
                 pay_min, postcode, posts, closing_on, needs_driving_licence,
                 dbs_level, qualifications, experience, benefits, how_to_apply,
                 description, is_critical_shortage, status, created_at, updated_at,
                 latitude, longitude)
            SELECT %(academy)s, %(organisation)s, 'Job ' || n,
                   (%(roles)s::text[])[1 + n %% %(n)s], 'care_home',
                   (ARRAY[16, 24, 30, 37.5])[1 + n %% 4], true, false, false,
                   'permanent', 'hour', 12.60, 'PL4 6AB', 1,
                   current_date + 1 + n %% 60, n %% 7 = 0,
                   (ARRAY['none', 'basic', 'enhanced'])[1 + n %% 3], '', '', '', '',
                   '', n %% 50 = 0, 'open', now(), now(),
                   CASE WHEN n %% 30 = 0 THEN NULL ELSE 50.25 + random() * 0.3 END,
                   -4.35 + random() * 0.45
            FROM generate_series(1, %(vacancies)s) AS n
            """,
            {
                "academy": academy.pk,
                "organisation": organisation.pk,
                "roles": ROLES,
                "n": len(ROLES),
                "vacancies": vacancies,
            },
        )
        cursor.execute("ANALYZE")

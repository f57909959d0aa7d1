"""`manage.py generate_data`: academies full of generated casework, for benchmarks."""

from base64 import b32encode
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from academy.synthetic import (
    DEFAULT_CASEWORK_PER_PERSON,
    SQLITE_MAX_PEOPLE,
    GenerateRefused,
    data_generate,
)


class Command(BaseCommand):
    help = (
        "Add generated academies with years of plausible casework (people, plans, "
        "support, meetings, appointments, tasks, outcomes, checks, referrals, "
        "vacancies, events), written with COPY on PostgreSQL; SQLite takes at most "
        f"{SQLITE_MAX_PEOPLE:,} people. Each run adds new academies beside those "
        "there, and prints sign-ins (admin, manager, coordinator, provider) for the "
        "first one with their shared authenticator key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--academies", type=int, default=1, help="How many academies to add."
        )
        parser.add_argument(
            "--participants",
            type=int,
            default=1000,
            help="People PER ACADEMY (e.g. 100000 for one national-scale academy).",
        )
        parser.add_argument(
            "--years",
            type=int,
            default=3,
            help="Years of casework up to today (the academies' launch).",
        )
        parser.add_argument(
            "--casework-per-person",
            type=float,
            default=DEFAULT_CASEWORK_PER_PERSON,
            help="Casework records per person on average (meetings, plans and "
            "actions, support, outcomes, checks, appointments, tasks, referrals); "
            "follow-up meetings make up the difference. Default %(default)s.",
        )
        parser.add_argument(
            "--seed", type=int, default=16, help="Random seed: the same data again."
        )
        parser.add_argument(
            "--history",
            action="store_true",
            help="Keep the casework history: a change record of every row written, "
            "as for rows people add (slower; the audit pages then have a trail). "
            "Without it, PostgreSQL writes no history of generated rows.",
        )
        parser.add_argument(
            "--mfa-key",
            default="",
            help="The sign-ins' authenticator key in hex (default: a new one).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            made = data_generate(
                academies=options["academies"],
                participants=options["participants"],
                years=options["years"],
                casework_per_person=options["casework_per_person"],
                seed=options["seed"],
                mfa_key=options["mfa_key"],
                history=options["history"],
                progress=lambda message: self.stderr.write(message),
            )
        except GenerateRefused as refused:
            raise CommandError(str(refused)) from None
        for academy in made.academies:
            casework = sum(
                count
                for label, count in academy.counts.items()
                if label.split(".")[1] not in NOT_CASEWORK
            )
            self.stdout.write(
                f"{academy.name} (id {academy.id}, {academy.slug}): "
                f"{academy.people:,} people, {casework:,} casework records"
            )
            for label, count in sorted(academy.counts.items()):
                self.stdout.write(f"  {label:<36} {count:>10,}")
        self.stdout.write(f"\nGenerated in {made.seconds:.1f} s.")
        self.stdout.write(f"\nSign-ins ({made.academies[0].name}):")
        for login in made.logins:
            self.stdout.write(f"  {login.role:<12} {login.email:<48} {login.password}")
        secret = b32encode(bytes.fromhex(made.mfa_key)).decode()
        self.stdout.write(
            f"\nTwo-step sign-in: their shared authenticator key is {secret}\n"
            f"(hex {made.mfa_key}; a code signs each user in once per 30 seconds).\n"
        )


# Tables counted apart from casework: the people themselves, their consent and
# cohorts, and what is not about one person.
NOT_CASEWORK = {
    "Participant",
    "ParticipantCohort",
    "ConsentRecord",
    "Enquiry",
    "Vacancy",
    "TrainingOpportunity",
    "Event",
    "Event_hosts",
    "SignUp",
    "ReferralEvent",
}
